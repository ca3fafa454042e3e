"""forecasting: next month's airline passengers from the months before, a many-to-one regression.

The lecture's model, for its airline series cut into windows::

    window of the last W values (batch, W, 1)
      -> SimpleRNN(10)          (cell and units from the config; the lecture's is SimpleRNN(10))
      -> Dense(1, linear)       the next value

trained with mean squared error on the transformed series (below).

Data
----
Default: the monthly international airline passengers 1949-1960 in thousands (144 values, shipped
with rnnkit, :func:`rnnkit.data.load_airline`). ``--data PATH`` reads a CSV with a header line and
one value per row; with several columns (e.g. ``Month,Passengers``) the last one is used.

The split is chronological: the last ``test_fraction`` of the months are the test targets; every
example whose target lies before them is a training example (a test window may start in the
training months, as it would when forecasting for real). Nothing about the test months is used to
fit the scale.

``transform`` says what the network sees and predicts (``meta`` keeps the numbers needed to undo
it, fitted on the training months only):

``"minmax"``
    values scaled to [0, 1] by the training minimum and maximum; the network predicts the next
    scaled value. The usual tutorial recipe, but on this trending series the test months lie above
    everything seen in training, outside the range the network has learnt.
``"diff"``
    month-to-month changes v_t - v_{t-1}, divided by their training standard deviation; the
    network predicts the next change, and the forecast is the last value plus it.
``"logdiff"`` (default)
    the same on log values: relative changes. The airline series grows, and its seasonal swings
    grow with it; in logs the swing is about the same every year, which a window of 12 or more
    months can learn.

Metrics on the test targets, in the series' own units (thousands of passengers): ``rmse``
(headline; lower is better) and ``mae``. Baseline: persistence, "next month = this month", a
strong baseline on a slowly varying series.
"""
import csv
import io
import math

import numpy as np

from rnnkit import Sequential
from rnnkit.callbacks import Callback
from rnnkit.data import AIRLINE_CITATION, DataError, load_airline, read_text
from rnnkit.errors import ConfigError, InputError
from rnnkit.layers import Dense, recurrent_layer
from rnnkit.plugins import Architecture, Dataset

from . import _common

TRANSFORMS = ("logdiff", "diff", "minmax")


def read_series(path):
    """Read a one-value-per-row CSV (header line, then rows); the last column is the value.

    Returns ``(labels, values)``: the first column of each row when there are several columns
    (e.g. the month), else the row number; values as float64.
    """
    text = read_text(path, expected="a CSV file with a header line and one number per row")
    rows = list(csv.reader(io.StringIO(text)))
    labels, values = [], []
    for lineno, row in enumerate(rows, start=1):
        if not row or not any(c.strip() for c in row):
            continue
        cell = row[-1].strip()
        try:
            value = float(cell)
        except ValueError:
            if not values and not labels and lineno == _first_nonblank(rows):
                continue                                          # the header line
            raise DataError(f"{path}, line {lineno}: expected a number in the last column, found "
                            f"{cell!r}. Fix or delete the line.") from None
        if not math.isfinite(value):
            raise DataError(f"{path}, line {lineno}: the value {cell!r} is not a finite number.")
        labels.append(row[0].strip() if len(row) > 1 else str(len(values) + 1))
        values.append(value)
    if not values:
        raise DataError(f"{path}: no numeric rows found; expected a header line, then one number "
                        f"per row (or 'label,number' rows).")
    return labels, np.array(values, dtype=np.float64)


def _first_nonblank(rows):
    for lineno, row in enumerate(rows, start=1):
        if row and any(c.strip() for c in row):
            return lineno
    return 0


# ---- transforms -----------------------------------------------------------------------------------

def fit_transform(values, n_train, transform):
    """Transform ``values`` as ``transform`` says, fitting the scale on ``values[:n_train]``.

    Returns ``(z, offset, scale)``: ``z[k]`` belongs to month ``offset + k`` (the differences start
    at the second month), and ``scale`` is the JSON-able dict :func:`inverse` needs.
    """
    v = np.asarray(values, dtype=np.float64)
    if transform == "minmax":
        lo, hi = float(v[:n_train].min()), float(v[:n_train].max())
        span = hi - lo if hi > lo else 1.0
        return (v - lo) / span, 0, {"lo": lo, "span": span}
    if transform in ("diff", "logdiff"):
        if transform == "logdiff":
            if (v <= 0).any():
                raise DataError("transform 'logdiff' needs positive values (it takes logarithms); "
                                "for this series put \"transform\": \"diff\" (or \"minmax\") "
                                "in a --config file.")
            v = np.log(v)
        d = np.diff(v)
        sd = float(d[:n_train - 1].std()) or 1.0
        return d / sd, 1, {"sd": sd}
    raise ConfigError(f"unknown transform {transform!r}; choose one of {', '.join(TRANSFORMS)}")


def inverse(z_pred, previous, transform, scale):
    """Forecasts in the series' units from predicted ``z`` and each month's previous value."""
    z_pred = np.asarray(z_pred, dtype=np.float64).reshape(-1)
    previous = np.asarray(previous, dtype=np.float64).reshape(-1)
    if transform == "minmax":
        return z_pred * scale["span"] + scale["lo"]
    if transform == "diff":
        return previous + z_pred * scale["sd"]
    return previous * np.exp(z_pred * scale["sd"])


