"""The checks of the conformance kit: each a function ``check_x(arch, config=None)``.

A check builds what it needs from scratch (small data, a fresh model) and raises
:class:`~rnnkit.errors.CheckFailed` with the reason when the architecture breaks a promise; it
returns None when it ran, or a string, the reason it does not apply (a skip).
"""
import math
import os
import tempfile

import numpy as np

from .. import gradcheck
from ..errors import CheckFailed, RnnkitError
from ..models import load_model
from ..plugins import KINDS, Architecture, protocol_problems, required_config_keys
# the runs module: training into a run folder, and `rnnkit evaluate` / `rnnkit predict` on it
from ..runs import evaluate_run, load_run, predict_run, train
from .helpers import (batch_loss, build, call, data_and_model, isolated, json_problem, kit_config,
                      n_samples, offline_copy, raised_at, small_data, stored_meta, take,
                      training_batch)

#: Samples and entries per weight array of the gradient checks (step and tolerance: gradcheck's).
FD_SAMPLES = 2
FD_ENTRIES = 6

#: train_on_batch steps on one fixed batch in ``training_lowers_loss``.
TRAIN_STEPS = 10

#: What users type after ``rnnkit predict RUN`` and ``rnnkit plot hidden``: a phrase, a number, a
#: longer sentence with digits. demo and encode must answer each or refuse it with a user error.
USER_INPUTS = ("hello world", "7", "the cat sat on the mat 3 1 4")

#: The padding id of token inputs (an Embedding with mask_zero=True masks it).
PAD_ID = 0


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
    cfg = call("default_config()", arch.default_config)
    if not isinstance(cfg, dict):
        raise CheckFailed(f"default_config() returned a {type(cfg).__name__}, not a dict.")
    required = required_config_keys(arch)
    missing = [k for k in required if k not in cfg]
    if missing:
        options = ", ".join("--" + k.replace("_", "-") for k in required)
        raise CheckFailed(f"default_config() lacks {', '.join(missing)}; the CLI's options "
                          f"{options} set these keys, so the config needs all of "
                          f"{', '.join(required)}.")
    bad = json_problem(cfg, "default_config()")
    if bad:
        raise CheckFailed(f"default_config() is not JSON-serialisable: {bad}. The run folder "
                          f"stores the config as JSON; use str, int, float, bool, lists and dicts.")
    if cells and cfg.get("cell", cells[0]) not in cells:
        raise CheckFailed(f"default_config()['cell'] is {cfg['cell']!r}, not one of its cells "
                          f"{tuple(cells)}.")


def check_small_data_shapes(arch, config=None):
    """``small_data`` returns a Dataset with matching sample counts and JSON-serialisable meta."""
    cfg = kit_config(arch, config)
    with isolated(cfg):
        data = small_data(arch, cfg)
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
    bad = json_problem(data.meta, "meta")
    if bad:
        raise CheckFailed(f"Dataset.meta is not JSON-serialisable: {bad}. The run folder keeps "
                          f"meta as JSON for the demo; convert arrays with .tolist() and use "
                          f"string keys.")


def check_model_builds(arch, config=None):
    """``build_model`` gives a compiled model with parameters that predicts the expected shapes."""
    cfg = kit_config(arch, config)
    with isolated(cfg):
        data, model = data_and_model(arch, cfg)
        x, y = data.train
        pred = np.asarray(call("model.predict(train x)", model.predict, x,
                                hint="The model does not accept the inputs small_data makes."))
        n_params = call("model.count_params()", model.count_params)
        if not n_params or n_params <= 0:
            raise CheckFailed(f"the model has {n_params} parameters; build_model must return a "
                              f"model with trainable layers.")
    y = np.asarray(y)
    n = n_samples(x)
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


