"""The text-classification built-in on tiny generated data and tiny files."""
import json

import numpy as np
import pytest

from rnnkit import config
from rnnkit.builtins.text_classification import TextClassification, read_labelled
from rnnkit.data import DataError
from rnnkit.plugins import Dataset, protocol_problems
from rnnkit.runs import resolve_config

ARCH = TextClassification()
SMALL = {"units": 8, "embed_dim": 6, "epochs": 4, "batch_size": 16, "lr": 0.02}


@pytest.fixture(scope="module")
def small():
    config.set_seed(0)
    cfg = resolve_config(ARCH, SMALL)
    return cfg, ARCH.small_data(cfg)


def test_follows_the_protocol():
    assert protocol_problems(ARCH) == []
    assert ARCH.kind == "many-to-one" and ARCH.headline_metric == "accuracy"
    assert set(ARCH.cells) == {"rnn", "lstm", "gru"}
    for key in ("cell", "units", "epochs", "batch_size", "lr", "seed", "floatx"):
        assert key in ARCH.default_config()


def test_small_data_shapes_and_json_meta(small):
    cfg, data = small
    (x, y), (xt, yt) = data.train, data.test
    assert x.ndim == 2 and y.shape == (len(x),) and yt.shape == (len(xt),)
    assert x.shape[1] == cfg["max_len"]
    assert data.meta["classes"] == ["aa", "ii", "oo"]
    assert json.loads(json.dumps(data.meta)) == data.meta


@pytest.mark.parametrize("cell", ["gru", "lstm", "rnn"])
def test_each_cell_trains_and_lowers_the_loss(small, cell):
    cfg, data = small
    config.set_seed(0)
    cfg = dict(cfg, cell=cell)
    model = ARCH.build_model(cfg, data.meta)
    assert model.predict(data.test[0]).shape == (len(data.test[0]), 3)
    losses = ARCH.fit(model, data, cfg).history["loss"]
    assert losses[-1] < losses[0]


def test_evaluate_and_baseline_keys_and_a_learnable_toy(small):
    cfg, data = small
    config.set_seed(0)
    cfg = dict(cfg, epochs=15)
    model = ARCH.build_model(cfg, data.meta)
    ARCH.fit(model, data, cfg)
    scores, base = ARCH.evaluate(model, data), ARCH.baseline(data)
    assert list(scores)[0] == "accuracy" and set(scores) == set(base)
    assert scores["accuracy"] > base["accuracy"]     # the vowels give the toy language away


def test_majority_baseline_by_hand():
    train = (np.zeros((5, 3), dtype=np.int64), np.array([0, 1, 1, 2, 1]))
    test = (np.zeros((4, 3), dtype=np.int64), np.array([1, 0, 1, 2]))
    scores = ARCH.baseline(Dataset(train=train, test=test))
    assert scores["accuracy"] == pytest.approx(0.5)          # always class 1: right twice of 4
    # F1 of class 1 = 2*2 / (2*2 + 2 + 0) = 2/3; classes 0 and 2: 0 -> mean 2/9
    assert scores["macro_f1"] == pytest.approx(2 / 9)


def test_demo_names_a_language(small):
    cfg, data = small
    model = ARCH.build_model(cfg, data.meta)
    meta = json.loads(json.dumps(data.meta))
    text = ARCH.demo(model, meta, ["bababa", "tototo"])
    lines = text.splitlines()
    assert len(lines) == 2 and all("->" in line for line in lines)
    assert ARCH.demo(model, meta).strip()


def test_unknown_cell_is_a_value_error(small):
    with pytest.raises(ValueError, match="lstm, gru, rnn"):      # hooks get validated configs
        resolve_config(ARCH, {"cell": "cnn"})


def test_tsv_file_is_read(tmp_path):
    path = tmp_path / "phrases.tsv"
    rows = ["# comment", ""] + [f"halo dunia {k}\tid" for k in range(5)] + \
        [f"hello world {k}\ten" for k in range(5)]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    assert read_labelled(path)[0] == ("halo dunia 0", "id")
    data = ARCH.load_data(resolve_config(ARCH, dict(min_count=1)), path)
    assert data.meta["classes"] == ["en", "id"] and data.info["phrases"] == 10


def test_malformed_tsv_line_is_a_data_error_with_its_line(tmp_path):
    path = tmp_path / "bad.tsv"
    path.write_text("halo\tid\nhello world en\nbonjour\tfr\n", encoding="utf-8")
    with pytest.raises(DataError, match="line 2"):
        ARCH.load_data(resolve_config(ARCH), path)


def test_one_label_only_is_a_data_error(tmp_path):
    path = tmp_path / "one.tsv"
    path.write_text("halo\tid\napa kabar\tid\n", encoding="utf-8")
    with pytest.raises(DataError, match="two different labels"):
        ARCH.load_data(resolve_config(ARCH), path)
