"""``translation``: an encoder-decoder that translates English emoji names into Indonesian.

The data are the names of the same emoji in two languages, from the ``emoji`` package
(:func:`rnnkit.data.translation_pairs`): "red apple" -> "apel merah", "woman teacher" ->
"pengajar wanita" (about 1,900 pairs, skin-tone variants dropped). Phrases are split into words
(punctuation such as "(" is a word of its own).

Model (the lecture's encoder-decoder for machine translation)::

    encoder:  Embedding(src, d, mask_zero) -> cell(units, return_state=True)      -> h (and c)
    decoder:  Embedding(tgt, d, mask_zero) -> cell(units, return_sequences=True)  starts from h (c)
              -> TimeDistributed(Dense(tgt, softmax))

With ``reverse_source`` the encoder reads the source backwards (``go_backwards``; Sutskever et
al., 2014). English puts the modifier first and Indonesian last ("red apple" -> "apel merah"), so
this seemed promising, but on this data it scored lower, and it is off by default.

Training uses teacher forcing: the decoder reads ``<s> w_1 .. w_n`` and must output
``w_1 .. w_n </s>``; padding is masked out of the loss. Inference is greedy (``model.generate``).
After every epoch the validation phrases are decoded greedily and the weights of the epoch with
the best exact match are kept (training stops after ``patience`` epochs without progress): on
~1,500 training pairs the validation loss starts rising after a few epochs while exact matches
still improve.

Vocabularies come from the training pairs only. A word seen only in the test pairs is ``<unk>``,
and in a reference translation it can never be produced: it counts as wrong in every metric (a
predicted ``<unk>`` is never a match). Most words of emoji names occur once, so only about a
third of the default test phrases (64 of 193) have every word in the training vocabulary: that is
the ceiling of ``exact_match`` for any model and for the baseline.

Metrics on the test split (a seeded random 10% of the pairs):

* ``token_accuracy``: teacher-forced next-word accuracy over the target's words and ``</s>``,
  padding excluded (what the loss trains);
* ``exact_match``: share of phrases whose greedy translation is exactly the reference;
* ``greedy_token_accuracy``: the greedy translation compared position by position with the
  reference (``</s>`` included; a missing word counts as wrong).

Baseline: a word-by-word dictionary learned from the training pairs. Each source word is
translated by the target word most associated with it, by the Dice coefficient
2·c(s, t) / (c(s) + c(t)) over phrase pairs (ties: more co-occurrences, then the more frequent
target word); words are kept in the source order, an unknown word becomes ``<unk>``. It ignores
the target prefix, so its teacher-forced and greedy token accuracies are the same number.
"""
import re
from collections import Counter
from pathlib import Path

import numpy as np

from rnnkit.callbacks import Callback
from rnnkit.data import DataError, Vocabulary, pad_sequences, translation_pairs
from rnnkit.data.text import read_text
from rnnkit.plugins import Architecture, Dataset

from ._common import emoji_data_info, optimizer, recurrent_class

START, END = "<s>", "</s>"
PAD_ID, UNK_ID = Vocabulary.pad_index, Vocabulary.unk_index
_WORD = re.compile(r"\w+(?:['’]\w+)*|[^\w\s]")


# ---- helpers shared with image_caption ----------------------------------------------------------

def tokenize(phrase):
    """Words and punctuation marks, lowercased: "AB button (blood type)" -> ab button ( blood type )."""
    return _WORD.findall(phrase.lower())


def detokenize(words):
    """Join words with spaces, without a space inside brackets or before punctuation."""
    text = " ".join(words)
    text = re.sub(r"([(\[]) ", r"\1", text)
    return re.sub(r" ([)\],.:;!?])", r"\1", text)


def target_vocabulary(sequences):
    """A target vocabulary: <pad> 0, <unk> 1, <s> 2, </s> 3, then words by frequency."""
    return Vocabulary([START, END] + Vocabulary.build(sequences).tokens[2:])


def decoder_arrays(sequences, vocab):
    """Teacher-forcing arrays: x_dec = <s> w_1..w_n, y = w_1..w_n </s>, both padded with 0."""
    start, end = vocab.index(START), vocab.index(END)
    ids = [vocab.encode(s) for s in sequences]
    x_dec, _ = pad_sequences([[start] + s for s in ids])
    y, _ = pad_sequences([s + [end] for s in ids])
    return x_dec, y


def strip_end(ids, end):
    """Token ids up to (not including) the first end token."""
    ids = list(ids)
    return ids[:ids.index(end)] if end in ids else ids


