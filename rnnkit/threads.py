"""How rnnkit uses the cores: BLAS threads for wide layers, batch chunks for narrow ones.

Numba's ``np.dot`` runs on SciPy's OpenBLAS. For the small matrices of a recurrent step (a batch
times a few dozen units) two BLAS threads cost more in hand-over than they gain, and on a busy
machine they can make a step ten times slower. So ``fit``, ``evaluate`` and ``predict`` run a
model whose layers (the output layer included) are narrower than ``SMALL_WIDTH`` with BLAS on one
thread, and give the cores to the recurrent kernels instead: the kernels of layers with
``splits_batch = True`` (LSTM) run the whole time loop for a block of the batch on each core
(:mod:`rnnkit.kernels.chunks`); the others run on one. A wider model leaves BLAS alone (its
threads then share each product) and splits nothing. ``train_on_batch`` does the same for a batch
that will be split, and changes nothing otherwise (see :func:`for_model`).

Setting ``OPENBLAS_NUM_THREADS`` yourself always wins: BLAS is left as you set it, and the kernels
split the batch only if you set it to 1. ``NUMBA_NUM_THREADS`` caps the number of blocks (1: no
split). A process forked after a batch was split runs the kernels serially (see
:mod:`rnnkit.kernels.chunks`).
"""
import contextlib
import os
import threading
import weakref

import numba

SMALL_WIDTH = 128
#: a block smaller than this costs more in hand-over than it saves
MIN_CHUNK_ROWS = 4

_blas_libs = None


class _ThreadState(threading.local):
    """Per Python thread: ``split`` is True inside for_model of a narrow model (BLAS on one
    thread)."""
    split = False


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


#: model -> (its layers when measured, width, splits_batches): kept until the layers change
_traits_of = weakref.WeakKeyDictionary()


def _traits(model):
    """``(width(model), splits_batches(model))``, kept for the model until its layers change."""
    layers = list(model.layers)
    kept = _traits_of.get(model)
    if (kept is None or len(kept[0]) != len(layers)
            or any(a is not b for a, b in zip(kept[0], layers))):
        kept = _traits_of[model] = (layers, width(model), splits_batches(model))
    return kept[1:]


def for_model(model, batch=None):
    """Context manager: inside the block, a model whose layers (its output layer included) all
    have fewer than SMALL_WIDTH units runs BLAS on one thread and splits batches (only BLAS if you
    set OPENBLAS_NUM_THREADS to more than 1: it wins); a wider model leaves BLAS alone and splits
    nothing, even inside a narrow model's block.

    ``batch``: the batch of a single step (``train_on_batch``). The switch costs several µs, a
    tenth of the lecture's toy model's step, so for a single step it is made only where it pays:
    when some layer will split this batch (at least 2 * MIN_CHUNK_ROWS sequences)."""
    if batch is not None and batch < 2 * MIN_CHUNK_ROWS:
        return _NO_CHANGE
    model_width, splits = _traits(model)
    if batch is not None and not splits:
        return _NO_CHANGE
    if model_width >= SMALL_WIDTH:
        return _Scope(split=False, blas=None)
    return _Scope(split=(not _user_set_blas_threads()
                         or os.environ["OPENBLAS_NUM_THREADS"].strip() == "1"), blas=1)


_NO_CHANGE = contextlib.nullcontext()


class _Scope:
    """The inside of :func:`for_model`: whether kernels split batches, and BLAS's threads."""

    def __init__(self, split, blas):
        self.split, self.blas = split, blas_threads(blas)

    def __enter__(self):
        self.blas.__enter__()
        self.before = _state.split
        _state.split = self.split
        return self

    def __exit__(self, *exc):
        _state.split = self.before
        self.blas.__exit__(*exc)


def batch_chunks(batch):
    """Into how many blocks a recurrent kernel splits a batch of ``batch`` sequences: one per
    Numba thread inside :func:`for_model` of a narrow model (at least MIN_CHUNK_ROWS rows each),
    else 1 (serial). A kernel may still use fewer (:func:`rnnkit.kernels.chunks.usable_chunks`)."""
    if not _state.split:
        return 1
    return max(1, min(numba.get_num_threads(), batch // MIN_CHUNK_ROWS))
