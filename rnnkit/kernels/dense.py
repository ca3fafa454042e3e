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
"""
import math

import numpy as np
from numba import njit

from .activations import SOFTMAX, activate_row, backprop_row


@njit(cache=True, error_model="numpy")
def dense_forward(X, V, b, code, Z, Y):
    """Fill ``Z`` = X Vᵀ + b_hy and ``Y`` = g(Z)."""
    N, k = Z.shape
    np.dot(X, V.T, Z)                                    # V h for every row at once
    for n in range(N):
        for j in range(k):
            Z[n, j] += b[j]                              # z = V h + b_hy
    if code == SOFTMAX:
        for n in range(N):
            zmax = Z[n, 0]
            for j in range(1, k):
                zmax = max(zmax, Z[n, j])
            total = Z.dtype.type(0)
            for j in range(k):
                e = math.exp(Z[n, j] - zmax)             # exp(z_k - max z): same ratios, no overflow
                Y[n, j] = e
                total += e
            for j in range(k):
                Y[n, j] /= total                         # y_k = exp(z_k) / sum_j exp(z_j)
    else:
        activate_row(Z.reshape(N * k), Y.reshape(N * k), code)   # y = g(z), every element at once


@njit(cache=True, error_model="numpy")
def dense_backward(X, V, code, Z, Y, dY, fused, dZ, dX, dV, db):
    """Fill ``dZ``, ``dX`` (N, D), ``dV`` and ``db`` from ``dY`` (or from dz itself when ``fused``).

    Pass ``dX`` of shape (0, D) when the input gradient is not needed: the kernel skips it.
    """
    N, k = Z.shape
    if fused:
        for n in range(N):
            for j in range(k):
                dZ[n, j] = dY[n, j]                      # the loss already gave dL/dz
    elif code == SOFTMAX:
        for n in range(N):
            s = Y.dtype.type(0)
            for j in range(k):
                s += dY[n, j] * Y[n, j]
            for j in range(k):
                dZ[n, j] = Y[n, j] * (dY[n, j] - s)      # backprop through softmax
    else:
        backprop_row(Z.reshape(N * k), Y.reshape(N * k), dY.reshape(N * k), dZ.reshape(N * k),
                     code)                               # dz = dy * g'(z), every element at once
    np.dot(dZ.T, X, dV)                                  # dV = sum dz hᵀ
    db[:] = 0
    for n in range(N):                                   # db_hy = sum dz
        for j in range(k):
            db[j] += dZ[n, j]
    if dX.shape[0] == N:                                 # (an empty dX: input gradient not wanted)
        np.dot(dZ, V, dX)                                # dh = Vᵀ dz
