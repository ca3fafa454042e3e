"""The conformance kit for architecture plugins: does an architecture keep rnnkit's promises?

Like scikit-learn's ``check_estimator``, the kit is a list of independent, named checks. Each one
builds what it needs from scratch (small data, a fresh model), so any check can run alone, and
each failure says in plain words what is wrong and what to do about it.

=====================================  ==========================================================
check                                  what it asks of the architecture
=====================================  ==========================================================
``api_complete``                       the protocol is implemented; ``kind`` is valid;
                                       ``default_config()`` has epochs, batch_size, lr, seed
                                       and is JSON-serialisable
``small_data_shapes``                  ``small_data(config)`` returns a Dataset whose x and y have
                                       matching sample counts; ``meta`` is JSON-serialisable
``model_builds``                       ``build_model(config, meta)`` gives a compiled model with
                                       parameters whose predictions have the expected shape
``gradients_match_finite_differences`` in float64, ``model.gradients`` matches centred finite
                                       differences (relative error < 1e-6) on sampled weights
``training_lowers_loss``               a few ``train_on_batch`` steps lower the loss on a batch,
                                       and the architecture's ``fit`` runs
``save_load_round_trip``               ``model.save`` then ``rnnkit.load_model`` predicts the same
``evaluate_and_baseline``              both return dicts of floats holding ``headline_metric``
``demo_runs``                          ``demo(model, meta)`` returns a non-empty string
=====================================  ==========================================================

Use it directly::

    from rnnkit.testing import check_architecture
    report = check_architecture(MyArch())
    print(report)                 # one line per check, with the reason of each failure
    report.raise_on_failure()

or turn each check into a test case of your own suite::

    import pytest
    from rnnkit.testing import architecture_checks

    @pytest.mark.parametrize("check", architecture_checks(MyArch()), ids=str)
    def test_conformance(check):
        check()

The kit runs on ``arch.small_data(config)`` with a *kit config*: ``default_config()`` with sizes
lowered (see :data:`KIT_SIZES`) and then your ``config`` overrides on top, so
``check_architecture(arch, config={"cell": "gru", "units": 4})`` checks the GRU variant. As in
``rnnkit train``, ``build_model`` and ``demo`` receive ``meta`` as read back from JSON (see
:func:`stored_meta`). The checks run in the current float type (``config={"floatx": "float32"}``
selects one), except the gradient check, which always runs in float64; every check seeds rnnkit's
random generator with ``config["seed"]`` and restores the caller's generator and float type.
"""
import json
import math
import os
import tempfile
import textwrap
import time
import traceback
from dataclasses import dataclass

import numpy as np

from . import config as rk_config
from .fileio import jsonable
from .plugins import KINDS, Dataset, PluginError, protocol_problems

#: Upper bounds the kit puts on these keys of ``default_config()`` (only keys the config has, and
#: only ever lowering them), so every check runs in a second or so. ``config=`` overrides them.
KIT_SIZES = {"epochs": 1, "batch_size": 16, "units": 8}

#: Keys ``default_config()`` must have (the CLI's --epochs, --batch-size, --lr, --seed set them).
REQUIRED_CONFIG_KEYS = ("epochs", "batch_size", "lr", "seed")

#: The finite-difference check: step, largest relative error, samples and scalars per weight array.
FD_EPS = 1e-6
FD_RTOL = 1e-6
FD_SAMPLES = 2
FD_ENTRIES = 6

#: train_on_batch steps on one fixed batch in ``training_lowers_loss``.
TRAIN_STEPS = 10

#: Methods every model ``build_model`` returns must have.
MODEL_METHODS = ("count_params", "predict", "fit", "evaluate", "train_on_batch", "gradients",
                 "get_weights", "set_weights", "save")


from .errors import CheckFailed, ConformanceError  # noqa: F401  (re-exported)


@dataclass
class CheckResult:
    """The outcome of one check: its name, whether it passed, and why not."""
    name: str
    passed: bool
    message: str = ""
    seconds: float = 0.0

    def __bool__(self):
        return self.passed

    def __str__(self):
        head = f"{'PASS' if self.passed else 'FAIL'}  {self.name}"
        return head if self.passed or not self.message else f"{head}: {self.message}"


