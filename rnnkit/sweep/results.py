"""The sweep folder, its results files, and the table of mean and spread over seeds.

::

    sweeps/forecasting-20261201-020000/
        spec.json          the sweep's spec (rnnkit.sweep.spec), as it was run
        results.json       {"arch", "spec", "points": [one record per point]}
        results.csv        one row per point: the varied keys, headline, baseline, seconds,
                           status, error
        running.lock       while a sweep runs in the folder (RunFolder's lock: one at a time)
        cell-lstm_seed-0/  an ordinary run folder per point (rnnkit evaluate, train --resume ...)

A point's record in ``results.json``::

    {"name": "cell-lstm_seed-0", "config": {...the complete config...},
     "varied": {"cell": "lstm", "seed": 0},
     "status": "finished" | "failed" | "interrupted" | "pending",
     "headline": {"name": "rmse", "value": 27.1}, "baseline": 41.3, "seconds": 12.5,
     "error": None}
"""
import contextlib
import csv
import io
import json
import math
from pathlib import Path

from ..errors import RunError, SweepError
from ..fileio import atomic_write_json, atomic_write_text
from ..runs import RunFolder
from .worker import finished_outcome, outcome

SPEC = "spec.json"
RESULTS_JSON = "results.json"
RESULTS_CSV = "results.csv"
#: The columns of results.csv after the varied keys.
CSV_COLUMNS = ("headline", "baseline", "seconds", "status", "error")


def record(point, result):
    """The ``results.json`` record of a :class:`~rnnkit.sweep.spec.Point` and its outcome."""
    return {"name": point.name, "config": point.config, "varied": point.varied, **result}


def recorded_outcome(run_dir):
    """What a point's run folder says of it: finished (with its metrics), interrupted (a run
    that can resume), failed (a run that stopped with an error) or pending (nothing yet)."""
    folder = RunFolder(run_dir)
    if not folder.has(RunFolder.INFO):
        return outcome("pending")
    try:
        info = folder.read_info()
        metrics = folder.read_metrics()
    except RunError as err:
        return outcome("failed", error=str(err))
    if info.get("status") == "finished" and metrics is not None:
        return finished_outcome(metrics)
    if info.get("error"):
        return outcome("failed", error=info["error"])
    return outcome("interrupted")


@contextlib.contextmanager
def claim_folder(sweep_dir, spec):
    """Hold ``sweep_dir`` for ``spec`` while the ``with`` block runs the sweep: a new folder, or
    one holding the same spec (the sweep runs again; finished points are kept). The folder's
    lock is :meth:`RunFolder.claimed`'s, so a second sweep in it is refused naming the first;
    ``spec.json`` is written as soon as the folder is held."""
    path = Path(sweep_dir)
    _check_same_sweep(path, spec)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise SweepError(f"cannot make the sweep folder {str(path)!r} ({err.strerror or err}); "
                         f"choose an --out in a folder you can write") from None
    with RunFolder(path).claimed(new=False):
        _check_same_sweep(path, spec)        # again, now that no other sweep can write it
        if not (path / SPEC).is_file():
            atomic_write_json(path / SPEC, spec)
        yield path


def _check_same_sweep(path, spec):
    saved = path / SPEC
    if saved.is_file():
        try:
            old = json.loads(saved.read_text(encoding="utf-8"))
        except (OSError, ValueError) as err:
            raise SweepError(f"{str(saved)!r} cannot be read ({err}); choose another --out") \
                from None
        if old != spec:
            raise SweepError(f"{str(path)!r} holds another sweep (its {SPEC} differs from "
                             f"this one); choose another --out, or run that sweep again with "
                             f"--spec {saved}")
    elif path.exists() and (not path.is_dir() or
                            any(p.name != RunFolder.LOCK for p in path.iterdir())):
        raise SweepError(f"--out {str(path)!r} exists and is not a sweep folder; choose a new "
                         f"folder")


def write_results(sweep_dir, arch, spec, records):
    """``results.json`` and ``results.csv``, each written atomically."""
    path = Path(sweep_dir)
    atomic_write_json(path / RESULTS_JSON, {"arch": arch, "spec": spec, "points": records})
    keys = []
    for rec in records:
        keys += [k for k in rec["varied"] if k not in keys]
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(keys + list(CSV_COLUMNS))
    for rec in records:
        writer.writerow([_cell(rec["varied"].get(k)) for k in keys] +
                        [_cell(rec["headline"]["value"]), _cell(rec["baseline"]),
                         _cell(rec["seconds"]), rec["status"], rec["error"] or ""])
    atomic_write_text(path / RESULTS_CSV, buf.getvalue())


def _cell(value):
    return "" if value is None else value


def read_results(sweep_dir):
    """``results.json`` of a sweep folder, or a :class:`RunError` saying how to make one."""
    path = Path(sweep_dir) / RESULTS_JSON
    if not path.is_file():
        raise RunError(f"{str(sweep_dir)!r} has no {RESULTS_JSON}: it is not a sweep folder. "
                       f"Make one with `rnnkit sweep --arch NAME --grid KEY=V1,V2 --out DIR`.")
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise RunError(f"{str(path)!r} cannot be read ({err})") from None


def group_over_seeds(records):
    """The finished points grouped by their varied values other than ``seed``: a list of
    ``(values, headline values, baseline values, seconds)`` in the order the groups first
    appear."""
    groups = {}
    for rec in records:
        values = {k: v for k, v in rec["varied"].items() if k != "seed"}
        key = json.dumps(values, sort_keys=True)
        group = groups.setdefault(key, (values, [], [], []))
        if rec["status"] == "finished" and rec["headline"]["value"] is not None:
            group[1].append(rec["headline"]["value"])
            if rec["baseline"] is not None:
                group[2].append(rec["baseline"])
            if rec["seconds"] is not None:
                group[3].append(rec["seconds"])
    return list(groups.values())


def mean_and_spread(values):
    """The mean and the sample standard deviation (n - 1; 0 for one value) of ``values``; both
    None for none."""
    if not values:
        return None, None
    mean = math.fsum(values) / len(values)
    if len(values) == 1:
        return mean, 0.0
    return mean, math.sqrt(math.fsum((v - mean) ** 2 for v in values) / (len(values) - 1))


def summary_rows(results):
    """The table the sweep prints: one row per group of seeds (see :func:`group_over_seeds`):
    the varied values, the headline's mean ± spread, n, the baseline's mean and the seconds."""
    records = results["points"]
    headline = next((r["headline"]["name"] for r in records if r["headline"]["name"]), "headline")
    groups = group_over_seeds(records)
    keys = []
    for values, *_ in groups:
        keys += [k for k in values if k not in keys]
    header = keys + [f"{headline} (mean ± sd)", "n", "baseline", "seconds"]
    rows = [header]
    for values, scores, baselines, seconds in groups:
        mean, spread = mean_and_spread(scores)
        base, _ = mean_and_spread(baselines)
        secs, _ = mean_and_spread(seconds)
        rows.append([str(values.get(k, "")) for k in keys] +
                    ["-" if mean is None else f"{mean:.4g} ± {spread:.2g}", str(len(scores)),
                     "-" if base is None else f"{base:.4g}",
                     "-" if secs is None else f"{secs:.1f}"])
    return rows
