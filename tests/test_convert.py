"""rnnkit.convert: weights to and from PyTorch's nn.RNN / nn.LSTM / nn.GRU naming and gate order.

The round trips and the NumPy versions of PyTorch's equations run without torch; the comparison with
torch itself runs only where torch is importable.
"""
import numpy as np
import pytest

from rnnkit.convert import from_torch, to_torch
from rnnkit.layers.gru import GRU
from rnnkit.layers.lstm import LSTM
from rnnkit.layers.simple_rnn import SimpleRNN


def sigmoid(a):
    return 1 / (1 + np.exp(-a))


# ---- PyTorch's equations in NumPy (from its documentation), on a state dict ----------------------

def torch_rnn_np(kind, sd, x, states0):
    """Run PyTorch's single-layer RNN/LSTM/GRU equations batch-first; returns (outputs, finals)."""
    w_ih, w_hh = sd["weight_ih_l0"], sd["weight_hh_l0"]
    b_ih, b_hh = sd["bias_ih_l0"], sd["bias_hh_l0"]
    u = w_hh.shape[1]
    h = states0[0]
    c = states0[1] if kind == "lstm" else None
    outputs = []
    for t in range(x.shape[1]):
        gi = x[:, t] @ w_ih.T + b_ih
        gh = h @ w_hh.T + b_hh
        if kind == "rnn":
            h = np.tanh(gi + gh)
        elif kind == "lstm":                                   # rows i, f, g, o
            a = gi + gh
            i, f, g, o = (sigmoid(a[:, :u]), sigmoid(a[:, u:2 * u]), np.tanh(a[:, 2 * u:3 * u]),
                          sigmoid(a[:, 3 * u:]))
            c = f * c + i * g
            h = o * np.tanh(c)
        else:                                                  # rows r, z, n
            r = sigmoid(gi[:, :u] + gh[:, :u])
            z = sigmoid(gi[:, u:2 * u] + gh[:, u:2 * u])
            n = np.tanh(gi[:, 2 * u:] + r * gh[:, 2 * u:])
            h = (1 - z) * n + z * h
        outputs.append(h)
    return np.stack(outputs, axis=1), ([h, c] if kind == "lstm" else [h])


LAYERS = {"rnn": SimpleRNN, "lstm": LSTM, "gru": GRU}
GATES = {"rnn": 1, "lstm": 4, "gru": 3}


def random_state_dict(kind, D, u, rng):
    k = GATES[kind]
    return {"weight_ih_l0": rng.normal(scale=0.5, size=(k * u, D)),
            "weight_hh_l0": rng.normal(scale=0.5, size=(k * u, u)),
            "bias_ih_l0": rng.normal(scale=0.5, size=k * u),
            "bias_hh_l0": rng.normal(scale=0.5, size=k * u)}


@pytest.mark.parametrize("kind", ["rnn", "lstm", "gru"])
def test_from_torch_reproduces_torch_equations(kind):
    rng = np.random.default_rng(0)
    B, T, D, u = 3, 5, 4, 3
    sd = random_state_dict(kind, D, u, rng)
    layer = from_torch(LAYERS[kind](u, return_sequences=True, return_state=True), sd)
    assert layer.built and layer.params["U"].shape == (GATES[kind] * u, D)
    x = rng.normal(size=(B, T, D))
    states0 = [rng.normal(size=(B, u)) for _ in range(layer.n_states)]
    y, *finals = layer(x, initial_state=states0)
    y_ref, finals_ref = torch_rnn_np(kind, sd, x, states0)
    np.testing.assert_allclose(y, y_ref, rtol=1e-12, atol=1e-13)
    for a, b in zip(finals, finals_ref):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-13)


@pytest.mark.parametrize("kind", ["rnn", "lstm", "gru"])
def test_round_trip_rnnkit_torch_rnnkit(kind):
    rng = np.random.default_rng(1)
    layer = LAYERS[kind](4)
    layer.build((6, 3))
    layer.set_weights([rng.normal(size=w.shape) for w in layer.get_weights()])
    sd = to_torch(layer)
    k = GATES[kind]
    assert {name: a.shape for name, a in sd.items()} == {
        "weight_ih_l0": (k * 4, 3), "weight_hh_l0": (k * 4, 4),
        "bias_ih_l0": (k * 4,), "bias_hh_l0": (k * 4,)}
    again = from_torch(LAYERS[kind](4), sd)
    for a, b in zip(again.get_weights(), layer.get_weights()):
        np.testing.assert_array_equal(a, b)
    # and torch -> rnnkit -> torch keeps GRU's two biases apart (the others' biases are summed)
    back = to_torch(again)
    for name in ("weight_ih_l0", "weight_hh_l0"):
        np.testing.assert_array_equal(back[name], sd[name])


