"""GRU (both reset_after modes): hand-derived BPTT against centred finite differences, forward
against plain NumPy."""
import numpy as np
import pytest
from conftest import act_np, check_gradients, ragged_mask
from hypothesis import example, given, settings
from hypothesis import strategies as st

from rnnkit.layers.gru import GRU

# ---- an independent reference, batch-first, in Keras' weight layout ------------------------------

def gru_reference(x, kernel, recurrent_kernel, bias, reset_after=True, mask=None, h0=None,
                  go_backwards=False, return_sequences=False, activation="tanh",
                  recurrent_activation="sigmoid"):
    """Keras' GRU written out step by step; returns (output, h_T)."""
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
    Uz, Ur, Uh = kernel[:, :u], kernel[:, u:2 * u], kernel[:, 2 * u:]
    Wz, Wr, Wh = recurrent_kernel[:, :u], recurrent_kernel[:, u:2 * u], recurrent_kernel[:, 2 * u:]
    outputs = []
    for t in range(T):
        xt = x[:, t]
        if reset_after:
            b_in, b_rec = bias
            z = sig(xt @ Uz + b_in[:u] + h @ Wz + b_rec[:u])
            r = sig(xt @ Ur + b_in[u:2 * u] + h @ Wr + b_rec[u:2 * u])
            hbar = g(xt @ Uh + b_in[2 * u:] + r * (h @ Wh + b_rec[2 * u:]))
        else:
            z = sig(xt @ Uz + h @ Wz + bias[:u])
            r = sig(xt @ Ur + h @ Wr + bias[u:2 * u])
            hbar = g(xt @ Uh + (r * h) @ Wh + bias[2 * u:])
        h_new = z * h + (1 - z) * hbar
        m = mask[:, t:t + 1]
        h = m * h_new + (1 - m) * h
        # Keras 3: a padded step shows the previous output (zero before any real step)
        outputs.append(m * h + (1 - m) * (outputs[-1] if outputs else 0))
    return (np.stack(outputs, axis=1) if return_sequences else h), h


# ---- gradient checks (ragged_mask, check_gradients: tests/conftest.py) -------------------------

@settings(max_examples=60, deadline=None)
@given(B=st.integers(1, 3), T=st.integers(1, 4), D=st.integers(1, 3), u=st.integers(1, 3),
       reset_after=st.booleans(), return_sequences=st.booleans(), return_state=st.booleans(),
       go_backwards=st.booleans(), masking=st.sampled_from(["none", "post", "pre"]),
       activation=st.sampled_from(["tanh", "tanh", "sigmoid", "linear"]),
       recurrent_activation=st.sampled_from(["sigmoid", "sigmoid", "tanh"]),
       seed=st.integers(0, 2**32 - 1))
@example(B=1, T=1, D=1, u=1, reset_after=True, return_sequences=False, return_state=True,
         go_backwards=False, masking="none", activation="tanh", recurrent_activation="sigmoid",
         seed=0)
@example(B=1, T=1, D=1, u=1, reset_after=False, return_sequences=False, return_state=True,
         go_backwards=False, masking="none", activation="tanh", recurrent_activation="sigmoid",
         seed=0)
@example(B=3, T=4, D=2, u=3, reset_after=True, return_sequences=True, return_state=True,
         go_backwards=True, masking="post", activation="tanh", recurrent_activation="sigmoid",
         seed=1)
@example(B=3, T=4, D=2, u=3, reset_after=False, return_sequences=True, return_state=True,
         go_backwards=True, masking="pre", activation="tanh", recurrent_activation="sigmoid",
         seed=2)
