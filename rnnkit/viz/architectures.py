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
    ("encoder-decoder", "machine translation", {"out_steps": 2, "teacher_forcing": True}),
)

#: Ways to arrange the four panels: rows of panel indices.
#: "three-one" heads each panel with two lines (kind above application): narrower, for 4:3.
ARRANGEMENTS = {"row": [[0, 1, 2, 3]], "grid": [[0, 1], [2, 3]], "three-one": [[0, 1, 2], [3]]}
_TWO_LINE_HEADS = {"three-one"}

LEGEND = (("x", "input"), ("h", "state"), ("y", "output"), ("enc", "encoder state"), ("dec", "decoder state"))


def draw_architectures(theme: Theme | None = None, steps: int = 3, layout: str = "auto",
                       title: str | None = None):
    """Draw the four architectures as titled panels; returns a ``matplotlib.figure.Figure``.

    Parameters
    ----------
    theme : Theme, optional
    steps : int
        Time steps per panel (the encoder-decoder has `steps` in and `steps` out).
    layout : {"auto", "row", "grid", "three-one"}
        "row": four panels in a row; "grid": two by two; "three-one": the three single-row
        kinds above the encoder-decoder; "auto": whichever shows the text largest on the theme's
        slide (4:3 is laid out anew, not shrunk).
    title : str, optional
        A title above the panels.
    """
    theme = theme or Theme()
    if layout != "auto" and layout not in ARRANGEMENTS:
        raise ValueError(f"layout must be 'auto', {', '.join(map(repr, ARRANGEMENTS))}, got {layout!r}")
    with theme.context():
        graphs = [(kind, app, build_graph(kind, steps, initial_state=False, **kw)) for kind, app, kw in PANELS]
        # one row pitch for every panel, so the rows of inputs, states and outputs line up
        first = [_diagram.layout_graph(g, theme) for _, _, g in graphs]
        rows = max(lay.row_pitch for lay in first) - 0.4  # shorter arrows: four panels share a slide
        panels = []
        for (kind, app, g), lay in zip(graphs, first):
            lay = _diagram.layout_graph(g, theme, col_pitch=lay.col_pitch, row_pitch=rows)
            panels.append((kind, app, lay))

        arrangements = {name: _arrange(panels, theme, rows, name in _TWO_LINE_HEADS)
                        for name, rows in ARRANGEMENTS.items()}
        width, height = theme.figsize
        title_h = _diagram.measure(title, theme.title_size, "bold")[1] + 0.2 if title else 0.0
        avail_w, avail_h = width - 2 * _diagram.SLIDE_MARGIN, height - 2 * _diagram.SLIDE_MARGIN - title_h

        def scale(name):
            need_w, need_h = arrangements[name][1]
            return min(_diagram.MAX_SCALE, avail_w / need_w, avail_h / need_h)

        if layout == "auto":
            layout = max(arrangements, key=scale)   # the arrangement that shows the text largest
        items, (need_w, need_h) = arrangements[layout]
        s = scale(layout)
        dx, dy = (width - need_w * s) / 2, _diagram.SLIDE_MARGIN + (avail_h - need_h * s) / 2
        fig = theme.figure()
        ax = _diagram.canvas_axes(fig, width, height)
        placed = []
        for lay in items:
            lay = lay.scaled(s).shifted(dx, dy)
            _diagram.render(ax, lay, theme)
            placed.append(lay)
        if title:
            tw, th = _diagram.measure(title, theme.title_size, "bold")
            box = _diagram.Box(width / 2, height - _diagram.SLIDE_MARGIN - th / 2, tw, th)
            head = _diagram.Layout(width, height, [], [], [_diagram.PlacedText(
                title, box, theme.title_size, None, "title", weight="bold")], [], [])
            _diagram.render(ax, head, theme)
            placed.append(head)
        fig._rnnkit_layout = placed
    return fig


