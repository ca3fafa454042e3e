"""The lecture's four RNN architectures, side by side, from the same Graph model as `unroll`.

one-to-many (image captioning), many-to-one (text classification), many-to-many synced (POS
tagging) and encoder-decoder (machine translation). Every panel uses the theme's role colours,
so inputs, states and outputs read the same way across panels.
"""

from __future__ import annotations

from . import _diagram
from .theme import Theme
from .unroll import build_graph

#: (kind, example application from the lecture, build_graph keyword arguments)
PANELS = (
    ("one-to-many", "image captioning", {}),
    ("many-to-one", "text classification", {}),
    ("many-to-many", "POS tagging", {}),
    ("encoder-decoder", "machine translation", {}),
)

LEGEND = (("x", "input"), ("h", "state"), ("y", "output"), ("enc", "encoder state"), ("dec", "decoder state"))


def draw_architectures(theme: Theme | None = None, steps: int = 3, layout: str = "auto"):
    """Draw the four architectures as titled panels; returns a ``matplotlib.figure.Figure``.

    Parameters
    ----------
    theme : Theme, optional
    steps : int
        Time steps per panel (the encoder-decoder has `steps` in and `steps` out).
    layout : {"auto", "row", "grid"}
        "row": four panels in a row; "grid": two by two; "auto": whichever shows the text larger
        on the theme's slide size.
    """
    theme = theme or Theme()
    if layout not in ("auto", "row", "grid"):
        raise ValueError(f"layout must be 'auto', 'row' or 'grid', got {layout!r}")
    with theme.context():
        graphs = [(kind, app, build_graph(kind, steps, initial_state=False, **kw)) for kind, app, kw in PANELS]
        # one row pitch for every panel, so the rows of inputs, states and outputs line up
        first = [_diagram.layout_graph(g, theme) for _, _, g in graphs]
        rows = max(lay.row_pitch for lay in first) - 0.3  # shorter arrows: four panels share a slide
        panels = []
        for (kind, app, g), lay in zip(graphs, first):
            lay = _diagram.layout_graph(g, theme, col_pitch=lay.col_pitch, row_pitch=rows)
            panels.append((kind, app, lay))

        arrangements = {"row": _arrange(panels, theme, ncols=4), "grid": _arrange(panels, theme, ncols=2)}
        if layout == "auto":
            # the arrangement needing the least enlargement of the slide shows the largest text
            layout = min(arrangements, key=lambda k: _diagram.fit_figsize(theme, *arrangements[k][1])[0]
                         / theme.figsize[0])
        items, (need_w, need_h) = arrangements[layout]
        width, height = _diagram.fit_figsize(theme, need_w, need_h)
        dx, dy = (width - need_w) / 2, (height - need_h) / 2
        fig = theme.figure(figsize=(width, height))
        ax = _diagram.canvas_axes(fig, width, height)
        placed = []
        for lay in items:
            lay = lay.shifted(dx, dy)
            _diagram.render(ax, lay, theme)
            placed.append(lay)
        fig._rnnkit_layout = placed
    return fig


def _arrange(panels, theme, ncols):
    """Place titled panels on a grid of `ncols` columns, plus a colour legend below; sizes in inches."""
    margin, gap_x, gap_y = 0.3, 0.7, 0.4
    title_fs = theme.base_size + 1
    titled = []
    for kind, app, lay in panels:
        kind_w, kind_h = _diagram.measure(kind, title_fs, "bold")
        app_w, app_h = _diagram.measure(app, theme.base_size)
        head = kind_h + app_h + 0.25
        titled.append((kind, app, lay, max(lay.width, kind_w, app_w), lay.height + head, kind_h, app_h))
    nrows = -(-len(titled) // ncols)
    col_w = [0.0] * ncols
    row_h = [0.0] * nrows
    for i, item in enumerate(titled):
        r, c = divmod(i, ncols)
        col_w[c] = max(col_w[c], item[3]) if ncols == 2 else col_w[c]
        row_h[r] = max(row_h[r], item[4])
    if ncols != 2:
        col_w = [item[3] for item in titled[:ncols]]  # a row: each panel as wide as it needs

    roles = [(role, text) for role, text in LEGEND]
    swatch = 0.28
    legend_items = [(role, text, _diagram.measure(text, theme.base_size)) for role, text in roles]
    legend_w = sum(swatch + 0.12 + w + 0.45 for _, _, (w, _) in legend_items) - 0.45
    legend_h = max(h for _, _, (_, h) in legend_items) + 0.1

    need_w = max(sum(col_w) + gap_x * (ncols - 1), legend_w) + 2 * margin
    need_h = sum(row_h) + gap_y * (nrows - 1) + legend_h + 0.35 + 2 * margin

    items = []
    top = need_h - margin
    y_row = top
    for r in range(nrows):
        x_col = margin + (need_w - 2 * margin - sum(col_w) - gap_x * (ncols - 1)) / 2
        for c in range(ncols):
            i = r * ncols + c
            if i >= len(titled):
                break
            kind, app, lay, w, h, kind_h, app_h = titled[i]
            cx = x_col + col_w[c] / 2
            body_top = y_row - (kind_h + app_h + 0.25)
            moved = lay.shifted(cx - lay.width / 2, body_top - lay.height - (row_h[r] - h))
            texts = [
                _diagram.PlacedText(kind, _diagram.Box(cx, y_row - kind_h / 2, *_diagram.measure(kind, title_fs, "bold")),
                                    title_fs, None, "title", weight="bold"),
                _diagram.PlacedText(app, _diagram.Box(cx, y_row - kind_h - 0.05 - app_h / 2,
                                                      *_diagram.measure(app, theme.base_size)),
                                    theme.base_size, None, "title"),
            ]
            items.append(moved.with_texts(texts, moved.width, moved.height))
            x_col += col_w[c] + gap_x
        y_row -= row_h[r] + gap_y

    # the legend: a swatch in each role's colours and its name
    x = (need_w - legend_w) / 2
    y = margin + legend_h / 2
    legend_nodes, legend_texts = [], []
    for role, text, (w, h) in legend_items:
        legend_nodes.append(_diagram.PlacedNode(_Swatch(role), _diagram.Box(x + swatch / 2, y, swatch, swatch), ""))
        legend_texts.append(_diagram.PlacedText(text, _diagram.Box(x + swatch + 0.12 + w / 2, y, w, h),
                                                theme.base_size, None, "caption"))
        x += swatch + 0.12 + w + 0.45
    items.append(_diagram.Layout(need_w, need_h, legend_nodes, [], legend_texts, [], []))
    return items, (need_w, need_h)


class _Swatch:
    """A legend square: drawn like a node of `role` without a label."""

    def __init__(self, role):
        self.role = role
        self.id = f"legend-{role}"
