"""Every loss, plain and fused with its output activation: the value against a NumPy formula on the
model's predictions, and ``model.gradients`` (Keras layout) against centred finite differences of
that NumPy formula. Then the loss kernels alone with 0/1 position weights (masks)."""
import numpy as np
import pytest
from hypothesis import given, strategies as st

from conftest import FAST, act_np, assert_gradient_close, numeric_gradient
from rnnkit import Sequential, losses
from rnnkit.layers import Dense, SimpleRNN


# ---- the losses in plain NumPy (Keras' definitions, mean over every target position) --------------
def mse_np(p, y):
    return np.mean((p - y) ** 2)


def bce_np(p, y):
    return np.mean(-(y * np.log(p) + (1 - y) * np.log(1 - p)))


def cce_np(p, y):
    return np.mean(-np.sum(y * np.log(p), axis=-1))


def sparse_np(p, labels):
    return np.mean(-np.log(np.take_along_axis(p, labels[..., None], axis=-1)))


class UnfusedCCE(losses.CategoricalCrossentropy):
    """Categorical cross-entropy that never fuses: exercises the plain kernel + softmax Jacobian."""
    fuses_with = None


class UnfusedSparse(losses.SparseCategoricalCrossentropy):
    fuses_with = None


# (loss given to compile, NumPy formula, output layer kind, target kind, expected fused)
CASES = {
    "mse": ("mse", mse_np, "dense_linear", "real", False),
    "mse_tanh_sequence": ("mse", mse_np, "dense_tanh", "real", False),
    "bce_plain": ("binary_crossentropy", bce_np, "rnn_sigmoid", "binary", False),
    "bce_fused": ("binary_crossentropy", bce_np, "dense_sigmoid", "binary", True),
    "cce_plain_sigmoid": ("categorical_crossentropy", cce_np, "dense_sigmoid", "onehot", False),
    "cce_plain_softmax": (UnfusedCCE, cce_np, "dense_softmax", "onehot", False),
    "cce_fused": ("categorical_crossentropy", cce_np, "dense_softmax", "onehot", True),
    "sparse_plain_sigmoid": ("sparse_categorical_crossentropy", sparse_np, "dense_sigmoid", "labels", False),
    "sparse_plain_softmax": (UnfusedSparse, sparse_np, "dense_softmax", "labels", False),
    "sparse_fused": ("sparse_categorical_crossentropy", sparse_np, "dense_softmax", "labels", True),
}


def _output_layer(kind, k, return_sequences):
    if kind == "rnn_sigmoid":     # a layer without logits: the loss cannot fuse
        return SimpleRNN(k, activation="sigmoid", return_sequences=return_sequences)
    return Dense(k, activation=kind.split("_")[1])


def _targets(kind, rng, lead, k):
    if kind == "real":
        return rng.normal(size=lead + (k,))
    if kind == "binary":
        return rng.integers(0, 2, size=lead + (k,)).astype(float)
    labels = rng.integers(0, k, size=lead)
    return labels if kind == "labels" else np.eye(k)[labels]


@pytest.mark.parametrize("case", sorted(CASES))
@FAST
@given(data=st.data())
def test_loss_value_and_model_gradients(case, data):
    loss, formula, out_kind, target_kind, fused = CASES[case]
    B = data.draw(st.integers(1, 3), label="batch")
    T = data.draw(st.integers(1, 4), label="timesteps")
    D = data.draw(st.integers(1, 3), label="features")
    u = data.draw(st.integers(1, 3), label="units")
    k = data.draw(st.integers(1 if target_kind in ("real", "binary") else 2, 4), label="outputs")
    sequence = data.draw(st.booleans(), label="sequence output")
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1), label="seed"))

    layers = [SimpleRNN(u, return_sequences=sequence, input_shape=(T, D))]
    if out_kind == "rnn_sigmoid" and not sequence:
        layers[0].return_sequences = True   # the sigmoid SimpleRNN output layer reads a sequence
    layers.append(_output_layer(out_kind, k, sequence))
    model = Sequential(layers)
    model.compile(loss=loss() if isinstance(loss, type) else loss, optimizer="sgd")
    model.set_weights([rng.uniform(-0.8, 0.8, size=w.shape) for w in model.get_weights()])
    x = rng.normal(size=(B, T, D))
    y = _targets(target_kind, rng, (B, T) if sequence else (B,), k)

    def reference():
        return float(formula(model.predict(x), y))

    value, grads = model.gradients(x, y)
    assert value == pytest.approx(reference(), rel=1e-10, abs=1e-14)
    # the fused path is taken exactly where it should be
    y_pred = model.predict(x)
    w = np.ones(y_pred.shape[:-1])
    assert model.loss.compute(model.layers[-1], y_pred, y, w)[2] is fused

    weights = model.get_weights()
    for i, wi in enumerate(weights):
        def f():
            model.set_weights(weights)
            return reference()
        assert_gradient_close(grads[i], numeric_gradient(f, wi), f"{case}: weight {i}")
    model.set_weights(weights)


