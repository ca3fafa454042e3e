"""Width sweep: one epoch of a recurrent layer + Dense at several widths, default against single.

For each cell and width u: ``fit`` one epoch of Cell(u, return_sequences=True) + Dense(16,
softmax) on N sequences (B, T, D) = (32, 50, 16) (``--steps`` sets T), float32, then ``evaluate`` and ``predict`` on
them (batch 32), in a fresh process, alternately with the default threading and with
``NUMBA_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1`` (after one untimed run per mode that fills the
Numba cache). The process reports the seconds of fit + evaluate + predict (its start-up is left
out). ``--busy`` adds the benchmark's own busy-loop competitor on one core.

    python benchmarks/bench_widths.py --quick               # ~2 min: LSTM, N=256, 2 rounds
    python benchmarks/bench_widths.py --quick --busy
    python benchmarks/bench_widths.py --cells lstm,gru,rnn --rounds 3
    python benchmarks/bench_widths.py --cells lstm,gru,rnn --widths 32,48,64,96 --steps 20

The last one measures where splitting the batch starts to pay (``rnnkit.threads.MIN_CHUNK_MACS``:
a layer splits when T·B·gates·u·(D + u) is at least twice it, 10 M; at T = 20, D = 16 an LSTM of
48 units is 7.9 M multiply-adds, of 64 units 13.1 M).
"""
import argparse
import json
import sys

from _contention import compare, header, load, median, mode_env, ratio, wall

SNIPPET = r"""
import json, time
import numpy as np
import rnnkit
from rnnkit.layers import Dense, recurrent_layer
rnnkit.set_floatx("float32")
rnnkit.set_seed(0)
N, T, D, k = {n}, {steps}, 16, 16
rng = np.random.default_rng(0)
x = rng.standard_normal((N, T, D)).astype(np.float32)
y = rng.integers(0, k, (N, T))
model = rnnkit.Sequential([recurrent_layer("{cell}", {units}, return_sequences=True,
                                           input_shape=(T, D)), Dense(k, activation="softmax")])
model.compile(loss="sparse_categorical_crossentropy", optimizer="adam")
t0 = time.perf_counter()
model.fit(x, y, epochs=1, batch_size=32, verbose=0)
model.evaluate(x, y)
model.predict(x)
print(json.dumps(time.perf_counter() - t0))
"""

WIDTHS = (96, 127, 128, 192, 256)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="LSTM only, N=256, 2 rounds")
    ap.add_argument("--cells", default="lstm,gru,rnn")
    ap.add_argument("--widths", default=",".join(map(str, WIDTHS)))
    ap.add_argument("--n", type=int, default=512, help="training sequences")
    ap.add_argument("--steps", type=int, default=50, help="timesteps T of each sequence")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--busy", action="store_true", help="a busy-loop competitor on one core")
    args = ap.parse_args()
    if args.quick:
        args.cells, args.n, args.rounds = "lstm", 256, 2
    print(f"competitor: {'one busy-loop process' if args.busy else 'none'}; N={args.n}; "
          f"T={args.steps}; "
          f"{args.rounds} rounds; load {load()} at start")
    header("cell", "units", "default s", "single s", "default / single", "load")
    for cell in args.cells.split(","):
        for u in map(int, args.widths.split(",")):
            cmd = [sys.executable, "-c", SNIPPET.format(n=args.n, cell=cell, units=u, steps=args.steps)]

            def seconds(mode):
                return json.loads(wall(cmd, mode_env(mode))[1])
            times, at = compare(seconds, args.rounds, competitor=args.busy)
            print(f"| {cell} | {u} | {median(times['default']):.2f} | "
                  f"{median(times['single']):.2f} | {ratio(times):.2f} | {at} |", flush=True)
    print(f"load {load()} at the end")


if __name__ == "__main__":
    main()
