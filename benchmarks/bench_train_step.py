"""Seconds per training step: rnnkit vs a hand-written NumPy BPTT peer vs PyTorch (2 threads).

One training step = forward, loss, backward through time, one Adam update (lr 1e-3, eps 1e-7),
float32, on one fixed batch: ``model.train_on_batch(x, y)`` for rnnkit, the same for the NumPy
peer (``numpy_peer.py``), and zero_grad/forward/backward/step for PyTorch (``torch_peer.py``).

Configs (batch B, timesteps T, input D, units u, classes k) and their task, identical in all three:

    (1, 4, 4, 3, 4)          tagging     the lecture's toy: SimpleRNN(3, return_sequences) +
                                         Dense(4, softmax) per step, categorical cross-entropy
    (32, 50, 1, 10, 1)       regression  many-to-one: SimpleRNN(10) + Dense(1, linear), MSE
                                         (the lecture's 131-parameter airline model)
    (32, 50, 16, 64, 16)     tagging     as the toy, bigger
    (64, 50, 256, 256, 256)  tagging     GEMM-bound: every implementation is limited by BLAS

``--cells lstm,gru`` adds rnnkit LSTM / GRU against torch nn.LSTM (fused oneDNN kernel on CPU) /
nn.GRU at (32, 50, 16, 64, 16) tagging, or at every tagging config chosen with ``--configs``.

Timing: each (implementation, config) runs in a fresh subprocess (NumPy's OpenBLAS, SciPy's
OpenBLAS used by Numba, and PyTorch's OpenMP pool each keep spinning threads; in one process they
fight over the 2 cores and distort every number). There it is warmed up (Numba compiles or loads
its cache on the first call), then timed in --repeat blocks of ``number`` steps (chosen so a block
lasts about --block-seconds); the table shows the median over blocks of seconds per step
(``--stat min`` shows the fastest block instead, the better estimate on a loaded machine; the JSON
has both). The load average before and after is printed: numbers taken under load are not
comparable with quiet-machine numbers (multi-threaded BLAS and PyTorch's 2-thread OpenMP pool
suffer most). On a virtual machine whose host is busy the speed drifts by tens of percent over
minutes without any load showing: ``--rounds N`` measures the implementations of a row N times,
taking turns (rnnkit, peers, rnnkit, peers, ...), so every ratio compares numbers taken minutes
apart at most; the table then shows the statistic over all rounds and the ratio of each round.

    python benchmarks/bench_train_step.py                       # SimpleRNN table
    python benchmarks/bench_train_step.py --cells lstm,gru      # plus the gated cells
    python benchmarks/bench_train_step.py --json out.json --repeat 21
    python benchmarks/bench_train_step.py --cells lstm --no-simple --rounds 5 --stat min

Achieved GFLOP/s: each table also shows rnnkit's rate, FLOPs of the step's matrix products per
second, and that rate as a share of the machine's float32 GEMM peak, measured first (the best of
several 2048 x 2048 x 2048 float32 ``np.dot``, BLAS on 2 threads, in a subprocess of its own, as
every timing; the one-thread rate is shown too: on a loaded machine the two-thread one falls
below it, and the shares are then too high). FLOPs are counted as 2 per multiply-add of the products (:func:`step_flops`; the
element-wise work, activations, loss and the update are left out): forward
T·B·g·u·(D + u) for the recurrent layer (g gate blocks: SimpleRNN 1, GRU 3, LSTM 4: U x_t and
W h_{t-1}) plus R·k·u for Dense (R = T·B rows when tagging, B for regression); backward twice
that (dU and dx, dW and Wᵀ da, dV and dh), less the first layer's dx = Uᵀ da, T·B·g·u·D, which a
model's first layer skips.
"""
import argparse
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import numpy_peer  # noqa: E402
import torch_peer  # noqa: E402

CONFIGS = [
    ((1, 4, 4, 3, 4), "tagging"),
    ((32, 50, 1, 10, 1), "regression"),
    ((32, 50, 16, 64, 16), "tagging"),
    ((64, 50, 256, 256, 256), "tagging"),
]
GATED_CONFIG = ((32, 50, 16, 64, 16), "tagging")


