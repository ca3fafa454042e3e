"""Where does one rnnkit training step spend its time? (forward / loss / backward / optimizer, and
kernel time vs the Python around it, per layer).

Wraps (in this process only, nothing is edited) the layer methods, the loss, the optimizer and the
Numba kernels the layers call with timers, runs ``train_on_batch`` many times, and prints, per
config, the microseconds per step of each part; "python" columns are a part's time minus the
kernels called inside it. Uses the same configs and tasks as bench_train_step.py.

    python benchmarks/profile_step.py                 # SimpleRNN configs
    python benchmarks/profile_step.py --cell lstm     # the gated cells at (32, 50, 16, 64, 16)

    python benchmarks/profile_step.py --peel --configs 0   # the step's code peeled off, layer
                                                           # by layer (thread CPU time)

``--peel`` times, in turns, the layers' forward/backward and the loss called directly, then
each wrapper of the model added back in turn (``Sequential.forward``, ``Model.backward``,
``_loss_and_backward``, ``train_on_batch``): what each adds in the step, where it competes with
the rest for the caches, which is more than its code costs alone.

Timer overhead is about 0.3 us per wrapped call (about 10 wrapped calls per step), so the toy
config's totals are a few us above bench_train_step's. Blocks are short and the per-block minimum
is reported, which filters out other processes' load on a shared machine.
"""
import argparse
import os
import sys
import time
from collections import defaultdict

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_train_step as bench  # noqa: E402

ACC = defaultdict(float)
STACK = []


def timed(label, fn, kernel=False):
    """Wrap ``fn`` so its inclusive time adds to ACC[label]; kernel time is also charged to parents."""
    def wrapper(*a, **k):
        t0 = time.perf_counter()
        STACK.append(0.0)
        try:
            return fn(*a, **k)
        finally:
            dt = time.perf_counter() - t0
            inner_kernels = STACK.pop()
            ACC[label] += dt
            if kernel:
                ACC["kernels"] += dt
                if STACK:
                    STACK[-1] += dt
            else:
                ACC[label + ":kernels"] += inner_kernels
                if STACK:
                    STACK[-1] += inner_kernels
    return wrapper


_KERNELS_PATCHED = []


def instrument(model):
    if not _KERNELS_PATCHED:
        _patch_kernels()
        _KERNELS_PATCHED.append(True)
    for i, layer in enumerate(model.layers):
        tag = f"L{i} {type(layer).__name__}"
        layer.forward = timed(f"{tag} forward", layer.forward)
        layer.backward = timed(f"{tag} backward", layer.backward)
    model.loss.compute = timed("loss.compute", model.loss.compute)
    model.optimizer.apply = timed("optimizer.apply", model.optimizer.apply)


def _patch_kernels():
    import rnnkit.kernels.optim as kopt
    import rnnkit.losses as L
    for mod_name in ("simple_rnn", "dense", "lstm", "gru"):
        try:
            mod = __import__(f"rnnkit.layers.{mod_name}", fromlist=["x"])
        except ImportError:
            continue
        for name in dir(mod):
            if name.endswith(("_forward", "_backward")) and callable(getattr(mod, name)):
                setattr(mod, name, timed(f"kernel {name}", getattr(mod, name), kernel=True))
    for name in dir(L.K):
        obj = getattr(L.K, name)
        if hasattr(obj, "py_func"):
            setattr(L.K, name, timed(f"kernel loss {name}", obj, kernel=True))
    for name in ("adam_step", "sgd_step", "rmsprop_step", "all_finite"):
        setattr(kopt, name, timed(f"kernel {name}", getattr(kopt, name), kernel=True))


def profile(cfg, task, cell, blocks, block_seconds):
    model, x, y = bench.rnnkit_model(cfg, task, cell)   # the benchmark's own model
    for _ in range(3):
        model.train_on_batch(x, y)
    t0 = time.perf_counter()
    model.train_on_batch(x, y)
    n = max(1, int(block_seconds / (time.perf_counter() - t0)))
    # un-instrumented step time (minimum over blocks)
    plain = []
    for _ in range(blocks):
        t0 = time.perf_counter()
        for _ in range(n):
            model.train_on_batch(x, y)
        plain.append((time.perf_counter() - t0) / n)
    instrument(model)
    step = timed("train_on_batch", model.train_on_batch)
    best = None
    for _ in range(blocks):
        ACC.clear()
        for _ in range(n):
            step(x, y)
        snap = {k: v / n for k, v in ACC.items()}
        if best is None or snap["train_on_batch"] < best["train_on_batch"]:
            best = snap
    return min(plain), best


