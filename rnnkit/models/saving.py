"""Saving and loading models: data, never code.

A ``.rnnkit`` file is a NumPy ``.npz`` archive holding the architecture and config as JSON text
(the array ``__config__``, UTF-8 bytes) and the weights in Keras' layout (``w000``, ``w001``, ...).
It is read with ``allow_pickle=False`` and written atomically: to a temporary file in the same
folder, then renamed over the target, so an interrupted save never leaves half a model.
"""
import json
import os
import zipfile

import numpy as np

from ..errors import ModelFileError
from ..fileio import atomic_write  # noqa: F401  (also used by rnnkit.training)

FORMAT = "rnnkit-model"
VERSION = 1


def save_model(model, path, extra=None):
    """Write ``model`` to ``path`` (see the module docstring). ``extra``: JSON-able metadata."""
    if not model.built:
        model.build()
    header = {"format": FORMAT, "version": VERSION, "dtype": model.dtype.name,
              "model": model.get_config(), "extra": extra or {}}
    arrays = {"__config__": np.frombuffer(json.dumps(header).encode("utf-8"), dtype=np.uint8)}
    for k, w in enumerate(model.get_weights()):
        arrays[f"w{k:03d}"] = w
    atomic_write(path, lambda f: np.savez(f, **arrays))


def read_model_file(path):
    """Return ``(header dict, list of weight arrays)``, or raise ModelFileError saying what is wrong."""
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise ModelFileError(f"no model file at {path!r}; save one with model.save(path) or train "
                             f"one with `rnnkit train`")
    if not zipfile.is_zipfile(path):
        raise ModelFileError(f"{path!r} is not a readable rnnkit model file (not an .npz archive); it may be "
                             f"truncated or of another format. Save it again with model.save().")
    try:
        with np.load(path, allow_pickle=False) as data:
            if "__config__" not in data.files:
                raise ModelFileError(f"{path!r} is an .npz archive but not an rnnkit model (it has "
                                     f"no __config__ entry)")
            header = json.loads(bytes(data["__config__"]).decode("utf-8"))
            names = sorted(k for k in data.files if k.startswith("w"))
            weights = [data[k] for k in names]
    except ModelFileError:
        raise
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, KeyError) as err:
        raise ModelFileError(f"{path!r} is not a readable rnnkit model file ({err}); it may be "
                             f"truncated or of another format. Save it again with model.save().") from None
    if header.get("format") != FORMAT:
        raise ModelFileError(f"{path!r} is not an rnnkit model (format {header.get('format')!r})")
    if header.get("version", 0) > VERSION:
        raise ModelFileError(f"{path!r} was written by a newer rnnkit (format version "
                             f"{header['version']}); upgrade rnnkit to read it")
    return header, weights


def model_from_config(cfg):
    """Rebuild a model (not its weights) from ``model.get_config()``."""
    from ..layers import layer_from_config
    from .sequential import Sequential
    cls = cfg.get("class")
    if cls == "Sequential":
        model = Sequential([layer_from_config(l) for l in cfg["layers"]], name=cfg["name"])
        model.build(tuple(cfg["input_shape"]))
        return model
    from . import registry
    return registry.model_from_config(cfg)


def load_model(path):
    """Load a model saved with ``model.save(path)``; it predicts exactly as the saved one."""
    header, weights = read_model_file(path)
    from .. import config
    previous = config.floatx()
    config.set_floatx(header.get("dtype", "float64"))
    try:
        model = model_from_config(header["model"])
    except (KeyError, TypeError, ValueError) as err:
        raise ModelFileError(f"{os.fspath(path)!r}: its architecture cannot be rebuilt ({err})") from None
    finally:
        config.set_floatx(previous)
    try:
        model.set_weights(weights)
    except ValueError as err:
        raise ModelFileError(f"{os.fspath(path)!r}: its weights do not fit its architecture ({err})") from None
    model.saved_extra = header.get("extra", {})
    return model
