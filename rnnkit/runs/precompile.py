"""A first run compiles its kernels in a helper process while it loads its data.

On an empty kernel cache a training command compiles every kernel it uses: Numba's compiler, on
one core, about 10 s. Before its first kernel call the command loads its data, on one core too
(pos-tagging reads and encodes its corpus for about 5 s). So :func:`compiling_meanwhile` starts a
helper process for the time the data load takes: the helper trains the same architecture with the
same configuration for one epoch on its ``small_data`` and evaluates it, which calls every kernel
the real run calls, with the same element types and array layouts, so Numba compiles them and
writes them to its on-disk cache. When the data are in, the command waits for the helper; its own
first call of each kernel then loads it from the cache (a few ms).

Only when it can pay: the cache is empty (:func:`rnnkit.kernels.cache_is_empty`, as for the "first
run" message), the process may use two cores or more (:func:`rnnkit.threads.usable_cores`:
``NUMBA_NUM_THREADS=1`` means one), and the data load is still running after
:data:`START_AFTER_SECONDS` (a helper's own start, about 1 s of Python, NumPy and Numba imports,
would cost a quick load more than it saves). With the other core busy the helper and the command
share one core: the compile takes its usual time plus that start. A helper that fails (an
architecture it cannot load by name, a plugin whose ``small_data`` breaks) changes nothing: the
command compiles what is missing itself, as without it; one that outlives
:data:`TIMEOUT_SECONDS` is stopped. The helper runs its kernels on one thread
(``NUMBA_NUM_THREADS=1``, ``OPENBLAS_NUM_THREADS=1``): the kernels it compiles are the same.
"""
import json
import os
import subprocess
import sys
import threading
from contextlib import contextmanager

import numpy as np

from .. import config as config_mod, kernels, plugins, threads
from ..fileio import jsonable

#: a helper still compiling after this long is stopped (a first compile takes 10-15 s)
TIMEOUT_SECONDS = 300
#: the helper starts only once the data load has taken this long: a helper costs about 1 s of
#: start-up (Python, NumPy, Numba), which a load of a fraction of a second cannot hide
START_AFTER_SECONDS = 0.5
#: what the helper process runs (a ``-c`` program: ``-m`` would import this module twice)
HELPER_CODE = ("import json, sys; from rnnkit.runs.precompile import compile_kernels; "
               "compile_kernels(**json.loads(sys.argv[1]))")


def worth_it():
    """Whether a helper would compile in parallel: an empty cache and two usable cores."""
    return kernels.cache_is_empty() and threads.usable_cores() >= 2


def start(arch_name, config):
    """Start the helper for architecture ``arch_name`` and the resolved ``config``; its Popen."""
    request = json.dumps({"arch_name": arch_name, "config": jsonable(config)})
    env = dict(os.environ, NUMBA_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1")
    return subprocess.Popen([sys.executable, "-c", HELPER_CODE, request], env=env,
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)


def stop(helper):
    """End ``helper`` at once (its cache files are written atomically: none is left half done)."""
    if helper is not None and helper.poll() is None:
        helper.kill()
        helper.wait()


class _DelayedStart:
    """:func:`start` after START_AFTER_SECONDS on a timer thread, unless :meth:`close` came
    first."""

    def __init__(self, arch_name, config):
        self._lock = threading.Lock()
        self._helper, self._closed = None, False
        self._timer = threading.Timer(START_AFTER_SECONDS, self._start, (arch_name, config))
        self._timer.daemon = True
        self._timer.start()

    def _start(self, arch_name, config):
        with self._lock:
            if not self._closed:
                self._helper = start(arch_name, config)

    def close(self):
        """No start from now on; the helper started so far, or None."""
        self._timer.cancel()
        with self._lock:
            self._closed = True
            return self._helper


@contextmanager
def compiling_meanwhile(arch_name, config):
    """While the block runs, a helper compiles the kernels of ``arch_name`` with ``config`` (when
    :func:`worth_it`, and once the block has run for START_AFTER_SECONDS); leaving the block waits
    for it, or stops it if the block raised (or the wait was interrupted)."""
    if not worth_it():
        yield
        return
    delayed = _DelayedStart(arch_name, config)
    helper = None
    try:
        yield
        helper = delayed.close()
        if helper is not None:
            helper.wait(timeout=TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired:
        pass                          # stopped below: the command compiles what is missing itself
    finally:
        stop(helper if helper is not None else delayed.close())


def compile_kernels(arch_name, config):
    """What the helper does: one epoch of ``arch_name`` on its ``small_data``, then evaluate."""
    arch = plugins.get(arch_name)
    config = dict(config, epochs=1, initial_epoch=0)
    from .train import _apply_optimizer_options, build_on
    with np.errstate(all="ignore"), config_mod.scope(floatx=config["floatx"], seed=config["seed"]):
        data = arch.small_data(config)
        model = arch.build_model(config, jsonable(data.meta))
        _apply_optimizer_options(model, config)
        if not model.built:
            build_on(model, data.train[0])
        arch.fit(model, data, config, callbacks=[], verbose=0)
        arch.evaluate(model, data)
