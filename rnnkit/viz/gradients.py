"""Vanishing gradients: ||∂L/∂h_t|| against the number of steps back from the loss, per cell type."""

from __future__ import annotations

import numpy as np
from matplotlib.ticker import MaxNLocator

from .theme import CELL_NAMES, Theme

_CELL_OF_NAME = {name: cell for cell, name in CELL_NAMES.items()}


def draw_gradient_norms(norms: dict, theme: Theme | None = None, title: str | None = None,
                        cells: dict | None = None, dashed=(), ylabel: str | None = None):
    """Plot gradient norms on a log scale; returns a ``matplotlib.figure.Figure``.

    Parameters
    ----------
    norms : dict
        cell name ("SimpleRNN", "LSTM", "GRU", ...) -> 1-D array of ||∂L/∂h_t||, indexed by the
        distance from the loss (index 0 is the last step). Values <= 0 cannot be shown on a log
        axis and are left out.
    cells : dict, optional
        name -> cell ("rnn", "lstm", "gru"): the series is drawn in that cell's colour. Names that
        are cells' display names ("SimpleRNN", "LSTM", "GRU") need no entry.
    dashed : collection of names drawn dashed (e.g. a cell with its gates held open).
    ylabel : the y axis' label (default ‖∂L/∂h_{T−k}‖).
    """
    theme = theme or Theme()
    if not norms:
        raise ValueError("draw_gradient_norms needs at least one cell: {name: array of norms}")
    with theme.context():
        fig = theme.figure(layout="constrained")
        ax = fig.add_subplot()
        cells = {**_CELL_OF_NAME, **(cells or {})}
        cell_colors = {theme.cell_color(c) for c in CELL_NAMES}
        others = iter(c for c in theme.series if c not in cell_colors)
        for name, values in norms.items():
            values = np.asarray(values, dtype=float)
            if values.ndim != 1:
                raise ValueError(f"norms[{name!r}] must be 1-D (one norm per step back), got shape {values.shape}")
            steps = np.arange(values.size)
            keep = np.isfinite(values) & (values > 0)
            if not keep.any():
                raise ValueError(f"norms[{name!r}] has no positive finite value to draw on a log scale")
            color = theme.cell_color(cells[name]) if name in cells else next(others, theme.muted)
            ax.plot(steps[keep], values[keep], color=color, label=str(name),
                    linestyle="--" if name in dashed else "-",
                    marker="o" if values.size <= 30 else None, markersize=4)
        ax.set_yscale("log")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_xlabel(r"$k$, steps back from the loss")
        ax.set_ylabel(ylabel or r"$\|\partial L/\partial h_{T-k}\|$")
        if title:
            ax.set_title(title, fontweight="bold")
        ax.legend(loc="best")
    return fig
