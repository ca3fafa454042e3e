"""``rnnkit plot gating SWEEP_DIR``: a sweep's results per cell and length, every seed, the spread
and the chance baseline, on one slide (measured as tests/test_viz_slide.py does, never pixels)."""
import json

import numpy as np
import pytest
from click.testing import CliRunner
from matplotlib.collections import LineCollection, PathCollection

from rnnkit.cli.main import cli
from rnnkit.viz import Theme
from rnnkit.viz.gating import draw_gating, gating_groups, load_sweep_results
from rnnkit.viz.slide import measure_slide

SCORES = {("rnn", 5): [1.0, 0.9, 0.95], ("rnn", 40): [0.3, 0.2, 0.25],
          ("lstm", 5): [1.0, 1.0, 1.0], ("lstm", 40): [0.9, 0.6, 1.0],
          ("gru", 5): [1.0, 1.0, 0.98], ("gru", 40): [0.95, 0.97, 0.5]}


def point(cell, length, seed, value, status="finished"):
    varied = {"cell": cell, "length": length, "seed": seed}
    return {"name": ",".join(f"{k}={v}" for k, v in varied.items()),
            "config": {"cell": cell, "length": length, "seed": seed, "units": 16},
            "varied": varied, "status": status,
            "headline": {"name": "accuracy", "value": value if status == "finished" else None},
            "baseline": 0.25 if length == 5 else 0.24, "seconds": 1.0,
            "error": None if status == "finished" else "boom"}


def results(extra=()):
    points = [point(c, n, s, v) for (c, n), vs in SCORES.items() for s, v in enumerate(vs)]
    return {"arch": "delayed-recall", "spec": {}, "points": points + list(extra)}


def test_groups_keep_every_seed_and_count_what_did_not_finish():
    key, groups, baselines, missing = gating_groups(results([point("rnn", 40, 3, 0, "failed"),
                                                             point("gru", 5, 3, 0, "pending")]))
    assert key == "length"
    assert groups["lstm"][40] == [0.9, 0.6, 1.0]
    assert baselines == pytest.approx({5: 0.25, 40: 0.24})
    assert missing == {"failed": 1, "pending": 1}


@pytest.mark.parametrize("theme", [Theme(), Theme(aspect="4:3"), Theme(style="dark")],
                         ids=["16:9", "4:3", "dark"])
def test_the_figure_draws_each_seed_the_spread_and_chance_on_one_slide(theme):
    fig = draw_gating(results([point("rnn", 40, 3, 0, "failed")]), theme)
    m = measure_slide(fig)
    assert m.fill >= 0.6 and m.inside and m.min_text >= theme.min_text_size - 1e-6
    ax = fig.axes[0]
    dots = [c for c in ax.collections if isinstance(c, PathCollection)]
    assert sorted(len(c.get_offsets()) for c in dots) == [3] * 6          # one dot per seed
    drawn = sorted(float(y) for c in dots for y in c.get_offsets()[:, 1])
    assert drawn == sorted(v for vs in SCORES.values() for v in vs)
    bars = [c for c in ax.collections if isinstance(c, LineCollection)]
    spans = sorted((round(float(s[0][1]), 6), round(float(s[1][1]), 6))
                   for c in bars for s in c.get_segments())
    assert spans == sorted((min(v), max(v)) for v in SCORES.values())   # worst to best seed
    lines = {l.get_label(): l for l in ax.get_legend().get_lines()}
    assert {"SimpleRNN", "LSTM", "GRU", "chance"} <= set(lines)
    chance = [l for l in ax.get_lines() if l.get_linestyle() == ":"]
    np.testing.assert_allclose(chance[0].get_ydata(), [0.25, 0.24])
    means = {round(float(y), 6) for l in ax.get_lines() for y in l.get_ydata()}
    assert round(np.mean(SCORES[("lstm", 40)]), 6) in means
    texts = [t.get_text() for t in fig.findobj(lambda a: hasattr(a, "get_text"))]
    assert "not drawn: 1 failed" in texts and "test accuracy" in texts and "sequence length T" in texts


def test_a_sweep_of_two_other_keys_asks_which_to_draw():
    r = results()
    for p in r["points"]:
        p["varied"]["units"] = p["config"]["units"]
    with pytest.raises(ValueError, match="varies length, units: choose one with --x KEY"):
        gating_groups(r)
    assert gating_groups(r, x_key="units")[0] == "units"


def test_the_cli_reads_the_sweep_folder(tmp_path):
    (tmp_path / "sweep").mkdir()
    (tmp_path / "sweep" / "results.json").write_text(json.dumps(results()))
    assert load_sweep_results(tmp_path / "sweep")["arch"] == "delayed-recall"
    out = tmp_path / "gating.png"
    result = CliRunner().invoke(cli, ["plot", "gating", str(tmp_path / "sweep"), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.stat().st_size > 0
    missing = CliRunner().invoke(cli, ["plot", "gating", str(tmp_path), "-o", str(out)])
    assert missing.exit_code == 1 and "is it a sweep folder?" in missing.output
