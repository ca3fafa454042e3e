"""The LSTM and GRU cells drawn the way students know them (colah's "Understanding LSTM Networks",
d2l.ai ch. 10): the state line across the top, the gate layers in a row fed from [h_{t−1}, x_t]
below, pointwise ⊙, + and 1− as circles, in rnnkit's notation (``docs/bptt.md`` and the layers'
docstrings)::

    LSTM  i_t = σ(U_i x_t + W_i h_{t−1} + b_i)   f_t, o_t alike;  c̃_t = g(U_c x_t + W_c h_{t−1} + b_c)
          c_t = f_t ⊙ c_{t−1} + i_t ⊙ c̃_t        h_t = o_t ⊙ g(c_t)
    GRU   z_t = σ(U_z x_t + W_z h_{t−1} + b_z)   r_t alike;  h̃_t = g(U_h x_t + r_t ⊙ (W_h h_{t−1} + b_h^rec) + b_h^in)
          h_t = z_t ⊙ h_{t−1} + (1 − z_t) ⊙ h̃_t

Each gate layer is a box with its nonlinearity (σ or tanh) and its parameters. With ``values``
(from :func:`rnnkit.figures.cell_step_values`: one step of a real layer) every wire also carries
its numbers, first units only.
"""

from __future__ import annotations

import numpy as np

from ._sketch import Board
from .theme import CELL_NAMES, Theme

#: Units whose values are written on the wires (the rest would not fit a slide).
SHOWN_UNITS = 2


def _vec(v):
    return "[" + ", ".join(f"{float(a):.2f}" for a in np.asarray(v)[:SHOWN_UNITS]) + \
        (", …]" if len(v) > SHOWN_UNITS else "]")


def _mix(color, background, share):
    from matplotlib.colors import to_rgb
    (r, g, b), (br, bg, bb) = to_rgb(color), to_rgb(background)
    return (share * r + (1 - share) * br, share * g + (1 - share) * bg, share * b + (1 - share) * bb)


class _Cell:
    """Shared drawing of a gated cell on a board: gate boxes, operator circles, labelled wires."""

    def __init__(self, board, cell, values):
        self.b, self.t, self.values = board, board.theme, values
        self.color = board.theme.cell_color(cell)

    def label(self, name, tex):
        """The wire label `tex`, with its values below when given."""
        if self.values is None or name not in self.values:
            return tex
        return tex + "\n" + _vec(self.values[name])

    def gate(self, gid, x, y, fn, params):
        b = self.b
        b.node(gid, x, y, fn, "h", values=[params], size=self.t.node_size)
        # the gate layers take the cell's colour, as the cell does in every figure
        patch = b.ax.patches[-1]
        patch.set_edgecolor(self.color)
        patch.set_facecolor(_mix(self.color, self.t.background, 0.3 if self.t.style == "light" else 0.42))
        return b.nodes[gid]

    def op(self, oid, x, y, symbol):
        return self.b.node(oid, x, y, symbol, None, w=0.5, h=0.5, shape="circle")

    def wire(self, points, src=None, dst=None, name=None, tex=None, at=None, ha="left", role=None):
        text = self.label(name, tex) if tex else None
        self.b.path_arrow(points, src=src, dst=dst, label=text, label_xy=at, label_ha=ha, role=role,
                          backdrop=False)


def _start(theme, cell, values, title):
    """A board with the cell's tinted area and its name; returns (board, _Cell, (left edge,
    width, then the heights of the state line, the middle operators, the gates and the bus))."""
    from matplotlib.patches import FancyBboxPatch
    board = Board(theme)
    t, W, H = board.theme, board.width, board.height
    # room outside the cell for the states' labels; less on 4:3
    left, right = (1.65, W - 1.75) if W > 11 else (1.2, W - 1.25)
    bottom, top = 0.95, H - 0.95
    step = f" (step t = {values['t']})" if values and "t" in values else ""
    title = title or f"{CELL_NAMES[cell]} cell{step}"
    # a tint, not an outline: the states' labels may reach into it
    board.ax.add_patch(FancyBboxPatch((left, bottom), right - left, top - bottom,
                                      boxstyle="round,pad=0,rounding_size=0.25",
                                      facecolor=_mix(t.cell_color(cell), t.background, 0.1),
                                      edgecolor="none", zorder=0))
    board.text(left, top + 0.3, title, ha="left", weight="bold", size=t.base_size + 1)
    return board, _Cell(board, cell, values), (left, right - left, H - 1.6, H - 2.85, H - 4.2, 1.55)


