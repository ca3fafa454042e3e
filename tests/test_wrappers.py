"""Embedding (masks, sparse gradient), Bidirectional (every merge mode), TimeDistributed, and
masks flowing into losses and metrics: checked against finite differences and hand computations."""
import numpy as np
import pytest
from hypothesis import given, strategies as st

from conftest import FAST, assert_gradient_close, numeric_weight_gradients, simple_rnn_np

from rnnkit import Sequential
from rnnkit.layers import GRU, LSTM, Bidirectional, Dense, Embedding, SimpleRNN, TimeDistributed

CELLS = {"rnn": SimpleRNN, "lstm": LSTM, "gru": GRU}


def ragged_ids(rng, batch, T, vocab):
    """Token ids 1..vocab-1 with post-padding (0) to ragged lengths >= 1."""
    lengths = rng.integers(1, T + 1, size=batch)
    ids = rng.integers(1, vocab, size=(batch, T))
    ids[np.arange(T)[None, :] >= lengths[:, None]] = 0
    return ids


def tagger(cell, merge_mode, units, vocab, d, tags, T):
    return Sequential([Embedding(vocab, d, mask_zero=True, input_shape=(T,)),
                       Bidirectional(CELLS[cell](units, return_sequences=True), merge_mode=merge_mode),
                       TimeDistributed(Dense(tags, activation="softmax"))])


@FAST
@given(seed=st.integers(0, 2**31 - 1), cell=st.sampled_from(sorted(CELLS)),
       merge_mode=st.sampled_from(["concat", "sum", "ave", "mul"]),
       batch=st.integers(1, 3), T=st.integers(1, 5), units=st.integers(1, 4))
def test_masked_bidirectional_tagger_gradients_match_finite_differences(seed, cell, merge_mode,
                                                                        batch, T, units):
    rng = np.random.default_rng(seed)
    model = tagger(cell, merge_mode, units, vocab=6, d=3, tags=3, T=T)
    model.compile(loss="sparse_categorical_crossentropy", optimizer="sgd")
    model.build()
    model.set_weights([rng.normal(0, 0.6, w.shape) for w in model.get_weights()])
    x = ragged_ids(rng, batch, T, 6)
    y = rng.integers(0, 3, size=(batch, T))
    _, grads = model.gradients(x, y)
    numeric = numeric_weight_gradients(model, lambda: model.gradients(x, y)[0])
    for name, g, n in zip([f"w{k}" for k in range(len(grads))], grads, numeric):
        assert_gradient_close(g, n, f"{cell}/{merge_mode} {name}")


@pytest.mark.parametrize("cell", sorted(CELLS))
@given(seed=st.integers(0, 2**31 - 1))
@FAST
def test_bidirectional_many_to_one_gradients(cell, seed):
    rng = np.random.default_rng(seed)
    model = Sequential([Bidirectional(CELLS[cell](3), input_shape=(4, 2)), Dense(2)])
    model.compile(loss="mse", optimizer="sgd")
    model.build()
    model.set_weights([rng.normal(0, 0.6, w.shape) for w in model.get_weights()])
    x, y = rng.normal(size=(2, 4, 2)), rng.normal(size=(2, 2))
    _, grads = model.gradients(x, y)
    numeric = numeric_weight_gradients(model, lambda: model.gradients(x, y)[0])
    for k, (g, n) in enumerate(zip(grads, numeric)):
        assert_gradient_close(g, n, f"{cell} weight {k}")


