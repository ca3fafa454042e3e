"""The pos-tagging built-in on tiny generated data and tiny files (no corpus, no network)."""
import json

import numpy as np
import pytest

from rnnkit import config
from rnnkit.builtins.pos_tagging import PosTagging, most_frequent_tags, normalise_word, tokenize
from rnnkit.data import DataError, Vocabulary
from rnnkit.plugins import protocol_problems
from rnnkit.runs import resolve_config

ARCH = PosTagging()
SMALL = {"units": 8, "embed_dim": 8, "epochs": 3, "batch_size": 8, "lr": 0.01}


@pytest.fixture(scope="module")
def small():
    config.set_seed(0)
    cfg = resolve_config(ARCH, SMALL)
    return cfg, ARCH.small_data(cfg)


def test_follows_the_protocol():
    assert protocol_problems(ARCH) == []
    assert ARCH.kind == "many-to-many"
    cfg = ARCH.default_config()
    for key in ("cell", "units", "epochs", "batch_size", "lr", "seed", "floatx"):
        assert key in cfg
    assert cfg["floatx"] == "float32"


def test_small_data_shapes_and_json_meta(small):
    cfg, data = small
    (x, y), (xt, yt) = data.train, data.test
    assert x.shape == y.shape and xt.shape == yt.shape
    assert x.shape[1] == cfg["max_len"]
    assert len(x) + len(data.val[0]) + len(xt) == 60
    # every real word has a tag, padding is id 0
    assert set(np.unique(y[x != 0])) <= set(range(len(data.meta["tags"])))
    assert json.loads(json.dumps(data.meta)) == data.meta


def test_training_lowers_the_loss_and_metrics_have_the_keys(small):
    cfg, data = small
    config.set_seed(0)
    model = ARCH.build_model(cfg, data.meta)
    history = ARCH.fit(model, data, cfg)
    losses = history.history["loss"]
    assert losses[-1] < losses[0]
    assert "val_accuracy" in history.history
    scores, base = ARCH.evaluate(model, data), ARCH.baseline(data)
    assert list(scores)[0] == "accuracy" and set(scores) == set(base)
    # the test loss is the model's own masked loss (padding is masked out, weighted by words)
    x, y = data.test
    loss = model.evaluate(x, y, batch_size=len(x))
    assert scores["loss"] == pytest.approx(loss if np.isscalar(loss) else loss[0], rel=1e-5)
    assert 0.0 <= scores["accuracy"] <= 1.0


def test_demo_tags_every_word_and_marks_unknown_ones(small):
    cfg, data = small
    model = ARCH.build_model(cfg, data.meta)
    meta = json.loads(json.dumps(data.meta))
    text = ARCH.demo(model, meta, ["Budi membaca buku zzz ."])
    first = text.splitlines()[0].split()
    assert [t.split("/")[0] for t in first] == ["Budi", "membaca", "buku", "zzz*", "."]
    assert all(t.split("/")[1] in meta["tags"] for t in first)
    assert ARCH.demo(model, meta).strip()


def test_unknown_cell_names_the_valid_ones(small):
    with pytest.raises(ValueError, match="lstm, gru, rnn"):      # hooks get validated configs
        resolve_config(ARCH, {"cell": "transformer"})


def test_most_frequent_tag_baseline_by_hand():
    # words: 2 = "a", 3 = "b", 1 = <unk>; tags 0, 1, 2
    x = np.array([[2, 2, 3, 0], [2, 3, 3, 1]])
    y = np.array([[0, 1, 2, 0], [0, 2, 1, 1]])
    table = most_frequent_tags(x, y, 5)
    # "a": tags 0, 1, 0 -> 0;  "b": tags 2, 2, 1 -> 2;  overall: 0 x2... counts 0:2, 1:3, 2:3 -> 1
    assert table[2] == 0 and table[3] == 2
    assert table[1] == 1            # <unk> gets the overall most frequent tag (1; tie 1-2 -> lower)
    assert table[4] == 1            # a word never seen in training, too


