"""Issue 14, point 2: what a recurrent layer outputs at padded steps, as Keras 3.

The reference is Keras 3's ``rnn`` loop (keras/src/backend/*/rnn.py) written out in NumPy: at
each step in processing order, ``output = where(mask_t, h_new, prev_output)`` (prev_output starts
at zero) and ``state = where(mask_t, h_new, state)``; with ``zero_output_for_mask=True`` (what
Bidirectional forces when returning sequences) ``output = where(mask_t, h_new, 0)``.
"""
import numpy as np
import pytest

from conftest import assert_gradient_close, numeric_weight_gradients

from rnnkit import Sequential
from rnnkit.layers import GRU, LSTM, Bidirectional, Dense, Embedding, SimpleRNN, TimeDistributed


def keras_rnn_outputs(x, mask, kernel, recurrent, bias, zero_output_for_mask=False,
                      go_backwards=False):
    """Keras 3's masked rnn loop for SimpleRNN (tanh), outputs in processing order."""
    B, T, _ = x.shape
    order = range(T - 1, -1, -1) if go_backwards else range(T)
    h = np.zeros((B, kernel.shape[1]))
    prev = np.zeros_like(h)
    outputs = []
    for t in order:
        new = np.tanh(x[:, t] @ kernel + h @ recurrent + bias)
        m = mask[:, t, None].astype(bool)
        out = np.where(m, new, 0.0 if zero_output_for_mask else prev)
        h = np.where(m, new, h)
        outputs.append(out)
        prev = out
    return np.stack(outputs, axis=1), h


RIGHT = np.array([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1], [1, 0, 0, 0, 0]], dtype=bool)
LEFT = RIGHT[:, ::-1].copy()


@pytest.mark.parametrize("mask", [RIGHT, LEFT], ids=["right_padding", "left_padding"])
@pytest.mark.parametrize("go_backwards", [False, True])
def test_standalone_layer_carries_its_last_output_over_padding(mask, go_backwards):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(3, 5, 2))
    layer = SimpleRNN(4, return_sequences=True, go_backwards=go_backwards, dtype="float64")
    out = layer(x, mask=mask)
    want, _ = keras_rnn_outputs(x, mask, *layer.get_weights(), go_backwards=go_backwards)
    np.testing.assert_allclose(out, want, rtol=1e-12, atol=1e-15)
    if not go_backwards and mask is RIGHT:           # by hand: the last real output, repeated
        np.testing.assert_array_equal(out[0, 3], out[0, 2])
        np.testing.assert_array_equal(out[2, 1:], np.stack([out[2, 0]] * 4))
    if not go_backwards and mask is LEFT:            # before the first real step: zeros
        np.testing.assert_array_equal(out[0, :2], 0)
        assert np.all(out[0, 2:] != 0)