def draw_lstm_cell(theme: Theme | None = None, values: dict | None = None, title: str | None = None):
    """The LSTM cell; `values`: {"x", "h_prev", "c_prev", "i", "f", "c̃", "o", "c", "h", "t"} of one
    step (optional). Returns a Figure; its board names the gates "gate-f", "gate-i", "gate-c̃",
    "gate-o" and the operators "forget", "input", "add", "tanh-c", "output"."""
    board, c, (left, span, y_c, y_m, y_g, y_h) = _start(theme, "lstm", values, title)
    W = board.width
    xf, xi, xc, xo, xt = (left + k * span for k in (0.11, 0.29, 0.47, 0.65, 0.87))
    gates = (("f", xf, "σ", "$U_f, W_f, b_f$"), ("i", xi, "σ", "$U_i, W_i, b_i$"),
             ("c̃", xc, "tanh", "$U_c, W_c, b_c$"), ("o", xo, "σ", "$U_o, W_o, b_o$"))
    for name, x, fn, params in gates:
        c.gate(f"gate-{name}", x, y_g, fn, params)
    c.op("forget", xf, y_c, "⊙")
    c.op("input", xc, y_m, "⊙")
    c.op("add", xc, y_c, "+")
    board.node("tanh-c", xt, y_m, "tanh", None, w=0.95, h=0.5)    # pointwise: no weights
    c.op("output", xt, y_g, "⊙")
    r = 0.27                                                    # the circles' radius, plus a gap
    # the cell state, across the top
    c.wire([(0.35, y_c), (xf - r, y_c)], dst="forget", name="c_prev", tex="$c_{t-1}$",
           at=(0.35, y_c + 0.45))
    c.wire([(xf + r, y_c), (xc - r, y_c)], src="forget", dst="add")
    c.wire([(xc + r, y_c), (W - 0.35, y_c)], src="add", name="c", tex="$c_t$", at=(W - 1.6, y_c + 0.45))
    c.wire([(xt, y_c), (xt, y_m + 0.27)], dst="tanh-c")
    c.wire([(xt, y_m - 0.27), (xt, y_g + r)], src="tanh-c", dst="output")
    # [h_{t-1}, x_t] along the bottom, up into every gate
    gate_h = board.nodes["gate-f"].box.h / 2
    board.line([(0.35, y_h), (xo, y_h)])
    board.text(0.35, y_h + 0.45, c.label("h_prev", "$h_{t-1}$"), ha="left")
    c.wire([(left + 0.5, 0.3), (left + 0.5, y_h)], name="x", tex="$x_t$", at=(left + 0.7, 0.5))
    for name, x, _, _ in gates:
        c.wire([(x, y_h), (x, y_g - gate_h - 0.03)], dst=f"gate-{name}")
    # the gates' outputs
    y_label = y_g + gate_h + 0.45                               # every gate's output label
    c.wire([(xf, y_g + gate_h), (xf, y_c - r)], src="gate-f", dst="forget", name="f", tex="$f_t$",
           at=(xf + 0.12, y_label))
    c.wire([(xi, y_g + gate_h), (xi, y_m), (xc - r, y_m)], src="gate-i", dst="input", name="i",
           tex="$i_t$", at=(xi + 0.12, y_label))
    c.wire([(xc, y_g + gate_h), (xc, y_m - r)], src="gate-c̃", dst="input", name="c̃",
           tex=r"$\tilde{c}_t$", at=(xc + 0.12, y_label))
    c.wire([(xc, y_m + r), (xc, y_c - r)], src="input", dst="add")
    o_right = xo + board.nodes["gate-o"].box.w / 2
    # o_t under its own wire: above the box, its values would run into c̃_t's
    c.wire([(o_right + 0.03, y_g), (xt - r, y_g)], src="gate-o", dst="output", name="o",
           tex="$o_t$", at=(o_right + 0.08, y_g - 0.6), ha="left")
    # h_t leaves to the right (the next step) and upwards (the next layer)
    c.wire([(xt + r, y_g), (xt + 0.6, y_g), (xt + 0.6, y_h), (W - 0.35, y_h)], src="output",
           name="h", tex="$h_t$", at=(W - 1.55, y_h - 0.5))
    return board.figure


