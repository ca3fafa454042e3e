"""The built-in ``translation`` architecture on tiny data: protocol, arrays, training, metrics,
baseline (checked by hand), demo and the --data reader."""
import json

import numpy as np
import pytest

from rnnkit import config
from rnnkit.builtins.translation import (Translation, detokenize, pairs_dataset, read_pairs,
                                         tokenize)
from rnnkit.data import DataError, Vocabulary
from rnnkit.errors import InputError
from rnnkit.plugins import get, protocol_problems
from rnnkit.testing import architecture_checks
from rnnkit.runs import resolve_config


@pytest.fixture
def arch():
    return Translation()


def tiny_config(arch, **over):
    return resolve_config(arch, dict(dict(units=16, embed_dim=8, epochs=6, batch_size=4, lr=0.02,
                                          floatx="float64"), **over))


def test_follows_the_protocol_and_is_registered(arch):
    assert protocol_problems(arch) == []
    assert arch.kind == "encoder-decoder" and set(arch.cells) == {"rnn", "lstm", "gru"}
    assert type(get("translation")) is Translation
    cfg = arch.default_config()
    assert {"cell", "units", "epochs", "batch_size", "lr", "seed", "floatx"} <= set(cfg)


def test_tokenize_and_detokenize():
    assert tokenize("AB button (blood type)") == ["ab", "button", "(", "blood", "type", ")"]
    assert detokenize(["tombol", "ab", "(", "golongan", "darah", ")"]) == "tombol ab (golongan darah)"


def test_teacher_forcing_arrays(arch):
    data = arch.small_data(tiny_config(arch))
    (x_enc, x_dec), y = data.train
    vocab = Vocabulary.from_dict(data.meta["tgt_vocab"])
    start, end = vocab.index("<s>"), vocab.index("</s>")
    assert x_enc.shape[0] == x_dec.shape[0] == y.shape[0] == data.info["train"]
    assert x_dec.shape == y.shape and np.issubdtype(x_enc.dtype, np.integer)
    assert (x_dec[:, 0] == start).all()
    np.testing.assert_array_equal(x_dec[:, 1:][y[:, :-1] != end], y[:, :-1][y[:, :-1] != end])
    assert ((x_dec != 0) == (y != 0)).all()                    # the same positions are padding
    assert ((y == end).sum(axis=1) == 1).all()                 # one end token per target
    json.dumps(data.meta)


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_model_shapes(arch, cell):
    cfg = tiny_config(arch, cell=cell)
    data = arch.small_data(cfg)
    config.set_seed(0)
    model = arch.build_model(cfg, data.meta)
    probs = model.predict(data.test[0])
    assert probs.shape == data.test[1].shape + (len(data.meta["tgt_vocab"]["tokens"]),)
    np.testing.assert_allclose(probs.sum(-1), 1.0)


def test_training_lowers_the_loss_and_metrics_have_their_keys(arch):
    cfg = tiny_config(arch)
    data = arch.small_data(cfg)
    config.set_seed(cfg["seed"])
    model = arch.build_model(cfg, data.meta)
    history = arch.fit(model, data, cfg)
    losses = history.history["loss"]
    assert losses[-1] < 0.7 * losses[0]
    metrics = arch.evaluate(model, data)
    assert list(metrics)[0] == arch.headline_metric
    assert set(metrics) == {"token_accuracy", "exact_match", "greedy_token_accuracy"}
    assert set(arch.baseline(data)) == set(metrics)
    assert all(0.0 <= v <= 1.0 for v in metrics.values())
    out = arch.demo(model, data.meta, ["red apple", "purple apple"])
    lines = out.splitlines()
    assert len(lines) == 2 and lines[0].startswith("red apple") and "->" in lines[0]
    assert lines[1].startswith("<unk> apple")                  # unknown words are shown as <unk>
    # issue 12, point 7: a phrase of only unknown words is refused (it once answered "<unk> <unk>")
    with pytest.raises(InputError, match="none of the words of 'purple zebra'"):
        arch.demo(model, data.meta, ["red apple", "purple zebra"])


def test_baseline_by_hand():
    """Word-by-word dictionary (Dice), kept in source order, against hand-computed scores."""
    train = [("red apple", "apel merah"), ("green apple", "apel hijau"), ("red car", "mobil merah"),
             ("apple", "apel")]
    test = [("green car", "mobil hijau"),       # -> "hijau mobil": only </s> right, 1 of 3
            ("apple", "apel"),                  # -> "apel": exact, 2 of 2
            ("blue car", "mobil biru"),         # -> "<unk> mobil"; biru unknown: 1 of 3
            ("blue", "biru")]                   # -> "<unk>" for an unknown word is no hit: 1 of 2
    data = pairs_dataset(train, test)
    assert data.meta["dictionary"] == {"red": "merah", "apple": "apel", "green": "hijau",
                                       "car": "mobil"}
    scores = Translation().baseline(data)
    assert scores["token_accuracy"] == pytest.approx(5 / 10)
    assert scores["greedy_token_accuracy"] == pytest.approx(5 / 10)
    assert scores["exact_match"] == pytest.approx(1 / 4)


