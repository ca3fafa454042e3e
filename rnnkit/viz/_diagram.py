"""Lay out and draw a node-and-arrow diagram (the unrolled graphs), measured in inches.

The layout works in inches from the start: every text is measured with the Agg renderer at its
final font size, node boxes are sized from their text, and the grid pitch is the smallest one that
keeps labels between the nodes they annotate. Edge labels are placed by trying positions beside
the arrow's midpoint and keeping the first that touches no node, arrow or other label. Because
the layout is plain data, :func:`layout_problems` can check it for overlaps and crossings without
looking at pixels.

Drawing uses one axes spanning the whole figure with limits equal to the figure size in inches,
so one data unit is one inch in both directions. :func:`fit_to_slide` then scales the laid-out
diagram (geometry and text together) to fill the theme's slide: the canvas never grows, and a
diagram that would need text below the theme's minimum size is reported as too large, so that the
caller compresses it (see ``unroll.draw_graph``).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field, replace
from functools import lru_cache

from matplotlib.backends.backend_agg import RendererAgg
from matplotlib.font_manager import FontProperties
from matplotlib.lines import Line2D
from matplotlib.patches import FancyBboxPatch, Polygon

# -- text ----------------------------------------------------------------------------------------

_SUBSCRIPTS = "₀₁₂₃₄₅₆₇₈₉"
_RIGHT_ARROW_ABOVE = "\u20d7"  # combining: h⃗ is a forward state
_LEFT_ARROW_ABOVE = "\u20d6"  # combining: h⃖ is a backward state
_MATH_SAFE = re.compile(r"^[A-Za-z∂/_ " + _SUBSCRIPTS + _RIGHT_ARROW_ABOVE + _LEFT_ARROW_ABOVE + r"]+$")


def to_mathtext(text: str) -> str:
    """Typeset a graph label like the lecture's equations.

    "x₁" -> $x_{1}$, "h⃗₂" -> $\\overrightarrow{h}_{2}$, "∂L/∂h₃" -> $\\partial L/\\partial h_{3}$,
    "U_enc" -> $U_{\\mathrm{enc}}$. Anything else (e.g. "<s>") is returned unchanged.
    """
    if not text or not _MATH_SAFE.match(text):
        return text
    out = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch in _SUBSCRIPTS:
            j = i
            while j < len(text) and text[j] in _SUBSCRIPTS:
                j += 1
            out.append("_{" + "".join(str(_SUBSCRIPTS.index(c)) for c in text[i:j]) + "}")
            i = j
        elif ch == "_":
            m = re.match(r"_([A-Za-z0-9]+)", text[i:])
            if not m:
                return text
            word = m.group(1)
            out.append("_{" + (r"\mathrm{" + word + "}" if len(word) > 1 else word) + "}")
            i += len(m.group(0))
        elif ch == "∂":
            out.append(r"\partial ")
            i += 1
        elif i + 1 < len(text) and text[i + 1] in (_RIGHT_ARROW_ABOVE, _LEFT_ARROW_ABOVE):
            accent = r"\overrightarrow" if text[i + 1] == _RIGHT_ARROW_ABOVE else r"\overleftarrow"
            out.append(accent + "{" + ch + "}")
            i += 2
        elif ch == " ":
            out.append(r"\ ")
            i += 1
        else:
            out.append(ch)
            i += 1
    return "$" + "".join(out) + "$"


@lru_cache(maxsize=1)
def _renderer():
    # 72 dpi: one pixel is one point, so measurements come back in points.
    return RendererAgg(1, 1, 72)


@lru_cache(maxsize=4096)
def measure(text: str, size: float, weight: str = "normal") -> tuple[float, float]:
    """Width and height of `text` in inches at font `size` (points), as Agg draws it; a text of
    several lines is as wide as its widest and 1.2 font sizes tall per line, as matplotlib sets it."""
    if "\n" in text:
        lines = [measure(line, size, weight) for line in text.split("\n")]
        return max(w for w, _ in lines), max(sum(h for _, h in lines), 1.2 * size * len(lines) / 72.0)
    ismath = text.count("$") >= 2
    prop = FontProperties(family="DejaVu Sans", size=size, weight=weight)
    width, height, _ = _renderer().get_text_width_height_descent(text, prop, ismath=ismath)
    if not ismath:
        # The renderer returns ink extents; a text line needs its full line height.
        height = max(height, 1.2 * size)
    return width / 72.0, height / 72.0


def wrap_value(text: str, size: float, max_width: float) -> list[str]:
    """Break a value such as "h₁=[0.197, 0.245, 0.291]" after '=' or ',' to fit `max_width` in."""
    lines: list[str] = []
    for raw in text.split("\n"):
        pieces = [p for p in re.split(r"(?<=[=,])\s*", raw) if p]
        line = ""
        for piece in pieces:
            joiner = "" if (not line or line.endswith("=")) else " "
            trial = line + joiner + piece
            if line and measure(trial, size)[0] > max_width:
                lines.append(line)
                line = piece
            else:
                line = trial
        lines.append(line)
    return lines


# -- geometry ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Box:
    """An axis-aligned rectangle given by its centre and size, in inches."""

    cx: float
    cy: float
    w: float
    h: float
    x0: float = field(init=False, repr=False, compare=False)
    x1: float = field(init=False, repr=False, compare=False)
    y0: float = field(init=False, repr=False, compare=False)
    y1: float = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        # the edges are read in every overlap test; compute them once
        object.__setattr__(self, "x0", self.cx - self.w / 2)
        object.__setattr__(self, "x1", self.cx + self.w / 2)
        object.__setattr__(self, "y0", self.cy - self.h / 2)
        object.__setattr__(self, "y1", self.cy + self.h / 2)

    def grown(self, by: float) -> "Box":
        return Box(self.cx, self.cy, self.w + 2 * by, self.h + 2 * by)

    def moved(self, dx: float, dy: float) -> "Box":
        return Box(self.cx + dx, self.cy + dy, self.w, self.h)

    def overlaps(self, other: "Box") -> bool:
        return self.x0 < other.x1 and other.x0 < self.x1 and self.y0 < other.y1 and other.y0 < self.y1

    def clip(self, p, q):
        """Liang–Barsky: the parameter interval [t0, t1] of segment p->q inside the box, or None."""
        t0, t1 = 0.0, 1.0
        dx, dy = q[0] - p[0], q[1] - p[1]
        for d, lo, hi, start in ((dx, self.x0, self.x1, p[0]), (dy, self.y0, self.y1, p[1])):
            if abs(d) < 1e-12:
                if start < lo or start > hi:
                    return None
                continue
            ta, tb = (lo - start) / d, (hi - start) / d
            if ta > tb:
                ta, tb = tb, ta
            t0, t1 = max(t0, ta), min(t1, tb)
            if t0 > t1:
                return None
        return t0, t1

    def hits_segment(self, p, q) -> bool:
        hit = self.clip(p, q)
        return hit is not None and hit[1] - hit[0] > 1e-9


def _box_distance(a: Box, b: Box) -> float:
    dx = max(0.0, a.x0 - b.x1, b.x0 - a.x1)
    dy = max(0.0, a.y0 - b.y1, b.y0 - a.y1)
    return math.hypot(dx, dy)


def _point_segment_distance(p, a, b) -> float:
    vx, vy = b[0] - a[0], b[1] - a[1]
    length2 = vx * vx + vy * vy
    t = 0.0 if length2 == 0 else max(0.0, min(1.0, ((p[0] - a[0]) * vx + (p[1] - a[1]) * vy) / length2))
    return math.hypot(p[0] - a[0] - t * vx, p[1] - a[1] - t * vy)


def _segment_distance(box: Box, p, q) -> float:
    """Distance between a box and the segment p-q (0 when they meet)."""
    if box.hits_segment(p, q):
        return 0.0
    corners = [(box.x0, box.y0), (box.x0, box.y1), (box.x1, box.y0), (box.x1, box.y1)]
    flat = Box(box.cx, box.cy, box.w, box.h)
    return min([_point_segment_distance(c, p, q) for c in corners]
               + [_box_distance(flat, Box(pt[0], pt[1], 0.0, 0.0)) for pt in (p, q)])


def _room(box: Box, obstacles, segments, cap: float = 0.6) -> float:
    """Free space around `box` (capped at `cap` inches): its distance to the nearest obstacle."""
    room = cap
    near = box.grown(cap)
    for o in obstacles:
        if near.overlaps(o):
            room = min(room, _box_distance(box, o))
    for p, q in segments:
        if near.clip(p, q) is not None:
            room = min(room, _segment_distance(box, p, q))
    return room


#: Where along its arrow (0 start … 1 end) an edge label may sit, the middle first. The far spots
#: serve arrows that cross another row (bidirectional): their middle lies among that row's arrows.
LABEL_SPOTS = (0.5, 0.42, 0.58, 0.34, 0.66, 0.26, 0.74, 0.2, 0.8, 0.14, 0.86)


def _ambiguous(box: Box, own, rivals) -> int:
    """1 when some other arrow comes as near `box` as its own arrow `own` (within
    ``NEAREST_MARGIN``): a reader would pair the label with the wrong arrow. Else 0."""
    reach = _segment_distance(box, *own) + NEAREST_MARGIN
    near = box.grown(reach)
    for p, q in rivals:
        if near.clip(p, q) is not None and _segment_distance(box, p, q) < reach:
            return 1
    return 0


def segments_cross(p1, p2, q1, q2, tol: float = 1e-9) -> bool:
    """True when segments p1p2 and q1q2 intersect (touching counts)."""

    def orient(a, b, c):
        return (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])

    def on_segment(a, b, c):
        return min(a[0], b[0]) - tol <= c[0] <= max(a[0], b[0]) + tol and min(a[1], b[1]) - tol <= c[
            1
        ] <= max(a[1], b[1]) + tol

    d1, d2 = orient(q1, q2, p1), orient(q1, q2, p2)
    d3, d4 = orient(p1, p2, q1), orient(p1, p2, q2)
    if ((d1 > tol and d2 < -tol) or (d1 < -tol and d2 > tol)) and (
        (d3 > tol and d4 < -tol) or (d3 < -tol and d4 > tol)
    ):
        return True
    return (
        (abs(d1) <= tol and on_segment(q1, q2, p1))
        or (abs(d2) <= tol and on_segment(q1, q2, p2))
        or (abs(d3) <= tol and on_segment(p1, p2, q1))
        or (abs(d4) <= tol and on_segment(p1, p2, q2))
    )


# -- layout --------------------------------------------------------------------------------------


@dataclass
class PlacedNode:
    node: object  # a Node from rnnkit.viz.unroll
    box: Box
    label: str  # mathtext
    value_lines: list = field(default_factory=list)


@dataclass
class PlacedArrow:
    edge: object  # an Edge
    start: tuple
    end: tuple
    dashed: bool
    role: str | None  # colour role, None for the muted arrow colour


@dataclass
class PlacedText:
    text: str
    box: Box
    size: float
    role: str | None  # colour role, None for the foreground colour
    kind: str  # "edge" | "caption" | "title"
    ha: str = "center"
    weight: str = "normal"
    backdrop: bool = False  # a background-coloured box under the text
    edge: object = None  # kind "edge": the Edge whose arrow this label names


@dataclass
class Layout:
    """Everything a diagram draws, in inches; (0, 0) is the lower-left corner of its extent."""

    width: float
    height: float
    nodes: list
    arrows: list
    texts: list
    rules: list  # (start, end, role): thin lines under captions
    problems: list  # what the label placer could not avoid
    col_pitch: float = 0.0  # inches between grid columns
    row_pitch: float = 0.0  # inches between grid rows
    scale: float = 1.0  # text sizes, line widths and node padding relative to the theme's

    def scaled(self, s: float) -> "Layout":
        """Everything `s` times larger (positions, boxes, text sizes), about the origin."""
        def sc(p):
            return (p[0] * s, p[1] * s)

        def box(b):
            return Box(b.cx * s, b.cy * s, b.w * s, b.h * s)

        return replace(
            self,
            width=self.width * s, height=self.height * s,
            nodes=[replace(n, box=box(n.box)) for n in self.nodes],
            arrows=[replace(a, start=sc(a.start), end=sc(a.end)) for a in self.arrows],
            texts=[replace(t, box=box(t.box), size=t.size * s) for t in self.texts],
            rules=[(sc(a), sc(b), r) for a, b, r in self.rules],
            col_pitch=self.col_pitch * s, row_pitch=self.row_pitch * s, scale=self.scale * s,
        )

    def text_sizes(self, theme) -> list:
        """Every font size this layout draws, in points (node labels and values included)."""
        sizes = [t.size for t in self.texts]
        for n in self.nodes:
            if n.label:
                sizes.append(theme.node_size * self.scale)
            if n.value_lines:
                sizes.append(theme.small_size * self.scale)
        return sizes

    def shifted(self, dx: float, dy: float) -> "Layout":
        def mv(p):
            return (p[0] + dx, p[1] + dy)

        return replace(
            self,
            nodes=[replace(n, box=n.box.moved(dx, dy)) for n in self.nodes],
            arrows=[replace(a, start=mv(a.start), end=mv(a.end)) for a in self.arrows],
            texts=[replace(t, box=t.box.moved(dx, dy)) for t in self.texts],
            rules=[(mv(s), mv(e), r) for s, e, r in self.rules],
        )

    def with_texts(self, extra: list, width: float, height: float) -> "Layout":
        return replace(self, texts=self.texts + list(extra), width=width, height=height)


NODE_PAD_X, NODE_PAD_Y = 0.14, 0.08
MIN_NODE_W, MIN_NODE_H = 0.62, 0.52
LABEL_PAD = 0.035  # the backdrop box around an edge label
CLEAR = 0.03  # minimum clearance kept between any two things
ARROW_OFFSET = 0.075  # half the distance between an arrow and its gradient twin
ARROW_GAP = 0.05  # space between an arrow's ends and the node boxes
MIN_ARROW = 0.42  # shortest visible arrow between two node boxes
NEAREST_MARGIN = 0.02  # an edge label is at least this much nearer its own arrow than any other
VALUE_MAX_WIDTH = 1.75


def _drawn_label(edge) -> bool:
    return bool(edge.label) and getattr(edge, "drawn_label", True)


def _label_role(edge):
    return "grad" if edge.kind == "grad" else None


def layout_graph(graph, theme, col_pitch: float | None = None, row_pitch: float | None = None,
                 rows_first: bool = True) -> Layout:
    """Place `graph`'s nodes, arrows, edge labels and captions; see the module docstring.

    The column pitch starts at the smallest value the text sizes allow and grows until every edge
    label finds a free spot (or a limit is reached; the layout then lists its ``problems``).
    A pitch given by the caller is used as is. ``rows_first``: make rows taller before columns
    wider (False: widen only, for a diagram that is short of height on the slide).
    """
    if col_pitch is not None:
        return _layout_once(graph, theme, col_pitch, row_pitch)
    # taller rows first (longer arrows give labels room without widening the figure), then wider
    layout = _layout_once(graph, theme, None, row_pitch, quick=True)
    cols, rows = layout.col_pitch, layout.row_pitch
    for step in range(16):
        if not layout.problems:
            layout = _layout_once(graph, theme, cols, rows)
            if not layout.problems:
                return layout
        if step < 6 and row_pitch is None and rows_first:
            rows *= 1.08
        else:
            cols *= 1.08
        layout = _layout_once(graph, theme, cols, rows, quick=True)
    return _layout_once(graph, theme, cols, rows)


def _layout_once(graph, theme, col_pitch: float | None, row_pitch: float | None, quick: bool = False) -> Layout:
    # quick: first free spot wins and the first unplaceable label ends the attempt (pitch search)
    node_fs, small_fs, label_fs = theme.node_size, theme.small_size, theme.label_size

    # 1. node boxes sized from their text; nodes without a value share one size for a calm grid
    sizes = {}
    for node in graph.nodes:
        label = to_mathtext(node.label)
        lw, lh = measure(label, node_fs)
        lines = wrap_value(node.value, small_fs, VALUE_MAX_WIDTH) if node.value else []
        vw = max((measure(line, small_fs)[0] for line in lines), default=0.0)
        vh = len(lines) * 1.2 * small_fs / 72.0
        w = max(lw, vw) + 2 * NODE_PAD_X
        h = lh + (vh + 0.04 if lines else 0.0) + 2 * NODE_PAD_Y
        sizes[node.id] = (label, lines, w, h)
    plain = [s for n, s in ((n, sizes[n.id]) for n in graph.nodes) if not s[1]]
    base_w = max([MIN_NODE_W] + [s[2] for s in plain])
    base_h = max([MIN_NODE_H] + [s[3] for s in plain])
    for node_id, (label, lines, w, h) in sizes.items():
        sizes[node_id] = (label, lines, max(w, base_w), max(h, base_h))

    edges = list(graph.edges) + list(graph.grad_edges)
    label_text = {id(e): getattr(e, "text", None) or to_mathtext(e.label) for e in edges}
    label_size = {id(e): measure(label_text[id(e)], label_fs) if _drawn_label(e) else (0.0, 0.0)
                  for e in edges}
    by_id = {n.id: n for n in graph.nodes}

    # 2. grid pitch: neighbours in a row leave room for the labels of the arrows between them
    if col_pitch is None:
        col_pitch = 0.9
        rows = {}
        for node in graph.nodes:
            rows.setdefault(node.xy[1], []).append(node)
        between = {}
        for e in edges:
            a, b = by_id[e.src], by_id[e.dst]
            if a.xy[1] == b.xy[1]:
                key = tuple(sorted((a.id, b.id)))
                between[key] = max(between.get(key, 0.0), label_size[id(e)][0])
        for row_nodes in rows.values():
            row_nodes = sorted(row_nodes, key=lambda n: n.xy[0])
            for a, b in zip(row_nodes, row_nodes[1:]):
                dcol = b.xy[0] - a.xy[0]
                key = tuple(sorted((a.id, b.id)))
                if key in between:
                    gap = max(MIN_ARROW, between[key] + 2 * (LABEL_PAD + CLEAR) + 0.1)
                else:
                    gap = 0.3  # no arrow between them
                need = (sizes[a.id][2] + sizes[b.id][2]) / 2 + gap
                col_pitch = max(col_pitch, need / dcol)
        # a label beside a vertical arrow must fit between this column and the next one; with
        # gradients, two labels (forward on the left, gradient on the right) share that gap
        vertical = [e for e in edges if by_id[e.src].xy[0] == by_id[e.dst].xy[0]]
        fwd = max((label_size[id(e)][0] for e in vertical if e.kind != "grad"), default=0.0)
        back = max((label_size[id(e)][0] for e in vertical if e.kind == "grad"), default=0.0)
        if vertical:
            per_label = 2 * (LABEL_PAD + CLEAR) + ARROW_OFFSET + 0.1
            col_pitch = max(col_pitch, fwd + back + per_label * (2 if back else 1))
    if row_pitch is None:
        tallest = max(s[3] for s in sizes.values())
        row_pitch = tallest + (0.85 if tallest < 1.0 else 0.6)  # tall nodes (values) leave less between

    def centre(node):
        return (node.xy[0] * col_pitch, node.xy[1] * row_pitch)

    placed = []
    boxes = {}
    for node in graph.nodes:
        label, lines, w, h = sizes[node.id]
        cx, cy = centre(node)
        boxes[node.id] = Box(cx, cy, w, h)
        placed.append(PlacedNode(node, boxes[node.id], label, lines))

    # 3. arrows: centre to centre, an arrow and its gradient twin shifted apart, cut at the boxes
    pairs = {(e.src, e.dst) for e in edges}
    arrows = []
    for e in edges:
        x0, y0 = boxes[e.src].cx, boxes[e.src].cy
        x1, y1 = boxes[e.dst].cx, boxes[e.dst].cy
        length = math.hypot(x1 - x0, y1 - y0)
        ux, uy = (x1 - x0) / length, (y1 - y0) / length
        if (e.dst, e.src) in pairs:
            # to the left of the direction of travel; an arrow that crosses the other row (the
            # backward state's V into y_t) to the right, so that its twin lies between it and its
            # sibling into the same node and its label has the outer side to itself
            side = -1 if getattr(e, "crosses", False) else 1
            nx, ny = -uy * ARROW_OFFSET * side, ux * ARROW_OFFSET * side
            x0, y0, x1, y1 = x0 + nx, y0 + ny, x1 + nx, y1 + ny
        t_out = boxes[e.src].clip((x0, y0), (x1, y1))[1]
        t_in = boxes[e.dst].clip((x0, y0), (x1, y1))[0]
        start = (x0 + (x1 - x0) * t_out + ux * ARROW_GAP, y0 + (y1 - y0) * t_out + uy * ARROW_GAP)
        end = (x0 + (x1 - x0) * t_in - ux * ARROW_GAP, y0 + (y1 - y0) * t_in - uy * ARROW_GAP)
        arrows.append(PlacedArrow(e, start, end, dashed=e.kind == "grad", role="grad" if e.kind == "grad" else None))

    # 4. captions (positions come from the graph, in grid units)
    texts, rules = [], []
    for cap in graph.captions:
        cw, ch = measure(cap.text, theme.base_size, "bold")
        cx, cy = cap.xy[0] * col_pitch, cap.xy[1] * row_pitch
        if getattr(cap, "over", None):
            above = boxes[cap.over]
            cx, cy = above.cx, above.y1 + ch / 2 + 0.1
        if cap.ha == "right":
            cx -= cw / 2
        texts.append(PlacedText(cap.text, Box(cx, cy, cw, ch), theme.base_size, cap.role, "caption",
                                weight="bold"))
        if cap.span is not None:
            a, b = by_id[cap.span[0]], by_id[cap.span[1]]
            left = boxes[a.id].x0
            right = boxes[b.id].x1
            # the rule sits between the caption and the nodes it names
            y = cy - ch / 2 - 0.06 if cy > boxes[a.id].cy else cy + ch / 2 + 0.06
            rules.append(((left, y), (right, y), cap.role))

    # 5. edge labels beside their arrows, first free spot wins
    problems = []
    obstacles = [b.grown(CLEAR) for b in boxes.values()] + [t.box.grown(CLEAR) for t in texts]
    segments = [(a.start, a.end) for a in arrows] + [(s, e) for s, e, _ in rules]
    seg_keys = [(a.edge.src, a.edge.dst) for a in arrows] + [None] * len(rules)
    seg_bounds = [(min(p[0], q[0]), min(p[1], q[1]), max(p[0], q[0]), max(p[1], q[1])) for p, q in segments]
    for arrow in arrows:
        e = arrow.edge
        if not _drawn_label(e):
            continue
        text = label_text[id(e)]
        w, h = label_size[id(e)]
        w, h = w + 2 * LABEL_PAD, h + 2 * LABEL_PAD
        (sx, sy), (ex, ey) = arrow.start, arrow.end
        length = math.hypot(ex - sx, ey - sy)
        ux, uy = (ex - sx) / length, (ey - sy) / length
        nx, ny = -uy, ux
        dist = abs(nx) * w / 2 + abs(ny) * h / 2 + 0.05
        own = {(e.src, e.dst), (e.dst, e.src)}
        others = [seg for seg, key in zip(segments, seg_keys) if key not in own]
        rivals = [(a.start, a.end) for a in arrows if a is not arrow]
        best, best_score = None, None
        for t in LABEL_SPOTS:
            for sign in (1, -1):
                box = Box(sx + (ex - sx) * t + sign * nx * dist, sy + (ey - sy) * t + sign * ny * dist, w, h)
                padded = box.grown(CLEAR)
                hits = sum(1 for o in obstacles if box.overlaps(o)) + sum(
                    1 for (p, q), (lo_x, lo_y, hi_x, hi_y) in zip(segments, seg_bounds)
                    if lo_x < padded.x1 and padded.x0 < hi_x and lo_y < padded.y1 and padded.y0 < hi_y
                    and padded.hits_segment(p, q)
                ) + _ambiguous(box, (arrow.start, arrow.end), rivals)
                # free spots first; among them the roomiest, near the middle of the arrow
                if quick and hits == 0:
                    best, best_score = box, (0, 0.0)
                    break
                room = _room(box, obstacles, others) if hits == 0 else 0.0
                score = (hits, -(room - 0.8 * abs(t - 0.5)))
                if best_score is None or score < best_score:
                    best, best_score = box, score
            if quick and best_score is not None and best_score[0] == 0:
                break
        best_hits = best_score[0]
        if quick and best_hits:
            problems.append("a label found no free spot")
            break
        if best_hits:
            problems.append(f"label {e.label!r} on {e.src}->{e.dst} overlaps {best_hits} thing(s)")
        obstacles.append(best.grown(CLEAR))
        texts.append(PlacedText(text, best, label_fs, _label_role(e), "edge", backdrop=True, edge=e))

    layout = Layout(0.0, 0.0, placed, arrows, texts, rules, problems, col_pitch, row_pitch)
    return _normalised(layout)


def _extent(layout: Layout):
    boxes = [n.box for n in layout.nodes] + [t.box for t in layout.texts]
    x0 = min(b.x0 for b in boxes)
    x1 = max(b.x1 for b in boxes)
    y0 = min(b.y0 for b in boxes)
    y1 = max(b.y1 for b in boxes)
    return x0, y0, x1, y1


def _normalised(layout: Layout) -> Layout:
    x0, y0, x1, y1 = _extent(layout)
    moved = layout.shifted(-x0, -y0)
    moved.width, moved.height = x1 - x0, y1 - y0
    return moved


#: Margin kept free around a diagram on the slide, in inches.
SLIDE_MARGIN = 0.3
#: Largest enlargement: beyond it a small diagram's text would shout.
MAX_SCALE = 2.2


class TooLarge(Exception):
    """A diagram that fits the slide only with text below the theme's minimum size."""

    def __init__(self, scale: float):
        super().__init__(f"the diagram fits the slide only at {scale:.2f} times its size")
        self.scale = scale


