"""The one progress reporter (rnnkit.models.progress.ProgressBar): what fit, evaluate,
rnnkit.runs.train and `rnnkit train` show, with Keras' verbose.

Numbers: a Dense layer whose SGD step is 1e-300 (the weights never move), so each batch's loss is
the mean squared error of x·kernel + bias, written out in NumPy; the bar's running loss after
batch k is the mean of the first k batch losses weighted by their samples (Keras' tracker).
"""
import io
import re

import numpy as np
import pytest
from numba import njit

from rnnkit import runs
from rnnkit.callbacks import Callback
from rnnkit.models import progress
from rnnkit.models.progress import COMPILING, ProgressBar

from test_cli_support import register
from test_keras_calls import _data, _model      # Dense(2), SGD(1e-300): the weights never move


def _drawn(text):
    """What a terminal shows, segment by segment: split at carriage returns and newlines."""
    text = re.sub(r"\x1b\[[0-9;]*[A-Za-z]", "", text)
    return [seg.rstrip() for line in text.split("\n") for seg in line.split("\r") if seg.strip()]


def test_the_bar_redraws_each_batch_with_the_running_loss_and_an_eta():
    model, (x, y) = _model(), _data()
    kernel, bias = model.get_weights()
    buf = io.StringIO()
    bar = ProgressBar(stream=buf, tty=True, columns=100)
    bar.redraw_every = 0                                      # draw every batch given here
    model.fit(x, y, epochs=1, batch_size=4, shuffle=False, callbacks=[bar])
    drawn = _drawn(buf.getvalue())
    sq = ((x @ kernel + bias - y) ** 2).mean(axis=1)            # per-sample mse
    batches = [(sq[0:4].mean(), 4), (sq[4:8].mean(), 4), (sq[8:].mean(), 2)]
    for k in (1, 2, 3):
        running = sum(l * n for l, n in batches[:k]) / sum(n for _, n in batches[:k])
        assert any(seg.startswith(f"{k}/3 ") and f"loss: {running:.4f}" in seg and "<" in seg
                   for seg in drawn), (k, drawn)              # elapsed<remaining: the ETA
    assert drawn[-1].startswith("3/3 ━") and "ms/step - loss: " in drawn[-1]
    assert all(len(seg) < 100 for seg in drawn)
    assert buf.getvalue().count("\n") == 2                    # "Epoch 1/1" and the epoch's line


def test_off_a_terminal_each_epoch_is_two_lines_whatever_the_batches(capsys):
    model, (x, y) = _model(), _data(n=64)
    model.fit(x, y, epochs=3, batch_size=2, verbose=1)          # 32 batches an epoch
    out = capsys.readouterr().out
    assert "\r" not in out
    lines = out.splitlines()
    assert lines[0::2] == ["Epoch 1/3", "Epoch 2/3", "Epoch 3/3"]
    assert len(lines) == 6 and all(line.startswith("32/32 ━") for line in lines[1::2])


def test_fit_adds_no_second_bar_when_given_one(capsys):
    model, (x, y) = _model(), _data()
    buf = io.StringIO()
    model.fit(x, y, epochs=2, batch_size=4, callbacks=[ProgressBar(2, stream=buf)])
    assert capsys.readouterr().out == ""
    assert [line.split(" - ")[0] for line in buf.getvalue().splitlines()] == [
        "Epoch 1/2", "3/3", "Epoch 2/2", "3/3"]


def _fresh_kernel():
    @njit                      # a new function: Numba compiles it at its first call
    def add_one(v):
        return v + 1.0
    return add_one


def test_a_compile_under_way_is_announced_on_the_bar_then_the_bar_goes_on():
    buf = io.StringIO()
    with ProgressBar(stream=buf, tty=True).begin(2) as bar:
        assert _fresh_kernel()(1.0) == 2.0
        bar.update(1, {"loss": 0.5})
        bar.update(2, {"loss": 0.25})
    drawn = _drawn(buf.getvalue())
    assert any(seg.startswith(COMPILING + " 0/2") for seg in drawn), drawn
    assert any(seg.startswith("2/2 ") and "loss: 0.2500" in seg for seg in drawn), drawn
    assert progress._OPEN == []


def test_off_a_terminal_the_compile_notice_is_one_line_on_stderr(capsys):
    with ProgressBar(2).begin(2) as bar:
        _fresh_kernel()(1.0)
        _fresh_kernel()(1.0)
        bar.end({"loss": 0.25})
    out, err = capsys.readouterr()
    assert err == f"{COMPILING}...\n" and out.startswith("2/2 ")
    with ProgressBar(0).begin(2):
        _fresh_kernel()(1.0)
    assert capsys.readouterr() == ("", "")


def test_an_interrupted_fit_keeps_its_history_and_leaves_no_bar_open():
    model, (x, y) = _model(), _data()

    class CtrlC(Callback):
        def on_batch_end(self, batch, logs):
            if self.model.history.epoch == [0, 1] and batch == 2:
                raise KeyboardInterrupt
    with pytest.raises(KeyboardInterrupt):
        model.fit(x, y, epochs=5, batch_size=4, callbacks=[CtrlC(), ProgressBar(
            stream=io.StringIO(), tty=True)])
    assert model.history.epoch == [0, 1] and len(model.history.history["loss"]) == 2
    assert model.history.params == {"verbose": 1, "epochs": 5, "steps": 3}
    assert progress._OPEN == []


def test_runs_train_shows_progress_by_default_and_nothing_with_verbose_0(tmp_path, monkeypatch,
                                                                         capsys):
    register(tmp_path, monkeypatch)
    monkeypatch.chdir(tmp_path)
    runs.train("tiny-tagger", overrides={"epochs": 2}, out_dir="a", figures=False)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("data: ")
    assert [line for line in lines if line.startswith("Epoch")] == ["Epoch 1/2", "Epoch 2/2"]
    assert len([line for line in lines if line.startswith("5/5 ━") and " - accuracy: " in line]) == 2
    runs.train("tiny-tagger", overrides={"epochs": 2}, out_dir="b", figures=False, verbose=0)
    assert capsys.readouterr().out == ""