class CheckReport(list):
    """A list of :class:`CheckResult`, one per check, in the kit's order."""

    def __init__(self, arch_label, results=()):
        super().__init__(results)
        self.arch_label = arch_label

    @property
    def passed(self):
        return all(r.passed for r in self)

    def __bool__(self):
        return self.passed

    @property
    def failures(self):
        return [r for r in self if not r.passed]

    def __getitem__(self, key):
        """By position, or by check name: ``report["demo_runs"]``."""
        if isinstance(key, str):
            for r in self:
                if r.name == key:
                    return r
            raise KeyError(f"no check named {key!r}; the checks are {', '.join(r.name for r in self)}")
        return super().__getitem__(key)

    def __str__(self):
        n_fail = len(self.failures)
        lines = [f"rnnkit conformance kit, {self.arch_label}: {len(self) - n_fail} passed, "
                 f"{n_fail} failed"]
        width = max((len(r.name) for r in self), default=0)
        for r in self:
            lines.append(f"  {'PASS' if r.passed else 'FAIL'}  {r.name:<{width}}  {r.seconds:6.2f}s")
            if not r.passed:
                for par in r.message.splitlines():
                    lines.extend(textwrap.wrap(par, 100, initial_indent=" " * 8,
                                               subsequent_indent=" " * 8,
                                               break_on_hyphens=False, break_long_words=False))
        return "\n".join(lines)

    def __repr__(self):
        return f"<CheckReport {self.arch_label}: {[str(r).split(':')[0] for r in self]}>"

    def raise_on_failure(self):
        """Raise :class:`ConformanceError` with this report's text if any check failed."""
        if not self.passed:
            raise ConformanceError(str(self))
        return self


# ---- helpers the checks share ---------------------------------------------------------------------
def _resolve(arch):
    """An architecture instance from an instance, a class, or a registered name."""
    if isinstance(arch, str):
        from .plugins import get
        return get(arch)
    if isinstance(arch, type):
        try:
            return arch()
        except Exception as err:
            raise PluginError(f"cannot instantiate {arch.__name__}() to check it: "
                              f"{type(err).__name__}: {err}. The kit needs a class whose "
                              f"constructor takes no arguments, or an instance.") from err
    return arch


def _label(arch):
    name = getattr(arch, "name", None)
    kind = getattr(arch, "kind", None)
    return f"architecture {name!r} ({kind}, {type(arch).__module__}.{type(arch).__qualname__})"


_RNNKIT_DIR = os.path.dirname(os.path.abspath(__file__))


def _where(err):
    """Where ``err`` was raised: the innermost frame and, when that is inside rnnkit, the innermost
    frame of the caller's own code (the plugin's), e.g. " (at saving.py:98 in load_model, called
    from my_plugin.py:40 in build_model)"."""
    frames = [f for f in traceback.extract_tb(err.__traceback__)
              if os.path.abspath(f.filename) != os.path.abspath(__file__)]
    if not frames:
        return ""

    def fmt(f):
        return f"{os.path.basename(f.filename)}:{f.lineno} in {f.name}"

    def inside(f):
        return os.path.abspath(f.filename).startswith(_RNNKIT_DIR + os.sep)

    text = f" (at {fmt(frames[-1])}"
    if inside(frames[-1]):
        outside = [f for f in frames if not inside(f)]
        if outside:
            text += f", called from {fmt(outside[-1])}"
    return text + ")"


def _call(what, fn, *args, hint=""):
    """Call ``fn(*args)``; any exception becomes CheckFailed naming ``what`` and where it broke."""
    try:
        return fn(*args)
    except CheckFailed:
        raise
    except Exception as err:
        raise CheckFailed(f"{what} raised {type(err).__name__}: {err}{_where(err)}."
                          + (f" {hint}" if hint else "")) from err


