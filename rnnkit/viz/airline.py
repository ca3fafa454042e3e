"""The airline series as the lecture teaches it: the series, the sliding window over it, the
lecture's two window tables, and a trained model's forecast against persistence.

:func:`draw_airline_windows` draws the whole series (1949-1960) above a zoom on its first months,
where the 3-month window of the table's first row is drawn over the series with the month it
predicts; beside the zoom, the lecture's "1 Feature Dataset" and "3 Feature Dataset" tables, cut by
:func:`window_tables` with rnnkit's own :func:`rnnkit.data.sliding_windows` (never typed in).

:func:`draw_airline_forecast` draws the test months: the actual values, a model's forecasts and
persistence ("next month = this month"), each with its RMSE in the legend.

Each figure carries what it drew as ``fig._rnnkit_airline`` (a dict: the tables, the window, the
series, the forecasts) so tests read numbers from it, never from pixels.
"""

from __future__ import annotations

import numpy as np

from ..data import sliding_windows
from .theme import Theme

#: The lecture's headers of its two tables, by window length (the "features" of the slides).
HEADERS = {1: ["X = t", "Y = t+1"],
           3: ["X1 = t−2", "X2 = t−1", "X3 = t", "Y = t+1"]}
TABLE_TITLES = {1: "1 feature dataset", 3: "3 feature dataset"}


def window_tables(values, rows=5):
    """The lecture's two tables from the series: ``{window: (header, rows)}`` for windows 1 and
    3, each row the window's values then its target, as :func:`sliding_windows` cuts them."""
    tables = {}
    for window, header in HEADERS.items():
        x, y = sliding_windows(np.asarray(values, dtype=np.float64), window)
        body = [[float(v) for v in x[i, :, 0]] + [float(y[i, 0])] for i in range(rows)]
        tables[window] = (header, body)
    return tables


def _fmt(v):
    return f"{v:g}"


def draw_airline_windows(months, values, theme: Theme | None = None, title: str | None = None,
                         zoom=9):
    """The series, the 3-month window over its first months and the lecture's two tables."""
    theme = theme or Theme()
    values = np.asarray(values, dtype=np.float64)
    tables = window_tables(values)
    x_col, y_col = theme.ink("x"), theme.ink("y")
    with theme.context():
        fig = theme.figure(layout="constrained")
        if title:
            fig.suptitle(title, fontweight="bold")
        narrow = theme.figsize[0] < 11
        grid = fig.add_gridspec(2, 2, height_ratios=[1, 1.25], width_ratios=[1, 1.05 if narrow else 0.8])
        whole = fig.add_subplot(grid[0, :])
        zoomed = fig.add_subplot(grid[1, 0])
        table_ax = fig.add_subplot(grid[1, 1])

        t = np.arange(len(values))
        whole.plot(t, values, color=theme.foreground, linewidth=2)
        whole.axvspan(-0.5, zoom - 0.5, color=theme.fill("x"), zorder=0)
        whole.text(zoom + 1, values[:zoom].max() + 70, "zoomed below", color=theme.muted,
                   va="bottom", fontsize=theme.small_size)
        years = list(range(0, len(values), 24 if narrow else 12))
        whole.set_xticks(years, [months[k][:4] for k in years])
        whole.set_xlim(-1, len(values))
        whole.set_ylabel("passengers\n(thousands)")
        whole.set_title("monthly airline passengers, " f"{months[0][:4]}–{months[-1][:4]}",
                        loc="left", fontsize=theme.base_size, fontweight="bold")

        # the zoom: the window X1..X3 of the first table row, and the month Y it predicts
        window = (0, 3)
        zt = t[:zoom]
        zoomed.plot(zt, values[:zoom], color=theme.foreground, linewidth=2, marker="o", markersize=7)
        zoomed.axvspan(window[0] - 0.4, window[1] - 0.6, color=theme.fill("x"), zorder=0)
        zoomed.axvspan(window[1] - 0.4, window[1] + 0.4, color=theme.fill("y"), zorder=0)
        top = values[:zoom].max()
        for k, name in enumerate(HEADERS[3]):            # X1 X2 X3 over the window, Y after it
            zoomed.text(window[0] + k, top + 8, name.split(" ")[0], ha="center", fontweight="bold",
                        color=y_col if k == window[1] else x_col)
        for k in range(zoom):
            zoomed.text(k, values[k] - 4, _fmt(values[k]), ha="center", va="top",
                        fontsize=theme.small_size, color=theme.foreground)
        zoomed.annotate("", xy=(window[1] + 1, top + 20), xytext=(window[0] + 1, top + 20),
                        arrowprops=dict(arrowstyle="-|>", color=theme.muted, linewidth=1.8))
        zoomed.text(window[0] + 1.3, top + 22, "slides one month", va="bottom", color=theme.muted,
                    fontsize=theme.small_size)
        zoomed.set_xticks(zt[::2], [months[k] for k in zt[::2]])
        zoomed.set_ylim(values[:zoom].min() - 18, top + 38)
        zoomed.set_xlim(-0.6, zoom - 0.4)

        table_ax.axis("off")
        placed = _draw_tables(table_ax, tables, theme)
    fig._rnnkit_airline = {"tables": tables, "window": window, "zoom": zoom,
                           "series": [float(v) for v in values], "table_cells": placed}
    return fig


