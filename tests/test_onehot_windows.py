"""One-hot windows encoded batch by batch (rnnkit.data.OneHotWindows) and char-lm's corpus memory:
the rows equal one_hot's, a model trains on them as on the dense array, and a text's windows cost
its ids, not windows × T × alphabet floats."""
import numpy as np
import pytest

import rnnkit
import rnnkit.plugins
from rnnkit.builtins import char_lm
from rnnkit.builtins.char_lm import CharLM, char_ids, id_windows
from rnnkit.data import OneHotWindows, one_hot
from rnnkit.layers import Dense, SimpleRNN, TimeDistributed
from rnnkit.runs import resolve_config

IDS = np.array([[0, 2, 1], [1, 1, 0], [2, 0, 2], [0, 0, 1]])


@pytest.mark.parametrize("rows", [1, slice(1, 3), np.array([3, 0]), [2, 2], Ellipsis])
def test_rows_are_one_hot_of_the_ids(rows):
    x = OneHotWindows(IDS, 3, "float32")
    want = np.eye(3, dtype=np.float32)[IDS[rows]]           # one-hot by hand: rows of I
    got = x[rows]
    assert got.dtype == np.float32 and np.array_equal(got, want)
    assert x.shape == (4, 3, 3) and x.ndim == 3 and len(x) == 4
    assert np.array_equal(np.asarray(x), np.eye(3)[IDS])


def test_a_model_trains_on_windows_as_on_the_dense_array():
    x_lazy, x_dense = OneHotWindows(IDS, 3), one_hot(IDS, 3)
    y = np.roll(IDS, -1, axis=1)
    weights = []
    for x in (x_lazy, x_dense):
        rnnkit.set_seed(4)
        model = rnnkit.Sequential([SimpleRNN(5, return_sequences=True, input_shape=(3, 3)),
                                   TimeDistributed(Dense(3, activation="softmax"))])
        model.compile(loss="sparse_categorical_crossentropy", optimizer="adam",
                      metrics=["accuracy"])
        model.fit(x, y, epochs=3, batch_size=2, validation_data=(x, y), verbose=0)
        weights.append(model.get_weights() + [model.predict(x), np.array(model.evaluate(x, y))])
    for a, b in zip(*weights):
        np.testing.assert_array_equal(a, b)


def test_char_ids_and_views():
    alphabet = list("hleo")
    ids = char_ids("hello", alphabet)
    assert ids.tolist() == [0, 2, 1, 1, 3]
    with pytest.raises(ValueError, match="outside the alphabet"):
        char_ids("help", alphabet)
    x, y = id_windows(ids, 2, stride=2)
    assert x.tolist() == [[0, 2], [1, 1]] and y.tolist() == [[2, 1], [1, 3]]
    assert np.shares_memory(x, ids) and np.shares_memory(y, ids)   # no window is copied


def test_char_lm_stores_its_corpus_once_whatever_the_window(tmp_path):
    text = "".join(chr(ord("a") + (i * 7) % 26) for i in range(20000))
    arch = CharLM()
    data = arch._dataset(text, resolve_config(arch, {"seq_len": 40, "stride": 3}), "test",
                         prompt="a")
    buffers = {}
    for x, y in (data.train, data.val, data.test):
        assert isinstance(x, OneHotWindows)
        for a in (x.ids, y):
            base = a if a.base is None else a.base
            while base.base is not None:
                base = base.base
            buffers[id(base)] = base.nbytes
    # one int32 per character (and its views); dense windows would be 40/3 × 26 floats per one
    assert sum(buffers.values()) <= 4 * len(text)


def test_char_lm_scores_blocks_as_one(monkeypatch):
    arch = CharLM()
    cfg = resolve_config(arch, {"units": 4, "seq_len": 5, "stride": 2})
    data = arch._dataset("abcabdabcbbacd" * 20, cfg, "test", prompt="a")
    rnnkit.set_seed(0)
    model = arch.build_model(cfg, data.meta)
    x, y = data.test
    whole = char_lm._scores(model.predict(np.asarray(x)), np.asarray(y))
    monkeypatch.setattr(char_lm, "SCORE_BLOCK", 3)          # several blocks, a short last one
    assert len(y) % 3 != 0
    assert arch.evaluate(model, data) == pytest.approx(whole, rel=1e-12)


def test_char_lm_baseline_scores_every_position_without_an_array_of_p():
    counts = np.array([5, 1, 2])
    y = np.array([[0, 2, 1], [1, 0, 0]])
    data = rnnkit.plugins.Dataset(train=(None, None), test=(None, y), meta={"unigram": counts})
    p = (counts + 1) / (counts + 1).sum()                    # add-one: 6/11, 2/11, 3/11
    want = {"accuracy": 3 / 6, "cross_entropy": -np.log(p[y]).mean()}
    got = CharLM().baseline(data)
    assert got["accuracy"] == want["accuracy"]
    assert got["cross_entropy"] == pytest.approx(want["cross_entropy"], rel=1e-12)
    assert got["perplexity"] == pytest.approx(np.exp(want["cross_entropy"]), rel=1e-12)
