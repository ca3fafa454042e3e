"""delayed-recall: name the marked symbol of a long sequence, a task built to need gated memory.

Each sequence is ``length`` symbols drawn uniformly from an alphabet of ``symbols`` letters
(A, B, C, ...), one-hot, plus a marker channel that is 1 at exactly one step, somewhere in the
first half; the target is the symbol at the marked step. Every other step is a distractor from
the same alphabet, so the network must *write* its memory only when the marker says so and then
*hold* it through up to ``length - 1`` steps of input that would overwrite it::

    one-hot symbols + marker (batch, length, symbols + 1)
      -> SimpleRNN / LSTM / GRU(units)        the state after the last step
      -> Dense(symbols, softmax)              which symbol was marked

Writing on a condition and holding is what gates do: an LSTM's input gate opens on the marker and
its cell state c_t = f_t ⊙ c_{t-1} + i_t ⊙ c̃_t keeps the symbol with f_t = 1, i_t = 0; a GRU's
h_t = z_t ⊙ h_{t-1} + (1 - z_t) ⊙ h̃_t holds it with z_t = 1. A SimpleRNN has neither: every input
moves h_t = tanh(U x_t + W h_{t-1} + b_xh), and the gradient from the output back to the marked
step is a product of up to ``length - 1`` factors W^T diag(1 - h_t^2) that vanishes
(docs/bptt.md), so as ``length`` grows it falls to chance. (Hochreiter & Schmidhuber, 1997, built
their LSTM experiments on tasks of this kind.)

Data
----
Generated from ``seed`` (no file, no download): ``samples`` sequences, the first 80% for training,
the next 10% for validation, the last 10% for testing.

Metric: ``accuracy`` on the test sequences (headline). Baseline: chance, always guessing the most
frequent target of the training sequences, about 1 / ``symbols``.
"""
import numpy as np

from rnnkit import Sequential
from rnnkit.errors import ConfigError, DataError, InputError
from rnnkit.layers import Dense, recurrent_layer
from rnnkit.plugins import Architecture, Dataset

from . import _common

LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def generate(n, length, symbols, seed):
    """``(ids, marked, target)``: ``n`` sequences of ``length`` symbol ids in [0, symbols), the
    marked step of each (one of the first half), and the symbol there, the target."""
    rng = np.random.default_rng(seed)
    ids = rng.integers(0, symbols, size=(n, length))
    marked = rng.integers(0, max(1, length // 2), size=n)
    return ids, marked, ids[np.arange(n), marked]


class DelayedRecall(Architecture):
    """Recall a sequence's marked symbol after up to ``length - 1`` distractors (module
    docstring)."""

    name = "delayed-recall"
    kind = "many-to-one"
    summary = "Name the marked symbol of a long random sequence: the task gating is made for"
    headline_metric = "accuracy"
    data_help = ("no data file: the sequences are generated from the config's seed; choose their "
                 "length with \"length\" and the alphabet size with \"symbols\" (--set or --config)")
    cells = ("rnn", "lstm", "gru")
    input_help = ("a sequence of letters of the run's alphabet with the marked one in brackets, "
                  "e.g. CA[B]DDA")

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
        ids, marked, first = generate(samples, length, symbols, config["seed"])
        x = np.zeros((samples, length, symbols + 1), dtype=config["floatx"])
        x[..., :symbols] = np.eye(symbols)[ids]
        x[np.arange(samples), marked, symbols] = 1.0           # the marker channel
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
                                            input_shape=(meta["length"], symbols + 1)),
                            Dense(symbols, activation="softmax")], name="recaller")
        model.compile(loss="sparse_categorical_crossentropy", optimizer=_common.optimizer(config))
        return model

    # ---- metrics -----------------------------------------------------------------------------
    def evaluate(self, model, data):
        x, first = data.test
        return {"accuracy": float(np.mean(np.argmax(model.predict(x), axis=-1) == first))}

    def baseline(self, data):
        """Chance: always the most frequent target of the training sequences."""
        guess = np.bincount(data.train[1]).argmax()
        return {"accuracy": float(np.mean(data.test[1] == guess))}

    # ---- demo ----------------------------------------------------------------------------------
    def demo(self, model, meta, inputs=None):
        alphabet, length = meta["alphabet"], meta["length"]
        if inputs:
            text = "".join([inputs] if isinstance(inputs, str) else inputs).replace(" ", "")
            ids, marked = _parse_marked(text, alphabet, length)
            sequences = [(ids, marked)]
        else:
            ids, marked, _ = generate(3, length, len(alphabet), seed=12345)
            sequences = list(zip(ids, marked))
        x = np.zeros((len(sequences), length, len(alphabet) + 1))
        for row, (seq, mark) in enumerate(sequences):
            x[row, np.arange(length), seq] = 1.0
            x[row, mark, len(alphabet)] = 1.0
        lines = []
        for (seq, mark), p in zip(sequences, model.predict(x)):
            shown = "".join(f"[{alphabet[i]}]" if t == mark else alphabet[i]
                            for t, i in enumerate(seq))
            lines.append(f"{shown}  ->  {alphabet[int(np.argmax(p))]} (p = {np.max(p):.2f}; the "
                         f"marked one was {alphabet[seq[mark]]})")
        return "\n".join(lines)


def _parse_marked(text, alphabet, length):
    """``(ids, marked)`` of a demo input such as ``CA[B]DDA``: letters, one of them in brackets."""
    letters = text.replace("[", "").replace("]", "")
    start = text.find("[")
    if (text.count("[") != 1 or text.count("]") != 1 or text.find("]") != start + 2
            or len(letters) != length or set(letters) - set(alphabet)):
        raise InputError(f"delayed-recall demo: give {length} letters of {alphabet!r} (the run's "
                         f"length and alphabet) with the marked one in brackets, e.g. "
                         f"{alphabet[1]}[{alphabet[0]}]{alphabet[1] * (length - 2)}; got {text!r}")
    return [alphabet.index(c) for c in letters], start
