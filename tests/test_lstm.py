"""LSTM: hand-derived BPTT against centred finite differences, forward against plain NumPy."""
import numpy as np
import pytest
from conftest import act_np, check_gradients, ragged_mask
from hypothesis import example, given, settings
from hypothesis import strategies as st

from rnnkit.layers.lstm import LSTM

# ---- an independent reference, batch-first, in Keras' weight layout ------------------------------

def lstm_reference(x, kernel, recurrent_kernel, bias, mask=None, h0=None, c0=None,
                   go_backwards=False, return_sequences=False, activation="tanh",
                   recurrent_activation="sigmoid"):
    """Keras' LSTM written out step by step; returns (output, h_T, c_T)."""
    def g(a):
        return act_np(activation, a)

    def sig(a):
        return act_np(recurrent_activation, a)

    B, T, _ = x.shape
    u = recurrent_kernel.shape[0]
    mask = np.ones((B, T)) if mask is None else np.asarray(mask, dtype=float)
    if go_backwards:
        x, mask = x[:, ::-1], mask[:, ::-1]
    h = np.zeros((B, u)) if h0 is None else h0
    c = np.zeros((B, u)) if c0 is None else c0
    outputs = []
    for t in range(T):
        a = x[:, t] @ kernel + h @ recurrent_kernel + bias
        i, f, cbar, o = sig(a[:, :u]), sig(a[:, u:2 * u]), g(a[:, 2 * u:3 * u]), sig(a[:, 3 * u:])
        c_new = f * c + i * cbar
        h_new = o * g(c_new)
        m = mask[:, t:t + 1]
        c = m * c_new + (1 - m) * c
        h = m * h_new + (1 - m) * h
        # Keras 3: a padded step shows the previous output (zero before any real step)
        outputs.append(m * h + (1 - m) * (outputs[-1] if outputs else 0))
    return (np.stack(outputs, axis=1) if return_sequences else h), h, c


# ---- gradient checks (ragged_mask, check_gradients: tests/conftest.py) -------------------------

@settings(max_examples=40, deadline=None)
@given(B=st.integers(1, 3), T=st.integers(1, 4), D=st.integers(1, 3), u=st.integers(1, 3),
       return_sequences=st.booleans(), return_state=st.booleans(), go_backwards=st.booleans(),
       masking=st.sampled_from(["none", "post", "pre"]),
       activation=st.sampled_from(["tanh", "tanh", "sigmoid", "linear"]),
       recurrent_activation=st.sampled_from(["sigmoid", "sigmoid", "tanh"]),
       seed=st.integers(0, 2**32 - 1))
@example(B=1, T=1, D=1, u=1, return_sequences=False, return_state=True, go_backwards=False,
         masking="none", activation="tanh", recurrent_activation="sigmoid", seed=0)
@example(B=3, T=4, D=2, u=3, return_sequences=True, return_state=True, go_backwards=True,
         masking="post", activation="tanh", recurrent_activation="sigmoid", seed=1)
def test_lstm_gradients_match_finite_differences(B, T, D, u, return_sequences, return_state,
                                                 go_backwards, masking, activation,
                                                 recurrent_activation, seed):
    rng = np.random.default_rng(seed)
    layer = LSTM(u, activation=activation, recurrent_activation=recurrent_activation,
                 return_sequences=return_sequences, return_state=return_state,
                 go_backwards=go_backwards, dtype="float64")
    x = rng.normal(size=(B, T, D))
    layer.build(x.shape[1:])
    for value in layer.params.values():
        value[...] = rng.normal(scale=0.7, size=value.shape)
    mask = None if masking == "none" else ragged_mask(rng, B, T, masking == "pre")
    states0 = [rng.normal(scale=0.5, size=(B, u)) for _ in range(2)]
    check_gradients(layer, x, mask, states0, rng)


def test_lstm_gradients_without_initial_state_or_final_state_gradient():
    rng = np.random.default_rng(3)
    layer = LSTM(3, return_state=True)
    x = rng.normal(size=(2, 5, 2))
    layer(x)
    y, h, c = layer(x)
    dx = layer.backward(np.ones_like(y), dstates=[None, np.ones_like(c)])
    assert dx.shape == x.shape
    assert [g.shape for g in layer.initial_state_grads] == [(2, 3), (2, 3)]
    # dc_T alone must reach the input: a loss on c_T only
    layer.backward(np.zeros_like(y), dstates=[None, np.ones_like(c)])
    assert np.abs(layer.grads["U"]).sum() > 0


