"""Sequence-to-sequence building blocks for plugin authors: vocabulary, teacher forcing, greedy
decoding, metrics and a keep-best callback (used by ``translation`` and ``image-caption``).

An encoder-decoder (:class:`~rnnkit.models.encoder_decoder.EncoderDecoder`) learns
p(w_1 .. w_n </s> | source). Its decoder reads the target shifted right by one start token and
must output the target followed by one end token (**teacher forcing**)::

    target      w_1  w_2  w_3
    x_dec       <s>  w_1  w_2  w_3           the decoder's input: start + target
    y           w_1  w_2  w_3  </s>          what it must output: target + end
    mask        1    1    1    1    0  0     y != <pad>: padding (0) counts in no loss or metric

Every array is padded with ``<pad>`` = 0 after its end, so an ``Embedding(mask_zero=True)`` at
the bottom of each stack reads the mask from the ids (:func:`padding_mask`) and the loss skips the
padded positions. At inference the decoder starts from ``<s>`` alone and feeds each step its own
most likely token, until ``</s>`` or ``max_len`` tokens (greedy decoding, ``model.generate``).

================================  =============================================================
vocabulary                        :func:`sequence_vocabulary`: ``<pad>`` 0, ``<unk>`` 1, ``<s>``
                                  2, ``</s>`` 3, then the tokens by frequency
teacher forcing                   :func:`encoder_array`, :func:`decoder_arrays`,
                                  :func:`teacher_forcing`, :func:`padding_mask`
greedy decoding                   :func:`greedy_decode` (token ids), :func:`greedy_strings`
metrics on token lists            :func:`exact_match`, :func:`token_accuracy`,
                                  :func:`edit_distance`, :func:`mean_edit_distance`
metrics on a model and arrays     :func:`sequence_scores`, :func:`teacher_forced_accuracy`,
                                  :func:`sequence_metrics`
training                          :class:`KeepBest`: keep the weights of the epoch whose greedy
                                  decodes of the validation split score best
================================  =============================================================
"""
import numpy as np

from .callbacks import Callback
from .data import DataError, Vocabulary, pad_sequences

START, END = "<s>", "</s>"
PAD_ID, UNK_ID = Vocabulary.pad_index, Vocabulary.unk_index


# ---- vocabulary --------------------------------------------------------------------------------

def sequence_vocabulary(sequences, min_count=1, max_size=None):
    """A decoder's vocabulary: ``<pad>`` 0, ``<unk>`` 1, ``<s>`` 2, ``</s>`` 3, then the tokens of
    ``sequences`` by decreasing count (see :meth:`Vocabulary.build`).

    >>> sequence_vocabulary([["apel", "merah"], ["apel"]]).tokens
    ['<pad>', '<unk>', '<s>', '</s>', 'apel', 'merah']
    """
    return Vocabulary.build(sequences, min_count=min_count, max_size=max_size,
                            reserved=(START, END))


def markers(vocab):
    """``(start_id, end_id)`` of ``vocab``; DataError if it has no ``<s>``/``</s>``."""
    if START not in vocab or END not in vocab:
        raise DataError(f"this vocabulary has no {START} and {END} tokens, so a decoder cannot "
                        f"start or stop with it; build it with rnnkit.seq2seq.sequence_vocabulary.")
    return vocab.index(START), vocab.index(END)


# ---- teacher forcing ---------------------------------------------------------------------------

def padding_mask(ids):
    """True where ``ids`` is a real token, False on ``<pad>``: what ``Embedding(mask_zero=True)``
    reads from its input and the loss from the targets."""
    return np.asarray(ids) != PAD_ID


def encoder_array(sequences, vocab, maxlen=None):
    """The encoder's input: the token ids of ``sequences``, padded with 0 to ``maxlen``."""
    return pad_sequences([vocab.encode(s) for s in sequences], maxlen=maxlen)[0]


