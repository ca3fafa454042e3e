"""Experiment (not used by rnnkit): how much of SimpleRNN's forward time is the scalar tanh?

Two variants of ``rnnkit.kernels.simple_rnn.simple_rnn_forward`` for float32, same loop structure:

* ``forward_split``: the row's pre-activations are written first, then the activation runs in its
  own branch-free inner loop (``math.tanh`` still a scalar call);
* ``forward_rational``: that inner loop uses the float32 rational approximation of tanh used by
  Eigen and XLA (odd polynomial of degree 13 over even degree 6, clamped at |a| = 7.9053;
  max error ~1e-7 absolute, i.e. float32 rounding level): only mul/add/div/min/max, so LLVM
  vectorizes it (AVX2: 8 lanes).

    python benchmarks/exp_fast_tanh.py
"""
import math
import time

import numpy as np
from numba import njit

from rnnkit.kernels.simple_rnn import simple_rnn_forward


@njit(cache=True, error_model="numpy", fastmath=False)
def tanh_rational_f32(x):
    # Eigen's ptanh_float coefficients (generic_fast_tanh_float)
    c = np.float32(7.90531110763549805)
    x = min(max(x, -c), c)
    x2 = x * x
    p = np.float32(-2.76076847742355e-16)
    p = x2 * p + np.float32(2.00018790482477e-13)
    p = x2 * p + np.float32(-8.60467152213735e-11)
    p = x2 * p + np.float32(5.12229709037114e-08)
    p = x2 * p + np.float32(1.48572235717979e-05)
    p = x2 * p + np.float32(6.37261928875436e-04)
    p = x2 * p + np.float32(4.89352455891786e-03)
    p = x * p
    q = np.float32(1.19825839466702e-06)
    q = x2 * q + np.float32(1.18534705686654e-04)
    q = x2 * q + np.float32(2.26843463243900e-03)
    q = x2 * q + np.float32(4.89352518554385e-03)
    return p / q


@njit(cache=True, error_model="numpy")
def forward_split(X, h0, U, W, b, mask, A, H):
    T, B, D = X.shape
    u = W.shape[0]
    Wh = np.empty((B, u), dtype=H.dtype)
    np.dot(X.reshape(T * B, D), U.T, A.reshape(T * B, u))
    H[0] = h0
    for t in range(1, T + 1):
        np.dot(H[t - 1], W.T, Wh)
        for i in range(B):
            m = mask[t - 1, i]
            a_row = A[t - 1, i]
            h_row = H[t, i]
            p_row = H[t - 1, i]
            w_row = Wh[i]
            for j in range(u):
                a_row[j] += w_row[j] + b[j]
            for j in range(u):
                h_row[j] = m * math.tanh(a_row[j]) + (1 - m) * p_row[j]


@njit(cache=True, error_model="numpy")
def forward_rational(X, h0, U, W, b, mask, A, H):
    T, B, D = X.shape
    u = W.shape[0]
    one = H.dtype.type(1)
    Wh = np.empty((B, u), dtype=H.dtype)
    np.dot(X.reshape(T * B, D), U.T, A.reshape(T * B, u))
    H[0] = h0
    for t in range(1, T + 1):
        np.dot(H[t - 1], W.T, Wh)
        for i in range(B):
            m = mask[t - 1, i]
            a_row = A[t - 1, i]
            h_row = H[t, i]
            p_row = H[t - 1, i]
            w_row = Wh[i]
            for j in range(u):
                a = a_row[j] + w_row[j] + b[j]
                a_row[j] = a
                h_row[j] = m * tanh_rational_f32(a) + (one - m) * p_row[j]


def best_of(f, n, r=9):
    f()
    best = 1e9
    for _ in range(r):
        t = time.perf_counter()
        for _ in range(n):
            f()
        best = min(best, (time.perf_counter() - t) / n)
    return best * 1e6


def main():
    dt = np.float32
    a = np.linspace(-10, 10, 200001).astype(dt)
    err = max(abs(float(tanh_rational_f32(v)) - math.tanh(float(v))) for v in a[::7])
    print(f"rational tanh, max abs error vs math.tanh over [-10, 10]: {err:.2e}")
    for (T, B, D, u) in [(4, 1, 4, 3), (50, 32, 1, 10), (50, 32, 16, 64), (50, 64, 256, 256)]:
        rng = np.random.default_rng(0)
        X = rng.standard_normal((T, B, D)).astype(dt)
        U = (rng.standard_normal((u, D)) * 0.3).astype(dt)
        W = (rng.standard_normal((u, u)) / np.sqrt(u)).astype(dt)
        b = np.zeros(u, dt)
        M = np.ones((T, B), dt)
        h0 = np.zeros((B, u), dt)
        A = np.empty((T, B, u), dt)
        H = np.empty((T + 1, B, u), dt)
        n = max(1, int(2e5 / (T * B * u)))
        ref = best_of(lambda: simple_rnn_forward(X, h0, U, W, b, M, 1, A, H), n)
        Href = H.copy()
        lin = best_of(lambda: simple_rnn_forward(X, h0, U, W, b, M, 0, A, H), n)
        split = best_of(lambda: forward_split(X, h0, U, W, b, M, A, H), n)
        rat = best_of(lambda: forward_rational(X, h0, U, W, b, M, A, H), n)
        dev = float(np.abs(H - Href).max())
        print(f"(T,B,D,u)={(T, B, D, u)}: rnnkit tanh {ref:9.1f} us | same kernel, linear {lin:9.1f} us"
              f" | split loops {split:9.1f} us | rational tanh {rat:9.1f} us ({ref / rat:.1f}x faster;"
              f" max |dH| {dev:.1e})")


if __name__ == "__main__":
    main()
