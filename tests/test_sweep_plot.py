"""``rnnkit plot sweep``: the data model of the figure, its slide measures and the command."""
import json
import statistics

import pytest
from click.testing import CliRunner
from matplotlib.colors import to_hex

from rnnkit.cli.main import cli
from rnnkit.errors import ConfigError
from rnnkit.viz import Theme
from rnnkit.viz.slide import measure_slide
from rnnkit.viz.sweep import draw_sweep, sweep_series
from rnnkit.viz.theme import CELL_COLORS

#: headline (rmse) of each (cell, seed); gru seed 2 failed
VALUES = {("rnn", 0): 30.0, ("rnn", 1): 34.0, ("rnn", 2): 29.0,
          ("lstm", 0): 25.0, ("lstm", 1): 27.0, ("lstm", 2): 26.5,
          ("gru", 0): 22.0, ("gru", 1): 24.0, ("gru", 2): None}


def results(values=VALUES, key="cell"):
    points = []
    for (value, seed), score in values.items():
        points.append({"name": f"{key}-{value}_seed-{seed}", "config": {},
                       "varied": {key: value, "seed": seed},
                       "status": "finished" if score is not None else "failed",
                       "headline": {"name": "rmse", "value": score}, "baseline": 41.0,
                       "seconds": 3.0, "error": None if score is not None else "boom"})
    return {"arch": "forecasting", "spec": {}, "points": points}


def test_series_are_means_and_sample_spreads_over_seeds():
    (series,) = sweep_series(results(), "cell")
    assert series.xs == ["rnn", "lstm", "gru"]
    assert series.values == [[30.0, 34.0, 29.0], [25.0, 27.0, 26.5], [22.0, 24.0]]
    assert series.means == [31.0, pytest.approx(26.1666666667), 23.0]
    assert series.spreads == [pytest.approx(statistics.stdev([30.0, 34.0, 29.0])),
                              pytest.approx(statistics.stdev([25.0, 27.0, 26.5])),
                              pytest.approx(statistics.stdev([22.0, 24.0]))]
    assert series.baselines == [41.0, 41.0, 41.0]


def test_hue_splits_series_and_where_fixes_other_keys():
    data = results()
    for p in data["points"]:
        p["varied"]["units"] = 8
    extra = json.loads(json.dumps(data["points"][0]))
    extra["varied"]["units"], extra["headline"]["value"] = 16, 99.0
    data["points"].append(extra)
    with pytest.raises(ConfigError, match="the sweep also varies units: choose it as --hue"):
        sweep_series(data, "cell")
    (fixed,) = sweep_series(data, "cell", where={"units": "8"})
    assert fixed.means[0] == 31.0
    by_units = sweep_series(data, "cell", hue="units")
    assert [s.hue for s in by_units] == [8, 16]
    assert by_units[1].xs == ["rnn"] and by_units[1].means == [99.0]
    with pytest.raises(ConfigError, match="the sweep does not vary 'lr'"):
        sweep_series(data, "lr")


@pytest.mark.parametrize("aspect", ["16:9", "4:3"])
def test_the_figure_keeps_the_slide_rules_and_the_cell_colours(aspect):
    theme = Theme(aspect=aspect)
    series = sweep_series(results(), "cell")
    fig = draw_sweep(series, theme, x="cell", metric="rmse")
    m = measure_slide(fig)
    assert m.canvas == (int(theme.figsize[0] * 200), int(theme.figsize[1] * 200))
    assert m.fill >= 0.6 and m.inside and m.min_text >= theme.min_text_size - 1e-6
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["SimpleRNN", "LSTM", "GRU"]
    drawn = {to_hex(line.get_color()) for line in ax.get_lines()}
    assert to_hex(theme.muted) in drawn                       # the baseline
    means = [to_hex(bars.lines[0].get_color()) for bars in ax.containers]
    assert means == [CELL_COLORS[c].lower() for c in ("rnn", "lstm", "gru")]
    hue = sweep_series(results(), "seed", hue="cell")
    means = [to_hex(bars.lines[0].get_color())
             for bars in draw_sweep(hue, theme, x="seed", hue="cell").axes[0].containers]
    assert means == [CELL_COLORS[c].lower() for c in ("rnn",) * 3 + ("lstm",) * 3 + ("gru",) * 2]


def test_a_numeric_key_spanning_decades_is_a_log_axis():
    values = {(lr, seed): 10.0 + seed for lr in (1e-4, 1e-3, 1e-2) for seed in (0, 1)}
    fig = draw_sweep(sweep_series(results(values, key="lr"), "lr"), x="lr", metric="rmse")
    ax = fig.axes[0]
    assert ax.get_xscale() == "log"
    assert [tuple(bars.lines[0].get_xydata()[0]) for bars in ax.containers] == \
        [(1e-4, 10.5), (1e-3, 10.5), (1e-2, 10.5)]


def test_plot_sweep_command_writes_the_figure(tmp_path):
    (tmp_path / "s").mkdir()
    (tmp_path / "s" / "results.json").write_text(json.dumps(results()))
    out = tmp_path / "cells.png"
    done = CliRunner().invoke(cli, ["plot", "sweep", str(tmp_path / "s"), "--x", "cell",
                                    "-o", str(out)])
    assert done.exit_code == 0, done.output
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    missing = CliRunner().invoke(cli, ["plot", "sweep", str(tmp_path), "--x", "cell",
                                       "-o", str(out)])
    assert missing.exit_code == 1 and "is not a sweep folder" in missing.output
