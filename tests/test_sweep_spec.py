"""Sweep specs, results files and the seed table, without a cluster (rnnkit.sweep)."""
import csv
import json
import statistics

import pytest
from click.testing import CliRunner

from rnnkit.cli.main import cli
from rnnkit.errors import ConfigError, RunError, SweepError
from rnnkit.runs import resolve_config
from rnnkit.sweep import (expand, make_spec, mean_and_spread, parse_assignment, parse_space,
                          run_sweep, summary_rows)
from rnnkit.sweep.results import claim_folder, write_results


def test_grid_crosses_every_value_with_complete_configs():
    spec = make_spec("forecasting", grid={"cell": ["rnn", "gru"], "seed": [0, 1, 2]},
                     config={"epochs": 3})
    points = expand(spec)
    assert [p.name for p in points] == [f"cell-{c}_seed-{s}" for c in ("rnn", "gru")
                                        for s in (0, 1, 2)]
    for p in points:           # the config `rnnkit train --cell C --seed S --epochs 3` resolves
        assert p.config == resolve_config("forecasting", overrides=dict(p.varied, epochs=3))
    assert points[4].varied == {"cell": "gru", "seed": 1}


def test_command_line_values_are_read_as_json_else_text():
    assert parse_assignment("lr=0.01,1e-3", "--grid") == ("lr", [0.01, 0.001])
    assert parse_assignment("cell=rnn,lstm", "--grid") == ("cell", ["rnn", "lstm"])
    assert parse_assignment("seed=0,1", "--grid") == ("seed", [0, 1])
    assert parse_space("lr=loguniform(1e-4, 1e-2)") == ("lr", {"loguniform": [1e-4, 1e-2]})
    assert parse_space("units=8,16") == ("units", [8, 16])


@pytest.mark.parametrize("text, says", [
    ("cell=", "has an empty value"),
    ("cell=rnn,,gru", "has an empty value"),
    ("cell", "is not KEY=VALUES"),
])
def test_malformed_grid_options_say_how_to_write_them(text, says):
    with pytest.raises(ConfigError, match=says):
        parse_assignment(text, "--grid")


@pytest.mark.parametrize("spec, says", [
    ({"grid": {"colour": ["red"]}}, r"unknown key 'colour' in the sweep's grid; forecasting's "
                                    r"config keys are .*units"),
    ({"grid": {"cell": []}}, "grid key 'cell' has no values"),
    ({"grid": {"units": ["many"]}}, r"units='many' is text, but units takes an integer "
                                    r"\(its default is 10\)"),
    ({"grid": {"lr": [True]}}, "lr=True is a boolean, but lr takes a number"),
    ({"grid": {"units": [0]}}, r"sweep point units-0: units must be an integer > 0"),
    ({"grid": {"cell": ["rnn", "tcn"]}}, "cell 'tcn' is not available for forecasting"),
    ({"grid": {"seed": [0]}, "config": {"seed": 1}}, "'seed' appears in more than one"),
    ({"grid": {"lr": [None]}}, "null cannot replace a set default"),
    ({"grid": {}}, "the sweep varies nothing"),
    ({"grid": {"seed": [0]}, "random": {"samples": 0, "space": {"lr": [0.1]}}},
     '"random" must be'),
    ({"grid": {"seed": [0]}, "random": {"samples": 2, "space": {"lr": {"uniform": [1, 0]}}}},
     "with lo < hi"),
    ({"grid": {"seed": [0]}, "random": {"samples": 2, "space": {"cell": {"uniform": [1, 2]}}}},
     "takes text; draw it from a list"),
])
def test_bad_grids_are_refused_before_anything_starts(tmp_path, spec, says):
    spec = dict({"arch": "forecasting"}, **spec)
    with pytest.raises(ConfigError, match=says):
        expand(spec)
    with pytest.raises(ConfigError, match=says):        # run_sweep checks before the folder
        run_sweep(spec, out_dir=tmp_path / "sweep")
    assert not (tmp_path / "sweep").exists()


def test_random_samples_are_reproducible_draws_crossed_with_the_grid():
    spec = make_spec("forecasting", grid={"seed": [0, 1]},
                     random={"samples": 3, "seed": 7,
                             "space": {"lr": {"loguniform": [1e-4, 1e-2]}, "units": [4, 8]}})
    points = expand(spec)
    assert [p.name for p in points] == [f"sample-{k:02d}_seed-{s}" for k in range(3)
                                        for s in (0, 1)]
    assert expand(spec) == points                       # the same draws every time
    for a, b in zip(points[::2], points[1::2]):         # both seeds of a sample share its draw
        assert (a.varied["lr"], a.varied["units"]) == (b.varied["lr"], b.varied["units"])
    assert all(1e-4 <= p.varied["lr"] <= 1e-2 and p.varied["units"] in (4, 8) for p in points)
    assert points[0].config["lr"] == points[0].varied["lr"]
    assert len({p.varied["lr"] for p in points}) == 3


