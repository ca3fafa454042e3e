"""SimpleRNN: forward pass against a plain-NumPy reference, and every gradient (U, W, b_xh, the input
and the initial state) against centred finite differences, over shapes drawn by hypothesis.

The scalar under test is L = sum(R * output) (+ sum(S * h_T) with return_state) for random R, S,
so dL/d(output) = R is an arbitrary upstream gradient.
"""
import numpy as np
import pytest
from hypothesis import assume, given, strategies as st

from conftest import (FAST, assert_gradient_close, numeric_gradient, relative_error, simple_rnn_np)
from rnnkit import Sequential
from rnnkit.layers import Dense, SimpleRNN

ACTIVATIONS = ["tanh", "relu", "sigmoid", "linear"]


def _draw_case(data):
    B = data.draw(st.integers(1, 3), label="batch")
    T = data.draw(st.integers(1, 5), label="timesteps")
    D = data.draw(st.integers(1, 3), label="features")
    u = data.draw(st.integers(1, 4), label="units")
    seed = data.draw(st.integers(0, 2**32 - 1), label="seed")
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(B, T, D))
    U = rng.uniform(-0.8, 0.8, size=(u, D))
    W = rng.uniform(-0.6, 0.6, size=(u, u))
    b = rng.uniform(-0.5, 0.5, size=u)
    return B, T, D, u, rng, x, U, W, b


def _real_steps(mask, B, T, go_backwards):
    """Boolean (B, T) in processing order: which steps are real (not padding)."""
    m = np.ones((B, T), bool) if mask is None else mask.astype(bool)
    return m[:, ::-1] if go_backwards else m


@FAST
@given(data=st.data())
def test_simple_rnn_forward_and_every_gradient(data):
    B, T, D, u, rng, x, U, W, b = _draw_case(data)
    activation = data.draw(st.sampled_from(ACTIVATIONS), label="activation")
    return_sequences = data.draw(st.booleans(), label="return_sequences")
    go_backwards = data.draw(st.booleans(), label="go_backwards")
    use_h0 = data.draw(st.booleans(), label="initial_state")
    use_mask = data.draw(st.booleans(), label="mask")
    check_simple_rnn(B, T, D, u, rng, x, U, W, b, activation, return_sequences, go_backwards,
                     use_h0, use_mask)


@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("return_sequences, go_backwards, use_h0",
                         [(False, False, False), (True, True, True)])
def test_batch_of_one_single_timestep(activation, return_sequences, go_backwards, use_h0):
    """The smallest case, B = 1 and T = 1, every activation, always run (not left to chance)."""
    rng = np.random.default_rng(17)
    x, U = rng.normal(size=(1, 1, 2)), rng.uniform(-0.8, 0.8, size=(3, 2))
    W, b = rng.uniform(-0.6, 0.6, size=(3, 3)), rng.uniform(-0.5, 0.5, size=3)
    check_simple_rnn(1, 1, 2, 3, rng, x, U, W, b, activation, return_sequences, go_backwards,
                     use_h0, False, require=_must)


def _must(condition):
    assert condition, "this fixed case sits on relu's kink; pick another seed"


