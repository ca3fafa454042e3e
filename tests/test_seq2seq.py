"""rnnkit.seq2seq: every number here is worked out by hand in the comments."""
import numpy as np
import pytest

from rnnkit import config
from rnnkit.callbacks import Callback
from rnnkit.data import DataError, Vocabulary
from rnnkit.layers import Dense, Embedding, TimeDistributed, recurrent_layer
from rnnkit.models.encoder_decoder import EncoderDecoder
from rnnkit.optimizers import Adam
from rnnkit.seq2seq import (KeepBest, decoder_arrays, edit_distance, exact_match, greedy_decode,
                            greedy_strings, markers, mean_edit_distance, padding_mask,
                            sequence_scores, sequence_vocabulary, teacher_forcing, token_accuracy)

SOURCES = [["red", "apple"], ["blue", "red", "car"]]
TARGETS = [["apel", "merah"], ["mobil", "merah", "biru"]]


def test_vocabulary_reserves_pad_unk_start_end_then_counts():
    vocab = sequence_vocabulary(TARGETS)
    # merah twice; apel, mobil, biru once each, in order of first appearance
    assert vocab.tokens == ["<pad>", "<unk>", "<s>", "</s>", "merah", "apel", "mobil", "biru"]
    assert markers(vocab) == (2, 3)
    assert sequence_vocabulary(TARGETS, max_size=5).tokens[4:] == ["merah"]
    with pytest.raises(DataError, match="sequence_vocabulary"):
        markers(Vocabulary.build(TARGETS))
    with pytest.raises(DataError, match="at least 4"):
        sequence_vocabulary(TARGETS, max_size=3)


def test_teacher_forcing_arrays_for_two_sentences():
    src, tgt = Vocabulary.build(SOURCES), sequence_vocabulary(TARGETS)
    # source: red 2, apple 3, blue 4, car 5; target: <s> 2, </s> 3, merah 4, apel 5, mobil 6, biru 7
    (x_enc, x_dec), y = teacher_forcing(SOURCES, TARGETS, src, tgt)
    np.testing.assert_array_equal(x_enc, [[2, 3, 0], [4, 2, 5]])
    np.testing.assert_array_equal(x_dec, [[2, 5, 4, 0], [2, 6, 4, 7]])   # <s> + target
    np.testing.assert_array_equal(y, [[5, 4, 3, 0], [6, 4, 7, 3]])       # target + </s>
    np.testing.assert_array_equal(padding_mask(y), [[1, 1, 1, 0], [1, 1, 1, 1]])
    np.testing.assert_array_equal(padding_mask(x_enc), [[1, 1, 0], [1, 1, 1]])
    x_dec6, y6 = decoder_arrays(TARGETS, tgt, maxlen=6)
    assert x_dec6.shape == y6.shape == (2, 6) and (y6[:, 4:] == 0).all()


@pytest.mark.parametrize("a, b, distance", [
    ("kitten", "sitting", 3),             # k->s, e->i, +g
    ("", "abc", 3), ("abc", "", 3), ("abc", "abc", 0),
    ("flaw", "lawn", 2),                  # -f, +n
    (["apel", "merah"], ["merah", "apel"], 2),   # two substitutions
    (["1", "6", "8"], ["1", "8"], 1),
])
def test_edit_distance_by_hand(a, b, distance):
    assert edit_distance(a, b) == distance
    assert edit_distance(b, a) == distance


def test_list_metrics_by_hand():
    predicted = [["a", "b", "c"], ["a", "x"], ["b"]]
    references = [["a", "b", "c"], ["a", "b", "c"], ["a", "b"]]
    assert exact_match(predicted, references) == pytest.approx(1 / 3)
    # right positions: 3 of 3, 1 of 3 (a), 0 of 2 -> 4 of 8
    assert token_accuracy(predicted, references) == pytest.approx(4 / 8)
    # edit distances 0, 2 (x -> b, insert c), 1 (insert a) -> mean 1
    assert mean_edit_distance(predicted, references) == pytest.approx(1.0)


def test_sequence_scores_count_the_end_token_and_never_match_unknown_words():
    vocab = sequence_vocabulary(TARGETS)              # </s> = 3, merah 4, apel 5, mobil 6, biru 7
    y = np.array([[5, 4, 3, 0], [6, 1, 3, 0], [7, 3, 0, 0]])   # row 2 holds an <unk> target
    predicted = [[5, 4], [6, 1], [7, 7]]
    # row 1: 5 4 3 = exact (3 of 3); row 2: 6 right, <unk> never, 3 right (2 of 3);
    # row 3: 7 right, then 7 for </s> (1 of 2) -> exact 1/3, tokens 6/8
    scores = sequence_scores(predicted, y, vocab)
    assert scores["exact_match"] == pytest.approx(1 / 3)
    assert scores["token_accuracy"] == pytest.approx(6 / 8)


class Scripted:
    """A stand-in for EncoderDecoder.generate: the row i of x_enc decodes to ``rows[x_enc[i]]``."""

    def __init__(self, rows):
        self.rows = rows

    def generate(self, x_enc, start_id, end_id=None, max_len=20):
        assert (start_id, end_id) == (2, 3)
        width = max(len(r) for r in self.rows)
        return np.array([self.rows[int(i)] + [end_id] * (width - len(self.rows[int(i)]))
                         for i in np.asarray(x_enc)])[:, :max_len]


