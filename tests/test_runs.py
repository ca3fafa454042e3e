"""rnnkit.runs: run folders, config resolution, checkpoints, resume, interrupts, NaN losses."""
import json

import numpy as np
import pytest

from rnnkit import config as rconfig, load_model
from rnnkit import runs
from rnnkit.callbacks import Callback
from rnnkit.data import DataError
from rnnkit.errors import NonFiniteLossError
from rnnkit.plugins import PluginError
from rnnkit.runs.checkpoint import read_finished_model

from test_cli_support import TinyRegress, TinyTagger, register


def train(*args, **kwargs):
    """runs.train without the (slow) loss-curve figures."""
    kwargs.setdefault("figures", False)
    return runs.train(*args, **kwargs)


@pytest.fixture
def tiny(tmp_path, monkeypatch):
    register(tmp_path, monkeypatch)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_train_writes_a_complete_run_folder(tiny):
    run = runs.train("tiny-tagger", overrides={"epochs": 2}, out_dir="run")
    files = sorted(p.name for p in (tiny / "run").iterdir())
    # no checkpoint.npz: a finished run's last checkpoint is in model.rnnkit (issue 12, point 9)
    assert files == ["config.json", "history.csv", "history.json", "loss.pdf",
                     "loss.png", "metrics.json", "model.rnnkit", "run.json"]
    metrics = json.loads((tiny / "run" / "metrics.json").read_text())
    assert metrics["arch"] == "tiny-tagger"
    assert set(metrics) >= {"arch", "test", "baseline", "seconds"}
    assert metrics["test"]["accuracy"] > metrics["baseline"]["accuracy"]
    history = json.loads((tiny / "run" / "history.json").read_text())
    assert [r["epoch"] for r in history] == [1, 2]
    csv_lines = (tiny / "run" / "history.csv").read_text().splitlines()
    assert csv_lines[0].startswith("epoch,loss") and len(csv_lines) == 3
    config = json.loads((tiny / "run" / "config.json").read_text())
    assert config["epochs"] == 2 and config["floatx"] == "float32"
    assert (tiny / "run" / "loss.png").read_bytes()[:4] == b"\x89PNG"
    assert (tiny / "run" / "loss.pdf").read_bytes()[:4] == b"%PDF"
    model = load_model(tiny / "run" / "model.rnnkit")
    assert model.saved_extra["arch"] == "tiny-tagger"
    assert model.saved_extra["meta"]["alphabet"] == "ABCD"
    assert run.status == "finished" and run.epochs_done == 2
    assert rconfig.floatx() == "float64"          # the global float type is restored


def test_default_run_folder_is_under_runs(tiny):
    run = train(TinyRegress())
    assert run.path.parent.name == "runs" and run.path.name.startswith("tiny-regress-")
    again = train(TinyRegress())
    assert again.path != run.path


def test_architecture_object_and_zero_epochs(tiny):
    run = train(TinyTagger(), overrides={"epochs": 0}, out_dir="zero", figures=True)
    assert run.history == [] and (tiny / "zero" / "loss.png").exists()


def test_config_file_then_overrides(tiny):
    (tiny / "c.json").write_text(json.dumps({"units": 3, "epochs": 1, "lr": 0.01}))
    config = runs.resolve_config("tiny-tagger", {"lr": 0.2, "units": None},
                                     config_file=tiny / "c.json")
    assert (config["units"], config["epochs"], config["lr"]) == (3, 1, 0.2)


@pytest.mark.parametrize("overrides, message", [
    ({"epochs": -1}, "epochs must be an integer >= 0"),
    ({"units": 0}, "units must be an integer > 0"),
    ({"batch_size": 0}, "batch_size must be an integer > 0"),
    ({"lr": 0.0}, "lr must be a number > 0"),
    ({"lr": float("nan")}, "lr must be a number > 0"),
    ({"cell": "transformer"}, "choose one of rnn, lstm, gru"),
    ({"floatx": "float16"}, "floatx must be"),
    ({"dropout": 0.5}, "unknown hyperparameter 'dropout' in options; valid keys: batch_size"),
])
def test_bad_hyperparameters(tiny, overrides, message):
    with pytest.raises(runs.ConfigError, match=message.replace("(", r"\(")):
        runs.resolve_config("tiny-tagger", overrides)


