"""What a Dask worker runs: one sweep point, or the kernel warm-up before the fan-out.

Only JSON-able values travel to a worker (the architecture's name, a config dict, a folder path)
and come back (a :func:`outcome` dict): never a model or a pickled object of rnnkit's. Each point
trains through the same public API as ``rnnkit train`` (:func:`rnnkit.runs.train`), so its folder
is an ordinary run folder.

A point whose folder already holds a checkpoint (its worker died, or the sweep was stopped)
resumes from it (``train(resume=...)``): after a dead worker the scheduler runs the task again,
and it goes on from the last complete epoch. The run folder's lock (:meth:`RunFolder.claimed`)
keeps two processes from writing one folder; a dead process's lock is taken over.
"""
import tempfile
import time

from .. import runs
from ..errors import TrainingInterrupted
from ..runs import RESUMABLE_KEYS, RunFolder

#: Statuses of a point (``results.json``); a point is run again unless it is finished.
STATUSES = ("finished", "failed", "interrupted", "pending")


def run_point(arch, config, run_dir):
    """Train (or resume) the point with complete ``config`` in ``run_dir``; its :func:`outcome`.

    Any error is caught and returned as ``status="failed"`` with its message, so one bad point
    never stops the others (and a deterministic error is not retried).
    """
    folder = RunFolder(run_dir)
    start = time.perf_counter()
    try:
        if folder.has(RunFolder.INFO) and folder.has(RunFolder.CHECKPOINT):
            run = runs.train(resume=run_dir, figures=True, verbose=0)
        else:                         # verbose=0: the sweep's own bar is the only progress shown
            run = runs.train(arch, overrides=config, out_dir=run_dir, figures=True, verbose=0)
    except TrainingInterrupted:
        return outcome("interrupted", seconds=time.perf_counter() - start)
    except Exception as err:          # recorded with the point: the sweep goes on
        return outcome("failed", seconds=time.perf_counter() - start,
                       error=f"{type(err).__name__}: {err}")
    return finished_outcome(run.metrics)


def finished_outcome(metrics):
    """The :func:`outcome` of a finished run from its ``metrics.json``."""
    name = metrics.get("headline_metric")
    test, baseline = metrics.get("test", {}), metrics.get("baseline", {})
    return outcome("finished", headline={"name": name, "value": test.get(name)},
                   baseline=baseline.get(name), seconds=metrics.get("seconds"))


def outcome(status, headline=None, baseline=None, seconds=None, error=None):
    """What a point reports: status, headline metric ``{"name", "value"}``, the baseline's value
    of the same metric, training seconds and the error message (None when there is none)."""
    return {"status": status, "headline": headline or {"name": None, "value": None},
            "baseline": baseline, "seconds": None if seconds is None else round(seconds, 3),
            "error": error}


def kernel_configs(configs):
    """One config per distinct model: the ``configs`` that differ only in keys that do not change
    the model's structure (seed, epochs, lr, batch size, clipping) compile the same kernels."""
    same = set(RESUMABLE_KEYS) | {"seed"}
    distinct = {}
    for config in configs:
        key = tuple(sorted((k, repr(v)) for k, v in config.items() if k not in same))
        distinct.setdefault(key, config)
    return list(distinct.values())


def warm_kernels(arch, configs):
    """Compile (or load from the on-disk cache) every kernel the ``configs`` use, by training
    one epoch of each distinct model on the architecture's ``small_data`` in a scratch folder.

    Run once before the fan-out, so the workers find the kernels in the shared Numba cache
    instead of each compiling them. A config that fails here is skipped (its point reports the
    error). Returns the number of models trained.
    """
    from .. import plugins
    from ..testing.helpers import offline_copy     # small_data through the run's own path
    fast = offline_copy(plugins.get(arch))
    trained = 0
    with tempfile.TemporaryDirectory(prefix="rnnkit-warm-") as scratch:
        for k, config in enumerate(kernel_configs(configs)):
            try:
                runs.train(fast, overrides=dict(config, epochs=1), out_dir=f"{scratch}/{k}",
                           figures=False, verbose=0)
            except Exception:              # noqa: BLE001 - the point itself will say why
                continue
            trained += 1
    return trained