def _json_problem(value, path="value"):
    """None if ``value`` survives json.dumps, else where it does not (e.g. "meta['vocab'][3]")."""
    try:
        json.dumps(value, allow_nan=True)
        return None
    except (TypeError, ValueError):
        pass
    if isinstance(value, dict):
        for k, v in value.items():
            if not isinstance(k, (str, int, float, bool)) and k is not None:
                return f"{path} has a key {k!r} of type {type(k).__name__}"
            inner = _json_problem(v, f"{path}[{k!r}]")
            if inner:
                return inner
    elif isinstance(value, (list, tuple)):
        for i, v in enumerate(value):
            inner = _json_problem(v, f"{path}[{i}]")
            if inner:
                return inner
    return f"{path} is a {type(value).__module__}.{type(value).__name__}"


def kit_config(arch, config=None):
    """The config the kit uses: ``default_config()`` with :data:`KIT_SIZES` applied, then ``config``."""
    cfg = _call("default_config()", arch.default_config,
                hint="Fix default_config() first (see check api_complete).")
    if not isinstance(cfg, dict):
        raise CheckFailed(f"default_config() returned a {type(cfg).__name__}, not a dict; return a "
                          f"dict such as {{'epochs': 10, 'batch_size': 32, 'lr': 1e-3, 'seed': 0}}.")
    cfg = dict(cfg)
    for key, most in KIT_SIZES.items():
        if isinstance(cfg.get(key), int) and not isinstance(cfg[key], bool):
            cfg[key] = min(cfg[key], most)
    cfg.update(config or {})
    return cfg


class _Isolated:
    """Seed rnnkit's random generator and NumPy's legacy one, and set floatx, for one check;
    restore all three afterwards. ``cfg`` is the kit config (its seed, and its floatx if any)."""

    def __init__(self, cfg, floatx=None):
        self.seed = cfg.get("seed")
        self.floatx = floatx or cfg.get("floatx")

    def __enter__(self):
        self._rng, self._floatx = rk_config._RNG, rk_config.floatx()
        seed = self.seed if isinstance(self.seed, int) else 0
        rk_config.set_seed(seed)
        np_state = np.random.get_state()
        np.random.seed(seed % 2**32)
        self._np_state = np_state
        if self.floatx:
            rk_config.set_floatx(self.floatx)
        return self

    def __exit__(self, *exc):
        rk_config._RNG = self._rng
        rk_config.set_floatx(self._floatx)
        np.random.set_state(self._np_state)
        return False


def _n(x):
    """Number of samples of ``x`` (a pair of arrays for encoder-decoder inputs)."""
    if isinstance(x, (list, tuple)):
        return len(x[0])
    return len(x)


def _take(x, index):
    if isinstance(x, (list, tuple)):
        return [np.asarray(part)[index] for part in x]
    return np.asarray(x)[index]


def _as_float64(a):
    a = np.asarray(a)
    return a.astype(np.float64) if np.issubdtype(a.dtype, np.floating) else a


def _small_data(arch, cfg):
    data = _call("small_data(config)", arch.small_data, cfg,
                 hint="small_data must make a tiny Dataset on the spot (no downloads).")
    if not isinstance(data, Dataset):
        raise CheckFailed(f"small_data(config) returned a {type(data).__name__}, not a "
                          f"rnnkit.plugins.Dataset; return Dataset(train=(x, y), test=(x, y), "
                          f"meta={{...}}).")
    return data


def _build(arch, cfg, meta):
    model = _call("build_model(config, meta)", arch.build_model, cfg, meta)
    missing = [m for m in MODEL_METHODS if not callable(getattr(model, m, None))]
    if missing:
        raise CheckFailed(f"build_model returned a {type(model).__name__}, which lacks "
                          f"{', '.join(missing)}; return an rnnkit Sequential or EncoderDecoder.")
    if getattr(model, "loss", None) is None:
        raise CheckFailed("build_model returned a model that is not compiled; call "
                          "model.compile(loss=..., optimizer=...) before returning it.")
    return model


def stored_meta(meta):
    """``meta`` as ``build_model`` and ``demo`` get it after ``rnnkit train``: read back from JSON
    (tuples become lists, dict keys strings). The checks pass this, not the original."""
    try:
        return json.loads(json.dumps(jsonable(meta)))
    except (TypeError, ValueError) as err:
        raise CheckFailed(f"Dataset.meta cannot be stored as JSON ({err}); see the check "
                          f"small_data_shapes.") from None


