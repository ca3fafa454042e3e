"""Dense (fully-connected) output layer: forward and backward, side by side.

Forward, for every row (a sequence's last state, or every timestep of every sequence)::

    z   = V h + b_hy                     Vht+bhy in the lecture's tables
    y   = g(z)                           g = linear | tanh | sigmoid | relu | softmax
    softmax: y_k = exp(z_k) / sum_j exp(z_j)   (computed as exp(z_k - max z) for stability)

Backward, given dy = dL/dy::

    dz   = dy * g'(z)                    element-wise activations
    dz   = y * (dy - sum_k dy_k y_k)     softmax (its Jacobian diag(y) - y yᵀ applied to dy)
    dV   = sum_rows dz hᵀ
    db_hy = sum_rows dz
    dh   = Vᵀ dz

When the loss is fused with the activation (softmax + cross-entropy, sigmoid + binary
cross-entropy) the caller passes dz itself and ``fused=True`` skips the activation step.

Shapes: ``X`` (N, D) rows h; ``V`` (k, D); ``b`` (k,); ``Z``, ``Y`` (N, k).

Rows never meet except in the sums dV and db_hy, so both kernels work on the rows ``lo:hi`` only
(the whole layer: ``0, N``): the layer may split a large batch across cores, each block of rows
on a thread of its own, the blocks summing their own partial dV, db_hy (:mod:`rnnkit.kernels.chunks`).
They let go of Python's lock while they run (``nogil``) for that.

The softmax's exponentials: float64 calls ``math.exp`` (exact). For float32, ``math.exp`` is a
scalar library call (about 4 ns an element here: at 256 classes a third of the forward kernel), so
float32 uses :func:`exp32`, a branch-free polynomial LLVM vectorises (8 lanes), with the row's sum
taken in eight interleaved partial sums (float32 summation order: last bits).
"""
import math

import numpy as np
from numba import njit, types
from numba.extending import overload

from .activations import SOFTMAX, activate_row, backprop_row

# exp32: exp(x) = 2^n exp(r), n = round(x / ln 2), r = x - n ln 2 in [-ln2/2, ln2/2] (ln 2 in two
# parts, so n ln 2 is exact to float32), exp(r) by Cephes' expf polynomial (degree 7, relative
# error 1e-7 on that range), 2^n written straight into a float32's exponent bits.
LOG2E = 1.44269504088896341
LN2_HI, LN2_LO = 0.693359375, -2.12194440e-4
#: below this exp(x) is not a normal float32 (2^-126 = exp(-87.34)): the kernel returns 0 there
EXP32_MIN = -87.33654
EXP32_MAX = 88.37626        # above, exp(x) overflows float32: clamped (the softmax never gets here)


@njit(cache=True, inline="always", error_model="numpy")
def exp32_parts(x, bits, j):
    """exp(x) for float32 ``x``, in two parts: returns m and writes the int32 bits of 2^n into
    ``bits[j]``, exp(x) = m * 2^n (see :func:`exp32_row`). 0 below EXP32_MIN, NaN in NaN out."""
    f = np.float32
    xc = f(EXP32_MAX) if x > f(EXP32_MAX) else x
    xc = f(EXP32_MIN) if xc < f(EXP32_MIN) else xc
    n = np.floor(xc * f(LOG2E) + f(0.5))                 # n = round(x / ln 2), a float32
    r = xc - n * f(LN2_HI) - n * f(LN2_LO)               # r = x - n ln 2, |r| <= ln2 / 2
    p = f(1.9875691500e-4)                               # exp(r) = 1 + r + r^2 p(r)
    p = p * r + f(1.3981999507e-3)
    p = p * r + f(8.3334519073e-3)
    p = p * r + f(4.1665795894e-2)
    p = p * r + f(1.6666665459e-1)
    p = p * r + f(5.0000001201e-1)
    m = p * (r * r) + r + f(1)
    bits[j] = (np.int32(n) + np.int32(127)) << np.int32(23)   # 2^n: exponent n, mantissa 1
    return m if x >= f(EXP32_MIN) else (m if x != x else f(0))  # NaN stays NaN; underflow: 0


def softmax_row(z, y, bits):
    """y = softmax(z) for one row (1-D contiguous ``z``, ``y``; ``bits`` int32 scratch of the
    same length): exact ``math.exp`` in float64, :func:`exp32_parts` in float32 (in kernels)."""


@overload(softmax_row)
def _softmax_row_for(z, y, bits):
    if isinstance(z.dtype, types.Float) and z.dtype.bitwidth == 32:
        return _softmax_row32
    return _softmax_row_exact


