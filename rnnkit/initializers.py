"""Keras' default initializers: glorot_uniform kernels, orthogonal recurrent kernels, zero biases.

Shapes here are Keras' (kernel (fan_in, fan_out)); layers transpose into the lecture's notation.
All draws come from :func:`rnnkit.config.rng`, so ``set_seed`` makes a run reproducible.
"""
import numpy as np

from . import config


def glorot_uniform(shape, dtype):
    """Uniform on [-l, l] with l = sqrt(6 / (fan_in + fan_out)) (Glorot & Bengio, 2010)."""
    fan_in, fan_out = shape
    limit = np.sqrt(6.0 / (fan_in + fan_out))
    return config.rng().uniform(-limit, limit, size=shape).astype(dtype)


def orthogonal(shape, dtype):
    """A (semi-)orthogonal matrix from the QR decomposition of a Gaussian matrix (Saxe et al., 2014)."""
    rows, cols = shape
    a = config.rng().normal(size=(max(rows, cols), min(rows, cols)))
    q, r = np.linalg.qr(a)
    q *= np.sign(np.diag(r))          # makes the decomposition unique, hence uniformly distributed
    if rows < cols:
        q = q.T
    return np.ascontiguousarray(q[:rows, :cols]).astype(dtype)


def uniform(shape, dtype, limit=0.05):
    """Uniform on [-0.05, 0.05]: Keras' default for Embedding."""
    return config.rng().uniform(-limit, limit, size=shape).astype(dtype)