def fit_to_slide(layout: Layout, theme, title: str | None = None) -> Layout:
    """`layout` scaled to fill the theme's slide (with `title` on top), centred; raises
    :class:`TooLarge` when that would put any text below ``theme.min_text_size``."""
    width, height = theme.figsize
    title_h = measure(title, theme.title_size, "bold")[1] + 0.2 if title else 0.0
    avail_w = width - 2 * SLIDE_MARGIN
    avail_h = height - 2 * SLIDE_MARGIN - title_h
    s = min(MAX_SCALE, avail_w / layout.width, avail_h / layout.height)
    smallest = min(layout.text_sizes(theme))
    if smallest * s < theme.min_text_size - 1e-9:
        raise TooLarge(s)
    fitted = layout.scaled(s)
    fitted = fitted.shifted((width - fitted.width) / 2,
                            SLIDE_MARGIN + (avail_h - fitted.height) / 2)
    if title:
        tw, th = measure(title, theme.title_size, "bold")
        box = Box(width / 2, height - SLIDE_MARGIN - th / 2, tw, th)
        fitted = fitted.with_texts([PlacedText(title, box, theme.title_size, None, "title", weight="bold")],
                                   fitted.width, fitted.height)
    return fitted


def extent(layout: Layout):
    """(x0, y0, x1, y1): the bounding box of everything `layout` draws, in inches."""
    return _extent(layout)


