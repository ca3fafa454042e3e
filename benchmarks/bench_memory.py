"""Peak memory against corpus size: ``rnnkit train --arch char-lm --data TEXT`` on 0.1, 1, 10 MB.

Each text is the Zen of Python repeated to the size (its alphabet, about 40 characters; ``--alphabet
N`` adds characters so that the alphabet has at least N, as a real book's ~100). The command runs in
a fresh process; its peak resident set size is read from ``getrusage(RUSAGE_CHILDREN)`` (each
size in a fresh benchmark child, so one size's peak does not hide the next's). ``--epochs 0``
measures loading + evaluation alone.

    python benchmarks/bench_memory.py --quick          # 0.1, 1, 10 MB, --epochs 0 --units 16
    python benchmarks/bench_memory.py --sizes 0.1,1 --epochs 1 --units 16
"""
import argparse
import os
import subprocess
import sys
import tempfile

from _contention import header, load
from rnnkit.data import default_text


def make_text(path, megabytes, alphabet):
    zen = default_text()
    extra = "".join(chr(c) for c in range(0x100, 0x100 + max(0, alphabet - len(set(zen)))))
    unit = zen + extra + "\n"
    n = int(megabytes * 1e6)
    with open(path, "w", encoding="utf-8") as f:
        f.write((unit * (n // len(unit) + 1))[:n])


CHILD = r"""
import resource, subprocess, sys, time
t0 = time.perf_counter()
subprocess.run(sys.argv[1:], check=True, capture_output=True)
print(time.perf_counter() - t0, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)
"""


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="0.1 and 1 MB only")
    ap.add_argument("--sizes", default="0.1,1,10", help="megabytes, comma-separated")
    ap.add_argument("--epochs", type=int, default=1)
    ap.add_argument("--alphabet", type=int, default=100)
    ap.add_argument("--units", type=int, default=None,
                    help="--units of the model (memory of the data does not depend on it; "
                         "fewer units run faster on a loaded machine)")
    args = ap.parse_args()
    if args.quick:
        args.sizes, args.epochs, args.units = "0.1,1,10", 0, 16
    rnnkit = os.path.join(os.path.dirname(sys.executable), "rnnkit")
    print(f"char-lm, --epochs {args.epochs}, --units {args.units or 'default'}, alphabet >= "
          f"{args.alphabet}; load {load()} at start")
    header("text", "peak RSS MB", "wall s", "load")
    with tempfile.TemporaryDirectory() as tmp:
        for mb in map(float, args.sizes.split(",")):
            text = os.path.join(tmp, f"text-{mb}.txt")
            make_text(text, mb, args.alphabet)
            at = load()
            cmd = [rnnkit, "train", "--arch", "char-lm", "--data", text, "--epochs",
                   str(args.epochs), "--no-figures", "--out", tempfile.mkdtemp(dir=tmp)]
            cmd += ["--units", str(args.units)] if args.units else []
            out = subprocess.run([sys.executable, "-c", CHILD] + cmd, capture_output=True,
                                 text=True)
            if out.returncode:
                raise RuntimeError(out.stderr[-2000:])
            seconds, peak = map(float, out.stdout.split())
            print(f"| {mb:g} MB | {peak:.0f} | {seconds:.1f} | {at} |", flush=True)
    print(f"load {load()} at the end")


if __name__ == "__main__":
    main()