def check_simple_rnn(B, T, D, u, rng, x, U, W, b, activation, return_sequences, go_backwards,
                     use_h0, use_mask, require=assume):
    h0 = rng.normal(scale=0.5, size=(B, u)) if use_h0 else None
    mask = None
    if use_mask:                      # ragged lengths, post-padded; a length may even be 0
        lengths = rng.integers(0, T + 1, size=B)
        mask = (np.arange(T)[None, :] < lengths[:, None]).astype(np.float64)

    ref_out, ref_h, pre = simple_rnn_np(x, U, W, b, activation, h0, mask, go_backwards)
    real = _real_steps(mask, B, T, go_backwards)
    if activation == "relu":          # keep finite differences away from relu's kink at 0
        require(real.sum() == 0 or np.min(np.abs(pre[real])) > 1e-3)

    layer = SimpleRNN(u, activation=activation, return_sequences=return_sequences,
                      go_backwards=go_backwards)
    layer.build((T, D))
    weights = [U.T.copy(), W.T.copy(), b.copy()]   # Keras layout: kernel = Uᵀ
    layer.set_weights(weights)

    def run():
        init = None if h0 is None else [h0]
        return layer(x, mask=mask, initial_state=init)

    out = run()
    # ---- forward against the reference ----
    if return_sequences:
        assert out.shape == (B, T, u)
        np.testing.assert_allclose(out[real], ref_out[real], rtol=1e-12, atol=1e-12)
    else:
        assert out.shape == (B, u)
        np.testing.assert_allclose(out, ref_h, rtol=1e-12, atol=1e-12)

    # ---- backward ----
    R = rng.normal(size=out.shape)
    dx = layer.backward(R)
    dU, dW, db = (layer.grads[k].copy() for k in ("U", "W", "b"))
    dh0 = layer.initial_state_grads[0].copy()
    keras_grads = layer.keras_grads()

    def loss():
        return float(np.sum(R * run()))

    # every weight, perturbed in Keras layout through set_weights
    for k, name in enumerate(["kernel", "recurrent_kernel", "bias"]):
        def f(k=k):
            layer.set_weights(weights)
            return loss()
        num = numeric_gradient(f, weights[k])
        assert_gradient_close(keras_grads[k], num, f"SimpleRNN {name} ({activation})")
    layer.set_weights(weights)
    # the lecture-notation grads are the transposes of the Keras-layout ones
    np.testing.assert_array_equal(keras_grads[0], dU.T)
    np.testing.assert_array_equal(keras_grads[1], dW.T)
    np.testing.assert_array_equal(keras_grads[2], db)

    assert dx.shape == x.shape
    assert_gradient_close(dx, numeric_gradient(loss, x), f"SimpleRNN input ({activation})")
    if h0 is None:
        # the default h_0 = 0 still has a gradient: perturb an explicit zero state
        zero = np.zeros((B, u))

        def loss_h0():
            return float(np.sum(R * layer(x, mask=mask, initial_state=[zero])))
        assert_gradient_close(dh0, numeric_gradient(loss_h0, zero), "SimpleRNN initial state")
    else:
        assert_gradient_close(dh0, numeric_gradient(loss, h0), "SimpleRNN initial state")


@FAST
@given(data=st.data())
def test_return_state_gradients_include_the_final_state(data):
    """With return_state, L = sum(R * output) + sum(S * h_T): both paths reach every gradient."""
    B, T, D, u, rng, x, U, W, b = _draw_case(data)
    return_sequences = data.draw(st.booleans(), label="return_sequences")
    layer = SimpleRNN(u, return_sequences=return_sequences, return_state=True)
    layer.build((T, D))
    weights = [U.T.copy(), W.T.copy(), b.copy()]
    layer.set_weights(weights)
    h0 = rng.normal(scale=0.5, size=(B, u))

    out, h = layer(x, initial_state=[h0])
    _, ref_h, _ = simple_rnn_np(x, U, W, b, "tanh", h0)
    np.testing.assert_allclose(h, ref_h, rtol=1e-12, atol=1e-12)
    R, S = rng.normal(size=out.shape), rng.normal(size=h.shape)
    dx = layer.backward(R, dstates=[S])
    grads = layer.keras_grads()
    dh0 = layer.initial_state_grads[0].copy()

    def loss():
        o, hT = layer(x, initial_state=[h0])
        return float(np.sum(R * o) + np.sum(S * hT))

    for k in range(3):
        def f(k=k):
            layer.set_weights(weights)
            return loss()
        assert_gradient_close(grads[k], numeric_gradient(f, weights[k]), f"weight {k}")
    layer.set_weights(weights)
    assert_gradient_close(dx, numeric_gradient(loss, x), "input")
    assert_gradient_close(dh0, numeric_gradient(loss, h0), "initial state")


def test_gradient_checker_detects_a_wrong_gradient():
    """The check used throughout can fail: a gradient off by 0.1% is rejected."""
    g = np.array([0.3, -1.2, 0.7])
    assert relative_error(g, g) == 0.0
    assert relative_error(g * 1.001, g) > 1e-6
    assert relative_error(np.zeros(3), np.zeros(3)) == 0.0