def report(cfg, task, cell, plain, acc):
    us = lambda s: f"{s * 1e6:9.1f}"  # noqa: E731
    total = acc["train_on_batch"]
    print(f"\n== {cell} {cfg} {task}: train_on_batch {plain * 1e6:.1f} us/step un-instrumented "
          f"(min over blocks); instrumented {total * 1e6:.1f} us")
    print(f"   {'part':<34}{'total us':>9}{'kernels':>9}{'python':>9}  share")
    rows = [k for k in acc if not k.endswith(":kernels") and not k.startswith("kernel")
            and k not in ("train_on_batch", "kernels")]
    for k in rows:
        kern = acc.get(k + ":kernels", 0.0)
        print(f"   {k:<34}{us(acc[k])}{us(kern)}{us(acc[k] - kern)}  {acc[k] / total:5.1%}")
    accounted = sum(acc[k] for k in rows)
    print(f"   {'Sequential glue (rest)':<34}{us(total - accounted)}{us(0)}{us(total - accounted)}"
          f"  {(total - accounted) / total:5.1%}")
    print(f"   {'all kernels':<34}{us(acc['kernels'])}   of which:")
    for k in sorted(acc):
        if k.startswith("kernel ") and not k.endswith(":kernels"):
            print(f"     {k:<32}{us(acc[k])}")
    print(f"   python overhead in total: {(total - acc['kernels']) * 1e6:.1f} us "
          f"({(total - acc['kernels']) / total:.0%} of the step)")


def peel(cfg, task, rounds=31, steps=1000):
    """Thread CPU µs per step of each stage (fastest and median of ``rounds`` blocks of
    ``steps``, stages taking turns); each stage runs what the one before did plus one wrapper."""
    import statistics
    from rnnkit.kernels import optim
    model, x, y = bench.rnnkit_model(cfg, task)
    assert len(model.layers) == 2, "peel knows the benchmark's two layers"
    rnn, dense = model.layers
    loss, opt = model.loss, model.optimizer
    params, grads, slices = model._flat_params, model._flat_grads, model._weight_slices

    def update():
        optim.all_finite(grads)
        opt.apply(params, grads, slices)

    def layers():
        y_pred = dense.forward(rnn.forward(x))
        _, g, fused = loss.compute(dense, y_pred, y, model._weights(y_pred, None))
        rnn.backward(dense.backward(g, fused=fused), need_dx=False)

    def with_update():
        layers()
        update()

    def with_forward():
        y_pred, mask = model.forward(x)
        _, g, fused = loss.compute(dense, y_pred, y, model._weights(y_pred, mask))
        rnn.backward(dense.backward(g, fused=fused), need_dx=False)
        update()

    def with_backward():
        y_pred, mask = model.forward(x)
        _, g, fused = loss.compute(dense, y_pred, y, model._weights(y_pred, mask))
        model.backward(g, fused=fused, need_dx=False)
        update()

    def with_loss_and_backward():
        model._loss_and_backward(x, y)
        update()

    stages = [("the layers' forward and backward, the loss", layers),
              ("+ all_finite and Optimizer.apply", with_update),
              ("+ Sequential.forward", with_forward),
              ("+ Model.backward", with_backward),
              ("+ _loss_and_backward", with_loss_and_backward),
              ("+ train_on_batch", lambda: model.train_on_batch(x, y))]
    for _ in range(100):
        model.train_on_batch(x, y)
    times = {label: [] for label, _ in stages}
    for _ in range(rounds):
        for label, stage in stages:
            t0 = time.thread_time()
            for _ in range(steps):
                stage()
            times[label].append((time.thread_time() - t0) / steps * 1e6)
    print(f"\n== {cfg} {task}: thread CPU us per step, fastest / median of {rounds} blocks")
    before = None
    for label, t in times.items():
        added = "" if before is None else f"{min(t) - before:+8.1f}"
        print(f"   {label:<46}{min(t):8.1f}{statistics.median(t):8.1f}{added}")
        before = min(t)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cell", default="rnn", choices=["rnn", "lstm", "gru"])
    ap.add_argument("--blocks", type=int, default=15)
    ap.add_argument("--block-seconds", type=float, default=0.05)
    ap.add_argument("--configs", default="", help="indices into bench_train_step.CONFIGS")
    ap.add_argument("--peel", action="store_true", help="time the step's wrappers one by one")
    args = ap.parse_args(argv)
    if args.peel:
        print(f"# load average {os.getloadavg()[0]:.2f}")
        for i in (args.configs or "0").split(","):
            peel(*bench.CONFIGS[int(i)])
        return 0
    if args.cell == "rnn":
        configs = bench.CONFIGS
        if args.configs:
            configs = [bench.CONFIGS[int(i)] for i in args.configs.split(",")]
    else:
        configs = [bench.GATED_CONFIG]
    print(f"# load average {os.getloadavg()[0]:.2f}")
    for cfg, task in configs:
        plain, acc = profile(cfg, task, args.cell, args.blocks, args.block_seconds)
        report(cfg, task, args.cell, plain, acc)
        ACC.clear()
    return 0


if __name__ == "__main__":
    sys.exit(main())
