"""The lecture's story in figures (issue 16): each figure keeps the slide rules (one canvas, filled,
nothing past the edge, no text below the minimum) and draws the structure and the engine's numbers
its data model says, read from the figure's board, never from pixels."""

import numpy as np
import pytest
from click.testing import CliRunner

from rnnkit import figures, trace
from rnnkit.cli.main import cli
from rnnkit.viz import Theme
from rnnkit.viz.rolled import EQUATIONS
from rnnkit.viz.slide import measure_slide

THEMES = [Theme(), Theme(aspect="4:3"), Theme(style="dark")]
IDS = ["16:9", "4:3", "dark"]


def assert_slide(fig, theme, min_fill=0.6):
    m = measure_slide(fig)
    assert m.canvas == (int(theme.figsize[0] * 200), int(theme.figsize[1] * 200))
    assert m.fill >= min_fill, m.fill
    assert m.inside, m.margins
    assert m.min_text >= theme.min_text_size - 1e-6, m.min_text


# -- 1 rolled and unrolled ---------------------------------------------------------------------


@pytest.mark.parametrize("theme", THEMES, ids=IDS)
def test_rolled_unrolled_keeps_the_slide_rules(theme):
    assert_slide(figures.rolled_figure(theme=theme), theme)


def test_rolled_cell_has_its_loop_biases_and_activations_and_the_chain_shares_U_W_V():
    board = figures.rolled_figure(steps=4)._rnnkit_board
    # the folded cell: U in, V out, the loop W from h_t back to itself, a bias into h_t and y_t
    assert board.labels_of(dst="cell-h") == ["$U$", "$b_{xh}$", "$W$"]
    assert board.labels_of(src="cell-h") == ["$V$", "$W$"]
    assert board.labels_of(dst="cell-y") == ["$V$", "$b_{hy}$"]
    # f and g are the lecture model's activations, read from its layers
    assert board.nodes["cell-h"].values == ["$f$ = tanh"]
    assert board.nodes["cell-y"].values == ["$g$ = softmax"]
    # unrolled: h_0 and four steps, each with the same U, W, V
    for k in range(1, 5):
        assert board.labels_of(dst=f"h{k}") == ["$U$", "$W$"]
        assert board.labels_of(src=f"h{k - 1}", dst=f"h{k}") == ["$W$"]
        assert board.labels_of(src=f"h{k}", dst=f"y{k}") == ["$V$"]
    assert "h5" not in board.nodes
    assert any(EQUATIONS[0] in s and EQUATIONS[1] in s for s in board.texts)
    assert EQUATIONS[0] == r"$h_t = f\,(U x_t + W h_{t-1} + b_{xh})$"


