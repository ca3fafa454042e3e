"""How rnnkit uses the cores: BLAS threads for wide layers, batch chunks for narrow ones.

Numba's ``np.dot`` runs on SciPy's OpenBLAS. For the small matrices of a recurrent step (a batch
times a few dozen units) two BLAS threads cost more in hand-over than they gain, and on a busy
machine they can make a step ten times slower. So ``fit``, ``evaluate``, ``predict`` and
``train_on_batch`` run a model whose layers are narrower than ``SMALL_WIDTH`` with BLAS on one
thread, and give the cores to the recurrent kernels instead: each core runs the whole time loop
for its own block of the batch (:mod:`rnnkit.kernels.chunks`). A wider model leaves BLAS alone (its
threads then share each product) and runs the kernels on one block.

Setting ``OPENBLAS_NUM_THREADS`` yourself always wins: BLAS is left as you set it, and the kernels
split the batch only if you set it to 1. ``NUMBA_NUM_THREADS`` caps the number of blocks.
"""
import contextlib
import os

import numba

SMALL_WIDTH = 128
#: a block smaller than this costs more in hand-over than it saves
MIN_CHUNK_ROWS = 4

_blas_libs = None
_split_batches = False        # True inside for_model of a narrow model: BLAS runs on one thread


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


@contextlib.contextmanager
def blas_threads(n):
    """Context manager: BLAS limited to ``n`` threads inside the block (``None``: no change).

    Talks to the libraries directly (about 2 µs) rather than through ``threadpool_limits``
    (about 20 µs), as ``train_on_batch`` enters it once per batch."""
    if n is None or _user_set_blas_threads():
        yield
        return
    libs = _blas()
    before = [lib.get_num_threads() for lib in libs]
    for lib in libs:
        lib.set_num_threads(n)
    try:
        yield
    finally:
        for lib, k in zip(libs, before):
            lib.set_num_threads(k)


def width(model):
    """The most units of any layer of ``model`` that multiplies matrices (an Embedding only
    looks rows up, so its vocabulary does not count)."""
    def units(layer):
        inner = getattr(layer, "layer", None) or getattr(layer, "forward_layer", None)
        return getattr(layer, "units", None) or (units(inner) if inner is not None else 0)
    return max((units(layer) for layer in model.layers), default=0)


@contextlib.contextmanager
def for_model(model):
    """Inside the block: one BLAS thread and batch chunks for a model narrower than SMALL_WIDTH;
    no change for a wider one."""
    global _split_batches
    narrow = width(model) < SMALL_WIDTH
    before = _split_batches
    _split_batches = narrow and (not _user_set_blas_threads()
                                 or os.environ["OPENBLAS_NUM_THREADS"].strip() == "1")
    try:
        with blas_threads(1 if narrow else None):
            yield
    finally:
        _split_batches = before


def batch_chunks(batch):
    """Into how many blocks a recurrent kernel splits a batch of ``batch`` sequences: one per
    Numba thread inside :func:`for_model` of a narrow model (at least MIN_CHUNK_ROWS rows each),
    else 1 (serial)."""
    if not _split_batches:
        return 1
    return max(1, min(numba.get_num_threads(), batch // MIN_CHUNK_ROWS))
