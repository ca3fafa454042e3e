"""Cold compile time of each SimpleRNN/LSTM/Dense/loss/optimizer kernel, one fresh process and one empty
``NUMBA_CACHE_DIR`` per kernel, so every number includes everything that kernel compiles (np.dot
implementations, inlined activations) and nothing another kernel compiled first.

    python benchmarks/compile_kernels.py                    # float32, rnnkit.kernels
    python benchmarks/compile_kernels.py --dtype float64
    python benchmarks/compile_kernels.py --package oldkernels --path /tmp/orig   # A/B another copy

``--package``/``--path`` import the kernels from another copy of ``rnnkit/kernels`` (a directory
``PATH/PACKAGE`` with the same modules), for before/after comparisons in the same session. Each
process also compiles a trivial kernel first and that time is subtracted, so the fixed cost of
Numba's first compilation in a process (~0.3 s) is not charged to the kernel. Times are the
process's CPU seconds (user + system): what compiling costs, whatever else the machine runs.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile

WORKER = r"""
import sys, time, json
sys.path.insert(0, {path!r})
import numpy as np
from numba import njit
import importlib
pkg = {package!r}
dt = np.dtype({dtype!r})
@njit(cache=False)
def trivial(a):
    return a[0] + 1
t = time.process_time(); trivial(np.zeros(1, dt)); base = time.process_time() - t
T, B, D, u, k = 3, 2, 4, 5, 6
rng = np.random.default_rng(0)
r = lambda *s: rng.standard_normal(s).astype(dt)
name = {name!r}
mod, fn = name.split(".")
m = importlib.import_module(pkg + "." + mod)
f = getattr(m, fn)
X, h0, U, W, b, M = r(T, B, D), r(B, u), r(u, D), r(u, u), r(u), np.ones((T, B), dt)
A, H = np.empty((T, B, u), dt), np.empty((T + 1, B, u), dt)
calls = {{
  "simple_rnn.simple_rnn_forward": lambda: f(X, h0, U, W, b, M, 1, A, H),
  "simple_rnn.simple_rnn_backward": lambda: f(X, U, W, M, 1, A, H, r(T, B, u), np.empty_like(A),
                       np.empty_like(X), np.empty_like(U), np.empty_like(W), np.empty_like(b), np.empty_like(h0)),
  "dense.dense_forward": lambda: f(r(B, u), r(k, u), r(k), 4, np.empty((B, k), dt), np.empty((B, k), dt), 0, B),
  "dense.dense_backward": lambda: f(r(B, u), r(k, u), 4, r(B, k), r(B, k), r(B, k), True, np.empty((B, k), dt),
                       np.empty((B, u), dt), np.empty((k, u), dt), np.empty(k, dt), 0, B),
  "losses.softmax_crossentropy": lambda: f(r(B, k), np.abs(r(B, k)), r(B, k), np.ones(B, dt), np.empty((B, k), dt)),
  "losses.mse": lambda: f(r(B, k), r(B, k), np.ones(B, dt), np.empty((B, k), dt)),
  "optim.adam_step": lambda: f(r(10), r(10), r(10), np.abs(r(10)), 1e-3, 0.9, 0.999, 1e-7, 1),
  "lstm.lstm_forward": lambda: f(X, h0, h0, r(4 * u, D), r(4 * u, u), r(4 * u), M, 1, 2,
                                 np.empty((T, B, 4 * u), dt), np.empty((T, B, u), dt), H, H.copy()),
  "lstm.lstm_backward": lambda: f(X, r(4 * u, D), r(4 * u, u), M, 1, 2, r(T, B, 4 * u), r(T, B, u),
                                  r(T + 1, B, u), r(T + 1, B, u), r(T, B, u), r(B, u),
                                  np.empty((T, B, 4 * u), dt), np.empty_like(X), r(4 * u, D),
                                  r(4 * u, u), r(4 * u), r(B, u), r(B, u)),
}}
t = time.process_time(); calls[name](); dt_s = time.process_time() - t
print(json.dumps({{"name": name, "seconds": dt_s - base, "base": base}}))
"""

KERNELS = ["simple_rnn.simple_rnn_forward", "simple_rnn.simple_rnn_backward", "dense.dense_forward",
           "dense.dense_backward", "losses.softmax_crossentropy", "losses.mse", "optim.adam_step",
           "lstm.lstm_forward", "lstm.lstm_backward"]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dtype", default="float32", choices=["float32", "float64"])
    ap.add_argument("--package", default="rnnkit.kernels")
    ap.add_argument("--path", default=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    ap.add_argument("--kernels", default=",".join(KERNELS))
    args = ap.parse_args(argv)
    total = 0.0
    print(f"# load average {os.getloadavg()[0]:.2f}; {args.package} from {args.path}, {args.dtype}")
    for name in args.kernels.split(","):
        cache = tempfile.mkdtemp(prefix="rnnkit-compile-")
        try:
            code = WORKER.format(path=args.path, package=args.package, dtype=args.dtype, name=name)
            out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                 env=dict(os.environ, NUMBA_CACHE_DIR=cache))
        finally:
            shutil.rmtree(cache, ignore_errors=True)
        if out.returncode != 0:
            print(f"{name:<34} failed: {out.stderr.strip().splitlines()[-1]}")
            continue
        res = json.loads(out.stdout.strip().splitlines()[-1])
        total += res["seconds"]
        print(f"{name:<34} {res['seconds']:7.2f} s", flush=True)
    print(f"{'total':<34} {total:7.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