# ---- the loss objects alone, with 0/1 weights over positions (what masks produce) --------------
class _Logits:
    """The two attributes of an output layer a fused loss reads."""

    def __init__(self, activation, z):
        self.activation, self.logits = activation, z


def _weighted(values, w):
    return float(np.sum(values * w) / np.sum(w))


@pytest.mark.parametrize("name", ["mse", "binary_crossentropy", "categorical_crossentropy",
                                  "sparse_categorical_crossentropy"])
@FAST
@given(data=st.data())
def test_masked_loss_is_the_mean_over_unmasked_positions(name, data):
    N = data.draw(st.integers(1, 6), label="positions")
    k = data.draw(st.integers(2, 4), label="outputs")
    fused = data.draw(st.booleans(), label="fused") and name != "mse"
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1), label="seed"))
    w = rng.integers(0, 2, size=N).astype(float)
    w[rng.integers(N)] = 1.0                       # at least one position counts
    z = rng.normal(size=(N, k))
    act = "sigmoid" if name == "binary_crossentropy" else "softmax"
    if name == "mse":
        act = "linear"
    if name == "sparse_categorical_crossentropy":
        y = rng.integers(0, k, size=N)
    elif name == "categorical_crossentropy":
        y = np.eye(k)[rng.integers(0, k, size=N)]
    elif name == "binary_crossentropy":
        y = rng.uniform(0, 1, size=(N, k))          # soft targets are allowed, as in Keras
    else:
        y = rng.normal(size=(N, k))

    def per_position(p):
        if name == "mse":
            return np.mean((p - y) ** 2, axis=-1)
        if name == "binary_crossentropy":
            return np.mean(-(y * np.log(p) + (1 - y) * np.log(1 - p)), axis=-1)
        if name == "categorical_crossentropy":
            return -np.sum(y * np.log(p), axis=-1)
        return -np.log(p[np.arange(N), y])

    loss = losses.get(name)
    p = act_np(act, z)
    if fused:
        value, grad, was_fused = loss.compute(_Logits(act, z), p, y, w)
        assert was_fused
        ref = lambda: _weighted(per_position(act_np(act, z)), w)   # noqa: E731
        assert_gradient_close(grad, numeric_gradient(ref, z), f"{name} fused dL/dz")
    else:
        value, grad, was_fused = loss.compute(None, p, y, w)
        assert not was_fused
        ref = lambda: _weighted(per_position(p), w)                # noqa: E731
        assert_gradient_close(grad, numeric_gradient(ref, p), f"{name} dL/dy")
    assert value == pytest.approx(ref(), rel=1e-12)
    # a masked position contributes nothing, not even to the gradient
    np.testing.assert_array_equal(grad[w == 0], 0.0)


def test_probabilities_are_clipped_as_keras():
    """A zero probability on the true class costs -log(1e-7) = 16.118..., not infinity."""
    p = np.array([[0.0, 1.0]])
    value, grad, _ = losses.get("categorical_crossentropy").compute(None, p, np.array([[1.0, 0.0]]),
                                                                   np.ones(1))
    assert value == pytest.approx(-np.log(1e-7))
    assert np.all(np.isfinite(grad))
    value, _, _ = losses.get("sparse_categorical_crossentropy").compute(None, p, np.array([0]), np.ones(1))
    assert value == pytest.approx(-np.log(1e-7))
    value, _, _ = losses.get("binary_crossentropy").compute(None, np.array([[1.0]]), np.array([[0.0]]),
                                                            np.ones(1))
    assert value == pytest.approx(-np.log(1e-7), rel=1e-6)


def test_fused_losses_stay_exact_where_probabilities_saturate():
    """From logits the loss needs no clipping: z = (40, 0) with target class 1 costs 40 exactly."""
    z = np.array([[40.0, 0.0]])
    p = act_np("softmax", z)
    value, grad, fused = losses.get("categorical_crossentropy").compute(
        _Logits("softmax", z), p, np.array([[0.0, 1.0]]), np.ones(1))
    assert fused
    assert value == pytest.approx(40.0 + np.log1p(np.exp(-40.0)), rel=1e-14)
    np.testing.assert_allclose(grad, p - [[0.0, 1.0]])
    z = np.array([[-50.0]])
    value, _, _ = losses.get("binary_crossentropy").compute(
        _Logits("sigmoid", z), act_np("sigmoid", z), np.array([[1.0]]), np.ones(1))
    assert value == pytest.approx(50.0, rel=1e-14)


def test_loss_names():
    assert isinstance(losses.get("mse"), losses.MeanSquaredError)
    assert isinstance(losses.get("mean_squared_error"), losses.MeanSquaredError)
    assert isinstance(losses.get("binary_crossentropy"), losses.BinaryCrossentropy)
    assert isinstance(losses.get("categorical_crossentropy"), losses.CategoricalCrossentropy)
    assert isinstance(losses.get("sparse_categorical_crossentropy"), losses.SparseCategoricalCrossentropy)