def _declared_crossing(a: PlacedArrow, b: PlacedArrow) -> bool:
    # an arrow marked `crosses` may pass over a row's recurrent arrows (and their gradients), and
    # over the gradient twin of an arrow into the same node, next to that node
    if not getattr(a.edge, "crosses", False) or getattr(b.edge, "crosses", False):
        return False
    horizontal = b.edge.kind in ("state", "grad") and abs(b.start[1] - b.end[1]) < 1e-6
    same_node = b.edge.kind == "grad" and {a.edge.src, a.edge.dst} & {b.edge.src, b.edge.dst}
    return horizontal or bool(same_node)


def layout_problems(layout: Layout, width: float | None = None, height: float | None = None) -> list:
    """Overlaps and crossings in `layout`, in words; an empty list means a clean diagram.

    Checks: node boxes apart; labels and captions clear of nodes, of each other and of every
    arrow; no two arrows crossing; no arrow passing through a node it does not join; and, when a
    figure size is given, everything inside the figure.
    """
    problems = list(layout.problems)
    nodes = layout.nodes
    for i, a in enumerate(nodes):
        for b in nodes[i + 1 :]:
            if a.box.overlaps(b.box):
                problems.append(f"nodes {a.node.id} and {b.node.id} overlap")
    texts = layout.texts
    for i, t in enumerate(texts):
        for n in nodes:
            if t.box.overlaps(n.box):
                problems.append(f"text {t.text!r} overlaps node {n.node.id}")
        for u in texts[i + 1 :]:
            if t.box.overlaps(u.box):
                problems.append(f"texts {t.text!r} and {u.text!r} overlap")
        for a in layout.arrows:
            if t.box.hits_segment(a.start, a.end):
                problems.append(f"text {t.text!r} lies on arrow {a.edge.src}->{a.edge.dst}")
        if t.edge is not None:
            own = next(a for a in layout.arrows if a.edge is t.edge)
            rivals = [(a.start, a.end) for a in layout.arrows if a is not own]
            if _ambiguous(t.box, (own.start, own.end), rivals):
                problems.append(f"label {t.text!r} of {t.edge.src}->{t.edge.dst} is as near another arrow")
    arrows = layout.arrows
    for i, a in enumerate(arrows):
        for b in arrows[i + 1 :]:
            if _declared_crossing(a, b) or _declared_crossing(b, a):
                continue
            if segments_cross(a.start, a.end, b.start, b.end):
                problems.append(f"arrows {a.edge.src}->{a.edge.dst} and {b.edge.src}->{b.edge.dst} cross")
        for n in nodes:
            if n.node.id in (a.edge.src, a.edge.dst):
                continue
            if n.box.hits_segment(a.start, a.end):
                problems.append(f"arrow {a.edge.src}->{a.edge.dst} passes through node {n.node.id}")
    if width is not None and height is not None:
        for b, what in [(n.box, n.node.id) for n in nodes] + [(t.box, repr(t.text)) for t in texts]:
            if b.x0 < 0 or b.y0 < 0 or b.x1 > width or b.y1 > height:
                problems.append(f"{what} is clipped by the figure edge")
    return problems


