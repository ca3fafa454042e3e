"""The bidirectional RNN as the textbooks draw it (Goodfellow et al., fig. 10.11; d2l.ai,
fig. 10.4.1): the inputs x_t in the bottom row, the forward chain h⃗ above them running left to
right, the backward chain h⃖ above that running right to left, and each output y_t on top fed
by both directions; under it, the three equations.

The weights carry the names of rnnkit's unrolled graph (``rnnkit plot unroll --kind
bidirectional``): U_f, W_f, V_f for the forward half and U_b, W_b, V_b for the backward half.
``Bidirectional(..., merge_mode="concat")`` followed by a Dense layer computes exactly
``y_t = g(V_f h⃗_t + V_b h⃖_t + b_hy)``: its V is ``[V_f V_b]`` acting on ``[h⃗_t; h⃖_t]``.

Two arrows of every step must cross the other direction's chain (x_t → h⃖_t crosses the forward
row, h⃗_t → y_t the backward one), as in the books; each is drawn over a gap in the background
colour so that the eye follows it. The states sit a little apart (forward left, backward right
of the step's column) so that those arrows pass between the other row's boxes.

Node ids: ``x<t>``, ``hf<t>`` (``hf0`` the initial forward state), ``hb<t>`` (``hb<T+1>`` the
initial backward state), ``y<t>``; the figure's ``_rnnkit_crossings`` lists the crossing arrows
with the chain arrow each crosses.
"""

from __future__ import annotations

from ..errors import ConfigError
from ._diagram import SLIDE_MARGIN, measure
from ._sketch import ARROW_LW, Board
from .theme import Theme

FWD, BWD = r"\overrightarrow{h}", r"\overleftarrow{h}"

#: The equations under the graph (the lecture's notation; f the states', g the outputs' activation).
EQUATIONS = (
    rf"${FWD}_t = f\,(U_f\, x_t + W_f\, {FWD}_{{t-1}} + b_{{xh,f}})$",
    rf"${BWD}_t = f\,(U_b\, x_t + W_b\, {BWD}_{{t+1}} + b_{{xh,b}})$",
    rf"$y_t = g\,(V_f\, {FWD}_t + V_b\, {BWD}_t + b_{{hy}}) = g\,(V\, [{FWD}_t;\ {BWD}_t] + b_{{hy}})$",
)

BOX_W, BOX_H = 0.78, 0.66
PITCH = (1.55, 2.6)           # inches between two steps: the least that keeps the labels apart
OFFSET = 0.22                 # states off the step's column, as a share of the pitch
LABEL_GAP = 0.08              # between an arrow and its label


def _math(name, t):
    return f"${name}_{{{t}}}$"


