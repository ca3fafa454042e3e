"""The contracts of rnnkit.runs: no call leaves the caller's float type or generator changed;
every architecture hook receives the complete config; a default config that breaks the plugin
contract is a PluginError; a fit that ignores ``initial_epoch`` cannot resume silently; the run
folder's files are the ones RunFolder names."""
import json

import numpy as np
import pytest

import rnnkit
from rnnkit import config as rconfig, load_model, runs
from rnnkit.callbacks import Callback
from rnnkit.errors import PluginError, RunError
from rnnkit.fileio import read_npz
from rnnkit.runs import RunFolder

from test_cli_support import TinyTagger, register


@pytest.fixture
def tiny(tmp_path, monkeypatch):
    register(tmp_path, monkeypatch)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def train(*args, **kwargs):
    kwargs.setdefault("figures", False)
    return runs.train(*args, **kwargs)


class _InterruptAfterEpoch(Callback):
    def __init__(self, epoch):
        self.epoch = epoch

    def on_epoch_end(self, epoch, logs):
        if epoch == self.epoch:
            raise KeyboardInterrupt


# ---- global state ------------------------------------------------------------------------------

def test_no_call_changes_the_callers_float_type_or_generator(tiny):
    rnnkit.set_seed(123)
    rnnkit.set_floatx("float64")                  # the runs train in float32 (the generic default)
    r = rconfig.rng()
    state = r.bit_generator.state

    def unchanged():
        assert rconfig.rng() is r and r.bit_generator.state == state
        assert rconfig.floatx() == "float64"

    train("tiny-tagger", overrides={"epochs": 2}, out_dir="r")
    unchanged()
    with pytest.raises(runs.TrainingInterrupted):
        train("tiny-tagger", overrides={"epochs": 2}, out_dir="cut",
              callbacks=[_InterruptAfterEpoch(1)])
    unchanged()
    train(resume="cut")                           # restores the run's generator state, inside
    unchanged()
    runs.load_run("r")
    unchanged()
    runs.evaluate_run("r")
    unchanged()
    runs.predict_run("r", ["ABCDA"])
    unchanged()
    runs.build_default_model("tiny-tagger")
    unchanged()
    assert load_model(tiny / "r" / RunFolder.MODEL).dtype == np.float32
    unchanged()


def test_a_run_draws_from_its_own_seed_whatever_the_caller_did(tiny):
    rnnkit.set_seed(1)
    a = train("tiny-tagger", overrides={"epochs": 1}, out_dir="a")
    rnnkit.set_seed(2)
    rconfig.rng().random(17)
    b = train("tiny-tagger", overrides={"epochs": 1}, out_dir="b")
    for wa, wb in zip(a.model.get_weights(), b.model.get_weights()):
        np.testing.assert_array_equal(wa, wb)


# ---- complete configs --------------------------------------------------------------------------

class RecordingTagger(TinyTagger):
    """tiny-tagger that records the config every hook receives."""

    def __init__(self):
        self.seen = []

    def load_data(self, config, path=None, progress=None):
        self.seen.append(("load_data", dict(config)))
        return super().load_data(config, path, progress)

    def small_data(self, config):
        self.seen.append(("small_data", dict(config)))
        return super().small_data(config)

    def build_model(self, config, meta):
        self.seen.append(("build_model", dict(config)))
        return super().build_model(config, meta)

    def fit(self, model, data, config, callbacks=None, verbose=0):
        self.seen.append(("fit", dict(config)))
        return super().fit(model, data, config, callbacks, verbose)

    def configs(self, hook):
        return [c for h, c in self.seen if h == hook]


