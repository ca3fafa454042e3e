"""pos-tagging: a many-to-many tagger, one part-of-speech tag per word, on an Indonesian corpus.

Model (the lecture's "bidirectional RNNs for POS tagging")::

    word ids (batch, T)
      -> Embedding(V, embed_dim, mask_zero=True)        id 0 is padding: masked everywhere below
      -> Bidirectional(LSTM(units, return_sequences=True))   left and right context of each word
      -> TimeDistributed(Dense(n_tags, softmax))        one tag distribution per word

trained with sparse categorical cross-entropy averaged over real (unpadded) words.

Data
----
Default: the Indonesian POS corpus of nlp-id 0.1.23.0 (MIT; about 32,780 sentences, 17 tag
strings), fetched on first use into the rnnkit cache (``rnnkit data fetch pos-tagging``). ``--data
PATH`` reads ``token<TAB>tag`` lines with a blank line between sentences, or CoNLL-U (word form and
UPOS column); see :func:`rnnkit.data.read_tagged_any`.

Preparation, all recorded in ``Dataset.info``:

* **Tags are upper-cased.** The nlp-id file writes one ``VB`` as ``vb``; a tag set is case-blind here,
  so that token counts as ``VB`` (``info["lowercase_tags_fixed"]`` says how many were changed).
* **Words are lower-cased and every digit becomes 0** ("2019" and "1998" share one entry, "0000").
* Sentences are shuffled with ``seed`` and split 80/10/10 into train/val/test.
* The vocabulary comes from the training part only; words seen fewer than ``min_count`` times map to
  ``<unk>``, so the model learns what to do with words it has never seen.
* Training sentences longer than ``max_len`` words are truncated (counted in
  ``info["truncated_train_sentences"]``); validation and test sentences are never cut, so every
  held-out word is scored.
* Training and evaluation run on batches of sentences of similar length, each padded only to its own
  longest sentence (``Sequential.fit(bucket_by_length=True)``): padding costs as much as words.

Metrics (on the test part, padding excluded): ``accuracy`` over all words, ``unknown_accuracy`` over
words outside the vocabulary, ``unknown_share`` (how many test words those are). Baseline: the most
frequent training tag of each word; ``<unk>`` words (and any word without a training count) get the
most frequent tag overall. The baseline sees the words exactly as the model does (same vocabulary).
"""
import re
from collections import Counter

import numpy as np

from rnnkit import Sequential
from rnnkit.data import DataError, Vocabulary, info_postag, fetch_postag, load_postag, pad_sequences
from rnnkit.errors import InputError
from rnnkit.layers import Bidirectional, Dense, Embedding, TimeDistributed, recurrent_layer
from rnnkit.plugins import Architecture, Dataset

from . import _common

DEFAULT_SENTENCE = "Presiden Joko Widodo meresmikan jalan tol baru di Jawa Tengah pada 12 Maret 2019 ."

#: word classes of the tiny generated corpus used by ``small_data`` (tests and the conformance kit)
_TOY_LEXICON = {
    "NNP": ["budi", "ani", "jakarta", "bandung"],
    "NN": ["rumah", "buku", "mobil", "pasar", "kopi"],
    "VB": ["membaca", "membeli", "melihat", "menjual"],
    "DT": ["itu", "ini"],
    "IN": ["di", "ke", "dari"],
    "SYM": [".", ","],
}
_TOY_PATTERNS = [["NNP", "VB", "NN", "DT", "SYM"],
                 ["NNP", "VB", "NN", "IN", "NNP", "SYM"],
                 ["NN", "DT", "VB", "NN", "SYM"],
                 ["NNP", "VB", "SYM"]]


def normalise_word(word):
    """Lower-case ``word`` and turn every digit into 0: the form the vocabulary stores."""
    return re.sub(r"\d", "0", word.lower())


def tokenize(text):
    """Split a sentence into words and punctuation marks (``"Saya makan."`` -> Saya, makan, .)."""
    return re.findall(r"\w+(?:[-'’.]\w+)*|[^\w\s]", text)


