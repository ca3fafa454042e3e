"""Every ``rnnkit`` command through click.testing.CliRunner, on the tiny test architectures."""
import json

import pytest
from click.testing import CliRunner

from rnnkit.cli._common import ProgressReporter, use_colour
from rnnkit.cli.main import cli
from rnnkit.data import DataError

from test_cli_support import register


@pytest.fixture
def run_cli(tmp_path, monkeypatch):
    register(tmp_path, monkeypatch, broken=True)
    monkeypatch.chdir(tmp_path)

    def run(*args, code=0):
        result = CliRunner().invoke(cli, [str(a) for a in args])
        assert result.exit_code == code, (result.output, result.exception)
        return result
    return run


@pytest.fixture
def trained(run_cli):
    run_cli("train", "--arch", "tiny-tagger", "--epochs", "2", "--out", "r", "--no-figures")
    return "r"


COMMANDS = [[], ["list"], ["data"], ["data", "fetch"], ["data", "info"], ["train"], ["evaluate"],
            ["predict"], ["summary"], ["trace"], ["gradcheck"]]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "rnnkit")
def test_every_command_has_help_with_an_example(command):
    result = CliRunner().invoke(cli, command + ["--help"])
    assert result.exit_code == 0
    assert "Example" in result.output and "rnnkit " in result.output


def test_list_shows_kinds_packages_and_broken_plugins(run_cli):
    out = run_cli("list").output
    assert "tiny-tagger" in out and "many-to-many" in out and "rnnkit-tiny 0.1" in out
    assert "broken-arch" in out and "numpy is too old for me" in out
    rows = {r["name"]: r for r in json.loads(run_cli("list", "--json").output)}
    assert rows["tiny-regress"]["kind"] == "many-to-one" and rows["tiny-regress"]["error"] is None
    assert "numpy is too old" in rows["broken-arch"]["error"]


def test_train_prints_epochs_metrics_baseline_and_folder(run_cli, tmp_path):
    out = run_cli("train", "--arch", "tiny-tagger", "--epochs", "2", "--units", "5", "--out",
                  "r", "--cell", "gru", "--float64").output
    assert "Epoch 1/2 - 5 batches - loss" in out and "Epoch 2/2" in out
    assert "metric" in out and "baseline" in out and "accuracy" in out
    assert "Run folder: r" in out
    assert "\x1b[" not in out                        # not a terminal: no colours, no redraws
    config = json.loads((tmp_path / "r" / "config.json").read_text())
    assert (config["units"], config["cell"], config["floatx"]) == (5, "gru", "float64")
    assert (tmp_path / "r" / "loss.pdf").exists()


def test_train_with_config_file(run_cli, tmp_path):
    (tmp_path / "c.json").write_text('{"units": 3, "epochs": 1}')
    run_cli("train", "--arch", "tiny-tagger", "--config", "c.json", "--out", "r", "--no-figures")
    assert json.loads((tmp_path / "r" / "config.json").read_text())["units"] == 3


def test_train_set_overrides_the_config_file_and_reads_json_values(run_cli, tmp_path):
    (tmp_path / "c.json").write_text('{"units": 3, "epochs": 1}')
    run_cli("train", "--arch", "tiny-tagger", "--config", "c.json", "--set", "units=4",
            "--set", "lr=0.05", "--set", "cell=gru", "--out", "r", "--no-figures")
    config = json.loads((tmp_path / "r" / "config.json").read_text())
    assert (config["units"], config["lr"], config["cell"], config["epochs"]) == (4, 0.05, "gru", 1)


@pytest.mark.parametrize("args, code, message", [
    (["--set", "unitz=4"], 1, "unknown hyperparameter 'unitz'"),
    (["--set", "units"], 1, "--set 'units' is not KEY=VALUES"),
    (["--set", "units=3,4"], 1, "rnnkit sweep --grid units=3,4"),
    (["--set", "units=3", "--set", "units=4"], 1, "--set units=... is given twice"),
    (["--set", "epochs=1", "--epochs", "2"], 2, "epochs is given twice"),
])
def test_train_set_mistakes_say_what_to_do(run_cli, args, code, message):
    result = run_cli("train", "--arch", "tiny-tagger", "--no-figures", *args, code=code)
    assert message in result.output and "Traceback" not in result.output


