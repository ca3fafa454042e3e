"""The lecture's worked example, one timestep per slide: A, B, C, C in, B, C, C, D expected.

Each page shows step t the way the slides compute it, with column vectors in square brackets::

    x_t, h_{t-1}  ->  U x_t  +  W h_{t-1} + b_xh  =  net_h_t  --tanh-->  h_t
                      V h_t + b_hy  --exp-->  e_t  --softmax-->  y_t      target

above the weights U, W, b_xh, V, b_hy; the sequence strip at the top marks where t is. On t3 and
t4 the slides print a y_t that is not the softmax of their own exp column; the page says so
beside the right value. The numbers come in a :class:`WorkedStep` (computed by the engine, see
``rnnkit.figures.worked_example_steps``); this module only draws them.

:func:`save_pages` writes the pages as one PDF (one page per step, for beamer's
``\\includegraphics[page=k]``) or as an animated GIF (matplotlib's PillowWriter).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ._diagram import measure
from ._sketch import Board
from .theme import Theme

#: Seconds each step stays on screen in the GIF.
GIF_SECONDS_PER_STEP = 2.5


@dataclass
class WorkedStep:
    """One timestep's numbers (1-based `t` of `len(inputs)`); vectors are 1-D arrays.

    ux = U x_t, whb = W h_{t-1} + b_xh, net = ux + whb, h = tanh(net), z = V h_t + b_hy,
    e = exp(z), y = softmax(z); `printed`: the y_t the slides print instead, if they slip.
    """

    t: int
    inputs: str
    targets: str
    x: np.ndarray
    h_prev: np.ndarray
    ux: np.ndarray
    whb: np.ndarray
    net: np.ndarray
    h: np.ndarray
    z: np.ndarray
    e: np.ndarray
    y: np.ndarray
    target: np.ndarray
    weights: dict
    printed: list | None = None


def _col(v, fmt="{:.3f}"):
    return [[fmt.format(float(a))] for a in v]


def _mat(m):
    return [[f"{float(a):g}" for a in row] for row in m]


def draw_worked_step(step: WorkedStep, theme: Theme | None = None, title: str | None = None):
    """Page `step.t` of the worked example; returns a Figure (its board: ``fig._rnnkit_board``,
    arrays "x", "h_prev", "ux", "whb", "net", "h", "z", "e", "y", "target", "U", "W", "b_xh",
    "V", "b_hy")."""
    board = Board(theme)
    th, Wd, Ht = board.theme, board.width, board.height
    t = step.t
    sub = f"{{{t}}}"
    margin = 0.45
    top = Ht - 0.35

    # -- header: the step and the sequence strip ---------------------------------------------------
    head = title or f"step t = {t}: input {step.inputs[t - 1]}, target {step.targets[t - 1]}"
    board.text(margin, top - 0.22, head, size=th.title_size, weight="bold", ha="left")
    cell = 0.5
    strip_right = Wd - margin
    n = len(step.inputs)
    for k in range(n, 0, -1):
        cx = strip_right - (n - k) * (cell + 0.12) - cell / 2
        board.node(f"seq-x{k}", cx, top - 0.22, step.inputs[k - 1], "x" if k == t else None,
                   w=cell, h=0.44, size=th.base_size + 1)
    label_x = strip_right - n * (cell + 0.12) - 0.1
    board.text(label_x, top - 0.22, "x:", ha="right")
    top -= 0.7

    # -- the hidden state's computation ------------------------------------------------------------
    ops = th.base_size + 2

    def row(items, top_y, max_gap=0.75):
        """Lay `items` (("array", id, rows, label, role) or ("op", text)) left to right."""
        widths = []
        for it in items:
            if it[0] == "array":
                # a letter in a label is measured as "W", so every page keeps its places
                w = board.array_width(it[2], it[3][:-1] + "W" if it[3][-1] in step.inputs + step.targets
                                      else it[3])[0]
            else:
                w = measure(it[1], ops)[0]
            widths.append(w)
        gap = min(max_gap, (Wd - 2 * margin - sum(widths)) / (len(items) - 1))
        x = margin
        boxes = []
        for it, w in zip(items, widths):
            if it[0] == "array":
                box = board.array(it[1], x, top_y, it[2], it[3], role=it[4], width=w)
                boxes.append(box)
                x = box.x1 + gap
            else:
                boxes.append(("op", it[1], x + w / 2))
                x += w + gap
        # operators sit at the middle of the 3-row vectors
        label_h = measure("$h_1$", th.label_size)[1] + 0.08
        centre_y = top_y - label_h - 0.05 - 1.5 * 1.45 * th.small_size / 72
        for b in boxes:
            if isinstance(b, tuple):
                board.text(b[2], centre_y, b[1], size=ops)
        return min(b.y0 for b in boxes if not isinstance(b, tuple))

    letter = step.inputs[t - 1]
    vgap = 0.55 if Wd > 11 else 0.28         # rows further apart where the slip's note sits beside
    bottom = row([
        ("array", "x", _col(step.x, "{:g}"), f"$x_{sub}$ = {letter}", "x"),
        ("array", "h_prev", _col(step.h_prev), f"$h_{{{t - 1}}}$", "h"),
        ("op", "→"),
        ("array", "ux", _col(step.ux), f"$U x_{sub}$", None),
        ("op", "+"),
        ("array", "whb", _col(step.whb), f"$W h_{{{t - 1}}} + b_{{xh}}$", None),
        ("op", "="),
        ("array", "net", _col(step.net), rf"$\mathrm{{net}}_{{h_{t}}}$", None),
        ("op", "tanh →"),
        ("array", "h", _col(step.h), f"$h_{sub}$", "h"),
    ], top)

    # -- the output's computation ------------------------------------------------------------------
    target_letter = step.targets[t - 1]
    bottom = row([
        ("array", "z", _col(step.z), f"$V h_{sub} + b_{{hy}}$", None),
        ("op", "exp →"),
        ("array", "e", _col(step.e), "$e^{z}$", None),
        ("op", "÷ Σ →"),
        ("array", "y", _col(step.y), f"$y_{sub}$", "y"),
        ("op", "vs"),
        ("array", "target", _col(step.target, "{:g}"), f"target {target_letter}", None),
    ], bottom - vgap, max_gap=0.5)
    # the slip's note: beside the target if it fits, else below (reserved on every page, so
    # that overlays keep their places)
    y_box = board.arrays["target"].box
    shown = ", ".join(f"{v:.3f}" for v in (step.printed or [0.0] * len(step.y)))
    short = [f"the slides print $y_{sub}$ =", f"[{shown}]:", "a slip, not the softmax",
             f"of $e^z$ (sum {float(np.sum(step.e)):.3f})"]
    beside = y_box.x1 + 0.35
    if beside + max(measure(line, th.label_size)[0] for line in short) < Wd - margin:
        lines, x, y_top = short, beside, y_box.y1 - 0.25
    else:
        lines, x, y_top = [" ".join(short[:2]), " ".join(short[2:])], margin, bottom - 0.35
        bottom -= 0.7
    if step.printed is not None:
        for i, line in enumerate(lines):
            board.text(x, y_top - i * 0.33, line, ha="left", role="grad" if i == 0 else None)

    # -- the weights ---------------------------------------------------------------------------------
    w = step.weights
    row([("array", "U", _mat(w["U"]), "$U$", None), ("array", "W", _mat(w["W"]), "$W$", None),
         ("array", "b_xh", _mat(np.reshape(w["b_xh"], (-1, 1))), "$b_{xh}$", None),
         ("array", "V", _mat(w["V"]), "$V$", None),
         ("array", "b_hy", _mat(np.reshape(w["b_hy"], (-1, 1))), "$b_{hy}$", None)], bottom - vgap)
    return board.figure


def save_pages(figs, path) -> Path:
    """Write `figs` as one multi-page PDF (one page each) or an animated GIF, by the extension;
    atomically (a temporary file beside `path`, then renamed). Returns the path."""
    from matplotlib.animation import PillowWriter
    from matplotlib.backends.backend_pdf import PdfPages

    from ..fileio import atomic_write

    path = Path(path)
    ext = path.suffix.lower()
    if ext == ".pdf":
        def write(f):
            with PdfPages(f, metadata={"CreationDate": None}) as pdf:
                for fig in figs:
                    pdf.savefig(fig, facecolor=fig.get_facecolor())
        import matplotlib
        with matplotlib.rc_context({"pdf.fonttype": 42}):
            return atomic_write(path, write)
    if ext == ".gif":
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f".{path.stem}.partial.gif")
        writer = PillowWriter(fps=1 / GIF_SECONDS_PER_STEP)
        writer.setup(figs[0], partial, dpi=80)
        for fig in figs:
            writer.fig = fig            # every page has the slide's size: one frame each
            writer.grab_frame(facecolor=fig.get_facecolor())
        writer.finish()
        os.replace(partial, path)
        return path
    raise ValueError(f"pages are written as .pdf (one page per step) or .gif (animated), "
                     f"not {path.suffix or 'no extension'} ({path.name})")
