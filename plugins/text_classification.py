"""text-classification: which language is this phrase in? A many-to-one, character-level model.

Model::

    character ids (batch, T)
      -> Embedding(C, embed_dim, mask_zero=True)     id 0 is padding: the recurrent layer skips it
      -> LSTM / GRU / SimpleRNN(units)                the state after the last real character
      -> Dense(n_languages, softmax)

trained with sparse categorical cross-entropy. The recurrent layer reads the phrase one character at
a time; only its final state h_T reaches the classifier (the lecture's many-to-one picture).

Data
----
Default: the names of the emoji in the ``emoji`` package (BSD) in eight Latin-script languages,
en, de, es, fr, id, it, pt, tr (:func:`rnnkit.data.language_phrases`): "red apple" is ``en``,
"apel merah" ``id``, about 1,900 phrases per language. ``--data PATH`` reads a UTF-8 TSV file with
one ``text<TAB>label`` pair per line (blank lines and lines starting with ``#`` are skipped; any
label set). Phrases are lower-cased; phrases longer than ``max_len`` characters are cut (counted in
``info``). The pairs are shuffled with ``seed`` and split 80/10/10 into train/val/test; the
character vocabulary comes from the training part (characters seen fewer than ``min_count`` times
become ``<unk>``).

Metrics on the test part: ``accuracy``, and ``macro_f1`` (the mean over classes of each class's F1).
Baseline: always answer the most frequent training label (with eight equally large languages that
is about 1/8).
"""
from collections import Counter

import numpy as np

from rnnkit import Sequential
from rnnkit.data import DataError, Vocabulary, language_phrases, pad_sequences, read_text
from rnnkit.errors import InputError
from rnnkit.layers import Dense, Embedding, recurrent_layer
from rnnkit.plugins import Architecture, Dataset

from . import _common

DEFAULT_PHRASES = ("red apple", "apel merah", "pomme rouge", "roter apfel", "mela rossa",
                   "kırmızı elma", "maçã vermelha", "manzana roja")

_TOY = {"aa": ["ba", "da", "ga", "ka", "ma", "na", "pa", "ta"],
        "oo": ["bo", "do", "go", "ko", "mo", "no", "po", "to"],
        "ii": ["bi", "di", "gi", "ki", "mi", "ni", "pi", "ti"]}


def read_labelled(path):
    """Read ``text<TAB>label`` lines from a UTF-8 file; returns a list of (text, label).

    Raises DataError naming the file and line of the first malformed line (not exactly two
    non-empty tab-separated fields), or if there are fewer than two labels.
    """
    text = read_text(path, expected="a TSV file of text<TAB>label lines")
    pairs = []
    for lineno, line in enumerate(text.split("\n"), start=1):
        line = line.rstrip("\r")
        if not line.strip() or line.startswith("#"):
            continue
        fields = line.split("\t")
        if len(fields) != 2 or not fields[0].strip() or not fields[1].strip():
            raise DataError(
                f"{path}, line {lineno}: expected 'text<TAB>label' (two non-empty fields separated "
                f"by one tab), found {len(fields)} field(s): {line[:80]!r}. Fix or delete the line.")
        pairs.append((fields[0].strip(), fields[1].strip()))
    labels = {label for _, label in pairs}
    if len(labels) < 2:
        raise DataError(f"{path}: found {len(pairs)} phrase(s) but {len(labels)} label(s); a "
                        f"classifier needs at least two different labels.")
    return pairs