def test_gru_gradients_match_finite_differences(B, T, D, u, reset_after, return_sequences,
                                                return_state, go_backwards, masking, activation,
                                                recurrent_activation, seed):
    rng = np.random.default_rng(seed)
    layer = GRU(u, activation=activation, recurrent_activation=recurrent_activation,
                reset_after=reset_after, return_sequences=return_sequences,
                return_state=return_state, go_backwards=go_backwards, dtype="float64")
    x = rng.normal(size=(B, T, D))
    layer.build(x.shape[1:])
    for value in layer.params.values():
        value[...] = rng.normal(scale=0.7, size=value.shape)
    mask = None if masking == "none" else ragged_mask(rng, B, T, masking == "pre")
    states0 = [rng.normal(scale=0.5, size=(B, u))]
    check_gradients(layer, x, mask, states0, rng)


# ---- forward against the NumPy reference ---------------------------------------------------------

@settings(max_examples=30, deadline=None)
@given(B=st.integers(1, 4), T=st.integers(1, 6), D=st.integers(1, 4), u=st.integers(1, 5),
       reset_after=st.booleans(), return_sequences=st.booleans(), go_backwards=st.booleans(),
       masking=st.sampled_from(["none", "post", "pre"]), seed=st.integers(0, 2**32 - 1))