@pytest.mark.parametrize("args, message", [
    (["--arch", "tiny-tager"], "Invalid value for '--arch': unknown architecture 'tiny-tager'. "
                               "Did you mean 'tiny-tagger'"),
    (["--arch", "tiny-tagger", "--epochs", "-1"], "Invalid value for '--epochs': -1 is not in the range x>=0"),
    (["--arch", "tiny-tagger", "--units", "0"], "Invalid value for '--units': 0 is not in the range x>=1"),
    (["--arch", "tiny-tagger", "--lr", "0"], "Invalid value for '--lr'"),
    (["--arch", "tiny-tagger", "--cell", "transformer"], "Invalid value for '--cell'"),
])
def test_train_usage_errors_exit_2_and_name_the_option(run_cli, args, message):
    result = run_cli("train", *args, code=2)
    assert message in result.output and "Traceback" not in result.output


@pytest.mark.parametrize("args, message", [
    (["--arch", "tiny-regress", "--cell", "lstm"], "cell 'lstm' is not available for tiny-regress"),
    (["--arch", "tiny-tagger", "--data", "missing.txt"], "data file 'missing.txt' does not exist"),
    (["--arch", "broken-arch"], "architecture 'broken-arch' from package rnnkit-tiny 0.1"),
    (["--resume", "nowhere"], "run folder 'nowhere' does not exist"),
    (["--arch", "tiny-tagger", "--config", "nope.json"], "config file 'nope.json' does not exist"),
])
def test_train_bad_input_is_one_clear_line(run_cli, args, message):
    result = run_cli("train", *args, code=1)
    assert message in result.output
    assert result.output.startswith("Error: ") and "Traceback" not in result.output


def test_cell_choices_come_from_the_architecture(run_cli):
    assert "[rnn|lstm|gru]" not in run_cli("train", "--help").output
    out = run_cli("train", "--arch", "tiny-regress", "--cell", "transformer", code=2).output
    assert "Invalid value for '--cell': 'transformer' is not a recurrent cell; tiny-regress's " \
           "cells are rnn" in out and "Traceback" not in out
    out = run_cli("train", "--arch", "tiny-tagger", "--cell", "gru", "--epochs", "0", "--out", "g",
                  "--no-figures").output
    assert "Run folder: g" in out


def test_train_empty_and_malformed_data_files(run_cli, tmp_path):
    (tmp_path / "empty.txt").write_text("")
    assert "is empty" in run_cli("train", "--arch", "tiny-tagger", "--data", "empty.txt",
                                 code=1).output
    (tmp_path / "bad.txt").write_text("A B\nC D E\n")
    out = run_cli("train", "--arch", "tiny-tagger", "--data", "bad.txt", code=1).output
    assert "bad.txt" in out and "line 1" in out


def test_train_usage_errors_exit_2(run_cli):
    assert run_cli("train", code=2).output.count("--arch NAME")
    run_cli("train", "--arch", "tiny-tagger", "--cell", "transformer", code=2)
    run_cli("train", "--arch", "tiny-tagger", "--epochs", "many", code=2)
    run_cli("train", "--resume", "r", "--out", "x", code=2)


def test_debug_shows_the_traceback(run_cli):
    result = CliRunner().invoke(cli, ["--debug", "train", "--arch", "broken-arch"])
    assert result.exit_code == 1 and type(result.exception).__name__ == "PluginError"


def test_non_finite_loss_stops_and_suggests_a_fix(run_cli, tmp_path):
    out = run_cli("train", "--arch", "tiny-regress", "--lr", "1e6", "--epochs", "3", "--out",
                  "r", "--no-figures", code=1).output
    assert "not finite" in out and "Lower the learning rate" in out and "--clipnorm 1.0" in out
    assert "before epoch 1" in out and "rnnkit train --resume r --lr 100000" in out
    assert (tmp_path / "r" / "checkpoint.npz").exists()


