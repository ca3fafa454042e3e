"""The slide rules every figure keeps, checked from the figure's artists and the saved file.

1 one canvas per aspect (4:3 laid out anew, not shrunk); 2 the drawing fills the frame and stays
inside it; 3 no text below the theme's minimum, long graphs compressed instead of enlarged;
4 one colour per cell, chosen from the run's cell; mathtext subscripts; no baked-in titles;
5 PDF Type 42 fonts, SVG text as text, PNG transparency, a dark palette.
"""

import json

import numpy as np
import pytest
from click.testing import CliRunner
from matplotlib.image import imread
from matplotlib.text import Text

from rnnkit import figures
from rnnkit.cli.main import cli
from rnnkit.viz import (Theme, build_graph, draw_architectures, draw_gradient_norms, draw_graph,
                        draw_hidden_heatmap, draw_loss_curves, save)
from rnnkit.viz import _diagram
from rnnkit.viz.slide import measure_slide
from rnnkit.viz.theme import CELL_COLORS, ROLE_COLORS
from rnnkit.viz.unroll import compressed

HISTORY = [{"epoch": i + 1, "loss": 2.0 / (i + 1), "val_loss": 2.2 / (i + 1)} for i in range(6)]
TOKENS = list("Beautiful is better than ugly.")
THEMES = [Theme(), Theme(aspect="4:3"), Theme(style="dark")]


def every_figure(theme):
    rng = np.random.default_rng(0)
    steps = np.arange(30)
    return {
        "architectures": draw_architectures(theme),
        **{f"unroll {k}": draw_graph(build_graph(k, 4 if k != "bidirectional" else 3), theme)
           for k in ("many-to-many", "many-to-one", "one-to-many", "encoder-decoder", "bidirectional")},
        "unroll grads": draw_graph(build_graph("many-to-many", 4, grads=True), theme),
        "loss": draw_loss_curves([("SimpleRNN", HISTORY)], theme, cells=["rnn"], baseline=1.5),
        "gradients": draw_gradient_norms({"SimpleRNN": 0.8 ** steps, "GRU": 0.7 ** steps}, theme),
        "hidden": draw_hidden_heatmap(np.tanh(rng.normal(size=(6, 30))), TOKENS, theme,
                                      gates={"f": rng.uniform(size=(6, 30))}),
    }


@pytest.fixture(scope="module", params=range(len(THEMES)), ids=["16:9", "4:3", "dark"])
def themed(request):
    theme = THEMES[request.param]
    return theme, every_figure(theme)


def test_one_canvas_filled_readable_and_nothing_crosses_the_edge(themed):
    theme, figs = themed
    assert theme.min_text_size == 14
    for name, fig in figs.items():
        m = measure_slide(fig)
        assert m.canvas == (int(theme.figsize[0] * 200), int(theme.figsize[1] * 200)), name
        assert m.fill >= 0.6, (name, m.fill)
        assert m.inside, (name, m.margins)
        assert m.min_text >= theme.min_text_size - 1e-6, (name, m.min_text)


def test_diagrams_are_laid_out_cleanly_on_the_slide(themed):
    theme, figs = themed
    width, height = theme.figsize
    for name, fig in figs.items():
        layouts = getattr(fig, "_rnnkit_layout", None)
        if layouts is None:
            continue
        for lay in layouts if isinstance(layouts, list) else [layouts]:
            assert _diagram.layout_problems(lay, width, height) == [], name


def test_four_to_three_is_laid_out_anew_not_shrunk():
    wide, narrow = Theme(), Theme(aspect="4:3")
    # a shrunk 16:9 drawing would have text at 10/13.33 of its size; anew it keeps the minimum
    assert measure_slide(draw_architectures(narrow)).min_text >= narrow.min_text_size
    g = build_graph("many-to-many", 4, grads=True)
    tall = draw_graph(g, narrow)._rnnkit_layout
    flat = draw_graph(g, wide)._rnnkit_layout
    assert tall.row_pitch / tall.col_pitch > flat.row_pitch / flat.col_pitch  # taller rows on 4:3


