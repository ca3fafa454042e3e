"""Tiny architectures for the CLI, training and gradcheck tests, registered without pip.

``register(tmp_path, monkeypatch)`` writes a ``*.dist-info`` folder with ``entry_points.txt`` into
a temporary directory and puts it on ``sys.path``, as flake8's tests do: ``rnnkit.plugins.discover``
then finds these architectures exactly as it finds an installed package's.

- ``tiny-tagger`` (many-to-many): one-hot symbols A-D in windows of 5, tagged by the previous
  symbol; SimpleRNN/LSTM/GRU + Dense softmax (so ``rnnkit trace --model`` can trace it). ``--data``
  reads ``token<TAB>tag`` files.
- ``tiny-regress`` (many-to-one): the sum of a short sequence, SimpleRNN + linear Dense, MSE and
  plain SGD, so a huge learning rate makes the loss overflow.
- ``broken-arch``: its module raises on import.
"""
import textwrap

import numpy as np

from rnnkit import config as rconfig
from rnnkit.data import DataError, read_tagged_any
from rnnkit.errors import InputError
from rnnkit.layers import GRU, LSTM, Dense, SimpleRNN
from rnnkit.models import Sequential
from rnnkit.optimizers import SGD, Adam
from rnnkit.plugins import Architecture, Dataset, discover

ALPHABET = "ABCD"
T = 5
CELLS = {"rnn": SimpleRNN, "lstm": LSTM, "gru": GRU}


class TinyTagger(Architecture):
    name = "tiny-tagger"
    kind = "many-to-many"
    summary = "tag each symbol with the previous one (a test architecture)"
    headline_metric = "accuracy"
    data_help = "token<TAB>tag lines; tokens are A, B, C or D"
    cells = ("rnn", "lstm", "gru")

    def default_config(self):
        return {"cell": "rnn", "units": 6, "epochs": 2, "batch_size": 16, "lr": 0.05, "seed": 0,
                "samples": 96}

    def _make(self, n, seed):
        rng = np.random.default_rng(seed)
        ids = rng.integers(0, len(ALPHABET), size=(n, T))
        tags = np.concatenate([np.zeros((n, 1), int), ids[:, :-1]], axis=1)
        return ids, tags

    def _dataset(self, ids, tags, source):
        x = np.eye(len(ALPHABET), dtype=rconfig.dtype())[ids]
        cut = max(1, int(0.8 * len(ids)))
        meta = {"alphabet": ALPHABET, "tags": sorted(set(ALPHABET))}
        return Dataset(train=(x[:cut], tags[:cut]), test=(x[cut:], tags[cut:]), meta=meta,
                       info={"source": source})

    def load_data(self, config, path=None, progress=None):
        if path is None:
            ids, tags = self._make(config["samples"], config["seed"])
            return self._dataset(ids, tags, "generated")
        corpus = read_tagged_any(path)
        tokens = [t for s in corpus.sentences for t in s]
        labels = [t for s in corpus.tags for t in s]
        for k, (tok, tag) in enumerate(zip(tokens, labels)):
            if tok not in ALPHABET or tag not in ALPHABET:
                raise DataError(f"{path}: token {k + 1} ({tok!r}/{tag!r}) is not one of "
                                f"{', '.join(ALPHABET)}")
        n = len(tokens) // T
        if n < 2:
            raise DataError(f"{path}: needs at least {2 * T} tokens, found {len(tokens)}")
        ids = np.array([ALPHABET.index(t) for t in tokens[:n * T]]).reshape(n, T)
        tags = np.array([ALPHABET.index(t) for t in labels[:n * T]]).reshape(n, T)
        return self._dataset(ids, tags, str(path))

    def small_data(self, config):
        ids, tags = self._make(8, 1)
        return self._dataset(ids, tags, "generated (small)")

    def build_model(self, config, meta):
        cell = CELLS[config["cell"]]
        model = Sequential([cell(config["units"], return_sequences=True,
                                 input_shape=(T, len(meta["alphabet"]))),
                            Dense(len(meta["tags"]), activation="softmax")])
        model.compile(loss="sparse_categorical_crossentropy",
                      optimizer=Adam(learning_rate=config["lr"]), metrics=["accuracy"])
        return model

    def evaluate(self, model, data):
        loss, acc = model.evaluate(*data.test)
        return {"accuracy": acc, "loss": loss}

    def baseline(self, data):
        """The majority training tag for every symbol."""
        y = data.test[1]
        majority = np.bincount(data.train[1].ravel()).argmax()
        return {"accuracy": float((y == majority).mean())}

    def demo(self, model, meta, inputs=None):
        inputs = inputs or ["ABCDA"]
        lines = []
        for text in inputs:
            if len(text) != T or any(c not in meta["alphabet"] for c in text):
                raise InputError(f"input {text!r}: give {T} symbols from {meta['alphabet']}")
            x = np.eye(len(meta["alphabet"]))[[meta["alphabet"].index(c) for c in text]][None]
            tags = model.predict(x)[0].argmax(-1)
            lines.append(" ".join(f"{c}/{meta['tags'][t]}" for c, t in zip(text, tags)))
        return "\n".join(lines)