class PosTagging(Architecture):
    """Part-of-speech tagging with a bidirectional recurrent network (see the module docstring)."""

    name = "pos-tagging"
    kind = "many-to-many"
    summary = "Indonesian part-of-speech tagger: embedding, bidirectional LSTM, a tag per word"
    headline_metric = "accuracy"
    data_help = ("token<TAB>tag lines with a blank line between sentences (the nlp-id format), or "
                 "CoNLL-U (.conllu: word form and UPOS tag). Default: the nlp-id Indonesian corpus, "
                 "downloaded on first use (`rnnkit data fetch pos-tagging`).")
    cells = ("lstm", "gru", "rnn")
    input_help = "a sentence to tag, e.g. \"saya makan nasi\""
    bucket_by_length = True       # batches of sentences of similar length, cut to their longest

    def default_config(self):
        return {"cell": "lstm", "units": 64, "embed_dim": 64, "epochs": 3, "batch_size": 32,
                "lr": 0.003, "clipnorm": 5.0, "seed": 0, "min_count": 2, "max_len": 50,
                "floatx": "float32"}

    # ---- data ------------------------------------------------------------------------------
    def load_data(self, config, path=None, progress=None):
        corpus = load_postag(path, progress=progress)
        source = str(path) if path is not None else f"nlp-id 0.1.23.0 POS corpus ({info_postag()['path']})"
        return self._dataset(corpus.sentences, corpus.tags, config, source, skipped=corpus.skipped)

    def encode_data(self, config, meta, path):
        """Every sentence of ``path`` with the run's vocabulary (unknown words -> ``<unk>``) and
        tag set; a tag the run never saw is a DataError. ``train`` is the same sentences."""
        corpus = load_postag(path)
        words = [[normalise_word(w) for w in sent] for sent in corpus.sentences]
        tags = [[t.upper() for t in sent] for sent in corpus.tags]
        _common.check_known_labels(path, "tag", {t for sent in tags for t in sent}, meta["tags"])
        vocab = Vocabulary.from_dict(meta["words"])
        index = {t: k for k, t in enumerate(meta["tags"])}
        longest = max(len(s) for s in words)
        x, _ = pad_sequences([vocab.encode(s) for s in words], maxlen=longest)
        y, _ = pad_sequences([[index[t] for t in s] for s in tags], maxlen=longest)
        info = {"source": str(path), "sentences": len(words), "skipped_lines": int(corpus.skipped)}
        return Dataset(train=(x, y), test=(x, y), meta=meta, info=info)

    def small_data(self, config):
        """60 generated sentences from a 20-word toy grammar (deterministic by ``seed``)."""
        rng = np.random.default_rng(config["seed"])
        sentences, tags = [], []
        for _ in range(60):
            pattern = _TOY_PATTERNS[rng.integers(len(_TOY_PATTERNS))]
            words = [_TOY_LEXICON[t][rng.integers(len(_TOY_LEXICON[t]))] for t in pattern]
            sentences.append(words)
            tags.append(list(pattern))
        return self._dataset(sentences, tags, dict(config, min_count=1),
                             "generated toy corpus (small_data)")

    def _dataset(self, sentences, tags, config, source, skipped=0):
        _common.check_positive_ints(config, "min_count", "max_len")
        fixed = sum(t != t.upper() for sent in tags for t in sent)
        tags = [[t.upper() for t in sent] for sent in tags]
        words = [[normalise_word(w) for w in sent] for sent in sentences]
        if len(words) < 3:
            raise DataError(f"{source}: only {len(words)} sentence(s); a tagger needs at least 3 "
                            f"(train, validation, test), and thousands to learn anything.")
        train, val, test = _common.split_indices(len(words), config["seed"])
        vocab = Vocabulary.build([words[i] for i in train], min_count=config["min_count"])
        tag_counts = Counter(t for i in train for t in tags[i])
        tag_list = [t for t, _ in tag_counts.most_common()]
        tag_list += sorted({t for sent in tags for t in sent} - set(tag_list))  # unseen in train
        tag_index = {t: k for k, t in enumerate(tag_list)}
        max_len = config["max_len"]

        def arrays(idx, cap):
            x, _ = pad_sequences([vocab.encode(words[i]) for i in idx], maxlen=cap)
            y, _ = pad_sequences([[tag_index[t] for t in tags[i]] for i in idx], maxlen=cap)
            return x, y

        longest_held_out = max(len(words[i]) for i in np.concatenate([val, test]))
        truncated = int(sum(len(words[i]) > max_len for i in train))
        meta = {"words": vocab.to_dict(), "tags": tag_list, "max_len": max_len,
                "normalise": "lowercase, digits -> 0"}
        n_tokens = sum(len(s) for s in words)
        info = {"source": source, "sentences": len(words), "tokens": n_tokens,
                "skipped_lines": int(skipped), "lowercase_tags_fixed": fixed,
                "first_skipped_line": getattr(skipped, "first", None),
                "train_sentences": len(train), "val_sentences": len(val),
                "test_sentences": len(test), "vocabulary": len(vocab),
                "min_count": config["min_count"], "tags": len(tag_list),
                "max_len": max_len, "truncated_train_sentences": truncated,
                "truncated_train_tokens": int(sum(max(len(words[i]) - max_len, 0) for i in train))}
        return Dataset(train=arrays(train, max_len), val=arrays(val, longest_held_out),
                       test=arrays(test, longest_held_out), meta=meta, info=info)

    def fetch(self, progress=None):
        fetch_postag(progress)
        return self.data_info()

    def data_info(self):
        return info_postag()

    # ---- model -------------------------------------------------------------------------------
    def build_model(self, config, meta):
        _common.check_positive_ints(config, "embed_dim")
        model = Sequential([
            Embedding(len(meta["words"]["tokens"]), config["embed_dim"], mask_zero=True,
                      input_shape=(meta["max_len"],)),
            Bidirectional(recurrent_layer(config["cell"], config["units"], return_sequences=True)),
            TimeDistributed(Dense(len(meta["tags"]), activation="softmax")),
        ], name="pos_tagger")
        model.compile(loss="sparse_categorical_crossentropy", optimizer=_common.optimizer(config),
                      metrics=["accuracy"])
        return model

    # ---- metrics -----------------------------------------------------------------------------
    def evaluate(self, model, data):
        """Tag accuracy (all words, unknown words) and the test loss, in nats per real word."""
        x, y = (np.asarray(a) for a in data.test)
        probs = model.predict(x, bucket_by_length=True)
        scores = _scores(probs.argmax(-1), x, y)
        p_true = np.take_along_axis(probs, y[..., None], axis=-1)[..., 0][x != 0]
        scores["loss"] = float(-np.log(np.maximum(p_true, np.finfo(p_true.dtype).tiny)).mean())
        return scores

    def baseline(self, data):
        """Most frequent training tag per word; ``<unk>`` and uncounted words: the overall one.

        Its ``loss`` is the same lookup as probabilities: the cross-entropy (nats per word) of each
        word's training tag frequencies, add-one smoothed (see :func:`tag_frequencies`), so the
        loss curves have a baseline to beat too.
        """
        x_train, y_train = (np.asarray(a) for a in data.train)
        x, y = (np.asarray(a) for a in data.test)
        counts = tag_counts(x_train, y_train, max(int(x_train.max()), int(x.max())) + 1,
                            max(int(y_train.max()), int(y.max())) + 1)
        scores = _scores(most_frequent_tags(counts=counts)[x], x, y)
        real = x != 0
        scores["loss"] = float(-np.log(tag_frequencies(counts)[x[real], y[real]]).mean())
        return scores

    # ---- demo ----------------------------------------------------------------------------------
    def encode(self, meta, text):
        """Word ids of ``text`` (unknown words -> <unk>) and its words."""
        words = tokenize(text)
        if not words:
            raise InputError(f"pos-tagging: no words to tag in {text!r}")
        vocab = Vocabulary.from_dict(meta["words"])
        return np.array([vocab.encode([normalise_word(w) for w in words])]), words

    def predictions(self, model, meta, inputs=None):
        """Per sentence: its words (``tokens``), those outside the vocabulary (``unknown``
        positions) and one tag per word (``tags``). A sentence with no known word is refused:
        every tag would come from the unknown token alone."""
        vocab = Vocabulary.from_dict(meta["words"])
        found = []
        for text in _as_list(inputs) or [DEFAULT_SENTENCE]:
            words = tokenize(text)
            if not words:
                raise InputError(f"pos-tagging: no words to tag in {text!r}")
            ids = np.array([vocab.encode([normalise_word(w) for w in words])])
            if (ids == vocab.unk_index).all():
                raise InputError(f"pos-tagging: none of the words of {text!r} is in the model's "
                                 f"vocabulary, so there is nothing to tag them by")
            predicted = model.predict(ids)[0].argmax(-1)
            found.append({"input": text, "tokens": words,
                          "unknown": _common.unknown_positions(ids[0], vocab.unk_index),
                          "tags": [meta["tags"][k] for k in predicted]})
        return found

    def demo(self, model, meta, inputs=None):
        lines = []
        for one in self.predictions(model, meta, inputs):
            unknown = set(one["unknown"])
            lines.append(" ".join(f"{w}{'*' if k in unknown else ''}/{tag}" for k, (w, tag)
                                  in enumerate(zip(one["tokens"], one["tags"]))))
        lines.append("(* = not in the training vocabulary)")
        return "\n".join(lines)