class TextClassification(Architecture):
    """Language identification of short phrases, character by character (module docstring)."""

    name = "text-classification"
    kind = "many-to-one"
    summary = "Which language is a phrase in? Character-level recurrent classifier (8 languages)"
    headline_metric = "accuracy"
    data_help = ("a UTF-8 TSV file, one 'text<TAB>label' per line (# comments and blank lines "
                 "skipped). Default: emoji names in en, de, es, fr, id, it, pt, tr.")
    cells = ("lstm", "gru", "rnn")
    input_help = "a short phrase whose language it names"
    bucket_by_length = True       # batches of phrases of similar length, cut to their longest

    def default_config(self):
        return {"cell": "gru", "units": 64, "embed_dim": 24, "epochs": 12, "batch_size": 32,
                "lr": 0.004, "clipnorm": 5.0, "seed": 0, "min_count": 2, "max_len": 40,
                "floatx": "float32"}

    # ---- data ------------------------------------------------------------------------------
    def load_data(self, config, path=None, progress=None):
        if path is None:
            pairs, source = language_phrases(), "emoji names (emoji package, BSD), 8 languages"
        else:
            pairs, source = read_labelled(path), str(path)
        return self._dataset(pairs, config, source)

    def encode_data(self, config, meta, path):
        """Every phrase of ``path`` with the run's characters (unknown -> ``<unk>``) and classes;
        a label the run never saw is a DataError. ``train`` is one sample of the run's training
        majority, so the baseline is the run's own."""
        pairs = read_labelled(path)
        classes = meta["classes"]
        _common.check_known_labels(path, "label", {label for _, label in pairs}, classes)
        chars, index = Vocabulary.from_dict(meta["chars"]), {c: k for k, c in enumerate(classes)}
        x, _ = pad_sequences([chars.encode(t.lower()) for t, _ in pairs], maxlen=meta["max_len"])
        y = np.array([index[label] for _, label in pairs], dtype=np.int64)
        majority = (x[:1], np.array([index[meta["majority"]]], dtype=np.int64))
        return Dataset(train=majority, test=(x, y), meta=meta,
                       info={"source": str(path), "phrases": len(pairs)})

    def small_data(self, config):
        """90 generated 'words' in three toy languages told apart by their vowels."""
        rng = np.random.default_rng(config["seed"])
        pairs = []
        for _ in range(30):
            for label, syllables in _TOY.items():
                n = int(rng.integers(2, 5))
                pairs.append(("".join(syllables[k] for k in rng.integers(0, 8, n)), label))
        return self._dataset(pairs, dict(config, min_count=1), "generated toy languages (small_data)")

    def _dataset(self, pairs, config, source):
        _common.check_positive_ints(config, "min_count", "max_len")
        texts = [t.lower() for t, _ in pairs]
        labels = [label for _, label in pairs]
        train, val, test = _common.split_indices(len(texts), config["seed"])
        chars = Vocabulary.build([texts[i] for i in train], min_count=config["min_count"])
        classes = sorted(set(labels))
        index = {c: k for k, c in enumerate(classes)}
        max_len = config["max_len"]

        def arrays(idx):
            x, _ = pad_sequences([chars.encode(texts[i]) for i in idx], maxlen=max_len)
            return x, np.array([index[labels[i]] for i in idx], dtype=np.int64)

        counts = Counter(labels[i] for i in train)
        meta = {"chars": chars.to_dict(), "classes": classes, "max_len": max_len,
                "majority": counts.most_common(1)[0][0]}
        info = {"source": source, "phrases": len(texts), "classes": len(classes),
                "train": len(train), "val": len(val), "test": len(test),
                "characters": len(chars), "max_len": max_len,
                "truncated_phrases": int(sum(len(t) > max_len for t in texts)),
                "train_counts": dict(sorted(counts.items()))}
        return Dataset(train=arrays(train), val=arrays(val), test=arrays(test), meta=meta, info=info)

    # ---- model -------------------------------------------------------------------------------
    def build_model(self, config, meta):
        _common.check_positive_ints(config, "embed_dim")
        model = Sequential([
            Embedding(len(meta["chars"]["tokens"]), config["embed_dim"], mask_zero=True,
                      input_shape=(meta["max_len"],)),
            recurrent_layer(config["cell"], config["units"]),
            Dense(len(meta["classes"]), activation="softmax"),
        ], name="language_id")
        model.compile(loss="sparse_categorical_crossentropy", optimizer=_common.optimizer(config),
                      metrics=["accuracy"])
        return model

    # ---- metrics -----------------------------------------------------------------------------
    def evaluate(self, model, data):
        x, y = data.test
        predicted = model.predict(x, bucket_by_length=True).argmax(-1)
        return _scores(predicted, np.asarray(y), _n_classes(model))

    def baseline(self, data):
        """Always the most frequent training label."""
        y_train = np.asarray(data.train[1])
        y = np.asarray(data.test[1])
        n = int(max(y_train.max(), y.max())) + 1
        majority = int(np.bincount(y_train, minlength=n).argmax())
        return _scores(np.full_like(y, majority), y, n)

    def data_info(self):
        return _common.emoji_data_info("short phrases in 8 languages")

    # ---- demo ----------------------------------------------------------------------------------
    def encode(self, meta, text):
        """Character ids of ``text`` (lower-cased, unknown -> <unk>) and its characters."""
        chars = Vocabulary.from_dict(meta["chars"])
        lowered = text.lower()[:meta["max_len"]]
        if not lowered:
            raise InputError("text-classification: the text to encode is empty")
        return np.array([chars.encode(lowered)]), list(lowered)

    def predictions(self, model, meta, inputs=None):
        """Per phrase: its characters as read (lower-cased, the first ``max_len``), those outside
        the alphabet (``unknown`` positions) and the probability of every class, most probable
        first. A phrase with no known character is refused."""
        chars = Vocabulary.from_dict(meta["chars"])
        classes = meta["classes"]
        found = []
        for phrase in [inputs] if isinstance(inputs, str) else list(inputs or DEFAULT_PHRASES):
            read = phrase.lower()[:meta["max_len"]]
            ids = np.array([chars.encode(read)])
            if not read or (ids == chars.unk_index).all():
                raise InputError(f"text-classification: none of the characters of {phrase!r} is "
                                 f"in the model's alphabet, so there is nothing to read")
            p = model.predict(ids)[0]
            found.append({"input": phrase, "tokens": list(read),
                          "unknown": _common.unknown_positions(ids[0], chars.unk_index),
                          "probabilities": {classes[k]: float(p[k]) for k in np.argsort(-p)}})
        return found

    def demo(self, model, meta, inputs=None):
        lines = []
        for one in self.predictions(model, meta, inputs):
            top = list(one["probabilities"].items())[:3]
            guesses = ", ".join(f"{name} {p:.0%}" for name, p in top)
            lines.append(f"{one['input']!r:32} -> {top[0][0]}   ({guesses})")
        return "\n".join(lines)


def _n_classes(model):
    return int(model.layers[-1].units)


def _scores(predicted, y, n_classes):
    f1s = []
    for c in range(n_classes):
        tp = int(((predicted == c) & (y == c)).sum())
        fp = int(((predicted == c) & (y != c)).sum())
        fn = int(((predicted != c) & (y == c)).sum())
        if tp + fp + fn:
            f1s.append(2 * tp / (2 * tp + fp + fn))
    return {"accuracy": float((predicted == y).mean()),
            "macro_f1": float(np.mean(f1s)) if f1s else 0.0}
