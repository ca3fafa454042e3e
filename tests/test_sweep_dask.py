"""Sweeps on a real local Dask cluster of 2 worker processes: results, faults, re-runs."""
import json
import os
import shutil
import signal
import subprocess
import threading
import time

import pytest
from click.testing import CliRunner

from rnnkit import runs
from rnnkit.callbacks import Callback
from rnnkit.cli.main import cli
from rnnkit.runs import RunFolder
from rnnkit.sweep import make_spec, read_results, run_sweep
from rnnkit.sweep.engine import local_cluster

distributed = pytest.importorskip("distributed")

#: The smallest forecasting runs: a few units, a few epochs (seconds each, once compiled).
TINY = {"units": 4, "epochs": 2}


@pytest.fixture(scope="module")
def scheduler():
    """One 2-process cluster for the module's tests (they reach it with --scheduler ADDRESS)."""
    with local_cluster(2) as cluster:
        yield cluster.scheduler_address


def _threads():
    import numba
    return os.environ.get("NUMBA_NUM_THREADS"), numba.config.NUMBA_NUM_THREADS


def test_workers_are_single_threaded_from_their_start_and_this_process_is_left_alone():
    before = dict(os.environ)
    with local_cluster(2) as cluster, distributed.Client(cluster) as client:
        assert list(client.run(_threads).values()) == [("1", 1), ("1", 1)]
        assert client.nthreads() == {w: 1 for w in client.nthreads()}
    assert dict(os.environ) == before


def metrics_of(run_dir):
    return json.loads((run_dir / "metrics.json").read_text())


def history_of(run_dir):
    return json.loads((run_dir / "history.json").read_text())


def test_points_equal_the_same_runs_of_rnnkit_train_one_by_one(tmp_path):
    out = tmp_path / "cells"
    result = CliRunner().invoke(cli, ["sweep", "--arch", "forecasting", "--grid", "cell=rnn,gru",
                                      "--grid", "seed=0,1", "--set", "units=4",
                                      "--set", "epochs=2", "--workers", "2", "--out", str(out)])
    assert result.exit_code == 0, result.output
    results = read_results(out)
    assert [p["name"] for p in results["points"]] == ["cell-rnn_seed-0", "cell-rnn_seed-1",
                                                      "cell-gru_seed-0", "cell-gru_seed-1"]
    means = {}
    for point in results["points"]:
        cell, seed = point["varied"]["cell"], point["varied"]["seed"]
        alone = tmp_path / f"alone-{cell}-{seed}"
        trained = CliRunner().invoke(cli, ["train", "--arch", "forecasting", "--cell", cell,
                                           "--seed", str(seed), "--units", "4", "--epochs", "2",
                                           "--no-figures", "--out", str(alone)])
        assert trained.exit_code == 0, trained.output
        swept = metrics_of(out / point["name"])
        assert swept["test"] == metrics_of(alone)["test"]
        assert swept["baseline"] == metrics_of(alone)["baseline"]
        assert [r["loss"] for r in history_of(out / point["name"])] == \
            [r["loss"] for r in history_of(alone)]
        assert point["status"] == "finished" and point["error"] is None
        assert point["headline"] == {"name": "rmse", "value": swept["test"]["rmse"]}
        assert point["baseline"] == swept["baseline"]["rmse"]
        assert point["config"] == json.loads((out / point["name"] / "config.json").read_text())
        means.setdefault(cell, []).append(swept["test"]["rmse"])
    table = result.stdout.splitlines()
    assert table[0].split() == ["cell", "rmse", "(mean", "±", "sd)", "n", "baseline", "seconds"]
    assert table[1].split()[:2] == ["rnn", f"{sum(means['rnn']) / 2:.4g}"]
    assert table[2].split()[:2] == ["gru", f"{sum(means['gru']) / 2:.4g}"]
    assert "Sweep folder:" in result.stdout and "(4 of 4 points finished)" in result.stdout
    bar = result.stderr.replace("\r", "\n").splitlines()
    assert any(line.startswith("sweep: 100%") and "4/4" in line and "running 0, failed 0" in line
               for line in bar), result.stderr
    assert "local Dask cluster: 2 single-threaded worker processes" in result.stderr
    assert "Dask dashboard: http://" in result.stderr
    evaluated = CliRunner().invoke(cli, ["evaluate", str(out / "cell-gru_seed-1"), "--json"])
    assert json.loads(evaluated.output)["test"] == metrics_of(out / "cell-gru_seed-1")["test"]


def test_a_failing_point_is_recorded_and_the_others_go_on(tmp_path, scheduler):
    spec = make_spec("forecasting", grid={"transform": ["logdiff", "bogus"]},
                     config=dict(TINY, cell="lstm"))      # LSTM: the cell that splits batches
    updates = []
    sweep = run_sweep(spec, out_dir=tmp_path / "s", scheduler=scheduler,
                      on_update=lambda records, running: updates.append(
                          ([r["status"] for r in records], running)))
    assert updates[0] == (["pending", "pending"], 0)
    assert all(0 <= running <= 2 for _, running in updates)
    assert updates[-1] == (["finished", "failed"], 0)
    good, bad = sweep.points
    assert good["status"] == "finished" and good["headline"]["value"] > 0
    assert bad["status"] == "failed" and bad["headline"]["value"] is None
    assert "unknown transform 'bogus'" in bad["error"]
    assert read_results(tmp_path / "s")["points"] == sweep.points