def _arrange(panels, theme, rows, two_line_heads=False):
    """Place titled panels in `rows` (lists of panel indices), plus a colour legend below; sizes
    in inches."""
    # each panel is headed by one line, its kind in bold and its application beside it
    margin, gap_x, gap_y, word_gap = 0.0, 0.7, 0.25, 0.15
    title_fs = theme.base_size + 1
    titled = []
    for kind, app, lay in panels:
        kind_w, kind_h = _diagram.measure(kind, title_fs, "bold")
        app_w, app_h = _diagram.measure(app, theme.base_size)
        if two_line_heads:
            head_w, head = max(kind_w, app_w), kind_h + app_h + 0.25
        else:
            head_w, head = kind_w + word_gap + app_w, max(kind_h, app_h) + 0.2
        titled.append((kind, app, lay, max(lay.width, head_w), lay.height + head, head_w, head))
    nrows = len(rows)
    row_w = [sum(titled[i][3] for i in row) + gap_x * (len(row) - 1) for row in rows]
    row_h = [max(titled[i][4] for i in row) for row in rows]

    roles = [(role, text) for role, text in LEGEND]
    swatch = 0.28
    legend_items = [(role, text, _diagram.measure(text, theme.base_size)) for role, text in roles]
    legend_w = sum(swatch + 0.12 + w + 0.45 for _, _, (w, _) in legend_items) - 0.45
    legend_h = max(h for _, _, (_, h) in legend_items) + 0.1

    # the narrow arrangement puts the legend as a column beside its last row, saving height
    beside = two_line_heads
    line_h = legend_h + 0.08
    if beside:
        legend_col_w = max(swatch + 0.12 + w for _, _, (w, _) in legend_items)
        row_w[-1] += gap_x + legend_col_w
        row_h[-1] = max(row_h[-1], len(legend_items) * line_h)
    need_w = max(row_w + ([] if beside else [legend_w])) + 2 * margin
    need_h = sum(row_h) + gap_y * (nrows - 1) + (0.0 if beside else legend_h + 0.25) + 2 * margin

    items = []
    top = need_h - margin
    y_row = top
    for r, row in enumerate(rows):
        x_col = (need_w - row_w[r]) / 2   # each row centred, each panel as wide as it needs
        for i in row:
            kind, app, lay, w, h, head_w, head = titled[i]
            cx = x_col + w / 2
            body_top = y_row - head
            moved = lay.shifted(cx - lay.width / 2, body_top - lay.height - (row_h[r] - h))
            kind_w, kind_h = _diagram.measure(kind, title_fs, "bold")
            app_w, app_h = _diagram.measure(app, theme.base_size)
            if two_line_heads:
                kind_box = _diagram.Box(cx, y_row - kind_h / 2, kind_w, kind_h)
                app_box = _diagram.Box(cx, y_row - kind_h - 0.05 - app_h / 2, app_w, app_h)
            else:
                line_y, left = y_row - (head - 0.2) / 2, cx - head_w / 2
                kind_box = _diagram.Box(left + kind_w / 2, line_y, kind_w, kind_h)
                app_box = _diagram.Box(left + kind_w + word_gap + app_w / 2, line_y, app_w, app_h)
            texts = [_diagram.PlacedText(kind, kind_box, title_fs, None, "title", weight="bold"),
                     _diagram.PlacedText(app, app_box, theme.base_size, None, "title")]
            items.append(moved.with_texts(texts, moved.width, moved.height))
            x_col += w + gap_x
        legend_x, legend_top = x_col, y_row
        y_row -= row_h[r] + gap_y

    # the legend: a swatch in each role's colours and its name (in a row below, or a column)
    x = legend_x if beside else (need_w - legend_w) / 2
    y = (legend_top - (row_h[-1] - len(legend_items) * line_h) / 2 - line_h / 2 if beside
         else margin + legend_h / 2)
    legend_nodes, legend_texts = [], []
    for role, text, (w, h) in legend_items:
        legend_nodes.append(_diagram.PlacedNode(_Swatch(role), _diagram.Box(x + swatch / 2, y, swatch, swatch), ""))
        legend_texts.append(_diagram.PlacedText(text, _diagram.Box(x + swatch + 0.12 + w / 2, y, w, h),
                                                theme.base_size, None, "caption"))
        if beside:
            y -= line_h
        else:
            x += swatch + 0.12 + w + 0.45
    items.append(_diagram.Layout(need_w, need_h, legend_nodes, [], legend_texts, [], []))
    return items, (need_w, need_h)


class _Swatch:
    """A legend square: drawn like a node of `role` without a label."""

    def __init__(self, role):
        self.role = role
        self.id = f"legend-{role}"


