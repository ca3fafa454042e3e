"""The everyday path (issue 12): one writer per run folder, paths that work from anywhere, exact
resume, no tracebacks, no non-finite results, evaluation on new data."""
import json
import os
import socket

import pytest
from click.testing import CliRunner

from rnnkit.cli.main import cli

from test_cli_commands import run_cli, trained  # noqa: F401  (fixtures, used by name)
from test_cli_support import TinyTagger


# ---- one writer per run folder ------------------------------------------------------------------
def test_two_trains_into_one_folder_cannot_both_succeed(run_cli, monkeypatch):
    """The second run starts while the first is still loading its data (the folder still empty)."""
    nested = []
    original = TinyTagger.load_data

    def load_and_start_another(self, config, path=None, progress=None):
        if not nested:
            nested.append(None)                 # the second run loads its data plainly
            nested[0] = CliRunner().invoke(cli, ["train", "--arch", "tiny-tagger", "--out", "r",
                                                 "--no-figures"])
        return original(self, config, path, progress)
    monkeypatch.setattr(TinyTagger, "load_data", load_and_start_another)
    run_cli("train", "--arch", "tiny-tagger", "--out", "r", "--no-figures")
    second = nested[0]
    assert second.exit_code == 1, second.output
    assert "in use by another run" in second.output
    assert f"pid {os.getpid()}" in second.output and socket.gethostname() in second.output
    assert "Traceback" not in second.output


def test_a_lock_of_a_live_run_is_respected_and_a_dead_ones_is_not(run_cli, tmp_path):
    (tmp_path / "r").mkdir()
    lock = tmp_path / "r" / "running.lock"
    lock.write_text(json.dumps({"pid": os.getpid(), "host": socket.gethostname(),
                                "started": "2026-01-01 12:00:00"}))
    out = run_cli("train", "--arch", "tiny-tagger", "--out", "r", "--no-figures", code=1).output
    assert "in use by another run" in out and "started 2026-01-01 12:00:00" in out
    dead = 2 ** 22 + 12345                      # above Linux's pid_max: no such process
    lock.write_text(json.dumps({"pid": dead, "host": socket.gethostname(), "started": "x"}))
    run_cli("train", "--arch", "tiny-tagger", "--out", "r", "--no-figures")
    assert not lock.exists()
    assert (tmp_path / "r" / "model.rnnkit").is_file()


def test_a_run_that_failed_while_starting_does_not_block_its_folder(run_cli, tmp_path,
                                                                    monkeypatch):
    def out_of_memory(self, config, meta):
        raise MemoryError()
    with monkeypatch.context() as patch:
        patch.setattr(TinyTagger, "build_model", out_of_memory)
        run_cli("train", "--arch", "tiny-tagger", "--out", "r", "--no-figures", code=1)
    assert not (tmp_path / "r").exists() or not any((tmp_path / "r").iterdir())
    run_cli("train", "--arch", "tiny-tagger", "--out", "r", "--no-figures")
    assert not (tmp_path / "r" / "running.lock").exists()


