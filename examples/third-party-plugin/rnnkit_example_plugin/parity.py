"""``parity``: is the number of 1s in a bit sequence odd? A many-to-one architecture.

The recurrent state has to carry one bit (odd so far?) through the whole sequence and flip it on
every 1: a small task that a feed-forward model on the last few inputs cannot solve, and a
classic test of whether a recurrent network remembers. The data is generated on the spot.
"""
import numpy as np

from rnnkit import Sequential
from rnnkit.errors import DataError
from rnnkit.layers import Dense, recurrent_layer
from rnnkit.optimizers import Adam
from rnnkit.plugins import Architecture, Dataset


def bit_sequences(n, length, seed):
    """``n`` random bit sequences as x (n, length, 1) floats, and their parity y (n, 1)."""
    rng = np.random.default_rng(seed)
    bits = rng.integers(0, 2, size=(n, length))
    return bits[..., None].astype(float), (bits.sum(axis=1) % 2)[:, None].astype(float)


def read_bits(path):
    """Sequences from a text file, one string of 0s and 1s per line. Shorter lines are padded
    with leading 0s, which leaves their parity unchanged."""
    rows = []
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            line = line.strip()
            if not line:
                continue
            if set(line) - {"0", "1"}:
                raise DataError(f"{path}, line {number}: {line!r} is not a string of 0s and 1s")
            rows.append(line)
    if not rows:
        raise DataError(f"{path} holds no bit sequences; write one string of 0s and 1s per line")
    length = max(map(len, rows))
    bits = np.array([[int(c) for c in row.rjust(length, "0")] for row in rows])
    return bits[..., None].astype(float), (bits.sum(axis=1) % 2)[:, None].astype(float)


class Parity(Architecture):
    """Parity of a bit sequence with a small recurrent network and a sigmoid output."""

    name = "parity"
    kind = "many-to-one"
    summary = "is the number of 1s in a bit sequence odd? (generated data)"
    headline_metric = "accuracy"
    data_help = "a text file with one string of 0s and 1s per line, e.g. 0110 (labels are computed)"
    cells = ("rnn", "lstm", "gru")

    def default_config(self):
        # The loss sits at log 2 for about ten epochs, then drops to near zero: the network has
        # to find the flip-on-1 state before any gradient points to it. Longer sequences make
        # that plateau much longer (length 8 needs about 32 units and 40 epochs).
        return {"cell": "gru", "units": 16, "epochs": 40, "batch_size": 32, "lr": 0.01,
                "seed": 0, "length": 6, "samples": 2000}

    def load_data(self, config, path=None, progress=None):
        if path is None:
            n, length, seed = config["samples"], config["length"], config["seed"]
            x, y = bit_sequences(n, length, seed)
            source = f"{n} random sequences of {length} bits (seed {seed})"
        else:
            x, y = read_bits(path)
            source = str(path)
        if len(x) < 3:
            raise DataError(f"{source} has {len(x)} sequences; parity needs at least 3 "
                             f"(70% train, 15% validation, 15% test)")
        cut_val, cut_test = int(0.7 * len(x)), int(0.85 * len(x))
        cut_val = min(cut_val, cut_test - 1)
        val = (x[cut_val:cut_test], y[cut_val:cut_test])
        return Dataset(train=(x[:cut_val], y[:cut_val]), val=val, test=(x[cut_test:], y[cut_test:]),
                       meta={"length": int(x.shape[1])}, info={"source": source, "samples": len(x)})

    def small_data(self, config):
        length, seed = min(config["length"], 5), config["seed"]
        x, y = bit_sequences(32, length, seed)
        xt, yt = bit_sequences(16, length, seed + 1)
        return Dataset(train=(x, y), test=(xt, yt), meta={"length": length},
                       info={"source": "generated"})

    def build_model(self, config, meta):
        model = Sequential([recurrent_layer(config["cell"], config["units"],
                                            input_shape=(meta["length"], 1)),
                            Dense(1, activation="sigmoid")])
        model.compile(loss="binary_crossentropy", optimizer=Adam(learning_rate=config["lr"]),
                      metrics=["accuracy"])
        return model

    def evaluate(self, model, data):
        loss, accuracy = model.evaluate(*data.test)
        return {"accuracy": float(accuracy), "loss": float(loss)}

    def baseline(self, data):
        """Always answer the more frequent parity of the training set."""
        guess = float(data.train[1].mean() >= 0.5)
        return {"accuracy": float(np.mean(data.test[1] == guess))}

    def demo(self, model, meta, inputs=None):
        length = meta["length"]
        if inputs is None:
            inputs = ["1" * length, "10" * (length // 2), "0" * (length - 1) + "1", "0" * length]
        bits = [s.rjust(length, "0")[-length:] for s in inputs]
        x = np.array([[int(c) for c in s] for s in bits], dtype=float)[..., None]
        p = model.predict(x)[:, 0]
        lines = [f"{s}  ->  {'odd ' if q >= 0.5 else 'even'}  (p(odd) = {q:.2f}; "
                 f"truth: {'odd' if s.count('1') % 2 else 'even'})" for s, q in zip(bits, p)]
        return "\n".join(lines)
