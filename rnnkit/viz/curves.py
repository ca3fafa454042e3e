"""Training curves from run folders: training solid, validation dashed, one colour per run."""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from matplotlib.lines import Line2D
from matplotlib.ticker import MaxNLocator

from .theme import Theme


#: The y labels of the usual history keys: the quantity's name and its unit.
YLABELS = {"loss": "cross-entropy (nats per prediction)", "accuracy": "accuracy (share of predictions)"}

#: The y label of each loss (``rnnkit.losses`` names): its name and unit.
LOSS_YLABELS = {
    "sparse_categorical_crossentropy": YLABELS["loss"],
    "categorical_crossentropy": YLABELS["loss"],
    "binary_crossentropy": "binary cross-entropy (nats per prediction)",
    "mse": "mean squared error (target units squared)",
}


def load_history(run_dir) -> list:
    """The per-epoch history of a run: ``run_dir/history.json`` (or ``history.csv``) as a list of dicts.

    A run folder is made by ``rnnkit train``; history is one dict per epoch, e.g.
    ``{"epoch": 1, "loss": 0.9, "val_loss": 1.0, "accuracy": 0.7}``.
    """
    from ..runs import RunFolder           # the one owner of a run folder's file names
    run_dir = Path(run_dir)
    path = run_dir / RunFolder.HISTORY_JSON
    if path.is_file():
        with open(path, encoding="utf-8") as fh:
            return _as_rows(json.load(fh), path)
    csv_path = run_dir / RunFolder.HISTORY_CSV
    if csv_path.is_file():
        with open(csv_path, newline="", encoding="utf-8") as fh:
            return [{k: _number(v) for k, v in row.items()} for row in csv.DictReader(fh)]
    raise FileNotFoundError(
        f"no history.json in {run_dir}: is it a run folder? A run folder (with history.json) is made "
        f"by `rnnkit train`."
    )


def _number(text):
    try:
        value = float(text)
    except (TypeError, ValueError):
        return text
    return int(value) if value.is_integer() and "." not in str(text) else value


def _as_rows(data, source) -> list:
    """Accept a sequence of per-epoch dicts (a list, the History ``fit`` returns), or Keras' dict
    of lists {"loss": [...], ...}."""
    if isinstance(data, dict) and "history" in data:
        data = data["history"]
    if isinstance(data, dict):
        n = max((len(v) for v in data.values() if isinstance(v, list)), default=0)
        return [{k: v[i] for k, v in data.items() if isinstance(v, list) and i < len(v)} for i in range(n)]
    if isinstance(data, Sequence) and all(isinstance(row, dict) for row in data):
        return list(data)
    raise ValueError(f"{source}: history must be a list of per-epoch dicts, got {type(data).__name__}")


def draw_loss_curves(runs, theme: Theme | None = None, metric: str = "loss", title: str | None = None,
                     cells=None, baseline: float | None = None, baseline_label: str = "baseline",
                     ylabel: str | None = None):
    """Plot `metric` per epoch for each run; returns a ``matplotlib.figure.Figure``.

    Parameters
    ----------
    runs : list of (label, history)
        history: the History ``fit`` returns, or a list of per-epoch dicts (see
        :func:`load_history`). ``metric`` is drawn solid;
        ``"val_" + metric``, when present, dashed in the same colour.
    metric : str
        Key to plot, e.g. "loss" or "accuracy".
    cells : list of str, optional
        The cell of each run ("rnn", "lstm", "gru"; None for none): a run is drawn in its cell's
        colour, the same in every figure. Runs without a cell take the theme's series colours.
    baseline : float, optional
        A reference value (e.g. the unigram model's loss) drawn as a horizontal line.
    ylabel : str, optional
        The y axis' label, e.g. "cross-entropy (nats per character)"; default: the metric's name.
    """
    return draw_curve_panels(runs, [CurvePanel(metric, ylabel, baseline, baseline_label)], theme,
                             title=title, cells=cells)


@dataclass
class CurvePanel:
    """One panel of training curves: the history key, the y label (name and unit), an optional
    baseline drawn as a horizontal line, and optionally its own (label, history) runs (e.g. one
    test value per run) instead of the figure's."""

    metric: str
    ylabel: str | None = None
    baseline: float | None = None
    baseline_label: str = "baseline"
    runs: list | None = None


def draw_curve_panels(runs, panels, theme: Theme | None = None, title: str | None = None, cells=None):
    """Panels side by side, one per :class:`CurvePanel`, each with every run's training (solid)
    and validation (dashed) curve; one legend, in the last panel."""
    theme = theme or Theme()
    runs = list(runs)
    if not runs:
        raise ValueError("draw_loss_curves needs at least one (label, history) run")
    with theme.context():
        fig = theme.figure(layout="constrained")
        if title:
            fig.suptitle(title, fontweight="bold")
        axes = fig.subplots(1, len(panels), squeeze=False)[0]
        for k, (ax, panel) in enumerate(zip(axes, panels)):
            handles = _plot_curves(ax, panel.runs or runs, panel, theme, cells)
            if k == len(panels) - 1 and (len(runs) > 1 or len(handles) > 1):
                ax.legend(handles=handles, loc="best")
    return fig


def _plot_curves(ax, runs, panel, theme, cells):
    metric = panel.metric
    any_val = False
    handles = []
    for i, (label, history) in enumerate(runs):
        rows = _as_rows(history, f"run {label!r}")
        if not any(metric in row for row in rows):
            keys = sorted({k for row in rows for k in row if k != "epoch"})
            raise ValueError(f"run {label!r} has no {metric!r} in its history; it has: {', '.join(keys) or 'nothing'}")
        cell = cells[i] if cells else None
        color = theme.cell_color(cell) if cell else theme.series[i % len(theme.series)]
        epochs = [row.get("epoch", j + 1) for j, row in enumerate(rows)]
        marker = "o" if len(rows) <= 25 else None
        train = [(e, row[metric]) for e, row in zip(epochs, rows) if row.get(metric) is not None]
        ax.plot(*zip(*train), color=color, linestyle="-", marker=marker, markersize=5)
        val = [(e, row[f"val_{metric}"]) for e, row in zip(epochs, rows) if row.get(f"val_{metric}") is not None]
        if val:
            any_val = True
            ax.plot(*zip(*val), color=color, linestyle="--", marker=marker, markersize=5, markerfacecolor="none")
        handles.append(Line2D([], [], color=color, linewidth=6, label=str(label)))
    if panel.baseline is not None:
        ax.axhline(panel.baseline, color=theme.muted, linestyle=":", linewidth=2.4)
        handles.append(Line2D([], [], color=theme.muted, linestyle=":", label=panel.baseline_label))
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("epoch")
    ax.set_ylabel(panel.ylabel or metric.replace("_", " "))
    if any_val:
        handles += [Line2D([], [], color=theme.muted, linestyle="-", label="training"),
                    Line2D([], [], color=theme.muted, linestyle="--", label="validation")]
    return handles
