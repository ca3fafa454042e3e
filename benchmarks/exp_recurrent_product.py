"""Experiment (not used by rnnkit): which orientation of the per-step products W h_{t-1} and
W^T da_t is faster, for every cell's shape of W, inside ``@njit`` as the kernels call them.

    rows:    np.dot(h_prev, W.T, out)     (B, u) x (u, gu) -> (B, gu)    a row per batch entry
    columns: np.dot(W, h_prev.T, out)     (gu, u) x (u, B) -> (gu, B)    a column per batch entry

and the same for the backward product (``np.dot(da, W, out)`` against ``np.dot(WT, da.T, out)``),
with g = 1 (SimpleRNN), 3 (GRU), 4 (LSTM) stacked gates, float32, one thread (run it with
``OPENBLAS_NUM_THREADS=1``, as the benchmarks' ``--threads 1``). Prints µs per call, the fastest of
several blocks of 2,000 calls.

    OPENBLAS_NUM_THREADS=1 python benchmarks/exp_recurrent_product.py
"""
import time

import numpy as np
from numba import njit


@njit(cache=True)
def rows_forward(H, W, out, n):
    for _ in range(n):
        np.dot(H, W.T, out)


@njit(cache=True)
def columns_forward(H, W, out, n):
    for _ in range(n):
        np.dot(W, H.T, out)


@njit(cache=True)
def rows_backward(dA, W, out, n):
    for _ in range(n):
        np.dot(dA, W, out)


@njit(cache=True)
def columns_backward(dA, WT, out, n):
    for _ in range(n):
        np.dot(WT, dA.T, out)


def best_us(f, args, n=2000, blocks=7, clock=time.perf_counter):
    """µs per call of ``f(*args, n)`` (a kernel that loops n times), the fastest of ``blocks``."""
    f(*args, 10)
    best = 1e9
    for _ in range(blocks):
        t = clock()
        f(*args, n)
        best = min(best, (clock() - t) / n)
    return best * 1e6


def main():
    dt = np.float32
    rng = np.random.default_rng(0)
    print(f"{'cell':<11} {'B':>3} {'u':>4} {'fwd rows':>9} {'fwd cols':>9} {'bwd rows':>9} "
          f"{'bwd cols':>9}   (µs per product)")
    for B, u in [(1, 3), (16, 64), (32, 64)]:
        for cell, g in [("SimpleRNN", 1), ("GRU", 3), ("LSTM", 4)]:
            H = rng.standard_normal((B, u)).astype(dt)
            dA = rng.standard_normal((B, g * u)).astype(dt)
            W = rng.standard_normal((g * u, u)).astype(dt)
            WT = np.ascontiguousarray(W.T)
            times = [best_us(rows_forward, (H, W, np.empty((B, g * u), dt))),
                     best_us(columns_forward, (H, W, np.empty((g * u, B), dt))),
                     best_us(rows_backward, (dA, W, np.empty((B, u), dt))),
                     best_us(columns_backward, (dA, WT, np.empty((u, B), dt)))]
            print(f"{cell:<11} {B:>3} {u:>4} " + " ".join(f"{t:>9.2f}" for t in times), flush=True)


if __name__ == "__main__":
    main()
