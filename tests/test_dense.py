"""Dense: y = g(V h + b_hy) against plain NumPy, and dV, db_hy and dL/dh against centred finite
differences, for every activation, on 2-D (batch, features) and 3-D (batch, time, features) input."""
import numpy as np
from hypothesis import assume, given, strategies as st

from conftest import FAST, act_np, assert_gradient_close, numeric_gradient
from rnnkit.layers import Dense

ACTIVATIONS = ["linear", "tanh", "sigmoid", "relu", "softmax"]


@FAST
@given(data=st.data())
def test_dense_forward_and_every_gradient(data):
    activation = data.draw(st.sampled_from(ACTIVATIONS), label="activation")
    three_d = data.draw(st.booleans(), label="3-D input")
    B = data.draw(st.integers(1, 3), label="batch")
    T = data.draw(st.integers(1, 4), label="timesteps")
    D = data.draw(st.integers(1, 4), label="features")
    k = data.draw(st.integers(1, 4), label="units")
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1), label="seed"))
    shape = (B, T, D) if three_d else (B, D)
    x = rng.normal(size=shape)
    V = rng.uniform(-1, 1, size=(k, D))          # lecture notation: V is (outputs x hidden)
    b = rng.uniform(-0.5, 0.5, size=k)
    z = x @ V.T + b
    if activation == "relu":
        assume(np.min(np.abs(z)) > 1e-3)        # away from relu's kink

    layer = Dense(k, activation=activation)
    layer.build(shape[1:])
    weights = [V.T.copy(), b.copy()]             # Keras layout: kernel = Vᵀ
    layer.set_weights(weights)
    y = layer(x)
    assert y.shape == shape[:-1] + (k,)
    np.testing.assert_allclose(y, act_np(activation, z), rtol=1e-13, atol=1e-14)
    np.testing.assert_allclose(layer.logits, z, rtol=1e-13, atol=1e-14)

    R = rng.normal(size=y.shape)
    dx = layer.backward(R)
    grads = layer.keras_grads()
    np.testing.assert_array_equal(grads[0], layer.grads["V"].T)

    def loss():
        return float(np.sum(R * layer(x)))

    for i, name in enumerate(["kernel", "bias"]):
        def f(i=i):
            layer.set_weights(weights)
            return loss()
        assert_gradient_close(grads[i], numeric_gradient(f, weights[i]), f"Dense {name} ({activation})")
    layer.set_weights(weights)
    assert dx.shape == x.shape
    assert_gradient_close(dx, numeric_gradient(loss, x), f"Dense input ({activation})")


def test_softmax_rows_sum_to_one_and_survive_large_logits():
    layer = Dense(3, activation="softmax")
    layer.build((2,))
    layer.set_weights([np.array([[1000.0, 0.0, -1000.0], [0.0, 0.0, 0.0]]), np.zeros(3)])
    y = layer(np.array([[1.0, 0.0], [-1.0, 0.0]]))
    assert np.all(np.isfinite(y))
    np.testing.assert_allclose(y.sum(axis=1), 1.0)
    np.testing.assert_allclose(y[0], [1.0, 0.0, 0.0], atol=1e-300)


def test_sigmoid_is_finite_for_large_logits():
    layer = Dense(1, activation="sigmoid")
    layer.build((1,))
    layer.set_weights([np.array([[1.0]]), np.zeros(1)])
    y = layer(np.array([[800.0], [-800.0], [0.0]]))
    np.testing.assert_allclose(y[:, 0], [1.0, 0.0, 0.5], atol=1e-300)


def test_dense_on_a_sequence_is_the_same_dense_at_every_timestep():
    rng = np.random.default_rng(5)
    x = rng.normal(size=(2, 4, 3))
    layer = Dense(5, activation="tanh")
    seq = layer(x)
    for t in range(4):
        np.testing.assert_allclose(seq[:, t], layer(x[:, t]), rtol=1e-15)


def test_dense_counts_as_the_lecture():
    """V = outputs × (hidden + 1): 1 × (10+1) = 11; 8 × (16+1) = 136."""
    for k, D, want in [(1, 10, 11), (8, 16, 136), (1, 8, 9)]:
        layer = Dense(k)
        layer.build((D,))
        assert layer.count_params() == want
        assert layer.params["V"].shape == (k, D)
        assert [w.shape for w in layer.get_weights()] == [(D, k), (k,)]
