"""stateful=True: the final states of one batch are the initial states of the next.

The forward numbers are Keras 3's own, ported from its unit tests (each test names the one it
ports; keras/src/layers/rnn/simple_rnn_test.py, lstm_test.py, gru_test.py, bidirectional_test.py):
Constant initializers make every weight known, and Keras calls the layer twice on the same
sequence, so the second output starts from the first call's final states. Keras computes in
float32, hence its tests' tolerance. The rest is checked against rnnkit's own non-stateful
layers (a long sequence cut into chunks is the whole sequence) and against finite differences
(the gradient is truncated BPTT: the carried state is a constant).
"""
import re

import numpy as np
import pytest

from conftest import assert_gradient_close, numeric_weight_gradients
from rnnkit import Sequential, initializers, load_model
from rnnkit.errors import ShapeError
from rnnkit.layers import GRU, LSTM, RNN, Bidirectional, Dense, SimpleRNN, TimeDistributed
from rnnkit.layers.cells import SimpleRNNCell

CONSTANTS = dict(kernel_initializer=initializers.Constant(0.01),
                 recurrent_initializer=initializers.Constant(0.02),
                 bias_initializer=initializers.Constant(0.03))
SEQ_2_3_4 = np.arange(24, dtype=float).reshape((2, 3, 4))
SEQ_2_4_3 = np.arange(24, dtype=float).reshape((2, 4, 3))


def rows(values, width):
    """Keras' expected outputs: each row's value repeated over the units."""
    return np.repeat(np.array(values, dtype=float)[:, None], width, axis=1)


# ---- ported from Keras 3: <Layer>Test.test_statefulness ------------------------------------------
@pytest.mark.parametrize("cls, first, second", [
    # SimpleRNNTest.test_statefulness (first call: SimpleRNNTest.test_correctness's numbers)
    (SimpleRNN, [0.405432, 0.73605347], [0.40559256, 0.7361247]),
    (LSTM, None, [0.3124785, 0.6863672]),                     # LSTMTest.test_statefulness
    (GRU, None, [0.29542392, 0.5885018]),                     # GRUTest.test_statefulness
])
def test_statefulness_as_keras(cls, first, second):
    layer = cls(4, stateful=True, **CONSTANTS)
    layer.build(SEQ_2_3_4.shape[1:])
    stateless = cls(4, **CONSTANTS)
    stateless.build(SEQ_2_3_4.shape[1:])
    for _ in range(2):                    # the second time after reset_state(), as Keras' test
        out1 = layer(SEQ_2_3_4)
        np.testing.assert_allclose(out1, stateless(SEQ_2_3_4), rtol=0, atol=1e-15)
        if first is not None:
            np.testing.assert_allclose(out1, rows(first, 4), atol=1e-6)
        np.testing.assert_allclose(layer(SEQ_2_3_4), rows(second, 4), atol=1e-6)
        layer.reset_state()


def test_bidirectional_statefulness_as_keras():
    """BidirectionalTest.test_statefulness: LSTM(2, stateful=True) in both directions, concat."""
    layer = Bidirectional(LSTM(2, stateful=True, **CONSTANTS))
    layer.build(SEQ_2_4_3.shape[1:])
    expected = [[0.26234663, 0.26234663, 0.16959146, 0.16959146],
                [0.6137073, 0.6137073, 0.5381646, 0.5381646]]
    for _ in range(2):
        layer(SEQ_2_4_3)
        np.testing.assert_allclose(layer(SEQ_2_4_3), expected, atol=1e-5)
        layer.reset_state()
    assert [s.shape for s in layer.states] == [(2, 2)] * 4 and not np.any(layer.states)
    with pytest.raises(AttributeError, match="is not stateful"):
        Bidirectional(LSTM(2)).reset_state()


def test_user_cell_is_stateful_like_simple_rnn():
    """RNN(cell, stateful=True) carries its states as SimpleRNN does (Keras' SimpleRNN numbers)."""
    layer = RNN(SimpleRNNCell(4), stateful=True)
    layer.build(SEQ_2_3_4.shape[1:])
    reference = SimpleRNN(4, **CONSTANTS)
    reference.build(SEQ_2_3_4.shape[1:])
    layer.set_weights(reference.get_weights())
    layer(SEQ_2_3_4)
    np.testing.assert_allclose(layer(SEQ_2_3_4), rows([0.40559256, 0.7361247], 4), atol=1e-6)
    assert RNN.from_config(layer.get_config()).stateful


# ---- a long sequence in chunks is the whole sequence ---------------------------------------------
def _layer(k, **options):
    """The k-th of the recurrent layers, with ``options``."""
    return [lambda: SimpleRNN(3, **options), lambda: LSTM(3, **options),
            lambda: GRU(3, **options), lambda: GRU(3, reset_after=False, **options),
            lambda: RNN(SimpleRNNCell(3), **options)][k]()


