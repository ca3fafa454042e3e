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

Two times per run: the wall seconds of the whole command (start-up, data and evaluation
included) and the training seconds, the sum of the epochs' seconds in the run's ``history.csv``
(``fit`` alone: what threading changes). The ratio is taken on both, and beside it the range of
the per-round ratios (each default run against the single run next to it), so a table shows how
far one short run can be trusted. ``--longer`` trains the built-ins whose QUICK run trains for
well under a second (forecasting, delayed-recall) for longer, so start-up noise does not decide
their ratio.

    python benchmarks/bench_contention.py --quick             # ~10 min: QUICK, 2 rounds
    python benchmarks/bench_contention.py --quick --idle
    python benchmarks/bench_contention.py --quick --longer --rounds 6
    python benchmarks/bench_contention.py --epochs 4 --rounds 3
"""
import argparse
import csv
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
#: --longer: epochs for the built-ins whose QUICK run trains for a fraction of a second
LONGER = {"forecasting": 200, "delayed-recall": 8}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="1 epoch, 2 rounds (a few minutes)")
    ap.add_argument("--epochs", type=int, default=2)
    ap.add_argument("--rounds", type=int, default=None, help="default 3, with --quick 2")
    ap.add_argument("--archs", default=",".join(ARCHS))
    ap.add_argument("--cell", default=None, help="--cell for every architecture (e.g. lstm)")
    ap.add_argument("--idle", action="store_true", help="no busy-loop competitor")
    ap.add_argument("--longer", action="store_true",
                    help="with --quick, train forecasting and delayed-recall for longer (LONGER)")
    args = ap.parse_args()
    if args.rounds is None:
        args.rounds = 2 if args.quick else 3
    rnnkit = os.path.join(os.path.dirname(sys.executable), "rnnkit")
    print(f"competitor: {'none (idle)' if args.idle else 'one busy-loop process'}; "
          f"epochs {'QUICK' if args.quick else args.epochs}; {args.rounds} rounds; "
          f"load {load()} at start")
    header("arch", "epochs", "default wall s", "single wall s", "wall ratio", "default train s",
           "single train s", "train ratio", "per-round train ratios", "load")
    with tempfile.TemporaryDirectory() as out:
        for arch in args.archs.split(","):
            epochs, config = QUICK[arch] if args.quick else (args.epochs, {})
            if args.quick and args.longer:
                epochs = LONGER.get(arch, epochs)
            config_file = os.path.join(out, f"{arch}.json")
            with open(config_file, "w") as f:
                json.dump(config, f)

            def seconds(mode):                                    # a new run folder each time
                run = tempfile.mkdtemp(dir=out)
                cmd = [rnnkit, "train", "--arch", arch, "--epochs", str(epochs), "--no-figures",
                       "--config", config_file, "--out", run]
                total = wall(cmd + (["--cell", args.cell] if args.cell else []), mode_env(mode))[0]
                return total, training_seconds(run)
            times, at = compare(seconds, args.rounds, competitor=not args.idle)
            walls = {m: [t[0] for t in ts] for m, ts in times.items()}
            trains = {m: [t[1] for t in ts] for m, ts in times.items()}
            rounds = [d / s for d, s in zip(trains["default"], trains["single"])]
            print(f"| {arch}{' ' + args.cell if args.cell else ''} | {epochs} "
                  f"| {median(walls['default']):.2f} | {median(walls['single']):.2f} "
                  f"| {ratio(walls):.2f} | {median(trains['default']):.2f} "
                  f"| {median(trains['single']):.2f} | {ratio(trains):.2f} "
                  f"| {min(rounds):.2f}-{max(rounds):.2f} | {at} |", flush=True)
    print(f"load {load()} at the end")


def training_seconds(run):
    """The seconds of every epoch of the run in folder ``run``, added up (its history.csv)."""
    with open(os.path.join(run, "history.csv")) as f:
        return sum(float(row["seconds"]) for row in csv.DictReader(f))


if __name__ == "__main__":
    main()