@pytest.mark.parametrize("mask", [RIGHT, LEFT], ids=["right_padding", "left_padding"])
def test_inside_bidirectional_padded_steps_output_zero(mask):
    rng = np.random.default_rng(1)
    x = rng.normal(size=(3, 5, 2))
    layer = Bidirectional(SimpleRNN(4, return_sequences=True, dtype="float64"), merge_mode=None)
    out_f, out_b = layer(x, mask=mask)
    want_f, _ = keras_rnn_outputs(x, mask, *layer.forward_layer.get_weights(),
                                  zero_output_for_mask=True)
    want_b, _ = keras_rnn_outputs(x, mask, *layer.backward_layer.get_weights(),
                                  zero_output_for_mask=True, go_backwards=True)
    np.testing.assert_allclose(out_f, want_f, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(out_b, want_b[:, ::-1], rtol=1e-12, atol=1e-15)
    np.testing.assert_array_equal(out_f[~mask], 0)
    np.testing.assert_array_equal(out_b[~mask], 0)


@pytest.mark.parametrize("cell", [SimpleRNN, LSTM, GRU])
def test_states_never_change_at_a_padded_step(cell):
    rng = np.random.default_rng(2)
    x = rng.normal(size=(3, 5, 2))
    layer = cell(3, return_sequences=True, return_state=True, dtype="float64")
    out, *states = layer(x, mask=RIGHT)
    lengths = RIGHT.sum(1)
    for b, n in enumerate(lengths):
        np.testing.assert_array_equal(out[b, n - 1:], np.stack([out[b, n - 1]] * (5 - n + 1)))
        np.testing.assert_array_equal(states[0][b], out[b, n - 1])


@pytest.mark.parametrize("cell", [SimpleRNN, LSTM, GRU])
def test_gradients_still_ignore_padding(cell):
    """The loss never counts padded steps, so the carried outputs change no gradient: they match
    finite differences of the masked loss."""
    rng = np.random.default_rng(3)
    model = Sequential([Embedding(6, 3, mask_zero=True, input_shape=(5,), dtype="float64"),
                        cell(3, return_sequences=True),
                        TimeDistributed(Dense(3, activation="softmax"))])
    model.compile(loss="sparse_categorical_crossentropy", optimizer="sgd")
    model.set_weights([rng.normal(0, 0.6, w.shape) for w in model.get_weights()])
    x = np.array([[1, 2, 3, 0, 0], [4, 5, 1, 2, 3], [2, 0, 0, 0, 0]])
    y = rng.integers(0, 3, size=(3, 5))
    _, grads = model.gradients(x, y)
    numeric = numeric_weight_gradients(model, lambda: model.gradients(x, y)[0])
    for k, (g, n) in enumerate(zip(grads, numeric)):
        assert_gradient_close(g, n, f"{cell.__name__} w{k}")


def _constant_simple_rnn(units, **kwargs):
    """Keras' test layer: kernel 0.01, recurrent_kernel 0.02, bias 0.03 (Constant initializers)."""
    layer = SimpleRNN(units, dtype="float64", **kwargs)
    layer.build((4, 3))
    layer.set_weights([np.full((3, units), 0.01), np.full((units, units), 0.02),
                       np.full(units, 0.03)])
    return layer


def test_keras_simple_rnn_test_masking():
    """Ported from keras/src/layers/rnn/simple_rnn_test.py, SimpleRNNTest.test_masking: Keras'
    own expected numbers (float32 there, hence rtol 1e-6)."""
    sequence = np.arange(24).reshape((2, 4, 3)).astype("float64")
    mask = np.array([[True, True, False, True], [True, False, False, True]])
    np.testing.assert_allclose(_constant_simple_rnn(4)(sequence, mask=mask),
                               [[0.32951632] * 4, [0.61799484] * 4], rtol=1e-6)
    out = _constant_simple_rnn(2, return_sequences=True)(sequence, mask=mask)
    np.testing.assert_allclose(out[0], [[0.0599281] * 2, [0.15122814] * 2, [0.15122814] * 2,
                                        [0.32394567] * 2], rtol=1e-6)
    np.testing.assert_allclose(out[1], [[0.3969304] * 2, [0.3969304] * 2, [0.3969304] * 2,
                                        [0.608085] * 2], rtol=1e-6)
    zeros = _constant_simple_rnn(2, return_sequences=True)
    zeros.zero_output_for_mask = True              # Keras' constructor argument
    out = zeros(sequence, mask=mask)
    np.testing.assert_allclose(out[0], [[0.0599281] * 2, [0.15122814] * 2, [0.0] * 2,
                                        [0.32394567] * 2], rtol=1e-6)
    np.testing.assert_allclose(out[1], [[0.3969304] * 2, [0.0] * 2, [0.0] * 2,
                                        [0.608085] * 2], rtol=1e-6)
    np.testing.assert_allclose(_constant_simple_rnn(4, go_backwards=True)(sequence, mask=mask),
                               [[0.07376196] * 4, [0.43645123] * 4], rtol=1e-6)