def check_gradients_match_finite_differences(arch, config=None):
    """In float64, ``model.gradients`` matches centred finite differences on sampled weights.

    On the first :data:`FD_SAMPLES` training samples, :func:`rnnkit.gradcheck.check_model` compares
    :data:`FD_ENTRIES` entries of every weight array (its largest gradients, then random ones)
    with centred differences; its relative error must stay below ``gradcheck.TOLERANCE``.
    """
    cfg = kit_config(arch, config)
    with isolated(cfg, floatx="float64"):
        data, model = data_and_model(arch, cfg)
        x, y = data.train
        index = np.arange(min(FD_SAMPLES, n_samples(x)))
        _check_gradients(model, take(x, index), np.asarray(y)[index],
                         f"on {len(index)} training samples")


def check_masked_gradients(arch, config=None):
    """In float64, the gradients also match finite differences on inputs with padding.

    For token-id inputs (integer (samples, timesteps) arrays), the samples of small_data that hold
    the padding id 0, or, when none does, the first samples with their last third set to 0.
    """
    cfg = kit_config(arch, config)
    with isolated(cfg, floatx="float64"):
        data = small_data(arch, cfg)
        x, y = data.train
        parts = list(x) if isinstance(x, (list, tuple)) else [x]
        tokens = [k for k, part in enumerate(parts) if np.asarray(part).ndim == 2
                  and np.issubdtype(np.asarray(part).dtype, np.integer)]
        if not tokens:
            return "its inputs are not token ids (integer arrays (samples, timesteps)): no padding"
        padded = np.flatnonzero(np.any([np.any(np.asarray(parts[k]) == PAD_ID, axis=1)
                                        for k in tokens], axis=0))
        if padded.size:
            index = padded[:FD_SAMPLES]
            parts = [np.asarray(part)[index] for part in parts]
            where = f"on {len(index)} training samples with padding"
        else:
            index = np.arange(min(FD_SAMPLES, n_samples(x)))
            parts = [np.array(part)[index] for part in parts]
            for k in tokens:
                parts[k][:, parts[k].shape[1] - max(1, parts[k].shape[1] // 3):] = PAD_ID
            where = (f"on {len(index)} training samples whose last third was set to the padding "
                     f"id {PAD_ID}")
        model = build(arch, cfg, stored_meta(data.meta))
        xb = parts if isinstance(x, (list, tuple)) else parts[0]
        _check_gradients(model, xb, np.asarray(y)[index], where,
                         hint="Padded steps must carry the state through unchanged in the forward "
                              "pass and pass no gradient in the backward pass (see the mask in "
                              "rnnkit.layers.recurrent).")


def _check_gradients(model, x, y, where, hint=""):
    """Raise CheckFailed unless ``model``'s gradients on (x, y) match finite differences."""
    x = [_as_float64(p) for p in x] if isinstance(x, (list, tuple)) else _as_float64(x)
    y = _as_float64(y)
    loss, grads = call("model.gradients(x, y)", model.gradients, x, y)
    weights = model.get_weights()
    if any(np.asarray(w).dtype != np.float64 for w in weights):
        raise CheckFailed("the model's weights are not float64 although rnnkit.config.floatx() "
                          "was 'float64' while it was built; build the layers in the config's "
                          "floatx (the kit needs float64 for finite differences).")
    if not math.isfinite(loss):
        raise CheckFailed(f"model.gradients returned a loss of {loss} {where}.")
    if len(grads) != len(weights):
        raise CheckFailed(f"model.gradients returned {len(grads)} arrays but get_weights() has "
                          f"{len(weights)}; they must align one to one.")
    names = gradcheck.weight_names(model)
    for k, (w, g) in enumerate(zip(weights, grads)):
        name = names[k] if len(names) == len(weights) else f"weight {k}"
        if np.shape(g) != np.shape(w):
            raise CheckFailed(f"the gradient of {name} has shape {np.shape(g)} but the weight "
                              f"has shape {np.shape(w)}.")
        if not np.all(np.isfinite(g)):
            raise CheckFailed(f"the gradient of {name} contains NaN or infinite values.")
    result = gradcheck.check_model(model, x, y, entries=FD_ENTRIES)
    if result.ok:
        return
    worst = max(result.failures(), key=lambda a: np.nan_to_num(a.max_rel_error, nan=np.inf))
    e = max(worst.entries, key=lambda e: np.nan_to_num(e["rel_error"], nan=np.inf))
    raise CheckFailed(
        f"the gradient of {worst.name} (shape {worst.shape}) does not match centred finite "
        f"differences {where}: relative error {worst.max_rel_error:.2e} >= {result.tolerance:g}; "
        f"at index {e['index']} model.gradients gives {e['analytic']:.6g} but "
        f"(L(w+h) - L(w-h)) / 2h = {e['numeric']:.6g}. The backward pass of the layer that owns "
        f"this weight is wrong (or it does not fill every gradient); check that layer's backward "
        f"against its forward on its own, by finite differences (rnnkit.gradcheck)."
        + (f" {hint}" if hint else ""))


def _as_float64(a):
    a = np.asarray(a)
    return a.astype(np.float64) if np.issubdtype(a.dtype, np.floating) else a


def check_training_lowers_loss(arch, config=None, steps=TRAIN_STEPS):
    """``train_on_batch`` on one fixed batch lowers its loss; the architecture's ``fit`` runs."""
    cfg = kit_config(arch, config)
    with isolated(cfg):
        data, model = data_and_model(arch, cfg)
        xb, yb = training_batch(data, cfg)
        before = call("model.evaluate on a training batch", batch_loss, model, xb, yb)
        for _ in range(steps):
            call("model.train_on_batch", model.train_on_batch, xb, yb)
        after = batch_loss(model, xb, yb)
        if not after < before:
            raise CheckFailed(
                f"{steps} train_on_batch steps on the same {len(yb)} training samples did not "
                f"lower their loss ({before:.6g} -> {after:.6g}). The gradients may point the "
                f"wrong way, or the optimizer's learning rate (config lr={cfg.get('lr')!r}) is "
                f"zero, too small or far too large; build_model should compile with an "
                f"optimizer using config['lr'].")
        short = dict(cfg, epochs=1)
        model = build(arch, short, stored_meta(data.meta))
        call("fit(model, data, config) with epochs=1", arch.fit, model, data, short)


def check_save_load_round_trip(arch, config=None):
    """``model.save`` then ``rnnkit.load_model`` gives a model with identical predictions."""
    cfg = kit_config(arch, config)
    with isolated(cfg):
        data, model = data_and_model(arch, cfg)
        x = data.train[0]
        call("model.train_on_batch", model.train_on_batch, *training_batch(data, cfg))  # off init
        expected = np.asarray(model.predict(x))
        with tempfile.TemporaryDirectory(prefix="rnnkit-kit-") as tmp:
            path = os.path.join(tmp, "model.rnnkit")
            call("model.save(path)", model.save, path)
            loaded = call("rnnkit.load_model(path)", load_model, path,
                           hint="A saved model is data, never code: load_model rebuilds only "
                                "rnnkit's own layers and models, so build_model must use those "
                                "(rnnkit.layers, Sequential, EncoderDecoder) and not custom "
                                "classes.")
        got = np.asarray(call("predict of the loaded model", loaded.predict, x))
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
    with isolated(cfg):
        data, model = data_and_model(arch, cfg)
        metrics = call("evaluate(model, data)", arch.evaluate, model, data)
        _check_metrics("evaluate(model, data)", metrics, arch.headline_metric)
        base = call("baseline(data)", arch.baseline, data)
        _check_metrics("baseline(data)", base, arch.headline_metric)


def check_demo_runs(arch, config=None):
    """``demo(model, meta)`` returns a non-empty string, given meta as it comes back from JSON."""
    cfg = kit_config(arch, config)
    with isolated(cfg):
        data, model = data_and_model(arch, cfg)
        meta = stored_meta(data.meta)
        text = call("demo(model, meta)", arch.demo, model, meta,
                     hint="demo receives meta as read back from JSON (tuples become lists, "
                          "dict keys become strings), as after `rnnkit train`.")
    if not isinstance(text, str):
        raise CheckFailed(f"demo(model, meta) returned a {type(text).__name__}, not a string; "
                          f"return the text to show (rnnkit prints it).")
    if not text.strip():
        raise CheckFailed("demo(model, meta) returned an empty string; return a human-readable "
                          "demonstration, e.g. an input and the model's answer.")

def check_every_cell_builds(arch, config=None):
    """Every entry of ``cells`` (each ``--cell`` choice) builds a model that predicts."""
    cells = tuple(getattr(arch, "cells", ()) or ())
    if not cells:
        return "it declares no cells (no --cell choice)"
    for cell in cells:
        try:
            cfg = kit_config(arch, dict(config or {}, cell=cell))
            with isolated(cfg):
                data, model = data_and_model(arch, cfg)
                x = take(data.train[0], np.arange(min(2, n_samples(data.train[0]))))
                pred = np.asarray(call("model.predict", model.predict, x))
            if not np.all(np.isfinite(pred)):
                raise CheckFailed("the model predicts NaN or infinite values.")
        except CheckFailed as err:
            raise CheckFailed(f"with cell={cell!r}: {err} cells lists {cell!r}, so `rnnkit train "
                              f"--cell {cell}` offers it; build_model must support it, or cells "
                              f"must not list it.") from err


def _signature(model, x):
    """What tells two models apart: their layer classes and weight shapes (built on ``x``)."""
    call("model.predict on one training sample", model.predict, take(x, [0]))
    return ([type(layer).__name__ for layer in getattr(model, "layers", [])],
            [tuple(np.shape(w)) for w in model.get_weights()])


def check_config_changes_model(arch, config=None):
    """The config's ``cell`` and ``units`` reach the model: other values, other layers or shapes."""
    cfg = kit_config(arch, config)
    cells = tuple(getattr(arch, "cells", ()) or ())
    variants = []
    if len(cells) > 1:
        other = next(c for c in cells if c != cfg.get("cell"))
        variants.append(("cell", other))
    if isinstance(cfg.get("units"), int):
        variants.append(("units", cfg["units"] + 3))
    if not variants:
        return "it has one cell and no integer units: nothing to vary"
    with isolated(cfg):
        data, model = data_and_model(arch, cfg)
        x = data.train[0]
        base = _signature(model, x)
        meta = stored_meta(data.meta)
        for key, value in variants:
            changed = build(arch, kit_config(arch, dict(config or {}, **{key: value})), meta)
            if _signature(changed, x) == base:
                raise CheckFailed(f"config {key}={value!r} builds the same model as "
                                  f"{key}={cfg[key]!r} (layers {base[0]}, weight shapes "
                                  f"{base[1]}): build_model ignores config[{key!r}], so "
                                  f"`rnnkit train --{key} ...` does nothing. Build the recurrent "
                                  f"layers with rnnkit.layers.recurrent_layer(config['cell'], "
                                  f"config['units']).")


def check_run_folder_round_trip(arch, config=None):
    """The path users take: ``rnnkit train`` (one epoch, into a run folder), then ``rnnkit
    evaluate`` and ``rnnkit predict`` on that folder, and ``encode`` (``rnnkit plot hidden``).

    Training and reloading go through rnnkit's own functions (``train``, ``evaluate_run``,
    ``predict_run``, ``load_run``): the model is rebuilt by ``build_model`` from the stored config
    and meta of a fresh instance of the architecture, then given the saved weights. The data are
    small_data. ``demo`` and ``encode`` get :data:`USER_INPUTS`; each must give an answer or
    refuse with a user error (ValueError or an rnnkit error), which the CLI shows as a message.
    """
    cfg = kit_config(arch, config)
    with isolated(cfg), tempfile.TemporaryDirectory(prefix="rnnkit-kit-") as tmp:
        small_data(arch, cfg)                  # what the run trains on must exist first
        folder = os.path.join(tmp, "run")
        call("rnnkit.runs.train(arch, one epoch, small_data) into a run folder", train,
             offline_copy(arch), overrides=dict(cfg, epochs=1), out_dir=folder, figures=False,
             verbose=0)
        fresh = offline_copy(arch)
        report = call("rnnkit evaluate on the run folder (rnnkit.runs.evaluate_run)",
                      evaluate_run, folder, arch=fresh,
                      hint="evaluate rebuilds the model with build_model(config, meta) from the "
                           "run's config.json and the meta stored in model.rnnkit (read back "
                           "from JSON), in a fresh instance of the architecture.")
        _check_metrics("evaluate(model, data) of the reloaded run", report["test"],
                       arch.headline_metric)
        _answers("rnnkit predict RUN (no inputs)", folder, None, fresh, refuse=False)
        for text in USER_INPUTS:
            _answers(f"rnnkit predict RUN {text!r}", folder, [text], fresh)
        if getattr(type(arch), "encode", None) is Architecture.encode:
            return None                        # no encode: `rnnkit plot hidden` says so
        run = call("rnnkit.runs.load_run(run folder)", load_run, folder, arch=fresh)
        encoded = [_encoded(fresh, run, text) for text in USER_INPUTS]
        if not any(encoded):
            raise CheckFailed(f"encode(meta, text) refused every one of {list(USER_INPUTS)}; "
                              f"`rnnkit plot hidden` needs it to encode ordinary text.")


def _answers(what, folder, inputs, arch, refuse=True):
    """``rnnkit predict`` on ``inputs`` gives a string (demo_runs asks for a non-empty one), or
    (``refuse``) raises an error the CLI shows as a message."""
    try:
        text = predict_run(folder, inputs, arch=arch)
    except (RnnkitError, ValueError) as err:
        if refuse and str(err).strip():
            return
        raise CheckFailed(f"{what} raised {type(err).__name__}: {err}{raised_at(err)}.") from err
    except Exception as err:
        raise CheckFailed(f"{what} raised {type(err).__name__}: {err}{raised_at(err)}: the user "
                          f"sees a traceback. demo receives the inputs as a list of strings and "
                          f"meta as read back from JSON; refuse inputs it cannot use with a "
                          f"ValueError that says what to give.") from err
    if not isinstance(text, str):
        raise CheckFailed(f"{what}: demo returned a {type(text).__name__}; return the text to "
                          f"show.")


def _encoded(arch, run, text):
    """True if ``encode(meta, text)`` gives (x, tokens) the model predicts on; False if it refuses
    ``text`` with a user error; CheckFailed for anything else."""
    try:
        x, tokens = arch.encode(run.meta, text)
    except (RnnkitError, ValueError):
        return False
    except Exception as err:
        raise CheckFailed(f"encode(meta, {text!r}) raised {type(err).__name__}: {err}"
                          f"{raised_at(err)}; refuse text it cannot encode with a ValueError.") \
            from err
    pred = np.asarray(call(f"model.predict on encode(meta, {text!r})", run.model.predict, x))
    if n_samples(x) != 1 or len(tokens) == 0 or not np.all(np.isfinite(pred)):
        raise CheckFailed(f"encode(meta, {text!r}) must return (x, tokens) with a batch of one "
                          f"sample and its tokens; got {n_samples(x)} samples, {len(tokens)} "
                          f"tokens (predictions finite: {bool(np.all(np.isfinite(pred)))}).")
    return True


#: The kit's checks, in the order they run: name -> function(arch, config).
CHECKS = {
    "api_complete": check_api_complete,
    "small_data_shapes": check_small_data_shapes,
    "model_builds": check_model_builds,
    "every_cell_builds": check_every_cell_builds,
    "config_changes_model": check_config_changes_model,
    "gradients_match_finite_differences": check_gradients_match_finite_differences,
    "masked_gradients_match_finite_differences": check_masked_gradients,
    "training_lowers_loss": check_training_lowers_loss,
    "save_load_round_trip": check_save_load_round_trip,
    "evaluate_and_baseline": check_evaluate_and_baseline,
    "demo_runs": check_demo_runs,
    "run_folder_round_trip": check_run_folder_round_trip,
}