def sequence_scores(predicted, y, end):
    """Exact match and position-wise token accuracy of predicted id sequences against ``y``.

    ``predicted``: one list of ids per example, without the end token; ``y``: the padded targets
    (words then the end token). Token accuracy compares the prediction followed by the end token
    with every real target position; a missing position counts as wrong. A target word outside
    the training vocabulary (``<unk>``) can never be produced, so it always counts as wrong:
    predicting ``<unk>`` for it is not a match.
    """
    hits = total = exact = 0
    for pred, target in zip(predicted, np.asarray(y)):
        target = [int(t) for t in target if t != PAD_ID]
        full = list(pred) + [end]
        right = [bool(k < len(full) and full[k] == t and t != UNK_ID)
                 for k, t in enumerate(target)]
        hits += sum(right)
        total += len(target)
        exact += all(right) and len(full) == len(target)
    return {"exact_match": float(exact) / max(len(y), 1),
            "token_accuracy": float(hits) / max(total, 1)}


def teacher_forced_accuracy(model, x, y, batch_size=256):
    """Next-token accuracy under teacher forcing, padding excluded, ``<unk>`` targets never right."""
    y = np.asarray(y)
    hits = total = 0
    for i in range(0, len(y), batch_size):
        probs = model.predict([x[0][i:i + batch_size], x[1][i:i + batch_size]])
        yb = y[i:i + batch_size]
        real = yb != PAD_ID
        hits += int(((probs.argmax(-1) == yb) & (yb != UNK_ID)).sum())   # <unk>: never right
        total += int(real.sum())
    return hits / max(total, 1)


def greedy_decode(model, x_enc, vocab, max_len, batch_size=256):
    """Greedy decodes as lists of ids (end token stripped)."""
    start, end = vocab.index(START), vocab.index(END)
    out = []
    for i in range(0, len(x_enc), batch_size):
        ids = model.generate(x_enc[i:i + batch_size], start_id=start, end_id=end, max_len=max_len)
        out += [strip_end(row, end) for row in ids]
    return out


def sequence_metrics(model, x, y, vocab, max_len):
    """token_accuracy (teacher-forced), exact_match and greedy_token_accuracy on ``(x, y)``."""
    greedy = sequence_scores(greedy_decode(model, x[0], vocab, max_len), y, vocab.index(END))
    return {"token_accuracy": teacher_forced_accuracy(model, x, y),
            "exact_match": greedy["exact_match"],
            "greedy_token_accuracy": greedy["token_accuracy"]}


class KeepBest(Callback):
    """Callback: after each epoch, score the greedy decodes of the validation split, keep the
    weights of the best epoch, stop after ``patience`` epochs without progress, and restore the
    best weights at the end (teacher-forced validation loss rises long before exact matches stop
    improving on these small data sets, so the loss is not the criterion)."""

    def __init__(self, model, val, vocab, max_len, patience, verbose=0):
        self.model, self.val, self.vocab, self.max_len = model, val, vocab, max_len
        self.patience, self.verbose = patience, verbose
        self.best, self.best_epoch, self.weights = -1.0, 0, None

    def on_epoch_end(self, epoch, logs):
        m = sequence_scores(greedy_decode(self.model, self.val[0][0], self.vocab, self.max_len),
                            self.val[1], self.vocab.index(END))
        score = m["exact_match"] + 1e-3 * m["token_accuracy"]        # ties: more words right
        logs["val_exact_match"] = m["exact_match"]
        logs["val_greedy_token_accuracy"] = m["token_accuracy"]
        if self.verbose:
            print(f"  val_exact_match: {m['exact_match']:.4f} - val_greedy_token_accuracy: "
                  f"{m['token_accuracy']:.4f}", flush=True)
        if score > self.best:
            self.best, self.best_epoch = score, epoch
            self.weights = [w.copy() for w in self.model.get_weights()]
        elif self.patience and epoch - self.best_epoch >= self.patience:
            self.model.stop_training = True

    def restore(self):
        if self.weights is not None:
            self.model.set_weights(self.weights)


def fit_keep_best(model, data, config, vocab, callbacks=None, verbose=0):
    """``model.fit`` with :class:`KeepBest` on the validation split (when there is one)."""
    callbacks = list(callbacks or [])
    keep = None
    if data.val is not None:
        keep = KeepBest(model, data.val, vocab, data.meta["max_len"], config.get("patience", 0), verbose)
        callbacks.insert(0, keep)
    history = model.fit(*data.train, epochs=config["epochs"], batch_size=config["batch_size"],
                        validation_data=data.val, callbacks=callbacks, verbose=verbose)
    if keep is not None:
        keep.restore()
        history.best_epoch = keep.best_epoch
        if verbose:
            print(f"restored the weights of epoch {keep.best_epoch} (best validation exact match)")
    return history


def compile_model(model, config):
    """Sparse cross-entropy (padding masked) and Adam with the config's lr and clipnorm."""
    model.compile(loss="sparse_categorical_crossentropy", optimizer=optimizer(config))
    return model


# ---- the word-by-word baseline ------------------------------------------------------------------

