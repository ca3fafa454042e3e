"""The lecture's worked example (IF3270, "Recurrent Neural Network"), reproduced number by number.

Slides "Weight Initialization: Example" and "Computing h_t and y_t": a SimpleRNN of 3 units reads
the one-hot sequence A, B, C, C; a softmax Dense of 4 outputs predicts the next symbol:

    h_t = tanh(U x_t + (W h_{t-1} + b_xh)),   y_t = softmax(V h_t + b_hy)

The slide tables are typed in below exactly as printed (3 decimals). The hand computation is plain
NumPy, independent of rnnkit; the engine must agree with it to machine precision, and both must
round to the printed tables, except for one slip on the slides (see
``test_the_slides_t3_and_t4_yt_columns_are_not_softmax``).
"""
import numpy as np
import pytest

from rnnkit import Sequential
from rnnkit.layers import Dense, SimpleRNN

# ---- the slide's weights, in the lecture's shapes ----------------------------------------------
U = np.array([[0.10, 0.15, 0.20, 0.30],          # hidden x input (3 x 4)
              [0.15, 0.20, 0.30, 0.10],
              [0.20, 0.30, 0.10, 0.15]])
W = np.full((3, 3), 0.5)                         # hidden x hidden
b_xh = np.full(3, 0.1)
V = np.array([[0.1, 0.2, 0.3],                   # output x hidden (4 x 3)
              [0.2, 0.3, 0.1],
              [0.3, 0.1, 0.2],
              [0.1, 0.1, 0.1]])
b_hy = np.full(4, 0.1)
A, B, C, D = np.eye(4)
X = np.array([[A, B, C, C]])                     # one instance, 4 timesteps

# ---- the slide tables, as printed: per timestep, columns of the two tables ------------------------
SLIDE = {
    1: dict(Uxt=[0.100, 0.150, 0.200], Wh_b=[0.100, 0.100, 0.100], net=[0.200, 0.250, 0.300],
            h=[0.197, 0.245, 0.291], z=[0.256, 0.242, 0.242, 0.173],
            exp=[1.292, 1.274, 1.274, 1.189], y=[0.257, 0.253, 0.253, 0.236]),
    2: dict(Uxt=[0.150, 0.200, 0.300], Wh_b=[0.467, 0.467, 0.467], net=[0.617, 0.667, 0.767],
            h=[0.549, 0.583, 0.645], z=[0.465, 0.449, 0.452, 0.278],
            exp=[1.592, 1.567, 1.571, 1.320], y=[0.263, 0.259, 0.260, 0.218]),
    3: dict(Uxt=[0.200, 0.300, 0.100], Wh_b=[0.988, 0.988, 0.988], net=[1.188, 1.288, 1.088],
            h=[0.830, 0.859, 0.796], z=[0.594, 0.603, 0.594, 0.349],
            exp=[1.811, 1.828, 1.812, 1.417], y=[0.299, 0.302, 0.299, 0.234]),
    4: dict(Uxt=[0.200, 0.300, 0.100], Wh_b=[1.343, 1.343, 1.343], net=[1.543, 1.643, 1.443],
            h=[0.913, 0.928, 0.894], z=[0.645, 0.650, 0.645, 0.373],
            exp=[1.906, 1.916, 1.907, 1.453], y=[0.315, 0.317, 0.315, 0.240]),
}
#: the y_t cells that are the slip (the rest of every table is right)
SLIP = {(3, "y"), (4, "y")}


def hand_computation():
    """Every column of the slide tables, in plain NumPy, one timestep at a time."""
    h = np.zeros(3)                                   # h_0 = 0 (slide: "ht-1 = 0")
    rows = {}
    for t, x in enumerate([A, B, C, C], start=1):
        Uxt = U @ x
        Wh_b = W @ h + b_xh
        net = Uxt + Wh_b
        h = np.tanh(net)
        z = V @ h + b_hy
        e = np.exp(z)
        rows[t] = dict(Uxt=Uxt, Wh_b=Wh_b, net=net, h=h, z=z, exp=e, y=e / e.sum())
    return rows


HAND = hand_computation()


def lecture_model():
    model = Sequential([SimpleRNN(3, return_sequences=True, input_shape=(4, 4)),
                        Dense(4, activation="softmax")])
    # Keras layout: kernel = Uᵀ, recurrent_kernel = Wᵀ, then Vᵀ for the Dense
    model.set_weights([U.T, W.T, b_xh, V.T, b_hy])
    return model