# ---- implementations: each returns a zero-argument step function ------------------------------
def rnnkit_model(cfg, task, cell="rnn"):
    """``(model, x, y)``: the rnnkit model of ``cfg`` and ``task``, compiled, and its one batch."""
    import rnnkit
    from rnnkit.layers import Dense
    from rnnkit.optimizers import Adam
    rnnkit.set_floatx("float32")
    rnnkit.set_seed(0)
    if cell == "rnn":
        from rnnkit.layers import SimpleRNN as Cell
    elif cell == "lstm":
        from rnnkit.layers.lstm import LSTM as Cell
    else:
        from rnnkit.layers.gru import GRU as Cell
    B, T, D, u, k = cfg
    x, y = numpy_peer.make_data(B, T, D, k, task)
    if task == "tagging":
        model = rnnkit.Sequential([Cell(u, return_sequences=True, input_shape=(T, D)),
                                   Dense(k, activation="softmax")])
        model.compile(loss="categorical_crossentropy", optimizer=Adam(learning_rate=1e-3, epsilon=1e-7))
    else:
        model = rnnkit.Sequential([Cell(u, input_shape=(T, D)), Dense(k, activation="linear")])
        model.compile(loss="mse", optimizer=Adam(learning_rate=1e-3, epsilon=1e-7))
    assert model.layers[0].dtype == np.float32 or not model.built
    return model, x, y


def rnnkit_step(cfg, task, cell="rnn"):
    model, x, y = rnnkit_model(cfg, task, cell)
    return lambda: model.train_on_batch(x, y)


def numpy_step(cfg, task):
    B, T, D, u, k = cfg
    x, y = numpy_peer.make_data(B, T, D, k, task)
    net = numpy_peer.NumpyRNN(D, u, k, task=task, dtype=np.float32)
    return lambda: net.train_on_batch(x, y)


def torch_step(cfg, task, cell="rnn", threads=2):
    B, T, D, u, k = cfg
    x, y = numpy_peer.make_data(B, T, D, k, task)
    net = torch_peer.TorchPeer(D, u, k, task=task, cell=cell, threads=threads)
    xt, yt = net.prepare(x, y)
    return lambda: net.train_on_batch(xt, yt)


# ---- achieved rate -------------------------------------------------------------------------------
GATES = {"rnn": 1, "gru": 3, "lstm": 4}


def step_flops(cfg, task, cell="rnn"):
    """FLOPs of one training step's matrix products (2 per multiply-add; see the docstring)."""
    B, T, D, u, k = cfg
    g = GATES[cell]
    recurrent = T * B * g * u * (D + u)
    dense = (T * B if task == "tagging" else B) * k * u
    skipped_dx = T * B * g * u * D
    return 2 * (3 * (recurrent + dense) - skipped_dx)


def gemm_gflops(n=2048, repeat=5):
    """The best GFLOP/s of an n x n x n float32 ``np.dot`` (in this process: see gemm_peak)."""
    rng = np.random.default_rng(0)
    a, b = (rng.standard_normal((n, n)).astype(np.float32) for _ in range(2))
    out = np.empty((n, n), dtype=np.float32)
    np.dot(a, b, out)
    best = min(_seconds(lambda: np.dot(a, b, out)) for _ in range(repeat))
    return 2 * n ** 3 / best / 1e9


def _seconds(f):
    t0 = time.perf_counter()
    f()
    return time.perf_counter() - t0


def gemm_peak(threads=2):
    """The machine's float32 GEMM peak in GFLOP/s: :func:`gemm_gflops` with BLAS on ``threads``
    threads, in a fresh subprocess (None if it failed)."""
    env = dict(os.environ, OPENBLAS_NUM_THREADS=str(threads), OMP_NUM_THREADS=str(threads))
    out = subprocess.run([sys.executable, os.path.abspath(__file__), "--gemm-worker"],
                         capture_output=True, text=True, env=env)
    return float(out.stdout.strip().splitlines()[-1]) if out.returncode == 0 else None


def fmt_gflops(rate):
    return "-" if rate is None else f"{rate:.1f}"


def fmt_rate(flops, seconds, peak):
    """``GFLOP/s  % of peak`` of ``flops`` done in ``seconds``."""
    if seconds is None:
        return f"{'-':>8} {'-':>7}"
    rate = flops / seconds / 1e9
    share = f"{100 * rate / peak:6.1f}%" if peak else f"{'-':>7}"
    return f"{rate:8.1f} {share}"