@pytest.mark.parametrize("k", range(5))
@pytest.mark.parametrize("go_backwards", [False, True])
def test_chunks_give_the_whole_sequence(k, go_backwards):
    """Forward: the stateful layer fed consecutive chunks outputs exactly what the plain layer
    outputs on the whole sequence, and carries its final states. With go_backwards each chunk is
    read from its end (as Keras), so there the plain layer carries the states by hand."""
    x = np.random.default_rng(k).normal(size=(3, 12, 2))
    options = dict(return_sequences=True, return_state=True, go_backwards=go_backwards)
    plain, stateful = _layer(k, **options), _layer(k, stateful=True, **options)
    plain.build((12, 2))
    stateful.build((4, 2))
    stateful.set_weights(plain.get_weights())
    chunks, states = [], None
    for start in range(0, 12, 4):
        out, *finals = stateful(x[:, start:start + 4])
        chunks.append(out)
        by_hand, *states = plain(x[:, start:start + 4], initial_state=states)
        np.testing.assert_allclose(out, by_hand, rtol=0, atol=1e-14)
        for a, b in zip(finals, stateful.states):
            np.testing.assert_array_equal(a, b)
    if not go_backwards:
        whole, *finals = plain(x)
        np.testing.assert_allclose(np.concatenate(chunks, axis=1), whole, rtol=0, atol=1e-14)
        for a, b in zip(finals, stateful.states):
            np.testing.assert_allclose(a, b, rtol=0, atol=1e-14)


@pytest.mark.parametrize("cls", [SimpleRNN, LSTM, GRU])
def test_gradient_is_truncated_bptt(cls):
    """Backward through a stateful chunk treats the carried state as a constant: its gradients
    are finite differences of the chunk's loss with that state held fixed, and differ from full
    BPTT through the chunk before (the same loss seen through the whole sequence)."""
    rng = np.random.default_rng(7)
    x = rng.normal(size=(2, 10, 3))
    g = rng.normal(size=(2, 5, 4))                         # the loss: sum(g * outputs of chunk 2)
    layer = cls(4, stateful=True, return_sequences=True)
    layer.build((5, 3))
    layer(x[:, :5])
    carried = [s.copy() for s in layer.states]
    layer(x[:, 5:])
    layer.backward(g)
    analytic = layer.keras_grads()

    def chunk_loss():                                      # chunk 2 from the carried state, fixed
        layer.reset_state(carried)
        return float(np.sum(g * layer(x[:, 5:])))
    numeric = numeric_weight_gradients(layer, chunk_loss)
    for name, a, n in zip(layer.keras_weight_names(), analytic, numeric):
        assert_gradient_close(a, n, f"{cls.__name__} {name}")

    whole = cls(4, return_sequences=True)                   # full BPTT of the same loss
    whole.build((10, 3))
    whole.set_weights(layer.get_weights())
    full = numeric_weight_gradients(whole, lambda: float(np.sum(g * whole(x)[:, 5:])))
    assert max(np.abs(a - f).max() for a, f in zip(analytic, full)) > 1e-3


# ---- what a call does with the carried states ----------------------------------------------------
def test_a_padded_step_carries_the_state():
    """Masks follow Keras: a row whose chunk ends in padding hands on its last real state."""
    rng = np.random.default_rng(3)
    x = rng.normal(size=(2, 4, 3))
    mask = np.array([[1, 1, 0, 0], [1, 1, 1, 1]], dtype=bool)
    layer = LSTM(2, stateful=True)
    layer.build((4, 3))
    plain = LSTM(2, return_state=True)
    plain.build((4, 3))
    plain.set_weights(layer.get_weights())
    layer(x, mask=mask)
    _, h, c = plain(x[:, :2])
    np.testing.assert_allclose(layer.states[0][0], h[0], rtol=0, atol=1e-15)
    np.testing.assert_allclose(layer.states[1][0], c[0], rtol=0, atol=1e-15)


def test_initial_state_replaces_the_carried_states_and_is_carried_on():
    """As Keras' RNN.call: a given initial_state is used instead; its call's finals are kept."""
    h0 = np.arange(8, dtype=float).reshape((2, 4))
    layer = SimpleRNN(4, stateful=True, **CONSTANTS)
    layer.build((4, 3))
    layer(SEQ_2_4_3)
    out = layer(SEQ_2_4_3, initial_state=[h0])
    np.testing.assert_allclose(out, rows([0.33621645, 0.6262637], 4), atol=1e-6)  # Keras' numbers
    np.testing.assert_array_equal(layer.states[0], out)


def test_reset_state_with_values_and_the_aliases():
    layer = GRU(3, stateful=True)
    layer.build((4, 2))
    x = np.random.default_rng(0).normal(size=(2, 4, 2))
    h = np.full((2, 3), 0.5)
    layer.reset_states([h])
    out = layer(x)
    plain = GRU(3)
    plain.build((4, 2))
    plain.set_weights(layer.get_weights())
    np.testing.assert_allclose(out, plain(x, initial_state=[h]), rtol=0, atol=1e-15)
    layer.reset_states()
    assert not np.any(layer.states)
    np.testing.assert_allclose(layer(x), plain(x), rtol=0, atol=1e-15)
    with pytest.raises(ShapeError, match=r"initial state must have shape \(batch, units\)"):
        layer.reset_state([np.zeros((2, 5))])
    SimpleRNN(3).reset_state()                             # not stateful: nothing to reset
    with pytest.raises(ValueError, match="is not stateful, so it carries no states to set"):
        SimpleRNN(3).reset_state([h])