def draw_gru_cell(theme: Theme | None = None, values: dict | None = None, title: str | None = None,
                  reset_after: bool = True):
    """The GRU cell (Keras' reset_after=True by default: r_t scales W_h h_{t−1} + b_h^rec);
    `values`: {"x", "h_prev", "z", "r", "h̃", "h", "t"}. Gates "gate-z", "gate-r", "gate-h̃";
    operators "keep" (z ⊙ h_{t−1}), "one-minus", "new" ((1 − z) ⊙ h̃), "add", "reset"."""
    board, c, (left, span, y_top, y_m, y_g, y_h) = _start(theme, "gru", values, title)
    W = board.width
    xr, xz, xrm, xh = (left + k * span for k in (0.14, 0.36, 0.6, 0.8))
    c.gate("gate-r", xr, y_g, "σ", "$U_r, W_r, b_r$")
    c.gate("gate-z", xz, y_g, "σ", "$U_z, W_z, b_z$")
    c.gate("gate-h̃", xh, y_g, "tanh", "$U_h, W_h, b_h$")
    c.op("keep", xz, y_top, "⊙")
    c.op("one-minus", xz + 0.9, y_m, "1−")
    c.op("new", xh, y_m, "⊙")
    c.op("add", xh, y_top, "+")
    c.op("reset", xrm, y_g, "⊙")
    r, gate_h = 0.27, board.nodes["gate-r"].box.h / 2
    # h_{t-1} across the top, and down into the bus below
    c.wire([(0.35, y_top), (xz - r, y_top)], dst="keep", name="h_prev", tex="$h_{t-1}$",
           at=(0.35, y_top + 0.45))
    c.wire([(xz + r, y_top), (xh - r, y_top)], src="keep", dst="add")
    c.wire([(xh + r, y_top), (W - 0.35, y_top)], src="add", name="h", tex="$h_t$",
           at=(W - 1.6, y_top + 0.45))
    drop = left + 0.35
    board.line([(drop, y_top), (drop, y_h), (xz, y_h)])
    c.wire([(left + 0.9, 0.3), (left + 0.9, y_h)], name="x", tex="$x_t$", at=(left + 1.1, 0.5))
    for gid, x in (("gate-r", xr), ("gate-z", xz)):
        c.wire([(x, y_h), (x, y_g - gate_h - 0.03)], dst=gid)
    # the reset gate scales the candidate's recurrent input
    rec = r"$W_h h_{t-1} + b_h^{rec}$" if reset_after else "$h_{t-1}$"
    c.wire([(xz, y_h), (xrm, y_h), (xrm, y_g - r)], dst="reset")
    board.text(xrm - 0.15, y_h + 0.45, rec, ha="right")
    c.wire([(xr, y_g + gate_h), (xr, y_g + gate_h + 0.35), (xrm, y_g + gate_h + 0.35), (xrm, y_g + r)],
           src="gate-r", dst="reset", name="r", tex="$r_t$", at=(xr + 0.15, y_g + gate_h + 0.7))
    c.wire([(xrm + r, y_g), (xh - board.nodes["gate-h̃"].box.w / 2 - 0.03, y_g)], src="reset",
           dst="gate-h̃")
    c.wire([(xh - 0.25, 0.3), (xh - 0.25, y_g - gate_h - 0.03)], dst="gate-h̃", name=None,
           tex="$x_t$", at=(xh - 0.1, 0.5))
    # z keeps the old state, 1 − z lets the candidate in
    c.wire([(xz, y_g + gate_h), (xz, y_top - r)], src="gate-z", dst="keep", name="z", tex="$z_t$",
           at=(xz + 0.15, (y_m + y_top) / 2))
    c.wire([(xz, y_m), (xz + 0.9 - r, y_m)], dst="one-minus")
    c.wire([(xz + 0.9 + r, y_m), (xh - r, y_m)], src="one-minus", dst="new")
    c.wire([(xh, y_g + gate_h), (xh, y_m - r)], src="gate-h̃", dst="new", name="h̃",
           tex=r"$\tilde{h}_t$", at=(xh + 0.15, (y_g + y_m) / 2 + 0.05))
    c.wire([(xh, y_m + r), (xh, y_top - r)], src="new", dst="add")
    return board.figure