def rmse(pred, true):
    return float(np.sqrt(np.mean((np.asarray(pred) - np.asarray(true)) ** 2)))


class Forecasting(Architecture):
    """The lecture's airline forecasting example (see the module docstring)."""

    name = "forecasting"
    kind = "many-to-one"
    summary = "Airline passengers next month from a window of past months (the lecture's SimpleRNN(10))"
    headline_metric = "rmse"
    data_help = ("a CSV file: a header line, then one number per row; with several columns (e.g. "
                 "Month,Passengers) the last column is the series. Default: the lecture's airline "
                 "passengers 1949-1960.")
    cells = ("rnn", "lstm", "gru")
    input_help = "the last values of the series, e.g. 112 118 132 ... (at least window + 1)"

    def default_config(self):
        return {"cell": "rnn", "units": 10, "window": 12, "transform": "logdiff",
                "test_fraction": 0.33, "epochs": 300, "batch_size": 16, "lr": 0.003,
                "seed": 0, "floatx": "float32"}

    # ---- data ------------------------------------------------------------------------------
    def load_data(self, config, path=None, progress=None):
        if path is None:
            labels, values = load_airline()
            source = f"airline passengers (thousands), {AIRLINE_CITATION}"
        else:
            labels, values = read_series(path)
            source = str(path)
        return self._dataset(labels, values, config, source)

    def encode_data(self, config, meta, path):
        """Every month of the series at ``path`` that a window can predict, in the run's
        transform and scale (not refitted to the file); ``train`` is the same windows."""
        labels, values = read_series(path)
        values = np.asarray(values, dtype=np.float64)
        window, offset, transform = meta["window"], meta["offset"], meta["transform"]
        if transform == "logdiff" and (values <= 0).any():
            raise DataError(f"{path}: the run reads the log of the series (transform logdiff), "
                            f"so every value must be > 0")
        targets = np.arange(offset + window, len(values))      # each month a window predicts
        if targets.size == 0:
            raise DataError(f"{path}: {len(values)} values are too few; the model reads "
                            f"{window} months, so give at least {offset + window + 1}")
        z = _transform_with(values, transform, meta["scale"])
        dtype = config["floatx"]
        x = np.stack([z[t - offset - window:t - offset] for t in targets])[:, :, None].astype(dtype)
        y = z[targets - offset][:, None].astype(dtype)
        scored = dict(meta, values=[float(v) for v in values], labels=[str(s) for s in labels],
                      test_targets=[int(t) for t in targets])
        return Dataset(train=(x, y), test=(x, y), meta=scored,
                       info={"source": str(path), "values": len(values)})

    def small_data(self, config):
        """A 60-month synthetic series: a trend plus a 12-month wave (deterministic)."""
        t = np.arange(60)
        values = 100 + 2.0 * t + 15 * np.sin(2 * np.pi * t / 12)
        return self._dataset([str(k + 1) for k in t], values,
                             dict(config, window=min(config["window"], 6)), "synthetic (small_data)")

    def _dataset(self, labels, values, config, source):
        _common.check_positive_ints(config, "window")
        _common.check_fraction(config, "test_fraction")
        transform, window = config["transform"], config["window"]
        if transform not in TRANSFORMS:
            raise ConfigError(f"unknown transform {transform!r}; choose one of "
                              f"{', '.join(TRANSFORMS)}")
        T = len(values)
        n_test = math.ceil(config["test_fraction"] * T - 1e-9)
        n_train = T - n_test                      # months 0 .. n_train-1 are training months
        z, offset, scale = fit_transform(values, n_train, transform)
        first_target = offset + window            # the earliest month a window can predict
        if n_train - first_target < 2 or n_test < 1:
            raise DataError(
                f"{source}: {T} values are too few for window={window} and test_fraction="
                f"{config['test_fraction']}: need at least {first_target + 2} training months and "
                f"one test month. Use a longer series or a smaller window.")
        targets = np.arange(first_target, T)      # month of each example's target
        dtype = config["floatx"]
        x = np.stack([z[t - offset - window:t - offset] for t in targets])[:, :, None].astype(dtype)
        y = z[targets - offset][:, None].astype(dtype)
        train = targets < n_train
        meta = {"transform": transform, "window": window, "scale": scale, "offset": offset,
                "values": [float(v) for v in values], "labels": [str(s) for s in labels],
                "test_targets": [int(t) for t in targets[~train]]}
        info = {"source": source, "values": T, "training_months": n_train, "test_months": n_test,
                "train_examples": int(train.sum()), "test_examples": int((~train).sum()),
                "window": window, "transform": transform}
        return Dataset(train=(x[train], y[train]), test=(x[~train], y[~train]), meta=meta, info=info)

    # ---- model -------------------------------------------------------------------------------
    def data_info(self):
        from importlib import resources
        from rnnkit.data import airline
        csv = resources.files(airline.__package__).joinpath(airline.FILENAME)
        return {"source": "monthly international airline passengers (thousands), 1949-1960, "
                          "144 values; shipped with rnnkit (nothing to download)",
                "path": str(csv), "size": len(csv.read_bytes()), "citation": airline.CITATION,
                "licence": "a published statistical series (facts); the CSV is rnnkit's"}

    def build_model(self, config, meta):
        model = Sequential([recurrent_layer(config["cell"], config["units"],
                                            input_shape=(meta["window"], 1)),
                            Dense(1, activation="linear")], name="forecaster")
        model.compile(loss="mse", optimizer=_common.optimizer(config))
        return model

    def fit(self, model, data, config, callbacks=None, verbose=0):
        """Keras' fit; a long run prints only every 25th epoch when verbose."""
        if verbose and config["epochs"] > 50:
            callbacks = list(callbacks or []) + [_EveryNth(25, config["epochs"])]
            verbose = 0
        return super().fit(model, data, config, callbacks=callbacks, verbose=verbose)

    # ---- metrics -----------------------------------------------------------------------------
    def _test_truth(self, meta):
        values = np.asarray(meta["values"])
        t = np.asarray(meta["test_targets"])
        return values[t], values[t - 1]

    def evaluate(self, model, data):
        meta = data.meta
        truth, previous = self._test_truth(meta)
        z_pred = model.predict(data.test[0])
        pred = inverse(z_pred, previous, meta["transform"], meta["scale"])
        return _scores(pred, truth)

    def baseline(self, data):
        """Persistence: next month's value is this month's."""
        truth, previous = self._test_truth(data.meta)
        return _scores(previous, truth)

    # ---- demo ----------------------------------------------------------------------------------
    def predictions(self, model, meta, inputs=None):
        """The inputs read as one series (``tokens``: the values, in order) and the forecast of
        the next value beside persistence's (the last value)."""
        window, transform, scale = meta["window"], meta["transform"], meta["scale"]
        if inputs:
            text = " ".join([inputs] if isinstance(inputs, str) else inputs)
            try:
                values = np.array([float(s) for s in text.replace(",", " ").split()])
            except ValueError:
                raise InputError(f"forecasting demo: give numbers, the last values of the series "
                                 f"(at least {window + meta['offset']}), got {text!r}") from None
        else:
            values = np.asarray(meta["values"])
            text = " ".join(f"{v:g}" for v in values)
        if not np.all(np.isfinite(values)):
            raise InputError(f"forecasting demo: give finite numbers (no nan or inf), got "
                             f"{text!r}")
        if transform == "logdiff" and np.any(values <= 0):
            raise InputError(f"forecasting demo: this model reads the log of the series "
                             f"(transform logdiff), so every value must be > 0, got {text!r}")
        need = window + meta["offset"]
        if len(values) < need:
            raise InputError(f"forecasting demo: the model reads {window} months"
                             f"{' of changes' if meta['offset'] else ''}, so give at least {need} "
                             f"values, got {len(values)}")
        z = _transform_with(values, transform, scale)
        x = np.asarray(z[-window:])[None, :, None]        # the recurrent layer casts to its dtype
        with np.errstate(all="ignore"):                  # an overflow is refused just below
            nxt = float(inverse(model.predict(x), values[-1:], transform, scale)[0])
        if not math.isfinite(nxt):
            raise InputError(f"forecasting demo: the forecast for these values is not a finite "
                             f"number; give values of the size of the series it was trained on")
        return [{"input": text, "tokens": [float(v) for v in values], "forecast": nxt,
                 "persistence": float(values[-1])}]

    def demo(self, model, meta, inputs=None):
        one = self.predictions(model, meta, inputs)[0]
        values = one["tokens"]
        if inputs:
            labels = [f"t{k - len(values) + 1:+d}" if k < len(values) - 1 else "t"
                      for k in range(len(values))]
        else:
            labels = meta["labels"]
        need = meta["window"] + meta["offset"]
        return "\n".join([
            f"last {min(need, len(values))} values: "
            + ", ".join(f"{l} {v:g}" for l, v in zip(labels[-need:], values[-need:])),
            f"forecast for the next step: {one['forecast']:.1f}   (persistence says "
            f"{one['persistence']:g})"])


def _transform_with(values, transform, scale):
    """Apply a fitted transform (the scale from meta) to raw values."""
    v = np.asarray(values, dtype=np.float64)
    if transform == "minmax":
        return (v - scale["lo"]) / scale["span"]
    if transform == "logdiff":
        v = np.log(v)
    return np.diff(v) / scale["sd"]


def _scores(pred, truth):
    return {"rmse": rmse(pred, truth), "mae": float(np.mean(np.abs(np.asarray(pred) - truth)))}


class _EveryNth(Callback):
    """A fit callback printing the loss every ``n`` epochs (and the last one)."""

    def __init__(self, n, total):
        self.n, self.total = n, total

    def on_epoch_end(self, epoch, logs):
        if epoch % self.n == 0 or epoch == self.total:
            print(f"Epoch {epoch}/{self.total} - loss: {logs['loss']:.4f}", flush=True)
