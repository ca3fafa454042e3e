"""Hidden states (and gates) over a sentence as heatmaps: units on y, input tokens on x.

Each quantity is drawn on the colour map its range calls for, with fixed limits so panels compare:

============================= =========== ===========================================
quantity                      range       colour map (light / dark style)
============================= =========== ===========================================
h_t, candidate c̃_t (tanh)     −1 … 1      diverging, fixed −1 … 1 (RdBu_r / berlin)
gates i_t, f_t, o_t (sigmoid) 0 … 1       sequential, fixed 0 … 1 (viridis / magma)
cell state c_t                unbounded   diverging, symmetric about 0 at its largest |c|
============================= =========== ===========================================
"""

from __future__ import annotations

import numpy as np
from matplotlib.ticker import MaxNLocator

from .theme import Theme

#: name -> (panel title, kind): "tanh" (−1…1), "gate" (0…1), "free" (symmetric, own limit)
QUANTITIES = {
    "h": (r"hidden state $h_t$", "tanh"),
    "i": (r"input gate $i_t$", "gate"),
    "f": (r"forget gate $f_t$", "gate"),
    "o": (r"output gate $o_t$", "gate"),
    "c̃": (r"candidate $\tilde{c}_t$", "tanh"),
    "c": (r"cell state $c_t$", "free"),
}
_ALIASES = {"c~": "c̃", "c_tilde": "c̃", "g": "c̃"}

#: Most token labels an axis shows; longer inputs label every k-th token.
MAX_TOKEN_LABELS = 32
SPACE = "␣"  # a visible space


