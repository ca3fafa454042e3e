"""Dense on blocks of rows and its float32 softmax: the split layer gives the unsplit layer's
numbers (float32 rounding of the sums dV, db_hy), and the vectorised float32 exp and softmax
(rnnkit.kernels.dense.exp32_parts) match NumPy's float64 ones; float64 stays exact."""
import numpy as np
import pytest
from numba import njit

from rnnkit import threads
from rnnkit.kernels import dense as kernels
from rnnkit.layers import Dense


@njit(cache=True)
def _exp32(x):
    """exp32_parts on every element of the float32 array ``x``: m 2^n."""
    bits = np.empty(x.shape[0], dtype=np.int32)
    out = np.empty_like(x)
    for j in range(x.shape[0]):
        out[j] = kernels.exp32_parts(x[j], bits, j)
    return out * bits.view(np.float32)


def test_exp32_is_within_two_float32_steps_of_exp_and_zero_below_the_normals():
    x = np.linspace(kernels.EXP32_MIN, 88.0, 2_000_003, dtype=np.float32)
    exact = np.exp(x.astype(np.float64))
    assert np.max(np.abs(_exp32(x) - exact) / exact) < 2.4e-7          # 2 float32 steps: 2^-22
    assert np.all(_exp32(np.float32([-87.4, -100.0, -np.inf])) == 0)   # would be subnormal: 0
    assert _exp32(np.float32([0.0]))[0] == 1
    assert np.isnan(_exp32(np.float32([np.nan]))[0])


def _softmax_numpy(z32):
    """The softmax of float32 logits, as the kernels compute it (z - max z rounded to float32),
    then in float64."""
    x = (z32 - z32.max(axis=1, keepdims=True)).astype(np.float64)
    e = np.exp(x)
    return e / e.sum(axis=1, keepdims=True)


@pytest.mark.parametrize("k", [1, 7, 8, 9, 17, 256])
def test_float32_softmax_matches_numpy(k):
    r = np.random.default_rng(k)
    Z = (r.standard_normal((5, k)) * 8).astype(np.float32)
    Z[0, :] = 0                                   # all equal: 1/k each
    Z[1, 0] = 200                                 # the others underflow to 0
    Y = np.empty_like(Z)
    bits = np.empty(k, dtype=np.int32)
    for n in range(5):
        _softmax_row(Z[n], Y[n], bits)
    ref = _softmax_numpy(Z)
    np.testing.assert_allclose(Y, ref, rtol=1e-6, atol=1e-37)
    np.testing.assert_allclose(Y.sum(axis=1), 1, rtol=2e-6)


@njit(cache=True)
def _softmax_row(z, y, bits):
    kernels.softmax_row(z, y, bits)


def test_float64_softmax_is_exact():
    r = np.random.default_rng(1)
    Z = r.standard_normal((4, 33)) * 20
    Y = np.empty_like(Z)
    bits = np.empty(33, dtype=np.int32)
    for n in range(4):
        _softmax_row(Z[n], Y[n], bits)
    e = np.exp(Z - Z.max(axis=1, keepdims=True))
    np.testing.assert_allclose(Y, e / e.sum(axis=1, keepdims=True), rtol=1e-12, atol=1e-300)


def _forward_backward(layer, x, dy, chunks, monkeypatch, **backward):
    monkeypatch.setattr(threads, "MIN_CHUNK_MACS", 0)            # split this small layer all the same
    monkeypatch.setattr(threads, "batch_chunks", lambda rows, macs: chunks)
    y = layer(x)
    dx = layer.backward(dy, **backward)
    return y, dx, layer.grads["V"].copy(), layer.grads["b"].copy()


@pytest.mark.parametrize("dtype, rtol", [(np.float64, 1e-12), (np.float32, 2e-5)])
@pytest.mark.parametrize("activation, fused", [("softmax", False), ("softmax", True),
                                                ("tanh", False), ("linear", False)])
@pytest.mark.parametrize("chunks, need_dx", [(2, True), (3, True), (2, False)])
def test_dense_split_into_row_blocks_equals_the_unsplit_layer(monkeypatch, dtype, rtol, activation,
                                                              fused, chunks, need_dx):
    r = np.random.default_rng(chunks)
    x = r.standard_normal((7, 5, 6)).astype(dtype)    # 35 rows: blocks of 17 and 18, or 11 and 12
    dy = r.standard_normal((7, 5, 9)).astype(dtype)
    layer = Dense(9, activation=activation, dtype=dtype)
    layer.build(x.shape[1:])
    one = _forward_backward(layer, x, dy.copy(), 1, monkeypatch, fused=fused, need_dx=need_dx)
    split = _forward_backward(layer, x, dy.copy(), chunks, monkeypatch, fused=fused,
                              need_dx=need_dx)
    np.testing.assert_array_equal(split[0], one[0])                      # y: row by row, the same
    for a, b in zip(split[1:], one[1:]):                                 # dx, dV, db_hy
        if b is None:
            assert a is None
        else:
            np.testing.assert_allclose(a, b, rtol=rtol, atol=rtol)
    # and the split sums are really the NumPy sums: dV = dzᵀ h, db_hy = Σ dz (fused: dz = dy)
    if fused:
        dz = dy.reshape(-1, 9).astype(np.float64)
        h = x.reshape(-1, 6).astype(np.float64)
        np.testing.assert_allclose(split[2], dz.T @ h, rtol=rtol, atol=10 * rtol)
        np.testing.assert_allclose(split[3], dz.sum(axis=0), rtol=rtol, atol=10 * rtol)
