"""The float32 fast tanh/sigmoid (rnnkit.kernels.activations): their error bound over a dense grid,
float64 left exact, NaN and infinities, and the row functions equal to the per-element ones."""
import math

import numpy as np
import pytest
from numba import njit

from rnnkit.kernels import activations as A

# a dense grid over where tanh/sigmoid change, plus the far tails and values around 0
GRID = np.concatenate([np.linspace(-20, 20, 2_000_001), np.geomspace(1e-30, 1e-2, 20001),
                       -np.geomspace(1e-30, 1e-2, 20001), [0.0, 9.0, -9.0, 1e4, -1e4, 3e38]])

TANH_MAX_ABS_ERROR = 3.6e-7      # measured 3.54e-7 (about 6 float32 steps near +-1, as Eigen's)
SIGMOID_MAX_ABS_ERROR = 2.3e-7   # measured 2.27e-7


@njit(cache=False)
def _per_element(a, code):
    out = np.empty_like(a)
    for j in range(a.size):
        out[j] = A.activate(a[j], code)
    return out


def _row(a, code):
    out = np.empty_like(a)
    A.activate_row(a, out, code)
    return out


def _sigmoid64(a):
    return np.where(a >= 0, 1 / (1 + np.exp(-np.abs(a))), np.exp(-np.abs(a)) / (1 + np.exp(-np.abs(a))))


def test_float32_tanh_error_bound_on_a_dense_grid():
    a = GRID.astype(np.float32)
    h = _row(a, A.TANH)
    assert h.dtype == np.float32
    exact = np.tanh(a.astype(np.float64))                 # the true tanh of the float32 inputs
    assert np.abs(h - exact).max() <= TANH_MAX_ABS_ERROR
    # against NumPy's own float32 tanh: at most the two roundings apart
    assert np.abs(h - np.tanh(a)).max() <= TANH_MAX_ABS_ERROR + 6e-8
    nonzero = a != 0
    assert np.max(np.abs(h - exact)[nonzero] / np.abs(exact[nonzero])) <= 3.6e-7       # measured 3.54e-7
    small = (np.abs(a) < 1e-2) & (a != 0)
    assert np.max(np.abs(h[small] - exact[small]) / np.abs(exact[small])) <= 2.4e-7     # measured 2.36e-7
    assert np.all(np.abs(h) <= 1) and np.array_equal(np.sign(h), np.sign(a))


def test_float32_sigmoid_error_bound_on_a_dense_grid():
    a = GRID.astype(np.float32)
    s = _row(a, A.SIGMOID)
    assert s.dtype == np.float32
    exact = _sigmoid64(a.astype(np.float64))
    assert np.abs(s - exact).max() <= SIGMOID_MAX_ABS_ERROR
    with np.errstate(over="ignore"):
        assert np.abs(s - (1 / (1 + np.exp(-a)))).max() <= SIGMOID_MAX_ABS_ERROR + 1.2e-7   # NumPy float32 itself errs by 1.2e-7
    assert np.all((s >= 0) & (s <= 1))


@pytest.mark.parametrize("code", [A.TANH, A.SIGMOID, A.RELU, A.LINEAR])
def test_float64_stays_exact(code):
    a = np.linspace(-30, 30, 100_001)
    ref = {A.TANH: [math.tanh(v) for v in a],
           A.SIGMOID: [1 / (1 + math.exp(-v)) if v >= 0 else math.exp(v) / (1 + math.exp(v)) for v in a],
           A.RELU: [v if v > 0 else v * 0.0 for v in a],
           A.LINEAR: list(a)}[code]
    np.testing.assert_array_equal(_row(a, code), ref)        # bit for bit
    np.testing.assert_array_equal(_per_element(a, code), ref)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("code", [A.TANH, A.SIGMOID, A.RELU, A.LINEAR])
def test_row_equals_per_element(dtype, code):
    a = np.linspace(-12, 12, 4001).astype(dtype)
    np.testing.assert_array_equal(_row(a, code), _per_element(a, code))
    h = _row(a, code)
    dH = np.linspace(-1, 1, a.size).astype(dtype)
    dA = np.empty_like(a)
    A.backprop_row(a, h, dH, dA, code)
    want = np.array([dH[j] * A.derivative.py_func(a[j], h[j], code) for j in range(a.size)], dtype)
    np.testing.assert_array_equal(dA, want)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_nan_and_infinities(dtype):
    a = np.array([np.nan, np.inf, -np.inf], dtype)
    t, s = _row(a, A.TANH), _row(a, A.SIGMOID)
    assert np.isnan(t[0]) and np.isnan(s[0])
    np.testing.assert_array_equal(t[1:], [1, -1])
    np.testing.assert_array_equal(s[1:], [1, 0])
