"""Hidden states (and gates) over a sentence as heatmaps: units on y, input tokens on x."""

from __future__ import annotations

import numpy as np
from matplotlib.ticker import MaxNLocator

from .theme import Theme

_GATE_NAMES = {"c~": r"$\tilde{c}$", "c̃": r"$\tilde{c}$", "c_tilde": r"$\tilde{c}$", "g": r"$\tilde{c}$"}


def draw_hidden_heatmap(values, tokens, theme: Theme | None = None, title: str | None = None,
                        gates: dict | None = None, annotate: bool | None = None):
    """Heatmap of `values` (units x T) with the input tokens on the x axis.

    The colormap is diverging ("RdBu_r", readable with colour-vision deficiency) and centred at 0,
    with symmetric limits per panel. `gates` (name -> units x T array, e.g. LSTM "i", "f", "o",
    "c̃") adds one panel each. `annotate` writes the numbers into the cells (default: when a panel
    has at most 60 cells in all).
    """
    theme = theme or Theme()
    tokens = [str(t) for t in tokens]
    panels = [(title or r"hidden state $h_t$", _matrix(values, "values", len(tokens)))]
    for name, arr in (gates or {}).items():
        m = _matrix(arr, f"gates[{name!r}]", len(tokens))
        if m.shape != panels[0][1].shape:
            raise ValueError(f"gates[{name!r}] has shape {m.shape}; it must match values {panels[0][1].shape}")
        panels.append((f"gate {_GATE_NAMES.get(name, name)}", m))
    n = len(panels)
    ncols = 1 if n == 1 else 2
    nrows = -(-n // ncols)
    rotate = max(len(t) for t in tokens) > 3 or len(tokens) > 12
    with theme.context():
        fig = theme.figure(layout="constrained")
        axes = fig.subplots(nrows, ncols, squeeze=False)
        for ax, (name, m) in zip(axes.flat, panels):
            limit = float(np.nanmax(np.abs(m))) or 1.0
            im = ax.imshow(m, cmap="RdBu_r", vmin=-limit, vmax=limit, aspect="auto", interpolation="nearest")
            ax.grid(False)
            ax.set_title(name)
            ax.set_xticks(range(len(tokens)))
            ax.set_xticklabels(tokens, rotation=45 if rotate else 0, ha="right" if rotate else "center",
                               rotation_mode="anchor")
            ax.yaxis.set_major_locator(MaxNLocator(integer=True, nbins=8))
            ax.set_ylabel("unit")
            for side in ("top", "right", "left", "bottom"):
                ax.spines[side].set_visible(False)
            fig.colorbar(im, ax=ax, shrink=0.9)
            if annotate or (annotate is None and m.size * n <= 60):
                for (r, c), v in np.ndenumerate(m):
                    ax.text(c, r, f"{v:.3f}", ha="center", va="center", fontsize=theme.small_size,
                            color="white" if abs(v) > 0.6 * limit else "#1A1A1A")
        for ax in list(axes.flat)[n:]:
            ax.set_visible(False)
    return fig


def _matrix(arr, name, T):
    m = np.asarray(arr, dtype=float)
    if m.ndim == 1:
        m = m[None, :]
    if m.ndim != 2:
        raise ValueError(f"{name} must be a (units x T) array, got shape {m.shape}")
    if m.shape[1] != T:
        raise ValueError(f"{name} has {m.shape[1]} time steps but there are {T} tokens")
    return m
