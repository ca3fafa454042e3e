"""dropout and recurrent_dropout on SimpleRNN, LSTM and GRU, with Keras 3's semantics.

What Keras 3 does (keras/src/layers/rnn/dropout_rnn_cell.py, simple_rnn.py, lstm.py, gru.py): the
cell draws one mask the shape of x_t (``dropout``) and one the shape of h_{t-1}
(``recurrent_dropout``) at its first step of a call, with ``backend.random.dropout`` on ones
(0 with probability rate, else 1/(1−rate)), caches them and reuses them at every step of that call
(the layer resets the cache per call); they act only when ``training`` is true. Keras' own tests of
dropout (``run_layer_test`` with ``dropout=0.5``) check shapes only, so there are no Keras numbers
to port; the numbers here are NumPy references written out with the recorded masks, and finite
differences of the loss as a function of the weights for masks held fixed (the same seed).
"""
import re

import numpy as np
import pytest

from conftest import check_gradients, simple_rnn_np, act_np
from rnnkit import Sequential, config
from rnnkit.layers import GRU, LSTM, RNN, Bidirectional, Dense, SimpleRNN
from rnnkit.layers.cells import SimpleRNNCell

RATES = [{"dropout": 0.4}, {"recurrent_dropout": 0.4}, {"dropout": 0.3, "recurrent_dropout": 0.5}]
CELLS = [(SimpleRNN, {}), (LSTM, {}), (GRU, {}), (GRU, {"reset_after": False})]


class Training:
    """``layer`` called with ``training=True`` and the RNG reseeded at every call: the masks are
    the same at every call, so the loss is a function of the weights (and x) alone."""

    def __init__(self, layer, seed=11):
        self.layer, self.seed = layer, seed

    def __call__(self, x, **kwargs):
        with config.scope(seed=self.seed):
            return self.layer(x, training=True, **kwargs)

    def __getattr__(self, name):
        return getattr(self.layer, name)


def built(cls, units, D, seed=0, **options):
    with config.scope(seed=seed):
        layer = cls(units, **options)
        layer.build((None, D))
    return layer


@pytest.mark.parametrize("cls, extra", CELLS)
@pytest.mark.parametrize("rates", RATES)
def test_gradients_through_fixed_masks(cls, extra, rates):
    rng = np.random.default_rng(3)
    layer = built(cls, 3, 4, return_sequences=True, return_state=True, **rates, **extra)
    x = rng.normal(size=(5, 4, 4))
    states0 = [rng.normal(size=(5, 3)) for _ in range(layer.n_states)]
    check_gradients(Training(layer), x, None, states0, rng)
    masks = [layer.last_pass.dropout_mask, layer.last_pass.recurrent_dropout_mask]
    drawn = [m for m in masks if m is not None]
    assert len(drawn) == len(rates) and all((m == 0).any() for m in drawn)   # something dropped


@pytest.mark.parametrize("cls, extra", CELLS)
def test_gradients_through_fixed_masks_with_padding(cls, extra):
    rng = np.random.default_rng(4)
    layer = built(cls, 3, 2, return_sequences=True, dropout=0.3, recurrent_dropout=0.3, **extra)
    x = rng.normal(size=(4, 5, 2))
    mask = np.array([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1], [1, 0, 0, 0, 0], [1, 1, 1, 1, 0]], bool)
    states0 = [rng.normal(size=(4, 3)) for _ in range(layer.n_states)]
    check_gradients(Training(layer), x, mask, states0, rng)


def test_simple_rnn_uses_one_mask_at_every_step():
    """h_t = tanh(U (x_t ⊙ m_x) + W (h_{t-1} ⊙ m_h) + b) with the recorded m_x, m_h at every t."""
    rng = np.random.default_rng(5)
    layer = built(SimpleRNN, 4, 3, return_sequences=True, dropout=0.5, recurrent_dropout=0.5)
    x = rng.normal(size=(6, 7, 3))
    out = layer(x, training=True)
    m_x, m_h = layer.last_pass.dropout_mask, layer.last_pass.recurrent_dropout_mask
    U, W, b = (layer.params[k] for k in "UWb")
    h = np.zeros((6, 4))
    for t in range(7):
        h = np.tanh((x[:, t] * m_x) @ U.T + (h * m_h) @ W.T + b)
        np.testing.assert_allclose(out[:, t], h, rtol=0, atol=1e-12)


