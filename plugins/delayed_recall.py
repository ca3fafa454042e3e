"""delayed-recall: name the first symbol of a long sequence, a task built to need long memory.

Each sequence is ``length`` symbols drawn uniformly from an alphabet of ``symbols`` letters
(A, B, C, ...); the target is the *first* one. Everything after step 1 is a distractor drawn from
the same alphabet, so the network must keep one symbol in its state through ``length - 1`` steps
of input that would overwrite it::

    one-hot symbols (batch, length, symbols)
      -> SimpleRNN / LSTM / GRU(units)        the state after the last step
      -> Dense(symbols, softmax)              which symbol came first

A SimpleRNN learns it for short sequences; as ``length`` grows the gradient from the output back to
step 1 is a product of ``length - 1`` factors W^T diag(1 - h_t^2) and vanishes (docs/bptt.md), so
it falls to chance. An LSTM's cell state c_t = f_t ⊙ c_{t-1} + i_t ⊙ c̃_t, or a GRU's
h_t = z_t ⊙ h_{t-1} + (1 - z_t) ⊙ h̃_t, can carry the symbol unchanged (f_t = 1, i_t = 0, or
z_t = 1), and the gradient with it. This is the classic demonstration of why gating matters
(Hochreiter & Schmidhuber, 1997, whose experiments include this kind of task).

Data
----
Generated from ``seed`` (no file, no download): ``samples`` sequences, the first 80% for training,
the next 10% for validation, the last 10% for testing.

Metric: ``accuracy`` on the test sequences (headline). Baseline: chance, always guessing the most
frequent first symbol of the training sequences, about 1 / ``symbols``.
"""
import numpy as np

from rnnkit import Sequential
from rnnkit.errors import ConfigError, DataError, InputError
from rnnkit.layers import Dense, recurrent_layer
from rnnkit.plugins import Architecture, Dataset

from . import _common

LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def generate(n, length, symbols, seed):
    """``(ids, first)``: ``n`` sequences of ``length`` symbol ids in [0, symbols), and each
    sequence's first id, the target."""
    ids = np.random.default_rng(seed).integers(0, symbols, size=(n, length))
    return ids, ids[:, 0].copy()


class DelayedRecall(Architecture):
    """Recall a sequence's first symbol after ``length - 1`` distractors (module docstring)."""

    name = "delayed-recall"
    kind = "many-to-one"
    summary = "Name the first symbol of a long random sequence: the task gating is made for"
    headline_metric = "accuracy"
    data_help = ("no data file: the sequences are generated from the config's seed; choose their "
                 "length with \"length\" and the alphabet size with \"symbols\" (--set or --config)")
    cells = ("rnn", "lstm", "gru")
    input_help = "a sequence of letters of the run's alphabet, e.g. CABDDA (its first is the answer)"

    def default_config(self):
        return {"cell": "lstm", "units": 16, "length": 20, "symbols": 4, "samples": 2000,
                "epochs": 15, "batch_size": 32, "lr": 0.01, "seed": 0, "floatx": "float32"}

    # ---- data ------------------------------------------------------------------------------
    def load_data(self, config, path=None, progress=None):
        if path is not None:
            raise DataError(f"{path}: delayed-recall generates its sequences and reads no file; "
                            f"leave out --data (set \"length\", \"symbols\" and \"samples\" "
                            f"instead)")
        return self._dataset(config, config["samples"])

    def small_data(self, config):
        return self._dataset(dict(config, length=min(config["length"], 5)), 40)

    def _dataset(self, config, samples):
        _common.check_positive_ints(config, "length", "symbols", "samples")
        symbols, length = config["symbols"], config["length"]
        if not 2 <= symbols <= len(LETTERS):
            raise ConfigError(f"config 'symbols' must be between 2 and {len(LETTERS)} (one letter "
                              f"each), got {symbols}")
        if samples < 10:
            raise ConfigError(f"config 'samples' must be at least 10 (for a test part), got "
                              f"{samples}")
        ids, first = generate(samples, length, symbols, config["seed"])
        x = np.eye(symbols, dtype=config["floatx"])[ids]
        n_train, n_val = int(0.8 * samples), int(0.1 * samples)
        parts = [slice(0, n_train), slice(n_train, n_train + n_val), slice(n_train + n_val, None)]
        train, val, test = ((x[p], first[p]) for p in parts)
        meta = {"alphabet": LETTERS[:symbols], "length": length}
        info = {"source": f"generated (seed {config['seed']})", "length": length,
                "symbols": symbols, "train_sequences": n_train, "val_sequences": n_val,
                "test_sequences": samples - n_train - n_val,
                "chance": f"about 1/{symbols} = {1 / symbols:.3f}"}
        return Dataset(train=train, val=val, test=test, meta=meta, info=info)

    # ---- model -------------------------------------------------------------------------------
    def build_model(self, config, meta):
        symbols = len(meta["alphabet"])
        model = Sequential([recurrent_layer(config["cell"], config["units"],
                                            input_shape=(meta["length"], symbols)),
                            Dense(symbols, activation="softmax")], name="recaller")
        model.compile(loss="sparse_categorical_crossentropy", optimizer=_common.optimizer(config))
        return model

    # ---- metrics -----------------------------------------------------------------------------
    def evaluate(self, model, data):
        x, first = data.test
        return {"accuracy": float(np.mean(np.argmax(model.predict(x), axis=-1) == first))}

    def baseline(self, data):
        """Chance: always the most frequent first symbol of the training sequences."""
        guess = np.bincount(data.train[1]).argmax()
        return {"accuracy": float(np.mean(data.test[1] == guess))}

    # ---- demo ----------------------------------------------------------------------------------
    def demo(self, model, meta, inputs=None):
        alphabet, length = meta["alphabet"], meta["length"]
        if inputs:
            text = "".join([inputs] if isinstance(inputs, str) else inputs).replace(" ", "")
            unknown = sorted(set(text) - set(alphabet))
            if unknown or len(text) != length:
                raise InputError(f"delayed-recall demo: give {length} letters of {alphabet!r} "
                                 f"(the run's length and alphabet), got {text!r}")
            sequences = [text]
        else:
            ids, _ = generate(3, length, len(alphabet), seed=12345)
            sequences = ["".join(alphabet[i] for i in row) for row in ids]
        x = np.eye(len(alphabet))[[[alphabet.index(c) for c in s] for s in sequences]]
        probs = model.predict(x)
        return "\n".join(f"{s}  ->  {alphabet[int(np.argmax(p))]} (p = {np.max(p):.2f}; the first "
                         f"was {s[0]})" for s, p in zip(sequences, probs))
