"""A small drawing board for the lecture's hand-placed diagrams (rolled cell, LSTM/GRU cells, BPTT,
teacher forcing): boxes, arrows and texts placed in inches on one slide, recorded as data.

The unrolled graphs have a grid and an automatic layout (:mod:`rnnkit.viz._diagram`); these
pictures are drawn the way the textbooks draw them, so each figure places its own marks. The board
keeps what it drew (:attr:`Board.nodes`, :attr:`Board.arrows`, :attr:`Board.texts`) so that a test
reads a figure's structure and numbers from its data, never from pixels; the figure carries its
board as ``fig._rnnkit_board``.

Drawing uses one axes over the whole figure whose data units are inches (as the unrolled graphs
do), the theme's role colours, node faces and arrow weights, so every figure reads alike.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from matplotlib.patches import Circle, FancyArrowPatch, FancyBboxPatch
from matplotlib.path import Path

from ._diagram import Box, canvas_axes, measure
from .theme import Theme

ARROW_LW = 1.8
NODE_LW = 2.2


@dataclass
class Mark:
    """A node drawn on the board: its id, colour role, label (mathtext) and box in inches."""

    id: str
    role: str | None
    label: str
    box: Box
    values: list = field(default_factory=list)


@dataclass
class ArrowMark:
    """An arrow from node `src` to node `dst` (ids, or None for a free end), with its label."""

    src: str | None
    dst: str | None
    label: str | None
    role: str | None
    dashed: bool = False


@dataclass
class ArrayMark:
    """A vector or matrix drawn as a bracketed column of numbers: its label and its texts."""

    id: str
    label: str
    rows: list
    box: Box


class Board:
    """One slide of the theme, to draw marks on in inches; ``figure`` is the matplotlib Figure."""

    def __init__(self, theme: Theme | None = None):
        self.theme = theme or Theme()
        self.width, self.height = self.theme.figsize
        self.figure = self.theme.figure()
        self.ax = canvas_axes(self.figure, self.width, self.height)
        self.nodes: dict[str, Mark] = {}
        self.arrows: list[ArrowMark] = []
        self.texts: list[str] = []
        self.arrays: dict[str, ArrayMark] = {}
        self.figure._rnnkit_board = self

    # -- colours ---------------------------------------------------------------------------------
    def ink(self, role):
        return self.theme.muted if role is None else self.theme.ink(role)

    # -- marks -----------------------------------------------------------------------------------
    def node(self, node_id, cx, cy, label, role, w=None, h=None, values=(), size=None,
             shape="box"):
        """A rounded box (or a circle, ``shape="circle"``) of `role`'s colours with `label` and,
        below it, value lines; sized from its text unless `w`/`h` are given."""
        t = self.theme
        size = size or t.node_size
        values = list(values)
        lw, lh = measure(label, size) if label else (0.0, 0.0)
        vw = max((measure(v, t.small_size)[0] for v in values), default=0.0)
        vh = sum(measure(v, t.small_size)[1] * 1.1 for v in values)
        w = w or max(0.62, max(lw, vw) + 0.28)
        h = h or max(0.52, lh + vh + 0.16 + (0.06 if values else 0))
        box = Box(cx, cy, w, h)
        face = self.theme.background if role in (None, "h0") else t.fill(role)
        edge = self.ink(role)
        if shape == "circle":
            self.ax.add_patch(Circle((cx, cy), w / 2, facecolor=face, edgecolor=edge,
                                     linewidth=NODE_LW, zorder=3))
        else:
            self.ax.add_patch(FancyBboxPatch(
                (box.x0, box.y0), w, h, boxstyle=f"round,pad=0,rounding_size={min(0.12, h / 4):.3f}",
                facecolor=face, edgecolor=edge, linewidth=NODE_LW, zorder=3))
        if values:
            top = box.y1 - 0.08
            self.ax.text(cx, top - lh / 2, label, ha="center", va="center", fontsize=size,
                         color=t.foreground, zorder=4)
            self.ax.text(cx, top - lh - 0.04, "\n".join(values), ha="center", va="top",
                         fontsize=t.small_size, color=t.foreground, linespacing=1.1, zorder=4)
        elif label:
            self.ax.text(cx, cy, label, ha="center", va="center", fontsize=size,
                         color=t.foreground, zorder=4)
        self.nodes[node_id] = Mark(node_id, role, label, box, values)
        if label:
            self.texts.append(label)
        self.texts.extend(values)
        return self.nodes[node_id]

    def text(self, x, y, s, size=None, ha="center", va="center", role=None, weight="normal",
             backdrop=False, color=None):
        """A text at (x, y) inches; `role` colours it (captions stay in the foreground colour)."""
        t = self.theme
        bbox = dict(boxstyle="round,pad=0.1", facecolor=t.background, edgecolor="none") if backdrop else None
        self.ax.text(x, y, s, ha=ha, va=va, fontsize=size or t.label_size, fontweight=weight,
                     color=color or (self.ink(role) if role else t.foreground), bbox=bbox, zorder=5)
        self.texts.append(s)

    def top(self, title=None, margin=0.3):
        """The highest y (inches) free for drawing: below `title`, written centred on top, if
        given; else `margin` below the slide's top edge."""
        top = self.height - margin
        if title:
            self.text(self.width / 2, top - 0.2, title, size=self.theme.title_size, weight="bold")
            top -= 0.6
        return top

    @staticmethod
    def _column_widths(rows, size):
        return [max(measure(r[j], size)[0] for r in rows) for j in range(len(rows[0]))]

    def array_width(self, rows, label, size=None):
        """(width with the label, width of the bracketed numbers) of :meth:`array`, in inches."""
        size = size or self.theme.small_size
        col_w = self._column_widths(rows, size)
        body_w = sum(col_w) + 0.22 * (len(col_w) - 1) + 0.3
        return max(body_w, measure(label, self.theme.label_size)[0]), body_w

    def array(self, array_id, left, top, rows, label, role=None, size=None, width=None):
        """A vector or matrix as the slides write it: `rows` of texts in square brackets (on
        `role`'s face colour), `label` (mathtext) above; its top-left corner at (left, top);
        at least `width` inches wide. Returns the box it takes, label included."""
        t = self.theme
        size = size or t.small_size
        row_h = 1.45 * size / 72
        col_w = self._column_widths(rows, size)
        natural, body_w = self.array_width(rows, label, size)
        width = max(natural, width or 0.0)
        body_h = len(rows) * row_h + 0.1
        label_h = 1.6 * t.label_size / 72       # one height for every label: rows line up
        cx = left + width / 2
        self.ax.text(cx, top - label_h / 2, label, ha="center", va="center", fontsize=t.label_size,
                     color=t.foreground, zorder=5)
        body_top = top - label_h - 0.08
        x0, x1, y1, y0 = cx - body_w / 2, cx + body_w / 2, body_top, body_top - body_h
        if role is not None:
            self.ax.add_patch(FancyBboxPatch((x0, y0), body_w, body_h, boxstyle="round,pad=0,rounding_size=0.06",
                                             facecolor=t.fill(role), edgecolor="none", zorder=1))
        ink = self.ink(role) if role is not None else t.foreground
        for x, d in ((x0, 0.07), (x1, -0.07)):           # the brackets
            self.ax.plot([x + d, x, x, x + d], [y1, y1, y0, y0], color=ink, linewidth=1.6,
                         solid_capstyle="butt", zorder=2)
        x = x0 + 0.15
        for j, w in enumerate(col_w):
            for i, r in enumerate(rows):
                self.ax.text(x + w, y1 - 0.05 - (i + 0.5) * row_h, r[j], ha="right", va="center",
                             fontsize=size, color=t.foreground, zorder=5)
            x += w + 0.22
        box = Box(cx, (top + y0) / 2, width, top - y0)
        self.arrays[array_id] = ArrayMark(array_id, label, [list(r) for r in rows], box)
        self.texts.append(label)
        self.texts.extend(v for r in rows for v in r)
        return box

    def _anchor(self, end, toward):
        """The point where the line from node `end`'s centre to `toward` leaves its box."""
        if isinstance(end, tuple):
            return end
        b = self.nodes[end].box
        if math.isclose(b.cx, toward[0]) and math.isclose(b.cy, toward[1]):
            return (b.cx, b.cy)
        hit = b.clip((b.cx, b.cy), toward)
        t = hit[1] if hit else 0.0
        gap = 0.05 / max(1e-9, math.hypot(toward[0] - b.cx, toward[1] - b.cy))
        t = min(1.0, t + gap)
        return (b.cx + t * (toward[0] - b.cx), b.cy + t * (toward[1] - b.cy))

    def _centre(self, end):
        return end if isinstance(end, tuple) else (self.nodes[end].box.cx, self.nodes[end].box.cy)

    def arrow(self, src, dst, label=None, role=None, dashed=False, label_at=0.5, offset=(0.0, 0.0),
              label_ha="center"):
        """An arrow from `src` to `dst` (node ids or (x, y) points), clipped at the node boxes;
        `label` (mathtext) sits at fraction `label_at` along it, moved by `offset` inches."""
        p = self._anchor(src, self._centre(dst))
        q = self._anchor(dst, self._centre(src))
        color = self.ink(role)
        self.ax.add_patch(FancyArrowPatch(
            p, q, arrowstyle="-|>,head_length=0.45,head_width=0.22", mutation_scale=20,
            color=color, linewidth=ARROW_LW,
            linestyle=(0, (4, 2.5)) if dashed else "-", shrinkA=0, shrinkB=0, zorder=2))
        if label:
            x = p[0] + label_at * (q[0] - p[0]) + offset[0]
            y = p[1] + label_at * (q[1] - p[1]) + offset[1]
            self.text(x, y, label, ha=label_ha, role=role, backdrop=True)
        self.arrows.append(ArrowMark(src if isinstance(src, str) else None,
                                     dst if isinstance(dst, str) else None, label, role, dashed))

    def path_arrow(self, points, src=None, dst=None, label=None, role=None, label_xy=None,
                   dashed=False, curved=False, label_ha="center", backdrop=True):
        """An arrow along `points` (straight segments, or one cubic Bézier with ``curved`` and
        four points), recorded as going from `src` to `dst`."""
        codes = ([Path.MOVETO] + [Path.CURVE4] * 3) if curved else \
            [Path.MOVETO] + [Path.LINETO] * (len(points) - 1)
        color = self.ink(role)
        self.ax.add_patch(FancyArrowPatch(
            path=Path(points, codes), arrowstyle="-|>,head_length=0.45,head_width=0.22",
            mutation_scale=20, color=color, linewidth=ARROW_LW,
            linestyle=(0, (4, 2.5)) if dashed else "-", zorder=2))
        if label:
            self.text(*label_xy, label, role=role, backdrop=backdrop, ha=label_ha)
        self.arrows.append(ArrowMark(src, dst, label, role, dashed))

    def line(self, points, role=None, lw=ARROW_LW, dashed=False):
        """A plain polyline (no head), e.g. a wire that branches."""
        xs, ys = zip(*points)
        self.ax.plot(xs, ys, color=self.ink(role), linewidth=lw, zorder=2,
                     linestyle=(0, (4, 2.5)) if dashed else "-", solid_capstyle="round")

    def extent(self, renderer):
        """(x0, y0, x1, y1) in inches: the box around everything drawn (what `measure_slide`
        reads for the fill and margins; the canvas axes itself spans the whole slide)."""
        artists = [a for a in (*self.ax.patches, *self.ax.texts, *self.ax.lines) if a.get_visible()]
        boxes = [a.get_window_extent(renderer) for a in artists]
        dpi = self.figure.dpi
        return (min(b.x0 for b in boxes) / dpi, min(b.y0 for b in boxes) / dpi,
                max(b.x1 for b in boxes) / dpi, max(b.y1 for b in boxes) / dpi)

    def labels_of(self, src=None, dst=None):
        """The labels of the arrows from `src` and/or to `dst` (for tests)."""
        return [a.label for a in self.arrows
                if (src is None or a.src == src) and (dst is None or a.dst == dst)]
