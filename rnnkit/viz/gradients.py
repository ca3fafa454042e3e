"""Vanishing gradients: ||∂L/∂h_t|| against the number of steps back from the loss, per cell type."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from matplotlib.ticker import MaxNLocator

from .theme import CELL_NAMES, Theme

_CELL_OF_NAME = {name: cell for cell, name in CELL_NAMES.items()}


@dataclass
class GradientPanel:
    """One panel of gradient norms: ``norms`` name -> 1-D array indexed by k, the distance from
    the loss; ``cells`` name -> cell for the series' colour (cells' display names need none);
    ``dashed`` names drawn dashed; ``note`` a short explanation written inside the panel;
    ``title`` the panel's heading."""

    norms: dict
    cells: dict = field(default_factory=dict)
    dashed: tuple = ()
    note: str | None = None
    title: str | None = None


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
    return draw_gradient_panels([GradientPanel(norms, cells or {}, tuple(dashed))], theme,
                                title=title, ylabel=ylabel)


def draw_gradient_panels(panels, theme: Theme | None = None, title: str | None = None,
                         ylabel: str | None = None):
    """Panels of gradient norms side by side (e.g. vanishing and exploding), log scale."""
    theme = theme or Theme()
    if not panels or any(not p.norms for p in panels):
        raise ValueError("draw_gradient_norms needs at least one cell: {name: array of norms}")
    with theme.context():
        fig = theme.figure(layout="constrained")
        if title:
            fig.suptitle(title, fontweight="bold")
        # a panel with a note (and its long legend) gets more of the width
        ratios = [3 if p.note else 2 for p in panels]
        axes = fig.subplots(1, len(panels), squeeze=False, width_ratios=ratios)[0]
        for ax, panel in zip(axes, panels):
            _plot_panel(ax, panel, theme)
            ax.set_ylabel(ylabel or r"$\|\partial L/\partial h_{T-k}\|$")
    return fig


def _plot_panel(ax, panel, theme):
    cells = {**_CELL_OF_NAME, **panel.cells}
    cell_colors = {theme.cell_color(c) for c in CELL_NAMES}
    others = iter(c for c in theme.series if c not in cell_colors)
    for name, values in panel.norms.items():
        values = np.asarray(values, dtype=float)
        if values.ndim != 1:
            raise ValueError(f"norms[{name!r}] must be 1-D (one norm per step back), got shape {values.shape}")
        steps = np.arange(values.size)
        keep = np.isfinite(values) & (values > 0)
        if not keep.any():
            raise ValueError(f"norms[{name!r}] has no positive finite value to draw on a log scale")
        color = theme.cell_color(cells[name]) if name in cells else next(others, theme.muted)
        ax.plot(steps[keep], values[keep], color=color, label=str(name),
                linestyle="--" if name in panel.dashed else "-",
                marker="o" if values.size <= 30 else None, markersize=4)
    ax.set_yscale("log")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel(r"$k$, steps back from the loss")
    if panel.title:
        ax.set_title(panel.title)
    # the legend, headed by the note, in the lower left; the y axis reaches lower than the data
    # so that the curves (which fall from the top left) leave it that corner
    lo, hi = ax.get_ylim()
    if panel.note:
        ax.set_ylim(lo / (hi / lo) ** 0.8, hi)
    legend = ax.legend(loc="lower left" if panel.note else "upper left", title=panel.note,
                       alignment="left")
    if panel.note:
        legend.get_title().set_linespacing(1.3)