@pytest.mark.parametrize("kind", ["bidirectional", "encoder-decoder", "many-to-many"])
@pytest.mark.parametrize("T", [6, 10])
def test_long_graphs_are_compressed_not_enlarged(kind, T):
    theme = Theme()
    fig = draw_graph(build_graph(kind, T), theme)
    m = measure_slide(fig)
    assert m.canvas == (2666, 1500) and m.inside and m.min_text >= 14
    layout = fig._rnnkit_layout
    assert _diagram.layout_problems(layout, *theme.figsize) == []
    labels = {n.node.id for n in layout.nodes}
    assert {"x1", f"x{T}"} <= labels                    # the first and the last step are there
    if len(labels) < len(build_graph(kind, T).nodes):   # steps left out: an arrow says so
        assert any(a.edge.label == "⋯" for a in layout.arrows)


def test_compressed_keeps_the_ends_and_bridges_the_chain():
    g = build_graph("many-to-many", 10, grads=True)
    c = compressed(g, 2)
    assert sorted(n.id for n in c.nodes if n.role == "x") == ["x1", "x10", "x2", "x9"]
    bridge = [e for e in c.edges if e.label == "⋯"]
    assert [(e.src, e.dst) for e in bridge] == [("h2", "h9")]
    assert [(e.src, e.dst) for e in c.grad_edges if e.label == "⋯"] == [("h9", "h2")]
    # columns: 0 h0, 1, 2, one empty column for steps 3-8, then 9 -> 4 and 10 -> 5
    assert c.node("x9").xy[0] == 4 and c.node("x10").xy[0] == 5


def _line_colors(fig):
    return [line.get_color() for ax in fig.axes for line in ax.get_lines()]


def test_a_cell_keeps_its_colour_chosen_from_the_run_not_the_label(tmp_path):
    theme = Theme()
    assert len(set(CELL_COLORS.values())) == 3 and ROLE_COLORS["grad"] not in CELL_COLORS.values()
    # a run labelled "rnn" whose cell is an LSTM is drawn in LSTM's colour
    run = tmp_path / "run"
    run.mkdir()
    (run / "history.json").write_text(json.dumps(HISTORY))
    (run / "config.json").write_text(json.dumps({"cell": "lstm"}))
    fig = figures.loss_figure([run], ["rnn"], theme=theme)
    assert theme.cell_color("lstm") in _line_colors(fig)
    assert theme.cell_color("rnn") not in _line_colors(fig)
    grads = draw_gradient_norms({"SimpleRNN": 0.5 ** np.arange(5.0)}, theme)
    assert _line_colors(grads) == [theme.cell_color("rnn")] != [theme.color("grad")]


def _texts(fig):
    return [t.get_text() for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]


def test_subscripts_are_mathtext_and_titles_are_optional():
    fig = figures.gradients_figure(steps=6, units=3)
    for text in _texts(fig) + [_diagram.to_mathtext("h₁")]:
        outside_math = text.split("$")[::2]
        assert not any("_" in part or "+=" in part for part in outside_math), text
    assert fig.get_suptitle() == ""                             # no title baked in
    g = build_graph("many-to-many", 3)
    assert not [t for t in draw_graph(g)._rnnkit_layout.texts if t.kind == "title"]
    assert [t.text for t in draw_graph(g, title="RNN")._rnnkit_layout.texts if t.kind == "title"] == ["RNN"]


@pytest.mark.parametrize("ext", ["pdf", "svg", "png"])
def test_saved_files_edit_well_and_are_reproducible(tmp_path, ext):
    fig = draw_graph(build_graph("encoder-decoder", 3))
    first = save(fig, tmp_path / f"a.{ext}", dpi=40).read_bytes()
    again = save(draw_graph(build_graph("encoder-decoder", 3)), tmp_path / f"b.{ext}", dpi=40).read_bytes()
    assert first == again                                       # no dates, no random ids
    if ext == "pdf":
        assert b"/FontFile2" in first and b"/Subtype /Type3" not in first   # TrueType, Type 42
    if ext == "svg":
        text = first.decode()
        assert "<text" in text and "encoder" in text           # text kept as text


def test_png_transparent(tmp_path):
    fig = draw_graph(build_graph("many-to-one", 2))
    opaque = imread(save(fig, tmp_path / "o.png", dpi=30))
    clear = imread(save(fig, tmp_path / "t.png", dpi=30, transparent=True))
    assert opaque[0, 0, 3] == 1.0 and clear[0, 0, 3] == 0.0


