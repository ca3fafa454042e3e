"""Backpropagation through time with the worked example's numbers (Goodfellow et al., fig. 10.3,
with the lecture's A, B, C, C -> B, C, C, D written in).

Left, the unrolled network with a loss node L_t on every output; the forward arrows are solid,
the gradients flowing back dashed in the theme's gradient colour: from each L_t into y_t and h_t,
and from h_{t+1} back into h_t through W. Each h_t node shows ∂L/∂h_t, each L_t its value.
Right, the product of Jacobians that carries the gradient k steps back::

    ∂h_t/∂h_{t−k}  ↔  ∏_{j=t−k+1}^{t} Wᵀ diag(1 − h_j²)

its norm against k, for the example's own h_j (tanh saturates: it vanishes) and for h_j = 0
(tanh′ = 1: W's spectral radius alone, it explodes). Below, ∂L/∂W as the sum over t of each
step's share δ_t h_{t−1}ᵀ (δ_t = ∂L/∂net_t), in units of 10⁻³.

The numbers come in a :class:`BpttNumbers` (computed by the engine's backward pass, see
``rnnkit.figures.bptt_numbers``); this module only draws them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ._diagram import measure
from ._sketch import Board
from .theme import Theme

#: The shares of ∂L/∂W are written in units of this (they are of the order of 10⁻³).
SHARE_SCALE = 1e-3


@dataclass
class BpttNumbers:
    """The worked example's backward pass; T steps, u units; arrays are NumPy.

    inputs, targets: the letters; losses: L_t per step (T,); loss: the model's L (their mean);
    dh: ∂L/∂h_t (T, u); shares: δ_t h_{t−1}ᵀ (T, u, u); dW: their sum, the engine's ∂L/∂W;
    jacobian_norms: {curve label: ‖∏ Wᵀ diag(1 − h_j²)‖₂ for k = 1, 2, ...}.
    """

    inputs: str
    targets: str
    losses: np.ndarray
    loss: float
    dh: np.ndarray
    shares: np.ndarray
    dW: np.ndarray
    jacobian_norms: dict


def _scaled(m):
    return [[f"{v / SHARE_SCALE:.1f}".replace("-0.0", "0.0") for v in row] for row in m]


def draw_bptt(numbers: BpttNumbers, theme: Theme | None = None, title: str | None = None):
    """The BPTT figure of `numbers`; returns a Figure. Its board (``fig._rnnkit_board``) has
    nodes "x1".., "h0", "h1".., "y1".., "L1".., the arrows (gradients dashed, role "grad"),
    arrays "share1".."shareT" ("share1" left out on 4:3, where it is written as 0) and "dW",
    and ``board.curves`` ({label: norms for k = 1, 2, ...}) of the Jacobian panel."""
    board = Board(theme)
    th, Wd, Ht = board.theme, board.width, board.height
    T = len(numbers.inputs)
    compact = Wd < 11
    margin = 0.35
    top = Ht - 0.3
    if title:
        board.text(Wd / 2, top - 0.2, title, size=th.title_size, weight="bold")
        top -= 0.55

    # -- bottom strip: dL/dW as the sum of the steps' shares ---------------------------------------
    strip_top = 2.05
    # 4:3 has no room for five matrices: step 1's share (δ₁h₀ᵀ = 0, h₀ = 0) is written as 0
    items = [("op", "0")] if compact else [("op", r"$\partial L/\partial W$ =")]
    for t in range(2 if compact else 1, T + 1):
        if len(items) > 1 or compact:
            items.append(("op", "+"))
        items.append(("array", f"share{t}", _scaled(numbers.shares[t - 1]),
                      rf"$\delta_{{{t}}} h_{{{t - 1}}}^\top$"))
    items += [("op", "="), ("array", "dW", _scaled(numbers.dW), r"$\partial L/\partial W$")]
    ops = th.label_size + 1
    widths = [board.array_width(it[2], it[3])[0] if it[0] == "array" else measure(it[1], ops)[0]
              for it in items]
    gap = max(0.08, min(0.3, (Wd - 2 * margin - sum(widths)) / (len(items) - 1)))
    x = (Wd - sum(widths) - gap * (len(items) - 1)) / 2
    label_h = 1.6 * th.label_size / 72
    op_y = strip_top - label_h - 0.08 - 0.05 - 1.5 * 1.45 * th.small_size / 72
    for it, w in zip(items, widths):
        if it[0] == "array":
            board.array(it[1], x, strip_top, it[2], it[3], role="grad" if it[1] == "dW" else None,
                        width=w)
        else:
            board.text(x + w / 2, op_y, it[1], size=ops)
        x += w + gap
    board.text(Wd / 2, 0.28, r"each step's share $\delta_t h_{t-1}^\top$ with "
               r"$\delta_t = \partial L/\partial \mathrm{net}_t$, in units of $10^{-3}$; "
               r"$h_0 = 0$: step 1 adds nothing", size=th.small_size)

    # -- the unrolled network with its losses, left --------------------------------------------------
    graph_right = Wd * (0.6 if compact else 0.64)
    rows = {"L": top - 0.45, "y": top - 1.6}
    rows["x"] = strip_top + 0.45
    rows["h"] = (rows["y"] + rows["x"]) / 2 - 0.05
    h0x = margin + 0.35
    pitch = (graph_right - 0.5 - h0x) / T
    board.node("h0", h0x, rows["h"], "$h_0$", "h0")
    for t in range(1, T + 1):
        cx = h0x + t * pitch
        board.node(f"x{t}", cx, rows["x"], f"$x_{{{t}}}$ = {numbers.inputs[t - 1]}", "x")
        dh = [f"{v:.3f}" for v in numbers.dh[t - 1]]
        board.node(f"h{t}", cx, rows["h"], f"$h_{{{t}}}$", "h",
                   values=[rf"$\partial L/\partial h_{{{t}}}$"] + dh)
        board.node(f"y{t}", cx, rows["y"], f"$y_{{{t}}}$", "y")
        board.node(f"L{t}", cx, rows["L"], f"$L_{{{t}}}$", "grad",
                   values=[f"target {numbers.targets[t - 1]}", f"{numbers.losses[t - 1]:.3f}"])
        board.arrow(f"x{t}", f"h{t}", "$U$", offset=(-0.22, 0))
    # forward (solid) above the centre line, gradient (dashed) below; vertical ones side by side
    dx = 0.14
    for t in range(1, T + 1):
        h, y, L = (board.nodes[f"{k}{t}"].box for k in "hyL")
        prev = board.nodes["h0" if t == 1 else f"h{t - 1}"].box
        board.path_arrow([(prev.x1 + 0.05, h.cy + 0.2), (h.x0 - 0.05, h.cy + 0.2)],
                         src=f"h{t - 1}", dst=f"h{t}")
        if t < T:
            nxt = board.nodes[f"h{t + 1}"].box
            board.path_arrow([(nxt.x0 - 0.05, h.cy - 0.2), (h.x1 + 0.05, h.cy - 0.2)],
                             src=f"h{t + 1}", dst=f"h{t}", role="grad", dashed=True)
        board.path_arrow([(h.cx - dx, h.y1 + 0.05), (h.cx - dx, y.y0 - 0.05)], src=f"h{t}", dst=f"y{t}")
        board.path_arrow([(y.cx - dx, y.y1 + 0.05), (y.cx - dx, L.y0 - 0.05)], src=f"y{t}", dst=f"L{t}")
        board.path_arrow([(L.cx + dx, L.y0 - 0.05), (y.cx + dx, y.y1 + 0.05)], src=f"L{t}", dst=f"y{t}",
                         role="grad", dashed=True)
        board.path_arrow([(y.cx + dx, y.y0 - 0.05), (h.cx + dx, h.y1 + 0.05)], src=f"y{t}", dst=f"h{t}",
                         role="grad", dashed=True)
    board.text(margin - 0.1, (rows["y"] + rows["h"]) / 2 + 0.2,
               f"$L$ = mean\nof the $L_t$\n= {numbers.loss:.3f}", ha="left", size=th.small_size,
               role="grad")

    # -- the Jacobian product's norm against k, right ------------------------------------------------
    board.curves = dict(numbers.jacobian_norms)
    _jacobian_panel(board, graph_right + 0.35, Wd - margin, strip_top + 0.3, top)
    return board.figure


def _jacobian_panel(board, left, right, bottom, top):
    """‖∏ Wᵀ diag(1 − h_j²)‖ against k on a log scale, drawn on the board in inches."""
    th = board.theme
    head = [r"$\|\prod\, W^\top \mathrm{diag}(1 - h_j^2)\|_2$", "k steps back"]
    board.text((left + right) / 2, top - 0.15, head[0], size=th.label_size)
    x0, x1 = left + 0.75, right - 0.1
    y0, y1 = bottom + 0.55, top - 0.5
    curves = board.curves
    kmax = max(len(v) for v in curves.values())
    logs = np.log10(np.concatenate([np.asarray(v, float) for v in curves.values()]))
    lo, hi = math.floor(logs.min()), math.ceil(logs.max()) + 1     # room for a label on top
    step = max(1, math.ceil((hi - lo) / 5))
    lo = hi - step * math.ceil((hi - lo) / step)

    def px(k):
        return x0 + (k - 1) / (kmax - 1) * (x1 - x0)

    def py(v):
        return y0 + (math.log10(v) - lo) / (hi - lo) * (y1 - y0)

    board.line([(x0, y1), (x0, y0), (x1, y0)], lw=1.2)
    for e in range(lo, hi + 1, step):
        board.line([(x0 - 0.06, py(10.0 ** e)), (x0, py(10.0 ** e))], lw=1.2)
        board.text(x0 - 0.1, py(10.0 ** e), f"$10^{{{e}}}$", ha="right", size=th.small_size)
    for k in sorted({1, kmax, *range(4, kmax, 4)}):
        board.text(px(k), y0 - 0.22, str(k), size=th.small_size)
    board.text((x0 + x1) / 2, y0 - 0.5, head[1], size=th.small_size)
    board.line([(x0, py(1.0)), (x1, py(1.0))], lw=1.0, dashed=True)
    vanish, explode = curves
    for (label, norms), role in zip(curves.items(), ("h", "grad")):
        pts = [(px(k), py(v)) for k, v in enumerate(norms, start=1)]
        board.line(pts, role=role, lw=2.6)
        for p in pts:
            board.ax.plot(*p, "o", markersize=5, color=board.ink(role), zorder=3)
    # the growing curve's label above it, top left; the vanishing one's in the empty wedge
    # between the line at 1 and that curve, right-aligned
    board.text(x0 + 0.15, y1 - 0.05, explode, ha="left", va="top", size=th.small_size,
               role="grad", backdrop=True)
    board.text(x1, py(1.0) - 0.12, vanish, ha="right", va="top", size=th.small_size, role="h",
               backdrop=True)
