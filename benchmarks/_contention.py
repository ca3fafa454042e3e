"""Shared by the threading benchmarks: a busy-loop competitor, threading modes, alternating runs.

On a shared machine absolute times drift with the other processes' load, so every benchmark here
runs the modes it compares *alternately* (default, single, default, single, ... with the order
swapped every round) and reports the ratio of their medians, with the load average at the time.
``busy()`` starts a competitor of its own that keeps one core busy (a ``while True: pass``
process), as a browser or an editor does on a student's laptop.
"""
import contextlib
import os
import statistics
import subprocess
import sys
import time

#: environment of each threading mode; "single" = every pool on one thread
MODES = {"default": {},
         "single": {"NUMBA_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}}
_THREAD_VARS = ("NUMBA_NUM_THREADS", "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "OMP_WAIT_POLICY",
                "MKL_NUM_THREADS")


def mode_env(mode, **extra):
    """``os.environ`` without any threading variable of the caller, plus ``mode``'s."""
    env = {k: v for k, v in os.environ.items() if k not in _THREAD_VARS}
    env.update(MODES[mode], **extra)
    return env


def load():
    """The 1-minute load average, as text."""
    return f"{os.getloadavg()[0]:.2f}"


@contextlib.contextmanager
def busy(enabled=True):
    """One process spinning on a core for the duration of the block (nothing if not ``enabled``)."""
    if not enabled:
        yield
        return
    proc = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    time.sleep(0.3)                     # let it reach its loop
    try:
        yield
    finally:
        proc.kill()
        proc.wait()


def wall(cmd, env):
    """Wall seconds of ``cmd`` (a list) in a fresh process; raises if it fails."""
    t0 = time.perf_counter()
    out = subprocess.run(cmd, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - t0
    if out.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{out.stderr[-2000:]}")
    return seconds, out.stdout


def alternate(run_mode, rounds, modes=("default", "single")):
    """``{mode: [seconds, ...]}`` from ``run_mode(mode)`` called in turns, the order swapped every
    round so that neither mode always runs first."""
    times = {m: [] for m in modes}
    for r in range(rounds):
        for m in (modes if r % 2 == 0 else modes[::-1]):
            times[m].append(run_mode(m))
    return times


def compare(seconds, rounds, competitor):
    """``(times, load)``: one untimed ``seconds(mode)`` per mode (it fills the Numba cache), the
    load average then, and :func:`alternate` runs with a busy-loop competitor if asked."""
    for mode in MODES:
        seconds(mode)
    at = load()
    with busy(competitor):
        return alternate(seconds, rounds), at


def header(*columns):
    """The first two lines of a Markdown table: names, then left-aligned first column."""
    print("| " + " | ".join(columns) + " |")
    print("|---|" + "--:|" * (len(columns) - 1))


def ratio(times, a="default", b="single"):
    """median(a) / median(b): above 1 means ``a`` is slower."""
    return statistics.median(times[a]) / statistics.median(times[b])


def median(xs):
    return statistics.median(xs)
