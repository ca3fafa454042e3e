"""The char-lm built-in: the lecture's "hello", windows, unigram baseline, sampling, text files."""
import json
import math

import numpy as np
import pytest

from rnnkit import config
from rnnkit.builtins import char_lm
from rnnkit.builtins.char_lm import CharLM, char_windows, sample
from rnnkit.data import DataError
from rnnkit.plugins import Dataset, protocol_problems
from rnnkit.runs import resolve_config

ARCH = CharLM()
SMALL = {"units": 16, "epochs": 5, "batch_size": 8, "lr": 0.02, "sample_length": 20}


@pytest.fixture(scope="module")
def small():
    config.set_seed(0)
    cfg = resolve_config(ARCH, SMALL)
    return cfg, ARCH.small_data(cfg)


def test_follows_the_protocol():
    assert protocol_problems(ARCH) == []
    assert ARCH.kind == "many-to-many"
    for key in ("cell", "units", "epochs", "batch_size", "lr", "seed", "floatx", "temperature"):
        assert key in ARCH.default_config()


def test_hello_is_the_lectures_example():
    data = ARCH.load_data(resolve_config(ARCH, dict(text="hello")))
    assert data.meta["alphabet"] == ["h", "e", "l", "o"]
    x, y = data.train
    # inputs h e l l, one-hot; targets e l l o
    assert x.shape == (1, 4, 4)
    assert x[0].argmax(-1).tolist() == [0, 1, 2, 2] and x[0].sum() == 4
    assert y.tolist() == [[1, 2, 2, 3]]
    assert data.info["split"].startswith("train and test are the same")


def test_hello_model_has_the_lectures_shapes():
    data = ARCH.load_data(resolve_config(ARCH, dict(text="hello")))
    model = ARCH.build_model(resolve_config(ARCH, dict(cell="rnn", units=3)), data.meta)
    model.build()
    rnn, out = model.layers[0], model.layers[1].layer
    assert rnn.params["U"].shape == (3, 4) and rnn.params["W"].shape == (3, 3)
    assert out.params["V"].shape == (4, 3)


def test_hello_is_learnt_and_continued():
    config.set_seed(0)
    cfg = resolve_config(ARCH, dict(text="hello", cell="rnn", units=8, epochs=150, lr=0.05,
                                    batch_size=1))
    data = ARCH.load_data(cfg)
    model = ARCH.build_model(cfg, data.meta)
    ARCH.fit(model, data, cfg)
    assert ARCH.evaluate(model, data)["accuracy"] == 1.0
    text, dropped = sample(model, data.meta, "h", 4, 0.0, np.random.default_rng(0))
    assert text == "ello" and dropped == set()


def test_windows_and_their_stride():
    x, y = char_windows("abcdefg", list("abcdefg"), 3, stride=2)
    assert x.tolist() == [[0, 1, 2], [2, 3, 4]] and y.tolist() == [[1, 2, 3], [3, 4, 5]]


def test_small_data_shapes_and_json_meta(small):
    cfg, data = small
    x, y = data.train
    V = len(data.meta["alphabet"])
    assert x.shape == y.shape + (V,) and data.test[0].shape[1:] == (10, V)
    assert json.loads(json.dumps(data.meta)) == data.meta


@pytest.mark.parametrize("cell", ["lstm", "gru", "rnn"])
def test_training_lowers_the_loss(small, cell):
    cfg, data = small
    config.set_seed(0)
    cfg = dict(cfg, cell=cell)
    model = ARCH.build_model(cfg, data.meta)
    losses = ARCH.fit(model, data, cfg).history["loss"]
    assert losses[-1] < losses[0]
    scores = ARCH.evaluate(model, data)
    assert list(scores)[0] == "accuracy" and set(scores) == set(ARCH.baseline(data))


def test_unigram_baseline_by_hand():
    # training counts: a 3, b 1 -> add-one: a 4/6, b 2/6. Test targets: a, b.
    meta = {"unigram": [3, 1]}
    y = np.array([[0, 1]])
    scores = ARCH.baseline(Dataset(train=(None, None), test=(None, y), meta=meta))
    assert scores["accuracy"] == 0.5                      # always "a"
    ce = -(math.log(4 / 6) + math.log(2 / 6)) / 2
    assert scores["perplexity"] == pytest.approx(math.exp(ce))


