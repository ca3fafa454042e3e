"""The forecasting built-in: the lecture's windows, the transforms, persistence by hand, CSV files."""
import json
import math

import numpy as np
import pytest

from rnnkit import config
from rnnkit.builtins.forecasting import Forecasting, fit_transform, inverse, read_series
from rnnkit.data import DataError, load_airline
from rnnkit.plugins import protocol_problems
from rnnkit.runs import resolve_config

ARCH = Forecasting()


@pytest.fixture(scope="module")
def small():
    config.set_seed(0)
    cfg = resolve_config(ARCH, dict(epochs=20, batch_size=8))
    return cfg, ARCH.small_data(cfg)


def test_follows_the_protocol_with_the_lectures_model():
    assert protocol_problems(ARCH) == []
    assert ARCH.kind == "many-to-one" and ARCH.headline_metric == "rmse"
    cfg = ARCH.default_config()
    assert (cfg["cell"], cfg["units"]) == ("rnn", 10)
    for key in ("cell", "units", "epochs", "batch_size", "lr", "seed", "floatx"):
        assert key in cfg
    model = ARCH.build_model(resolve_config(ARCH, dict(window=50, floatx="float64")), {"window": 50})
    assert model.count_params() == 131              # the lecture's SimpleRNN(10), Dense(1)


def test_default_data_are_the_airline_windows():
    data = ARCH.load_data(resolve_config(ARCH, dict(transform="minmax", window=3)))
    months, values = load_airline()
    x, y = data.train
    scale = data.meta["scale"]
    # the lecture's "3 feature dataset": 112 118 132 -> 129
    first = x[0, :, 0] * scale["span"] + scale["lo"]
    assert first.tolist() == pytest.approx([112, 118, 132])
    assert float(y[0, 0]) * scale["span"] + scale["lo"] == pytest.approx(129)
    # chronological: the test targets are the last months, the scale comes from the others
    assert data.meta["test_targets"][-1] == 143
    n_train = data.info["training_months"]
    assert scale["lo"] == values[:n_train].min()
    assert len(data.train[0]) + len(data.test[0]) == 144 - 3


def test_small_data_shapes_and_json_meta(small):
    cfg, data = small
    x, y = data.train
    assert x.ndim == 3 and x.shape[2] == 1 and y.shape == (len(x), 1)
    assert json.loads(json.dumps(data.meta)) == data.meta


@pytest.mark.parametrize("transform", ["logdiff", "diff", "minmax"])
def test_transforms_invert_exactly(transform):
    values = np.array([112.0, 118, 132, 129, 121, 135, 148, 148])
    z, offset, scale = fit_transform(values, 6, transform)
    months = np.arange(offset + 1, len(values))
    back = inverse(z[months - offset], values[months - 1], transform, scale)
    assert back == pytest.approx(values[months])


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_training_lowers_the_loss(small, cell):
    cfg, data = small
    config.set_seed(0)
    cfg = dict(cfg, cell=cell)
    model = ARCH.build_model(cfg, data.meta)
    losses = ARCH.fit(model, data, cfg).history["loss"]
    assert losses[-1] < losses[0]
    scores = ARCH.evaluate(model, data)
    assert list(scores)[0] == "rmse" and set(scores) == set(ARCH.baseline(data))


def test_persistence_rmse_by_hand(tmp_path):
    path = tmp_path / "series.csv"
    path.write_text("value\n" + "\n".join(str(v) for v in [1, 2, 3, 4, 5, 6, 7, 10, 8, 12]) + "\n")
    cfg = resolve_config(ARCH, dict(window=2, test_fraction=0.3, transform="diff"))
    data = ARCH.load_data(cfg, path)
    # test targets: the last 3 values 10, 8, 12, forecast by 7, 10, 8: errors 3, -2, 4
    assert data.meta["test_targets"] == [7, 8, 9]
    scores = ARCH.baseline(data)
    assert scores["rmse"] == pytest.approx(math.sqrt((9 + 4 + 16) / 3))
    assert scores["mae"] == pytest.approx(3.0)


def test_two_column_csv_uses_the_last_column(tmp_path):
    path = tmp_path / "airline.csv"
    path.write_text('"Month","Passengers"\n"1949-01",112\n"1949-02",118\n"1949-03",132\n')
    labels, values = read_series(path)
    assert labels == ["1949-01", "1949-02", "1949-03"] and values.tolist() == [112, 118, 132]


def test_malformed_row_is_a_data_error_with_its_line(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("Month,Passengers\n1949-01,112\n1949-02,lots\n")
    with pytest.raises(DataError, match="line 3"):
        read_series(path)
    empty = tmp_path / "empty.csv"
    empty.write_text("Month,Passengers\n")
    with pytest.raises(DataError, match="no numeric rows"):
        read_series(empty)


def test_series_too_short_for_the_window_is_a_data_error(tmp_path):
    path = tmp_path / "short.csv"
    path.write_text("v\n1\n2\n3\n4\n")
    with pytest.raises(DataError, match="too few"):
        ARCH.load_data(resolve_config(ARCH, dict(window=12)), path)


def test_bad_config_values_are_value_errors():
    with pytest.raises(ValueError, match="logdiff, diff, minmax"):
        ARCH.load_data(resolve_config(ARCH, dict(transform="boxcox")))
    with pytest.raises(ValueError, match="rnn, lstm, gru"):      # hooks get validated configs
        resolve_config(ARCH, {"cell": "tcn"})


def test_demo_forecasts_the_next_value(small):
    cfg, data = small
    model = ARCH.build_model(cfg, data.meta)
    meta = json.loads(json.dumps(data.meta))
    assert "forecast for the next step" in ARCH.demo(model, meta)
    text = ARCH.demo(model, meta, ["100 110 120 130 140 150 160 170"])
    assert "persistence says 170" in text
    with pytest.raises(ValueError, match="at least"):
        ARCH.demo(model, meta, ["1 2"])