def test_another_batch_size_is_refused_with_what_to_do():
    layer = LSTM(3, stateful=True, name="lm")
    layer.build((4, 2))
    layer(np.zeros((5, 4, 2)))
    with pytest.raises(ShapeError, match=re.escape(
            "layer 'lm' (LSTM) is stateful: it carries its states from one batch to the next for "
            "batches of 5 sequences, got a batch of 3. Feed batches of exactly 5: give "
            "fit/evaluate/predict batch_size=5")) as err:
        layer(np.zeros((3, 4, 2)))
    assert "drop the remainder" in str(err.value) and "reset_state()" in str(err.value)
    layer.reset_state()                    # rnnkit: after a reset the next call sets the batch
    assert layer(np.zeros((3, 4, 2))).shape == (3, 3)
    with pytest.raises(ShapeError, match="batches of 3 sequences, got a batch of 5"):
        layer(np.zeros((5, 4, 2)))


# ---- in a model: fit, predict, evaluate, saving --------------------------------------------------
def _model(stateful=True):
    model = Sequential([LSTM(4, stateful=stateful, return_sequences=True, input_shape=(5, 2)),
                        TimeDistributed(Dense(1))])
    model.compile(loss="mse", optimizer="sgd")
    return model


def test_predict_and_evaluate_carry_the_states_and_model_reset_states_zeros_them():
    rng = np.random.default_rng(1)
    x, y = rng.normal(size=(4, 5, 2)), rng.normal(size=(4, 5, 1))
    model = _model()
    first = model.predict(x, batch_size=2)
    second = model.predict(x, batch_size=2)
    assert np.abs(first - second).max() > 1e-3
    model.reset_states()
    np.testing.assert_array_equal(model.predict(x, batch_size=2), first)
    model.reset_state()
    loss = model.evaluate(x, y, batch_size=2)
    assert model.evaluate(x, y, batch_size=2) != loss
    with pytest.raises(ShapeError, match="batches of 2 sequences, got a batch of 1"):
        model.predict(x[:3], batch_size=2)                 # 3 = 2 + a remainder of 1


def test_fit_without_shuffle_is_train_on_batch_over_consecutive_chunks():
    """fit(shuffle=False) = train_on_batch on batch 1, 2, ... with the states carried (Keras
    resets nothing in fit); row i of batch b+1 continues row i of batch b."""
    rng = np.random.default_rng(2)
    x, y = rng.normal(size=(6, 5, 2)), rng.normal(size=(6, 5, 1))
    by_fit, by_hand = _model(), _model()
    by_hand.set_weights(by_fit.get_weights())
    by_fit.fit(x, y, batch_size=2, epochs=2, shuffle=False, verbose=0)
    for _ in range(2):
        for start in range(0, 6, 2):
            by_hand.train_on_batch(x[start:start + 2], y[start:start + 2])
    for a, b in zip(by_fit.get_weights(), by_hand.get_weights()):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-13)


def test_states_are_not_weights(tmp_path):
    model, plain = _model(), _model(stateful=False)
    assert model.count_params() == plain.count_params()
    assert len(model.get_weights()) == len(plain.get_weights())
    model.predict(np.ones((2, 5, 2)))
    model.save(tmp_path / "m.rnnkit")
    loaded = load_model(tmp_path / "m.rnnkit")
    assert loaded.layers[0].stateful and loaded.layers[0].states is None
    assert loaded.layers[0].get_config() == model.layers[0].get_config()
    assert "stateful" not in plain.layers[0].get_config()
    rebuilt = Bidirectional.from_config(Bidirectional(GRU(2, stateful=True)).get_config())
    assert rebuilt.stateful and rebuilt.backward_layer.stateful


def test_gradcheck_starts_every_evaluation_of_a_stateful_model_from_zero_states():
    """check_model perturbs one weight at a time and evaluates the loss again: a stateful model
    would carry the states of the evaluation before into each one (a different loss, so a
    'gradient' of pure drift), unless every evaluation starts from zero states."""
    from rnnkit.gradcheck import check_model
    rng = np.random.default_rng(4)
    x, y = rng.normal(size=(2, 5, 3)), rng.normal(size=(2, 1))
    model = Sequential([SimpleRNN(4, stateful=True, input_shape=(5, 3)), Dense(1)])
    model.compile(loss="mse", optimizer="sgd")
    model.predict(x)                                   # states that are not zero
    result = check_model(model, x, y, entries=4)
    assert result.ok, result.failures()
    assert all(not s.any() for s in model.layers[0].states)