def decoder_arrays(sequences, vocab, maxlen=None):
    """Teacher-forcing arrays ``(x_dec, y)``: x_dec = ``<s> w_1..w_n``, y = ``w_1..w_n </s>``,
    both padded with 0 (to ``maxlen``, default the longest target plus one)."""
    start, end = markers(vocab)
    ids = [vocab.encode(s) for s in sequences]
    x_dec, _ = pad_sequences([[start] + s for s in ids], maxlen=maxlen)
    y, _ = pad_sequences([s + [end] for s in ids], maxlen=maxlen)
    return x_dec, y


def teacher_forcing(sources, targets, src_vocab, tgt_vocab, src_len=None, tgt_len=None):
    """``([x_enc, x_dec], y)`` for ``EncoderDecoder.fit`` from source and target token lists."""
    x_dec, y = decoder_arrays(targets, tgt_vocab, tgt_len)
    return [encoder_array(sources, src_vocab, src_len), x_dec], y


# ---- greedy decoding ---------------------------------------------------------------------------

def strip_end(ids, end):
    """Token ids up to (not including) the first ``end``."""
    ids = [int(i) for i in ids]
    return ids[:ids.index(end)] if end in ids else ids


def greedy_decode(model, x_enc, vocab, max_len, batch_size=256):
    """Greedy decodes of ``x_enc`` by ``model.generate``: one list of token ids per example,
    without the end token (and without anything after it)."""
    start, end = markers(vocab)
    out = []
    for i in range(0, len(x_enc), batch_size):
        ids = model.generate(x_enc[i:i + batch_size], start_id=start, end_id=end, max_len=max_len)
        out += [strip_end(row, end) for row in ids]
    return out


def greedy_strings(model, x_enc, vocab, max_len, sep=" ", batch_size=256):
    """Greedy decodes as strings: the tokens joined by ``sep`` ("" for characters)."""
    return [sep.join(vocab.decode(ids)) for ids in greedy_decode(model, x_enc, vocab, max_len,
                                                                 batch_size)]


# ---- metrics on token lists --------------------------------------------------------------------

def exact_match(predicted, references):
    """Share of ``predicted`` sequences equal to their reference (0.0 for no references)."""
    hits = sum(list(p) == list(r) for p, r in zip(predicted, references))
    return hits / max(len(references), 1)


def token_accuracy(predicted, references):
    """Share of reference positions that the prediction has right, position by position, over
    every position of every reference (a prediction too short is wrong where it stops)."""
    hits = total = 0
    for pred, ref in zip(predicted, references):
        pred = list(pred)
        hits += sum(k < len(pred) and pred[k] == token for k, token in enumerate(ref))
        total += len(ref)
    return hits / max(total, 1)


def edit_distance(a, b):
    """Levenshtein distance between token sequences ``a`` and ``b``: the fewest insertions,
    deletions and substitutions that turn ``a`` into ``b``.

    ``D[i][j] = min(D[i-1][j] + 1, D[i][j-1] + 1, D[i-1][j-1] + [a_i != b_j])`` with
    ``D[i][0] = i`` and ``D[0][j] = j``; one row is kept at a time.

    >>> edit_distance("kitten", "sitting")
    3
    """
    a, b = list(a), list(b)
    previous = list(range(len(b) + 1))
    for i, token in enumerate(a, start=1):
        current = [i]
        for j, other in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1,
                               previous[j - 1] + (token != other)))
        previous = current
    return previous[-1]


def mean_edit_distance(predicted, references):
    """The mean :func:`edit_distance` between each prediction and its reference."""
    distances = [edit_distance(p, r) for p, r in zip(predicted, references)]
    return sum(distances) / max(len(distances), 1)


# ---- metrics on a model and padded arrays ------------------------------------------------------

def references(y, end):
    """The targets of padded ``y`` as id lists (end token kept, padding dropped), each ``<unk>``
    replaced by -1: a word outside the vocabulary can never be produced, so it never matches,
    not even a predicted ``<unk>``."""
    return [[-1 if t == UNK_ID else int(t) for t in row if t != PAD_ID] for row in np.asarray(y)]