def test_bad_config_files(tiny):
    with pytest.raises(runs.ConfigError, match="does not exist"):
        runs.resolve_config("tiny-tagger", config_file="nope.json")
    (tiny / "bad.json").write_text('{"units": 3,\n "epochs": }')
    with pytest.raises(runs.ConfigError, match="line 2, column"):
        runs.resolve_config("tiny-tagger", config_file="bad.json")
    (tiny / "list.json").write_text("[1, 2]")
    with pytest.raises(runs.ConfigError, match="JSON object"):
        runs.resolve_config("tiny-tagger", config_file="list.json")


def test_unknown_architecture_names_close_ones(tiny):
    with pytest.raises(PluginError, match="Did you mean 'tiny-tagger'"):
        train("tiny-taggr")


def test_data_file_problems(tiny):
    with pytest.raises(DataError, match="does not exist"):
        train("tiny-tagger", data_path="missing.txt", out_dir="r")
    (tiny / "empty.txt").write_text("")
    with pytest.raises(DataError, match="is empty"):
        train("tiny-tagger", data_path="empty.txt", out_dir="r")
    (tiny / "bad.txt").write_text("A B\nC D E\n")
    with pytest.raises(DataError, match=r"bad.txt.*line 1"):
        train("tiny-tagger", data_path="bad.txt", out_dir="r")


def test_training_from_a_data_file(tiny):
    lines = [f"{a}\t{b}" for a, b in zip("ABCDABCDABCDABCDABCD", "AABCDABCDABCDABCDABC")]
    (tiny / "good.txt").write_text("\n".join(lines) + "\n")
    run = train("tiny-tagger", data_path="good.txt", out_dir="r", overrides={"epochs": 1})
    # stored absolute (issue 12): the run evaluates and resumes from any folder
    assert json.loads((tiny / "r" / "run.json").read_text())["data_path"] == str(tiny / "good.txt")
    assert run.metrics["test"]["accuracy"] >= 0


class _InterruptAfter(Callback):
    """A callback that presses Ctrl-C at the end of a given epoch (or batch)."""

    def __init__(self, epoch, batch=None):
        self.epoch, self.batch, self.current = epoch, batch, 0

    def on_epoch_begin(self, epoch, n_batches):
        self.current = epoch

    def on_batch_end(self, batch, logs):
        if self.batch is not None and self.current == self.epoch and batch == self.batch:
            raise KeyboardInterrupt

    def on_epoch_end(self, epoch, logs):
        if self.batch is None and epoch == self.epoch:
            raise KeyboardInterrupt


def test_interrupt_then_resume_matches_an_uninterrupted_run(tiny):
    full = train("tiny-tagger", overrides={"epochs": 3}, out_dir="full")
    with pytest.raises(runs.TrainingInterrupted) as stop:
        train("tiny-tagger", overrides={"epochs": 3}, out_dir="cut",
                       callbacks=[_InterruptAfter(1)])
    assert "rnnkit train --resume cut" in str(stop.value)
    info = json.loads((tiny / "cut" / "run.json").read_text())
    assert info["status"] == "interrupted" and info["epochs_done"] == 1
    state, weights, slots = runs.read_checkpoint(tiny / "cut" / "checkpoint.npz")
    assert state["epochs_done"] == 1 and state["optimizer"]["iterations"] == 5 and len(slots) == 2
    resumed = train(resume="cut")
    assert [r["epoch"] for r in resumed.history] == [1, 2, 3]
    for a, b in zip(full.model.get_weights(), resumed.model.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-6)
    assert resumed.status == "finished"


def test_a_finished_run_resumed_to_more_epochs_equals_a_straight_run(tiny):
    """Issue 12, point 9: the finished run keeps no checkpoint, yet goes on exactly."""
    straight = train("tiny-tagger", overrides={"epochs": 4}, out_dir="straight")
    train("tiny-tagger", overrides={"epochs": 2}, out_dir="two")
    assert not (tiny / "two" / "checkpoint.npz").exists()
    resumed = train(resume="two", overrides={"epochs": 4})
    assert [r["epoch"] for r in resumed.history] == [1, 2, 3, 4]
    assert resumed.status == "finished" and not (tiny / "two" / "checkpoint.npz").exists()
    for a, b in zip(straight.model.get_weights(), resumed.model.get_weights()):
        np.testing.assert_array_equal(a, b)
    for a, b in zip(load_model(tiny / "straight" / "model.rnnkit").get_weights(),
                    load_model(tiny / "two" / "model.rnnkit").get_weights()):
        np.testing.assert_array_equal(a, b)