def _data_and_model(arch, cfg):
    data = _small_data(arch, cfg)
    return data, _build(arch, cfg, stored_meta(data.meta))


def _batch_loss(model, x, y):
    """The model's loss on (x, y) in one batch (what ``gradients`` differentiates)."""
    value = model.evaluate(x, y, batch_size=max(_n(x), 1))
    return float(value[0] if isinstance(value, (list, tuple)) else value)


def _weight_names(model):
    """'layer/weight' for each array of ``model.get_weights()``, in order."""
    names = []
    for layer in getattr(model, "layers", []):
        arrays = layer.get_weights()
        wnames = list(layer.keras_weight_names()) if hasattr(layer, "keras_weight_names") else []
        if len(wnames) != len(arrays):
            wnames = [f"weight{k}" for k in range(len(arrays))]
        names += [f"{layer.name or type(layer).__name__}/{w}" for w in wnames]
    return names


# ---- the checks ---------------------------------------------------------------------------------
def check_api_complete(arch, config=None):
    """The protocol is implemented, ``kind`` is valid, and ``default_config()`` is usable."""
    problems = protocol_problems(arch)
    if problems:
        raise CheckFailed("it does not follow the architecture protocol: " + "; ".join(problems)
                          + ". Subclass rnnkit.plugins.Architecture and define every attribute "
                          "and method its docstring marks required.")
    name = arch.name
    if not isinstance(name, str) or not name or name != name.strip() or " " in name:
        raise CheckFailed(f"its name {name!r} is not usable as an --arch value; use a short "
                          f"string without spaces, e.g. 'parity'.")
    if arch.kind not in KINDS:   # protocol_problems covers it; kept for duck-typed objects
        raise CheckFailed(f"its kind {arch.kind!r} is not one of {', '.join(KINDS)}.")
    if not isinstance(arch.summary, str) or not arch.summary.strip() or "\n" in arch.summary.strip():
        raise CheckFailed(f"its summary {arch.summary!r} is not one line of text; `rnnkit list` "
                          f"shows it beside the name.")
    if not isinstance(arch.headline_metric, str) or not arch.headline_metric:
        raise CheckFailed(f"its headline_metric {arch.headline_metric!r} is not a metric name; "
                          f"set it to the key evaluate() reports first, e.g. 'accuracy'.")
    cells = getattr(arch, "cells", ())
    if not isinstance(cells, (tuple, list)) or not all(isinstance(c, str) for c in cells):
        raise CheckFailed(f"its cells {cells!r} must be a tuple of --cell choices such as "
                          f"('rnn', 'lstm', 'gru') (empty if it has no choice).")
    cfg = _call("default_config()", arch.default_config)
    if not isinstance(cfg, dict):
        raise CheckFailed(f"default_config() returned a {type(cfg).__name__}, not a dict.")
    missing = [k for k in REQUIRED_CONFIG_KEYS if k not in cfg]
    if missing:
        raise CheckFailed(f"default_config() lacks {', '.join(missing)}; the CLI's --epochs, "
                          f"--batch-size, --lr and --seed set these keys, so the config needs "
                          f"all of {', '.join(REQUIRED_CONFIG_KEYS)}.")
    bad = _json_problem(cfg, "default_config()")
    if bad:
        raise CheckFailed(f"default_config() is not JSON-serialisable: {bad}. The run folder "
                          f"stores the config as JSON; use str, int, float, bool, lists and dicts.")
    if cells and cfg.get("cell", cells[0]) not in cells:
        raise CheckFailed(f"default_config()['cell'] is {cfg['cell']!r}, not one of its cells "
                          f"{tuple(cells)}.")