def word_dictionary(pairs):
    """For every source word, the target word with the highest Dice association in ``pairs``.

    ``pairs``: (source words, target words) lists. Ties go to more co-occurrences, then to the
    more frequent target word, then to the word seen first.
    """
    src_count, tgt_count, both = Counter(), Counter(), Counter()
    for src, tgt in pairs:
        s, t = set(src), set(tgt)
        src_count.update(s)
        tgt_count.update(t)
        both.update((a, b) for a in s for b in t)
    first_seen = {w: k for k, w in enumerate(dict.fromkeys(w for _, tgt in pairs for w in tgt))}
    best = {}
    for (a, b), c in both.items():
        key = (2 * c / (src_count[a] + tgt_count[b]), c, tgt_count[b], -first_seen[b])
        if a not in best or key > best[a][0]:
            best[a] = (key, b)
    return {a: b for a, (_, b) in best.items()}


# ---- reading --data ------------------------------------------------------------------------------

def read_pairs(path):
    """Read ``source<TAB>target`` lines; blank lines and lines starting with ``#`` are skipped."""
    text = read_text(path, expected="a UTF-8 file of source<TAB>target lines")
    pairs = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        fields = line.split("\t")
        if len(fields) != 2:
            raise DataError(f"{path}, line {number}: expected 'source<TAB>target' (2 fields "
                            f"separated by one tab), found {len(fields)} field(s): {line[:60]!r}. "
                            f"Fix the line or delete it.")
        src, tgt = (f.strip() for f in fields)
        if not tokenize(src) or not tokenize(tgt):
            side = "source" if not tokenize(src) else "target"
            raise DataError(f"{path}, line {number}: the {side} phrase is empty. Fix the line or "
                            f"delete it.")
        pairs.append((src, tgt))
    if len(pairs) < 2:
        raise DataError(f"{path}: found {len(pairs)} source<TAB>target pair(s); at least 2 are "
                        f"needed (one to train on, one to test).")
    return pairs


# a tiny compositional set for tests: adjective-noun in English, noun-adjective in Indonesian
_COLOURS = {"red": "merah", "green": "hijau", "blue": "biru", "yellow": "kuning"}
_NOUNS = {"apple": "apel", "car": "mobil", "heart": "hati", "book": "buku"}


def tiny_pairs():
    """16 pairs like ("red apple", "apel merah"): each colour with each noun."""
    return [(f"{c} {n}", f"{_NOUNS[n]} {_COLOURS[c]}") for c in _COLOURS for n in _NOUNS]


def pairs_dataset(train, test, val=(), source="", max_len=None):
    """A Dataset from (source phrase, target phrase) lists; vocabularies and the baseline's
    dictionary come from ``train`` only (a word seen only in test is ``<unk>``)."""
    tokens = {name: [(tokenize(s), tokenize(t)) for s, t in split]
              for name, split in (("train", train), ("test", test), ("val", val or []))}
    src_vocab = Vocabulary.build([s for s, _ in tokens["train"]])
    tgt_vocab = target_vocabulary([t for _, t in tokens["train"]])
    every = [p for split in tokens.values() for p in split]
    max_src = max(len(s) for s, _ in every)

    def arrays(split):
        if not split:
            return None
        x_enc, _ = pad_sequences([src_vocab.encode(s) for s, _ in split], maxlen=max_src)
        x_dec, y = decoder_arrays([t for _, t in split], tgt_vocab)
        return [x_enc, x_dec], y

    meta = {"src_vocab": src_vocab.to_dict(), "tgt_vocab": tgt_vocab.to_dict(),
            "start": START, "end": END,
            "max_len": int(max_len or max(len(t) for _, t in every) + 4),
            "dictionary": word_dictionary(tokens["train"])}
    info = {"source": source, "pairs": len(every), "train": len(train), "val": len(val or []),
            "test": len(test), "src_vocab": len(src_vocab), "tgt_vocab": len(tgt_vocab)}
    return Dataset(train=arrays(tokens["train"]), test=arrays(tokens["test"]),
                   val=arrays(tokens["val"]), meta=meta, info=info)