def test_hand_computation_reproduces_the_first_slide_derivation():
    """The slide derives h_1 = tanh(0.2, 0.25, 0.3) = (0.197, 0.245, 0.291) and
    y_1 = (1.29175, 1.27379, 1.27354, 1.18922) / 5.0283 step by step."""
    np.testing.assert_allclose(HAND[1]["net"], [0.2, 0.25, 0.3], rtol=1e-15)
    # the slide carries on from h_1 rounded to 3 decimals: V h_1 + b_hy = (0.256, 0.242, 0.2418, 0.1733)
    z_slide = V @ np.round(HAND[1]["h"], 3) + b_hy
    np.testing.assert_allclose(z_slide, [0.256, 0.242, 0.2418, 0.1733], atol=1e-12)
    np.testing.assert_allclose(np.exp(z_slide), [1.29175, 1.27379, 1.27354, 1.18922], atol=5e-6)
    assert np.exp(z_slide).sum() == pytest.approx(5.0283, abs=5e-5)
    # unrounded, the same numbers agree to the 3 decimals of the tables
    np.testing.assert_allclose(HAND[1]["exp"], [1.29175, 1.27379, 1.27354, 1.18922], atol=5e-4)
    np.testing.assert_allclose(HAND[1]["y"], np.exp(z_slide) / 5.0283, atol=5e-4)
    # slide h_2: 0.15 + 0.3665 + 0.1 (from the rounded h_1) = 0.6165 -> tanh = 0.549
    np.testing.assert_allclose(HAND[2]["h"], [0.549, 0.583, 0.645], atol=5e-4)


def test_engine_matches_the_hand_computation():
    model = lecture_model()
    y = model.predict(X)
    h = model.layers[0](X)                         # h_1..h_4, (1, 4, 3)
    z = model.layers[1].logits                     # V h_t + b_hy of the last forward pass
    for t in range(1, 5):
        np.testing.assert_allclose(h[0, t - 1], HAND[t]["h"], rtol=1e-14)
        np.testing.assert_allclose(y[0, t - 1], HAND[t]["y"], rtol=1e-14)
        np.testing.assert_allclose(np.asarray(model.layers[1](h))[0, t - 1], HAND[t]["y"], rtol=1e-14)
        np.testing.assert_allclose(model.layers[1].logits[0, t - 1], HAND[t]["z"], rtol=1e-14)
    assert z.shape == (1, 4, 4)
    np.testing.assert_allclose(y.sum(axis=-1), 1.0, rtol=1e-15)


def test_engine_pre_activations_through_gradients():
    """The engine backpropagates through the same net_h_t: with dL/dh_4 = 1 and nothing else,
    dL/dx_4 = Uᵀ (1 - tanh(net_h_4)^2), net_h_4 = (1.543, 1.643, 1.443) from the hand computation."""
    layer = SimpleRNN(3, return_sequences=True)
    layer.build((4, 4))
    layer.set_weights([U.T, W.T, b_xh])
    h = layer(X)
    G = np.zeros_like(h)
    G[0, 3] = 1.0                                   # dL/dh_4 = 1
    dx = layer.backward(G)
    # dL/dx_4 = Uᵀ (1 - h_4^2): only the last step is reached directly
    np.testing.assert_allclose(dx[0, 3], U.T @ (1 - np.tanh(HAND[4]["net"]) ** 2), rtol=1e-13)


@pytest.mark.parametrize("t, column", [(t, c) for t in (1, 2, 3, 4)
                                       for c in ("Uxt", "Wh_b", "net", "h", "z", "exp", "y")
                                       if (t, c) not in SLIP])
def test_slide_tables_to_their_printed_decimals(t, column):
    """Every printed cell but the slip (tested apart, below)."""
    # printed to 3 decimals: the exact value rounds to the printed one (half a unit + float noise)
    np.testing.assert_allclose(HAND[t][column], SLIDE[t][column], rtol=0, atol=5e-4 + 1e-12,
                               err_msg=f"t{t} column {column}")


def test_engine_output_rounds_to_the_slide_tables():
    model = lecture_model()
    y = model.predict(X)[0]
    h = model.layers[0](X)[0]
    for t in range(1, 5):
        assert np.array_equal(np.round(h[t - 1], 3), SLIDE[t]["h"]), f"h_{t}"
        if (t, "y") not in SLIP:
            assert np.array_equal(np.round(y[t - 1], 3), SLIDE[t]["y"]), f"y_{t}"