def test_greedy_decode_strips_at_the_end_token_in_batches():
    vocab = sequence_vocabulary(TARGETS)
    model = Scripted([[5, 4, 3, 3], [6, 3, 7, 7], [4, 4, 4, 4]])     # row 1 goes on past </s>
    x = np.array([0, 1, 2, 0])
    assert greedy_decode(model, x, vocab, max_len=4, batch_size=3) == \
        [[5, 4], [6], [4, 4, 4, 4], [5, 4]]
    assert greedy_strings(model, x[:2], vocab, max_len=4) == ["apel merah", "mobil"]
    assert greedy_strings(model, x[:1], vocab, max_len=4, sep="") == ["apelmerah"]


def test_exact_match_of_a_real_model_equals_its_decodes():
    vocab = sequence_vocabulary(TARGETS)
    src = Vocabulary.build(SOURCES)
    (x_enc, x_dec), y = teacher_forcing(SOURCES, TARGETS, src, vocab)
    with config.scope(floatx="float64", seed=0):
        model = EncoderDecoder(
            [Embedding(len(src), 4, mask_zero=True), recurrent_layer("gru", 8, return_state=True)],
            [Embedding(len(vocab), 4, mask_zero=True),
             recurrent_layer("gru", 8, return_sequences=True),
             TimeDistributed(Dense(len(vocab), activation="softmax"))])
        model.compile(loss="sparse_categorical_crossentropy", optimizer=Adam(learning_rate=0.02))
        model.fit([x_enc, x_dec], y, epochs=100, batch_size=2, verbose=0)
    decoded = greedy_decode(model, x_enc, vocab, max_len=6)
    assert [vocab.decode(ids) for ids in decoded] == TARGETS          # two pairs, learnt by heart
    assert sequence_scores(decoded, y, vocab) == {"exact_match": 1.0, "token_accuracy": 1.0}


class FakeModel:
    """Weights are one number; ``generate`` decodes row i correctly when weight >= threshold[i]."""

    def __init__(self, thresholds, truth):
        self.w, self.thresholds, self.truth = 0.0, thresholds, truth
        self.stop_training = False

    def get_weights(self):
        return [np.array(self.w)]

    def set_weights(self, weights):
        self.w = float(weights[0])

    def generate(self, x_enc, start_id, end_id=None, max_len=20):
        rows = [self.truth[int(i)] if self.w >= self.thresholds[int(i)] else [1]
                for i in np.asarray(x_enc)]
        width = max(len(r) for r in rows) + 1
        return np.array([r + [end_id] * (width - len(r)) for r in rows])


class History:
    pass


def run_epochs(keep, model, weights, stop_after=None):
    keep.on_train_begin(model, len(weights))
    rows = []
    for epoch, w in enumerate(weights, start=1):
        model.w = w
        row = {"epoch": epoch}
        keep.on_epoch_end(epoch, row)
        rows.append(row)
        if model.stop_training:
            break
    history = History()
    keep.on_train_end(history)
    return rows, history


def test_keep_best_restores_the_best_epochs_weights_and_stops_after_patience():
    vocab = sequence_vocabulary(TARGETS)
    truth = [[5, 4], [6, 4, 7]]
    y = np.array([[5, 4, 3, 0], [6, 4, 7, 3]])
    val = ([np.array([0, 1]), None], y)
    model = FakeModel(thresholds=[1.0, 3.0], truth=truth)
    keep = KeepBest(val, vocab, max_len=5, patience=2)
    assert isinstance(keep, Callback)
    # weights per epoch: 0 (nothing right), 3 (both right), 1 (one right), 2 (one right)
    rows, history = run_epochs(keep, model, [0.0, 3.0, 1.0, 2.0, 5.0])
    assert [r["val_exact_match"] for r in rows] == [0.0, 1.0, 0.5, 0.5]   # stops after epoch 4
    # epoch 1: every prediction is <unk> then </s>: no word right; </s> is wrong where a word
    # should be: 0 of 7 positions
    assert rows[0]["val_greedy_token_accuracy"] == 0.0
    assert rows[2]["val_greedy_token_accuracy"] == pytest.approx(3 / 7)
    assert model.w == 3.0 and history.best_epoch == 2


def test_keep_best_breaks_exact_match_ties_by_token_accuracy():
    vocab = sequence_vocabulary(TARGETS)
    truth = [[5, 4], [6, 4, 7]]
    y = np.array([[5, 4, 3, 0], [6, 4, 7, 3]])
    model = FakeModel(thresholds=[9.0, 9.0], truth=truth)
    model.generate = lambda x, start_id, end_id=None, max_len=20: np.array(
        [[5, 3, 3], [6, 4, 3]] if model.w == 2.0 else [[1, 3, 3], [1, 3, 3]])
    keep = KeepBest(([np.array([0, 1]), None], y), vocab, max_len=5)
    rows, history = run_epochs(keep, model, [1.0, 2.0, 1.0])
    assert [r["val_exact_match"] for r in rows] == [0.0, 0.0, 0.0]
    assert model.w == 2.0 and history.best_epoch == 2        # 3 of 7 tokens right beat 0 of 7