def check_small_data_shapes(arch, config=None):
    """``small_data`` returns a Dataset with matching sample counts and JSON-serialisable meta."""
    cfg = kit_config(arch, config)
    with _Isolated(cfg):
        data = _small_data(arch, cfg)
    splits = [("train", data.train), ("test", data.test)]
    if data.val is not None:
        splits.append(("val", data.val))
    for split, pair in splits:
        if not isinstance(pair, (tuple, list)) or len(pair) != 2:
            raise CheckFailed(f"Dataset.{split} must be an (x, y) pair, got a "
                              f"{type(pair).__name__}" + (f" of length {len(pair)}"
                                                          if hasattr(pair, '__len__') else "") + ".")
        x, y = pair
        if arch.kind == "encoder-decoder" and not (isinstance(x, (list, tuple)) and len(x) == 2):
            raise CheckFailed(f"Dataset.{split}: an encoder-decoder's x must be "
                              f"[x_encoder, x_decoder], got a {type(x).__name__}.")
        if isinstance(x, (list, tuple)):          # the inputs of an EncoderDecoder
            parts = [(f"x[{i}]", part) for i, part in enumerate(x)]
        else:
            parts = [("x", x)]
        parts.append(("y", y))
        counts = {}
        for label, a in parts:
            arr = np.asarray(a)
            if arr.dtype == object or arr.ndim == 0:
                raise CheckFailed(f"Dataset.{split} {label} is not a numeric array (dtype "
                                  f"{arr.dtype}, shape {arr.shape}); pad sequences to one length "
                                  f"and return NumPy arrays.")
            counts[label] = len(arr)
        if len(set(counts.values())) != 1:
            raise CheckFailed(f"Dataset.{split}: the sample counts differ ("
                              + ", ".join(f"{k} has {v}" for k, v in counts.items())
                              + "); x and y must have the same first dimension.")
        if next(iter(counts.values())) == 0:
            raise CheckFailed(f"Dataset.{split} is empty; small_data must give a few samples "
                              f"in every split.")
    if not isinstance(data.meta, dict):
        raise CheckFailed(f"Dataset.meta is a {type(data.meta).__name__}, not a dict.")
    bad = _json_problem(data.meta, "meta")
    if bad:
        raise CheckFailed(f"Dataset.meta is not JSON-serialisable: {bad}. The run folder keeps "
                          f"meta as JSON for the demo; convert arrays with .tolist() and use "
                          f"string keys.")


def check_model_builds(arch, config=None):
    """``build_model`` gives a compiled model with parameters that predicts the expected shapes."""
    cfg = kit_config(arch, config)
    with _Isolated(cfg):
        data, model = _data_and_model(arch, cfg)
        x, y = data.train
        pred = np.asarray(_call("model.predict(train x)", model.predict, x,
                                hint="The model does not accept the inputs small_data makes."))
        n_params = _call("model.count_params()", model.count_params)
        if not n_params or n_params <= 0:
            raise CheckFailed(f"the model has {n_params} parameters; build_model must return a "
                              f"model with trainable layers.")
    y = np.asarray(y)
    n = _n(x)
    if pred.ndim == 0 or len(pred) != n:
        raise CheckFailed(f"model.predict on {n} training samples returned shape {pred.shape}; "
                          f"its first dimension must be the number of samples, {n}.")
    sequence_out = arch.kind in ("many-to-many", "one-to-many", "encoder-decoder")
    if sequence_out:
        if pred.ndim != 3 or y.ndim < 2 or pred.shape[1] != y.shape[1]:
            raise CheckFailed(f"a {arch.kind} model must output (samples, timesteps, features) "
                              f"aligned with y; predict gave {pred.shape} for y of shape {y.shape}. "
                              f"Use return_sequences=True and a per-step Dense.")
    elif pred.ndim != 2:
        raise CheckFailed(f"a many-to-one model must output (samples, features); predict gave "
                          f"shape {pred.shape}. The last recurrent layer should not return "
                          f"sequences.")
    if not np.all(np.isfinite(pred)):
        raise CheckFailed("model.predict returned NaN or infinite values on the training inputs.")