def test_bidirectional_output_is_forward_and_flipped_backward_halves():
    rng = np.random.default_rng(0)
    layer = Bidirectional(SimpleRNN(3, return_sequences=True), merge_mode=None)
    x = rng.normal(size=(2, 5, 4))
    fwd, bwd = layer(x)
    Uf, Wf, bf, Ub, Wb, bb = layer.get_weights()
    ref_f, _, _ = simple_rnn_np(x, Uf.T, Wf.T, bf)
    ref_b, _, _ = simple_rnn_np(x, Ub.T, Wb.T, bb, go_backwards=True)
    np.testing.assert_allclose(fwd, ref_f, atol=1e-12)
    np.testing.assert_allclose(bwd, ref_b[:, ::-1], atol=1e-12)     # flipped back to input order
    for mode, expect in [("concat", np.concatenate([fwd, bwd], -1)), ("sum", fwd + bwd),
                         ("ave", (fwd + bwd) / 2), ("mul", fwd * bwd)]:
        layer.merge_mode = mode
        np.testing.assert_allclose(layer(x), expect, atol=1e-12)


def test_bidirectional_return_state_is_keras_list():
    layer = Bidirectional(LSTM(3, return_state=True))
    out = layer(np.random.default_rng(1).normal(size=(2, 4, 5)))
    assert len(out) == 5                                   # output, h_f, c_f, h_b, c_b
    assert out[0].shape == (2, 6) and all(s.shape == (2, 3) for s in out[1:])
    np.testing.assert_allclose(out[0][:, :3], out[1])     # forward output = forward final h
    np.testing.assert_allclose(out[0][:, 3:], out[3])


def test_bidirectional_weights_are_forward_then_backward_and_param_count_doubles():
    model = Sequential([Bidirectional(LSTM(8), input_shape=(5, 4))])
    model.build()
    shapes = [w.shape for w in model.get_weights()]
    assert shapes == [(4, 32), (8, 32), (32,)] * 2
    assert model.count_params() == 2 * 4 * 8 * (4 + 8 + 1) == 832


def test_masked_steps_carry_state_and_output_the_last_real_output():
    rng = np.random.default_rng(2)
    emb = Embedding(5, 2, mask_zero=True)
    rnn = SimpleRNN(3, return_sequences=True)
    x = np.array([[1, 2, 0, 0], [3, 4, 1, 2]])
    model = Sequential([emb, rnn])
    model.build((4,))
    seq, mask = model.forward(x)
    np.testing.assert_array_equal(mask, x != 0)
    # padding outputs the last real output (Keras 3, zero_output_for_mask=False); issue 14
    np.testing.assert_array_equal(seq[0, 2:], np.stack([seq[0, 1]] * 2))
    last = SimpleRNN(3)
    last.build((4, 2))
    last.set_weights(rnn.get_weights())
    e = emb.params["E"][x]
    # the final state of a padded sequence is its state at its last real step
    np.testing.assert_allclose(last(e, mask=x != 0)[0], seq[0, 1])
    _ = rng


def test_padding_never_counts_in_loss_gradient_or_accuracy():
    rng = np.random.default_rng(3)
    model = tagger("gru", "concat", 3, vocab=6, d=3, tags=4, T=5)
    model.compile(loss="sparse_categorical_crossentropy", optimizer="sgd", metrics=["accuracy"])
    x = np.array([[1, 2, 3, 0, 0], [4, 5, 0, 0, 0]])
    y = rng.integers(0, 4, size=(2, 5))
    y2 = y.copy()
    y2[x == 0] = (y2[x == 0] + 1) % 4                      # change only the padded targets
    l1, g1 = model.gradients(x, y)
    l2, g2 = model.gradients(x, y2)
    assert l1 == l2
    for a, b in zip(g1, g2):
        np.testing.assert_array_equal(a, b)
    assert model.evaluate(x, y) == model.evaluate(x, y2)
    # the loss is the mean over the 5 real positions, computed by hand from the probabilities
    probs, _ = model.forward(x)
    real = x != 0
    expect = -np.log(probs[real, y[real]]).mean()
    assert l1 == pytest.approx(expect, rel=1e-12)
    acc = (probs.argmax(-1) == y)[real].mean()
    assert model.evaluate(x, y)[1] == pytest.approx(acc)


