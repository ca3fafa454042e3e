"""Experiment (not used by rnnkit): at which sizes would a plain Numba loop beat OpenBLAS for the
per-step products of a recurrent kernel, W h_{t-1} and W^T da_t?

    blas:  np.dot(W, h_prev.T, WhT), then a_t += W h_{t-1} from its columns  (as the kernels do)
    loop:  a_t[i, :] += sum_k h_prev[i, k] W^T[k, :]    a row per batch entry, the inner loop
                                                         over units (vectorisable, no reduction)

and the same for the backward product (``np.dot(WT, da.T, out)`` then a copy into rows, against
``dh[i, :] = sum_j da[i, j] W[j, :]``), float32 (or ``--dtype float64``), one BLAS thread. Prints µs per product (with its
add or copy), the fastest of 9 blocks, timed with the thread's CPU time (``time.thread_time``),
which other processes on a loaded machine do not inflate.

    OPENBLAS_NUM_THREADS=1 python benchmarks/exp_loop_product.py [--dtype float64]

Measured 2026-12-01 (load 3, thread CPU time): the loop is faster only for a batch of one row
(u <= 32: 0.01-0.16 µs against OpenBLAS's 0.08-0.16), and slower at 32 and 64 rows for every u
from 3 to 128 (at B = 32, u = 10: 1.1-1.5 µs against 0.6), float32 and float64 alike: OpenBLAS's
call costs about 0.08 µs, not most of a step. So the recurrent kernels keep np.dot at every size.
"""
import argparse
import os
import sys
import time

import numpy as np
from numba import njit

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from exp_recurrent_product import best_us  # noqa: E402


@njit(cache=True, error_model="numpy")
def blas_forward(H, W, A, n):
    u, B = W.shape[0], H.shape[0]
    WhT = np.empty((u, B), dtype=A.dtype)
    for _ in range(n):
        np.dot(W, H.T, WhT)
        for i in range(B):
            for j in range(u):
                A[i, j] += WhT[j, i]


@njit(cache=True, error_model="numpy")
def loop_forward(H, WT, A, n):
    u, B = WT.shape[0], H.shape[0]
    for _ in range(n):
        for i in range(B):
            for k in range(u):
                h = H[i, k]
                for j in range(u):
                    A[i, j] += WT[k, j] * h


@njit(cache=True, error_model="numpy")
def blas_backward(dA, WT, dH, n):
    u, B = WT.shape[0], dA.shape[0]
    dhT = np.empty((u, B), dtype=dA.dtype)
    for _ in range(n):
        np.dot(WT, dA.T, dhT)
        for i in range(B):
            for j in range(u):
                dH[i, j] = dhT[j, i]


@njit(cache=True, error_model="numpy")
def loop_backward(dA, W, dH, n):
    u, B = W.shape[0], dA.shape[0]
    for _ in range(n):
        for i in range(B):
            for k in range(u):
                dH[i, k] = 0
            for j in range(u):
                d = dA[i, j]
                for k in range(u):
                    dH[i, k] += d * W[j, k]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dtype", default="float32", choices=["float32", "float64"])
    dt = np.dtype(ap.parse_args().dtype).type
    rng = np.random.default_rng(0)
    print(f"{'B':>3} {'u':>4} {'fwd blas':>9} {'fwd loop':>9} {'bwd blas':>9} {'bwd loop':>9}"
          f"   (µs per product)")
    for B in (1, 32, 64):
        for u in (3, 10, 16, 32, 48, 64, 96, 128):
            H = rng.standard_normal((B, u)).astype(dt)
            W = rng.standard_normal((u, u)).astype(dt)
            WT = np.ascontiguousarray(W.T)
            out = np.zeros((B, u), dt)
            n = max(200, int(2e6 / (B * u * u)))
            row = [best_us(kernel, (H, M, out), n, blocks=9, clock=time.thread_time)
                   for kernel, M in ((blas_forward, W), (loop_forward, WT),
                                     (blas_backward, WT), (loop_backward, W))]
            print(f"{B:>3} {u:>4} " + " ".join(f"{v:9.3f}" for v in row), flush=True)


if __name__ == "__main__":
    main()
