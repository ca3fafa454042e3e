"""How rnnkit uses the cores: one BLAS thread, and recurrent layers that split the batch.

Numba's ``np.dot`` runs on SciPy's OpenBLAS. For the matrices of a recurrent step (a batch times a
few dozen or hundred units) two BLAS threads cost more in hand-over than they gain, at every
width measured (96 to 256 units; ``benchmarks/bench_widths.py``), and on a machine with a busy
core they make a step up to ten times slower: OpenBLAS splits each product in two equal halves,
and the half whose thread shares a core with another program arrives late at every product. So
``fit``, ``evaluate`` and ``predict`` run BLAS on one thread, whatever the width, and give the
cores to the recurrent kernels instead: the layers with ``splits_batch = True`` (SimpleRNN, GRU,
LSTM) run the whole time loop for a block of the batch on each core
(:mod:`rnnkit.kernels.chunks`), so the cores meet a few times per kernel call, not at every
product; a Dense layer with as much work splits its rows the same way. A layer splits only where it pays (:func:`batch_chunks`): a block must have at least
MIN_CHUNK_ROWS rows and MIN_CHUNK_MACS multiply-adds, else the hand-over to another thread (10-50
µs) costs more than it saves, and the layer stays on the calling thread. ``train_on_batch`` does
the same for a model with work enough to split, and changes nothing otherwise (see
:func:`for_model`).

The blocks run on worker threads of rnnkit's own (Python threads running the kernels, which let
go of Python's lock), not on Numba's OpenMP pool: a waiting worker sleeps on a lock. An OpenMP
thread that waits *spins* by default, and a spinning thread that shares a core with another
program steals the time the block it waits for needs (measured: 2.7 s against 0.7 s for an epoch
with one busy core); and Numba's ``parallel`` kernels compiled the cell's steps a second time
(14 s on a first run). rnnkit still sets ``OMP_WAIT_POLICY=PASSIVE`` on import unless you set it
yourself (:func:`_wait_passively`), for any Numba ``parallel`` code of your own.

Setting ``OPENBLAS_NUM_THREADS`` yourself always wins: BLAS is left as you set it, and the kernels
split the batch only if you set it to 1. ``NUMBA_NUM_THREADS`` caps the number of blocks (1: no
split), as does the process's CPU affinity (:func:`usable_cores`). A process forked after a split
makes new workers (see :mod:`rnnkit.kernels.chunks`).
"""
import contextlib
import os
import threading
import weakref

import numba

#: a block of fewer rows than this costs more in hand-over than it saves
MIN_CHUNK_ROWS = 4
#: nor a block of fewer multiply-adds (of a layer's forward products) than this. Measured with
#: every cell, split in two against one thread, at load 4 (benchmarks/README.md): layers of 8 M
#: multiply-adds or less were 1.2-1.4x slower split, of 16 M or more 0.8-0.9x (a hand-over costs
#: 10-50 µs per stage, four stages a step)
MIN_CHUNK_MACS = 5_000_000

#: OpenBLAS runs one product (m·n·k multiply-adds) on a second thread from about this size on,
#: and its second thread then spins: measured in Numba's np.dot, float32, 2 threads against 1,
#: process CPU time per product: 327,680 multiply-adds stayed on one thread, 655,360 took 6x the
#: CPU time, 100x100x100 7.7x (OpenBLAS's own rule: 65,536 x GEMM_MULTITHREAD_THRESHOLD 4)
BLAS_THREADED_MACS = 262_144

_blas_libs = None


def _wait_passively():
    """Let idle OpenMP threads sleep instead of spinning, unless the user chose a policy: read by
    GNU OpenMP when Numba loads it (a ``parallel`` kernel's first call, ``numba.get_num_threads``),
    so this must run before."""
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")


_wait_passively()


class _ThreadState(threading.local):
    """Per Python thread: ``split`` is True inside for_model (BLAS on one thread); ``big``: a layer
    asked :func:`batch_chunks` with products big enough for OpenBLAS to run them on two threads
    (BLAS_THREADED_MACS), or work enough to split, since the innermost for_model began."""
    split = False
    big = False


_state = _ThreadState()


def _blas():
    """The OpenBLAS libraries loaded in this process (NumPy's and SciPy's), via threadpoolctl."""
    global _blas_libs
    if _blas_libs is None:
        # threadpoolctl sees only libraries already loaded: load the OpenBLAS that Numba's np.dot
        # calls (SciPy's) first.
        import scipy.linalg.cython_blas  # noqa: F401
        from threadpoolctl import ThreadpoolController
        _blas_libs = [lib for lib in ThreadpoolController().lib_controllers
                      if lib.user_api == "blas"]
    return _blas_libs


def _user_set_blas_threads():
    return "OPENBLAS_NUM_THREADS" in os.environ


class blas_threads:
    """Context manager: BLAS limited to ``n`` threads inside the block (``None``: no change).

    Talks to the libraries directly and only when their setting differs (a few µs) rather than
    through ``threadpool_limits`` (about 20 µs): ``train_on_batch`` enters it once per batch."""

    def __init__(self, n):
        self.n = None if _user_set_blas_threads() else n
        self.changed = []

    def __enter__(self):
        if self.n is not None:
            for lib in _blas():
                before = lib.get_num_threads()
                if before != self.n:
                    lib.set_num_threads(self.n)
                    self.changed.append((lib, before))
        return self

    def __exit__(self, *exc):
        for lib, before in self.changed:
            lib.set_num_threads(before)
        self.changed = []