class TinyRegress(Architecture):
    name = "tiny-regress"
    kind = "many-to-one"
    summary = "sum of a short sequence (a test architecture)"
    headline_metric = "rmse"
    cells = ("rnn",)

    def default_config(self):
        return {"cell": "rnn", "units": 4, "epochs": 1, "batch_size": 8, "lr": 0.01, "seed": 0}

    def _data(self, n, seed):
        rng = np.random.default_rng(seed)
        x = rng.normal(size=(n, 4, 1)).astype(rconfig.dtype())
        y = x.sum(axis=1)
        return Dataset(train=(x[:n - 8], y[:n - 8]), test=(x[n - 8:], y[n - 8:]), meta={})

    def load_data(self, config, path=None, progress=None):
        return self._data(48, config["seed"])

    def small_data(self, config):
        return self._data(16, 1)

    def build_model(self, config, meta):
        model = Sequential([SimpleRNN(config["units"], input_shape=(4, 1)), Dense(1)])
        model.compile(loss="mse", optimizer=SGD(learning_rate=config["lr"]), metrics=["rmse"])
        return model

    def evaluate(self, model, data):
        loss, rmse = model.evaluate(*data.test)
        return {"rmse": rmse}

    def baseline(self, data):
        return {"rmse": float(np.sqrt(np.mean(data.test[1] ** 2)))}

    def demo(self, model, meta, inputs=None):
        values = [float(v) for v in (inputs or ["1", "2", "3", "4"])]
        x = np.array(values[:4], dtype=model.dtype).reshape(1, 4, 1)
        return f"sum of {values[:4]} ~ {model.predict(x)[0, 0]:.3f}"


PLUGIN_SOURCE = textwrap.dedent("""
    from test_cli_support import TinyTagger, TinyRegress
""")


def register(tmp_path, monkeypatch, broken=False):
    """Put a distribution registering the tiny architectures on sys.path (no pip needed)."""
    root = tmp_path / "site"
    dist = root / "rnnkit_tiny-0.1.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: rnnkit-tiny\nVersion: 0.1\n")
    lines = ["[rnnkit.architectures]",
             "tiny-tagger = rnnkit_tiny_plugin:TinyTagger",
             "tiny-regress = rnnkit_tiny_plugin:TinyRegress"]
    if broken:
        lines.append("broken-arch = rnnkit_tiny_broken:Arch")
        (root / "rnnkit_tiny_broken.py").write_text("raise ImportError('numpy is too old for me')\n")
    (dist / "entry_points.txt").write_text("\n".join(lines) + "\n")
    (root / "rnnkit_tiny_plugin.py").write_text(PLUGIN_SOURCE)
    monkeypatch.syspath_prepend(str(root))
    return root


def test_tiny_architectures_are_discovered(tmp_path, monkeypatch):
    register(tmp_path, monkeypatch, broken=True)
    entries = {e.name: e for e in discover()}
    assert entries["tiny-tagger"].error is None
    assert entries["tiny-regress"].error is None
    assert "numpy is too old" in entries["broken-arch"].error
    assert entries["tiny-tagger"].package == "rnnkit-tiny 0.1"
