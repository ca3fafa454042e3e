"""char-lm with ``"stateful": true``: min-char-rnn's training, streams of consecutive windows with
the state carried from batch to batch and reset each epoch; evaluation and sampling read one
stream. Each is checked against the same model run without states on the whole text."""
import json

import numpy as np
import pytest
from click.testing import CliRunner

from rnnkit import config
from rnnkit.builtins.char_lm import CharLM, sample, stream_windows
from rnnkit.cli.main import cli
from rnnkit.data import one_hot
from rnnkit.errors import ConfigError
from rnnkit.layers import LSTM
from rnnkit.runs import resolve_config

ARCH = CharLM()
SMALL = {"units": 8, "epochs": 2, "batch_size": 4, "seq_len": 8, "lr": 0.01, "stateful": True,
         "floatx": "float64"}


@pytest.fixture(scope="module")
def small():
    cfg = resolve_config(ARCH, SMALL)
    return cfg, ARCH.load_data(cfg)


def test_streams_are_consecutive_windows_side_by_side():
    ids = np.arange(103)
    x, y = stream_windows(ids, 4, 5)                        # parts of 25: 5 windows each
    assert x.shape == (20, 5)
    for i in range(4):                                      # row i of every batch: part i, in order
        np.testing.assert_array_equal(x[i::4].reshape(-1), np.arange(25 * i, 25 * i + 25))
        np.testing.assert_array_equal(y[i::4].reshape(-1), np.arange(25 * i, 25 * i + 25) + 1)


def test_stateful_data_and_model(small):
    cfg, data = small
    streams = data.meta["streams"]
    assert data.meta["stateful"] and streams == 4 == data.info["streams"]
    assert len(data.train[1]) % streams == 0
    x_val, y_val = data.val                                 # one stream: consecutive windows
    np.testing.assert_array_equal(x_val.ids[1:, 0], y_val[:-1, -1])
    np.testing.assert_array_equal(x_val.ids[:, 1:], y_val[:, :-1])
    model = ARCH.build_model(cfg, data.meta)
    assert model.layers[0].stateful
    plain = resolve_config(ARCH, dict(SMALL, stateful=False))
    assert not ARCH.build_model(plain, ARCH.load_data(plain).meta).layers[0].stateful
    with pytest.raises(ConfigError, match="stateful must be true or false, got 'yes'"):
        ARCH.load_data(dict(cfg, stateful="yes"))


def test_fit_carries_the_state_and_resets_it_each_epoch(small):
    """ARCH.fit = per epoch: reset, then train_on_batch on the batches in order (no shuffling);
    val_loss is the validation stream read from zeros."""
    cfg, data = small
    config.set_seed(0)
    by_fit = ARCH.build_model(cfg, data.meta)
    by_hand = ARCH.build_model(cfg, data.meta)
    by_hand.set_weights(by_fit.get_weights())
    history = ARCH.fit(by_fit, data, cfg)
    x, y = data.train
    S = data.meta["streams"]
    for _ in range(cfg["epochs"]):
        by_hand.reset_states()
        for start in range(0, len(y), S):
            by_hand.train_on_batch(x[start:start + S], y[start:start + S])
    for a, b in zip(by_fit.get_weights(), by_hand.get_weights()):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-12)
    whole_val = _one_stream_loss(by_hand, data.val)
    assert history.history["val_loss"][-1] == pytest.approx(whole_val, rel=1e-9)


def _one_stream_loss(model, windows):
    """The mean cross-entropy of a stateless twin of ``model`` reading the windows' stream as one
    sequence from zeros: what reading it window by window with the state carried must give."""
    x, y = windows
    stream = np.concatenate(list(x.ids))
    targets = np.concatenate(list(np.asarray(y)))
    layer = model.layers[0]
    twin = LSTM(layer.units, return_sequences=True)
    twin.build(layer.input_shape)
    twin.set_weights(layer.get_weights())
    h = twin(one_hot(stream[None], layer.input_shape[-1]))
    p = model.layers[1].forward(h)[0]
    return float(-np.mean(np.log(np.maximum(p[np.arange(len(targets)), targets], 1e-12))))


def test_evaluate_and_sampling_read_one_stream(small):
    cfg, data = small
    config.set_seed(1)
    model = ARCH.build_model(cfg, data.meta)
    scores = ARCH.evaluate(model, data)
    assert scores["cross_entropy"] == pytest.approx(_one_stream_loss(model, data.test), rel=1e-9)
    text, _ = sample(model, data.meta, "Beautiful", 6, 0.0, np.random.default_rng(0))
    ids = [data.meta["alphabet"].index(c) for c in "Beautiful"]
    plain = resolve_config(ARCH, dict(SMALL, stateful=False))
    twin = ARCH.build_model(plain, dict(data.meta, stateful=False))
    twin.set_weights(model.get_weights())
    expected = ""
    for _ in range(6):            # the whole text so far, from zeros, each time (no states)
        p = twin.predict(one_hot(np.array([ids]), len(data.meta["alphabet"])))[0, -1]
        ids.append(int(p.argmax()))
        expected += data.meta["alphabet"][ids[-1]]
    assert text == expected


def test_cli_trains_hello_statefully(tmp_path, monkeypatch):
    """End to end: `rnnkit train --arch char-lm --config c.json` with "stateful": true."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "c.json").write_text(json.dumps(
        {"text": "hello", "stateful": True, "cell": "rnn", "units": 8, "epochs": 40, "lr": 0.05,
         "batch_size": 1}))
    result = CliRunner().invoke(cli, ["train", "--arch", "char-lm", "--config", "c.json",
                                      "--out", "r", "--no-figures", "--seed", "0"])
    assert result.exit_code == 0, result.output
    assert json.loads((tmp_path / "r" / "config.json").read_text())["stateful"] is True
    losses = [row["loss"] for row in json.loads((tmp_path / "r" / "history.json").read_text())]
    assert losses[-1] < 0.5 * losses[0]
    (tmp_path / "bad.json").write_text('{"stateful": "yes"}')
    result = CliRunner().invoke(cli, ["train", "--arch", "char-lm", "--config", "bad.json",
                                      "--out", "r2"])
    assert result.exit_code == 1 and "stateful must be true or false" in result.output
    assert "Traceback" not in result.output
