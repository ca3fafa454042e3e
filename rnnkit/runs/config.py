"""A run's config: the architecture's defaults, a JSON config file, then options; validated.

Every architecture hook a run calls (``load_data``, ``small_data``, ``build_model``, ``fit``, ...)
receives the *complete* config this module resolves: :data:`GENERIC_KEYS`, then
``arch.default_config()`` (which must hold :data:`rnnkit.plugins.REQUIRED_CONFIG_KEYS`), then the
file, then the options. So no plugin needs to merge its defaults itself.
"""
import json
import math
import os
from pathlib import Path

import numpy as np

from .. import plugins
from ..errors import ConfigError, DataError, PluginError

#: Keys every architecture accepts on top of its default_config(): the float type and clipping,
#: named as Keras names it (clipnorm: each weight by its own norm; global_clipnorm: all at once).
GENERIC_KEYS = {"floatx": "float32", "clipnorm": None, "global_clipnorm": None, "clipvalue": None}
#: Keys that may change when resuming (they do not change the model's shape or its data).
RESUMABLE_KEYS = ("epochs", "lr", "batch_size", "clipnorm", "global_clipnorm", "clipvalue")


def default_config(arch):
    """:data:`GENERIC_KEYS` updated by ``arch.default_config()``, checked to be complete.

    A default config without a required key, or whose cell is not one of ``arch.cells``, is the
    plugin's bug: a :class:`PluginError` names the architecture and the fix.
    """
    defaults = arch.default_config()
    required = plugins.required_config_keys(arch)
    missing = [k for k in required if k not in defaults]
    if missing:
        raise PluginError(f"architecture {arch.name!r}: its default_config() has no "
                          f"{', '.join(missing)}; its defaults must hold {', '.join(required)} "
                          f"(see rnnkit.plugins.required_config_keys)")
    if arch.cells and defaults["cell"] not in arch.cells:
        raise PluginError(f"architecture {arch.name!r}: its default cell {defaults['cell']!r} is "
                          f"not one of its cells ({', '.join(arch.cells) or 'none declared'}); "
                          f"list every cell it can build in its cells attribute")
    return dict(GENERIC_KEYS, **defaults)


def resolve_config(arch, overrides=None, config_file=None):
    """``arch``'s :func:`default_config`, updated by a JSON ``config_file``, then by ``overrides``.

    Overrides whose value is None are ignored (an option that was not given). Unknown keys and
    invalid values raise :class:`ConfigError` naming the key and what is allowed.
    """
    arch = plugins.get(arch)
    config = default_config(arch)
    if config_file is not None:
        update_checked(config, read_config_file(config_file), f"config file {config_file}")
    update_checked(config, given(overrides), "options")
    validate_config(arch, config)
    return config


def stored_config(arch, saved):
    """The complete config of a run whose config.json holds ``saved``: keys an older rnnkit or
    plugin did not write come from today's defaults. A config.json without global_clipnorm was
    written when clipnorm meant the global norm: its clipnorm is read as global_clipnorm, so an
    old run resumes as it trained."""
    config = default_config(arch)
    if "global_clipnorm" not in saved and saved.get("clipnorm") is not None:
        saved = dict(saved, clipnorm=None, global_clipnorm=saved["clipnorm"])
    config.update(saved)
    validate_config(arch, config)
    return config


def given(overrides):
    """The options that were given: ``overrides`` without its None values."""
    return {k: v for k, v in (overrides or {}).items() if v is not None}


def read_config_file(path):
    """Read a JSON object of hyperparameters; clear errors for a missing or malformed file."""
    path = Path(path)
    if not path.exists() or path.is_dir():     # not is_file(): /dev/fd/N of <(...) is a pipe
        raise ConfigError(f"config file {str(path)!r} does not exist; pass a JSON file such as "
                          f'{{"epochs": 5, "units": 64}}')
    try:
        text = path.read_text(encoding="utf-8")
        data = json.loads(text)
    except UnicodeDecodeError:
        raise ConfigError(f"config file {str(path)!r} is not UTF-8 text; write it as "
                          f"JSON") from None
    except json.JSONDecodeError as err:
        yaml = path.suffix.lower() in (".yaml", ".yml") or not text.lstrip().startswith(("{", "["))
        hint = (" Config files are JSON only (YAML is not read): write it as "
                '{"epochs": 5, "units": 64}.' if yaml else "")
        raise ConfigError(f"config file {str(path)!r}, line {err.lineno}, column {err.colno}: "
                          f"not valid JSON ({err.msg}).{hint}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"config file {str(path)!r} must hold a JSON object of hyperparameters "
                          f"(e.g. {{\"epochs\": 5}}), not a {type(data).__name__}")
    return data


def update_checked(config, new, where):
    """``config.update(new)``, refusing keys ``config`` does not have (``where``: their source)."""
    unknown = sorted(set(new) - set(config))
    if unknown:
        raise ConfigError(f"unknown hyperparameter{'s' if len(unknown) > 1 else ''} "
                          f"{', '.join(repr(k) for k in unknown)} in {where}; valid keys: "
                          f"{', '.join(sorted(config))}")
    config.update(new)


def _is_int(v):
    return isinstance(v, (int, np.integer)) and not isinstance(v, bool)


def _is_positive_number(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) and v > 0


def validate_config(arch, config):
    """Raise :class:`ConfigError` for a value no architecture could train with, or a cell that
    is not one of ``arch.cells``."""
    def bad(key, what):
        raise ConfigError(f"{key} must be {what}, got {config[key]!r}")

    if "epochs" in config and not (_is_int(config["epochs"]) and config["epochs"] >= 0):
        bad("epochs", "an integer >= 0")
    for key in ("units", "batch_size"):
        if key in config and not (_is_int(config[key]) and config[key] > 0):
            bad(key, "an integer > 0")
    if "lr" in config and not _is_positive_number(config["lr"]):
        bad("lr", "a number > 0 (e.g. 0.001)")
    if "seed" in config and not _is_int(config["seed"]):
        bad("seed", "an integer")
    if config.get("floatx") not in ("float32", "float64"):
        bad("floatx", "'float32' or 'float64'")
    for key in ("clipnorm", "global_clipnorm", "clipvalue"):
        v = config.get(key)
        if v is not None and not _is_positive_number(v):
            bad(key, "a number > 0 or null")
    if "cell" in config and config["cell"] not in arch.cells:
        raise ConfigError(f"cell {config['cell']!r} is not available for {arch.name}; choose one "
                          f"of {', '.join(arch.cells)}")


def check_data_path(data_path):
    """``data_path`` as an absolute path (a string) after checking it names a non-empty file
    (None stays None: the architecture's default data). Absolute, because run.json stores it:
    the run evaluates and resumes from any folder."""
    if data_path is None:
        return None
    path = Path(data_path)
    if not path.exists():
        raise DataError(f"data file {str(path)!r} does not exist. Check the path, or leave out "
                        f"--data to use the architecture's default data.")
    if path.is_file() and path.stat().st_size == 0:
        raise DataError(f"data file {str(path)!r} is empty. Pass a file in the format the "
                        f"architecture documents (see `rnnkit data info NAME`).")
    return os.path.abspath(path)