def stacked_shapes(steps=3, units=8, features=1):
    """The output shape of each layer of the two stacks :func:`draw_stacked` draws, read from
    rnnkit's own layers (``compute_output_shape``, batch axis first): ``{return_sequences of the
    top layer: [shape of layer 1, shape of layer 2]}``."""
    from ..layers import SimpleRNN
    shapes = {}
    for top_sequences in (True, False):
        shape, out = (steps, features), []
        for layer in (SimpleRNN(units, return_sequences=True),
                      SimpleRNN(units, return_sequences=top_sequences)):
            shape = layer.compute_output_shape(shape)
            out.append(("batch", *shape))
        shapes[top_sequences] = out
    return shapes


def draw_stacked(theme: Theme | None = None, steps: int = 3, units: int = 8, title: str | None = None):
    """Two stacked SimpleRNNs side by side: the top layer with ``return_sequences=True`` (an
    output at every step) and with ``False`` (only the last state goes on). The lower layer
    returns its whole sequence in both: the upper one reads it step by step. Under each stack,
    its Keras lines and every layer's output shape from rnnkit's layers. Node ids: "<panel>-x1",
    "<panel>-a1" (layer 1), "<panel>-b1" (layer 2), "<panel>-y1", panel "seq" or "last"."""
    from ._diagram import measure
    from ._sketch import Board
    board = Board(theme)
    t, W, H = board.theme, board.width, board.height
    shapes = stacked_shapes(steps, units)
    top = H - 0.3
    if title:
        board.text(W / 2, top - 0.2, title, size=t.title_size, weight="bold")
        top -= 0.6
    code_size = t.small_size
    rows = [2.05, None, None, top - 1.0]                       # x, layer 1, layer 2, y
    rows[1] = rows[0] + (rows[3] - rows[0]) / 3
    rows[2] = rows[0] + 2 * (rows[3] - rows[0]) / 3
    half = W / 2
    for p, (panel, sequences) in enumerate((("seq", True), ("last", False))):
        left = p * half
        pitch = (half - 1.6) / steps
        board.text(left + half / 2, top - 0.15, f"return_sequences={sequences}",
                   size=t.base_size + 1, weight="bold")
        x0 = left + 1.1
        for k in range(1, steps + 1):
            x = x0 + (k - 0.5) * pitch
            board.node(f"{panel}-x{k}", x, rows[0], f"$x_{{{k}}}$", "x")
            board.node(f"{panel}-a{k}", x, rows[1], f"$h^{{(1)}}_{{{k}}}$", "h")
            # grey: a state the top layer computes but does not return
            passed_on = sequences or k == steps
            board.node(f"{panel}-b{k}", x, rows[2], f"$h^{{(2)}}_{{{k}}}$", "h" if passed_on else "enc")
            board.arrow(f"{panel}-x{k}", f"{panel}-a{k}")
            board.arrow(f"{panel}-a{k}", f"{panel}-b{k}")
            if k > 1:
                board.arrow(f"{panel}-a{k - 1}", f"{panel}-a{k}")
                board.arrow(f"{panel}-b{k - 1}", f"{panel}-b{k}")
            if passed_on:
                board.node(f"{panel}-y{k}", x, rows[3], f"$y_{{{k}}}$", "y")
                board.arrow(f"{panel}-b{k}", f"{panel}-y{k}")
        # the Keras lines and each layer's output shape, under the stack
        lines = [f"SimpleRNN({units}, return_sequences=True)  → {_shape(shapes[sequences][0])}",
                 f"SimpleRNN({units}, return_sequences={sequences})  → {_shape(shapes[sequences][1])}"]
        if max(measure(line, code_size)[0] for line in lines) > half - 0.3:   # 4:3: shape below
            lines = [part for line in lines for part in line.split("  ")]
        spacing = 1.0 / len(lines) + 0.12
        for i, line in enumerate(lines):
            board.text(left + half / 2, 1.4 - i * spacing, line, size=code_size)
    board.line([(half, 0.9), (half, top - 0.1)], lw=1.2)
    board.figure._rnnkit_shapes = shapes
    return board.figure


def _shape(shape):
    return "(" + ", ".join(str(s) for s in shape) + ")"
