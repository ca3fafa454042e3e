"""Global settings: the default float type and the random seed.

``set_floatx("float32")`` makes new layers and data float32 (faster); the default is float64, in which
the lecture's numbers and the finite-difference checks are exact. ``set_seed(n)`` seeds every random
draw rnnkit makes (weight initialisation, shuffling, dropout-free sampling in demos).
"""
import numpy as np

_FLOATX = "float64"
_RNG = np.random.default_rng(0)


def floatx():
    """The default float type name, ``"float64"`` or ``"float32"``."""
    return _FLOATX


def set_floatx(name):
    """Set the default float type for layers built from now on: ``"float32"`` or ``"float64"``."""
    global _FLOATX
    if name not in ("float32", "float64"):
        raise ValueError(f"set_floatx: expected 'float32' or 'float64', got {name!r}")
    _FLOATX = name


def dtype():
    """The default float type as a NumPy dtype."""
    return np.dtype(_FLOATX)


def set_seed(seed):
    """Seed every random draw rnnkit makes, for reproducible runs."""
    global _RNG
    _RNG = np.random.default_rng(seed)


def rng():
    """The shared random generator (see :func:`set_seed`)."""
    return _RNG
