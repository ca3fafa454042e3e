"""Karpathy's five panels (issue 16, point 7): structure read from the figure's board and text
extents from its artists (never pixels), at 16:9 and 4:3."""

import pytest
from click.testing import CliRunner
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch
from matplotlib.path import Path
from matplotlib.text import Text

from rnnkit import figures, plugins
from rnnkit.cli.main import cli
from rnnkit.viz import Theme
from rnnkit.viz.karpathy import PANELS
from test_viz_lecture import IDS, THEMES, assert_slide  # the slide rules of issue 16


def artist_overlaps(fig):
    """Texts that overlap each other or a box they are not written in, and arrows that pass
    through a box or a text: from the artists' extents on the Agg renderer."""
    renderer = FigureCanvasAgg(fig).get_renderer()
    fig.draw_without_rendering()
    ax = fig.axes[0]
    texts = [(t.get_text(), t.get_window_extent(renderer)) for t in fig.findobj(Text)
             if t.get_visible() and t.get_text().strip()]
    boxes = [p.get_window_extent(renderer) for p in ax.patches if isinstance(p, FancyBboxPatch)]
    # each arrow as its shaft and its head, polylines in display units
    arrows = [[Path(poly) for poly in ax.transData.transform_path(p.get_path()).to_polygons(closed_only=False)]
              for p in ax.patches if isinstance(p, FancyArrowPatch)]
    problems = []
    for i, (a, ea) in enumerate(texts):
        problems += [f"{a!r} overlaps {b!r}" for b, eb in texts[i + 1:] if ea.overlaps(eb)]
        centre = ((ea.x0 + ea.x1) / 2, (ea.y0 + ea.y1) / 2)           # a box's own label is in it
        problems += [f"{a!r} overlaps a box" for b in boxes
                     if not b.contains(*centre) and ea.overlaps(b)]
        problems += [f"{a!r} lies on an arrow" for parts in arrows
                     if any(part.intersects_bbox(ea, filled=False) for part in parts)]
    for parts in arrows:
        problems += ["an arrow passes through a box" for b in boxes
                     if any(part.intersects_bbox(b, filled=False) for part in parts)]
    return problems


@pytest.mark.parametrize("theme", THEMES, ids=IDS)
def test_karpathy_keeps_the_slide_rules_and_nothing_overlaps(theme):
    fig = figures.karpathy_figure(theme=theme)
    assert_slide(fig, theme)
    assert artist_overlaps(fig) == []


def _panel_marks(board, panel):
    nodes = {k[len(panel.kind) + 1:]: m for k, m in board.nodes.items()
             if k.startswith(panel.kind + "-")}
    arrows = [a for a in board.arrows if a.src.startswith(panel.kind + "-")]
    return nodes, arrows


@pytest.mark.parametrize("theme", THEMES[:2], ids=IDS[:2])
def test_karpathy_draws_five_panels_each_with_its_inputs_states_and_outputs(theme):
    fig = figures.karpathy_figure(theme=theme)
    board = fig._rnnkit_board
    assert [p.kind for p in fig._rnnkit_panels] == ["one-to-one", "one-to-many", "many-to-one",
                                                    "encoder-decoder", "many-to-many"]
    expected = {"one-to-one": (1, [1], [1]), "one-to-many": (3, [1], [1, 2, 3]),
                "many-to-one": (3, [1, 2, 3], [3]), "encoder-decoder": (5, [1, 2, 3], [4, 5]),
                "many-to-many": (3, [1, 2, 3], [1, 2, 3])}
    for panel in PANELS:
        steps, ins, outs = expected[panel.kind]
        nodes, arrows = _panel_marks(board, panel)
        assert sorted(nodes) == sorted([f"h{s}" for s in range(1, steps + 1)]
                                       + [f"x{s}" for s in ins] + [f"y{s}" for s in outs])
        assert {nodes[f"x{s}"].role for s in ins} == {"x"} and {nodes[f"y{s}"].role for s in outs} == {"y"}
        assert all(m.label == "" for m in nodes.values())              # Karpathy's empty boxes
        # an arrow into the state from each input, along the chain, out to each output
        assert len(arrows) == len(ins) + (steps - 1) + len(outs)
        pairs = {(a.src.split("-")[-1], a.dst.split("-")[-1]) for a in arrows}
        assert pairs == ({(f"x{s}", f"h{s}") for s in ins} | {(f"h{s}", f"h{s + 1}") for s in range(1, steps)}
                         | {(f"h{s}", f"y{s}") for s in outs})
        for a in arrows:                  # up from the inputs and to the outputs, right in time
            src, dst = board.nodes[a.src].box, board.nodes[a.dst].box
            assert (dst.cy > src.cy and dst.cx == pytest.approx(src.cx)) or \
                   (dst.cx > src.cx and dst.cy == pytest.approx(src.cy))
        # inputs below the states, outputs above, one row per role across the panel
        assert len({round(m.box.cy, 6) for m in nodes.values()}) == 3
        assert max(nodes[f"x{s}"].box.cy for s in ins) < nodes["h1"].box.cy < \
            min(nodes[f"y{s}"].box.cy for s in outs)
    texts = board.texts
    for caption in ("one to one", "image classification", "image captioning", "sentiment",
                    "machine", "POS tagging", "pos-tagging", "translation", "text-classification",
                    "image-caption"):
        assert any(caption in s.replace("\n", " ") for s in texts), caption
    assert {"input", "state", "output"} <= set(texts)


def test_each_panels_arch_is_a_built_in_of_that_shape():
    for panel in PANELS:
        if panel.arch is None:                 # one to one: no recurrence, no built-in
            assert panel.kind == "one-to-one"
            continue
        assert plugins.get(panel.arch).kind == panel.kind, panel


def test_one_row_when_it_fits_else_three_above_two():
    def rows(theme):
        board = figures.karpathy_figure(theme=theme)._rnnkit_board
        return sorted({round(board.nodes[f"{p.kind}-h1"].box.cy, 3) for p in PANELS})
    assert len(rows(THEMES[0])) == 1 and len(rows(THEMES[1])) == 2
    # larger text no longer fits one row at 16:9: three above two, still inside and readable
    big = Theme(base_size=18)
    assert len(rows(big)) == 2
    assert_slide(figures.karpathy_figure(theme=big), big)


def test_plot_architectures_karpathy_writes_the_figure(tmp_path):
    out = tmp_path / "karpathy.svg"
    result = CliRunner().invoke(cli, ["plot", "architectures", "--karpathy", "--aspect", "4:3",
                                      "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "<svg" in out.read_text()[:400] and "image captioning" in out.read_text()