def _draw_tables(ax, tables, theme):
    """The two tables, one above the other, inputs tinted as x and targets as y; returns the
    texts written per table (header, then rows) for tests."""
    placed = {}
    bottom = 1.0
    total_rows = sum(len(body) + 2 for _, body in tables.values())
    row_h = 1.0 / total_rows
    for window, (header, body) in tables.items():
        ax.text(0.0, bottom - row_h / 2, TABLE_TITLES[window], transform=ax.transAxes,
                fontweight="bold", va="center", fontsize=theme.base_size)
        cells = [header] + [[_fmt(v) for v in r] for r in body]
        n = len(header)
        table = ax.table(cellText=cells, bbox=[0.0, bottom - row_h * (len(cells) + 1), n / 4, row_h * len(cells)],
                         cellLoc="center")
        table.auto_set_font_size(False)
        table.set_fontsize(theme.small_size)
        for (r, c), cell in table.get_celld().items():
            cell.set_edgecolor(theme.muted)
            cell.get_text().set_color(theme.foreground)
            role = "y" if c == n - 1 else "x"
            cell.set_facecolor(theme.fill(role) if r > 0 else theme.background)
            if r == 0:
                cell.get_text().set_fontweight("bold")
        placed[window] = cells
        bottom -= row_h * (len(cells) + 2)
    return placed


def forecast_rmse(pred, truth):
    return float(np.sqrt(np.mean((np.asarray(pred) - np.asarray(truth)) ** 2)))


def draw_airline_forecast(months, values, test_targets, forecast, theme: Theme | None = None,
                          title: str | None = None, model_name="model", context=24, cell=None):
    """A model's one-month-ahead forecasts on the test months against the actual values and
    persistence; `context` training months are drawn before the test months, in grey."""
    theme = theme or Theme()
    values = np.asarray(values, dtype=np.float64)
    targets = np.asarray(test_targets)
    forecast = np.asarray(forecast, dtype=np.float64)
    actual, persistence = values[targets], values[targets - 1]
    first = max(0, int(targets[0]) - context)
    with theme.context():
        fig = theme.figure(layout="constrained")
        if title:
            fig.suptitle(title, fontweight="bold")
        ax = fig.subplots()
        before = np.arange(first, targets[0] + 1)
        ax.plot(before, values[before], color=theme.muted, linewidth=2, label="training months")
        ax.axvspan(targets[0] - 0.5, targets[-1] + 0.5, color=theme.gridcolor, zorder=0)
        ax.plot(targets, actual, color=theme.foreground, linewidth=2.6, marker="o", markersize=5,
                label="actual")
        # the model in its cell's colour (as in every figure); persistence, a baseline, in grey
        ax.plot(targets, forecast, color=theme.cell_color(cell) if cell else theme.series[1],
                linewidth=2.4,
                label=f"{model_name}: RMSE {forecast_rmse(forecast, actual):.1f}")
        ax.plot(targets, persistence, color=theme.muted, linewidth=2, linestyle="--",
                label=f"persistence: RMSE {forecast_rmse(persistence, actual):.1f}")
        ax.text(targets[0] + 0.5, values[first:].max(), "test months", va="top",
                color=theme.muted)
        step = 12 if theme.figsize[0] >= 11 else 24
        ticks = [k for k in range(first, len(values)) if months[k].endswith("-01")][::step // 12]
        ax.set_xticks(ticks, [months[k][:4] for k in ticks])
        ax.set_xlim(first - 0.5, len(values) - 0.5)
        ax.set_ylabel("passengers (thousands)")
        ax.set_xlabel("month (each forecast reads the months before it)")
        ax.legend(loc="upper left")
    fig._rnnkit_airline = {"test_targets": [int(t) for t in targets],
                           "actual": [float(v) for v in actual],
                           "forecast": [float(v) for v in forecast],
                           "persistence": [float(v) for v in persistence]}
    return fig
