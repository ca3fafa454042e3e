"""Losses and their gradients, averaged over every unmasked target position (as Keras).

Every kernel takes predictions ``Y`` (N, k) (one row per target position: a sequence, or a
timestep of a sequence), targets, and weights ``w`` (N,) that are 1 for real positions and 0 for
padding. With S = sum_n w_n the number of counted positions::

    MSE   L = (1/S) sum_n w_n (1/k) sum_j (y_nj - t_nj)^2          dL/dy = (2/k) w_n (y - t) / S
    BCE   L = (1/S) sum_n w_n (1/k) sum_j -[t log y + (1-t) log(1-y)]
                                                   dL/dy = w_n (y - t) / (k y (1 - y) S)
    CCE   L = (1/S) sum_n w_n (-sum_j t_nj log y_nj)                dL/dy = -w_n t / (y S)

Probabilities are clipped to [eps, 1 - eps], eps = 1e-7, as Keras does.

Fused with the output activation, the gradient with respect to the logits z is simply::

    softmax + CCE:   dL/dz = w_n (y - t) / S       L = -sum_j t_j log y_j, unclipped (see below)
    sigmoid + BCE:   dL/dz = w_n (y - t) / (k S)   L computed from z as max(z,0) - t z + log(1+e^-|z|)

which is both cheaper and exact where the clipped form is not. Sparse targets are class indices.

The fused softmax loss reads the probabilities y the output layer already computed, so the k
exponentials per row are not computed a second time (at 256 classes they were half the loss's
cost): -log y_c is as accurate as log sum_j exp(z_j) - z_c as long as y_c is a normal floating-point
number. Where it is not (y_c below the smallest normal, i.e. z_c more than ~708 (float64) or ~87
(float32) below the largest logit), that row falls back to the log-sum-exp form, so the value stays
exact, never infinite, and needs no clipping.
"""
import math

import numpy as np
from numba import njit

EPS = 1e-7


@njit(cache=True, error_model="numpy")
def mse(Y, T, w, dY):
    """Mean squared error; fills ``dY`` = dL/dy and returns L."""
    N, k = Y.shape
    S = w.sum()
    total = 0.0
    for n in range(N):
        for j in range(k):
            d = Y[n, j] - T[n, j]
            total += w[n] * d * d / k
            dY[n, j] = 2 * w[n] * d / (k * S)
    return total / S


@njit(cache=True, error_model="numpy")
def binary_crossentropy(Y, T, w, dY):
    """Binary cross-entropy on probabilities ``Y``; fills ``dY`` and returns L."""
    N, k = Y.shape
    S = w.sum()
    total = 0.0
    for n in range(N):
        for j in range(k):
            y = min(max(Y[n, j], EPS), 1 - EPS)
            t = T[n, j]
            total -= w[n] * (t * math.log(y) + (1 - t) * math.log(1 - y)) / k
            dY[n, j] = w[n] * (y - t) / (k * y * (1 - y) * S)
    return total / S


@njit(cache=True, error_model="numpy")
def sigmoid_binary_crossentropy(Z, Y, T, w, dZ):
    """BCE fused with the sigmoid: from logits ``Z`` (``Y`` = sigmoid(Z)); fills dL/dz, returns L."""
    N, k = Z.shape
    S = w.sum()
    total = 0.0
    for n in range(N):
        for j in range(k):
            z, t = Z[n, j], T[n, j]
            total += w[n] * (max(z, 0.0) - t * z + math.log1p(math.exp(-abs(z)))) / k
            dZ[n, j] = w[n] * (Y[n, j] - t) / (k * S)
    return total / S


@njit(cache=True, error_model="numpy")
def categorical_crossentropy(Y, T, w, dY):
    """Categorical cross-entropy on probabilities ``Y`` and one-hot ``T``; fills dY, returns L."""
    N, k = Y.shape
    S = w.sum()
    total = 0.0
    for n in range(N):
        for j in range(k):
            y = min(max(Y[n, j], EPS), 1 - EPS)
            total -= w[n] * T[n, j] * math.log(y)
            dY[n, j] = -w[n] * T[n, j] / (y * S)
    return total / S


@njit(cache=True, error_model="numpy")
def _log_sum_exp_minus(Z, n, c):
    """log sum_j exp(z_nj) - z_nc for row ``n``: -log softmax(z)_c without underflow."""
    k = Z.shape[1]
    zmax = Z[n, 0]
    for j in range(1, k):
        zmax = max(zmax, Z[n, j])
    lse = 0.0
    for j in range(k):
        lse += math.exp(Z[n, j] - zmax)
    return zmax + math.log(lse) - Z[n, c]


@njit(cache=True, error_model="numpy")
def softmax_crossentropy(Z, Y, T, w, dZ):
    """CCE fused with softmax: from logits ``Z`` (``Y`` = softmax(Z)) and one-hot ``T``."""
    N, k = Z.shape
    S = w.sum()
    tiny = np.finfo(Y.dtype).tiny                        # smallest normal number of Y's type
    total = 0.0
    for n in range(N):
        for j in range(k):
            t = T[n, j]
            if t != 0:                                   # -t log softmax(z), from the stored y
                y = Y[n, j]
                total += w[n] * t * (-math.log(y) if y >= tiny else _log_sum_exp_minus(Z, n, j))
        for j in range(k):                               # (a loop of its own: no branch, so
            dZ[n, j] = w[n] * (Y[n, j] - T[n, j]) / S    # it vectorises) dL/dz = y - t
    return total / S


@njit(cache=True, error_model="numpy")
def sparse_categorical_crossentropy(Y, labels, w, dY):
    """CCE with integer class ``labels`` (N,) on probabilities ``Y``; fills dY, returns L."""
    N, k = Y.shape
    S = w.sum()
    total = 0.0
    dY[:] = 0
    for n in range(N):
        c = labels[n]
        y = min(max(Y[n, c], EPS), 1 - EPS)
        total -= w[n] * math.log(y)
        dY[n, c] = -w[n] / (y * S)
    return total / S


@njit(cache=True, error_model="numpy")
def sparse_softmax_crossentropy(Z, Y, labels, w, dZ):
    """Sparse CCE fused with softmax, from logits ``Z``; fills dL/dz and returns L."""
    N, k = Z.shape
    S = w.sum()
    tiny = np.finfo(Y.dtype).tiny
    total = 0.0
    for n in range(N):
        c = labels[n]
        y = Y[n, c]
        total += w[n] * (-math.log(y) if y >= tiny else _log_sum_exp_minus(Z, n, c))
        for j in range(k):
            dZ[n, j] = w[n] * Y[n, j] / S
        dZ[n, c] -= w[n] / S
    return total / S
