"""The airline figures (issue 16, point 6): the lecture's two window tables cut by rnnkit, the
window drawn over the series, and a trained run's forecasts against actual values and persistence,
read from the figures' data, never from pixels."""

import numpy as np
import pytest
from click.testing import CliRunner

from rnnkit import figures
from rnnkit.cli.main import cli
from rnnkit.data import load_airline
from rnnkit.runs import load_run, train
from test_viz_lecture import IDS, THEMES, assert_slide  # the slide rules of issue 16

#: The lecture's slides, "1 Feature Dataset" and "3 Feature Dataset", as printed.
LECTURE_1 = [[112, 118], [118, 132], [132, 129], [129, 121], [121, 135]]
LECTURE_3 = [[112, 118, 132, 129], [118, 132, 129, 121], [132, 129, 121, 135],
             [129, 121, 135, 148], [121, 135, 148, 148]]


@pytest.mark.parametrize("theme", THEMES, ids=IDS)
def test_airline_windows_keeps_the_slide_rules(theme):
    assert_slide(figures.airline_figure(theme=theme), theme)


def test_airline_windows_reproduce_the_lectures_two_tables_from_rnnkits_windowing():
    drawn = figures.airline_figure()._rnnkit_airline
    assert drawn["tables"][1][1] == LECTURE_1
    assert drawn["tables"][3][1] == LECTURE_3
    assert drawn["tables"][3][0] == ["X1 = t−2", "X2 = t−1", "X3 = t", "Y = t+1"]
    # the cells written on the slide are those numbers, under the lecture's headers
    cells = drawn["table_cells"][3]
    assert cells[0] == drawn["tables"][3][0]
    assert [[float(v) for v in row] for row in cells[1:]] == LECTURE_3
    # the window drawn over the series is the first row of the 3-feature table: X1..X3, then Y
    start, stop = drawn["window"]
    series = drawn["series"]
    assert series[start:stop] + [series[stop]] == LECTURE_3[0]
    assert series == load_airline()[1].tolist() and len(series) == 144


@pytest.fixture(scope="module")
def forecast_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("airline") / "forecasting"
    return train("forecasting", overrides={"seed": 0, "epochs": 3}, out_dir=str(out),
                 figures=False, verbose=0).path


def _forecasts_by_hand(run_dir):
    """Keras' recipe written out: log-differences over the training scale, the model's
    prediction of the next change, back to passengers by the last value times exp."""
    run = load_run(run_dir)
    values = np.asarray(run.meta["values"])
    sd, window = run.meta["scale"]["sd"], run.meta["window"]
    z = np.diff(np.log(values)) / sd                # z[k] is the change into month k + 1
    targets = np.asarray(run.meta["test_targets"])
    x = np.stack([z[t - 1 - window:t - 1] for t in targets])[:, :, None]
    return targets, values[targets - 1] * np.exp(run.model.predict(x)[:, 0] * sd)


@pytest.mark.parametrize("theme", THEMES, ids=IDS)
def test_airline_forecast_keeps_the_slide_rules(forecast_run, theme):
    assert_slide(figures.airline_figure(forecast_run, theme=theme), theme)


def test_airline_forecast_draws_the_runs_forecasts_the_actual_values_and_persistence(forecast_run):
    drawn = figures.airline_figure(forecast_run)._rnnkit_airline
    values = load_airline()[1]
    targets, by_hand = _forecasts_by_hand(forecast_run)
    assert drawn["test_targets"] == targets.tolist()
    assert targets[-1] == 143 and len(targets) == 48        # the last third of 144 months
    np.testing.assert_allclose(drawn["forecast"], by_hand, rtol=1e-4)
    np.testing.assert_allclose(drawn["actual"], values[targets])
    np.testing.assert_allclose(drawn["persistence"], values[targets - 1])


def test_plot_airline_writes_both_figures_and_refuses_a_run_of_another_task(forecast_run, tmp_path):
    for args, name in (([], "windows.svg"), (["--model", str(forecast_run)], "forecast.svg")):
        out = tmp_path / name
        result = CliRunner().invoke(cli, ["plot", "airline", *args, "-o", str(out)])
        assert result.exit_code == 0, result.output
        assert "<svg" in out.read_text()[:400]
    other = tmp_path / "other"
    train("delayed-recall", overrides={"seed": 0, "epochs": 1, "samples": 40}, out_dir=str(other),
          figures=False, verbose=0)
    bad = CliRunner().invoke(cli, ["plot", "airline", "--model", str(other), "-o", str(out)])
    assert bad.exit_code != 0 and "forecasting run" in bad.output and "Traceback" not in bad.output


def test_committed_figures_list_both_airline_figures():
    names = [name for name, _, _ in figures.COMMITTED]
    assert {"airline-windows", "airline-forecast"} <= set(names)


def test_the_forecast_is_drawn_in_its_cells_colour_and_persistence_is_not_a_cells(forecast_run):
    from rnnkit.viz.theme import CELL_COLORS
    lines = {line.get_label(): line.get_color() for line in
             figures.airline_figure(forecast_run).axes[0].get_lines()}
    model = next(label for label in lines if label.startswith("SimpleRNN"))
    assert lines[model] == CELL_COLORS["rnn"]                 # the built-in's default cell
    persistence = next(label for label in lines if label.startswith("persistence"))
    assert lines[persistence] not in CELL_COLORS.values()