def test_masked_batch_equals_each_sequence_run_alone():
    """Masking is truncation: a padded batch ends in the states each sequence reaches alone."""
    rng = np.random.default_rng(7)
    B, T, D, u = 4, 6, 2, 3
    x = rng.normal(size=(B, T, D))
    lengths = np.array([6, 1, 3, 4])
    mask = (np.arange(T)[None, :] < lengths[:, None]).astype(float)
    layer = SimpleRNN(u)
    layer.build((T, D))
    h_batch = layer(x, mask=mask)
    for i, n in enumerate(lengths):
        alone = layer(x[i:i + 1, :n])
        np.testing.assert_allclose(h_batch[i], alone[0], rtol=1e-13, atol=1e-14)


def test_go_backwards_reads_the_reversed_sequence():
    """go_backwards equals running forward on x reversed in time; outputs stay in processing order
    (as Keras)."""
    rng = np.random.default_rng(3)
    x = rng.normal(size=(2, 5, 3))
    fwd = SimpleRNN(4, return_sequences=True)
    back = SimpleRNN(4, return_sequences=True, go_backwards=True)
    fwd.build((5, 3))
    back.build((5, 3))
    back.set_weights(fwd.get_weights())
    np.testing.assert_allclose(back(x), fwd(x[:, ::-1]), rtol=1e-14, atol=1e-15)


def test_lecture_shapes_and_keras_weight_layout():
    layer = SimpleRNN(10, input_shape=(50, 1))
    layer.build((50, 1))
    kernel, recurrent, bias = layer.get_weights()
    assert kernel.shape == (1, 10) and recurrent.shape == (10, 10) and bias.shape == (10,)
    assert layer.params["U"].shape == (10, 1)      # lecture: units x input dim
    assert layer.params["W"].shape == (10, 10)
    assert layer.count_params() == 120
    np.testing.assert_array_equal(layer.params["U"], kernel.T)
    assert layer(np.zeros((32, 50, 1))).shape == (32, 10)


def test_return_state_call_returns_output_and_state():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(2, 3, 2))
    layer = SimpleRNN(3, return_sequences=True, return_state=True)
    out, h = layer(x)
    assert out.shape == (2, 3, 3) and h.shape == (2, 3)
    np.testing.assert_array_equal(out[:, -1], h)


@FAST
@given(data=st.data())
def test_stacked_layers_in_a_sequential(data):
    """Three stacked recurrent layers (one reading backwards) and a Dense: model.gradients against
    finite differences of a NumPy MSE on the model's predictions."""
    B = data.draw(st.integers(1, 3))
    T = data.draw(st.integers(1, 4))
    D = data.draw(st.integers(1, 3))
    u1, u2, k = data.draw(st.integers(1, 3)), data.draw(st.integers(1, 3)), data.draw(st.integers(1, 2))
    act = data.draw(st.sampled_from(["tanh", "sigmoid", "linear"]))
    seed = data.draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    model = Sequential([SimpleRNN(u1, return_sequences=True, activation=act, input_shape=(T, D)),
                        SimpleRNN(u2, return_sequences=True, go_backwards=True),
                        SimpleRNN(u2, activation=act),
                        Dense(k)])
    model.compile(loss="mse", optimizer="sgd")
    model.set_weights([rng.uniform(-0.7, 0.7, size=w.shape) for w in model.get_weights()])
    x = rng.normal(size=(B, T, D))
    y = rng.normal(size=(B, k))

    def loss():
        return float(np.mean((model.predict(x) - y) ** 2))

    value, grads = model.gradients(x, y)
    assert value == pytest.approx(loss(), rel=1e-12)
    weights = model.get_weights()
    assert [g.shape for g in grads] == [w.shape for w in weights]
    for k_, w in enumerate(weights):
        def f():
            model.set_weights(weights)
            return loss()
        assert_gradient_close(grads[k_], numeric_gradient(f, w), f"stacked weight {k_}")