def test_gru_gate_blocks_are_reordered():
    """PyTorch's first block (r) is rnnkit's second (r); PyTorch's second (z) is rnnkit's first."""
    layer = GRU(2)
    layer.build((1, 1))
    U = np.arange(6.0)[:, None]                                   # rows z z r r h h = 0 1 2 3 4 5
    layer.params["U"][...] = U
    np.testing.assert_array_equal(to_torch(layer)["weight_ih_l0"][:, 0], [2, 3, 0, 1, 4, 5])


def test_lstm_and_rnn_biases_are_added():
    rng = np.random.default_rng(2)
    for kind in ("rnn", "lstm"):
        sd = random_state_dict(kind, 2, 3, rng)
        layer = from_torch(LAYERS[kind](3), sd)
        np.testing.assert_allclose(layer.params["b"], sd["bias_ih_l0"] + sd["bias_hh_l0"])


def test_prefixed_keys_suffixes_and_missing_biases():
    rng = np.random.default_rng(3)
    sd = random_state_dict("lstm", 2, 3, rng)
    prefixed = {"encoder." + k.replace("_l0", "_l1"): v for k, v in sd.items()}
    layer = from_torch(LSTM(3), prefixed, suffix="_l1")
    np.testing.assert_allclose(layer.params["U"], sd["weight_ih_l0"])
    assert set(to_torch(layer, suffix="_l0_reverse")) == {
        "weight_ih_l0_reverse", "weight_hh_l0_reverse", "bias_ih_l0_reverse", "bias_hh_l0_reverse"}
    no_bias = {k: v for k, v in sd.items() if k.startswith("weight")}
    np.testing.assert_array_equal(from_torch(LSTM(3), no_bias).params["b"], 0)


def test_clear_errors():
    rng = np.random.default_rng(0)
    gru = GRU(3, reset_after=False)
    gru.build((2, 2))
    with pytest.raises(ValueError, match="reset_after=False has no PyTorch equivalent"):
        to_torch(gru)
    with pytest.raises(ValueError, match="reset_after"):
        from_torch(GRU(3, reset_after=False), random_state_dict("gru", 2, 3, rng))
    with pytest.raises(ValueError, match="hidden_size=5"):
        from_torch(LSTM(5), random_state_dict("lstm", 2, 3, rng))
    with pytest.raises(ValueError, match="nn.GRU with hidden_size=3"):     # LSTM weights into a GRU
        from_torch(GRU(3), random_state_dict("lstm", 2, 3, rng))
    with pytest.raises(KeyError, match="weight_ih_l0"):
        from_torch(SimpleRNN(3), {})
    with pytest.raises(ValueError, match="nonlinearity"):
        layer = SimpleRNN(3, activation="sigmoid")
        layer.build((2, 2))
        to_torch(layer)
    with pytest.raises(ValueError, match="build"):
        to_torch(LSTM(3))
    with pytest.raises(TypeError, match="SimpleRNN, LSTM and GRU"):
        to_torch(object())


# ---- against PyTorch itself ----------------------------------------------------------------------

@pytest.mark.parametrize("kind", ["rnn", "lstm", "gru"])
def test_outputs_match_pytorch(kind):
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    B, T, D, u = 3, 6, 4, 5
    module = {"rnn": torch.nn.RNN, "lstm": torch.nn.LSTM, "gru": torch.nn.GRU}[kind](
        D, u, batch_first=True).double()
    rng = np.random.default_rng(4)
    x = rng.normal(size=(B, T, D))
    states0 = [rng.normal(size=(B, u)) for _ in range(2 if kind == "lstm" else 1)]
    with torch.no_grad():
        t0 = [torch.from_numpy(s[None]) for s in states0]
        y_t, finals_t = module(torch.from_numpy(x), tuple(t0) if kind == "lstm" else t0[0])
    finals_t = finals_t if kind == "lstm" else (finals_t,)

    # torch -> rnnkit
    layer = from_torch(LAYERS[kind](u, return_sequences=True, return_state=True),
                       module.state_dict())
    y, *finals = layer(x, initial_state=states0)
    np.testing.assert_allclose(y, y_t.numpy(), rtol=1e-10, atol=1e-12)
    for a, b in zip(finals, finals_t):
        np.testing.assert_allclose(a, b[0].numpy(), rtol=1e-10, atol=1e-12)

    # rnnkit -> torch
    layer.set_weights([rng.normal(scale=0.5, size=w.shape) for w in layer.get_weights()])
    module.load_state_dict({k: torch.from_numpy(v) for k, v in to_torch(layer).items()})
    with torch.no_grad():
        y_t, _ = module(torch.from_numpy(x), tuple(t0) if kind == "lstm" else t0[0])
    np.testing.assert_allclose(layer(x, initial_state=states0)[0], y_t.numpy(), rtol=1e-10,
                               atol=1e-12)