# ---- timing -------------------------------------------------------------------------------------
def warm_and_calibrate(step, block_seconds):
    """Warm up (first call compiles / loads caches), return (first-call seconds, steps per block)."""
    t0 = time.perf_counter()
    step()
    first = time.perf_counter() - t0
    t0 = time.perf_counter()
    n = 0
    while n < 3 or time.perf_counter() - t0 < min(0.2, block_seconds):
        step()
        n += 1
    per = (time.perf_counter() - t0) / n
    return first, max(1, int(block_seconds / per))


def time_steps(steps, repeat, block_seconds):
    """Median seconds per step for each named step function, blocks taking turns."""
    numbers, firsts = {}, {}
    for name, step in steps.items():
        firsts[name], numbers[name] = warm_and_calibrate(step, block_seconds)
    samples = {name: [] for name in steps}
    for _ in range(repeat):
        for name, step in steps.items():
            n = numbers[name]
            t0 = time.perf_counter()
            for _ in range(n):
                step()
            samples[name].append((time.perf_counter() - t0) / n)
    return {name: {"median_s": statistics.median(s), "min_s": min(s), "max_s": max(s),
                   "number": numbers[name], "repeat": repeat, "first_call_s": firsts[name]}
            for name, s in samples.items()}


def make_step(impl, cell, cfg, task, torch_threads):
    if impl == "rnnkit":
        return rnnkit_step(cfg, task, cell)
    if impl == "numpy":
        return numpy_step(cfg, task)
    return torch_step(cfg, task, cell, torch_threads)


def measure(impl, cell, cfg, task, args):
    """Time one implementation; in a fresh subprocess unless --in-process.

    Each library keeps its own thread pool (NumPy's OpenBLAS, SciPy's OpenBLAS that Numba calls,
    PyTorch's OpenMP); in one process their idle-spinning threads fight over the 2 cores and every
    number gets worse (measured: up to 40x on rnnkit's 32x50x64 config). A fresh process per
    implementation measures each as a user would run it.
    """
    if args.in_process:
        return time_steps({impl: make_step(impl, cell, cfg, task, args.torch_threads)},
                          args.repeat, args.block_seconds)[impl]
    cmd = [sys.executable, os.path.abspath(__file__), "--worker", json.dumps(
        {"impl": impl, "cell": cell, "cfg": cfg, "task": task, "repeat": args.repeat,
         "block_seconds": args.block_seconds, "torch_threads": args.torch_threads})]
    env = dict(os.environ)
    if args.threads:
        for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS"):
            env[var] = str(args.threads)
    out = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if out.returncode != 0:
        tail = (out.stderr.strip().splitlines() or ["?"])[-1]
        return {"error": tail}
    return json.loads(out.stdout.strip().splitlines()[-1])


def measure_rounds(impls, cell, cfg, task, args):
    """Measure ``impls`` ``args.rounds`` times, taking turns. Returns ``(merged, rounds)``: per
    implementation the median of the rounds' medians and the minimum of their minima (or the
    first error), and the list of each round's results."""
    rounds = [{impl: measure(impl, cell, cfg, task, args) for impl in impls}
              for _ in range(args.rounds)]
    merged = {}
    for impl in impls:
        runs = [r[impl] for r in rounds]
        errors = [run for run in runs if "error" in run]
        merged[impl] = errors[0] if errors else {
            "median_s": statistics.median(run["median_s"] for run in runs),
            "min_s": min(run["min_s"] for run in runs),
            "max_s": max(run["max_s"] for run in runs),
            "rounds": len(runs)}
    return merged, rounds


def round_ratios(rounds, peer, stat):
    """``peer time / rnnkit time`` of each round, as text ("1.31 1.18 ..."), or "" for one round."""
    if len(rounds) < 2:
        return ""
    ratios = [r[peer][stat] / r["rnnkit"][stat] for r in rounds
              if stat in r.get(peer, {}) and stat in r["rnnkit"]]
    return "  rounds: " + " ".join(f"{x:.2f}" for x in ratios)