def check_gradients_match_finite_differences(arch, config=None, eps=FD_EPS, rtol=FD_RTOL,
                                              samples=FD_SAMPLES, entries=FD_ENTRIES):
    """In float64, ``model.gradients`` matches centred finite differences on sampled weights.

    For each weight array, ``entries`` random scalars w_i are perturbed by ±eps and
    n_i = (L(w_i + eps) - L(w_i - eps)) / (2 eps) compared with the analytic a_i through
    max_i |a_i - n_i| / max(max|a| + max|n|, 1e-3), where max|a| runs over the whole array: an
    error relative to the array's gradient scale, held to an absolute 1e-9 when every gradient of
    the array is below 1e-3 (where rounding noise would swamp a relative test).
    """
    cfg = kit_config(arch, config)
    with _Isolated(cfg, floatx="float64"):
        data, model = _data_and_model(arch, cfg)
        x, y = data.train
        idx = np.arange(min(samples, _n(x)))
        xb = [_as_float64(p) for p in _take(x, idx)] if isinstance(x, (list, tuple)) \
            else _as_float64(_take(x, idx))
        yb = _as_float64(np.asarray(y)[idx])
        loss, grads = _call("model.gradients(x, y)", model.gradients, xb, yb)
        if any(np.asarray(w).dtype != np.float64 for w in model.get_weights()):
            raise CheckFailed("the model's weights are not float64 although rnnkit.config.floatx() "
                              "was 'float64' while it was built; do not pass dtype= to the layers "
                              "in build_model (the kit needs float64 for finite differences).")
        if not math.isfinite(loss):
            raise CheckFailed(f"model.gradients returned a loss of {loss} on {len(idx)} samples.")
        weights = [np.array(w, dtype=np.float64) for w in model.get_weights()]
        if len(grads) != len(weights):
            raise CheckFailed(f"model.gradients returned {len(grads)} arrays but get_weights() has "
                              f"{len(weights)}; they must align one to one.")
        names = _weight_names(model)
        if len(names) != len(weights):
            names = [f"weight {k}" for k in range(len(weights))]
        rng = np.random.default_rng(0)

        def loss_at(ws):
            model.set_weights(ws)
            return _batch_loss(model, xb, yb)

        for k, (w, g) in enumerate(zip(weights, grads)):
            g = np.asarray(g, dtype=np.float64)
            if g.shape != w.shape:
                raise CheckFailed(f"the gradient of {names[k]} has shape {g.shape} but the weight "
                                  f"has shape {w.shape}.")
            if not np.all(np.isfinite(g)):
                raise CheckFailed(f"the gradient of {names[k]} contains NaN or infinite values.")
            if w.size == 0:
                continue
            picks = rng.choice(w.size, size=min(entries, w.size), replace=False)
            analytic = g.reshape(-1)[picks]
            numeric = np.empty(len(picks))
            for j, i in enumerate(picks):
                trial = [v.copy() for v in weights]
                flat = trial[k].reshape(-1)
                flat[i] += eps
                up = loss_at(trial)
                flat[i] -= 2 * eps
                down = loss_at(trial)
                numeric[j] = (up - down) / (2 * eps)
            model.set_weights(weights)
            diffs = np.abs(analytic - numeric)
            scale = max(np.max(np.abs(g)) + np.max(np.abs(numeric)), 1e-3)
            err = float(diffs.max() / scale)
            if not err < rtol:          # also catches NaN
                j = int(np.nanargmax(diffs)) if np.any(np.isfinite(diffs)) else 0
                where = tuple(int(v) for v in np.unravel_index(picks[j], w.shape))
                raise CheckFailed(
                    f"the gradient of {names[k]} (shape {w.shape}) does not match centred finite "
                    f"differences: relative error {err:.2e} >= {rtol:g}; at index {where} "
                    f"model.gradients gives {analytic[j]:.6g} but (L(w+eps) - L(w-eps)) / 2eps = "
                    f"{numeric[j]:.6g}. The backward pass of the layer that owns this weight is "
                    f"wrong (or it does not fill every gradient); check that layer's backward "
                    f"against its forward on its own, by finite differences.")


