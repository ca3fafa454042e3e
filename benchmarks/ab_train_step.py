"""Before/after of a whole training step (``train_on_batch``) in one process, blocks taking turns.

``ab_kernels.py`` compares the kernels alone; this compares everything a step runs (the Python
around the kernels included) between this checkout's ``rnnkit`` and a copy of another revision
imported under another package name, on bench_train_step.py's SimpleRNN configs (float32, Adam).
Both models start from the same seed, so the script also says whether the two copies compute the
same losses, bit for bit, over their first 30 steps. Blocks of the two copies alternate, and each
block is timed with the thread's CPU time (``time.thread_time``), which other processes on a
loaded machine do not inflate (a descheduled thread's waiting is not counted); at these sizes
BLAS runs on the calling thread.

    mkdir -p /tmp/ab && git archive REV rnnkit | tar -x -C /tmp/ab
    mv /tmp/ab/rnnkit /tmp/ab/rnnkit_old
    python benchmarks/ab_train_step.py --package rnnkit_old --path /tmp/ab --configs 0,1

The copy must import its own modules relatively (rnnkit's core does: models, layers, kernels,
losses, optimizers).
"""
import argparse
import importlib
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_train_step as bench  # noqa: E402
import numpy_peer  # noqa: E402


def model_of(package, cfg, task):
    """``(model, x, y)`` of bench_train_step's SimpleRNN config, built with ``package``."""
    rk = importlib.import_module(package)
    layers = importlib.import_module(package + ".layers")
    optimizers = importlib.import_module(package + ".optimizers")
    rk.set_floatx("float32")
    rk.set_seed(0)
    B, T, D, u, k = cfg
    x, y = numpy_peer.make_data(B, T, D, k, task)
    if task == "tagging":
        model = rk.Sequential([layers.SimpleRNN(u, return_sequences=True, input_shape=(T, D)),
                               layers.Dense(k, activation="softmax")])
        loss = "categorical_crossentropy"
    else:
        model = rk.Sequential([layers.SimpleRNN(u, input_shape=(T, D)),
                               layers.Dense(k, activation="linear")])
        loss = "mse"
    model.compile(loss=loss, optimizer=optimizers.Adam(learning_rate=1e-3, epsilon=1e-7))
    return model, x, y


def compare(cfg, task, package, blocks, block_seconds):
    """Losses of the first 30 steps (before, after), and µs per step of each block."""
    models = {"before": model_of(package, cfg, task), "after": model_of("rnnkit", cfg, task)}
    losses = {name: [m.train_on_batch(x, y) for _ in range(30)]
              for name, (m, x, y) in models.items()}
    m, x, y = models["after"]
    t0 = time.thread_time()
    m.train_on_batch(x, y)
    n = max(1, int(block_seconds / max(time.thread_time() - t0, 1e-6)))
    samples = {"before": [], "after": []}
    for b in range(blocks):
        for name in (("before", "after") if b % 2 else ("after", "before")):
            m, x, y = models[name]
            t0 = time.thread_time()
            for _ in range(n):
                m.train_on_batch(x, y)
            samples[name].append((time.thread_time() - t0) / n * 1e6)
    return losses, samples


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--package", required=True, help="the other copy's package name")
    ap.add_argument("--path", required=True, help="the folder that holds it")
    ap.add_argument("--configs", default="0,1", help="indices into bench_train_step.CONFIGS")
    ap.add_argument("--blocks", type=int, default=41, help="timed blocks per copy")
    ap.add_argument("--block-seconds", type=float, default=0.02)
    args = ap.parse_args(argv)
    sys.path.insert(0, args.path)
    print(f"# load average {os.getloadavg()[0]:.2f}; float32, Adam; µs per train_on_batch "
          f"(thread CPU time), {args.blocks} blocks per copy, taking turns")
    print(f"{'config (B,T,D,u,k)':<22} {'same losses':>11} {'before min':>11} {'after min':>10} "
          f"{'after/before':>12} {'median of pairs':>16}")
    for i in args.configs.split(","):
        cfg, task = bench.CONFIGS[int(i)]
        losses, s = compare(cfg, task, args.package, args.blocks, args.block_seconds)
        pairs = statistics.median(a / b for a, b in zip(s["after"], s["before"]))
        print(f"{str(cfg):<22} {str(losses['before'] == losses['after']):>11} "
              f"{min(s['before']):11.1f} {min(s['after']):10.1f} "
              f"{min(s['after']) / min(s['before']):12.3f} {pairs:16.3f}", flush=True)
    print(f"# load average after: {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
