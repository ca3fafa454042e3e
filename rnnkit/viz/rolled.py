"""The feedback network, rolled and unrolled: the lecture's "feedback network", "neuron dependent"
and "parameter sharing" slides in one picture (Goodfellow et al., fig. 10.2 and 10.3).

Left, the folded cell: x_t enters through U, the state h_t feeds itself back through W (the square
on the loop is the one-step delay: what comes back is h_{t−1}), y_t leaves through V; the biases
b_xh and b_hy and the activations f and g are drawn where they act. Right, the same cell unfolded
over T steps from h_0: every step carries the same U, W and V. Below, the two equations that both
pictures mean::

    h_t = f(U x_t + W h_{t−1} + b_xh)        y_t = g(V h_t + b_hy)
"""

from __future__ import annotations

from matplotlib.patches import Rectangle

from ._diagram import measure
from ._sketch import Board
from .theme import Theme

#: The two equations, in the lecture's notation (mathtext).
EQUATIONS = (r"$h_t = f\,(U x_t + W h_{t-1} + b_{xh})$", r"$y_t = g\,(V h_t + b_{hy})$")


def draw_rolled_unrolled(theme: Theme | None = None, steps: int = 4, activations=("tanh", "softmax"),
                         title: str | None = None):
    """The rolled cell beside its unrolled chain over `steps` steps; returns a Figure.

    `activations`: the names written for f and g (the lecture's example: tanh, softmax). The
    figure's board (``fig._rnnkit_board``) lists every node ("cell-x", "cell-h", "cell-y", then
    "h0", "x1", "h1", "y1", ...) and arrow with its label.
    """
    if not 1 <= int(steps) <= 6:
        raise ValueError(f"steps must be between 1 and 6 (one slide), got {steps!r}")
    board = Board(theme)
    t, W, H = board.theme, board.width, board.height
    eq_size = t.base_size + 5
    top = H - 0.35
    if title:
        board.text(W / 2, top - 0.2, title, size=t.title_size, weight="bold")
        top -= 0.6
    # equations at the bottom: one line if it fits the slide, else one per line
    gap = "      "
    one_line = EQUATIONS[0][:-1] + r"\quad\quad " + EQUATIONS[1][1:]
    if measure(one_line, eq_size)[0] < W - 1.0:
        board.text(W / 2, 0.55, EQUATIONS[0] + gap + EQUATIONS[1], size=eq_size)
        bottom = 1.15
    else:
        board.text(W / 2, 1.0, EQUATIONS[0], size=eq_size)
        board.text(W / 2, 0.4, EQUATIONS[1], size=eq_size)
        bottom = 1.6
    head_y = top - 0.15
    rows = [bottom + 0.55, None, top - 1.05]             # x, h, y row centres
    rows[1] = (rows[0] + rows[2]) / 2

    # -- the rolled cell, left --------------------------------------------------------------------
    f_name, g_name = activations
    compact = W < 11                                      # 4:3: a tighter rolled cell
    cx = 1.5 if compact else 2.1
    lead, reach, gap = (0.6, 1.0, 0.3) if compact else (0.85, 1.45, 0.5)
    head = "rolled: one cell, a loop"
    head_w = measure(head, t.base_size + 1, "bold")[0]
    board.text(max(cx + 0.25, head_w / 2 + 0.4), head_y, head, size=t.base_size + 1, weight="bold")
    board.node("cell-x", cx, rows[0], "$x_t$", "x")
    board.node("cell-h", cx, rows[1], "$h_t$", "h", values=[f"$f$ = {f_name}"])
    board.node("cell-y", cx, rows[2], "$y_t$", "y", values=[f"$g$ = {g_name}"])
    board.arrow("cell-x", "cell-h", "$U$", offset=(-0.25, 0))
    board.arrow("cell-h", "cell-y", "$V$", offset=(-0.25, 0))
    hb = board.nodes["cell-h"].box
    yb = board.nodes["cell-y"].box
    for node, box, bias in (("cell-h", hb, "$b_{xh}$"), ("cell-y", yb, "$b_{hy}$")):
        board.arrow((min(hb.x0, yb.x0) - lead, box.cy), node, bias, label_at=0.0, offset=(0, 0.26),
                    label_ha="left")
    # the loop: out of h_t's right side, through the delay square, back in as h_{t-1}
    x1, cy = hb.x1, hb.cy
    board.path_arrow([(x1, cy + 0.16), (x1 + reach, cy + 0.8 * reach), (x1 + reach, cy - 0.8 * reach),
                      (x1 + 0.04, cy - 0.16)], src="cell-h", dst="cell-h", curved=True,
                     label="$W$", label_xy=(x1 + 0.75 * reach + 0.2, cy + 0.05), label_ha="left")
    side = 0.16
    board.ax.add_patch(Rectangle((x1 + 0.75 * reach - side / 2, cy - side / 2), side, side,
                                 facecolor=t.foreground, edgecolor=t.foreground, zorder=4))
    board.text(x1 + 0.75 * reach + 0.2, cy - 0.55, "$h_{t-1}$", size=t.label_size, ha="left")

    # -- unfold arrow -------------------------------------------------------------------------------
    left = x1 + reach + gap
    span = 0.6 if compact else 0.75
    board.path_arrow([(left, rows[1]), (left + span, rows[1])], label="unfold",
                     label_xy=(left + span / 2, rows[1] + 0.35))

    # -- the unrolled chain, right ----------------------------------------------------------------
    start, end = left + span + gap, W - (0.35 if compact else 0.55)
    h0x = start + 0.35
    pitch = (end - 0.35 - h0x) / steps
    board.text((start + end) / 2, head_y, "unrolled: the same U, W, V at each step",
               size=t.base_size + 1, weight="bold")
    board.node("h0", h0x, rows[1], "$h_0$", "h0")
    prev = "h0"
    for k in range(1, steps + 1):
        x = h0x + k * pitch
        board.node(f"x{k}", x, rows[0], f"$x_{{{k}}}$", "x")
        board.node(f"h{k}", x, rows[1], f"$h_{{{k}}}$", "h")
        board.node(f"y{k}", x, rows[2], f"$y_{{{k}}}$", "y")
        board.arrow(f"x{k}", f"h{k}", "$U$", offset=(-0.25, 0))
        board.arrow(f"h{k}", f"y{k}", "$V$", offset=(-0.25, 0))
        board.arrow(prev, f"h{k}", "$W$", offset=(0, 0.26))
        prev = f"h{k}"
    return board.figure