def _luminance(hex_color):
    rgb = np.array([int(hex_color[i:i + 2], 16) / 255 for i in (1, 3, 5)])
    lin = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    return float(lin @ [0.2126, 0.7152, 0.0722])


def test_dark_style_has_its_own_palette_and_colour_maps():
    dark, light = Theme(style="dark"), Theme()
    bg = _luminance(dark.background)
    for role in ROLE_COLORS:            # WCAG contrast of at least 4.5 : 1 on the dark slide
        assert (_luminance(dark.ink(role)) + 0.05) / (bg + 0.05) >= 4.5, role
    for cell in CELL_COLORS:
        assert (_luminance(dark.cell_color(cell)) + 0.05) / (bg + 0.05) >= 4.5, cell
    assert dark.cmap("diverging") != light.cmap("diverging")
    assert dark.cmap("sequential") != light.cmap("sequential")


def test_cli_title_and_transparent(tmp_path):
    out = tmp_path / "f.svg"
    result = CliRunner().invoke(cli, ["plot", "unroll", "--kind", "many-to-one", "--steps", "3",
                                      "--title", "Many to one", "--transparent", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "Many to one" in out.read_text()


# ---- the figures themselves ---------------------------------------------------------------------

@pytest.mark.parametrize("kind", ["many-to-many", "many-to-one", "one-to-many", "encoder-decoder",
                                  "bidirectional"])
def test_inputs_at_the_bottom_outputs_on_top(kind):
    layout = figures.unroll_figure(kind, steps=3)._rnnkit_layout
    ys = {n.node.id: n.box.cy for n in layout.nodes}
    inputs = [y for i, y in ys.items() if layout.nodes[list(ys).index(i)].node.role == "x"]
    outputs = [y for i, y in ys.items() if layout.nodes[list(ys).index(i)].node.role == "y"]
    others = [n.box.cy for n in layout.nodes if n.node.role not in ("x", "y")]
    assert max(inputs) < min(others) and max(others) < min(outputs)


def test_encoder_decoder_decoder_has_inputs_context_and_its_own_length():
    g = figures.unroll_figure("encoder-decoder", steps=4, out_steps=2)._rnnkit_layout
    roles = [n.node.role for n in g.nodes]
    assert roles.count("dec") == 2 and roles.count("enc") == 4
    assert {a.edge.dst for a in g.arrows if a.edge.label == "U_dec"} == {"dec1", "dec2"}  # teacher forcing
    texts = {t.text: t for t in g.texts}
    assert "context\n$c = h_{4}$" in texts
    top = max(n.box.y1 for n in g.nodes)
    assert texts["encoder"].box.y0 > top and texts["decoder"].box.y0 > top  # both brackets above
    fb = build_graph("encoder-decoder", 3, feedback=True)
    assert [(e.src, e.dst) for e in fb.edges if e.kind == "feedback"] == [("y1", "dec2"), ("y2", "dec3")]
    with pytest.raises(ValueError, match="not both"):
        build_graph("encoder-decoder", 3, feedback=True, teacher_forcing=True)


def test_one_step_is_refused_with_what_to_do(tmp_path):
    # one step drawn fills a quarter of the slide at most (a single column of three boxes):
    # refused, for every kind, with or without an initial state
    assert measure_slide(draw_graph(build_graph("many-to-many", 1))).fill < 0.4
    for kind in ("many-to-many", "many-to-one", "one-to-many", "encoder-decoder", "bidirectional"):
        result = CliRunner().invoke(cli, ["plot", "unroll", "--kind", kind, "--steps", "1",
                                          "-o", str(tmp_path / "one.png")])
        assert result.exit_code == 1 and "Traceback" not in result.output, result.output
        assert "one-to-one" in result.output and "--steps 2" in result.output
        assert "bug" not in result.output            # the user's mistake, not rnnkit's
    assert not (tmp_path / "one.png").exists()
    assert figures.unroll_figure("many-to-many", steps=2)._rnnkit_layout.nodes    # two steps draw


def test_arch_draws_the_architectures_actual_model(tmp_path):
    out = tmp_path / "pos.svg"
    result = CliRunner().invoke(cli, ["plot", "unroll", "--arch", "pos-tagging", "--steps", "3",
                                      "-o", str(out)])
    assert result.exit_code == 0, result.output
    svg = out.read_text()
    assert "Bidirectional(LSTM)" in svg and "Embedding" in svg and "forward" in svg


def test_lecture_figure_shows_letters_one_hot_columns_targets_and_the_slip():
    from rnnkit import trace
    layout = figures.lecture_figure()._rnnkit_layout
    nodes = {n.node.id: n for n in layout.nodes}
    assert nodes["x1"].value_lines == ["A", "1", "0", "0", "0"]          # letter over one-hot column
    assert nodes["h1"].value_lines == ["0.197", "0.245", "0.291"]        # the slide's h_1, a column
    assert nodes["y3"].value_lines[0] == "0.264"                         # softmax, not the slip
    texts = [t.text for t in layout.texts]
    for t, target in enumerate(trace.SLIDE_TARGET, start=1):
        cap = next(x for x in layout.texts if x.text.startswith(f"target {target}") and
                   abs(x.box.cx - nodes[f"y{t}"].box.cx) < 1e-9)
        assert cap.box.y0 > nodes[f"y{t}"].box.y1                         # above its output
    assert any("0.299" in t and "slip" in t for t in texts)


def test_vanishing_and_exploding_gradients_say_what_the_engine_computes():
    theme = Theme()
    fig = figures.gradients_figure(steps=24, units=32, explode_steps=12)   # the figure's 32 units
    left, right = fig.axes[:2]
    lines = {line.get_label(): line for line in left.get_lines()}
    simple, gru = lines["SimpleRNN"].get_ydata(), lines["GRU"].get_ydata()
    assert gru[10] < simple[10] and gru[20] < simple[20]   # at initialisation GRU loses it faster
    assert "GRU" in left.get_legend().get_title().get_text()          # ... and the figure says why
    for name, line in lines.items():
        if "open" in name:                       # gates held open: dashed, in the cell's colour
            assert line.get_linestyle() == "--"
            assert line.get_color() == theme.cell_color("lstm" if name.startswith("LSTM") else "gru")
    assert left.get_ylabel() == r"$\|\partial L/\partial h_{T-k}\|$" and left.get_xlabel().startswith("$k$")
    grow, clip = [line.get_ydata() for line in right.get_lines()]
    # W = 0.5·1 (3 x 3) has eigenvalues 1.5, 0, 0: with tanh' = 1 the norm grows 1.5x per step
    np.testing.assert_allclose(grow[-1] / grow[-2], 1.5, rtol=1e-6)
    np.testing.assert_allclose(clip, np.minimum(grow, 1.0))           # clipnorm = 1


def test_hidden_heatmap_maps_each_quantity_on_its_own_fixed_scale():
    theme = Theme()
    rng = np.random.default_rng(1)
    tokens = list("ab c") + ["word"] * 0
    fig = draw_hidden_heatmap(np.tanh(rng.normal(size=(3, 4))), tokens, theme,
                              gates={"i": rng.uniform(size=(3, 4)), "c̃": np.tanh(rng.normal(size=(3, 4)))},
                              cell_state=3 * rng.normal(size=(3, 4)), direction="forward")
    axes = [ax for ax in fig.axes if ax.images]
    by_title = {ax.get_title(): ax.images[0] for ax in axes}
    h = by_title[r"hidden state $h_t$ (forward direction)"]
    gate = by_title[r"input gate $i_t$"]
    cand = by_title[r"candidate $\tilde{c}_t$"]
    cell = by_title[r"cell state $c_t$"]
    assert h.get_clim() == (-1.0, 1.0) == cand.get_clim()              # tanh: fixed, shared
    assert h.get_cmap().name == cand.get_cmap().name == theme.cmap("diverging")
    assert gate.get_clim() == (0.0, 1.0) and gate.get_cmap().name == theme.cmap("sequential")
    limit = float(np.abs(cell.get_array()).max())
    assert cell.get_clim() == (-limit, limit)
    labels = [t.get_text() for t in axes[0].get_xticklabels()]
    assert labels == ["a", "b", "␣", "c"]                                # spaces visible
    assert all(t.get_rotation() == 0 for t in axes[0].get_xticklabels())  # single characters upright


def test_long_inputs_are_thinned():
    from rnnkit.viz.hidden import MAX_TOKEN_LABELS, token_labels
    positions, labels = token_labels(list("x" * 100))
    assert len(labels) <= MAX_TOKEN_LABELS and positions[0] == 0 and positions[1] == 4


def test_plot_loss_headline_shows_the_test_metric_and_the_baseline(tmp_path):
    run = tmp_path / "run"
    run.mkdir()
    (run / "history.json").write_text(json.dumps([{"epoch": 1, "loss": 2.0, "accuracy": 0.4},
                                                  {"epoch": 2, "loss": 1.0, "accuracy": 0.6}]))
    (run / "config.json").write_text(json.dumps({"cell": "gru"}))
    (run / "metrics.json").write_text(json.dumps({"headline_metric": "exact_match",
                                                  "test": {"exact_match": 0.35},
                                                  "baseline": {"exact_match": 0.05}}))
    fig = figures.loss_figure([run], ["GRU"], metric="headline")
    loss_ax, head_ax = fig.axes
    assert loss_ax.get_ylabel() == "cross-entropy (nats per prediction)"
    ys = [list(line.get_ydata()) for line in head_ax.get_lines()]
    assert [0.35] in ys and [0.05, 0.05] in ys                      # test value, baseline line
    assert "exact match" in head_ax.get_ylabel()


def _svg_subscripts(svg, base, sub):
    """How many texts in `svg` draw `base` with subscript `sub` (mathtext writes two tspans)."""
    import re
    return len(re.findall(rf">{base}</tspan>\s*<tspan[^>]*>{sub}</tspan>", svg))


def test_cli_exposes_out_steps_feedback_and_initial_state(tmp_path):
    out = tmp_path / "ed.svg"
    result = CliRunner().invoke(cli, ["plot", "unroll", "--kind", "encoder-decoder", "--steps", "3",
                                      "--out-steps", "2", "--feedback", "--no-initial-state",
                                      "-o", str(out)])
    assert result.exit_code == 0, result.output
    svg = out.read_text()
    # the initial state's node is a text of its own ("h" with subscript "0" drawn as mathtext);
    # find it in the figure's model with and without the flag
    def initial_texts(initial_state):
        fig = figures.unroll_figure("encoder-decoder", steps=3, out_steps=2, feedback=True,
                                    initial_state=initial_state)
        return [t.get_text() for t in fig.findobj(Text) if t.get_text() == "$h_{0}$"]
    assert initial_texts(True) == ["$h_{0}$"] and initial_texts(False) == []
    assert "context" in svg and "h<sub>0</sub>" not in svg
    with_h0 = tmp_path / "with.svg"
    CliRunner().invoke(cli, ["plot", "unroll", "--kind", "encoder-decoder", "--steps", "3",
                             "--out-steps", "2", "--feedback", "-o", str(with_h0)])
    # SVG text is text: "h" and its subscript "0" are separate tspans; count the h₀ node's
    assert _svg_subscripts(with_h0.read_text(), "h", "0") == 1 == _svg_subscripts(svg, "h", "0") + 1
    bad = CliRunner().invoke(cli, ["plot", "unroll", "--kind", "many-to-many", "--feedback",
                                   "-o", str(out)])
    assert bad.exit_code == 1 and "feedback" in bad.output and "Traceback" not in bad.output


def _box_to_segment(box, start, end, samples=400):
    """Distance in inches from a label's box to an arrow, by sampling the arrow (independent of
    the layout's own geometry code)."""
    t = np.linspace(0.0, 1.0, samples)[:, None]
    points = np.asarray(start) + t * (np.asarray(end) - np.asarray(start))
    dx = np.maximum(0.0, np.maximum(box.x0 - points[:, 0], points[:, 0] - box.x1))
    dy = np.maximum(0.0, np.maximum(box.y0 - points[:, 1], points[:, 1] - box.y1))
    return float(np.hypot(dx, dy).min())


def _labels_nearest_their_arrows(layout):
    """(label, edge it names, edge it is nearest to) for every weight label nearer another arrow."""
    wrong = []
    for text in (t for t in layout.texts if t.kind == "edge"):
        distances = [(_box_to_segment(text.box, a.start, a.end), a.edge) for a in layout.arrows]
        nearest = min(distances, key=lambda d: d[0])[1]
        if nearest is not text.edge:
            wrong.append((text.text, (text.edge.src, text.edge.dst), (nearest.src, nearest.dst)))
    return wrong


@pytest.mark.parametrize("aspect", ["16:9", "4:3"])
@pytest.mark.parametrize("T", [1, 2, 3, 4, 6])
def test_bidirectional_weight_labels_sit_on_their_own_arrows(aspect, T):
    layout = draw_graph(build_graph("bidirectional", T), Theme(aspect=aspect))._rnnkit_layout
    labels = [t for t in layout.texts if t.kind == "edge"]
    assert {t.text for t in labels} >= {"$U_{f}$", "$U_{b}$", "$V_{f}$", "$V_{b}$"}
    assert _labels_nearest_their_arrows(layout) == []


@pytest.mark.parametrize("kind", ["bidirectional", "many-to-many", "encoder-decoder"])
def test_weight_and_gradient_labels_sit_on_their_own_arrows_with_gradients(kind):
    layout = draw_graph(build_graph(kind, 3, grads=True), Theme())._rnnkit_layout
    assert _labels_nearest_their_arrows(layout) == []


def _lab(rgb):
    """CIELAB of an sRGB colour (D65), written out from the CIE formulas."""
    rgb = np.asarray(rgb, dtype=float)
    lin = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    xyz = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]]) @ lin
    f = np.cbrt(xyz / [0.95047, 1.0, 1.08883])   # every fill here is far above the linear toe
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