def test_data_file_is_read(arch, tmp_path):
    path = tmp_path / "pairs.tsv"
    lines = ["# english<TAB>indonesian", ""] + [f"{s}\t{t}" for s, t in
                                                [("red apple", "apel merah"), ("cat", "kucing"),
                                                 ("dog", "anjing"), ("red cat", "kucing merah")]]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert read_pairs(path)[0] == ("red apple", "apel merah")
    data = arch.load_data(resolve_config(arch, dict(test_fraction=0.25, val_fraction=0.0)), path)
    assert data.info["train"] == 3 and data.info["test"] == 1


@pytest.mark.parametrize("bad, problem", [("red apple apel merah", "found 1 field"),
                                          ("red\tapple\tapel", "found 3 field"),
                                          ("red apple\t  ", "target phrase is empty")])
def test_data_file_errors_name_the_file_and_line(tmp_path, bad, problem):
    path = tmp_path / "bad.tsv"
    path.write_text(f"cat\tkucing\n\ndog\tanjing\n{bad}\n", encoding="utf-8")
    with pytest.raises(DataError) as err:
        read_pairs(path)
    assert f"{path}, line 4" in str(err.value) and problem in str(err.value)


def test_data_file_missing_or_too_small(tmp_path):
    with pytest.raises(DataError, match="no such file"):
        read_pairs(tmp_path / "nope.tsv")
    one = tmp_path / "one.tsv"
    one.write_text("cat\tkucing\n", encoding="utf-8")
    with pytest.raises(DataError, match="at least 2"):
        read_pairs(one)


@pytest.mark.parametrize("check", architecture_checks("translation"), ids=str)
def test_conformance_kit(check):
    check()


# ---- the default corpus: the grammar's phrases (issue 16, point 10) ----------------------------

@pytest.fixture(scope="module")
def default_data():
    arch = Translation()
    return arch.load_data(resolve_config(arch))


def test_the_default_corpus_is_the_grammars_phrases_with_every_test_word_seen(default_data):
    from rnnkit.data import phrase_pairs
    assert resolve_config(Translation())["corpus"] == "phrases"
    assert default_data.info["pairs"] == 4000 and default_data.info["test"] == 400
    src = Vocabulary.from_dict(default_data.meta["src_vocab"])
    tgt = Vocabulary.from_dict(default_data.meta["tgt_vocab"])
    (x_enc, _), y = default_data.test
    assert (np.asarray(x_enc) != src.unk_index).all() and (np.asarray(y) != tgt.unk_index).all()
    # every test phrase is a new combination: none of them is a training phrase
    train_sources = {" ".join(src.decode(row)) for row in np.asarray(default_data.train[0][0])}
    test_sources = {" ".join(src.decode(row)) for row in np.asarray(x_enc)}
    assert len(test_sources) == 400 and not train_sources & test_sources
    assert test_sources <= {s for s, _ in phrase_pairs()}


def test_word_by_word_knows_the_words_but_not_their_order(default_data):
    """The baseline's dictionary is right for every noun, number and adjective, and still gets
    one test phrase in 400: a bare plural without an adjective ("teachers" -> "guru")."""
    dictionary = default_data.meta["dictionary"]
    assert dictionary["cats"] == dictionary["cat"] == "kucing" and dictionary["two"] == "dua"
    assert dictionary["red"] == "merah" and dictionary["big"] == "besar"
    scores = Translation().baseline(default_data)
    assert scores["exact_match"] == pytest.approx(1 / 400)
    assert scores["token_accuracy"] == pytest.approx(0.28623376623376623)


def test_emoji_names_stay_a_corpus_and_an_unknown_one_is_refused(arch):
    data = arch.load_data(resolve_config(arch, dict(corpus="emoji")))
    assert data.info["source"].startswith("emoji package") and data.info["pairs"] > 1800
    with pytest.raises(ValueError, match="choose one of phrases, emoji"):
        arch.load_data(resolve_config(arch, dict(corpus="klingon")))


@pytest.mark.slow
def test_a_short_default_run_learns_the_word_order(default_data):
    """Three epochs of the default model on the default corpus: the exact match is many times the
    baseline's (a full default run reached 0.995 against 0.0025)."""
    arch = Translation()
    cfg = resolve_config(arch, dict(epochs=3))
    config.set_seed(cfg["seed"])
    model = arch.build_model(cfg, default_data.meta)
    arch.fit(model, default_data, cfg)
    exact = arch.evaluate(model, default_data)["exact_match"]
    assert exact >= 0.5 > 2 * arch.baseline(default_data)["exact_match"]
    assert arch.demo(model, default_data.meta, ["those small white horses"]).endswith(
        "kuda putih kecil itu")