def test_every_hook_receives_the_complete_config(tiny):
    arch = RecordingTagger()
    complete = set(runs.GENERIC_KEYS) | set(arch.default_config())
    with pytest.raises(runs.TrainingInterrupted):
        train(arch, overrides={"epochs": 3, "units": 3}, out_dir="r",
              callbacks=[_InterruptAfterEpoch(1)])
    (data,), (build,), (fit,) = (arch.configs(h) for h in ("load_data", "build_model", "fit"))
    for config in (data, build):
        assert set(config) == complete and config["units"] == 3 and config["samples"] == 96
    assert set(fit) == complete | {runs.INITIAL_EPOCH}
    assert (fit["epochs"], fit[runs.INITIAL_EPOCH]) == (3, 0)

    arch.seen.clear()
    run = train(arch, resume="r")
    assert [row["epoch"] for row in run.history] == [1, 2, 3]
    (fit,) = arch.configs("fit")
    assert (fit["epochs"], fit[runs.INITIAL_EPOCH], fit["units"]) == (3, 1, 3)

    # an older run folder whose config.json lacks a key gets today's default for it
    folder = RunFolder("r")
    saved = folder.read_config()
    del saved["samples"], saved["clipvalue"]
    folder.write_config(saved)
    arch.seen.clear()
    runs.evaluate_run("r", arch=arch)
    for hook in ("build_model", "load_data"):
        (config,) = arch.configs(hook)
        assert set(config) == complete and config["samples"] == 96 and config["units"] == 3

    arch.seen.clear()
    runs.build_default_model(arch)
    assert {h for h, _ in arch.seen} == {"small_data", "build_model"}
    assert all(set(c) == complete and c["units"] == 6 for _, c in arch.seen)


class NoSeed(TinyTagger):
    def default_config(self):
        return {k: v for k, v in super().default_config().items() if k not in ("seed", "lr")}


class CellNotOffered(TinyTagger):
    cells = ("lstm", "gru")


def test_a_default_config_that_breaks_the_contract_is_a_plugin_error():
    with pytest.raises(PluginError, match=r"'tiny-tagger': its default_config\(\) has no lr, "
                                          r"seed; its defaults must hold cell, units"):
        runs.resolve_config(NoSeed())
    with pytest.raises(PluginError, match="default cell 'rnn' is not one of its cells "
                                          r"\(lstm, gru\)"):
        runs.resolve_config(CellNotOffered())
    with pytest.raises(runs.ConfigError, match="cell 'rnn' is not available for tiny-tagger; "
                                               "choose one of lstm, gru"):
        runs.validate_config(CellNotOffered(), dict(TinyTagger().default_config(),
                                                    floatx="float32"))


class IgnoresInitialEpoch(TinyTagger):
    """A fit written for the old contract: it always trains epochs 1 .. config['epochs']."""

    def fit(self, model, data, config, callbacks=None, verbose=0):
        return model.fit(*data.train, epochs=config["epochs"], batch_size=config["batch_size"],
                         callbacks=callbacks, verbose=verbose)


def test_a_fit_that_ignores_initial_epoch_cannot_resume(tiny):
    arch = IgnoresInitialEpoch()
    with pytest.raises(runs.TrainingInterrupted):
        train(arch, overrides={"epochs": 3}, out_dir="r", callbacks=[_InterruptAfterEpoch(1)])
    with pytest.raises(PluginError, match=r"started at epoch 1 after 1 done; pass "
                                          r"initial_epoch=config\['initial_epoch'\]"):
        train(arch, resume="r")
    assert runs.read_checkpoint(tiny / "r" / RunFolder.CHECKPOINT)[0]["epochs_done"] == 1


# ---- the run folder and its files ----------------------------------------------------------------

def test_the_run_folder_holds_exactly_the_files_runfolder_names(tiny):
    train("tiny-tagger", overrides={"epochs": 1}, out_dir="r", figures=True)
    named = {RunFolder.CONFIG, RunFolder.INFO, RunFolder.MODEL, RunFolder.HISTORY_JSON,
             RunFolder.HISTORY_CSV, RunFolder.METRICS, *RunFolder.LOSS_FIGURES}
    # RunFolder.CHECKPOINT is gone once the model is written (issue 12, point 9)
    assert {p.name for p in (tiny / "r").iterdir()} == named
    folder = RunFolder.existing("r")
    assert folder.read_info() == {"arch": "tiny-tagger", "data_path": None, "status": "finished",
                                  "epochs_done": 1, "rnnkit": rnnkit.__version__}
    assert [row["epoch"] for row in folder.read_history()] == [1]
    assert folder.read_metrics()["epochs"] == 1