# ---- paths stored absolute ----------------------------------------------------------------------
def tagged_file(path, n_tokens=40):
    """``token<TAB>tag`` lines of tiny-tagger: each symbol tagged with the previous one."""
    tokens = ["ABCD"[(k * 7 + k // 3) % 4] for k in range(n_tokens)]
    lines = [f"{t}\t{p}" for t, p in zip(tokens, ["A"] + tokens[:-1])]
    path.write_text("\n".join(lines) + "\n")
    return path


def test_a_run_with_a_relative_data_path_works_from_any_folder(run_cli, tmp_path,
                                                               monkeypatch):
    (tmp_path / "data").mkdir()
    tagged_file(tmp_path / "data" / "tags.tsv")
    run_cli("train", "--arch", "tiny-tagger", "--data", "data/tags.tsv", "--epochs", "1",
            "--out", "r", "--no-figures")
    info = json.loads((tmp_path / "r" / "run.json").read_text())
    assert info["data_path"] == str(tmp_path / "data" / "tags.tsv")
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "elsewhere")
    out = run_cli("evaluate", tmp_path / "r").output
    assert "accuracy" in out
    out = run_cli("train", "--resume", tmp_path / "r", "--epochs", "2", "--no-figures").output
    assert "Epoch 2/2" in out


# ---- resume is exact ----------------------------------------------------------------------------
def test_ctrl_c_mid_epoch_then_resume_equals_an_uninterrupted_run(run_cli, tmp_path,
                                                                  monkeypatch):
    from rnnkit.cli._common import ProgressReporter
    from rnnkit.runs import load_run
    run_cli("train", "--arch", "tiny-tagger", "--epochs", "3", "--out", "whole", "--no-figures")
    original = ProgressReporter.on_batch_end

    def interrupt(self, batch, logs):
        original(self, batch, logs)
        if self.epoch == 2 and batch == 3:              # epoch 2 has 5 batches
            raise KeyboardInterrupt
    with monkeypatch.context() as patch:
        patch.setattr(ProgressReporter, "on_batch_end", interrupt)
        out = run_cli("train", "--arch", "tiny-tagger", "--epochs", "3", "--out", "cut",
                      "--no-figures", code=130).output
    assert "epoch 2, batch 3" in out and "after epoch 1" in out
    out = run_cli("train", "--resume", "cut", "--no-figures").output
    assert "epoch 2 of 3 (1 done)" in out
    assert "Epoch 2/3" in out and "Epoch 3/3" in out and "Epoch 1/3" not in out
    whole, cut = load_run(tmp_path / "whole"), load_run(tmp_path / "cut")
    assert cut.epochs_done == 3 and [r["epoch"] for r in cut.history] == [1, 2, 3]
    for a, b in zip(whole.model.get_weights(), cut.model.get_weights()):
        assert (a == b).all()
    assert [r["loss"] for r in whole.history] == [r["loss"] for r in cut.history]


def test_resuming_a_finished_run_says_so_and_changes_nothing(run_cli, tmp_path,
                                                             trained):
    files = {p.name: p.read_bytes() for p in (tmp_path / trained).iterdir()}
    out = run_cli("train", "--resume", trained, "--no-figures").output
    assert "already finished" in out and "--epochs" in out
    assert {p.name: p.read_bytes() for p in (tmp_path / trained).iterdir()} == files


# ---- no traceback for what a user can cause -----------------------------------------------------
def test_out_of_memory_says_the_size_and_what_to_do(run_cli, tmp_path, monkeypatch):
    def huge(self, config, meta):                       # numpy's own message for --units 100000
        raise MemoryError("Unable to allocate 74.5 GiB for an array with shape (100000, 100000) "
                          "and data type float64")
    monkeypatch.setattr(TinyTagger, "build_model", huge)
    out = run_cli("train", "--arch", "tiny-tagger", "--units", "100000", "--out", "r",
                  "--no-figures", code=1).output
    assert "not enough memory" in out and "74.5 GiB" in out and "--units" in out
    assert "Traceback" not in out and "bug" not in out
    assert not (tmp_path / "r").exists()


def test_an_out_folder_that_cannot_be_made_is_a_plain_error(run_cli, tmp_path):
    (tmp_path / "afile").write_text("x")
    out = run_cli("train", "--arch", "tiny-tagger", "--out", "afile/r", code=1).output
    assert out.startswith("Error: cannot make the run folder 'afile/r' (Not a directory)")
    out = run_cli("train", "--arch", "tiny-tagger", "--out", "/proc/rnnkit-test/r", code=1).output
    assert out.startswith("Error: cannot make the run folder '/proc/rnnkit-test/r'")


def test_image_caption_with_no_training_pictures_is_a_config_error(run_cli, tmp_path):
    (tmp_path / "c.json").write_text('{"n_train": 0}')
    out = run_cli("train", "--arch", "image-caption", "--config", "c.json", "--out", "r",
                  code=1).output
    assert out.startswith("Error: config 'n_train' must be a positive integer, got 0")


def test_a_run_json_naming_another_architecture_is_a_run_error(run_cli, tmp_path,
                                                               trained):
    info = json.loads((tmp_path / trained / "run.json").read_text())
    (tmp_path / trained / "run.json").write_text(json.dumps(dict(info, arch="tiny-regress")))
    for command in (["evaluate", trained], ["predict", trained, "1"], ["summary", trained]):
        out = run_cli(*command, code=1).output
        assert "run.json names 'tiny-regress'" in out and "tiny-tagger" in out, out


def test_an_internal_value_error_shows_as_a_bug(run_cli, trained, monkeypatch):
    def broken(self, model, data):
        raise ValueError("operands could not be broadcast together")
    monkeypatch.setattr(TinyTagger, "evaluate", broken)
    out = run_cli("evaluate", trained, code=1).output
    assert "a bug" in out and "ValueError: operands could not be broadcast together" in out
    assert "rnnkit --debug evaluate" in out and "report" in out
    assert "Traceback" not in out


# ---- non-finite numbers are never a result ------------------------------------------------------
def test_forecasting_refuses_values_its_transform_cannot_take(run_cli, tmp_path):
    run_cli("train", "--arch", "forecasting", "--epochs", "1", "--out", "f", "--no-figures")
    window = json.loads((tmp_path / "f" / "config.json").read_text())["window"]
    good = [str(100 + k) for k in range(window + 1)]
    assert "forecast for the next step" in run_cli("predict", "f", *good).output
    for bad, why in (("nan", "finite"), ("inf", "finite"), ("0", "> 0"), ("-5", "> 0")):
        out = run_cli("predict", "f", "--", *good[:-1], bad, code=1).output
        assert out.startswith("Error: forecasting") and why in out, (bad, out)
        assert "forecast for the next step" not in out and "Traceback" not in out


def test_a_huge_learning_rate_on_forecasting_is_a_failed_run(tmp_path, monkeypatch):
    """As a user runs it: a real process, so any RuntimeWarning would reach stderr."""
    import subprocess
    import shutil
    monkeypatch.chdir(tmp_path)
    done = subprocess.run([shutil.which("rnnkit"), "train", "--arch", "forecasting", "--lr", "1e8",
                           "--epochs", "3", "--out", "r", "--no-figures"], capture_output=True,
                          text=True, env=dict(os.environ, NO_COLOR="1"), timeout=300)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "RuntimeWarning" not in done.stderr and "Traceback" not in done.stderr
    assert "not finite" in done.stderr and "--lr" in done.stderr
    info = json.loads((tmp_path / "r" / "run.json").read_text())
    assert info["status"] != "finished"
    assert (tmp_path / "r" / "checkpoint.npz").is_file()
    assert not (tmp_path / "r" / "metrics.json").exists()


# ---- evaluate on new data -----------------------------------------------------------------------
def test_evaluate_scores_every_sample_of_a_new_file(run_cli, tmp_path, trained):
    import numpy as np
    from rnnkit.runs import load_run
    tagged_file(tmp_path / "new.tsv", n_tokens=20)          # 4 windows of 5: not a split of them
    data = json.loads(run_cli("evaluate", trained, "--data", "new.tsv", "--json").output)
    assert data["samples"] == 4 and data["data"] == str(tmp_path / "new.tsv")
    lines = (tmp_path / "new.tsv").read_text().split()
    ids = np.array(["ABCD".index(t) for t in lines[0::2]]).reshape(4, 5)
    tags = np.array(["ABCD".index(t) for t in lines[1::2]]).reshape(4, 5)
    model = load_run(tmp_path / trained).model
    expected = float((model.predict(np.eye(4)[ids]).argmax(-1) == tags).mean())
    assert abs(data["test"]["accuracy"] - expected) < 1e-6


def test_pos_tagging_evaluates_a_new_corpus_with_its_own_vocabulary(run_cli, tmp_path):
    sentences = [("saya makan nasi", "PRP VB NN"), ("dia minum teh", "PRP VB NN"),
                 ("kami makan roti", "PRP VB NN"), ("mereka minum air", "PRP VB NN")] * 3
    (tmp_path / "train.tsv").write_text("\n\n".join(
        "\n".join(f"{w}\t{t}" for w, t in zip(s.split(), tags.split())) for s, tags in sentences))
    (tmp_path / "c.json").write_text('{"min_count": 1, "embed_dim": 4}')
    run_cli("train", "--arch", "pos-tagging", "--data", "train.tsv", "--epochs", "1", "--units",
            "4", "--out", "p", "--no-figures", "--config", "c.json")
    (tmp_path / "new.tsv").write_text("kucing\tNN\nmakan\tVB\n\nsaya\tPRP\nminum\tVB\nkopi\tNN\n")
    data = json.loads(run_cli("evaluate", "p", "--data", "new.tsv", "--json").output)
    assert data["samples"] == 2 and set(data["test"]) >= {"accuracy"}
    (tmp_path / "odd.tsv").write_text("saya\tPRP\nmakan\tVERB\n")
    out = run_cli("evaluate", "p", "--data", "odd.tsv", code=1).output
    assert "1 tag the run never saw: VERB" in out and "Traceback" not in out


def test_forecasting_char_lm_and_translation_score_all_of_a_new_file(run_cli, tmp_path):
    run_cli("train", "--arch", "forecasting", "--epochs", "1", "--out", "f", "--no-figures")
    window = json.loads((tmp_path / "f" / "config.json").read_text())["window"]
    n = window + 1 + 4                          # logdiff: 4 months a window can predict
    (tmp_path / "series.csv").write_text("".join(f"{100 + 3 * k}\n" for k in range(n)))
    data = json.loads(run_cli("evaluate", "f", "--data", "series.csv", "--json").output)
    assert data["samples"] == 4 and data["test"]["rmse"] >= 0
    (tmp_path / "a.txt").write_text("hello hello hello\n" * 20)
    run_cli("train", "--arch", "char-lm", "--data", "a.txt", "--epochs", "1", "--out", "c",
            "--no-figures")
    (tmp_path / "b.txt").write_text("hole hell hello ZZZ\n" * 3)
    data = json.loads(run_cli("evaluate", "c", "--data", "b.txt", "--json").output)
    assert data["samples"] >= 1 and "Traceback" not in json.dumps(data)
    (tmp_path / "p.tsv").write_text("red apple\tapel merah\ngreen car\tmobil hijau\n"
                                    "blue book\tbuku biru\nyellow heart\thati kuning\n" * 2)
    run_cli("train", "--arch", "translation", "--data", "p.tsv", "--epochs", "1", "--out", "t",
            "--no-figures")
    (tmp_path / "q.tsv").write_text("red car\tmobil merah\npurple apple\tapel ungu\n")
    data = json.loads(run_cli("evaluate", "t", "--data", "q.tsv", "--json").output)
    assert data["samples"] == 2


def test_text_classification_evaluates_new_phrases(run_cli, tmp_path):
    lines = [f"{w}\t{lang}" for w, lang in (("halo apa kabar", "id"), ("hello how are you", "en"),
                                             ("selamat pagi", "id"), ("good morning", "en"))] * 4
    (tmp_path / "l.tsv").write_text("\n".join(lines) + "\n")
    (tmp_path / "c.json").write_text('{"min_count": 1}')
    run_cli("train", "--arch", "text-classification", "--data", "l.tsv", "--config", "c.json",
            "--epochs", "1", "--out", "tc", "--no-figures")
    (tmp_path / "n.tsv").write_text("apa kabar\tid\nhow are you\ten\nzzz\ten\n")
    data = json.loads(run_cli("evaluate", "tc", "--data", "n.tsv", "--json").output)
    assert data["samples"] == 3
    (tmp_path / "x.tsv").write_text("bonjour\tfr\nhello\ten\n")
    out = run_cli("evaluate", "tc", "--data", "x.tsv", code=1).output
    assert "1 label the run never saw: fr" in out


# ---- input handling consistent across architectures --------------------------------------------
def test_an_empty_or_blank_input_is_refused_the_same_way_everywhere(run_cli, trained):
    for text in ("", "   "):
        out = run_cli("predict", trained, "ABCDA", text, code=1).output
        assert out.startswith("Error: input 2 is empty or only spaces")
        # a plugin without input_help: pointed to its documentation, not to a default sentence
        assert out.rstrip().endswith("see the documentation of tiny-tagger for what it reads")


def small_model(name):
    """``(architecture, untrained model, meta as read back from JSON)`` on its small data."""
    from rnnkit import plugins
    from rnnkit.runs import build_default_model, resolve_config
    arch = plugins.get(name)
    meta = json.loads(json.dumps(arch.small_data(resolve_config(arch)).meta))
    return arch, build_default_model(name), meta


@pytest.mark.parametrize("name, text, why", [
    ("text-classification", "###", "none of the characters"),
    ("pos-tagging", "zzzqx qqxz", "none of the words"),
    ("char-lm", "###", "none of the prompt's characters"),
    ("translation", "purple zebra", "none of the words"),        # answered "<unk> <unk>" before
    ("forecasting", "abc", "give numbers"),
    ("image-caption", "seven", "picture seeds")])                 # a DataError before
def test_an_input_of_no_known_symbol_is_an_input_error_everywhere(name, text, why):
    from rnnkit import config as rconfig
    from rnnkit.errors import InputError
    with rconfig.scope(floatx="float64", seed=0):
        arch, model, meta = small_model(name)
        for hook in (arch.demo, arch.predictions):
            with pytest.raises(InputError, match=why):
                hook(model, meta, [text])


def test_predict_refuses_unreadable_inputs_with_exit_1_and_what_it_reads(run_cli, tmp_path):
    (tmp_path / "p.tsv").write_text("\n\n".join(["saya\tPRP\nmakan\tVB\nnasi\tNN"] * 6))
    (tmp_path / "c.json").write_text('{"min_count": 1, "embed_dim": 4}')
    run_cli("train", "--arch", "pos-tagging", "--data", "p.tsv", "--epochs", "1", "--units",
            "4", "--out", "p", "--no-figures", "--config", "c.json")
    reads = 'pos-tagging reads a sentence to tag, e.g. "saya makan nasi" (see `rnnkit list`)'
    for text, why in (("", "input 1 is empty or only spaces"),
                      ("  ", "input 1 is empty or only spaces"),
                      ("zzq qqx", "pos-tagging: none of the words of 'zzq qqx'")):
        for json_flag in ([], ["--json"]):
            out = run_cli("predict", "p", text, *json_flag, code=1).output
            assert out.startswith(f"Error: {why}") and out.rstrip().endswith(reads), out


def test_predict_json_gives_the_tokens_read_and_a_tag_per_token(run_cli, tmp_path):
    import numpy as np
    from rnnkit.data import Vocabulary
    from rnnkit.runs import load_run
    (tmp_path / "p.tsv").write_text("\n\n".join(["saya\tPRP\nmakan\tVB\nnasi\tNN",
                                                  "dia\tPRP\nminum\tVB\nkué\tNN"] * 4))
    (tmp_path / "c.json").write_text('{"min_count": 1, "embed_dim": 4}')
    run_cli("train", "--arch", "pos-tagging", "--data", "p.tsv", "--epochs", "1", "--units",
            "4", "--out", "p", "--no-figures", "--config", "c.json")
    out = run_cli("predict", "p", "dia makan kué zzq", "--json").output
    assert '"kué"' in out                                   # non-ASCII as it is, not \u00e9
    data = json.loads(out)
    assert data["arch"] == "pos-tagging" and data["inputs"] == ["dia makan kué zzq"]
    [one] = data["predictions"]
    assert one["tokens"] == ["dia", "makan", "kué", "zzq"] and one["unknown"] == [3]
    run = load_run(tmp_path / "p")
    vocab = Vocabulary.from_dict(run.meta["words"])
    ids = np.array([[vocab.index(w) for w in one["tokens"]]])
    assert ids[0, 3] == vocab.unk_index
    expected = [run.meta["tags"][k] for k in run.model.predict(ids)[0].argmax(-1)]
    assert one["tags"] == expected and set(expected) <= {"PRP", "VB", "NN"}


def test_predictions_of_every_built_in_hold_what_the_model_read_and_answered():
    import numpy as np
    from rnnkit import config as rconfig
    from rnnkit.data import Vocabulary, caption_for_seed, one_hot
    with rconfig.scope(floatx="float64", seed=0):
        arch, model, meta = small_model("text-classification")
        [one] = arch.predictions(model, meta, ["Abc!"])
        chars = Vocabulary.from_dict(meta["chars"])
        assert one["tokens"] == list("abc!")
        assert one["unknown"] == [k for k, c in enumerate("abc!") if c not in chars]
        p = model.predict(np.array([[chars.index(c) for c in "abc!"]]))[0]
        probs = one["probabilities"]
        assert list(probs.values()) == sorted(probs.values(), reverse=True)
        assert all(abs(probs[c] - p[k]) < 1e-12 for k, c in enumerate(meta["classes"]))

        arch, model, meta = small_model("char-lm")
        meta = dict(meta, temperature=0.0, sample_length=3)
        [one] = arch.predictions(model, meta, ["Be~"])
        assert one["tokens"] == ["B", "e"] and one["left_out"] == ["~"]
        index = {c: k for k, c in enumerate(meta["alphabet"])}
        first = model.predict(one_hot(np.array([[index["B"], index["e"]]]), len(index)))[0, -1]
        assert len(one["generated"]) == 3 and one["generated"][0] == meta["alphabet"][
            int(first.argmax())]

        arch, model, meta = small_model("translation")
        [one] = arch.predictions(model, meta, ["purple apple"])
        assert one["tokens"] == ["purple", "apple"] and one["unknown"] == [0]
        assert " ".join(one["generated"]) == one["translation"] or "(" in one["translation"]

        arch, model, meta = small_model("forecasting")
        values = [float(100 + 5 * k) for k in range(meta["window"] + meta["offset"])]
        [one] = arch.predictions(model, meta, [" ".join(f"{v:g}" for v in values)])
        assert one["tokens"] == values and one["persistence"] == values[-1]
        assert np.isfinite(one["forecast"])

        arch, model, meta = small_model("image-caption")
        [one] = arch.predictions(model, meta, ["7"])
        assert one["tokens"] == [7] and one["truth"] == caption_for_seed(7)
        assert " ".join(one["generated"]) == one["caption"]


@pytest.mark.parametrize("arch, key, value, message", [
    ("char-lm", "temperature", -1, "config 'temperature' must be a number >= 0"),
    ("translation", "patience", -1, "config 'patience' must be a positive integer, got -1"),
    ("image-caption", "patience", -1, "config 'patience' must be a positive integer, got -1")])
def test_bad_config_values_are_refused_with_the_valid_range(run_cli, tmp_path, arch, key,
                                                            value, message):
    (tmp_path / "c.json").write_text(json.dumps({key: value, "epochs": 1}))
    out = run_cli("train", "--arch", arch, "--config", "c.json", "--out", "r", code=1).output
    assert out.startswith("Error: " + message), out


def test_config_from_a_pipe_and_yaml_is_json_only(run_cli, tmp_path):
    read, write = os.pipe()
    os.write(write, b'{"epochs": 1}')
    os.close(write)
    out = run_cli("train", "--arch", "tiny-tagger", "--config", f"/dev/fd/{read}", "--out", "r",
                  "--no-figures").output
    os.close(read)
    assert "Epoch 1/1" in out
    (tmp_path / "c.yaml").write_text("epochs: 1\n")
    out = run_cli("train", "--arch", "tiny-tagger", "--config", "c.yaml", "--out", "s",
                  code=1).output
    assert "JSON only (YAML is not read)" in out


def test_char_lm_reads_crlf_files_without_carriage_returns(tmp_path):
    from rnnkit import plugins
    from rnnkit.runs import resolve_config
    (tmp_path / "w.txt").write_bytes(b"hello world\r\n" * 10)
    arch = plugins.get("char-lm")
    data = arch.load_data(resolve_config(arch), str(tmp_path / "w.txt"))
    assert "\r" not in data.meta["alphabet"] and "\n" in data.meta["alphabet"]


def test_no_message_points_to_an_option_that_does_not_exist(run_cli, tmp_path):
    (tmp_path / "s.csv").write_text("".join(f"{v}\n" for v in [5, 3, 0, 4] * 10))
    out = run_cli("train", "--arch", "forecasting", "--data", "s.csv", "--out", "r", code=1).output
    assert "--transform" not in out and '"transform": "diff"' in out


# ---- what the user is told ----------------------------------------------------------------------
def test_evaluate_says_what_the_baseline_is_and_that_a_run_was_interrupted(run_cli, trained,
                                                                           tmp_path):
    out = run_cli("evaluate", trained).output
    assert "Baseline: The majority training tag for every symbol." in out
    assert "interrupted" not in out
    info = json.loads((tmp_path / trained / "run.json").read_text())
    (tmp_path / trained / "run.json").write_text(json.dumps(dict(info, status="interrupted")))
    out = run_cli("evaluate", trained).output
    assert "The run is interrupted after 2 epochs" in out and "--resume" in out


def test_list_shows_what_predict_reads(run_cli):
    out = run_cli("list").output
    assert 'predict reads: a sentence to tag, e.g. "saya makan nasi"' in out
    rows = {r["name"]: r for r in json.loads(run_cli("list", "--json").output)}
    assert rows["forecasting"]["input"].startswith("the last values of the series")


def test_predict_json_keeps_non_ascii_text(run_cli, trained, monkeypatch):
    monkeypatch.setattr(TinyTagger, "demo", lambda self, model, meta, inputs=None: "café → ok")
    out = run_cli("predict", trained, "ABCDA", "--json").output
    assert '"café → ok"' in out


# ---- terminal width -----------------------------------------------------------------------------
@pytest.mark.parametrize("columns", [40, 60, 80])
def test_the_progress_bar_fits_the_terminal(monkeypatch, columns):
    import io
    import re
    from rnnkit.cli._common import ProgressReporter
    monkeypatch.setenv("COLUMNS", str(columns))
    buf = io.StringIO()
    bar = ProgressReporter(stream=buf, tty=True)
    bar.on_train_begin(None, 120)
    bar.on_epoch_begin(100, 1234)
    for b in (1, 617, 1234):
        bar.last_draw = -1e9                                # draw every batch given here
        bar.on_batch_end(b, {"loss": 12345.678})
    bar.on_epoch_end(100, {"loss": 12345.678, "accuracy": 0.75, "val_loss": 2.5,
                           "val_accuracy": 0.5, "seconds": 12.5})
    text = re.sub(r"\x1b\[[0-9;]*[A-Za-z]", "", buf.getvalue())
    drawn = [seg for line in text.split("\n") for seg in line.split("\r") if seg]
    assert any("1234/1234" in seg for seg in drawn)
    assert all(len(seg) < columns for seg in drawn), [s for s in drawn if len(s) >= columns]
    assert "val_accuracy 0.5000" in " ".join(drawn)


def test_list_fits_a_narrow_terminal(run_cli, monkeypatch):
    monkeypatch.setenv("COLUMNS", "40")
    out = run_cli("list").output
    good = out.split("Broken")[0]
    assert all(len(line) < 40 for line in good.splitlines()), good
    assert "pos-tagging" in good and "predict reads:" in good


def test_the_default_corpus_malformed_lines_are_counted_once_not_warned_each_run(
        run_cli, tmp_path, monkeypatch):
    from rnnkit.data import postag
    original = TinyTagger.load_data

    def with_skipped_lines(self, config, path=None, progress=None):
        data = original(self, config, path, progress)
        data.info.update(skipped_lines=7, first_skipped_line=(12, "nya\tPR\tNN"))
        return data
    monkeypatch.setattr(TinyTagger, "load_data", with_skipped_lines)
    out = run_cli("train", "--arch", "tiny-tagger", "--out", "a", "--no-figures").output
    assert "skipped" not in out
    tagged_file(tmp_path / "mine.tsv")
    out = run_cli("train", "--arch", "tiny-tagger", "--data", "mine.tsv", "--out", "b",
                  "--no-figures").output
    assert "warning: skipped 7 malformed lines; the first is line 12" in out
    corpus = tmp_path / "corpus.txt"
    corpus.write_text("saya\tPRP\nnya\tPR\tNN\nmakan\tVB\n\ndia\tPRP\nbad line\n")
    monkeypatch.setattr(postag, "postag_path", lambda: corpus)
    monkeypatch.setattr(postag, "_is_complete", lambda path: True)
    assert postag.info_postag()["malformed_lines_skipped"] == 2