def test_baseline_on_a_tiny_dataset_by_hand():
    from rnnkit.plugins import Dataset
    train = (np.array([[2, 3, 0], [2, 2, 3]]), np.array([[0, 1, 0], [0, 0, 1]]))
    # test: "a" (tag 0: right), "b" (tag 0: wrong, b -> 1), <unk> (tag 0: right, overall is 0)
    test = (np.array([[2, 3, 1]]), np.array([[0, 0, 0]]))
    scores = ARCH.baseline(Dataset(train=train, test=test))
    assert scores["accuracy"] == pytest.approx(2 / 3)
    assert scores["unknown_accuracy"] == 1.0 and scores["unknown_share"] == pytest.approx(1 / 3)
    # its loss: "a" was tagged 0, 0, 0 -> p(0) = (3+1)/(3+2); "b" 1, 1 -> p(0) = (0+1)/(2+2);
    # <unk>: the overall counts 0:3, 1:2 -> p(0) = (3+1)/(5+2)
    assert scores["loss"] == pytest.approx(-(np.log(4 / 5) + np.log(1 / 4) + np.log(4 / 7)) / 3)


def test_tags_are_upper_cased_and_words_normalised(tmp_path):
    path = tmp_path / "tiny.tsv"
    lines = []
    for k in range(6):
        lines += [f"Saya\tPR", f"makan\tvb", f"{k}0\tNUM", ".\tSYM", ""]
    path.write_text("\n".join(lines), encoding="utf-8")
    data = ARCH.load_data(resolve_config(ARCH, dict(min_count=1)), path)
    assert data.info["lowercase_tags_fixed"] == 6
    assert "vb" not in data.meta["tags"] and "VB" in data.meta["tags"]
    assert "saya" in data.meta["words"]["tokens"] and "00" in data.meta["words"]["tokens"]
    assert normalise_word("Tahun2019") == "tahun0000"
    assert tokenize("Saya makan, lalu tidur.") == ["Saya", "makan", ",", "lalu", "tidur", "."]


def test_conllu_file_is_read(tmp_path):
    path = tmp_path / "tiny.conllu"
    sent = "# text = Saya makan\n1\tSaya\tsaya\tPRON\t_\t_\t2\tnsubj\t_\t_\n" \
           "2\tmakan\tmakan\tVERB\t_\t_\t0\troot\t_\t_\n\n"
    path.write_text(sent * 5, encoding="utf-8")
    data = ARCH.load_data(resolve_config(ARCH, dict(min_count=1)), path)
    assert sorted(data.meta["tags"]) == ["PRON", "VERB"]
    assert data.info["sentences"] == 5


def test_malformed_conllu_line_is_a_data_error_with_its_line(tmp_path):
    path = tmp_path / "bad.conllu"
    path.write_text("1\tSaya\tsaya\tPRON\t_\t_\t2\tnsubj\t_\t_\n2 makan VERB\n", encoding="utf-8")
    with pytest.raises(DataError, match="line 2"):
        ARCH.load_data(resolve_config(ARCH), path)


def test_empty_or_missing_file_is_a_data_error(tmp_path):
    empty = tmp_path / "empty.tsv"
    empty.write_text("\n\n", encoding="utf-8")
    with pytest.raises(DataError, match="empty"):
        ARCH.load_data(resolve_config(ARCH), empty)
    with pytest.raises(DataError, match="no such file"):
        ARCH.load_data(resolve_config(ARCH), tmp_path / "missing.tsv")


def test_long_training_sentences_are_truncated_and_counted(tmp_path):
    path = tmp_path / "long.tsv"
    short = "a\tDT\nb\tNN\n\n"
    long = "".join(f"w{k}\tNN\n" for k in range(12)) + "\n"
    path.write_text(short * 20 + long * 20, encoding="utf-8")
    data = ARCH.load_data(resolve_config(ARCH, dict(max_len=5, min_count=1, seed=1)), path)
    assert data.train[0].shape[1] == 5
    assert data.info["truncated_train_sentences"] == int((data.train[0][:, -1] != 0).sum())
    assert data.test[0].shape[1] == 12          # held-out sentences are never cut


def test_vocabulary_min_count_maps_rare_words_to_unk(tmp_path):
    path = tmp_path / "rare.tsv"
    path.write_text("".join(f"umum\tNN\nkata{chr(97 + k)}\tNN\n\n" for k in range(26)),
                    encoding="utf-8")
    data = ARCH.load_data(resolve_config(ARCH, dict(min_count=2)), path)
    tokens = data.meta["words"]["tokens"]
    assert tokens[:3] == ["<pad>", "<unk>", "umum"] and len(tokens) == 3
    assert (data.train[0][:, 1] == Vocabulary.unk_index).all()