def test_embedding_gradient_is_sparse():
    rng = np.random.default_rng(4)
    model = Sequential([Embedding(50, 3, input_shape=(4,)), SimpleRNN(2), Dense(1)])
    model.compile(loss="mse", optimizer="sgd")
    x = np.array([[3, 7, 7, 1]])
    _, grads = model.gradients(x, rng.normal(size=(1, 1)))
    touched = np.flatnonzero(np.abs(grads[0]).sum(1))
    np.testing.assert_array_equal(touched, [1, 3, 7])
    np.testing.assert_array_equal(model.layers[0].touched_rows, [1, 3, 7])


def test_embedding_rejects_out_of_range_ids_with_the_valid_range():
    with pytest.raises(ValueError, match=r"0\.\.9 \(input_dim=10\)"):
        Embedding(10, 2)(np.array([[1, 10]]))


def test_time_distributed_equals_dense_per_step():
    rng = np.random.default_rng(5)
    td = TimeDistributed(Dense(4, activation="tanh"))
    x = rng.normal(size=(2, 3, 5))
    y = td(x)
    V, b = td.get_weights()
    np.testing.assert_allclose(y, np.tanh(x @ V + b), atol=1e-12)
    assert td.count_params() == 4 * (5 + 1)


@pytest.mark.parametrize("layer, D, expected", [
    (lambda: LSTM(64), 16, 4 * 64 * (16 + 64 + 1)),
    (lambda: GRU(64), 16, 3 * 64 * (16 + 64 + 2)),
    (lambda: GRU(64, reset_after=False), 16, 3 * 64 * (16 + 64 + 1)),
    (lambda: Bidirectional(GRU(8)), 3, 2 * 3 * 8 * (3 + 8 + 2)),
    (lambda: Bidirectional(SimpleRNN(10)), 1, 2 * 120),
])
def test_param_counts_follow_keras_formulas(layer, D, expected):
    model = Sequential([layer()])
    model.build((7, D))
    assert model.count_params() == expected
    assert f"{expected:,}" in "\n".join(model.layers[0].explain())


def test_embedding_param_count_and_explain():
    model = Sequential([Embedding(1000, 64, input_shape=(10,))])
    model.build()
    assert model.count_params() == 64_000
    assert model.layers[0].explain()[0].startswith("E = 1,000 × 64 = 64,000")


@pytest.mark.parametrize("sequence_output", [True, False])
def test_bucketing_by_length_changes_nothing_but_the_padding_work(sequence_output):
    rng = np.random.default_rng(6)
    T = 7
    layers = [Embedding(9, 3, mask_zero=True, input_shape=(T,)),
              GRU(4, return_sequences=sequence_output),
              Dense(3, activation="softmax")]
    model = Sequential(layers)
    model.compile(loss="sparse_categorical_crossentropy", optimizer="sgd", metrics=["accuracy"])
    x = ragged_ids(rng, 11, T, 9)
    y = rng.integers(0, 3, size=(11, T) if sequence_output else (11,))
    plain = model.predict(x, batch_size=4)
    bucketed = model.predict(x, batch_size=4, bucket_by_length=True)
    real = x != 0 if sequence_output else slice(None)
    np.testing.assert_allclose(bucketed[real], plain[real], atol=1e-12)   # padding is not compared
    np.testing.assert_allclose(model.evaluate(x, y, batch_size=4, bucket_by_length=True),
                               model.evaluate(x, y, batch_size=4), rtol=1e-12)
    before = model.evaluate(x, y)[0]
    model.fit(x, y, epochs=3, batch_size=4, verbose=0, bucket_by_length=True)
    assert model.evaluate(x, y)[0] < before


def test_bucketing_needs_padded_token_ids():
    model = Sequential([SimpleRNN(2, input_shape=(3, 1)), Dense(1)])
    model.compile(loss="mse", optimizer="sgd")
    with pytest.raises(ValueError, match="bucket_by_length needs token ids"):
        model.predict(np.zeros((2, 3, 1)), bucket_by_length=True)