def _softmax_row_exact(z, y, bits):
    k = z.shape[0]
    zmax = z[0]
    for j in range(1, k):
        zmax = max(zmax, z[j])
    total = z.dtype.type(0)
    for j in range(k):
        e = math.exp(z[j] - zmax)                        # exp(z_k - max z): same ratios, no overflow
        y[j] = e
        total += e
    for j in range(k):
        y[j] /= total                                    # y_k = exp(z_k) / sum_j exp(z_j)


def _softmax_row32(z, y, bits):
    k = z.shape[0]
    k8 = k - k % 8
    zmax = z[0]
    for j in range(k8, k):
        zmax = max(zmax, z[j])
    m0 = m1 = m2 = m3 = m4 = m5 = m6 = m7 = zmax        # max z, in eight interleaved lanes
    for j in range(0, k8, 8):
        m0, m1, m2, m3 = max(m0, z[j]), max(m1, z[j + 1]), max(m2, z[j + 2]), max(m3, z[j + 3])
        m4, m5, m6, m7 = (max(m4, z[j + 4]), max(m5, z[j + 5]), max(m6, z[j + 6]),
                          max(m7, z[j + 7]))
    zmax = max(max(max(m0, m1), max(m2, m3)), max(max(m4, m5), max(m6, m7)))
    for j in range(k):
        y[j] = exp32_parts(z[j] - zmax, bits, j)         # exp(z_k - max z) = m 2^n: m ...
    scale = bits.view(np.float32)
    for j in range(k):
        y[j] *= scale[j]                                 # ... times 2^n
    zero = y.dtype.type(0)
    s0 = s1 = s2 = s3 = s4 = s5 = s6 = s7 = zero         # sum_j exp(z_j): eight interleaved sums
    for j in range(0, k8, 8):
        s0, s1, s2, s3 = s0 + y[j], s1 + y[j + 1], s2 + y[j + 2], s3 + y[j + 3]
        s4, s5, s6, s7 = s4 + y[j + 4], s5 + y[j + 5], s6 + y[j + 6], s7 + y[j + 7]
    total = ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7))
    for j in range(k8, k):
        total += y[j]
    for j in range(k):
        y[j] /= total                                    # y_k = exp(z_k) / sum_j exp(z_j)


@njit(cache=True, error_model="numpy", nogil=True)
def dense_forward(X, V, b, code, Z, Y, lo, hi):
    """Rows ``lo:hi`` of ``Z`` = X Vᵀ + b_hy and ``Y`` = g(Z)."""
    k = Z.shape[1]
    np.dot(X[lo:hi], V.T, Z[lo:hi])                      # V h for every row at once
    for n in range(lo, hi):
        for j in range(k):
            Z[n, j] += b[j]                              # z = V h + b_hy
    if code == SOFTMAX:
        bits = np.empty(k, dtype=np.int32)
        for n in range(lo, hi):
            softmax_row(Z[n], Y[n], bits)                # y = softmax(z), a row at a time
    else:
        nk = (hi - lo) * k
        activate_row(Z[lo:hi].reshape(nk), Y[lo:hi].reshape(nk), code)   # y = g(z), at once


@njit(cache=True, error_model="numpy", nogil=True)
def dense_backward(X, V, code, Z, Y, dY, fused, dZ, dX, dV, db, lo, hi):
    """Rows ``lo:hi``: fill their ``dZ`` and ``dX`` rows, and ``dV``, ``db`` with their sums (the
    whole layer's when ``lo, hi = 0, N``); from ``dY``, or from dz itself when ``fused``
    (``dZ`` may then be ``dY`` itself).

    Pass ``dX`` of shape (0, D) when the input gradient is not needed: the kernel skips it.
    """
    k = Z.shape[1]
    if fused:
        if dZ.ctypes.data != dY.ctypes.data:
            for n in range(lo, hi):
                for j in range(k):
                    dZ[n, j] = dY[n, j]                  # the loss already gave dL/dz
    elif code == SOFTMAX:
        for n in range(lo, hi):
            s = Y.dtype.type(0)
            for j in range(k):
                s += dY[n, j] * Y[n, j]
            for j in range(k):
                dZ[n, j] = Y[n, j] * (dY[n, j] - s)      # backprop through softmax
    else:
        nk = (hi - lo) * k
        backprop_row(Z[lo:hi].reshape(nk), Y[lo:hi].reshape(nk), dY[lo:hi].reshape(nk),
                     dZ[lo:hi].reshape(nk), code)        # dz = dy * g'(z), every element at once
    np.dot(dZ[lo:hi].T, X[lo:hi], dV)                    # dV = sum dz hᵀ
    for j in range(k):
        db[j] = 0
    for n in range(lo, hi):                              # db_hy = sum dz
        for j in range(k):
            db[j] += dZ[n, j]
    if dX.shape[0] > 0:                                  # (an empty dX: input gradient not wanted)
        np.dot(dZ[lo:hi], V, dX[lo:hi])                  # dh = Vᵀ dz
