"""Issue 14, point 5: the calls Keras users make, with Keras' arguments and Keras' History keys.

Numbers: a Dense layer's output x·kernel + bias and the mean squared error, written out in NumPy.
"""
import numpy as np
import pytest

from rnnkit import Sequential, optimizers
from rnnkit.layers import Dense, SimpleRNN


def _model():
    model = Sequential([Dense(2, input_shape=(3,), dtype="float64")])
    model.compile(loss="mse", optimizer=optimizers.SGD(1e-300), metrics=["mae"])
    return model


def _data(n=10, seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, 3)), rng.normal(size=(n, 2))


def test_predict_takes_batch_size_and_verbose(capsys):
    model = _model()
    x, _ = _data()
    kernel, bias = model.get_weights()
    for batch_size in (None, 1, 3, 64):
        np.testing.assert_allclose(model.predict(x, batch_size=batch_size, verbose=0),
                                   x @ kernel + bias, rtol=1e-12)
    assert capsys.readouterr().out == ""
    model.predict(x, batch_size=4, verbose=2)
    assert capsys.readouterr().out.startswith("3/3 - ")       # ceil(10 / 4) batches, one line
    with pytest.raises(ValueError, match="batch_size must be a positive integer, got 0"):
        model.predict(x, batch_size=0)


@pytest.mark.parametrize("verbose, lines", [(0, 0), (2, 1), (1, 1), ("auto", 1)])
def test_evaluate_verbose_as_keras(capsys, verbose, lines):
    model = _model()
    x, y = _data()
    kernel, bias = model.get_weights()
    loss, mae = model.evaluate(x, y, batch_size=5, verbose=verbose)
    err = x @ kernel + bias - y
    assert loss == pytest.approx(np.mean(err ** 2), rel=1e-12)
    assert mae == pytest.approx(np.mean(np.abs(err)), rel=1e-12)
    out = capsys.readouterr().out.splitlines()
    assert len(out) == lines
    if lines:
        assert out[0].startswith("2/2 ") and f"loss: {np.mean(err ** 2):.4f}" in out[0]


def test_verbose_outside_keras_values_is_refused():
    model = _model()
    x, y = _data()
    for call in (lambda: model.fit(x, y, verbose=3), lambda: model.evaluate(x, y, verbose="yes"),
                 lambda: model.predict(x, verbose=-1)):
        with pytest.raises(ValueError, match=r"verbose must be 0 \(silent\), 1"):
            call()


@pytest.mark.parametrize("verbose", [1, 2])
def test_fit_prints_epoch_lines_as_keras(capsys, verbose):
    model = _model()
    x, y = _data()
    model.fit(x, y, epochs=2, batch_size=4, verbose=verbose)
    out = capsys.readouterr().out.splitlines()
    assert [line for line in out if line.startswith("Epoch")] == ["Epoch 1/2", "Epoch 2/2"]
    results = [line for line in out if line.startswith("3/3 ")]
    assert len(results) == 2 and all(" - loss: " in r and " - mae: " in r for r in results)


def test_history_has_exactly_keras_keys_and_timing_elsewhere():
    """Keras: history.history == {"loss", "mae", "val_loss", "val_mae"}; epochs from 0."""
    model = _model()              # a step of 1e-300 leaves the weights: epochs give the same numbers
    x, y = _data()
    xv, yv = _data(6, seed=1)
    history = model.fit(x, y, epochs=3, batch_size=4, validation_data=(xv, yv), verbose=0,
                        shuffle=False)
    assert list(history.history) == ["loss", "mae", "val_loss", "val_mae"]
    assert history.epoch == [0, 1, 2]
    assert len(history.epoch_seconds) == 3 and all(s >= 0 for s in history.epoch_seconds)
    kernel, bias = model.get_weights()
    err = xv @ kernel + bias - yv
    assert history.history["val_loss"] == pytest.approx([np.mean(err ** 2)] * 3, rel=1e-12)
    # rnnkit's rows (what the run folder writes) still carry the epoch and its seconds
    assert [r["epoch"] for r in history.rows] == [1, 2, 3]
    assert [r["seconds"] for r in history.rows] == history.epoch_seconds


def test_sequence_model_predict_in_small_batches_matches_one_batch():
    rng = np.random.default_rng(3)
    model = Sequential([SimpleRNN(3, return_sequences=True, input_shape=(4, 2), dtype="float64")])
    x = rng.normal(size=(7, 4, 2))
    np.testing.assert_allclose(model.predict(x, batch_size=2), model.predict(x, batch_size=7),
                               rtol=1e-13)


def test_the_run_folder_still_gets_each_epochs_seconds(tmp_path, monkeypatch):
    """history.history lost its "seconds" key; history.json/csv in the run folder keep it."""
    import json

    from rnnkit import runs
    from test_cli_support import register
    register(tmp_path, monkeypatch)
    monkeypatch.chdir(tmp_path)
    run = runs.train("tiny-regress", overrides={"epochs": 2}, out_dir="r", figures=False)
    rows = json.loads((tmp_path / "r" / "history.json").read_text())
    assert [r["epoch"] for r in rows] == [1, 2] and all(r["seconds"] >= 0 for r in rows)
    assert "seconds" in (tmp_path / "r" / "history.csv").read_text().splitlines()[0]
    assert [r["loss"] for r in rows] == [r["loss"] for r in run.history]