@pytest.mark.parametrize("style", ["light", "dark"])
def test_encoder_decoder_hand_off_h0_and_fills(style):
    from matplotlib.colors import to_hex, to_rgb
    from matplotlib.patches import FancyBboxPatch
    theme = Theme(style=style)
    fig = figures.unroll_figure("encoder-decoder", steps=3, theme=theme)
    layout = fig._rnnkit_layout
    # "context c = h_3" is the hand-off arrow's own label, nearest to it
    context = [t for t in layout.texts if "context" in t.text]
    assert [(t.edge.src, t.edge.dst) for t in context] == [("enc3", "dec1")]
    assert _labels_nearest_their_arrows(layout) == []
    # h_0 is drawn with the encoder states' border (empty: an initial state)
    boxes = {n.node.id: n.box for n in layout.nodes}
    edge_of = {}
    for patch in fig.findobj(FancyBboxPatch):
        for node_id, b in boxes.items():
            if abs(patch.get_x() - b.x0) < 1e-6 and abs(patch.get_y() - b.y0) < 1e-6:
                edge_of[node_id] = to_hex(patch.get_edgecolor())
    assert edge_of["h0"] == edge_of["enc1"] == edge_of["enc3"] != edge_of["x1"]
    # input and encoder-state fills clearly apart: CIE76 ΔE >= 15 (about six just-noticeable
    # differences; sky blue on blue, the encoder's colour before, was 7.8)
    delta = np.linalg.norm(_lab(to_rgb(theme.fill("x"))) - _lab(to_rgb(theme.fill("enc"))))
    assert delta >= 15, delta