def test_table_shows_mean_and_sample_spread_over_seeds():
    def rec(cell, seed, value, status="finished"):
        return {"name": f"{cell}{seed}", "varied": {"cell": cell, "seed": seed},
                "status": status, "headline": {"name": "rmse", "value": value},
                "baseline": 40.0, "seconds": 2.0, "error": None}
    records = [rec("rnn", 0, 30.0), rec("rnn", 1, 34.0), rec("rnn", 2, 29.0),
               rec("gru", 0, 20.0), rec("gru", 1, None, "failed")]
    rows = summary_rows({"points": records})
    assert rows[0] == ["cell", "rmse (mean ± sd)", "n", "baseline", "seconds"]
    sd = statistics.stdev([30.0, 34.0, 29.0])            # 2.646
    assert rows[1] == ["rnn", f"31 ± {sd:.2g}", "3", "40", "2.0"]
    assert rows[2] == ["gru", "20 ± 0", "1", "40", "2.0"]
    assert mean_and_spread([]) == (None, None)


def test_results_files_follow_the_documented_schema(tmp_path):
    spec = make_spec("forecasting", grid={"cell": ["rnn"], "seed": [0, 1]})
    points = expand(spec)
    records = [{"name": p.name, "config": p.config, "varied": p.varied, "status": s,
                "headline": {"name": "rmse", "value": v}, "baseline": 41.5, "seconds": 1.25,
                "error": e}
               for p, s, v, e in zip(points, ("finished", "failed"), (27.5, None),
                                     (None, "DataError: no"))]
    write_results(tmp_path, "forecasting", spec, records)
    saved = json.loads((tmp_path / "results.json").read_text())
    assert saved == {"arch": "forecasting", "spec": spec, "points": records}
    with open(tmp_path / "results.csv", newline="") as f:
        rows = list(csv.reader(f))
    assert rows == [["cell", "seed", "headline", "baseline", "seconds", "status", "error"],
                    ["rnn", "0", "27.5", "41.5", "1.25", "finished", ""],
                    ["rnn", "1", "", "41.5", "1.25", "failed", "DataError: no"]]


def test_a_sweep_folder_is_written_by_one_sweep_at_a_time(tmp_path):
    spec = make_spec("forecasting", grid={"seed": [0]})
    with claim_folder(tmp_path / "s", spec):
        with pytest.raises(RunError, match="is in use by another run"):
            run_sweep(spec, out_dir=tmp_path / "s")
    assert json.loads((tmp_path / "s" / "spec.json").read_text()) == spec
    other = make_spec("forecasting", grid={"seed": [1]})
    with pytest.raises(SweepError, match="holds another sweep"):
        run_sweep(other, out_dir=tmp_path / "s")


def test_without_dask_the_sweep_says_how_to_install_it(tmp_path, monkeypatch):
    import sys
    monkeypatch.setitem(sys.modules, "distributed", None)       # import distributed fails
    result = CliRunner().invoke(cli, ["sweep", "--arch", "forecasting", "--grid", "seed=0",
                                      "--out", str(tmp_path / "s")])
    assert result.exit_code == 1
    assert 'pip install "rnnkit[sweep]"' in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("args, says", [
    (["--arch", "forecasting", "--grid", "epochz=1,2"], "unknown key 'epochz'"),
    (["--arch", "forecasting", "--grid", "seed=0", "--grid", "seed=1"], "is given twice"),
    (["--arch", "forecasting", "--grid", "seed=0", "--set", "epochs=1,2"], "takes one value"),
    (["--arch", "forecasting", "--grid", "units=2.5"], "units takes an integer"),
])
def test_cli_bad_grids_exit_1_with_the_reason(tmp_path, args, says):
    result = CliRunner().invoke(cli, ["sweep", *args, "--out", str(tmp_path / "s")])
    assert result.exit_code == 1, result.output
    assert says in result.output and "Traceback" not in result.output
    assert not (tmp_path / "s").exists()


def test_progress_bar_shows_points_done_running_and_failed():
    import io
    from rnnkit.sweep.progress import SweepProgress

    def records(*statuses):
        return [{"status": s} for s in statuses]
    out = io.StringIO()
    bar = SweepProgress(file=out)
    bar(records("finished", "pending", "pending", "pending"), 0)    # a re-run: 1 already done
    bar(records("finished", "failed", "finished", "pending"), 1)
    bar.close()
    last = out.getvalue().replace("\r", "\n").strip().splitlines()[-1]
    assert last.startswith("sweep:  75%") and "3/4" in last
    assert "running 1, failed 1" in last


def test_the_local_cluster_has_one_worker_per_core_and_no_idle_ones(monkeypatch):
    import os
    from rnnkit.sweep import local_workers
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1, 2, 3}, raising=False)
    assert local_workers(None, 9) == 4          # one per core
    assert local_workers(None, 2) == 2          # no more than the points to run
    assert local_workers(3, 9) == 3             # --workers wins
    assert local_workers(8, 5) == 5
