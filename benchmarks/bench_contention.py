"""Default threading against single-threaded, for every built-in, with one core busy (and idle).

For each built-in architecture (``rnnkit list``: all seven), ``rnnkit train --arch NAME --epochs E
--no-figures`` runs in a fresh process (with ``--quick``, each architecture's own small epochs and
config, :data:`QUICK`, so that all seven take about 10 minutes on a quiet machine), alternately with the default threading and with ``NUMBA_NUM_THREADS=1
OPENBLAS_NUM_THREADS=1`` ("single"), ``--rounds`` times each, after one untimed run per mode that
fills the Numba cache. With ``--busy`` (the default) a busy-loop process of the benchmark's own
spins on one core during the runs; ``--idle`` runs without it. The table gives the median wall
seconds of each mode, their ratio (default / single: above 1 means the default is slower) and the
load average before the architecture's runs. Training evaluates on validation and test data, so
``evaluate``/``predict`` (batch 32) are in every number.

    python benchmarks/bench_contention.py --quick             # ~10 min: QUICK, 2 rounds
    python benchmarks/bench_contention.py --quick --idle
    python benchmarks/bench_contention.py --epochs 4 --rounds 3
"""
import argparse
import json
import os
import sys
import tempfile

from _contention import compare, header, load, median, mode_env, ratio, wall

#: --quick: per built-in, (epochs, config overrides): a few seconds of training each
QUICK = {"forecasting": (20, {}),
         "text-classification": (1, {}),
         "pos-tagging": (1, {}),
         "char-lm": (1, {}),
         "translation": (1, {}),
         "image-caption": (1, {"n_train": 1000}),
         "delayed-recall": (2, {})}
ARCHS = tuple(QUICK)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="1 epoch, 2 rounds (a few minutes)")
    ap.add_argument("--epochs", type=int, default=2)
    ap.add_argument("--rounds", type=int, default=None, help="default 3, with --quick 2")
    ap.add_argument("--archs", default=",".join(ARCHS))
    ap.add_argument("--cell", default=None, help="--cell for every architecture (e.g. lstm)")
    ap.add_argument("--idle", action="store_true", help="no busy-loop competitor")
    args = ap.parse_args()
    if args.rounds is None:
        args.rounds = 2 if args.quick else 3
    rnnkit = os.path.join(os.path.dirname(sys.executable), "rnnkit")
    print(f"competitor: {'none (idle)' if args.idle else 'one busy-loop process'}; "
          f"epochs {'QUICK' if args.quick else args.epochs}; {args.rounds} rounds; "
          f"load {load()} at start")
    header("arch", "default s", "single s", "default / single", "load")
    with tempfile.TemporaryDirectory() as out:
        for arch in args.archs.split(","):
            epochs, config = QUICK[arch] if args.quick else (args.epochs, {})
            config_file = os.path.join(out, f"{arch}.json")
            with open(config_file, "w") as f:
                json.dump(config, f)

            def seconds(mode):                                    # a new run folder each time
                cmd = [rnnkit, "train", "--arch", arch, "--epochs", str(epochs), "--no-figures",
                       "--config", config_file, "--out", tempfile.mkdtemp(dir=out)]
                return wall(cmd + (["--cell", args.cell] if args.cell else []), mode_env(mode))[0]
            times, at = compare(seconds, args.rounds, competitor=not args.idle)
            print(f"| {arch}{' ' + args.cell if args.cell else ''} | {median(times['default']):.2f} "
                  f"| {median(times['single']):.2f} | {ratio(times):.2f} | {at} |", flush=True)
    print(f"load {load()} at the end")


if __name__ == "__main__":
    main()
