"""Gating matters: a sweep's test scores per cell against sequence length, every seed shown.

Reads a sweep folder's ``results.json`` (written by ``rnnkit sweep``)::

    {"arch": str, "spec": {...},
     "points": [{"name": str, "config": {...the full resolved config...}, "varied": {key: value},
                 "status": "finished" | "failed" | "interrupted" | "pending",
                 "headline": {"name": str, "value": float | None},
                 "baseline": float | None, "seconds": float | None, "error": str | None}]}

and draws, for each cell (``config["cell"]``), one dot per finished run at its x value (the swept
key other than cell and seed, e.g. ``length``), the mean over seeds as a line, the range from the
worst to the best seed as a bar, and the architecture's baseline (for ``delayed-recall``: chance)
as a dotted line. Runs that did not finish are counted under the plot, never drawn.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import numpy as np
from matplotlib.lines import Line2D

from .theme import CELL_NAMES, Theme

RESULTS_JSON = "results.json"
STATUSES = ("finished", "failed", "interrupted", "pending")


def load_sweep_results(sweep_dir) -> dict:
    """``sweep_dir/results.json`` as a dict, after checking the fields the figure reads."""
    path = Path(sweep_dir) / RESULTS_JSON
    if not path.is_file():
        raise FileNotFoundError(f"no {RESULTS_JSON} in {sweep_dir}: is it a sweep folder? "
                                f"`rnnkit sweep` writes one")
    with open(path, encoding="utf-8") as fh:
        try:
            results = json.load(fh)
        except json.JSONDecodeError as err:
            raise ValueError(f"{path} is not valid JSON ({err}); rerun the sweep to rewrite "
                             f"it") from None
    points = results.get("points") if isinstance(results, dict) else None
    if not isinstance(points, list) or not all(
            isinstance(p, dict) and {"config", "status", "headline"} <= set(p) for p in points):
        raise ValueError(f"{path}: expected {{\"arch\": ..., \"points\": [{{\"config\": ..., "
                         f"\"status\": ..., \"headline\": ...}}, ...]}}, as `rnnkit sweep` writes")
    return results


def swept_key(points, x_key=None):
    """The key drawn along x: ``x_key``, or the one varied key other than cell and seed."""
    if x_key is not None:
        missing = [p.get("name", "?") for p in points if x_key not in p["config"]]
        if missing:
            raise ValueError(f"--x {x_key!r}: the points {', '.join(missing[:3])} have no such "
                             f"config key")
        return x_key
    varied = sorted({k for p in points for k in p.get("varied", {})} - {"cell", "seed"})
    if len(varied) != 1:
        found = ", ".join(varied) if varied else "none"
        raise ValueError(f"the gating figure draws one swept key along x besides cell and seed; "
                         f"this sweep varies {found}: choose one with --x KEY")
    return varied[0]


def gating_groups(results, x_key=None):
    """``(key, groups, baselines, missing)`` from a sweep's results.

    groups: {cell: {x: [headline values of the finished runs]}}; baselines: {x: mean baseline of
    the finished runs there}; missing: {status: count} of the points that did not finish.
    """
    points = results["points"]
    key = swept_key(points, x_key)
    groups = defaultdict(lambda: defaultdict(list))
    base = defaultdict(list)
    missing = defaultdict(int)
    for p in points:
        value = p["headline"].get("value") if isinstance(p["headline"], dict) else None
        if p["status"] != "finished" or value is None:
            missing[p["status"]] += 1
            continue
        x = p["config"][key]
        groups[p["config"].get("cell", "?")][x].append(float(value))
        if p.get("baseline") is not None:
            base[x].append(float(p["baseline"]))
    if not groups:
        raise ValueError("no finished run in this sweep: nothing to draw (statuses: "
                         + ", ".join(f"{n} {s}" for s, n in missing.items()) + ")")
    baselines = {x: float(np.mean(v)) for x, v in base.items()}
    return key, {c: dict(g) for c, g in groups.items()}, baselines, dict(missing)


def draw_gating(results, theme: Theme | None = None, title: str | None = None,
                x_key: str | None = None, baseline_label: str = "chance"):
    """The gating figure of a sweep's ``results`` (see the module docstring); a Figure."""
    theme = theme or Theme()
    key, groups, baselines, missing = gating_groups(results, x_key)
    xs = sorted({x for g in groups.values() for x in g})
    position = {x: k for k, x in enumerate(xs)}           # evenly spaced, whatever the values
    headline = next(p["headline"]["name"] for p in results["points"]
                    if p["status"] == "finished")
    cells = sorted(groups, key=lambda c: list(CELL_NAMES).index(c) if c in CELL_NAMES else 99)
    seeds = max(len(v) for g in groups.values() for v in g.values())
    with theme.context():
        fig = theme.figure(layout="constrained")
        if title:
            fig.suptitle(title, fontweight="bold")
        ax = fig.subplots()
        handles = []
        for k, cell in enumerate(cells):
            color = theme.cell_color(cell) if cell in CELL_NAMES else theme.series[k]
            shift = (k - (len(cells) - 1) / 2) * 0.15         # side by side at each x
            pts = sorted(groups[cell].items())
            px = np.array([position[x] + shift for x, _ in pts])
            lo = np.array([min(v) for _, v in pts])
            hi = np.array([max(v) for _, v in pts])
            ax.vlines(px, lo, hi, color=color, alpha=0.35, linewidth=14)   # worst to best
            ax.plot(px, [np.mean(v) for _, v in pts], color=color, marker="o", markersize=9)
            for x, values in pts:
                ax.scatter([position[x] + shift] * len(values), values, s=40, color=color,
                           edgecolors=theme.background, linewidths=0.8, zorder=3)
            handles.append(Line2D([], [], color=color, marker="o", markersize=9,
                                  label=CELL_NAMES.get(cell, cell)))
        if baselines:
            bx = sorted(baselines)
            ax.plot([position[x] for x in bx], [baselines[x] for x in bx], color=theme.muted,
                    linestyle=":", linewidth=2.4, marker=None)
            handles.append(Line2D([], [], color=theme.muted, linestyle=":", label=baseline_label))
        handles += [Line2D([], [], color=theme.muted, marker="o", linestyle="none",
                           label=f"one seed ({seeds} per point)"),
                    Line2D([], [], color=theme.muted, alpha=0.35, linewidth=14,
                           label="worst to best seed")]
        ax.set_xticks(range(len(xs)), [str(x) for x in xs])
        ax.set_xlim(-0.5, len(xs) - 0.5)
        ax.set_xlabel("sequence length T" if key == "length" else key.replace("_", " "))
        low = min([min(v) for g in groups.values() for v in g.values()] + list(baselines.values()))
        if low >= 0:
            ax.set_ylim(bottom=0)                # scores and chance measured from zero
        ax.set_ylabel(f"test {headline}")
        ax.legend(handles=handles, loc="center left", bbox_to_anchor=(1.01, 0.5))
        if missing:
            ax.text(0.0, -0.16, "not drawn: " + ", ".join(f"{n} {s}" for s, n in missing.items()),
                    transform=ax.transAxes, fontsize=theme.small_size, color=theme.muted)
    return fig
