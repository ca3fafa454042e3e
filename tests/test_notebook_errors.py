"""Errors raised from the Python API name the Python arguments; `rnnkit` prints the same advice
with its flags. A Ctrl-C in rnnkit.runs.train raises TrainingInterrupted carrying the Run."""
import json

import pytest
from click.testing import CliRunner

from rnnkit import runs
from rnnkit.callbacks import Callback
from rnnkit.cli.main import cli

from test_cli_support import register


@pytest.fixture
def tiny(tmp_path, monkeypatch):
    register(tmp_path, monkeypatch)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _train(**kwargs):
    return runs.train("tiny-tagger", figures=False, verbose=0, **kwargs)


def test_a_taken_folder_is_named_by_its_argument_in_python_and_by_its_flag_on_the_cli(tiny):
    (tiny / "r").mkdir()
    (tiny / "r" / "notes.txt").write_text("mine")
    with pytest.raises(runs.RunError) as err:
        _train(out_dir="r")
    assert str(err.value).startswith("out_dir='r' already exists")
    assert "train(resume='r')" in str(err.value) and "--" not in str(err.value)
    out = CliRunner().invoke(cli, ["train", "--arch", "tiny-tagger", "--out", "r"]).output
    assert out.startswith("Error: --out 'r' already exists") and "rnnkit train --resume r" in out


def test_config_file_with_resume_names_both_arguments(tiny):
    _train(out_dir="r", overrides={"epochs": 1})
    (tiny / "c.json").write_text('{"epochs": 2}')
    with pytest.raises(runs.ConfigError, match="^config_file cannot be combined with resume"):
        runs.train(resume="r", config_file="c.json", verbose=0)
    with pytest.raises(runs.ConfigError, match=r"^train\(\) needs arch='NAME'"):
        runs.train(verbose=0)


class _CtrlC(Callback):
    def on_batch_end(self, batch, logs):
        if self.model.history.epoch == [0] and batch == 2:
            raise KeyboardInterrupt


def test_ctrl_c_in_train_raises_with_the_run_and_marks_the_folder(tiny):
    with pytest.raises(runs.TrainingInterrupted) as stop:
        _train(out_dir="cut", overrides={"epochs": 3}, callbacks=[_CtrlC()])
    run = stop.value.run
    assert (run.path.name, run.epochs_done, run.status) == ("cut", 1, "interrupted")
    assert json.loads((tiny / "cut" / "run.json").read_text())["status"] == "interrupted"
    assert "rnnkit.runs.train(resume='cut')" in str(stop.value) and ".run" in str(stop.value)
    assert stop.value.cli.endswith("Resume with: rnnkit train --resume cut")
    assert "rnnkit.runs" not in stop.value.cli
    assert runs.train(resume=stop.value.run.path, verbose=0).epochs_done == 3
