"""BPTT with the worked example's numbers (issue 16, point 3): the figure keeps the slide rules and
writes the engine's backward pass, checked here against BPTT written out in NumPy from the slide's
weights (and ∂L/∂W against central finite differences of the loss)."""

import numpy as np
import pytest
from click.testing import CliRunner

from rnnkit import figures, trace
from rnnkit.cli.main import cli
from rnnkit.viz.bptt import SHARE_SCALE

from test_viz_lecture import IDS, THEMES, assert_slide


def _weights():
    return {k: np.array(v, dtype=float) for k, v in trace.SLIDE_WEIGHTS.items()}


def _forward(w, letters):
    hs, ys = [np.zeros(3)], []
    for letter in letters:
        h = np.tanh(w["U"] @ np.eye(4)["ABCD".index(letter)] + w["W"] @ hs[-1] + w["b_xh"])
        z = w["V"] @ h + w["b_hy"]
        hs.append(h)
        ys.append(np.exp(z) / np.exp(z).sum())
    return np.array(hs), np.array(ys)


def _targets():
    return np.array(["ABCD".index(s) for s in trace.SLIDE_TARGET])


def _loss(w):
    _, y = _forward(w, trace.SLIDE_INPUT)
    return -np.log(y[np.arange(4), _targets()]).mean()


def _bptt_by_hand():
    """dL/dh_t = Vᵀ dz_t + Wᵀ δ_{t+1}, δ_t = dL/dh_t ⊙ (1 − h_t²), share_t = δ_t h_{t−1}ᵀ."""
    w = _weights()
    H, Y = _forward(w, trace.SLIDE_INPUT)
    T = 4
    dz = (Y - np.eye(4)[_targets()]) / T
    dh, delta = np.zeros((T, 3)), np.zeros((T + 1, 3))      # delta[t - 1] = δ_t; δ_{T+1} = 0
    for t in range(T, 0, -1):
        dh[t - 1] = w["V"].T @ dz[t - 1] + w["W"].T @ delta[t]
        delta[t - 1] = dh[t - 1] * (1 - H[t] ** 2)
    shares = np.array([np.outer(delta[t], H[t]) for t in range(T)])
    losses = -np.log(Y[np.arange(T), _targets()])
    return dh, shares, losses


def _matrix(board, name):
    return np.array([[float(v) for v in row] for row in board.arrays[name].rows]) * SHARE_SCALE


@pytest.mark.parametrize("theme", THEMES, ids=IDS)
def test_bptt_figure_keeps_the_slide_rules(theme):
    assert_slide(figures.bptt_figure(theme=theme), theme)


def test_bptt_figure_writes_the_backward_pass_as_bptt_by_hand_computes_it():
    board = figures.bptt_figure()._rnnkit_board
    dh, shares, losses = _bptt_by_hand()
    for t in range(1, 5):
        h = board.nodes[f"h{t}"]
        assert h.values[0] == rf"$\partial L/\partial h_{{{t}}}$"
        np.testing.assert_allclose([float(v) for v in h.values[1:]], dh[t - 1], atol=5e-4)
        L = board.nodes[f"L{t}"]
        assert L.values[0] == f"target {trace.SLIDE_TARGET[t - 1]}"
        assert float(L.values[1]) == pytest.approx(losses[t - 1], abs=5e-4)
        np.testing.assert_allclose(_matrix(board, f"share{t}"), shares[t - 1], atol=0.051 * SHARE_SCALE)
    assert any(f"{losses.mean():.3f}" in s for s in board.texts)
    # h_0 = 0: step 1 adds nothing to dW, and the total is the sum of the shares
    assert not _matrix(board, "share1").any()
    np.testing.assert_allclose(_matrix(board, "dW"), shares.sum(0), atol=0.051 * SHARE_SCALE)


def test_bptt_numbers_dW_is_the_sum_of_the_shares_and_matches_finite_differences():
    numbers = figures.bptt_numbers()
    np.testing.assert_allclose(numbers.dW, numbers.shares.sum(0), atol=1e-12)
    w, eps = _weights(), 1e-6
    fd = np.zeros((3, 3))
    for i in range(3):
        for j in range(3):
            up, down = _weights(), _weights()
            up["W"][i, j] += eps
            down["W"][i, j] -= eps
            fd[i, j] = (_loss(up) - _loss(down)) / (2 * eps)
    np.testing.assert_allclose(numbers.dW, fd, atol=1e-8)
    assert numbers.loss == pytest.approx(_loss(w), abs=1e-12)
    dh, shares, losses = _bptt_by_hand()
    np.testing.assert_allclose(numbers.dh, dh, atol=1e-12)
    np.testing.assert_allclose(numbers.losses, losses, atol=1e-12)


def test_bptt_gradients_flow_back_dashed_in_the_gradient_colour_and_forward_solid():
    board = figures.bptt_figure()._rnnkit_board
    back = {(a.src, a.dst) for a in board.arrows if a.dashed}
    assert all(a.role == "grad" for a in board.arrows if a.dashed)
    assert all(a.role != "grad" for a in board.arrows if not a.dashed)
    expected = {(f"L{t}", f"y{t}") for t in range(1, 5)} | {(f"y{t}", f"h{t}") for t in range(1, 5)} \
        | {(f"h{t + 1}", f"h{t}") for t in range(1, 4)}
    assert back == expected
    forward = {(a.src, a.dst) for a in board.arrows if not a.dashed}
    assert {(f"h{t - 1}", f"h{t}") for t in range(1, 5)} <= forward
    assert {(f"y{t}", f"L{t}") for t in range(1, 5)} <= forward


def test_jacobian_panel_norms_are_the_products_of_W_transpose_diag_one_minus_h_squared():
    board = figures.bptt_figure()._rnnkit_board
    (_, saturated), (_, linear) = board.curves.items()
    k = np.arange(1, figures.BPTT_HORIZON + 1)
    # h_t = 0: the product is (Wᵀ)^k, W = 0.5·𝟙 (3 x 3) has norm 1.5^k: it explodes
    np.testing.assert_allclose(linear, 1.5 ** k, rtol=1e-12)
    w = _weights()
    H, _ = _forward(w, trace.SLIDE_INPUT * 3)
    product, expected = np.eye(3), []
    for t in range(figures.BPTT_HORIZON, 0, -1):
        product = product @ w["W"].T @ np.diag(1 - H[t] ** 2)
        expected.append(np.linalg.norm(product, 2))
    np.testing.assert_allclose(saturated, expected, rtol=1e-9)
    assert saturated[-1] < 1e-5 < 1e2 < linear[-1]


def test_plot_bptt_writes_the_figure(tmp_path):
    out = tmp_path / "bptt.svg"
    result = CliRunner().invoke(cli, ["plot", "bptt", "--aspect", "4:3", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "<svg" in out.read_text()[:400]