def test_ctrl_c_saves_a_checkpoint_and_resume_finishes(run_cli, tmp_path, monkeypatch):
    original = ProgressReporter.on_epoch_end

    def interrupt(self, epoch, logs):
        original(self, epoch, logs)
        if epoch == 1:
            raise KeyboardInterrupt
    monkeypatch.setattr(ProgressReporter, "on_epoch_end", interrupt)
    result = run_cli("train", "--arch", "tiny-tagger", "--epochs", "2", "--out", "r",
                     "--no-figures", code=130)
    assert "rnnkit train --resume r" in result.output
    monkeypatch.setattr(ProgressReporter, "on_epoch_end", original)
    out = run_cli("train", "--resume", "r", "--no-figures").output
    assert "Epoch 2/2" in out and "Epoch 1/2" not in out and "Run folder: r" in out


def test_evaluate_and_json(run_cli, trained):
    out = run_cli("evaluate", trained).output
    assert "accuracy" in out and "baseline" in out
    data = json.loads(run_cli("evaluate", trained, "--json").output)
    assert data["arch"] == "tiny-tagger" and "accuracy" in data["test"]


def test_predict_and_json(run_cli, trained):
    assert run_cli("predict", trained, "ABCDA", "BBBBB").output.count("/") == 10
    data = json.loads(run_cli("predict", trained, "ABCDA", "--json").output)
    assert data["inputs"] == ["ABCDA"] and data["output"].startswith("A/")
    assert "give 5 symbols" in run_cli("predict", trained, "XYZ", code=1).output


def test_run_folder_errors(run_cli, tmp_path, trained):
    assert "does not exist" in run_cli("evaluate", "nowhere", code=1).output
    (tmp_path / "empty").mkdir()
    assert "no run.json" in run_cli("predict", "empty", "ABCDA", code=1).output
    (tmp_path / trained / "model.rnnkit").write_bytes(b"garbage")
    assert "not a readable rnnkit model" in run_cli("summary", trained, code=1).output


def test_summary_of_an_arch_and_a_run(run_cli, trained):
    out = run_cli("summary", "--arch", "tiny-tagger", "--explain").output
    assert "Total params: 94" in out and "units × units" in out
    assert "simple_rnn" in run_cli("summary", trained).output
    run_cli("summary", code=2)
    run_cli("summary", trained, "--arch", "tiny-tagger", code=2)


def test_trace_slides_and_formats(run_cli):
    out = run_cli("trace", "--example", "slides").output
    assert "t1: hidden state" in out and "Wht-1+bxh" in out
    back = run_cli("trace", "--backward", "--format", "markdown").output
    assert "via W from t+1" in back and "| " in back
    assert r"\toprule" in run_cli("trace", "--format", "latex").output
    assert run_cli("trace", "--format", "csv").output.startswith("table,")
    run_cli("trace", "--input", "ABCC", code=2)


def test_trace_a_trained_model(run_cli, trained):
    out = run_cli("trace", "--model", trained, "--input", "ABCC", "--backward", "--target",
                  "A,A,B,C").output
    assert "t4: hidden state" in out and "totals over all steps" in out
    numeric = run_cli("trace", "--model", trained, "--input", "1,0,0,0;0,1,0,0").output
    assert "t2: output" in numeric
    assert "needs --target" in run_cli("trace", "--model", trained, "--input", "AB",
                                       "--backward", code=2).output
    assert "every timestep needs 4 numbers" in run_cli("trace", "--model", trained, "--input",
                                                       "1,2", code=2).output


def test_trace_refuses_an_untraceable_model(run_cli):
    # an LSTM's gates are traced now (tests/test_trace_models.py); what trace cannot do is the
    # softmax BPTT tables of a regression, nor a model whose first layer is not recurrent
    # (tests/test_trace_models.py::test_a_model_whose_first_layer_is_not_recurrent_...)
    run_cli("train", "--arch", "tiny-regress", "--epochs", "0", "--out", "g", "--no-figures")
    assert "the BPTT tables assume a softmax output" in run_cli(
        "trace", "--model", "g", "--input", "1;2;3;4", "--backward", "--target", "0", code=1).output