def lstm_np(x, U, W, b, m_x, m_h):
    u = W.shape[1]
    h = c = np.zeros((x.shape[0], u))
    outs = []
    for t in range(x.shape[1]):
        z = (x[:, t] * m_x) @ U.T + (h * m_h) @ W.T + b
        i, f, o = (act_np("sigmoid", z[:, k * u:(k + 1) * u]) for k in (0, 1, 3))
        c = f * c + i * np.tanh(z[:, 2 * u:3 * u])
        h = o * np.tanh(c)
        outs.append(h)
    return np.stack(outs, axis=1)


def gru_np(x, U, W, b, m_x, m_h):
    """reset_after=True; the carry z ⊙ h_{t-1} keeps the undropped h (Keras' GRUCell)."""
    u = W.shape[1]
    h = np.zeros((x.shape[0], u))
    outs = []
    for t in range(x.shape[1]):
        ax = (x[:, t] * m_x) @ U.T + b[0]
        ah = (h * m_h) @ W.T + b[1]
        z = act_np("sigmoid", ax[:, :u] + ah[:, :u])
        r = act_np("sigmoid", ax[:, u:2 * u] + ah[:, u:2 * u])
        h = z * h + (1 - z) * np.tanh(ax[:, 2 * u:] + r * ah[:, 2 * u:])
        outs.append(h)
    return np.stack(outs, axis=1)


@pytest.mark.parametrize("cls, reference", [(LSTM, lstm_np), (GRU, gru_np)])
def test_gated_layers_use_one_mask_at_every_step_for_every_gate(cls, reference):
    rng = np.random.default_rng(6)
    layer = built(cls, 3, 4, return_sequences=True, dropout=0.5, recurrent_dropout=0.5)
    layer.params["b"][...] = rng.normal(size=layer.params["b"].shape)
    x = rng.normal(size=(5, 6, 4))
    out = layer(x, training=True)
    m_x, m_h = layer.last_pass.dropout_mask, layer.last_pass.recurrent_dropout_mask
    want = reference(x, layer.params["U"], layer.params["W"], layer.params["b"], m_x, m_h)
    np.testing.assert_allclose(out, want, rtol=0, atol=1e-12)


@pytest.mark.parametrize("cls", [SimpleRNN, LSTM, GRU])
def test_input_dropout_is_the_plain_layer_on_masked_inputs(cls):
    """The fused path: x_t ⊙ m_x before the kernel, the same m_x at every step, dx ⊙ m_x after."""
    rng = np.random.default_rng(7)
    layer = built(cls, 3, 4, return_sequences=True, dropout=0.5)
    plain = built(cls, 3, 4, return_sequences=True)
    x, dy = rng.normal(size=(5, 6, 4)), rng.normal(size=(5, 6, 3))
    out = layer(x, training=True)
    dx = layer.backward(dy)
    m_x = layer.last_pass.dropout_mask
    assert m_x.shape == (5, 4) and layer.last_pass.recurrent_dropout_mask is None
    np.testing.assert_array_equal(out, plain(x * m_x[:, None, :]))
    np.testing.assert_allclose(dx, plain.backward(dy) * m_x[:, None, :], rtol=0, atol=1e-14)
    for key in layer.grads:
        np.testing.assert_array_equal(layer.grads[key], plain.grads[key])