def draw_bidirectional(theme: Theme | None = None, steps: int = 3, title: str | None = None):
    """The textbook bidirectional RNN over `steps` steps (see the module docstring); returns the
    Figure, whose ``_rnnkit_board`` holds the boxes and arrows."""
    if steps < 2:
        raise ConfigError(f"--steps {steps}: a bidirectional RNN needs 2 steps or more to show "
                          f"its two directions")
    board = Board(theme)
    t, W = board.theme, board.width
    top = board.top(title, SLIDE_MARGIN)

    # the equations' band at the bottom, the graph's four rows above it
    eq_h = [measure(e, t.base_size)[1] + 0.16 for e in EQUATIONS]
    eq_top = SLIDE_MARGIN + sum(eq_h)
    rows = _rows(eq_top + 0.35, top)
    y_x, y_f, y_b, y_y = rows
    row_labels = ("forward", "backward")
    label_w = max(measure(s, t.base_size + 1, "bold")[0] for s in row_labels) + 0.35
    # columns: the initial forward state, the steps, the initial backward state
    avail = W - 2 * SLIDE_MARGIN - label_w - BOX_W
    pitch = min(PITCH[1], avail / (steps + 1 + 2 * OFFSET))
    if pitch < PITCH[0]:
        fits = max(n for n in range(1, steps) if avail / (n + 1 + 2 * OFFSET) >= PITCH[0])
        raise ConfigError(f"--steps {steps} does not fit a {t.aspect} slide with its labels at "
                          f"{t.min_text_size:g} pt or more; use --steps {fits} or less"
                          + (" or --aspect 16:9" if t.aspect != "16:9" else ""))
    s = OFFSET * pitch
    width = label_w + (steps + 1 + 2 * OFFSET) * pitch + BOX_W
    left = (W - width) / 2
    c0 = left + label_w + BOX_W / 2 + s           # the column of step 0 (h⃗_0 sits at c0 - s)

    def col(k):
        return c0 + k * pitch

    board.text(left, y_f, row_labels[0], ha="left", size=t.base_size + 1, weight="bold")
    board.text(left, y_b, row_labels[1], ha="left", size=t.base_size + 1, weight="bold")
    board.node("hf0", col(0) - s, y_f, _math(FWD, 0), "h0", w=BOX_W, h=BOX_H)
    board.node(f"hb{steps + 1}", col(steps + 1) + s, y_b, _math(BWD, steps + 1), "h0", w=BOX_W, h=BOX_H)
    for k in range(1, steps + 1):
        board.node(f"x{k}", col(k), y_x, _math("x", k), "x", w=BOX_W, h=BOX_H)
        board.node(f"hf{k}", col(k) - s, y_f, _math(FWD, k), "h", w=BOX_W, h=BOX_H)
        board.node(f"hb{k}", col(k) + s, y_b, _math(BWD, k), "h", w=BOX_W, h=BOX_H)
        board.node(f"y{k}", col(k), y_y, _math("y", k), "y", w=BOX_W, h=BOX_H)

    # the chains first: the arrows that cross them are drawn over a gap
    for k in range(1, steps + 1):
        _labelled(board, f"hf{k - 1}", f"hf{k}", "$W_f$", at=0.62, side=+1)
        _labelled(board, f"hb{k + 1}", f"hb{k}", "$W_b$", at=0.65, side=-1)
    crossings = []
    for k in range(1, steps + 1):
        _labelled(board, f"x{k}", f"hf{k}", "$U_f$", at=0.5, side=+1)
        _labelled(board, f"hb{k}", f"y{k}", "$V_b$", at=0.5, side=-1)
        _labelled(board, f"x{k}", f"hb{k}", "$U_b$", at=0.2, side=-1, over_gap=True)
        _labelled(board, f"hf{k}", f"y{k}", "$V_f$", at=0.82, side=+1, over_gap=True)
        if k < steps:
            crossings.append(((f"x{k}", f"hb{k}"), (f"hf{k}", f"hf{k + 1}")))
        if k > 1:
            crossings.append(((f"hf{k}", f"y{k}"), (f"hb{k}", f"hb{k - 1}")))

    y = eq_top
    for eq, h in zip(EQUATIONS, eq_h):
        board.text(W / 2, y - h / 2, eq, size=t.base_size)
        y -= h
    board.figure._rnnkit_crossings = crossings
    return board.figure


def _rows(bottom, top):
    """The centres of the four rows (x, h⃗, h⃖, y) between `bottom` and `top`, in inches."""
    pitch = (top - bottom - BOX_H) / 3
    return [bottom + BOX_H / 2 + i * pitch for i in range(4)]


def _labelled(board, src, dst, label, at, side, over_gap=False):
    """An arrow from `src` to `dst` with `label` beside it at fraction `at` of the way, on its
    left (`side` +1, seen along the arrow) or right (-1); `over_gap`: drawn over a gap in the
    background colour where it crosses another arrow."""
    a, b = board.nodes[src].box, board.nodes[dst].box
    if over_gap:       # its middle (where it crosses), wider and in the background colour, under it
        board.ax.plot([a.cx + 0.3 * (b.cx - a.cx), a.cx + 0.7 * (b.cx - a.cx)],
                      [a.cy + 0.3 * (b.cy - a.cy), a.cy + 0.7 * (b.cy - a.cy)],
                      color=board.theme.background, linewidth=ARROW_LW * 4, solid_capstyle="butt",
                      zorder=2)
    length = ((b.cx - a.cx) ** 2 + (b.cy - a.cy) ** 2) ** 0.5
    nx, ny = -(b.cy - a.cy) / length * side, (b.cx - a.cx) / length * side     # the normal on `side`
    w, h = measure(label, board.theme.label_size)
    dist = abs(nx) * w / 2 + abs(ny) * h / 2 + LABEL_GAP
    board.arrow(src, dst, label=label, label_at=at, offset=(nx * dist, ny * dist))
