"""A sweep's headline metric against one config key: mean and spread over seeds, one series per
value of a second key, the baseline dotted.

:func:`sweep_series` is the drawing's data model (what the tests assert); :func:`draw_sweep`
draws it on the theme's slide canvas. A numeric x (learning rates, units) is a numeric axis,
logarithmic when it spans a factor of 10 or more; other values (cells) are categories, the
series side by side. A cell takes the cell's colour (:data:`rnnkit.viz.theme.CELL_COLORS`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from matplotlib.lines import Line2D
from matplotlib.ticker import MaxNLocator

from ..errors import ConfigError
from .theme import CELL_COLORS, CELL_NAMES, Theme


@dataclass
class SweepSeries:
    """One line of the figure: the ``hue`` value, and per x value the seeds' headline values,
    their mean and sample standard deviation, and the baseline's mean."""
    hue: object
    xs: list = field(default_factory=list)
    values: list = field(default_factory=list)
    means: list = field(default_factory=list)
    spreads: list = field(default_factory=list)
    baselines: list = field(default_factory=list)


def sweep_series(results, x, hue=None, where=None):
    """The finished points of ``results`` (``results.json``) as :class:`SweepSeries`, one per
    ``hue`` value (one series when ``hue`` is None), each over the ``x`` values in the order the
    sweep has them. ``where`` ({key: value}) keeps only the points with those values.

    Every varied key other than ``x``, ``hue`` and ``seed`` must be fixed by ``where``, else the
    spread would mix them: a :class:`ConfigError` names them.
    """
    from ..sweep import mean_and_spread
    where = where or {}
    points = results["points"]
    varied = []
    for p in points:
        varied += [k for k in p["varied"] if k not in varied]
    for key in [x, hue, *where]:
        if key is not None and key not in varied:
            raise ConfigError(f"the sweep does not vary {key!r}; it varies "
                              f"{', '.join(varied)}")
    mixed = [k for k in varied if k not in (x, hue, "seed") and k not in where]
    if mixed:
        raise ConfigError(f"the sweep also varies {', '.join(mixed)}: choose it as --hue, or "
                          f"fix it with --where {mixed[0]}=VALUE, so the spread is over seeds only")
    kept = [p for p in points if all(_same(p["varied"].get(k), v) for k, v in where.items())]
    xs = _unique(p["varied"][x] for p in kept)
    hues = _unique(p["varied"].get(hue) for p in kept) if hue else [None]
    series = []
    for h in hues:
        s = SweepSeries(hue=h)
        for xv in xs:
            group = [p for p in kept if p["varied"][x] == xv and p["status"] == "finished"
                     and (hue is None or p["varied"].get(hue) == h)
                     and p["headline"]["value"] is not None]
            if not group:
                continue
            values = [p["headline"]["value"] for p in group]
            mean, spread = mean_and_spread(values)
            base, _ = mean_and_spread([p["baseline"] for p in group if p["baseline"] is not None])
            s.xs.append(xv)
            s.values.append(values)
            s.means.append(mean)
            s.spreads.append(spread)
            s.baselines.append(base)
        if s.xs:
            series.append(s)
    if not series:
        raise ConfigError("no finished points to plot; run the sweep again to finish them")
    return series


def _same(value, wanted):
    return value == wanted or str(value) == str(wanted)


def _unique(values):
    seen = []
    for v in values:
        if not any(json.dumps(v) == json.dumps(s) for s in seen):
            seen.append(v)
    return seen


def _numeric(values):
    return all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values)


def draw_sweep(series, theme: Theme | None = None, x="x", hue=None, metric="headline",
               title=None):
    """The figure of :func:`sweep_series`: per x value the mean over seeds (a large marker; a
    line along a numeric x), one standard deviation (error bars), every seed's value (small
    dots) and the baseline (dotted, in the muted colour). A cell takes its cell colour, as a
    series (``hue="cell"``) or as a category (``x="cell"``). Returns a
    ``matplotlib.figure.Figure``."""
    theme = theme or Theme()
    all_x = _unique(v for s in series for v in s.xs)
    numeric = _numeric(all_x)
    log = numeric and min(all_x) > 0 and max(all_x) / min(all_x) >= 10
    width = 0.6 / len(series)                      # categories: the series side by side
    with theme.context():
        fig = theme.figure(layout="constrained")
        if title:
            fig.suptitle(title, fontweight="bold")
        ax = fig.add_subplot()
        handles = []
        for k, s in enumerate(series):
            own = theme.cell_color(s.hue) if s.hue in CELL_COLORS else \
                theme.series[k % len(theme.series)]
            if numeric:
                pos = list(s.xs)
            else:
                pos = [all_x.index(v) + (k - (len(series) - 1) / 2) * width for v in s.xs]
            colors = [theme.cell_color(v) if hue is None and v in CELL_COLORS else own
                      for v in s.xs]
            if numeric:                            # the line joins the means along x
                ax.plot(pos, s.means, color=own, linestyle="-")
            for p, mean, spread, values, color in zip(pos, s.means, s.spreads, s.values, colors):
                ax.errorbar([p], [mean], yerr=[spread], color=color, marker="o", markersize=11,
                            capsize=8, elinewidth=2.4, capthick=2.4, linestyle="none")
                ax.plot([p] * len(values), values, linestyle="none", marker="o", markersize=6,
                        color=color, alpha=0.45)
            if hue is not None:
                label = CELL_NAMES.get(s.hue, s.hue) if s.hue in CELL_COLORS else f"{hue} = {s.hue}"
                handles.append(Line2D([], [], color=own, marker="o", markersize=11, linewidth=4,
                                      label=str(label)))
        marker_colour = theme.foreground if hue is not None or numeric else theme.muted
        handles += [Line2D([], [], color=marker_colour, marker="o", markersize=11,
                           linestyle="none", label="mean ± sd over seeds"),
                    Line2D([], [], color=marker_colour, marker="o", markersize=6, alpha=0.45,
                           linestyle="none", label="one seed")]
        base = {json.dumps(v): (v, b) for s in series for v, b in zip(s.xs, s.baselines)
                if b is not None}
        if base:
            pairs = sorted((v if numeric else all_x.index(v), b) for v, b in base.values())
            if len(pairs) == 1 or len({b for _, b in pairs}) == 1:
                ax.axhline(pairs[0][1], color=theme.muted, linestyle=":", linewidth=2.4)
            else:
                ax.plot(*zip(*pairs), color=theme.muted, linestyle=":", linewidth=2.4)
            handles.append(Line2D([], [], color=theme.muted, linestyle=":", linewidth=2.4,
                                  label="baseline"))
        if log:
            ax.set_xscale("log")
        elif numeric and all(isinstance(v, int) for v in all_x):
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        if not numeric:
            ax.set_xticks(range(len(all_x)),
                          [CELL_NAMES.get(v, str(v)) if x == "cell" else str(v) for v in all_x])
            ax.set_xlim(-0.6, len(all_x) - 0.4)
        ax.set_xlabel(x)
        ax.set_ylabel(f"test {metric}")
        fig.legend(handles=handles, loc="outside right upper")    # never over a point
    return fig


def sweep_metric_name(results):
    """The headline metric's name of a sweep's points (e.g. "rmse")."""
    return next((p["headline"]["name"] for p in results["points"] if p["headline"]["name"]),
                "headline")