@pytest.mark.parametrize("cls", [SimpleRNN, LSTM, GRU])
def test_inference_equals_the_layer_without_dropout(cls):
    rng = np.random.default_rng(8)
    x, y = rng.normal(size=(6, 5, 3)), rng.normal(size=(6, 1))
    with_dropout = Sequential([cls(4, dropout=0.5, recurrent_dropout=0.5, input_shape=(5, 3)),
                               Dense(1)])
    plain = Sequential([cls(4, input_shape=(5, 3)), Dense(1)])
    plain.set_weights(with_dropout.get_weights())
    for model in (with_dropout, plain):
        model.compile(optimizer="sgd", loss="mse")
    np.testing.assert_array_equal(with_dropout.predict(x), plain.predict(x))
    assert with_dropout.evaluate(x, y) == plain.evaluate(x, y)
    layer = with_dropout.layers[0]
    np.testing.assert_array_equal(layer(x), plain.layers[0](x))
    np.testing.assert_array_equal(layer(x, training=False), plain.layers[0](x))
    assert layer.last_pass.dropout_mask is None and layer.last_pass.recurrent_dropout_mask is None
    assert not np.array_equal(layer(x, training=True), plain.layers[0](x))


def test_fit_and_train_on_batch_train_with_dropout_evaluate_does_not():
    rng = np.random.default_rng(9)
    x, y = rng.normal(size=(8, 5, 3)), rng.normal(size=(8, 1))
    model = Sequential([LSTM(4, dropout=0.5, recurrent_dropout=0.5, input_shape=(5, 3)), Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    layer = model.layers[0]
    model.train_on_batch(x, y)
    assert layer.last_pass.dropout_mask.shape == (8, 3)
    assert layer.last_pass.recurrent_dropout_mask.shape == (8, 4)
    assert layer.training is False                 # only while the model trains
    model.evaluate(x, y)
    assert layer.last_pass.dropout_mask is None
    model.fit(x, y, epochs=1, batch_size=4, verbose=0)
    assert layer.last_pass.recurrent_dropout_mask.shape == (4, 4)
    model.predict(x)
    assert layer.last_pass.recurrent_dropout_mask is None


def test_masks_scale_by_one_over_keep_and_drop_the_rate():
    rate = 0.25
    layer = built(SimpleRNN, 50, 40, dropout=rate, recurrent_dropout=rate)
    with config.scope(seed=7):               # the draws of its own generator, whatever ran before
        layer(np.zeros((400, 2, 40)), training=True)
    for m in (layer.last_pass.dropout_mask, layer.last_pass.recurrent_dropout_mask):
        values = set(np.unique(m))
        assert values == {0.0, 1.0 / (1.0 - rate)}             # exact zeros and 1/(1−rate)
        assert abs(np.mean(m == 0.0) - rate) < 0.015           # 16,000 draws: sd ≈ 0.0034
        assert abs(m.mean() - 1.0) < 0.02                      # E[m] = 1 (inverted dropout)


def test_a_seed_repeats_the_masks_and_another_changes_them():
    layer = built(GRU, 3, 2, dropout=0.5, recurrent_dropout=0.5)
    x = np.ones((4, 3, 2))

    def masks(seed):
        with config.scope(seed=seed):
            layer(x, training=True)
        return layer.last_pass.dropout_mask.copy(), layer.last_pass.recurrent_dropout_mask.copy()
    first, again, other = masks(1), masks(1), masks(2)
    for a, b, c in zip(first, again, other):
        np.testing.assert_array_equal(a, b)
        assert not np.array_equal(a, c)


@pytest.mark.parametrize("cls", [SimpleRNN, LSTM, GRU])
def test_weights_counts_summary_and_config(cls):
    layer = built(cls, 4, 3, dropout=0.2, recurrent_dropout=0.1)
    plain = built(cls, 4, 3)
    assert layer.count_params() == plain.count_params()
    assert [w.shape for w in layer.get_weights()] == [w.shape for w in plain.get_weights()]
    for a, b in zip(layer.get_weights(), plain.get_weights()):
        np.testing.assert_array_equal(a, b)          # same seed: dropout draws nothing at build
    cfg = layer.get_config()
    assert (cfg["dropout"], cfg["recurrent_dropout"]) == (0.2, 0.1)
    assert "dropout" not in plain.get_config()
    again = cls.from_config(cfg)
    assert (again.dropout, again.recurrent_dropout) == (0.2, 0.1)
    model = Sequential([cls(4, dropout=0.2, input_shape=(5, 3))])
    twin = Sequential([cls(4, input_shape=(5, 3))])
    texts = []
    model.summary(print_fn=texts.append)
    twin.summary(print_fn=texts.append)
    assert texts[0] == texts[1]


@pytest.mark.parametrize("value", [1.0, -0.1, "0.5", True])
def test_bad_rates_are_refused(value):
    with pytest.raises(ValueError, match=re.escape(f"LSTM(dropout={value!r}): a dropout rate is "
                                                   f"a fraction in [0, 1)")):
        LSTM(3, dropout=value)


def test_what_is_not_implemented_is_still_refused():
    with pytest.raises(ValueError, match=r"RNN\(dropout=\.\.\.\): rnnkit applies dropout only in "
                                         r"SimpleRNN, LSTM and GRU"):
        RNN(SimpleRNNCell(3), dropout=0.2)
    RNN(SimpleRNNCell(3), dropout=0.0, recurrent_dropout=0.0)     # Keras' defaults run
    with pytest.raises(ValueError, match=re.escape("SimpleRNN(seed=3): rnnkit draws dropout masks "
                                                   "from its one generator")):
        SimpleRNN(3, dropout=0.2, seed=3)
    assert GRU(3, dropout=0.2, stateful=True).stateful     # implemented: tests/test_stateful.py


def test_simple_rnn_without_masks_matches_the_reference():
    """The dropout code leaves the plain path alone: training=True with rates 0 is the lecture."""
    rng = np.random.default_rng(10)
    layer = built(SimpleRNN, 3, 2, return_sequences=True)
    x = rng.normal(size=(2, 4, 2))
    want, _, _ = simple_rnn_np(x, *(layer.params[k] for k in "UWb"))
    np.testing.assert_allclose(layer(x, training=True), want, rtol=0, atol=1e-12)


def test_bidirectional_halves_train_with_dropout_and_predict_without():
    rng = np.random.default_rng(12)
    x, y = rng.normal(size=(6, 5, 3)), rng.normal(size=(6, 1))
    model = Sequential([Bidirectional(GRU(4, recurrent_dropout=0.5), input_shape=(5, 3)), Dense(1)])
    plain = Sequential([Bidirectional(GRU(4), input_shape=(5, 3)), Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    halves = model.layers[0].sublayers()
    model.train_on_batch(x, y)
    plain.set_weights(model.get_weights())
    assert all(h.last_pass.recurrent_dropout_mask.shape == (6, 4) for h in halves)
    assert halves[1].dropout == 0.0 and halves[1].recurrent_dropout == 0.5
    np.testing.assert_array_equal(model.predict(x), plain.predict(x))
    assert all(h.last_pass.recurrent_dropout_mask is None for h in halves)
    model.layers[0](x, training=True)                  # Keras' call argument, passed to both
    assert all(h.last_pass.recurrent_dropout_mask.shape == (6, 4) for h in halves)


@pytest.mark.parametrize("cls", [SimpleRNN, LSTM, GRU])
def test_keras_basics_with_dropout(cls):
    """Ported from Keras 3's SimpleRNNTest.test_basics (keras/src/layers/rnn/simple_rnn_test.py;
    lstm_test.py and gru_test.py do the same): units=3, dropout=0.5, recurrent_dropout=0.5,
    called with training=True on input (3, 2, 4): output (3, 3), three trainable weights."""
    layer = cls(3, dropout=0.5, recurrent_dropout=0.5)
    out = layer(np.random.default_rng(13).normal(size=(3, 2, 4)), training=True)
    assert out.shape == (3, 3) and len(layer.get_weights()) == 3
    assert np.isfinite(out).all()