class Translation(Architecture):
    """English -> Indonesian emoji names with an encoder-decoder (see the module docstring)."""

    name = "translation"
    kind = "encoder-decoder"
    summary = "English to Indonesian emoji names: encoder-decoder, teacher forcing, greedy decoding"
    headline_metric = "token_accuracy"
    cells = ("rnn", "lstm", "gru")
    data_help = ("a UTF-8 text file with one pair per line, 'source phrase<TAB>target phrase'; "
                 "blank lines and lines starting with # are skipped. Default: English and "
                 "Indonesian emoji names from the emoji package.")

    def default_config(self):
        return {"cell": "gru", "units": 256, "embed_dim": 64, "epochs": 40, "batch_size": 32,
                "lr": 0.003, "clipnorm": 1.0, "seed": 0, "floatx": "float32",
                "reverse_source": False, "patience": 8, "test_fraction": 0.1, "val_fraction": 0.1, "max_len": 16}

    # ---- data -------------------------------------------------------------------------------------
    def load_data(self, config, path=None, progress=None):
        if path is None:
            pairs = translation_pairs("en", "id")
            source = "emoji package: English and Indonesian emoji names, aligned by emoji"
        else:
            pairs = read_pairs(path)
            source = str(Path(path))
        return self._dataset(pairs, config, source)

    def small_data(self, config):
        return self._dataset(tiny_pairs(), dict(config, test_fraction=0.25, val_fraction=0.0),
                             "tiny built-in colour-noun pairs")

    def _dataset(self, pairs, config, source):
        """Split ``pairs`` at random (seeded) into test, validation and training sets."""
        rng = np.random.default_rng(config.get("seed", 0))
        order = rng.permutation(len(pairs))
        n_test = max(1, int(round(len(pairs) * config.get("test_fraction", 0.1))))
        n_val = int(round(len(pairs) * config.get("val_fraction", 0.1)))
        if len(pairs) - n_test - n_val < 1:
            raise DataError(f"{source}: {len(pairs)} pairs are too few to split into training, "
                            f"validation and test sets.")
        test, val, train = (order[:n_test], order[n_test:n_test + n_val], order[n_test + n_val:])
        return pairs_dataset([pairs[i] for i in train], [pairs[i] for i in test],
                             [pairs[i] for i in val], source, config.get("max_len"))

    # ---- model ------------------------------------------------------------------------------------
    def build_model(self, config, meta):
        from rnnkit.layers import Dense, Embedding, TimeDistributed
        from rnnkit.models.encoder_decoder import EncoderDecoder
        Cell = recurrent_class(config["cell"], self.cells)
        n_src, n_tgt = len(meta["src_vocab"]["tokens"]), len(meta["tgt_vocab"]["tokens"])
        d, units = config["embed_dim"], config["units"]
        model = EncoderDecoder(
            [Embedding(n_src, d, mask_zero=True),
             Cell(units, return_state=True, go_backwards=config.get("reverse_source", False))],
            [Embedding(n_tgt, d, mask_zero=True), Cell(units, return_sequences=True),
             TimeDistributed(Dense(n_tgt, activation="softmax"))], name="translation")
        return compile_model(model, config)

    def fit(self, model, data, config, callbacks=None, verbose=0):
        vocab = Vocabulary.from_dict(data.meta["tgt_vocab"])
        return fit_keep_best(model, data, config, vocab, callbacks, verbose)

    # ---- metrics ----------------------------------------------------------------------------------
    def data_info(self):
        return emoji_data_info("English-Indonesian phrase pairs")

    def evaluate(self, model, data):
        vocab = Vocabulary.from_dict(data.meta["tgt_vocab"])
        x, y = data.test
        return sequence_metrics(model, x, y, vocab, data.meta["max_len"])

    def baseline(self, data):
        vocab = Vocabulary.from_dict(data.meta["tgt_vocab"])
        src_vocab = Vocabulary.from_dict(data.meta["src_vocab"])
        dictionary = data.meta["dictionary"]
        x, y = data.test
        predicted = []
        for row in np.asarray(x[0]):
            words = src_vocab.decode(row)               # padding dropped; unseen words are <unk>
            predicted.append(vocab.encode([dictionary.get(w, "<unk>") for w in words]))
        scores = sequence_scores(predicted, y, vocab.index(END))
        return {"token_accuracy": scores["token_accuracy"], "exact_match": scores["exact_match"],
                "greedy_token_accuracy": scores["token_accuracy"]}

    # ---- demo -------------------------------------------------------------------------------------
    def demo(self, model, meta, inputs=None):
        phrases = list(inputs) if inputs else ["red apple", "woman teacher", "smiling face",
                                               "man walking", "blue heart"]
        src_vocab = Vocabulary.from_dict(meta["src_vocab"])
        tgt_vocab = Vocabulary.from_dict(meta["tgt_vocab"])
        words = [tokenize(p) for p in phrases]
        shown = [[w if w in src_vocab else "<unk>" for w in ws] for ws in words]
        x_enc, _ = pad_sequences([src_vocab.encode(ws) or [src_vocab.unk_index] for ws in words])
        decoded = greedy_decode(model, x_enc, tgt_vocab, meta.get("max_len", 16))
        width = max(len(" ".join(s)) for s in shown)
        lines = []
        for phrase, seen, ids in zip(phrases, shown, decoded):
            lines.append(f"{' '.join(seen):<{width}}  ->  {detokenize(tgt_vocab.decode(ids))}")
        return "\n".join(lines)