def _overlaps(a, b):
    return a.x0 < b.x1 and b.x0 < a.x1 and a.y0 < b.y1 and b.y0 < a.y1


@pytest.mark.parametrize("tokens, gates", [
    (list("Beautiful is better than ugly."), True),        # 30 characters in half-slide panels
    ("Saya suka membaca buku ini setiap hari bersama teman-teman saya di perpustakaan .".split(), True),
    (["internationalisation"] * 12, False),                 # words far wider than their cells
    (list("x" * 100), False),                               # thinned to every 4th first
])
def test_hidden_heatmap_tick_labels_do_not_overlap(tokens, gates):
    rng = np.random.default_rng(0)
    T = len(tokens)
    fig = draw_hidden_heatmap(np.tanh(rng.normal(size=(64, T))), tokens, Theme(),
                              gates={k: rng.uniform(size=(64, T)) for k in "ifo"} if gates else None)
    measure_slide(fig)                                       # lays the figure out at slide size
    renderer = fig.canvas.get_renderer()
    for ax in (a for a in fig.axes if a.get_visible() and a.images):
        for labels in (ax.get_xticklabels(), ax.get_yticklabels()):
            boxes = [t.get_window_extent(renderer) for t in labels if t.get_visible() and t.get_text()]
            assert len(boxes) >= 2
            assert not [(i, j) for i in range(len(boxes)) for j in range(i + 1, len(boxes))
                        if _overlaps(boxes[i], boxes[j])], ax.get_title()
        # single characters stay upright
        if all(len(t) == 1 for t in tokens):
            assert all(t.get_rotation() == 0 for t in ax.get_xticklabels())