def token_labels(tokens) -> tuple[list, list]:
    """(positions, labels) of the x axis: spaces made visible, long inputs thinned."""
    labels = [SPACE if t == " " else t.replace(" ", SPACE) for t in map(str, tokens)]
    every = -(-len(labels) // MAX_TOKEN_LABELS)
    positions = list(range(0, len(labels), every))
    return positions, [labels[p] for p in positions]


def draw_hidden_heatmap(values, tokens, theme: Theme | None = None, title: str | None = None,
                        gates: dict | None = None, annotate: bool | None = None,
                        cell_state=None, direction: str | None = None):
    """Heatmap of `values` (units x T) with the input tokens on the x axis.

    `gates` (name -> units x T array: LSTM "i", "f", "o", "c̃") and `cell_state` (units x T, c_t)
    add one panel each, in that order. `direction` ("forward" / "backward") names which half of a
    bidirectional layer is shown. `title` is optional and goes above all panels. `annotate`
    writes the numbers into the cells (default: when all panels together have at most 60 cells).
    """
    theme = theme or Theme()
    tokens = [str(t) for t in tokens]
    head = QUANTITIES["h"][0] + (f" ({direction} direction)" if direction else "")
    panels = [(head, "tanh", _matrix(values, "values", len(tokens)))]
    for name, arr in (gates or {}).items():
        name = _ALIASES.get(name, name)
        m = _matrix(arr, f"gates[{name!r}]", len(tokens))
        if m.shape != panels[0][2].shape:
            raise ValueError(f"gates[{name!r}] has shape {m.shape}; it must match values {panels[0][2].shape}")
        label, kind = QUANTITIES.get(name, (f"gate {name}", "gate"))
        panels.append((label, kind, m))
    if cell_state is not None:
        panels.append((*QUANTITIES["c"], _matrix(cell_state, "cell_state", len(tokens))))
    n = len(panels)
    ncols = 1 if n == 1 else 2
    nrows = -(-n // ncols)
    positions, labels = token_labels(tokens)
    with theme.context():
        fig = theme.figure(layout="constrained")
        if title:
            fig.suptitle(title, fontweight="bold")
        axes = fig.subplots(nrows, ncols, squeeze=False)
        for ax, (name, kind, m) in zip(axes.flat, panels):
            if kind == "gate":
                cmap, lo, hi = theme.cmap("sequential"), 0.0, 1.0
            else:
                limit = 1.0 if kind == "tanh" else (float(np.nanmax(np.abs(m))) or 1.0)
                cmap, lo, hi = theme.cmap("diverging"), -limit, limit
            im = ax.imshow(m, cmap=cmap, vmin=lo, vmax=hi, aspect="auto", interpolation="nearest")
            ax.grid(False)
            ax.set_title(name)
            ax.yaxis.set_major_locator(MaxNLocator(integer=True, nbins=6))
            ax.set_ylabel("unit")
            for side in ("top", "right", "left", "bottom"):
                ax.spines[side].set_visible(False)
            fig.colorbar(im, ax=ax, shrink=0.9)
            if annotate or (annotate is None and m.size * n <= 60):
                for (r, c), v in np.ndenumerate(m):
                    dark_cell = abs(v) > 0.6 * max(abs(lo), hi) if kind != "gate" else v < 0.5
                    ax.text(c, r, f"{v:.2f}", ha="center", va="center", fontsize=theme.small_size,
                            color="white" if dark_cell else "#1A1A1A")
        for ax in list(axes.flat)[n:]:
            ax.set_visible(False)
        _token_ticks_apart(fig, list(axes.flat)[:n], positions, labels)
    return fig


def _set_token_ticks(axes, positions, labels, every, rotation):
    for ax in axes:
        ax.set_xticks(positions[::every])
        ax.set_xticklabels(labels[::every], rotation=rotation, ha="center",
                           va="top", rotation_mode="default")


def _tick_boxes(ax):
    return [t.get_window_extent() for t in ax.get_xticklabels() if t.get_visible() and t.get_text()]


def _token_ticks_apart(fig, axes, positions, labels):
    """Label the tokens so that no two tick labels' boxes overlap: all of them upright if they fit,
    words (not single characters) turned upright-to-vertical next, else every k-th label, k as
    small as the measured label sizes and tick spacing allow."""
    words = any(len(label) > 1 for label in labels)
    rotation = 0
    every = 1
    for _ in range(8):
        _set_token_ticks(axes, positions, labels, every, rotation)
        fig.draw_without_rendering()
        if rotation and any(_overlapping(_unit_boxes(ax), vertical=True) for ax in axes):
            rotation, every = 0, 2          # vertical words squeeze the panels: thin instead
            continue
        crowded = [ax for ax in axes if _overlapping(_tick_boxes(ax))]
        if not crowded:
            return
        if words and rotation == 0 and every == 1:
            rotation = 90
            continue
        # the spacing the labels need over the spacing they have, in display units
        ax = crowded[0]
        boxes = _tick_boxes(ax)
        need = max(b.width for b in boxes) * 1.15
        have = abs(boxes[1].x0 - boxes[0].x0) / every if len(boxes) > 1 else need
        every = max(every + 1, int(np.ceil(need / max(have, 1e-9))))
    _set_token_ticks(axes, positions, labels, every, rotation)


def _unit_boxes(ax):
    return [t.get_window_extent() for t in ax.get_yticklabels() if t.get_visible() and t.get_text()]


def _overlapping(boxes, vertical: bool = False) -> bool:
    """Whether any two of `boxes` overlap (neighbours along x, or along y when `vertical`)."""
    boxes = sorted(boxes, key=lambda b: b.y0 if vertical else b.x0)
    return any(a.overlaps(b) for a, b in zip(boxes, boxes[1:]))


def _matrix(arr, name, T):
    m = np.asarray(arr, dtype=float)
    if m.ndim == 1:
        m = m[None, :]
    if m.ndim != 2:
        raise ValueError(f"{name} must be a (units x T) array, got shape {m.shape}")
    if m.shape[1] != T:
        raise ValueError(f"{name} has {m.shape[1]} time steps but there are {T} tokens")
    return m