def sequence_scores(predicted, y, vocab):
    """``exact_match`` and position-wise ``token_accuracy`` of predicted id lists (without the end
    token, as :func:`greedy_decode` gives them) against padded targets ``y`` (words then the end
    token). The end token counts as a position; a target ``<unk>`` is always wrong."""
    _, end = markers(vocab)
    full = [list(p) + [end] for p in predicted]
    refs = references(y, end)
    return {"exact_match": exact_match(full, refs), "token_accuracy": token_accuracy(full, refs)}


def teacher_forced_accuracy(model, x, y, batch_size=256):
    """Next-token accuracy under teacher forcing (``argmax model([x_enc, x_dec]) == y``), padding
    excluded and ``<unk>`` targets never right."""
    y = np.asarray(y)
    hits = total = 0
    for i in range(0, len(y), batch_size):
        probs = model.predict([x[0][i:i + batch_size], x[1][i:i + batch_size]])
        yb = y[i:i + batch_size]
        hits += int(((probs.argmax(-1) == yb) & (yb != UNK_ID)).sum())
        total += int(padding_mask(yb).sum())
    return hits / max(total, 1)


def sequence_metrics(model, x, y, vocab, max_len):
    """``token_accuracy`` (teacher-forced), ``exact_match`` and ``greedy_token_accuracy`` (greedy
    decodes against the targets) of ``model`` on ``(x, y)``."""
    greedy = sequence_scores(greedy_decode(model, x[0], vocab, max_len), y, vocab)
    return {"token_accuracy": teacher_forced_accuracy(model, x, y),
            "exact_match": greedy["exact_match"],
            "greedy_token_accuracy": greedy["token_accuracy"]}


# ---- training ----------------------------------------------------------------------------------

class KeepBest(Callback):
    """After each epoch, decode the validation split greedily and log ``val_exact_match`` and
    ``val_greedy_token_accuracy`` into the epoch's row; keep the weights of the best epoch (exact
    match, ties to more tokens right), stop after ``patience`` epochs without progress (0: never),
    and restore the best weights when training ends (``history.best_epoch`` says which).

    On small data sets the teacher-forced validation loss rises long before greedy exact matches
    stop improving, so the loss is not the criterion.

    Parameters
    ----------
    val : ``([x_enc, x_dec], y)``
        The validation split (``x_dec`` is not used: decoding starts from ``<s>``).
    vocab : Vocabulary
        The target vocabulary (with ``<s>`` and ``</s>``).
    max_len : int
        The longest decode.
    patience : int, default 0
    """

    def __init__(self, val, vocab, max_len, patience=0):
        self.val, self.vocab, self.max_len, self.patience = val, vocab, max_len, patience
        self.best, self.best_epoch, self.weights = -1.0, 0, None

    def on_epoch_end(self, epoch, logs):
        (x_enc, _), y = self.val
        scores = sequence_scores(greedy_decode(self.model, x_enc, self.vocab, self.max_len), y,
                                 self.vocab)
        logs["val_exact_match"] = scores["exact_match"]
        logs["val_greedy_token_accuracy"] = scores["token_accuracy"]
        score = scores["exact_match"] + 1e-3 * scores["token_accuracy"]
        if score > self.best:
            self.best, self.best_epoch = score, epoch
            self.weights = [w.copy() for w in self.model.get_weights()]
        elif self.patience and epoch - self.best_epoch >= self.patience:
            self.model.stop_training = True

    def on_train_end(self, history):
        if self.weights is not None:
            self.model.set_weights(self.weights)
            history.best_epoch = self.best_epoch


__all__ = ["START", "END", "PAD_ID", "UNK_ID", "sequence_vocabulary", "markers", "padding_mask",
           "encoder_array", "decoder_arrays", "teacher_forcing", "strip_end", "greedy_decode",
           "greedy_strings", "exact_match", "token_accuracy", "edit_distance",
           "mean_edit_distance", "references", "sequence_scores", "teacher_forced_accuracy",
           "sequence_metrics", "KeepBest"]