def test_gru_forward_matches_numpy_reference(B, T, D, u, reset_after, return_sequences,
                                             go_backwards, masking, seed):
    rng = np.random.default_rng(seed)
    layer = GRU(u, reset_after=reset_after, return_sequences=return_sequences, return_state=True,
                go_backwards=go_backwards)
    x = rng.normal(size=(B, T, D))
    layer.build(x.shape[1:])
    layer.set_weights([rng.normal(size=w.shape) for w in layer.get_weights()])
    mask = None if masking == "none" else ragged_mask(rng, B, T, masking == "pre")
    h0 = rng.normal(size=(B, u))
    y, h = layer(x, mask=mask, initial_state=h0)
    y_ref, h_ref = gru_reference(x, *layer.get_weights(), reset_after=reset_after, mask=mask, h0=h0,
                                 go_backwards=go_backwards, return_sequences=return_sequences)
    np.testing.assert_allclose(y, y_ref, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(h, h_ref, rtol=1e-12, atol=1e-12)


def test_gru_modes_differ_only_through_the_reset_gate():
    """With r_t = 1 everywhere (huge b_r) and no recurrent bias, both modes compute the same h_t."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(2, 3, 2))
    after, before = GRU(3, reset_after=True), GRU(3, reset_after=False)
    after.build((3, 2))
    before.build((3, 2))
    kernel, recurrent, _ = after.get_weights()
    bias = np.zeros(9)
    bias[3:6] = 50.0                                       # r = σ(50) = 1 - 2e-22
    after.set_weights([kernel, recurrent, np.stack([bias, np.zeros(9)])])
    before.set_weights([kernel, recurrent, bias])
    np.testing.assert_allclose(after(x), before(x), rtol=1e-12)


# ---- API, weights, dtypes ------------------------------------------------------------------------

@pytest.mark.parametrize("reset_after, bias_shape", [(True, (2, 12)), (False, (12,))])
def test_gru_keras_weight_layout_and_round_trip(reset_after, bias_shape):
    layer = GRU(4, reset_after=reset_after)
    layer.build((7, 3))
    kernel, recurrent, bias = layer.get_weights()
    assert (kernel.shape, recurrent.shape, bias.shape) == ((3, 12), (4, 12), bias_shape)
    assert layer.params["U"].shape == (12, 3) and layer.params["W"].shape == (12, 4)
    np.testing.assert_array_equal(bias, np.zeros(bias_shape))
    np.testing.assert_allclose(recurrent @ recurrent.T, np.eye(4), atol=1e-12)
    rng = np.random.default_rng(0)
    new = [rng.normal(size=w.shape) for w in layer.get_weights()]
    layer.set_weights(new)
    for a, b in zip(layer.get_weights(), new):
        np.testing.assert_array_equal(a, b)
    layer(rng.normal(size=(2, 7, 3)))
    layer.backward(np.ones((2, 4)))
    assert [g.shape for g in layer.keras_grads()] == [w.shape for w in new]
    with pytest.raises(Exception, match="bias"):
        layer.set_weights([new[0], new[1], np.zeros((3, 12))])


@pytest.mark.parametrize("reset_after, total, line", [
    (True, 15_744, "total = 3 × 64 × (16 + 64 + 2) = 15,744"),
    (False, 15_552, "total = 3 × 64 × (16 + 64 + 1) = 15,552")])
def test_gru_count_params_and_explain(reset_after, total, line):
    layer = GRU(64, reset_after=reset_after)
    layer.build((10, 16))
    assert layer.count_params() == total
    assert layer.explain()[-1] == line


def test_gru_output_shapes_and_state_options():
    x = np.zeros((5, 7, 3))
    assert GRU(4)(x).shape == (5, 4)
    assert GRU(4, return_sequences=True)(x).shape == (5, 7, 4)
    out = GRU(4, return_sequences=True, return_state=True)(x)
    assert [o.shape for o in out] == [(5, 7, 4), (5, 4)]
    with pytest.raises(ValueError, match="1 initial state"):
        GRU(4)(x, initial_state=[np.zeros((5, 4))] * 2)


@pytest.mark.parametrize("reset_after", [True, False])
def test_gru_go_backwards_and_masks(reset_after):
    rng = np.random.default_rng(1)
    x = rng.normal(size=(2, 5, 3))
    fwd = GRU(3, reset_after=reset_after, return_sequences=True)
    back = GRU(3, reset_after=reset_after, return_sequences=True, go_backwards=True)
    fwd.build((5, 3))
    back.build((5, 3))
    back.set_weights(fwd.get_weights())
    np.testing.assert_allclose(back(x), fwd(x[:, ::-1]), rtol=1e-14)
    mask = np.array([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1]])
    y = fwd(x, mask=mask)
    # padded outputs carry the last real output (Keras 3; zero before it was issue 14's change)
    np.testing.assert_array_equal(y[0, 3:], np.stack([y[0, 2]] * 2))
    last = GRU(3, reset_after=reset_after)
    last.build((5, 3))
    last.set_weights(fwd.get_weights())
    np.testing.assert_allclose(last(x, mask=mask)[0], y[0, 2], rtol=1e-14)   # state carried


@pytest.mark.parametrize("reset_after", [True, False])
def test_gru_float32_runs_and_stays_float32(reset_after):
    rng = np.random.default_rng(4)
    x = rng.normal(size=(3, 5, 2))
    l64 = GRU(4, reset_after=reset_after, return_sequences=True, return_state=True)
    l32 = GRU(4, reset_after=reset_after, return_sequences=True, return_state=True,
              dtype="float32")
    l64.build((5, 2))
    l32.build((5, 2))
    l64.set_weights([rng.normal(scale=0.5, size=w.shape) for w in l64.get_weights()])
    l32.set_weights(l64.get_weights())
    out64, out32 = l64(x), l32(x.astype(np.float32))
    assert all(o.dtype == np.float32 for o in out32)
    for a, b in zip(out32, out64):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)
    dy = rng.normal(size=out64[0].shape)
    dx64 = l64.backward(dy, dstates=[np.ones((3, 4))])
    dx32 = l32.backward(dy.astype(np.float32), dstates=[np.ones((3, 4), np.float32)])
    assert dx32.dtype == np.float32
    assert all(g.dtype == np.float32 for g in l32.grads.values())
    assert l32.initial_state_grads[0].dtype == np.float32
    np.testing.assert_allclose(dx32, dx64, rtol=1e-3, atol=1e-5)
    for key in l64.grads:
        np.testing.assert_allclose(l32.grads[key], l64.grads[key], rtol=1e-3, atol=1e-4)


def test_gru_config_round_trip_and_bad_activation():
    layer = GRU(5, reset_after=False, recurrent_activation="tanh", return_state=True, name="dec")
    config = layer.get_config()
    assert GRU(**config).get_config() == config
    assert config["reset_after"] is False
    with pytest.raises(ValueError, match="recurrent_activation"):
        GRU(3, recurrent_activation="hard_sigmoid")