# -- drawing -------------------------------------------------------------------------------------

HEAD_LENGTH, HEAD_WIDTH = 0.13, 0.095
ARROW_LW = 1.8


def _color(theme, role):
    return theme.muted if role is None else theme.ink(role)


def render(ax, layout: Layout, theme) -> None:
    """Draw `layout` on `ax`, whose data coordinates are inches."""
    s = layout.scale
    node_fs, small_fs = theme.node_size * s, theme.small_size * s
    # an initial state is drawn empty, in the colour of the states it starts (encoder or plain)
    role_of = {pn.node.id: pn.node.role for pn in layout.nodes}
    starts = {a.edge.src: role_of[a.edge.dst] for a in layout.arrows if role_of[a.edge.src] == "h0"}
    for pn in layout.nodes:
        b, role = pn.box, pn.node.role
        face = theme.background if role == "h0" else theme.fill(role)
        role = starts.get(pn.node.id, role) if role == "h0" else role
        ax.add_patch(
            FancyBboxPatch(
                (b.x0, b.y0), b.w, b.h,
                boxstyle=f"round,pad=0,rounding_size={min(0.12 * s, b.h / 4):.3f}",
                facecolor=face, edgecolor=theme.ink(role), linewidth=2.2 * s, zorder=3,
            )
        )
        if not pn.label:
            continue
        label_h = measure(pn.label, node_fs)[1]
        if pn.value_lines:
            top = b.y1 - NODE_PAD_Y * s
            ax.text(b.cx, top - label_h / 2, pn.label, ha="center", va="center",
                    fontsize=node_fs, color=theme.foreground, zorder=4)
            ax.text(b.cx, top - label_h - 0.04 * s, "\n".join(pn.value_lines), ha="center", va="top",
                    fontsize=small_fs, color=theme.foreground, linespacing=1.2, zorder=4)
        else:
            ax.text(b.cx, b.cy, pn.label, ha="center", va="center", fontsize=node_fs,
                    color=theme.foreground, zorder=4)

    for arrow in layout.arrows:
        color = _color(theme, arrow.role)
        (sx, sy), (ex, ey) = arrow.start, arrow.end
        length = math.hypot(ex - sx, ey - sy)
        ux, uy = (ex - sx) / length, (ey - sy) / length
        bx, by = ex - ux * HEAD_LENGTH * s, ey - uy * HEAD_LENGTH * s
        crosses = getattr(arrow.edge, "crosses", False)
        if crosses:
            # a gap in the background colour where it passes over another row's arrows
            ax.add_line(Line2D([sx, bx], [sy, by], color=theme.background, linewidth=ARROW_LW * s * 3,
                               solid_capstyle="butt", zorder=2.1))
        ax.add_line(Line2D([sx, bx], [sy, by], color=color, linewidth=ARROW_LW * s,
                           linestyle=(0, (4, 2.5)) if arrow.dashed else "-",
                           solid_capstyle="butt", dash_capstyle="butt", zorder=2.2 if crosses else 2))
        nx, ny = -uy * HEAD_WIDTH * s / 2, ux * HEAD_WIDTH * s / 2
        ax.add_patch(Polygon([(ex, ey), (bx + nx, by + ny), (bx - nx, by - ny)], closed=True,
                             facecolor=color, edgecolor=color, linewidth=0.8, zorder=2))

    for start, end, role in layout.rules:
        ax.add_line(Line2D([start[0], end[0]], [start[1], end[1]], color=_color(theme, role),
                           linewidth=2.0 * s, solid_capstyle="butt", zorder=1))

    for t in layout.texts:
        # captions stay in the foreground colour: some role colours are too light for text on white
        color = theme.ink(t.role) if (t.role is not None and t.kind != "caption") else theme.foreground
        x = {"center": t.box.cx, "left": t.box.x0, "right": t.box.x1}[t.ha]
        bbox = None
        if t.backdrop:
            bbox = dict(boxstyle=f"round,pad={LABEL_PAD * s * 72 / t.size:.3f}", facecolor=theme.background,
                        edgecolor="none")
        ax.text(x, t.box.cy, t.text, ha=t.ha, va="center", fontsize=t.size, color=color,
                fontweight=t.weight, bbox=bbox, zorder=5)


def canvas_axes(fig, width: float, height: float):
    """One axes over the whole figure whose data units are inches."""
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, width)
    ax.set_ylim(0, height)
    ax.set_axis_off()
    ax.patch.set_visible(False)
    return ax
