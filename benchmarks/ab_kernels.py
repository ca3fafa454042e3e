"""Before/after timing of the recurrent kernels in one process, blocks taking turns.

On a shared machine the speed drifts by tens of percent over minutes, so two benchmark runs taken
minutes apart cannot show a 5% change. This script imports two copies of the kernels (this
checkout's ``rnnkit.kernels`` and another copy under another package name) and times one forward
call of each cell, then forward + backward, float32, alternating between the two copies block by
block, so both see the same load. Only the kernels are timed: the rest of a training step is the
same code.

    mkdir -p /tmp/orig && git archive REV rnnkit/kernels | tar -x -C /tmp/orig
    mv /tmp/orig/rnnkit/kernels /tmp/orig/oldkernels
    OPENBLAS_NUM_THREADS=1 python benchmarks/ab_kernels.py --package oldkernels --path /tmp/orig

The copy's ``__init__.py`` may import from ``..``: it is not run (the copy is loaded as a namespace
of its modules). ``--chunks 2`` times the LSTM's batch-split kernels too.
"""
import argparse
import importlib
import importlib.util
import statistics
import sys
import time
import types
from pathlib import Path

import numpy as np

CONFIGS = [(1, 4, 4, 3), (32, 50, 16, 64)]           # (B, T, D, u), as bench_train_step's tagging


def load_copy(package, path):
    """Import the kernel modules of folder ``path/package`` as package ``package``, without its
    ``__init__.py``."""
    folder = Path(path) / package
    pkg = types.ModuleType(package)
    pkg.__path__ = [str(folder)]
    sys.modules[package] = pkg
    for name in ("activations", "chunks", "simple_rnn", "gru", "lstm"):
        importlib.import_module(f"{package}.{name}")
    return pkg


def cell_calls(kernels, cell, cfg, chunks, need_dx):
    """Two zero-argument functions: one forward call of ``cell``, and forward + backward (the
    backward kernel needs a fresh forward's arrays, so it is timed as the difference)."""
    A = sys.modules[kernels.__name__ + ".activations"]
    B, T, D, u = cfg
    r = np.random.default_rng(0)
    f32 = np.float32

    def rand(*shape, scale=1.0):
        return (r.standard_normal(shape) * scale).astype(f32)

    X, mask, G = rand(T, B, D), np.ones((T, B), f32), rand(T, B, u)
    h0 = np.zeros((B, u), f32)
    dX, dh0 = np.empty((T if need_dx else 0, B, D), f32), np.empty((B, u), f32)
    H = np.empty((T + 1, B, u), f32)
    tanh, sigmoid = A.TANH, A.SIGMOID
    if cell == "simple_rnn":
        K = sys.modules[kernels.__name__ + ".simple_rnn"]
        U, W, b = rand(u, D, scale=0.3), rand(u, u, scale=0.3), rand(u, scale=0.1)
        Aa, dA = np.empty((T, B, u), f32), np.empty((T, B, u), f32)
        dU, dW, db = np.empty_like(U), np.empty_like(W), np.empty_like(b)

        def forward():
            K.simple_rnn_forward(X, h0, U, W, b, mask, tanh, Aa, H)

        def both():
            forward()
            K.simple_rnn_backward(X, U, W, mask, tanh, Aa, H, G, dA, dX, dU, dW, db, dh0)
    elif cell == "gru":
        K = sys.modules[kernels.__name__ + ".gru"]
        U, W, b = rand(3 * u, D, scale=0.3), rand(3 * u, u, scale=0.3), rand(2, 3 * u, scale=0.1)
        Z, Q = np.empty((T, B, 3 * u), f32), np.empty((T, B, u), f32)
        dA, dR = np.empty((T, B, 3 * u), f32), np.empty((T, B, 3 * u), f32)
        dU, dW, db = np.empty_like(U), np.empty_like(W), np.empty_like(b)

        def forward():
            K.gru_forward(X, h0, U, W, b, mask, tanh, sigmoid, Z, Q, H)

        def both():
            forward()
            K.gru_backward(X, U, W, mask, tanh, sigmoid, Z, Q, H, G, dA, dR, dX, dU, dW, db, dh0)
    else:
        K = sys.modules[kernels.__name__ + ".lstm"]
        U, W, b = rand(4 * u, D, scale=0.3), rand(4 * u, u, scale=0.3), rand(4 * u, scale=0.1)
        Z, S, C = np.empty((T, B, 4 * u), f32), np.empty((T, B, u), f32), np.empty((T + 1, B, u), f32)
        dZ, dc0, dcT = np.empty((T, B, 4 * u), f32), np.empty((B, u), f32), np.zeros((B, u), f32)
        dU, dW, db = np.empty_like(U), np.empty_like(W), np.empty_like(b)

        def forward():
            K.lstm_forward(X, h0, h0, U, W, b, mask, tanh, sigmoid, Z, S, H, C, chunks)

        def both():
            forward()
            K.lstm_backward(X, U, W, mask, tanh, sigmoid, Z, S, H, C, G, dcT, dZ, dX, dU, dW, db,
                            dh0, dc0, chunks)
    return forward, both


def block_time(run, n):
    t0 = time.perf_counter()
    for _ in range(n):
        run()
    return (time.perf_counter() - t0) / n


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--package", required=True, help="package name of the other copy")
    ap.add_argument("--path", required=True, help="folder holding that package")
    ap.add_argument("--blocks", type=int, default=21, help="timed blocks per copy and case")
    ap.add_argument("--block-seconds", type=float, default=0.05)
    ap.add_argument("--chunks", type=int, default=1, help="LSTM chunks (2: the split kernels)")
    ap.add_argument("--cells", default="simple_rnn,gru,lstm")
    ap.add_argument("--dx", action="store_true",
                    help="compute the input gradient (by default skipped, as for a model's first "
                         "layer, which is what bench_train_step's models have)")
    ap.add_argument("--configs", default="0,1", help="indices into CONFIGS")
    args = ap.parse_args(argv)
    import rnnkit.kernels as new
    old = load_copy(args.package, args.path)
    print(f"{'cell':<11} {'(B,T,D,u)':<16} {'part':<9} {'old min':>9} {'new min':>9} "
          f"{'new/old':>8} {'old med':>9} {'new med':>9} {'new/old':>8}   µs per call")
    for cell in args.cells.split(","):
        for cfg in [CONFIGS[int(i)] for i in args.configs.split(",")]:
            calls = {name: cell_calls(k, cell, cfg, args.chunks, args.dx)
                     for name, k in (("old", old), ("new", new))}
            for forward, both in calls.values():
                both()                                         # compile or load the cache
            for part, pick in (("forward", 0), ("fwd+bwd", 1)):
                runs = {name: c[pick] for name, c in calls.items()}
                n = max(1, int(args.block_seconds / block_time(runs["new"], 3)))
                times = {"old": [], "new": []}
                for _ in range(args.blocks):
                    for name, run in runs.items():
                        times[name].append(block_time(run, n))
                lo = {k: min(v) * 1e6 for k, v in times.items()}
                md = {k: statistics.median(v) * 1e6 for k, v in times.items()}
                print(f"{cell:<11} {str(cfg):<16} {part:<9} {lo['old']:>9.1f} {lo['new']:>9.1f} "
                      f"{lo['new'] / lo['old']:>8.3f} {md['old']:>9.1f} {md['new']:>9.1f} "
                      f"{md['new'] / md['old']:>8.3f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
