"""Experiment (not used by rnnkit): the share of the LSTM/GRU forward kernels spent in scalar
activations. Times ``lstm_forward``/``gru_forward`` at (T, B, D, u) = (50, 32, 16, 64), float32,
with the real activations (tanh, sigmoid) and with both codes set to linear: the difference is
what the per-element ``math.tanh``/``math.exp`` calls cost (an upper bound on what a vectorizable
float32 activation could save; see exp_fast_tanh.py for SimpleRNN, where it was measured).

    python benchmarks/exp_gated_activations.py
"""
import time

import numpy as np

from rnnkit.kernels.gru import gru_forward
from rnnkit.kernels.lstm import lstm_forward


def best_of(f, n=20, r=9):
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
    T, B, D, u = 50, 32, 16, 64
    rng = np.random.default_rng(0)
    X = rng.standard_normal((T, B, D)).astype(dt)
    M = np.ones((T, B), dt)
    h0 = np.zeros((B, u), dt)
    H = np.empty((T + 1, B, u), dt)
    # LSTM
    U = (rng.standard_normal((4 * u, D)) * 0.1).astype(dt)
    W = (rng.standard_normal((4 * u, u)) * 0.05).astype(dt)
    b = np.zeros(4 * u, dt)
    Z = np.empty((T, B, 4 * u), dt)
    S = np.empty((T, B, u), dt)
    C = np.empty((T + 1, B, u), dt)
    real = best_of(lambda: lstm_forward(X, h0, h0, U, W, b, M, 1, 2, Z, S, H, C))
    lin = best_of(lambda: lstm_forward(X, h0, h0, U, W, b, M, 0, 0, Z, S, H, C))
    print(f"lstm_forward (tanh, sigmoid) {real:8.1f} us | linear, linear {lin:8.1f} us | "
          f"activations {real - lin:8.1f} us = {(real - lin) / real:.0%} of the kernel")
    # GRU (reset_after=True)
    U = (rng.standard_normal((3 * u, D)) * 0.1).astype(dt)
    W = (rng.standard_normal((3 * u, u)) * 0.05).astype(dt)
    b = np.zeros((2, 3 * u), dt)
    Z = np.empty((T, B, 3 * u), dt)
    Q = np.empty((T, B, u), dt)
    real = best_of(lambda: gru_forward(X, h0, U, W, b, M, 1, 2, Z, Q, H))
    lin = best_of(lambda: gru_forward(X, h0, U, W, b, M, 0, 0, Z, Q, H))
    print(f"gru_forward  (tanh, sigmoid) {real:8.1f} us | linear, linear {lin:8.1f} us | "
          f"activations {real - lin:8.1f} us = {(real - lin) / real:.0%} of the kernel")


if __name__ == "__main__":
    main()
