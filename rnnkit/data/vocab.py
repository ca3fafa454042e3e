"""Vocabularies (token <-> index) and padding of integer sequences.

An :class:`~rnnkit.layers.Embedding` layer and a softmax output both work on integer indices. A
:class:`Vocabulary` maps tokens (words, characters, tags) to those indices and back. Two indices
are reserved, the same in every vocabulary:

====== ========= ==============================================================
index  token     meaning
====== ========= ==============================================================
0      ``<pad>`` padding after the end of a shorter sequence (masked out)
1      ``<unk>`` a token not in the vocabulary (rare or unseen in training)
====== ========= ==============================================================

Examples
--------
>>> vocab = Vocabulary.build([["saya", "makan"], ["saya", "minum"]])
>>> vocab.tokens
['<pad>', '<unk>', 'saya', 'makan', 'minum']
>>> vocab.encode(["saya", "tidur"])
[2, 1]
>>> x, lengths = pad_sequences([[2, 3], [2, 4, 3]])
>>> x.tolist(), lengths.tolist()
([[2, 3, 0], [2, 4, 3]], [2, 3])
"""
from collections import Counter

import numpy as np

from ..errors import DataError

PAD, UNK = "<pad>", "<unk>"


class Vocabulary:
    """A token <-> index mapping with ``<pad>`` at index 0 and ``<unk>`` at index 1.

    Parameters
    ----------
    tokens : iterable of str, optional
        Tokens to add after the two reserved ones, in this order; duplicates are added once.

    Attributes
    ----------
    pad_index : int
        0, the index of ``<pad>``.
    unk_index : int
        1, the index of ``<unk>``, returned by :meth:`index` for unknown tokens.
    """

    pad_index = 0
    unk_index = 1

    def __init__(self, tokens=()):
        self._tokens = [PAD, UNK]
        self._index = {PAD: 0, UNK: 1}
        for token in tokens:
            self.add(token)

    @classmethod
    def build(cls, sequences, min_count=1, max_size=None, reserved=()):
        """Build a vocabulary from token sequences.

        Tokens are ordered by decreasing count, ties broken by first appearance, so the result is
        deterministic. ``reserved`` tokens come first, right after ``<pad>`` and ``<unk>``, whatever
        their counts (a decoder's ``<s>`` and ``</s>``: see :mod:`rnnkit.seq2seq`).

        Parameters
        ----------
        sequences : iterable of iterable of str
            E.g. a list of sentences, each a list of words; a list of strings gives a character
            vocabulary.
        min_count : int, default 1
            Tokens seen fewer times are left out (they will encode as ``<unk>``).
        max_size : int, optional
            Keep at most this many tokens, counting ``<pad>``, ``<unk>`` and ``reserved``.
        reserved : iterable of str, default ()
            Tokens placed at indices 2, 3, ... in this order.

        Returns
        -------
        Vocabulary
        """
        if isinstance(sequences, str):
            raise DataError(
                "Vocabulary.build: expected a list of sequences, got one string. For a character "
                "vocabulary pass [text]; for words pass a list of token lists.")
        if isinstance(min_count, bool) or not isinstance(min_count, int) or min_count < 1:
            raise DataError(
                f"Vocabulary.build: min_count must be a positive integer, got {min_count!r}.")
        counts = Counter()
        for seq in sequences:
            counts.update(seq)        # Counter keeps first-appearance order among equal counts
        kept = [t for t, c in sorted(counts.items(), key=lambda tc: -tc[1]) if c >= min_count]
        reserved = list(dict.fromkeys(t for t in reserved if t not in (PAD, UNK)))
        kept = [t for t in kept if t not in [PAD, UNK] + reserved]
        if max_size is not None:
            fixed = 2 + len(reserved)
            if max_size < fixed:
                raise DataError(
                    f"Vocabulary.build: max_size must be at least {fixed} (for <pad>, <unk> and "
                    f"the {len(reserved)} reserved tokens), got {max_size}.")
            kept = kept[:max_size - fixed]
        return cls(reserved + kept)

    def add(self, token):
        """Add ``token`` if it is new; return its index."""
        if not isinstance(token, str):
            raise DataError(
                f"Vocabulary: tokens must be strings, got {token!r} ({type(token).__name__}).")
        if token not in self._index:
            self._index[token] = len(self._tokens)
            self._tokens.append(token)
        return self._index[token]

    @property
    def tokens(self):
        """All tokens, position = index (a copy)."""
        return list(self._tokens)

    def __len__(self):
        return len(self._tokens)

    def __contains__(self, token):
        return token in self._index

    def __eq__(self, other):
        return isinstance(other, Vocabulary) and self._tokens == other._tokens

    def __repr__(self):
        shown = ", ".join(repr(t) for t in self._tokens[2:7])
        more = ", ..." if len(self) > 7 else ""
        return f"Vocabulary(size={len(self)}: '<pad>', '<unk>', {shown}{more})"

    def index(self, token):
        """The index of ``token``, or ``unk_index`` (1) if it is unknown."""
        return self._index.get(token, self.unk_index)

    def token(self, index):
        """The token at ``index``."""
        if not 0 <= index < len(self._tokens):
            raise DataError(
                f"Vocabulary: index {index} is outside 0..{len(self) - 1}. The indices do not "
                f"come from this vocabulary (or the model's output size does not match it).")
        return self._tokens[int(index)]

    def encode(self, tokens):
        """Indices of ``tokens`` (a list of str, or a string for a character vocabulary)."""
        return [self._index.get(t, self.unk_index) for t in tokens]

    def decode(self, indices, strip_padding=True):
        """Tokens of ``indices``; with ``strip_padding``, ``<pad>`` entries are dropped."""
        out = [self.token(int(i)) for i in np.asarray(indices).ravel()]
        return [t for t in out if t != PAD] if strip_padding else out

    def to_dict(self):
        """A JSON-ready dict; :meth:`from_dict` rebuilds the same vocabulary."""
        return {"tokens": list(self._tokens), "pad": PAD, "unk": UNK}

    @classmethod
    def from_dict(cls, data):
        """Rebuild a vocabulary saved with :meth:`to_dict`."""
        tokens = data.get("tokens") if isinstance(data, dict) else None
        if not isinstance(tokens, list) or tokens[:2] != [PAD, UNK]:
            raise DataError(
                "Vocabulary.from_dict: expected {'tokens': ['<pad>', '<unk>', ...]} as written by "
                "Vocabulary.to_dict(); the saved vocabulary is damaged or from another tool.")
        if len(set(tokens)) != len(tokens):
            dup = next(t for t in tokens if tokens.count(t) > 1)
            raise DataError(
                f"Vocabulary.from_dict: token {dup!r} appears twice; the saved vocabulary is "
                f"damaged.")
        return cls(tokens[2:])


