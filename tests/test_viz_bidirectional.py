"""The bidirectional RNN in the textbook layout (issue 16, point 7): its structure and weight
names read from the figure's board and arrows (never pixels), and its equations checked against
rnnkit's Bidirectional layer by hand."""

import numpy as np
import pytest
from click.testing import CliRunner
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.patches import FancyArrowPatch

from rnnkit import config, figures
from rnnkit.cli.main import cli
from rnnkit.viz import build_graph
from test_viz_karpathy import artist_overlaps
from test_viz_lecture import IDS, THEMES, assert_slide  # the slide rules of issue 16


@pytest.mark.parametrize("theme", THEMES, ids=IDS)
def test_bidirectional_keeps_the_slide_rules_and_nothing_overlaps(theme):
    fig = figures.bidirectional_figure(theme=theme)
    assert_slide(fig, theme)
    assert artist_overlaps(fig) == []


@pytest.mark.parametrize("steps", [2, 3, 5])
def test_bidirectional_has_the_unrolled_graphs_arrows_and_weight_names(steps):
    board = figures.bidirectional_figure(steps=steps)._rnnkit_board
    drawn = sorted((a.src, a.dst, a.label) for a in board.arrows)
    # the same network, arrow for arrow and name for name, as `rnnkit plot unroll --kind bidirectional`
    graph = build_graph("bidirectional", steps)
    assert drawn == sorted((e.src, e.dst, f"${e.label}$") for e in graph.edges)
    assert len(drawn) == 6 * steps
    nodes = board.nodes
    for k in range(1, steps + 1):
        # rows, bottom to top: x_t, the forward state, the backward state, y_t
        assert nodes[f"x{k}"].box.cy < nodes[f"hf{k}"].box.cy < nodes[f"hb{k}"].box.cy < nodes[f"y{k}"].box.cy
        # the forward chain runs left to right, the backward chain right to left
        assert nodes[f"hf{k - 1}"].box.cx < nodes[f"hf{k}"].box.cx
        assert nodes[f"hb{k + 1}"].box.cx > nodes[f"hb{k}"].box.cx
        assert {nodes[f"hf{k}"].role, nodes[f"hb{k}"].role} == {"h"}
    assert nodes["hf0"].role == nodes[f"hb{steps + 1}"].role == "h0"        # initial states, empty
    assert nodes["hf1"].label == r"$\overrightarrow{h}_{1}$" and nodes["hb1"].label == r"$\overleftarrow{h}_{1}$"


def _shafts(fig):
    """Each arrow's shaft as a segment (start, end) in inches, in the board's arrow order."""
    FigureCanvasAgg(fig)
    ax = fig.axes[0]
    out = []
    for patch in (p for p in ax.patches if isinstance(p, FancyArrowPatch)):
        v = patch.get_path().vertices
        out.append((tuple(v[0]), tuple(v[2])))       # MOVETO start, the shaft's end (CURVE3)
    return out


def _cross(p, q, r, s):
    def side(a, b, c):
        return np.sign((b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0]))
    return side(p, q, r) * side(p, q, s) < 0 and side(r, s, p) * side(r, s, q) < 0


@pytest.mark.parametrize("theme", THEMES[:2], ids=IDS[:2])
def test_only_the_textbooks_crossings_cross(theme):
    fig = figures.bidirectional_figure(theme=theme)
    board = fig._rnnkit_board
    shafts = _shafts(fig)
    assert len(shafts) == len(board.arrows)
    crossing = set()
    for i, a in enumerate(board.arrows):
        for j, b in enumerate(board.arrows[i + 1:], start=i + 1):
            if _cross(*shafts[i], *shafts[j]):
                crossing.add(frozenset({(a.src, a.dst), (b.src, b.dst)}))
    # x_t -> h⃖_t crosses the forward chain, h⃗_t -> y_t the backward one: 2 (T - 1) crossings
    assert crossing == {frozenset(pair) for pair in fig._rnnkit_crossings}
    assert len(crossing) == 2 * (3 - 1)


def test_the_figures_equations_are_what_rnnkits_bidirectional_layer_computes():
    from rnnkit.layers import Bidirectional, Dense, SimpleRNN
    from rnnkit.models import Sequential
    from rnnkit.viz.bidirectional import EQUATIONS
    assert r"W_b\, \overleftarrow{h}_{t+1}" in EQUATIONS[1]
    assert r"V_f\, \overrightarrow{h}_t + V_b\, \overleftarrow{h}_t + b_{hy}" in EQUATIONS[2]
    T, D, u, k = 4, 2, 3, 2
    with config.scope(floatx="float64", seed=0):
        model = Sequential([Bidirectional(SimpleRNN(u, return_sequences=True), input_shape=(T, D)),
                            Dense(k, activation="softmax")])
        model.build()
    x = np.random.default_rng(1).normal(size=(1, T, D))
    y = model.forward(x)[0][0]
    fwd, bwd = model.layers[0].forward_layer.params, model.layers[0].backward_layer.params
    V, b_hy = model.layers[1].params["V"], model.layers[1].params["b"]
    hf, hb = np.zeros((T + 2, u)), np.zeros((T + 2, u))        # h⃗_0 and h⃖_{T+1} are zero
    for t in range(1, T + 1):                                   # h⃗_t from h⃗_{t-1}
        hf[t] = np.tanh(fwd["U"] @ x[0, t - 1] + fwd["W"] @ hf[t - 1] + fwd["b"])
    for t in range(T, 0, -1):                                   # h⃖_t from h⃖_{t+1}
        hb[t] = np.tanh(bwd["U"] @ x[0, t - 1] + bwd["W"] @ hb[t + 1] + bwd["b"])
    V_f, V_b = V[:, :u], V[:, u:]                               # V = [V_f V_b] on [h⃗_t; h⃖_t]
    z = hf[1:T + 1] @ V_f.T + hb[1:T + 1] @ V_b.T + b_hy
    expected = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(y, expected, rtol=1e-12)


def test_plot_bidirectional_writes_the_figure_and_refuses_too_many_steps(tmp_path):
    out = tmp_path / "bidirectional.svg"
    result = CliRunner().invoke(cli, ["plot", "bidirectional", "--steps", "4", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "<svg" in out.read_text()[:400]
    bad = CliRunner().invoke(cli, ["plot", "bidirectional", "--steps", "4", "--aspect", "4:3",
                                   "-o", str(out)])
    assert bad.exit_code == 1 and "use --steps 3 or less" in bad.output
    assert "Traceback" not in bad.output