def test_models_and_checkpoints_share_one_array_format(tiny):
    with pytest.raises(runs.TrainingInterrupted):          # a checkpoint stays while unfinished
        train("tiny-tagger", overrides={"epochs": 3}, out_dir="r",
              callbacks=[_InterruptAfterEpoch(2)])
    folder = RunFolder.existing("r")
    state, arrays = read_npz(folder.checkpoint_path, "__state__", "rnnkit-checkpoint", 1)
    weights = runs.load_run("r").model.get_weights()       # the weights after epoch 2
    n = len(weights)
    assert sorted(arrays) == ["s000", "s001"] + [f"w{k:03d}" for k in range(n)]  # Adam's m, v
    for k, w in enumerate(weights):
        np.testing.assert_array_equal(arrays[f"w{k:03d}"], w)
    # 2 epochs of ceil(76 / 16) = 5 batches: 10 Adam steps
    assert state["optimizer"] == {"name": "adam", "iterations": 10}
    assert state["epochs_done"] == 2 and state["history"] == json.loads(
        (folder.path / RunFolder.HISTORY_JSON).read_text())
    assert state["meta"] == {"alphabet": "ABCD", "tags": list("ABCD")}
    # finished: the same state moves into the model file, beside the weights
    train(resume="r")
    assert not folder.checkpoint_path.exists()
    model_header, model_arrays = read_npz(folder.model_path, "__config__", "rnnkit-model", 1)
    resume = model_header["extra"]["resume"]
    assert resume["optimizer"] == {"name": "adam", "iterations": 15} and resume["epochs_done"] == 3
    assert sorted(model_arrays) == ["s000", "s001"] + [f"w{k:03d}" for k in range(n)]
    assert model_header["extra"]["meta"] == resume["meta"] == {"alphabet": "ABCD",
                                                               "tags": list("ABCD")}
    with np.load(folder.model_path, allow_pickle=False) as data:           # plain arrays only
        assert all(data[k].dtype != object for k in data.files)


def test_a_checkpoint_of_another_optimizer_is_refused(tiny):
    with pytest.raises(runs.TrainingInterrupted):
        train("tiny-tagger", overrides={"epochs": 2}, out_dir="r",
              callbacks=[_InterruptAfterEpoch(1)])
    state, weights, slots = runs.read_checkpoint(tiny / "r" / RunFolder.CHECKPOINT)
    from rnnkit.fileio import numbered_arrays, write_npz
    state["optimizer"]["name"] = "sgd"
    write_npz(tiny / "r" / RunFolder.CHECKPOINT, state,
              {**numbered_arrays("w", weights), **numbered_arrays("s", slots)}, "__state__")
    with pytest.raises(RunError, match="trained with sgd, but the architecture now compiles adam"):
        train(resume="r")


BUILTINS = ["char-lm", "delayed-recall", "forecasting", "image-caption", "pos-tagging",
            "text-classification", "translation"]


class _Epochs(Callback):
    def __init__(self):
        self.seen = []

    def on_epoch_begin(self, epoch, n_batches):
        self.seen.append(epoch)


@pytest.mark.parametrize("name", BUILTINS)
def test_every_builtin_fit_resumes_from_initial_epoch(name):
    """A resumed run calls fit with initial_epoch = the epochs done: only the rest is trained."""
    config = runs.resolve_config(name, {"epochs": 3, "units": 4})
    arch = rnnkit.plugins.get(name)
    epochs = _Epochs()
    with rconfig.scope(floatx=config["floatx"], seed=config["seed"]):
        data = arch.small_data(config)
        model = arch.build_model(config, data.meta)
        arch.fit(model, data, dict(config, **{runs.INITIAL_EPOCH: 2}), callbacks=[epochs])
    assert epochs.seen == [3]