class _ZeroesAtTheEnd(Callback):
    """Leaves the model with other weights than the last epoch's, as KeepBest can."""
    def on_train_end(self, history):
        self.model.set_weights([np.zeros_like(w) for w in self.model.get_weights()])


class _KeepsOtherWeights(TinyTagger):
    def epoch_metrics(self, model, data, config):
        return [_ZeroesAtTheEnd()]


def test_a_finished_model_keeps_the_last_epochs_weights_to_go_on_from(tiny):
    plain = train("tiny-tagger", overrides={"epochs": 2}, out_dir="plain")
    train(_KeepsOtherWeights(), overrides={"epochs": 2}, out_dir="other")
    assert all(not w.any() for w in load_model(tiny / "other" / "model.rnnkit").get_weights())
    state, weights, _ = read_finished_model(tiny / "other" / "model.rnnkit")
    assert state["epochs_done"] == 2
    for a, b in zip(plain.model.get_weights(), weights):
        np.testing.assert_array_equal(a, b)


def test_interrupt_mid_epoch_saves_model_and_resumes(tiny):
    with pytest.raises(runs.TrainingInterrupted, match="epoch 2, batch 3"):
        train("tiny-tagger", overrides={"epochs": 2}, out_dir="mid",
                       callbacks=[_InterruptAfter(2, batch=3)])
    assert (tiny / "mid" / "model.rnnkit").exists()
    run = train(resume="mid", overrides={"epochs": 3})
    assert [r["epoch"] for r in run.history] == [1, 2, 3]


def test_resume_refuses_shape_changes(tiny):
    train("tiny-tagger", overrides={"epochs": 1}, out_dir="r")
    with pytest.raises(runs.ConfigError, match="cannot change units"):
        train(resume="r", overrides={"units": 9})
    with pytest.raises(runs.RunError, match="does not exist"):
        train(resume="nowhere")


def test_non_finite_loss_keeps_the_last_good_checkpoint(tiny):
    train("tiny-regress", overrides={"epochs": 1}, out_dir="r")
    assert not (tiny / "r" / "checkpoint.npz").exists()    # finished: its state is in the model
    before = read_finished_model(tiny / "r" / "model.rnnkit")[1]
    with pytest.raises(NonFiniteLossError) as err:
        train(resume="r", overrides={"epochs": 4, "lr": 1e6})
    message = str(err.value)
    assert "after epoch 1" in message and "--clipnorm 1.0" in message
    assert "rnnkit train --resume r --lr 100000" in message
    state, after, _ = runs.read_checkpoint(tiny / "r" / "checkpoint.npz")
    assert state["epochs_done"] == 1
    for a, b in zip(before, after):
        np.testing.assert_array_equal(a, b)
    assert json.loads((tiny / "r" / "run.json").read_text())["status"] == "non-finite loss"


def test_clipnorm_is_applied(tiny):
    run = train("tiny-regress", overrides={"clipnorm": 0.5}, out_dir="r")
    assert run.model.optimizer.clipnorm == 0.5


def test_load_evaluate_predict_run(tiny):
    train("tiny-tagger", overrides={"epochs": 2}, out_dir="r")
    run = runs.load_run("r")
    assert run.arch == "tiny-tagger" and run.model.optimizer is not None
    result = runs.evaluate_run("r")
    assert result["test"] == pytest.approx(json.loads((tiny / "r" / "metrics.json")
                                                      .read_text())["test"])
    assert runs.predict_run("r", ["ABCDA"]).startswith("A/")


def test_missing_and_corrupt_run_folders(tiny):
    with pytest.raises(runs.RunError, match="does not exist"):
        runs.load_run("nope")
    (tiny / "empty").mkdir()
    with pytest.raises(runs.RunError, match="no run.json"):
        runs.load_run("empty")
    train("tiny-tagger", overrides={"epochs": 1}, out_dir="r")
    (tiny / "r" / "model.rnnkit").write_bytes(b"not a zip")
    with pytest.raises(runs.RunError, match="model is unusable"):
        runs.load_run("r")
    (tiny / "r" / "run.json").write_text("{oops")
    with pytest.raises(runs.RunError, match="corrupt"):
        runs.load_run("r")