def test_gradcheck_table_and_json(run_cli):
    out = run_cli("gradcheck", "--arch", "tiny-tagger", "--entries", "3").output
    assert "simple_rnn/recurrent_kernel" in out and "OK: every gradient matches" in out
    data = json.loads(run_cli("gradcheck", "--arch", "tiny-tagger", "--cell", "gru",
                              "--json").output)
    assert data["ok"] and {a["name"] for a in data["arrays"]} >= {"gru/kernel", "dense/bias"}
    out = run_cli("gradcheck", "--arch", "tiny-tagger", "--tolerance", "1e-30", code=1).output
    assert "gradient check failed" in out


def test_data_info_and_fetch(run_cli):
    out = run_cli("data", "info", "tiny-tagger").output
    assert "nothing to download" in out and "token<TAB>tag" in out
    assert json.loads(run_cli("data", "fetch", "tiny-tagger", "--json").output)["source"]
    assert "unknown architecture" in run_cli("data", "info", "nope", code=1).output


def test_data_fetch_without_network_is_a_clear_error(run_cli, monkeypatch):
    from test_cli_support import TinyTagger

    def offline(self, progress=None):
        progress("downloading ...")
        raise DataError("could not download nlp-id 0.1.23.0 from the package registry. "
                        "Connect to the network and run `rnnkit data fetch pos-tagging`")
    monkeypatch.setattr(TinyTagger, "fetch", offline)
    result = run_cli("data", "fetch", "tiny-tagger", code=1)
    assert "Error: could not download" in result.output and "Traceback" not in result.output


def test_colours_only_on_a_terminal_and_never_with_no_color(monkeypatch):
    class Tty:
        def isatty(self):
            return True
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert use_colour(Tty())
    monkeypatch.setenv("NO_COLOR", "1")
    assert not use_colour(Tty())


def test_progress_bar_on_a_terminal_and_plain_lines_otherwise():
    import io
    buf = io.StringIO()
    bar = ProgressReporter(stream=buf, tty=True)
    bar.on_train_begin(None, 3)
    bar.on_epoch_begin(1, 4)
    for b in range(1, 5):
        bar.on_batch_end(b, {"loss": 0.5})
    bar.on_epoch_end(1, {"loss": 0.5, "accuracy": 0.75, "seconds": 0.5})
    text = buf.getvalue()
    assert "\r" in text and "4/4" in text and "batch/s" in text and "ETA" in text
    assert "Epoch 1/3 - 4 batches - loss 0.5000 - accuracy 0.7500" in text
    plain = io.StringIO()
    bar = ProgressReporter(stream=plain, tty=False, plain_every=0.0)
    bar.on_epoch_begin(1, 4)
    bar.on_batch_end(2, {"loss": 0.5})
    bar.on_epoch_end(1, {"loss": 0.5, "seconds": 0.5})
    assert "\r" not in plain.getvalue() and "2/4 batches" in plain.getvalue()


def test_shell_completion_lists_commands():
    result = CliRunner().invoke(cli, [], prog_name="rnnkit",
                                env={"_RNNKIT_COMPLETE": "bash_complete", "COMP_WORDS": "rnnkit tr",
                                     "COMP_CWORD": "1"})
    assert "train" in result.output and "trace" in result.output


def test_cell_completion_offers_the_architectures_cells(run_cli):
    from types import SimpleNamespace
    from rnnkit.cli._common import _complete_cell
    assert _complete_cell(SimpleNamespace(params={"arch": "tiny-regress"}), None, "") == ["rnn"]
    assert _complete_cell(SimpleNamespace(params={"arch": "tiny-tagger"}), None, "g") == ["gru"]
    assert _complete_cell(SimpleNamespace(params={}), None, "l") == ["lstm"]
