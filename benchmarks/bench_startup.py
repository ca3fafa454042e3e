"""Start-up cost: Numba's first-call compile (cold cache) and a cached start (warm cache).

Runs, each in a fresh subprocess, with ``NUMBA_CACHE_DIR`` pointing at a new empty temp dir:

1. ``python -c "import rnnkit"``                     (import only; median of --runs)
2. the training command, cold: the cache dir is empty, so every kernel the command uses compiles
3. the same command, warm: the same cache dir, now filled (median of --runs)

The default training command is a small Python program: build SimpleRNN + Dense (sequence tagging,
(B, T, D, u, k) = (32, 50, 16, 64, 16), softmax + categorical cross-entropy, Adam; ``--cell LSTM``
or ``--cell GRU`` instead of SimpleRNN), and
``train_on_batch`` once; it reports its own import / build / first-step split. ``--command`` times
any other shell command instead (e.g. ``--command "rnnkit train --arch pos-tagging --epochs 1"``
once the CLI has it). ``--dtype`` chooses float32 or float64 (each compiles its own kernels).
``--importtime`` adds the slowest imports from ``python -X importtime -c "import rnnkit"``.

    python benchmarks/bench_startup.py
    python benchmarks/bench_startup.py --dtype float64 --json startup.json
    python benchmarks/bench_startup.py --cell LSTM
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

TRAIN_SNIPPET = r"""
import json, time
t0 = time.perf_counter()
import numpy as np
import rnnkit
from rnnkit.layers import {cell} as Cell, Dense
t1 = time.perf_counter()
rnnkit.set_floatx("{dtype}")
rnnkit.set_seed(0)
B, T, D, u, k = 32, 50, 16, 64, 16
rng = np.random.default_rng(0)
x = rng.standard_normal((B, T, D))
y = np.eye(k)[rng.integers(0, k, (B, T))]
model = rnnkit.Sequential([Cell(u, return_sequences=True, input_shape=(T, D)),
                           Dense(k, activation="softmax")])
model.compile(loss="categorical_crossentropy", optimizer="adam")
t2 = time.perf_counter()
model.train_on_batch(x, y)
t3 = time.perf_counter()
model.train_on_batch(x, y)
t4 = time.perf_counter()
print(json.dumps({{"import_s": t1 - t0, "build_s": t2 - t1, "first_step_s": t3 - t2,
                  "second_step_s": t4 - t3}}))
"""


def run(cmd, env, shell=False):
    t0 = time.perf_counter()
    out = subprocess.run(cmd, env=env, shell=shell, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if out.returncode != 0:
        sys.exit(f"command failed ({out.returncode}): {cmd}\n{out.stderr[-2000:]}")
    inner = None
    for line in reversed(out.stdout.strip().splitlines()):
        try:
            inner = json.loads(line)
            break
        except ValueError:
            continue
    return wall, inner


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--command", help="shell command to time instead of the built-in training snippet")
    ap.add_argument("--dtype", default="float32", choices=["float32", "float64"])
    ap.add_argument("--cell", default="SimpleRNN", choices=["SimpleRNN", "LSTM", "GRU"],
                    help="the built-in snippet's recurrent layer")
    ap.add_argument("--runs", type=int, default=3, help="warm runs (median)")
    ap.add_argument("--importtime", action="store_true", help="show the slowest imports")
    ap.add_argument("--json", metavar="PATH")
    args = ap.parse_args(argv)

    cache = tempfile.mkdtemp(prefix="rnnkit-numba-cache-")
    env = dict(os.environ, NUMBA_CACHE_DIR=cache)
    if args.command:
        cmd, shell, label = args.command, True, args.command
    else:
        cmd = [sys.executable, "-c", TRAIN_SNIPPET.format(dtype=args.dtype, cell=args.cell)]
        shell, label = False, f"{args.cell}+Dense train_on_batch x1 ({args.dtype})"
    res = {"command": label, "load_avg_before": os.getloadavg()[0]}
    try:
        imp = [run([sys.executable, "-c", "import rnnkit"], env)[0] for _ in range(args.runs)]
        res["import_rnnkit_s"] = statistics.median(imp)
        res["cold_s"], res["cold_inner"] = run(cmd, env, shell)
        files = sum(len(f) for _, _, f in os.walk(cache))
        res["cache_files"] = files
        warm = [run(cmd, env, shell) for _ in range(args.runs)]
        res["warm_s"] = statistics.median(w for w, _ in warm)
        res["warm_inner"] = warm[len(warm) // 2][1]
        if args.importtime:
            out = subprocess.run([sys.executable, "-X", "importtime", "-c", "import rnnkit"], env=env,
                                 capture_output=True, text=True)
            rows = []
            for line in out.stderr.splitlines():
                parts = line.split("|")
                if len(parts) == 3 and parts[1].strip().isdigit():
                    rows.append((int(parts[1]), parts[2].rstrip()))
            res["slowest_imports_cumulative_us"] = sorted(rows, reverse=True)[:15]
    finally:
        shutil.rmtree(cache, ignore_errors=True)
    res["load_avg_after"] = os.getloadavg()[0]

    print(f"# load average {res['load_avg_before']:.2f} before, {res['load_avg_after']:.2f} after")
    print(f"python -c 'import rnnkit'          {res['import_rnnkit_s']:6.2f} s  (median of {args.runs})")
    print(f"cold  (empty NUMBA_CACHE_DIR)       {res['cold_s']:6.2f} s  {label}  "
          f"[{res['cache_files']} cache files written]")
    print(f"warm  (same NUMBA_CACHE_DIR)        {res['warm_s']:6.2f} s  (median of {args.runs})")
    print(f"compile overhead (cold - warm)      {res['cold_s'] - res['warm_s']:6.2f} s   "
          f"targets: cold overhead < 15 s, cached start < 1.5 s")
    for name in ("cold_inner", "warm_inner"):
        inner = res.get(name)
        if inner:
            print(f"  {name.split('_')[0]:5s} inside the process: " +
                  ", ".join(f"{k[:-2]} {v:.2f} s" for k, v in inner.items()))
    for us, mod in res.get("slowest_imports_cumulative_us", []):
        print(f"  import {us / 1e3:8.1f} ms cumulative  {mod.strip()}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(res, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
