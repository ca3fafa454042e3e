"""Running a sweep on Dask: a local cluster of single-threaded worker processes, or an existing
cluster by its scheduler's address.

The order of a sweep: the spec is expanded and checked (nothing starts on a bad grid); the sweep
folder is claimed (one sweep at a time); points whose run folder is finished are kept; the
kernels are compiled once, on one worker, into the shared on-disk Numba cache; then every other
point is one Dask task (:func:`rnnkit.sweep.worker.run_point`), and ``results.json`` is rewritten
after each one ends.

Faults: a point that fails is recorded with its error and the others go on; a worker that dies
mid-run has its task run again by the scheduler (Dask's ``allowed-failures``), which resumes the
run from its checkpoint; Ctrl-C cancels the tasks, records what is done and raises
:class:`SweepInterrupted`; running the same sweep again runs only what is not finished.
"""
import contextlib
import logging
import os
import signal
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from .. import plugins
from ..errors import SweepError, SweepInterrupted
from .results import claim_folder, record, recorded_outcome, write_results
from .spec import expand
from .worker import outcome, run_point, warm_kernels

#: Set in every local worker process before it starts: one thread each, so N workers use N
#: cores and no more (see :func:`local_cluster`).
SINGLE_THREAD_ENV = {"NUMBA_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1",
                     "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
#: How often the progress is refreshed while no point ends, in seconds.
REFRESH_SECONDS = 1.0
INSTALL_HINT = 'rnnkit sweep runs on Dask; install it with: pip install "rnnkit[sweep]"'


@dataclass
class Sweep:
    """A sweep that ran: its folder and its results (the content of ``results.json``)."""
    path: Path
    results: dict

    @property
    def points(self):
        return self.results["points"]

    def __repr__(self):
        counts = {}
        for rec in self.points:
            counts[rec["status"]] = counts.get(rec["status"], 0) + 1
        return f"Sweep({str(self.path)!r}, {counts})"


def run_sweep(spec, out_dir=None, scheduler=None, workers=None, say=None, on_update=None):
    """Run every point of ``spec`` (see :mod:`rnnkit.sweep.spec`) not yet finished in
    ``out_dir``; returns a :class:`Sweep`.

    Parameters
    ----------
    spec : dict
        The sweep's spec: architecture, grid, optional random samples, fixed config.
    out_dir : str, optional
        The sweep folder (default ``sweeps/<arch>-<date>-<time>``); a folder holding the same
        spec is continued.
    scheduler : str, optional
        The address of an existing Dask scheduler (e.g. ``tcp://10.0.0.5:8786``); default: a
        local cluster.
    workers : int, optional
        Local worker processes (default: one per core, at most one per point to run).
    say : callable, optional
        Called with one-line messages (the cluster, its dashboard, the warm-up).
    on_update : callable, optional
        Called as ``on_update(records, running)`` with the list of point records and the number
        of points running now: when the points start (after the cluster's messages), whenever
        one ends, and every
        :data:`REFRESH_SECONDS` meanwhile (e.g. :class:`rnnkit.sweep.progress.SweepProgress`).

    Raises
    ------
    ConfigError
        A bad spec, before anything starts.
    SweepError
        Dask is missing, or the scheduler cannot be reached.
    SweepInterrupted
        On Ctrl-C, after the results so far are written.
    """
    say = say or (lambda message: None)
    notify = on_update or (lambda records, running=0: None)
    points = expand(spec)
    arch = plugins.get(spec["arch"]).name
    path = Path(out_dir) if out_dir else _default_folder(arch)
    with claim_folder(path, spec):
        records = [record(p, recorded_outcome(path / p.name)) for p in points]
        write_results(path, arch, spec, records)
        todo = [i for i, rec in enumerate(records) if rec["status"] != "finished"]
        if todo:
            with _client(scheduler, local_workers(workers, len(todo)), say) as client:
                _run(client, arch, path, spec, points, records, todo, say, notify)
    return Sweep(path, {"arch": arch, "spec": spec, "points": records})


def _default_folder(arch):
    base = Path("sweeps") / f"{arch}-{datetime.now():%Y%m%d-%H%M%S}"
    path, k = base, 2
    while path.exists():
        path = base.with_name(f"{base.name}-{k}")
        k += 1
    return path


def _dask():
    try:
        import distributed
    except ImportError:
        raise SweepError(f"Dask is not installed. {INSTALL_HINT}") from None
    return distributed


def local_workers(wanted=None, points=None):
    """The local cluster's size: ``wanted`` if given, else one worker per core this process may
    use; never more than the ``points`` to run (an idle worker costs a process)."""
    if wanted is None:
        try:
            wanted = len(os.sched_getaffinity(0))
        except AttributeError:                  # not on Linux
            wanted = os.cpu_count() or 1
    return max(1, min(wanted, points)) if points is not None else wanted


@contextlib.contextmanager
def _client(scheduler, n, say):
    """A Dask client: to ``scheduler``, or to a new local cluster of single-threaded worker
    processes (closed, with its workers, at the end of the block)."""
    distributed = _dask()
    if scheduler is not None:
        try:
            client = distributed.Client(scheduler, timeout="10s")
        except (OSError, TimeoutError) as err:
            raise SweepError(f"cannot reach the Dask scheduler at {scheduler!r} ({err}); start "
                             f"one with `dask scheduler`, or leave out --scheduler for a local "
                             f"cluster") from None
        with client:
            n = len(client.scheduler_info()["workers"])
            say(f"Dask scheduler {scheduler}: {n} worker{'s' if n != 1 else ''}")
            _say_dashboard(client, say)
            yield client
        return
    with local_cluster(n) as cluster, distributed.Client(cluster) as client:
        # Ctrl-C reaches every process of the terminal's group: only this one handles it (it
        # cancels the tasks and closes the cluster), so no worker dies with a traceback.
        client.run(_ignore_sigint)
        say(f"local Dask cluster: {n} single-threaded worker process{'es' if n != 1 else ''}")
        _say_dashboard(client, say)
        yield client


def _running(client, futures):
    """How many of ``futures`` run now: those the scheduler has placed on a worker, at most one
    per worker thread (a worker may hold a task queued behind the one it runs)."""
    keys = {f.key for f in futures}
    placed = client.processing()
    threads = client.nthreads()
    return sum(min(threads.get(w, 1), sum(k in keys for k in tasks)) for w, tasks in placed.items())


@contextlib.contextmanager
def local_cluster(n):
    """A ``distributed.LocalCluster`` of ``n`` single-threaded worker processes (closed at the end
    of the block).

    Dask's nanny puts its ``pre-spawn-environ`` into this process's ``os.environ`` just before it
    starts a worker, so the worker has it from its first line: before it imports Numba, which
    reads ``NUMBA_NUM_THREADS`` once at import (set later, Numba's next compile would read another
    value than its running thread pool's, and refuse). Ours is :data:`SINGLE_THREAD_ENV`; this
    process gets its own environment back when the cluster is closed.
    """
    import dask
    distributed = _dask()
    saved = dict(os.environ)
    spawn_env = {**dask.config.get("distributed.nanny.pre-spawn-environ"), **SINGLE_THREAD_ENV}
    try:
        # CRITICAL: a worker that loses its scheduler at Ctrl-C or at the end logs tracebacks of
        # closed connections; a point's own error reaches results.json instead
        with dask.config.set({"distributed.nanny.pre-spawn-environ": spawn_env}):
            cluster = distributed.LocalCluster(n_workers=n, threads_per_worker=1,
                                               processes=True, dashboard_address=":0",
                                               silence_logs=logging.CRITICAL)
        with cluster:
            yield cluster
    finally:                              # the nanny's additions and changes undone
        for key in set(os.environ) - set(saved):
            del os.environ[key]
        os.environ.update(saved)


def _ignore_sigint():
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _say_dashboard(client, say):
    if "dashboard" in client.scheduler_info().get("services", {}):
        say(f"Dask dashboard: {client.dashboard_link}")


def _run(client, arch, path, spec, points, records, todo, say, notify):
    distributed = _dask()
    token = uuid.uuid4().hex[:8]
    futures = {}
    try:
        say("compiling the kernels once (shared Numba cache) ...")
        warm = client.submit(warm_kernels, arch, [points[i].config for i in todo], pure=False,
                             key=f"rnnkit-warm-{token}")
        try:
            warm.result()
        except Exception as err:          # each point will then say what is wrong
            say(f"warning: the warm-up failed ({type(err).__name__}: {err})")
        notify(records, 0)
        futures = {client.submit(run_point, arch, points[i].config, str(path / points[i].name),
                                 pure=False, key=f"rnnkit-{points[i].name}-{token}"): i
                   for i in todo}
        remaining = set(futures)
        while remaining:
            try:          # wake up now and then, so the bar's running count and clock move
                done, remaining = distributed.wait(remaining, timeout=REFRESH_SECONDS,
                                                   return_when="FIRST_COMPLETED")
            except distributed.TimeoutError:
                done = ()
            for future in done:
                i = futures[future]
                try:
                    result = future.result()
                except Exception as err:      # the task died with its workers (KilledWorker)
                    result = outcome("failed", error=f"{type(err).__name__}: {err}")
                records[i] = record(points[i], result)
            if done:
                write_results(path, arch, spec, records)
            notify(records, _running(client, remaining))
    except KeyboardInterrupt:
        with contextlib.suppress(Exception):
            client.cancel(list(futures))
        for i in todo:
            if records[i]["status"] != "finished":
                records[i] = record(points[i], recorded_outcome(path / points[i].name))
        write_results(path, arch, spec, records)
        notify(records, 0)
        done = sum(rec["status"] == "finished" for rec in records)
        raise SweepInterrupted(path, f"sweep interrupted: {done} of {len(records)} points "
                                     f"finished; the others resume from their checkpoints when "
                                     f"the sweep runs again with the same --out {path}") \
            from None
