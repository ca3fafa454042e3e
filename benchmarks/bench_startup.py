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

``--arch NAME`` (or ``--arch all``: every built-in, ``rnnkit list``) times ``rnnkit train --arch
NAME --epochs E --no-figures`` cold and warm instead, each architecture with a cache of its own (so
each cold run compiles everything it uses, as a user's first command would), with the small epochs
and config of ``bench_contention.py --quick``. The table gives wall seconds and, robust against
other processes' load, the CPU seconds of the process (user + system): compile is their difference.

    python benchmarks/bench_startup.py
    python benchmarks/bench_startup.py --dtype float64 --json startup.json
    python benchmarks/bench_startup.py --cell LSTM
    python benchmarks/bench_startup.py --arch all --runs 2
"""
import argparse
import json
import os
import resource
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


def cpu_seconds_of(cmd, env, shell=False):
    """(wall, user + system CPU seconds) of ``cmd`` in a fresh process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    wall, _ = run(cmd, env, shell)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def per_architecture(names, runs):
    """Cold and warm ``rnnkit train`` of each built-in in ``names``, a fresh cache each."""
    from bench_contention import QUICK
    rnnkit = os.path.join(os.path.dirname(sys.executable), "rnnkit")
    print(f"# load average {os.getloadavg()[0]:.2f} at start; warm: median of {runs}")
    print("| arch | epochs | cold s | warm s | cold - warm s | cold CPU s | warm CPU s "
          "| compile CPU s | load |")
    print("|---|--:|--:|--:|--:|--:|--:|--:|--:|")
    for name in names:
        epochs, config = QUICK[name]
        with tempfile.TemporaryDirectory(prefix="rnnkit-startup-") as tmp:
            config_file = os.path.join(tmp, "config.json")
            with open(config_file, "w") as f:
                json.dump(config, f)
            env = dict(os.environ, NUMBA_CACHE_DIR=os.path.join(tmp, "cache"))

            def once():
                return cpu_seconds_of([rnnkit, "train", "--arch", name, "--epochs", str(epochs),
                                       "--no-figures", "--config", config_file,
                                       "--out", tempfile.mkdtemp(dir=tmp)], env)
            at = os.getloadavg()[0]
            cold = once()
            warm = [once() for _ in range(runs)]
            wall = statistics.median(w for w, _ in warm)
            cpu = statistics.median(c for _, c in warm)
            print(f"| {name} | {epochs} | {cold[0]:.2f} | {wall:.2f} | {cold[0] - wall:.2f} "
                  f"| {cold[1]:.2f} | {cpu:.2f} | {cold[1] - cpu:.2f} | {at:.2f} |", flush=True)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--command", help="shell command to time instead of the built-in training snippet")
    ap.add_argument("--dtype", default="float32", choices=["float32", "float64"])
    ap.add_argument("--cell", default="SimpleRNN", choices=["SimpleRNN", "LSTM", "GRU"],
                    help="the built-in snippet's recurrent layer")
    ap.add_argument("--runs", type=int, default=3, help="warm runs (median)")
    ap.add_argument("--importtime", action="store_true", help="show the slowest imports")
    ap.add_argument("--json", metavar="PATH")
    ap.add_argument("--arch", help="time `rnnkit train` of this built-in (or all) cold and warm")
    args = ap.parse_args(argv)
    if args.arch:
        from bench_contention import QUICK
        per_architecture(list(QUICK) if args.arch == "all" else args.arch.split(","), args.runs)
        return 0

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