def check_training_lowers_loss(arch, config=None, steps=TRAIN_STEPS):
    """``train_on_batch`` on one fixed batch lowers its loss; the architecture's ``fit`` runs."""
    cfg = kit_config(arch, config)
    with _Isolated(cfg):
        data, model = _data_and_model(arch, cfg)
        x, y = data.train
        idx = np.arange(min(int(cfg.get("batch_size") or 16), _n(x)))
        xb, yb = _take(x, idx), np.asarray(y)[idx]
        before = _call("model.evaluate on a training batch", _batch_loss, model, xb, yb)
        for _ in range(steps):
            _call("model.train_on_batch", model.train_on_batch, xb, yb)
        after = _batch_loss(model, xb, yb)
        if not after < before:
            raise CheckFailed(
                f"{steps} train_on_batch steps on the same {len(idx)} training samples did not "
                f"lower their loss ({before:.6g} -> {after:.6g}). The gradients may point the "
                f"wrong way, or the optimizer's learning rate (config lr={cfg.get('lr')!r}) is "
                f"zero, too small or far too large; build_model should compile with an "
                f"optimizer using config['lr'].")
        short = dict(cfg, epochs=1)
        model = _build(arch, short, stored_meta(data.meta))
        _call("fit(model, data, config) with epochs=1", arch.fit, model, data, short)


def check_save_load_round_trip(arch, config=None):
    """``model.save`` then ``rnnkit.load_model`` gives a model with identical predictions."""
    from .models import load_model
    cfg = kit_config(arch, config)
    with _Isolated(cfg):
        data, model = _data_and_model(arch, cfg)
        x, y = data.train
        idx = np.arange(min(int(cfg.get("batch_size") or 16), _n(x)))
        xb, yb = _take(x, idx), np.asarray(y)[idx]
        _call("model.train_on_batch", model.train_on_batch, xb, yb)   # weights off their init
        expected = np.asarray(model.predict(x))
        with tempfile.TemporaryDirectory(prefix="rnnkit-kit-") as tmp:
            path = os.path.join(tmp, "model.rnnkit")
            _call("model.save(path)", model.save, path)
            loaded = _call("rnnkit.load_model(path)", load_model, path,
                           hint="A saved model is data, never code: load_model rebuilds only "
                                "rnnkit's own layers and models, so build_model must use those "
                                "(rnnkit.layers, Sequential, EncoderDecoder) and not custom "
                                "classes.")
        got = np.asarray(_call("predict of the loaded model", loaded.predict, x))
    if got.shape != expected.shape:
        raise CheckFailed(f"the loaded model predicts shape {got.shape}, the saved one "
                          f"{expected.shape}.")
    diff = float(np.max(np.abs(got - expected))) if got.size else 0.0
    if not diff <= 1e-12 * max(1.0, float(np.max(np.abs(expected))) if expected.size else 1.0):
        raise CheckFailed(f"the loaded model's predictions differ from the saved model's by up to "
                          f"{diff:.3g}; some weight or setting is not saved. Every layer option "
                          f"must be in get_config() and every weight in get_weights().")


def _check_metrics(what, metrics, headline):
    if not isinstance(metrics, dict) or not metrics:
        raise CheckFailed(f"{what} returned {metrics!r}; return a non-empty dict of floats with "
                          f"the headline metric, e.g. {{{headline!r}: 0.93}}.")
    for k, v in metrics.items():
        if not isinstance(k, str):
            raise CheckFailed(f"{what}: the metric name {k!r} is not a string.")
        if isinstance(v, bool) or not isinstance(v, (int, float, np.integer, np.floating)):
            raise CheckFailed(f"{what}: metric {k!r} is {v!r} (a {type(v).__name__}), not a float; "
                              f"convert it with float(...).")
    if headline not in metrics:
        raise CheckFailed(f"{what} has no {headline!r} (the architecture's headline_metric); it "
                          f"reports {', '.join(map(repr, metrics))}.")


def check_evaluate_and_baseline(arch, config=None):
    """``evaluate`` and ``baseline`` return dicts of floats holding ``headline_metric``."""
    cfg = kit_config(arch, config)
    with _Isolated(cfg):
        data, model = _data_and_model(arch, cfg)
        metrics = _call("evaluate(model, data)", arch.evaluate, model, data)
        _check_metrics("evaluate(model, data)", metrics, arch.headline_metric)
        base = _call("baseline(data)", arch.baseline, data)
        _check_metrics("baseline(data)", base, arch.headline_metric)