def test_the_slides_t3_and_t4_yt_columns_are_not_softmax():
    """The slip on slide "Computing h_t and y_t: Timestep t3 and t4".

    Its y_t columns do not normalise by the sum of their own exp column. At t3 the exps sum to
    6.868, so y = 1.811 / 6.868 = 0.264, but the slide prints 0.299 (its column sums to 1.134, not
    1). The printed t3 and t4 y_t are each exp divided by 6.050, the sum of the *t2* exp column:
    the t2 denominator was reused. The correct values are asserted here (and by the engine).
    """
    for t in (3, 4):
        printed = np.array(SLIDE[t]["y"])
        correct = HAND[t]["y"]
        assert abs(printed.sum() - 1) > 0.1                          # not a distribution
        assert np.all(np.abs(printed - correct) > 0.02)              # not softmax, in any cell
        # what the slide did: this timestep's exp over t2's sum (6.0504), which rounds exactly to
        # every printed cell
        slip = HAND[t]["exp"] / HAND[2]["exp"].sum()
        np.testing.assert_array_equal(np.round(slip, 3), printed)
    assert np.sum(SLIDE[2]["exp"]) == pytest.approx(6.050, abs=1e-9)
    assert np.sum(SLIDE[3]["exp"]) == pytest.approx(6.868, abs=1e-9)    # the printed column
    assert HAND[3]["exp"].sum() == pytest.approx(6.867, abs=5e-4)      # unrounded
    # the y_t columns the slide should print: each exp column over its own sum (6.867, 7.182)
    np.testing.assert_array_equal(np.round(HAND[3]["y"], 3), [0.264, 0.266, 0.264, 0.206])
    np.testing.assert_array_equal(np.round(HAND[4]["y"], 3), [0.265, 0.267, 0.265, 0.202])
    np.testing.assert_allclose(np.array(SLIDE[3]["exp"]) / 6.868, [0.264, 0.266, 0.264, 0.206], atol=5e-4)
    y = lecture_model().predict(X)[0]
    np.testing.assert_allclose(y[2], HAND[3]["y"], rtol=1e-14)
    np.testing.assert_allclose(y[3], HAND[4]["y"], rtol=1e-14)


def test_lecture_dataset_shapes():
    """Slide "Sequence Classification: RNN": U 3x4, V 4x3, W 3x3, b_xh 3, b_hy 4."""
    model = lecture_model()
    rnn, dense = model.layers
    assert rnn.params["U"].shape == (3, 4) and rnn.params["W"].shape == (3, 3)
    assert dense.params["V"].shape == (4, 3) and dense.params["b"].shape == (4,)
    np.testing.assert_array_equal(rnn.params["U"], U)
    np.testing.assert_array_equal(dense.params["V"], V)
    assert model.count_params() == 3 * (4 + 1) + 3 * 3 + 4 * (3 + 1)


def test_summary_counts_from_the_slides():
    """"Number of Parameter": 120 + 11 = 131, and 4,224 / 3,104 / 784 / 136 / 9 = 8,257."""
    one = Sequential([SimpleRNN(10, input_shape=(50, 1)), Dense(1, activation="linear")])
    assert [(1 + 1) * 10 + 10 * 10, (10 + 1) * 1] == [120, 11]     # the slide's U, W, V arithmetic
    assert one.count_params() == 131
    assert one.output_shapes == [(10,), (1,)]
    stack = Sequential([SimpleRNN(64, input_shape=(50, 1), return_sequences=True),
                        SimpleRNN(32, return_sequences=True), SimpleRNN(16),
                        Dense(8, activation="tanh"), Dense(1, activation="linear")])
    assert stack.count_params() == 8257
    assert [l.count_params() for l in stack.layers] == [
        (1 + 64 + 1) * 64, (64 + 32 + 1) * 32, (32 + 16 + 1) * 16, (16 + 1) * 8, (8 + 1) * 1]
    assert stack.output_shapes == [(50, 64), (50, 32), (16,), (8,), (1,)]
    lines = []
    stack.summary(print_fn=lines.append)
    text = "\n".join(lines)
    for shape, count in [("(None, 50, 64)", "4,224"), ("(None, 50, 32)", "3,104"),
                         ("(None, 16)", "784"), ("(None, 8)", "136"), ("(None, 1)", "9")]:
        assert any(shape in line and line.rstrip(" │").endswith(count) for line in text.splitlines())
    assert "Total params: 8,257" in text