def pad_sequences(seqs, maxlen=None, value=0):
    """Pad integer sequences to one length (post-padding; longer ones are cut at the end).

    Parameters
    ----------
    seqs : sequence of sequences of int
        E.g. encoded sentences.
    maxlen : int, optional
        Length of the result; default the longest sequence.
    value : int, default 0
        Padding value (0 = ``<pad>``, which masking layers skip).

    Returns
    -------
    padded : ndarray of int64, shape (n, maxlen)
    lengths : ndarray of int64, shape (n,)
        Length of each sequence after truncation (the number of real steps).

    Examples
    --------
    >>> x, lengths = pad_sequences([[5, 6, 7], [8]], maxlen=2)
    >>> x.tolist(), lengths.tolist()
    ([[5, 6], [8, 0]], [2, 1])
    """
    seqs = [np.asarray(s) for s in seqs]
    for i, s in enumerate(seqs):
        if s.ndim != 1 or (s.size and not np.issubdtype(s.dtype, np.integer)):
            raise DataError(
                f"pad_sequences: sequence {i} is not a flat list of integers (shape {s.shape}, "
                f"dtype {s.dtype}). Encode tokens with Vocabulary.encode first.")
    if maxlen is None:
        maxlen = max((len(s) for s in seqs), default=0)
    elif isinstance(maxlen, bool) or not isinstance(maxlen, (int, np.integer)) or maxlen < 0:
        raise DataError(f"pad_sequences: maxlen must be a non-negative integer, got {maxlen!r}.")
    padded = np.full((len(seqs), maxlen), value, dtype=np.int64)
    lengths = np.zeros(len(seqs), dtype=np.int64)
    for i, s in enumerate(seqs):
        n = min(len(s), maxlen)
        padded[i, :n] = s[:n]
        lengths[i] = n
    return padded, lengths