def check_demo_runs(arch, config=None):
    """``demo(model, meta)`` returns a non-empty string, given meta as it comes back from JSON."""
    cfg = kit_config(arch, config)
    with _Isolated(cfg):
        data, model = _data_and_model(arch, cfg)
        meta = stored_meta(data.meta)
        text = _call("demo(model, meta)", arch.demo, model, meta,
                     hint="demo receives meta as read back from JSON (tuples become lists, "
                          "dict keys become strings), as after `rnnkit train`.")
    if not isinstance(text, str):
        raise CheckFailed(f"demo(model, meta) returned a {type(text).__name__}, not a string; "
                          f"return the text to show (rnnkit prints it).")
    if not text.strip():
        raise CheckFailed("demo(model, meta) returned an empty string; return a human-readable "
                          "demonstration, e.g. an input and the model's answer.")


#: The kit's checks, in the order they run: name -> function(arch, config).
CHECKS = {
    "api_complete": check_api_complete,
    "small_data_shapes": check_small_data_shapes,
    "model_builds": check_model_builds,
    "gradients_match_finite_differences": check_gradients_match_finite_differences,
    "training_lowers_loss": check_training_lowers_loss,
    "save_load_round_trip": check_save_load_round_trip,
    "evaluate_and_baseline": check_evaluate_and_baseline,
    "demo_runs": check_demo_runs,
}


def run_check(arch, name, config=None):
    """Run the check called ``name`` on ``arch``; returns a :class:`CheckResult` (never raises)."""
    if name not in CHECKS:
        raise KeyError(f"no check named {name!r}; the checks are {', '.join(CHECKS)}")
    start = time.perf_counter()
    try:
        arch = _resolve(arch)
        CHECKS[name](arch, config)
    except CheckFailed as err:
        return CheckResult(name, False, str(err), time.perf_counter() - start)
    except Exception as err:
        detail = "".join(traceback.format_exception_only(type(err), err)).strip()
        return CheckResult(name, False, f"the check itself crashed: {detail}{_where(err)}",
                           time.perf_counter() - start)
    return CheckResult(name, True, "", time.perf_counter() - start)


def check_architecture(arch, config=None, checks=None):
    """Run the kit's checks on ``arch`` (an instance, a class, or a registered name).

    ``config`` overrides keys of the kit config (see :func:`kit_config`); ``checks`` limits the run
    to some check names. Returns a :class:`CheckReport`; call ``raise_on_failure()`` on it to fail
    a test.
    """
    arch = _resolve(arch)
    names = list(CHECKS) if checks is None else list(checks)
    label = _label(arch) + (f" with config {config!r}" if config else "")
    return CheckReport(label, [run_check(arch, n, config) for n in names])


class Check:
    """One check bound to an architecture, for pytest: ``str(check)`` is its name, ``check()`` runs
    it and raises :class:`ConformanceError` with the reason if it fails."""

    def __init__(self, arch, name, config=None):
        self.arch, self.name, self.config = arch, name, config

    def run(self):
        return run_check(self.arch, self.name, self.config)

    def __call__(self):
        result = self.run()
        if not result.passed:
            raise ConformanceError(f"{self.name} failed for {_label(_resolve(self.arch))}:\n"
                                   f"{result.message}")
        return result

    def __str__(self):
        return self.name

    def __repr__(self):
        return f"<Check {self.name} of {getattr(self.arch, 'name', self.arch)!r}>"


def architecture_checks(arch, config=None):
    """The kit's checks as :class:`Check` objects for ``pytest.mark.parametrize(..., ids=str)``."""
    return [Check(arch, name, config) for name in CHECKS]


def parametrize_checks(arch, config=None, argname="check"):
    """Decorator: ``@parametrize_checks(MyArch())`` makes one test case per check."""
    import pytest
    return pytest.mark.parametrize(argname, architecture_checks(arch, config), ids=str)


__all__ = ["check_architecture", "architecture_checks", "parametrize_checks", "run_check",
           "kit_config", "CheckResult", "CheckReport", "Check", "CheckFailed", "ConformanceError",
           "CHECKS", "KIT_SIZES"]