@pytest.mark.parametrize("aspect", ["16:9", "4:3"])
@pytest.mark.parametrize("grads", [True, False])
def test_lecture_figure_fills_the_slide_at_both_aspects(aspect, grads):
    theme = Theme(aspect=aspect)
    fig = figures.lecture_figure(grads=grads, theme=theme)      # at 4:3 too: laid out, not refused
    m = measure_slide(fig)
    assert m.fill >= 0.6 and m.inside and m.min_text >= theme.min_text_size, m
    assert _diagram.layout_problems(fig._rnnkit_layout, *theme.figsize) == []


def test_loss_panels_and_the_runs_own_loss_figure_draw_the_baseline_and_name_the_loss(tmp_path, monkeypatch):
    from rnnkit.runs import RunFolder
    import rnnkit.viz
    run = tmp_path / "run"
    run.mkdir()
    (run / "history.json").write_text(json.dumps(HISTORY))
    (run / "config.json").write_text(json.dumps({"cell": "gru"}))
    (run / "metrics.json").write_text(json.dumps({"headline_metric": "accuracy", "test": {},
                                                  "baseline": {"loss": 1.25, "accuracy": 0.3}}))
    loss_ax = figures.loss_figure([run], ["GRU"], metric="headline").axes[0]
    assert [1.25, 1.25] in [list(line.get_ydata()) for line in loss_ax.get_lines()]
    assert loss_ax.get_ylabel() == "cross-entropy (nats per prediction)"
    drawn = []
    monkeypatch.setattr(rnnkit.viz, "save", lambda fig, path, **kw: drawn.append(fig))
    RunFolder(run).write_loss_figures(HISTORY, "pos-tagging (gru)")
    RunFolder(run).write_loss_figures(HISTORY, "forecasting (gru)", loss="mse")
    (nats, *_), (squared, *_) = drawn[0].axes, drawn[-1].axes
    assert drawn[0].get_suptitle() == "" and not nats.get_title()          # no baked title
    assert nats.get_ylabel() == "cross-entropy (nats per prediction)"
    assert squared.get_ylabel().startswith("mean squared error")
    assert [1.25, 1.25] in [list(line.get_ydata()) for line in nats.get_lines()]
    legend = [t.get_text() for t in nats.get_legend().get_texts()]
    assert "pos-tagging (gru)" in legend and "baseline (test)" in legend