def _leaf_layers(model):
    """The layers of ``model``, wrappers (Bidirectional, TimeDistributed) replaced by the layers
    they wrap (``Layer.sublayers()``)."""
    def leaves(layer):
        inner = layer.sublayers()
        if not inner:
            yield layer
        for i in inner:
            yield from leaves(i)
    for layer in model.layers:
        yield from leaves(layer)


def width(model):
    """The widest matrix product of any layer of ``model`` (``Layer.matmul_width``: its units; an
    Embedding only looks rows up, so its vocabulary does not count)."""
    return max((layer.matmul_width for layer in _leaf_layers(model)), default=0)


def splits_batches(model):
    """Whether some layer of ``model`` has kernels that split a batch (``Layer.splits_batch``)."""
    return any(layer.splits_batch for layer in _leaf_layers(model))


#: model -> (its layers when measured, splits_batches, {batch size: whether a step of that size
#: had a layer with work enough to split}):
#: kept until the layers change
_traits_of = weakref.WeakKeyDictionary()


def _traits(model):
    """The model's entry of ``_traits_of``, made afresh when its layers changed."""
    layers = list(model.layers)
    kept = _traits_of.get(model)
    if kept is None or kept[0] != layers:              # (layers compare by identity)
        kept = _traits_of[model] = (layers, splits_batches(model), {})
    return kept


def for_model(model, batch=None):
    """Context manager: inside the block BLAS runs on one thread and the recurrent layers split
    batches where it pays (:func:`batch_chunks`; only BLAS if you set OPENBLAS_NUM_THREADS to more
    than 1: it wins), whatever the model's width: a split batch is faster than two BLAS threads at
    every width measured, and does not stall when a core is busy.

    ``batch``: the batch of a single step (``train_on_batch``). The switch costs several µs, a
    tenth of the lecture's toy model's step, so for a single step it is made only where it pays:
    when some layer may split this batch (at least 2 * MIN_CHUNK_ROWS sequences), and, once a step
    of this model at this batch size has run, only if some layer's products were big enough for
    OpenBLAS to run them on two threads (BLAS_THREADED_MACS): a model whose products all stay on
    one BLAS thread anyway is never switched again (a longer sequence of the same batch size then
    stays unswitched too). A model between the two sizes, too small to split but big enough for
    two BLAS threads (delayed-recall's LSTM(16): its dW is a 64 x 640 x 16 product), is switched
    at every step: left to two BLAS threads, it ran slower with a core busy than on one thread."""
    if batch is not None:
        if batch < 2 * MIN_CHUNK_ROWS:                  # decided before the model is looked at
            return _NO_CHANGE
        traits = _traits(model)
        if not traits[1] or traits[2].get(batch) is False:
            return _NO_CHANGE
        return _Scope(split=_may_split(), blas=1, remember=(traits[2], batch))
    return _Scope(split=_may_split(), blas=1)


def _may_split():
    return not _user_set_blas_threads() or os.environ["OPENBLAS_NUM_THREADS"].strip() == "1"


_NO_CHANGE = contextlib.nullcontext()


class _Scope:
    """The inside of :func:`for_model`: whether kernels split batches, and BLAS's threads;
    ``remember``: (a dict, a batch size) to record in whether some layer's products were big
    enough for OpenBLAS to use a second thread (else the switch is skipped from then on)."""

    def __init__(self, split, blas, remember=None):
        self.split, self.blas, self.remember = split, blas_threads(blas), remember

    def __enter__(self):
        self.blas.__enter__()
        self.before = _state.split, _state.big
        _state.split, _state.big = self.split, False
        return self

    def __exit__(self, *exc):
        if self.remember is not None and exc[0] is None:
            seen, batch = self.remember
            seen[batch] = _state.big
        _state.split, _state.big = self.before
        self.blas.__exit__(*exc)


def usable_cores():
    """The cores this process may run on (its CPU affinity), at most ``NUMBA_NUM_THREADS``."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:                     # macOS, Windows
        cores = os.cpu_count() or 1
    return max(1, min(cores, numba.config.NUMBA_NUM_THREADS))


def batch_chunks(batch, macs):
    """Into how many blocks a recurrent kernel splits a batch of ``batch`` sequences whose forward
    products take ``macs`` multiply-adds (``recurrent_macs``), or a Dense layer its ``batch`` rows
    (N·k·D multiply-adds): inside :func:`for_model`, one per
    usable core, but none of fewer than MIN_CHUNK_ROWS rows or MIN_CHUNK_MACS multiply-adds
    (small layers stay on the calling thread: the hand-over would cost more than it saves); else 1
    (serial). A kernel may still use fewer (:func:`rnnkit.kernels.chunks.usable_chunks`)."""
    if not _state.split:
        return 1
    _state.big = _state.big or macs >= min(BLAS_THREADED_MACS, 2 * MIN_CHUNK_MACS)
    return max(1, min(usable_cores(), batch // MIN_CHUNK_ROWS, macs // MIN_CHUNK_MACS))


def recurrent_macs(X, units, gates):
    """The multiply-adds of a recurrent layer's forward products on the time-major input ``X``
    (T, B, D), for ``units`` units and ``gates`` blocks of rows in U and W (SimpleRNN 1, GRU 3,
    LSTM 4): U x_t and W h_{t-1} for every step and row, T·B·gates·u·(D + u). Backward costs
    about twice that. No single product of the layer, forward or backward, is bigger (the largest,
    dW = Σ da h_{t-1}ᵀ, is gates·u x T·B x u)."""
    T, B, D = X.shape
    return T * B * gates * units * (D + units)