class StopAt(Callback):
    """Ctrl-C in the middle of an epoch, as a user would press it."""

    def __init__(self, epoch):
        self.epoch = epoch

    def on_batch_end(self, batch, logs):
        if self.epoch_now == self.epoch and batch == 2:
            raise KeyboardInterrupt

    def on_epoch_begin(self, epoch, n_batches):
        self.epoch_now = epoch


def test_a_rerun_skips_finished_points_and_resumes_interrupted_ones(tmp_path, scheduler):
    config = dict(TINY, epochs=4)
    spec = make_spec("forecasting", grid={"seed": [0, 1]}, config=config)
    out = tmp_path / "s"
    # a stopped sweep: its spec, and seed 1's run stopped by Ctrl-C in epoch 3
    out.mkdir()
    (out / "spec.json").write_text(json.dumps(spec))
    with pytest.raises(runs.TrainingInterrupted):
        runs.train("forecasting", overrides=dict(config, seed=1), out_dir=out / "seed-1",
                   figures=False, callbacks=[StopAt(3)])
    kept = history_of(out / "seed-1")
    assert len(kept) == 2
    first = run_sweep(spec, out_dir=out, scheduler=scheduler)
    assert [p["status"] for p in first.points] == ["finished", "finished"]
    resumed = history_of(out / "seed-1")
    assert resumed[:2] == kept                              # epochs 1-2 kept, not re-run
    assert [r["epoch"] for r in resumed] == [1, 2, 3, 4]
    straight = runs.train("forecasting", overrides=dict(config, seed=1),
                          out_dir=tmp_path / "straight", figures=False)
    assert metrics_of(out / "seed-1")["test"] == straight.metrics["test"]

    written = {p: (out / p / "metrics.json").stat().st_mtime_ns for p in ("seed-0", "seed-1")}
    again = run_sweep(spec, out_dir=out, scheduler="tcp://127.0.0.1:9")   # needs no cluster
    assert again.points == first.points
    assert {p: (out / p / "metrics.json").stat().st_mtime_ns for p in written} == written


def test_a_killed_workers_point_resumes_from_its_checkpoint(tmp_path, scheduler):
    config = dict(TINY, epochs=40, units=16)
    spec = make_spec("forecasting", grid={"seed": [0, 1]}, config=config)
    out = tmp_path / "s"
    done = {}
    sweeping = threading.Thread(target=lambda: done.update(
        sweep=run_sweep(spec, out_dir=out, scheduler=scheduler)))
    sweeping.start()
    run_dir, deadline = out / "seed-0", time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            epochs = len(history_of(run_dir))
            holder = json.loads((run_dir / RunFolder.LOCK).read_text())
        except (OSError, ValueError):
            epochs = 0
        if epochs >= 1:
            os.kill(holder["pid"], signal.SIGKILL)          # the worker process dies mid-run
            break
        time.sleep(0.002)
    killed_at = epochs
    sweeping.join(300)
    assert 1 <= killed_at < 40, "the run ended before the worker could be killed"
    sweep = done["sweep"]
    assert [p["status"] for p in sweep.points] == ["finished", "finished"]
    assert [r["epoch"] for r in history_of(run_dir)] == list(range(1, 41))
    straight = runs.train("forecasting", overrides=dict(config, seed=0),
                          out_dir=tmp_path / "straight", figures=False)
    assert metrics_of(run_dir)["test"] == straight.metrics["test"]


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("rnnkit") is None, reason="the rnnkit script is not installed")
def test_ctrl_c_stops_the_sweep_cleanly_and_a_rerun_finishes_it(tmp_path):
    out = tmp_path / "s"
    command = [shutil.which("rnnkit"), "sweep", "--arch", "forecasting",
               "--grid", "seed=0,1,2", "--set", "units=16", "--set", "epochs=40",
               "--workers", "2", "--out", str(out)]
    env = dict(os.environ, NO_COLOR="1")
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=env, start_new_session=True)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and not any(out.glob("*/history.json")):
        time.sleep(0.01)
    os.killpg(proc.pid, signal.SIGINT)                      # Ctrl-C reaches the whole group
    stdout, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, stderr
    assert "sweep interrupted" in stderr and "Traceback" not in stderr + stdout
    statuses = [p["status"] for p in read_results(out)["points"]]
    assert "interrupted" in statuses and set(statuses) <= {"finished", "interrupted", "pending"}

    rerun = subprocess.run(command, capture_output=True, text=True, env=env, timeout=300)
    assert rerun.returncode == 0, rerun.stderr
    assert [p["status"] for p in read_results(out)["points"]] == ["finished"] * 3
    # the workers train silently: the sweep's own bar and table are all the user sees
    assert "Epoch" not in rerun.stdout + rerun.stderr