def test_demo_samples_a_continuation(small):
    cfg, data = small
    model = ARCH.build_model(cfg, data.meta)
    meta = json.loads(json.dumps(data.meta))
    text = ARCH.demo(model, meta)
    assert "'Beautiful is' -> " in text and "temperature 0.5" in text
    text = ARCH.demo(model, meta, ["Beautiful§"])
    assert "not in the alphabet: '§'" in text
    with pytest.raises(ValueError, match="alphabet"):
        ARCH.demo(model, meta, ["§§"])


def test_sampling_at_temperature_zero_is_greedy(small):
    cfg, data = small
    model = ARCH.build_model(cfg, data.meta)
    a, _ = sample(model, data.meta, "The", 8, 0.0, np.random.default_rng(1))
    b, _ = sample(model, data.meta, "The", 8, 0.0, np.random.default_rng(2))
    assert a == b and len(a) == 8


def test_text_file_and_its_errors(tmp_path):
    path = tmp_path / "text.txt"
    path.write_text("abc abd abe " * 20, encoding="utf-8")
    data = ARCH.load_data(resolve_config(ARCH, dict(seq_len=8)), path)
    assert data.meta["alphabet"] == ["a", "b", "c", " ", "d", "e"]
    assert data.meta["prompt"] == "abc abd abe "
    short = tmp_path / "short.txt"
    short.write_text("abc", encoding="utf-8")
    with pytest.raises(DataError, match="fewer than seq_len"):
        ARCH.load_data(resolve_config(ARCH), short)
    bad = tmp_path / "latin1.txt"
    bad.write_bytes(b"line one\ncaf\xe9\n")
    with pytest.raises(DataError, match="line 2"):
        ARCH.load_data(resolve_config(ARCH), bad)


def test_unknown_text_and_cell_are_value_errors():
    with pytest.raises(ValueError, match="zen, hello"):
        ARCH.load_data(resolve_config(ARCH, dict(text="lorem")))
    with pytest.raises(ValueError, match="lstm, gru, rnn"):      # hooks get validated configs
        resolve_config(ARCH, {"cell": "mlp"})


# ---- the default text: Indonesian news (issue 16, point 10) ------------------------------------

def test_the_default_is_the_indonesian_news_in_windows_side_by_side(monkeypatch):
    cfg = resolve_config(ARCH)
    assert cfg["text"] == "indonesian" and cfg["stride"] == cfg["seq_len"] == 40
    asked = []

    def news(progress=None):
        asked.append(progress)
        return "Menurut polisi setempat, kecelakaan ini terjadi.\n" * 20      # 1,000 characters
    monkeypatch.setitem(char_lm.TEXTS, "indonesian", news)
    data = ARCH.load_data(cfg, progress=print)
    assert asked == [print] and data.meta["prompt"] == "Menurut"
    # 800 training characters: windows at 0, 40, ..., 720 (a window needs 41 characters)
    assert data.info["train_windows"] == 19 and data.info["stride"] == 40


def test_without_the_corpus_the_error_says_what_to_do(monkeypatch):
    from rnnkit.data import indonesian_news

    def offline(progress=None):
        raise DataError("could not download nlp-id 0.1.23.0 from the package registry.")
    monkeypatch.setattr(indonesian_news, "load_postag", offline)
    with pytest.raises(DataError, match="--set text=zen"):
        ARCH.load_data(resolve_config(ARCH))
    # the other texts need nothing
    assert ARCH.load_data(resolve_config(ARCH, dict(text="zen"))).info["characters"] > 800
    assert ARCH.load_data(resolve_config(ARCH, dict(text="hello"))).info["characters"] == 5


def test_data_fetch_and_info_name_the_corpus(monkeypatch):
    fetched = []
    monkeypatch.setattr(char_lm, "news_text", lambda progress=None: fetched.append(progress))
    info = ARCH.fetch(progress=print)
    assert fetched == [print]
    assert info["source"].startswith("text=indonesian (the default): the first sentences of the "
                                     "POS corpus https://pypi.org/project/nlp-id/0.1.23.0/")
    assert info["licence"] == ("text=indonesian: MIT (nlp-id 0.1.23.0); text=zen: PEP 20 is in the "
                               "public domain")
    assert {"path", "cached", "sha256"} <= set(info)
