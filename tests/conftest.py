"""Shared helpers for the engine-core tests: finite differences, the relative error, and the
float-type fixture.

Every gradient test compares an analytic gradient from rnnkit's hand-written kernels with centred
finite differences of a scalar function that the test defines, through rnnkit's one gradient
checker (:mod:`rnnkit.gradcheck`: its numeric gradient, its relative error with the floor of a
loss of order 1, its tolerance). Test modules import the helpers with ``from conftest import ...``
(pytest puts ``tests/`` on the path); hypothesis-driven tests use no function-scoped fixtures,
which it would not reset between examples.
"""
import numpy as np
import pytest

from hypothesis import settings

from rnnkit import config
from rnnkit.gradcheck import EPS, TOLERANCE as RTOL, numeric_gradient, relative_error  # noqa: F401

#: the hypothesis budget of every property-based test here: small, and no timing deadline
FAST = settings(max_examples=25, deadline=None)


def numeric_weight_gradients(model, loss_fn, eps=EPS):
    """Finite-difference gradients of ``loss_fn()`` for every array of ``model.get_weights()``
    (Keras layout), perturbing through ``set_weights`` only."""
    weights = [w.copy() for w in model.get_weights()]
    grads = []
    for w in weights:
        def f():
            model.set_weights(weights)
            return loss_fn()
        grads.append(numeric_gradient(f, w, eps))
    model.set_weights(weights)
    return grads


def assert_gradient_close(analytic, numeric, what, rtol=RTOL):
    err = relative_error(analytic, numeric)
    assert err < rtol, (f"{what}: relative error {err:.3e} >= {rtol:g}\n"
                        f"analytic:\n{analytic}\nnumeric:\n{numeric}")


# ---- plain-NumPy references, independent of rnnkit's kernels ------------------------------------
def ragged_mask(rng, B, T, pre_padding):
    lengths = rng.integers(1, T + 1, size=B)
    steps = np.arange(T)[None, :]
    mask = steps >= T - lengths[:, None] if pre_padding else steps < lengths[:, None]
    return mask.astype(np.float64)


def check_gradients(layer, x, mask, states0, rng):
    """Compare every gradient a recurrent ``layer.backward`` gives (weights, input, initial states)
    with centred finite differences, for L = sum_k <w_k, output_k> with random w_k."""
    out = layer(x, mask=mask, initial_state=states0)
    outs = out if layer.return_state else [out]
    weights = [rng.normal(size=o.shape) for o in outs]      # L = sum_k <w_k, output_k>

    def loss():
        o = layer(x, mask=mask, initial_state=states0)
        return sum(float(np.sum(w * v)) for w, v in zip(weights, o if layer.return_state else [o]))

    dx = layer.backward(weights[0], dstates=weights[1:] if layer.return_state else None)
    grads = {k: v.copy() for k, v in layer.grads.items()}
    dstates0 = [d.copy() for d in layer.initial_state_grads]
    for key, value in layer.params.items():
        assert_gradient_close(grads[key], numeric_gradient(loss, value), f"d{key}")
    assert_gradient_close(dx, numeric_gradient(loss, x), "dx")
    for k, s in enumerate(states0):
        assert_gradient_close(dstates0[k], numeric_gradient(loss, s), f"d(initial state {k})")


def act_np(name, a):
    if name == "tanh":
        return np.tanh(a)
    if name == "relu":
        return np.maximum(a, 0.0)
    if name == "sigmoid":
        return 1.0 / (1.0 + np.exp(-a))
    if name == "linear":
        return a.copy()
    if name == "softmax":
        e = np.exp(a - a.max(axis=-1, keepdims=True))
        return e / e.sum(axis=-1, keepdims=True)
    raise KeyError(name)


def simple_rnn_np(x, U, W, b, activation="tanh", h0=None, mask=None, go_backwards=False):
    """Reference forward pass h_t = f(U x_t + W h_{t-1} + b_xh) in the lecture's notation.

    Returns (outputs (B, T, u) in processing order, final h (B, u), pre-activations (B, T, u)).
    A padded step (mask 0) keeps h_{t-1}; its output entry is left as NaN (not compared).
    """
    B, T, _ = x.shape
    u = W.shape[0]
    h = np.zeros((B, u)) if h0 is None else np.array(h0, dtype=np.float64)
    m = np.ones((B, T)) if mask is None else np.asarray(mask, dtype=np.float64)
    steps = range(T - 1, -1, -1) if go_backwards else range(T)
    outs = np.full((B, T, u), np.nan)
    pre = np.zeros((B, T, u))
    for k, t in enumerate(steps):
        a = x[:, t] @ U.T + h @ W.T + b
        pre[:, k] = a
        keep = m[:, t][:, None]
        h = keep * act_np(activation, a) + (1 - keep) * h
        outs[:, k] = np.where(keep > 0, h, np.nan)
    return outs, h, pre


@pytest.fixture
def float32():
    """Make new layers float32 for one test; always restore the float64 default afterwards."""
    with config.scope(floatx="float32"):
        yield


@pytest.fixture(autouse=True, scope="session")
def _float64_default():
    """The whole suite runs in float64 (exact lecture numbers, finite differences)."""
    with config.scope(floatx="float64"):
        yield