def worker(spec):
    spec = json.loads(spec)
    step = make_step(spec["impl"], spec["cell"], tuple(spec["cfg"]), spec["task"],
                     spec["torch_threads"])
    res = time_steps({"x": step}, spec["repeat"], spec["block_seconds"])["x"]
    print(json.dumps(res))
    return 0


def environment():
    info = {"date": datetime.datetime.now().isoformat(timespec="seconds"),
            "cores": os.cpu_count(), "cpu": platform.processor() or platform.machine(),
            "python": platform.python_version(), "numpy": np.__version__,
            "OPENBLAS_CORETYPE": os.environ.get("OPENBLAS_CORETYPE"),
            "OPENBLAS_L2_SIZE": os.environ.get("OPENBLAS_L2_SIZE")}
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    info["cpu"] = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    try:
        import numba
        info["numba"] = numba.__version__
    except ImportError:
        pass
    try:
        import threadpoolctl
        info["blas"] = [f"{d.get('internal_api')} {d.get('version')} {d.get('architecture')} "
                        f"threads={d.get('num_threads')}" for d in threadpoolctl.threadpool_info()
                        if d.get("user_api") == "blas"]
    except ImportError:
        pass
    if torch_peer.available():
        import torch
        info["torch"] = torch.__version__
    return info


def fmt_us(s):
    return "-" if s is None else f"{s * 1e6:,.0f}"