def test_plot_rolled_writes_the_figure_and_rejects_too_many_steps(tmp_path):
    out = tmp_path / "rolled.svg"
    result = CliRunner().invoke(cli, ["plot", "rolled", "--steps", "3", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "<svg" in out.read_text()[:400]
    bad = CliRunner().invoke(cli, ["plot", "rolled", "--steps", "9", "-o", str(out)])
    assert bad.exit_code == 2 and "--steps" in bad.output


# -- 2 the worked example, step by step --------------------------------------------------------


def _by_hand():
    """The slides' forward pass in plain NumPy, from the weights printed on the slide."""
    w = {k: np.array(v) for k, v in trace.SLIDE_WEIGHTS.items()}
    h = np.zeros(3)
    out = []
    for t, letter in enumerate(trace.SLIDE_INPUT, start=1):
        x = np.eye(4)["ABCD".index(letter)]
        net = w["U"] @ x + w["W"] @ h + w["b_xh"]
        h_new = np.tanh(net)
        z = w["V"] @ h_new + w["b_hy"]
        out.append(dict(t=t, x=x, h_prev=h, net=net, h=h_new, z=z, y=np.exp(z) / np.exp(z).sum()))
        h = h_new
    return out


def _column(board, name):
    return [float(r[0]) for r in board.arrays[name].rows]


@pytest.mark.parametrize("theme", THEMES, ids=IDS)
def test_every_worked_example_page_keeps_the_slide_rules(theme):
    for fig in figures.worked_example_figures(theme=theme):
        assert_slide(fig, theme)


def test_worked_example_pages_show_the_engines_numbers_as_the_slides_compute_them():
    pages = [fig._rnnkit_board for fig in figures.worked_example_figures()]
    assert len(pages) == 4
    for board, hand in zip(pages, _by_hand()):
        t = hand["t"]
        for name in ("h_prev", "net", "h", "z", "y"):
            np.testing.assert_allclose(_column(board, name), hand[name], atol=5e-4, err_msg=f"t{t} {name}")
        np.testing.assert_allclose(_column(board, "ux") + np.array(_column(board, "whb")), hand["net"], atol=1e-3)
        np.testing.assert_allclose(_column(board, "e"), np.exp(hand["z"]), atol=5e-4)
        assert _column(board, "x") == list(hand["x"])
        assert _column(board, "target") == list(np.eye(4)["ABCD".index(trace.SLIDE_TARGET[t - 1])])
        assert board.arrays["h"].label == f"$h_{{{t}}}$"
        # the weights are the model's, as the slide prints them
        assert [[float(v) for v in r] for r in board.arrays["U"].rows] == trace.SLIDE_WEIGHTS["U"]
        assert _column(board, "b_hy") == trace.SLIDE_WEIGHTS["b_hy"]
        # the current input is marked in the sequence strip
        assert [board.nodes[f"seq-x{k}"].role for k in range(1, 5)] == ["x" if k == t else None for k in range(1, 5)]
        flagged = any("the slides print" in s for s in board.texts)
        assert flagged == (t in trace.LECTURE_SLIP)
        if flagged:
            printed = ", ".join(f"{v:.3f}" for v in trace.LECTURE_SLIP[t])
            assert any(printed in s for s in board.texts)
            # the printed values are not the softmax: the page's y_t is
            assert not np.allclose(_column(board, "y"), trace.LECTURE_SLIP[t], atol=1e-3)


def test_worked_example_pages_keep_every_array_in_place_for_overlays():
    pages = [fig._rnnkit_board for fig in figures.worked_example_figures()]
    for board in pages[1:]:
        assert {k: a.box for k, a in board.arrays.items()} == {k: a.box for k, a in pages[0].arrays.items()}


def test_worked_example_pages_as_one_pdf_and_a_gif(tmp_path):
    from PIL import Image

    from rnnkit.viz.worked_example import save_pages
    figs = figures.worked_example_figures()
    pdf = save_pages(figs, tmp_path / "steps.pdf")
    data = pdf.read_bytes()
    assert data.count(b"/Type /Page") - data.count(b"/Type /Pages") == 4        # one page per step
    assert save_pages(figs, tmp_path / "again.pdf").read_bytes() == data      # no date inside
    gif = save_pages(figs, tmp_path / "steps.gif")
    with Image.open(gif) as im:
        assert im.n_frames == 4 and im.size == (int(13.333 * 80), 600)     # 80 dpi frames
    with pytest.raises(ValueError, match=r"\.pdf .* or \.gif"):
        save_pages(figs, tmp_path / "steps.png")


def test_plot_worked_example_writes_pages_or_one_step(tmp_path):
    runner = CliRunner()
    result = runner.invoke(cli, ["plot", "worked-example", "-o", str(tmp_path / "s.pdf")])
    assert result.exit_code == 0, result.output
    result = runner.invoke(cli, ["plot", "worked-example", "--step", "4", "-o", str(tmp_path / "s4.svg")])
    assert result.exit_code == 0 and "target D" in (tmp_path / "s4.svg").read_text()
    bad = runner.invoke(cli, ["plot", "worked-example", "-o", str(tmp_path / "s.png")])
    assert bad.exit_code == 2 and "--step" in bad.output and "Traceback" not in bad.output


# -- 4 the LSTM and GRU cells ------------------------------------------------------------------


def _sigmoid(a):
    return 1 / (1 + np.exp(-a))


@pytest.mark.parametrize("theme", THEMES, ids=IDS)
@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_cell_diagrams_keep_the_slide_rules_with_and_without_values(theme, cell):
    assert_slide(figures.cell_figure(cell, theme=theme), theme)
    model, x = figures.example_cell_model(cell)
    values, _ = figures.cell_step_values(model, x, 2)
    assert_slide(figures.cell_figure(cell, values=values, theme=theme), theme)


@pytest.mark.parametrize("aspect", ["16:9", "4:3"])
@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_cell_values_do_not_overlap_one_another(cell, aspect):
    model, x = figures.example_cell_model(cell)
    values, _ = figures.cell_step_values(model, x, 2)
    fig = figures.cell_figure(cell, values=values, theme=Theme(aspect=aspect))
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    renderer = FigureCanvasAgg(fig).get_renderer()
    boxes = [(t.get_text(), t.get_window_extent(renderer)) for ax in fig.axes for t in ax.texts
             if t.get_text().strip()]
    clashes = [(a, b) for i, (a, box_a) in enumerate(boxes) for b, box_b in boxes[i + 1:]
               if box_a.overlaps(box_b)]
    assert not clashes


def test_lstm_cell_is_wired_as_the_equations_say():
    board = figures.cell_figure("lstm")._rnnkit_board
    gates = {k: board.nodes[f"gate-{k}"] for k in ("f", "i", "c̃", "o")}
    assert [g.label for g in gates.values()] == ["σ", "σ", "tanh", "σ"]
    assert gates["f"].values == ["$U_f, W_f, b_f$"] and gates["c̃"].values == ["$U_c, W_c, b_c$"]
    # c_t = f_t ⊙ c_{t-1} + i_t ⊙ c̃_t ; h_t = o_t ⊙ tanh(c_t)
    assert board.labels_of(dst="forget") == ["$c_{t-1}$", "$f_t$"]
    assert board.labels_of(src="gate-i", dst="input") == ["$i_t$"]
    assert board.labels_of(src="gate-c̃", dst="input") == [r"$\tilde{c}_t$"]
    assert {a.src for a in board.arrows if a.dst == "add"} == {"forget", "input"}
    assert board.labels_of(src="add") == ["$c_t$"]
    assert board.labels_of(src="gate-o", dst="output") == ["$o_t$"]
    assert board.labels_of(src="tanh-c", dst="output") == [None]
    assert board.labels_of(src="output") == ["$h_t$"]


def test_gru_cell_is_wired_as_the_equations_say():
    board = figures.cell_figure("gru")._rnnkit_board
    # h_t = z_t ⊙ h_{t-1} + (1 - z_t) ⊙ h̃_t, r_t inside the candidate
    assert board.labels_of(dst="keep") == ["$h_{t-1}$", "$z_t$"]
    assert [a.src for a in board.arrows if a.dst == "new"] == ["one-minus", "gate-h̃"]
    assert {a.src for a in board.arrows if a.dst == "add"} == {"keep", "new"}
    assert board.labels_of(src="gate-r", dst="reset") == ["$r_t$"]
    assert [a.dst for a in board.arrows if a.src == "reset"] == ["gate-h̃"]
    assert r"$W_h h_{t-1} + b_h^{rec}$" in board.texts
    assert "$h_{t-1}$" in figures.cell_figure("gru", reset_after=False)._rnnkit_board.texts


def test_cell_values_are_one_step_of_the_layer_as_the_equations_compute_it():
    model, x = figures.example_cell_model("lstm")
    v, cell = figures.cell_step_values(model, x, 2)
    assert cell == "lstm" and v["t"] == 2
    p = model.layers[0].params
    u = 2
    a = p["U"] @ x[0, 1] + p["W"] @ v["h_prev"] + p["b"]          # by hand, Keras' gate order
    i, f, o = _sigmoid(a[:u]), _sigmoid(a[u:2 * u]), _sigmoid(a[3 * u:])
    ct = np.tanh(a[2 * u:3 * u])
    np.testing.assert_allclose(v["c"], f * v["c_prev"] + i * ct, atol=1e-12)
    np.testing.assert_allclose(v["h"], o * np.tanh(v["c"]), atol=1e-12)
    np.testing.assert_allclose(np.concatenate([v["i"], v["f"], v["c̃"], v["o"]]),
                               np.concatenate([i, f, ct, o]), atol=1e-12)
    board = figures.cell_figure("lstm", values=v)._rnnkit_board
    assert f"$f_t$\n[{v['f'][0]:.2f}, {v['f'][1]:.2f}]" in board.texts
    assert f"$h_t$\n[{v['h'][0]:.2f}, {v['h'][1]:.2f}]" in board.texts

    model, x = figures.example_cell_model("gru")
    v, cell = figures.cell_step_values(model, x, 3)
    p = model.layers[0].params
    b_in, b_rec = p["b"]
    a_in, a_rec = p["U"] @ x[0, 2] + b_in, p["W"] @ v["h_prev"] + b_rec
    z, r = _sigmoid(a_in[:u] + a_rec[:u]), _sigmoid(a_in[u:2 * u] + a_rec[u:2 * u])
    hh = np.tanh(a_in[2 * u:] + r * a_rec[2 * u:])
    np.testing.assert_allclose([*v["z"], *v["r"], *v["h̃"]], [*z, *r, *hh], atol=1e-12)
    np.testing.assert_allclose(v["h"], z * v["h_prev"] + (1 - z) * hh, atol=1e-12)
    with pytest.raises(ValueError, match="between 1 and 4"):
        figures.cell_step_values(model, x, 5)


def test_plot_cell_writes_both_cells_with_values(tmp_path):
    runner = CliRunner()
    for args in (["--cell", "lstm"], ["--cell", "gru", "--values", "--step", "3"]):
        out = tmp_path / "cell.svg"
        result = runner.invoke(cli, ["plot", "cell", *args, "-o", str(out)])
        assert result.exit_code == 0, result.output
        assert "cell" in out.read_text()
    bad = runner.invoke(cli, ["plot", "cell", "--values", "--step", "9", "-o", str(out)])
    assert bad.exit_code == 1 and "between 1 and 4" in bad.output and "Traceback" not in bad.output
