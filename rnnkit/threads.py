"""How many threads BLAS may use while rnnkit trains or predicts.

Numba's ``np.dot`` runs on SciPy's OpenBLAS. For the small matrices of a recurrent step (a batch
times a few dozen units) two BLAS threads cost more in hand-over than they gain, and on a busy
machine they can make a step ten times slower. So ``fit``, ``evaluate`` and ``predict`` run models
whose layers are narrower than ``SMALL_WIDTH`` on one BLAS thread, and leave larger ones alone.
Setting ``OPENBLAS_NUM_THREADS`` yourself always wins over this.
"""
import contextlib
import os

SMALL_WIDTH = 128

_controller = None


def _blas_controller():
    global _controller
    if _controller is None:
        # threadpoolctl sees only libraries already loaded: load the OpenBLAS that Numba's np.dot
        # calls (SciPy's) first.
        import scipy.linalg.cython_blas  # noqa: F401
        from threadpoolctl import ThreadpoolController
        _controller = ThreadpoolController()
    return _controller


def blas_threads(n):
    """Context manager: BLAS limited to ``n`` threads inside the block (``None``: no change)."""
    if n is None or "OPENBLAS_NUM_THREADS" in os.environ:
        return contextlib.nullcontext()
    return _blas_controller().limit(limits=n, user_api="blas")


def width(model):
    """The most units of any layer of ``model`` that multiplies matrices (an Embedding only
    looks rows up, so its vocabulary does not count)."""
    def units(layer):
        inner = getattr(layer, "layer", None) or getattr(layer, "forward_layer", None)
        return getattr(layer, "units", None) or (units(inner) if inner is not None else 0)
    return max((units(layer) for layer in model.layers), default=0)


def for_model(model):
    """One BLAS thread for a model narrower than SMALL_WIDTH; no change for a larger one."""
    return blas_threads(1 if width(model) < SMALL_WIDTH else None)