def fmt_ratio(a, b):
    return "-" if a is None or b is None else f"{a / b:.2f}x"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=11, help="timed blocks per implementation (median)")
    ap.add_argument("--block-seconds", type=float, default=0.1, help="target length of one block")
    ap.add_argument("--cells", default="", help="comma list of gated cells to add: lstm,gru")
    ap.add_argument("--no-simple", action="store_true", help="skip the SimpleRNN table")
    ap.add_argument("--no-torch", action="store_true", help="leave PyTorch out even if installed")
    ap.add_argument("--torch-threads", type=int, default=torch_peer.THREADS)
    ap.add_argument("--threads", type=int, default=0,
                    help="limit every library to N threads (BLAS, OpenMP, torch); 0 = their defaults "
                         "(2 here). --threads 1 is far less sensitive to other load on the machine")
    ap.add_argument("--configs", default="",
                    help="indices into the config list, e.g. 0,1; the gated cells (--cells) run at "
                         "the tagging ones among them (default: (32, 50, 16, 64, 16) only)")
    ap.add_argument("--json", metavar="PATH", help="write every number to PATH")
    ap.add_argument("--in-process", action="store_true",
                    help="time everything in this process (thread pools then interfere; see measure)")
    ap.add_argument("--rounds", type=int, default=1,
                    help="measure each row's implementations this many times, taking turns")
    ap.add_argument("--stat", default="median_s", choices=["median", "min"],
                    help="statistic shown in the table (default median)")
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    ap.add_argument("--gemm-worker", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.worker:
        return worker(args.worker)
    if args.gemm_worker:
        print(gemm_gflops())
        return 0
    if args.threads:
        args.torch_threads = args.threads
    stat = args.stat if args.stat.endswith("_s") else args.stat + "_s"

    use_torch = torch_peer.available() and not args.no_torch
    env = environment()
    env["loadavg_before"] = os.getloadavg()
    print(f"# {env['date']}  {env['cpu']}, {env['cores']} cores; numpy {env['numpy']}, "
          f"numba {env.get('numba')}, torch {env.get('torch', 'not installed')}"
          f"{' (not used)' if torch_peer.available() and not use_torch else ''}")
    print(f"# BLAS: {env.get('blas', 'threadpoolctl not installed')}; OPENBLAS_CORETYPE="
          f"{env['OPENBLAS_CORETYPE']} OPENBLAS_L2_SIZE={env['OPENBLAS_L2_SIZE']}")
    if args.threads:
        print(f"# every library limited to {args.threads} thread(s) (BLAS, OpenMP, torch)")
    print(f"# load average before: {env['loadavg_before'][0]:.2f}  (repeat={args.repeat}, "
          f"rounds={args.rounds}, block ~{args.block_seconds}s, float32, Adam, {stat[:-2]} us "
          f"per train step)")
    peak = env["gemm_peak_gflops"] = gemm_peak(2)
    one = env["gemm_one_thread_gflops"] = gemm_peak(1)
    print(f"# float32 GEMM peak (2048^3 np.dot): {fmt_gflops(peak)} GFLOP/s on 2 BLAS threads "
          f"(one thread: {fmt_gflops(one)}); GFLOP/s below: rnnkit's step (2 FLOPs per "
          f"multiply-add of its matrix products), peak: its share of the 2-thread peak")
    results = {"environment": env, "simple_rnn": [], "gated": []}

    configs = CONFIGS
    if args.configs:
        configs = [CONFIGS[int(i)] for i in args.configs.split(",")]
    if not args.no_simple:
        header = (f"{'config (B,T,D,u,k)':<24} {'task':<10} {'rnnkit us':>11} {'numpy us':>11} "
                  f"{'torch us':>11} {'torch/rnnkit':>13} {'numpy/rnnkit':>13} {'GFLOP/s':>8} "
                  f"{'peak':>7}")
        print()
        print(header)
        print("-" * len(header))
        for cfg, task in configs:
            impls = ["rnnkit", "numpy"] + (["torch"] if use_torch else [])
            res, rounds = measure_rounds(impls, "rnn", cfg, task, args)
            r, nmp, tch = (res.get(i, {}).get(stat) for i in ("rnnkit", "numpy", "torch"))
            for impl, v in res.items():
                if "error" in v:
                    print(f"  {impl} failed: {v['error']}")
            print(f"{str(cfg):<24} {task:<10} {fmt_us(r):>11} {fmt_us(nmp):>11} {fmt_us(tch):>11} "
                  f"{fmt_ratio(tch, r):>13} {fmt_ratio(nmp, r):>13} "
                  f"{fmt_rate(step_flops(cfg, task), r, peak)}"
                  f"{round_ratios(rounds, 'torch', stat) if use_torch else ''}", flush=True)
            results["simple_rnn"].append({"config": cfg, "task": task, "timings": res,
                                          "rounds": rounds, "flops": step_flops(cfg, task)})

    cells = [c.strip().lower() for c in args.cells.split(",") if c.strip()]
    gated_configs = [c for c in configs if c[1] == "tagging"] if args.configs else [GATED_CONFIG]
    if cells:
        header = (f"{'cell':<6} {'config (B,T,D,u,k)':<22} {'rnnkit us':>11} {'torch us':>11} "
                  f"{'torch/rnnkit':>13} {'GFLOP/s':>8} {'peak':>7}  target")
        print()
        print(header)
        print("-" * len(header))
        for cell, (cfg, task) in ((c, g) for c in cells for g in gated_configs):
            if cell not in ("lstm", "gru"):
                print(f"{cell:<6} unknown cell (choose lstm, gru)")
                continue
            try:
                if cell == "lstm":
                    from rnnkit.layers.lstm import LSTM  # noqa: F401
                else:
                    from rnnkit.layers.gru import GRU  # noqa: F401
            except (ImportError, AttributeError) as err:
                print(f"{cell:<6} skipped: rnnkit's {cell.upper()} is not importable yet ({err})")
                continue
            res, rounds = measure_rounds(["rnnkit"] + (["torch"] if use_torch else []),
                                         cell, cfg, task, args)
            for impl, v in res.items():
                if "error" in v:
                    print(f"  {impl} failed: {v['error']}")
            r = res["rnnkit"].get(stat)
            tch = res.get("torch", {}).get(stat)
            target = ">= 1x (vs fused oneDNN LSTM)" if cell == "lstm" else ">= 2x"
            print(f"{cell:<6} {str(cfg):<22} {fmt_us(r):>11} {fmt_us(tch):>11} "
                  f"{fmt_ratio(tch, r):>13} {fmt_rate(step_flops(cfg, task, cell), r, peak)}  "
                  f"{target}{round_ratios(rounds, 'torch', stat)}",
                  flush=True)
            results["gated"].append({"cell": cell, "config": cfg, "task": task, "timings": res,
                                     "rounds": rounds, "flops": step_flops(cfg, task, cell)})

    env["loadavg_after"] = os.getloadavg()
    print(f"\n# load average after: {env['loadavg_after'][0]:.2f}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1)
        print(f"# wrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