def test_bidirectional_gradients_lay_out_at_4_3_or_say_what_to_do(tmp_path):
    # T = 3 used to be refused on a 4:3 slide: it is drawn with its middle step left out
    fig = draw_graph(build_graph("bidirectional", 3, grads=True), Theme(aspect="4:3"))
    assert fig.get_size_inches().tolist() == [10, 7.5]
    assert "⋯" in {t.text for t in fig._rnnkit_layout.texts}
    assert _diagram.layout_problems(fig._rnnkit_layout) == []
    # T = 2 has no middle step to leave out: a user error naming the slide that fits, no traceback
    result = CliRunner().invoke(cli, ["plot", "unroll", "--kind", "bidirectional", "--grads",
                                      "--steps", "2", "--aspect", "4:3", "-o", str(tmp_path / "b.png")])
    assert result.exit_code == 1 and "16:9" in result.output and "fewer steps" not in result.output
    assert "bug" not in result.output and not (tmp_path / "b.png").exists()


def test_the_measured_canvas_is_the_saved_pngs_size(tmp_path):
    from rnnkit.viz import save
    for theme in (Theme(), Theme(aspect="4:3")):
        fig = draw_graph(build_graph("many-to-one", 3), theme)
        path = save(fig, tmp_path / "g.png")
        height, width = imread(path).shape[:2]
        assert measure_slide(fig).canvas == (width, height)