# ---- forward against the NumPy reference ---------------------------------------------------------

@settings(max_examples=25, deadline=None)
@given(B=st.integers(1, 4), T=st.integers(1, 6), D=st.integers(1, 4), u=st.integers(1, 5),
       return_sequences=st.booleans(), go_backwards=st.booleans(),
       masking=st.sampled_from(["none", "post", "pre"]), seed=st.integers(0, 2**32 - 1))
def test_lstm_forward_matches_numpy_reference(B, T, D, u, return_sequences, go_backwards, masking,
                                              seed):
    rng = np.random.default_rng(seed)
    layer = LSTM(u, return_sequences=return_sequences, return_state=True, go_backwards=go_backwards)
    x = rng.normal(size=(B, T, D))
    layer.build(x.shape[1:])
    layer.set_weights([rng.normal(size=w.shape) for w in layer.get_weights()])
    mask = None if masking == "none" else ragged_mask(rng, B, T, masking == "pre")
    h0, c0 = rng.normal(size=(B, u)), rng.normal(size=(B, u))
    y, h, c = layer(x, mask=mask, initial_state=[h0, c0])
    y_ref, h_ref, c_ref = lstm_reference(x, *layer.get_weights(), mask=mask, h0=h0, c0=c0,
                                         go_backwards=go_backwards,
                                         return_sequences=return_sequences)
    np.testing.assert_allclose(y, y_ref, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(h, h_ref, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(c, c_ref, rtol=1e-12, atol=1e-12)


def test_lstm_hand_computed_single_step():
    """One unit, one step, every weight 0.5 and b_f = 1: numbers a student works out by hand."""
    layer = LSTM(1, input_shape=(1, 1))
    layer.build((1, 1))
    layer.set_weights([np.full((1, 4), 0.5), np.full((1, 4), 0.5), np.array([0.0, 1.0, 0.0, 0.0])])
    sig = lambda a: 1 / (1 + np.exp(-a))          # noqa: E731
    i, f, cbar, o = sig(0.5), sig(1.5), np.tanh(0.5), sig(0.5)   # x_1 = 1, h_0 = c_0 = 0
    c = f * 0 + i * cbar
    y = layer(np.ones((1, 1, 1)))
    assert y[0, 0] == pytest.approx(o * np.tanh(c), abs=1e-15)


# ---- API, weights, dtypes ------------------------------------------------------------------------

def test_lstm_keras_weight_layout_and_round_trip():
    layer = LSTM(4, input_shape=(7, 3))
    layer.build((7, 3))
    kernel, recurrent, bias = layer.get_weights()
    assert (kernel.shape, recurrent.shape, bias.shape) == ((3, 16), (4, 16), (16,))
    assert layer.keras_weight_names() == ["kernel", "recurrent_kernel", "bias"]
    assert layer.params["U"].shape == (16, 3) and layer.params["W"].shape == (16, 4)
    # unit_forget_bias: ones in the f block only; the recurrent kernel is (semi-)orthogonal
    np.testing.assert_array_equal(bias, np.r_[np.zeros(4), np.ones(4), np.zeros(8)])
    np.testing.assert_allclose(recurrent @ recurrent.T, np.eye(4), atol=1e-12)
    limit = np.sqrt(6 / (3 + 16))
    assert np.all(np.abs(kernel) <= limit)
    rng = np.random.default_rng(0)
    new = [rng.normal(size=w.shape) for w in layer.get_weights()]
    layer.set_weights(new)
    for a, b in zip(layer.get_weights(), new):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(layer.params["U"], new[0].T)
    # keras_grads come in the same layout
    layer(rng.normal(size=(2, 7, 3)))
    layer.backward(np.ones((2, 4)))
    assert [g.shape for g in layer.keras_grads()] == [w.shape for w in new]


def test_lstm_without_unit_forget_bias_has_zero_bias():
    layer = LSTM(2, unit_forget_bias=False)
    layer.build((3, 1))
    np.testing.assert_array_equal(layer.get_weights()[2], np.zeros(8))


def test_lstm_set_weights_rejects_wrong_shapes():
    layer = LSTM(2)
    layer.build((3, 1))
    with pytest.raises(Exception, match="kernel"):
        layer.set_weights([np.zeros((1, 6)), np.zeros((2, 8)), np.zeros(8)])


def test_lstm_count_params_and_explain():
    layer = LSTM(64)
    layer.build((10, 16))
    assert layer.count_params() == 4 * 64 * (16 + 64 + 1) == 20_736
    lines = layer.explain()
    assert lines[-1] == "total = 4 × 64 × (16 + 64 + 1) = 20,736"
    assert any("4 × 64 × 16 = 4,096" in line for line in lines)


def test_lstm_output_shapes_and_state_options():
    x = np.zeros((5, 7, 3))
    assert LSTM(4)(x).shape == (5, 4)
    assert LSTM(4, return_sequences=True)(x).shape == (5, 7, 4)
    out = LSTM(4, return_sequences=True, return_state=True)(x)
    assert [o.shape for o in out] == [(5, 7, 4), (5, 4), (5, 4)]
    assert LSTM(4).compute_output_shape((7, 3)) == (4,)
    with pytest.raises(ValueError, match="2 initial state"):
        LSTM(4)(x, initial_state=np.zeros((5, 4)))


def test_lstm_go_backwards_equals_reversed_input():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(2, 5, 3))
    fwd = LSTM(3, return_sequences=True)
    back = LSTM(3, return_sequences=True, go_backwards=True)
    fwd.build((5, 3))
    back.build((5, 3))
    back.set_weights(fwd.get_weights())
    np.testing.assert_allclose(back(x), fwd(x[:, ::-1]), rtol=1e-14)


def test_lstm_masked_steps_carry_both_states():
    rng = np.random.default_rng(2)
    x = rng.normal(size=(2, 4, 3))
    mask = np.array([[1, 1, 0, 0], [1, 1, 1, 1]])
    layer = LSTM(3, return_state=True)
    y, h, c = layer(x, mask=mask)
    y2, h2, c2 = layer(x[:, :2], mask=mask[:, :2])
    np.testing.assert_allclose(h[0], h2[0], rtol=1e-14)
    np.testing.assert_allclose(c[0], c2[0], rtol=1e-14)


def test_lstm_float32_runs_and_stays_float32():
    rng = np.random.default_rng(4)
    x = rng.normal(size=(3, 5, 2))
    l64 = LSTM(4, return_sequences=True, return_state=True)
    l32 = LSTM(4, return_sequences=True, return_state=True, dtype="float32")
    l64.build((5, 2))
    l32.build((5, 2))
    l32.set_weights(l64.get_weights())
    out64, out32 = l64(x), l32(x.astype(np.float32))
    assert all(o.dtype == np.float32 for o in out32)
    for a, b in zip(out32, out64):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)
    dy = rng.normal(size=out64[0].shape)
    dx64 = l64.backward(dy, dstates=[None, np.ones((3, 4))])
    dx32 = l32.backward(dy.astype(np.float32), dstates=[None, np.ones((3, 4), np.float32)])
    assert dx32.dtype == np.float32
    assert all(g.dtype == np.float32 for g in l32.grads.values())
    assert all(g.dtype == np.float32 for g in l32.initial_state_grads)
    np.testing.assert_allclose(dx32, dx64, rtol=1e-3, atol=1e-5)
    for key in l64.grads:
        np.testing.assert_allclose(l32.grads[key], l64.grads[key], rtol=1e-3, atol=1e-4)


def test_lstm_config_round_trip_and_bad_activation():
    layer = LSTM(5, recurrent_activation="tanh", unit_forget_bias=False, return_sequences=True,
                 go_backwards=True, name="enc")
    config = layer.get_config()
    again = LSTM(**config)
    assert again.get_config() == config
    assert config["recurrent_activation"] == "tanh" and config["unit_forget_bias"] is False
    with pytest.raises(ValueError, match="recurrent_activation"):
        LSTM(3, recurrent_activation="hard_sigmoid")