def tag_counts(x, y, n_words, n_tags=None):
    """How often each word id carries each tag in ``(x, y)``: an int array (n_words, n_tags).
    Padding (id 0) is not counted."""
    mask = x != 0
    if n_tags is None:
        n_tags = int(y[mask].max()) + 1 if mask.any() else 1
    counts = np.zeros((n_words, n_tags), dtype=np.int64)
    np.add.at(counts, (x[mask], y[mask]), 1)
    return counts


def most_frequent_tags(x=None, y=None, n_words=None, counts=None):
    """Per word id, its most frequent tag in ``(x, y)`` (or in ``counts`` from :func:`tag_counts`;
    ties: the lower tag index).

    ``<unk>`` (id 1) and ids never seen get the most frequent tag over all words. Returns an int
    array of length ``n_words``.
    """
    counts = tag_counts(x, y, n_words) if counts is None else counts
    overall = int(counts.sum(axis=0).argmax())
    table = counts.argmax(axis=1)
    table[counts.sum(axis=1) == 0] = overall
    table[Vocabulary.unk_index] = overall
    return table


def tag_frequencies(counts):
    """Per word id, the probabilities of its tags: ``(count + 1) / (total + n_tags)`` (add-one, so
    no tag of a known word has probability 0); ``<unk>`` and ids never seen get the overall tag
    frequencies, smoothed the same way. An array (n_words, n_tags) whose rows sum to 1."""
    counts = counts.astype(np.float64)
    unseen = counts.sum(axis=1) == 0
    unseen[Vocabulary.unk_index] = True
    counts[unseen] = counts.sum(axis=0)
    counts += 1.0
    return counts / counts.sum(axis=1, keepdims=True)


def _scores(predicted, x, y):
    x, y = np.asarray(x), np.asarray(y)
    real = x != 0
    unknown = x == Vocabulary.unk_index
    return {"accuracy": _common.masked_accuracy(predicted, y, real),
            "unknown_accuracy": _common.masked_accuracy(predicted, y, unknown)
            if unknown.any() else 0.0,
            "unknown_share": float(unknown.sum() / max(real.sum(), 1))}


def _as_list(inputs):
    if inputs is None:
        return []
    if isinstance(inputs, str):
        return [inputs]
    return [s for s in inputs if s is not None]
