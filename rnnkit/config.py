"""Global settings: the default float type and the random generator.

``set_floatx("float32")`` makes new layers and data float32 (faster); the default is float64, in
which the lecture's numbers and the finite-difference checks are exact. ``set_seed(n)`` seeds every
random draw rnnkit makes (weight initialisation, shuffling, sampling in demos).

Code inside rnnkit never calls ``set_floatx``/``set_seed`` itself: it changes the settings only
for the length of a ``with config.scope(floatx=..., seed=...):`` block, which restores the caller's
float type and generator (the same generator object, in the same state) when the block ends, even
on an error. So no rnnkit call leaves the caller's RNG reseeded.
"""
import contextlib

import numpy as np

FLOAT_TYPES = ("float32", "float64")

_FLOATX = "float64"
_RNG = np.random.default_rng(0)


def floatx():
    """The default float type name, ``"float64"`` or ``"float32"``."""
    return _FLOATX


def _checked_floatx(name, where):
    if name not in FLOAT_TYPES:
        raise ValueError(f"{where}: expected 'float32' or 'float64', got {name!r}")
    return name


def set_floatx(name):
    """Set the default float type for layers built from now on: ``"float32"`` or ``"float64"``."""
    global _FLOATX
    _FLOATX = _checked_floatx(name, "set_floatx")


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


@contextlib.contextmanager
def scope(floatx=None, seed=None):
    """Inside the block: float type ``floatx`` and a generator seeded with ``seed`` (None: keep).

    On leaving, the float type and the generator are the caller's again, whatever happened inside.
    Yields nothing; read the settings with :func:`floatx`, :func:`dtype` and :func:`rng`.

    >>> with scope(floatx="float32", seed=0):
    ...     dtype()
    dtype('float32')
    """
    global _FLOATX, _RNG
    if floatx is not None:
        _checked_floatx(floatx, "config.scope")
    saved = (_FLOATX, _RNG)
    try:
        if floatx is not None:
            _FLOATX = floatx
        if seed is not None:
            _RNG = np.random.default_rng(seed)
        yield
    finally:
        _FLOATX, _RNG = saved
