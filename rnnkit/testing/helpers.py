"""What the checks share: the kit config, calling plugin code with a plain-words failure, small data
and models built as ``rnnkit train`` builds them, and the global settings of one check."""
import copy
import json
import os
import traceback

import numpy as np

from .. import config as rk_config, plugins
from ..errors import CheckFailed, PluginError
from ..plugins import Dataset
# the runs module: config resolution, training into a run folder, reloading it
from ..fileio import jsonable
from ..runs import resolve_config

#: Upper bounds the kit puts on these keys of ``default_config()`` (only keys the config has, and
#: only ever lowering them), so every check runs in a second or so. ``config=`` overrides them.
KIT_SIZES = {"epochs": 1, "batch_size": 16, "units": 8}

#: Methods every model ``build_model`` returns must have.
MODEL_METHODS = ("count_params", "predict", "fit", "evaluate", "train_on_batch", "gradients",
                 "get_weights", "set_weights", "save")

_RNNKIT_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_KIT_DIR = os.path.dirname(os.path.abspath(__file__))


def resolve_arch(arch):
    """An architecture instance from an instance, a class, or a registered name."""
    if isinstance(arch, str):
        return plugins.get(arch)
    if isinstance(arch, type):
        try:
            return arch()
        except Exception as err:
            raise PluginError(f"cannot instantiate {arch.__name__}() to check it: "
                              f"{type(err).__name__}: {err}. The kit needs a class whose "
                              f"constructor takes no arguments, or an instance.") from err
    return arch


def label(arch):
    name = getattr(arch, "name", None)
    kind = getattr(arch, "kind", None)
    return f"architecture {name!r} ({kind}, {type(arch).__module__}.{type(arch).__qualname__})"


def raised_at(err):
    """Where ``err`` was raised: the innermost frame and, when that is inside rnnkit, the innermost
    frame of the caller's own code (the plugin's), e.g. " (at saving.py:98 in load_model, called
    from my_plugin.py:40 in build_model)"."""
    frames = [f for f in traceback.extract_tb(err.__traceback__)
              if not os.path.abspath(f.filename).startswith(_KIT_DIR + os.sep)]
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


def call(what, fn, *args, hint="", **kwargs):
    """Call ``fn(*args, **kwargs)``; any exception becomes CheckFailed naming ``what`` and where."""
    try:
        return fn(*args, **kwargs)
    except CheckFailed:
        raise
    except Exception as err:
        raise CheckFailed(f"{what} raised {type(err).__name__}: {err}{raised_at(err)}."
                          + (f" {hint}" if hint else "")) from err


def json_problem(value, path="value"):
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
            inner = json_problem(v, f"{path}[{k!r}]")
            if inner:
                return inner
    elif isinstance(value, (list, tuple)):
        for i, v in enumerate(value):
            inner = json_problem(v, f"{path}[{i}]")
            if inner:
                return inner
    return f"{path} is a {type(value).__module__}.{type(value).__name__}"


def kit_config(arch, config=None):
    """The complete config the kit hands the architecture, as ``rnnkit train`` resolves it: the
    generic keys, ``default_config()`` with :data:`KIT_SIZES` applied, then ``config``."""
    defaults = call("default_config()", arch.default_config,
                    hint="Fix default_config() first (see check api_complete).")
    if not isinstance(defaults, dict):
        raise CheckFailed(f"default_config() returned a {type(defaults).__name__}, not a dict; "
                          f"return a dict such as {{'epochs': 10, 'batch_size': 32, 'lr': 1e-3, "
                          f"'seed': 0}}.")
    lowered = {key: min(defaults[key], most) for key, most in KIT_SIZES.items()
               if isinstance(defaults.get(key), int) and not isinstance(defaults[key], bool)}
    return call("resolving the kit config", resolve_config, arch, {**lowered, **(config or {})},
                hint="The kit resolves configs as `rnnkit train` does: every key must be one of "
                     "default_config()'s (or a generic key of rnnkit.runs.GENERIC_KEYS).")


def isolated(cfg, floatx=None):
    """One check's global settings: the config's float type (or ``floatx``) and seed."""
    seed = cfg.get("seed")
    return rk_config.scope(floatx=floatx or cfg.get("floatx"),
                           seed=seed if isinstance(seed, int) else 0)


def n_samples(x):
    """Number of samples of ``x`` (a pair of arrays for encoder-decoder inputs)."""
    if isinstance(x, (list, tuple)):
        return len(x[0])
    return len(x)


def take(x, index):
    if isinstance(x, (list, tuple)):
        return [np.asarray(part)[index] for part in x]
    return np.asarray(x)[index]


def training_batch(data, cfg):
    """The first ``batch_size`` training samples of ``data``: (x, y)."""
    x, y = data.train
    index = np.arange(min(int(cfg.get("batch_size") or 16), n_samples(x)))
    return take(x, index), np.asarray(y)[index]


def small_data(arch, cfg):
    data = call("small_data(config)", arch.small_data, cfg,
                hint="small_data must make a tiny Dataset on the spot (no downloads).")
    if not isinstance(data, Dataset):
        raise CheckFailed(f"small_data(config) returned a {type(data).__name__}, not a "
                          f"rnnkit.plugins.Dataset; return Dataset(train=(x, y), test=(x, y), "
                          f"meta={{...}}).")
    return data


def build(arch, cfg, meta):
    model = call("build_model(config, meta)", arch.build_model, cfg, meta)
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


def data_and_model(arch, cfg):
    data = small_data(arch, cfg)
    return data, build(arch, cfg, stored_meta(data.meta))


def batch_loss(model, x, y):
    """The model's loss on (x, y) in one batch (what ``gradients`` differentiates)."""
    value = model.evaluate(x, y, batch_size=max(n_samples(x), 1))
    return float(value[0] if isinstance(value, (list, tuple)) else value)


def offline_copy(arch):
    """A fresh instance of ``arch`` (as a new ``rnnkit evaluate`` process gets one; the instance
    itself when its class needs arguments) whose ``load_data`` gives its ``small_data``, so a run
    trains and evaluates offline in a second."""
    try:
        fresh = type(arch)()
    except Exception:
        fresh = copy.copy(arch)
    fresh.load_data = lambda config, path=None, progress=None: fresh.small_data(config)
    return fresh
