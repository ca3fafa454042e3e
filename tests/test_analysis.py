"""The vanishing-gradient numbers, against an independent NumPy backward pass and finite differences."""
import numpy as np

from conftest import numeric_gradient, simple_rnn_np

from rnnkit import config
from rnnkit.analysis import gradient_norms
from rnnkit.layers import LSTM


def test_simple_rnn_norms_match_a_hand_written_backward_pass():
    steps, units, D = 12, 5, 3
    rng = np.random.default_rng(0)
    U, W, b = rng.normal(0, .5, (units, D)), rng.normal(0, .5, (units, units)), rng.normal(0, .1, units)
    norms = gradient_norms("rnn", steps=steps, units=units, input_dim=D, seed=7,
                           weights=[U.T, W.T, b])
    # the same inputs and v as gradient_norms draws them
    r = np.random.default_rng(7)
    x = r.normal(size=(1, steps, D))
    v = r.normal(size=(1, units))
    v /= np.linalg.norm(v)
    seq, _, _ = simple_rnn_np(x, U, W, b)
    g = v[0]                                         # dL/dh_T
    expected = [1.0]
    for t in range(steps - 1, 0, -1):                # dL/dh_{t-1} = W^T (dL/dh_t * (1 - h_t^2))
        g = W.T @ (g * (1 - seq[0, t] ** 2))
        expected.append(np.linalg.norm(g))
    g = W.T @ (g * (1 - seq[0, 0] ** 2))             # down to h_0
    expected.append(np.linalg.norm(g))
    np.testing.assert_allclose(norms, expected, rtol=1e-10)


def test_lstm_norm_matches_finite_differences_of_the_initial_state():
    steps, units, D = 6, 3, 2
    config.set_seed(3)
    layer = LSTM(units, return_state=True, dtype="float64")
    layer.build((steps, D))
    weights = layer.get_weights()
    norms = gradient_norms("lstm", steps=steps, units=units, input_dim=D, seed=11, weights=weights)
    r = np.random.default_rng(11)
    x = r.normal(size=(1, steps, D))
    v = r.normal(size=(1, units))
    v /= np.linalg.norm(v)

    def loss(h0):
        return float(v[0] @ layer(x, initial_state=[h0, np.zeros((1, units))])[1][0])

    h0 = np.zeros((1, units))
    fd = numeric_gradient(lambda: loss(h0), h0)
    assert abs(norms[steps] - np.linalg.norm(fd)) < 1e-8
