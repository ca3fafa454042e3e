"""Saving and loading models: data, never code.

A ``.rnnkit`` file is the array archive of :func:`rnnkit.fileio.write_npz`: the architecture and
config as a JSON header (entry ``__config__``) and the weights in Keras' layout (``w000``,
``w001``, ...); a finished run's model also keeps what training on needs (see
:mod:`rnnkit.runs.checkpoint`), as Keras keeps the optimizer in a saved model. It is read
with ``allow_pickle=False`` and written atomically, so an interrupted save never leaves half a
model.
"""
import os

from .. import config
from ..errors import ModelFileError
from ..fileio import numbered_arrays, numbered_list, read_npz, write_npz

FORMAT = "rnnkit-model"
VERSION = 1
HEADER = "__config__"


def save_model(model, path, extra=None, arrays=None):
    """Write ``model`` to ``path`` (see the module docstring). ``extra``: JSON-able metadata;
    ``arrays``: more named arrays kept beside the weights (names not starting with ``w``; a
    finished run's optimizer state), which :func:`load_model` leaves alone."""
    if not model.built:
        model.build()
    header = {"format": FORMAT, "version": VERSION, "dtype": model.dtype.name,
              "model": model.get_config(), "extra": extra or {}}
    named = dict(arrays or {})
    clash = [name for name in named if name.startswith("w")]
    if clash:
        raise ValueError(f"save_model: array names {clash} would be read as weights")
    named.update(numbered_arrays("w", model.get_weights()))
    write_npz(path, header, named, HEADER)


def read_model_file(path):
    """Return ``(header dict, list of weight arrays)``, or raise ModelFileError saying what is wrong."""
    path = os.fspath(path)
    try:
        header, arrays = read_npz(path, HEADER, FORMAT, VERSION)
    except FileNotFoundError:
        raise ModelFileError(f"no model file at {path!r}; save one with model.save(path) or train "
                             f"one with `rnnkit train`") from None
    except ValueError as err:
        raise ModelFileError(f"{path!r} is not a readable rnnkit model file ({err}); it may be "
                             f"truncated, of another format or from a newer rnnkit. Save it "
                             f"again with model.save(), or upgrade rnnkit.") from None
    return header, numbered_list("w", arrays)


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
    """Load a model saved with ``model.save(path)``; it predicts exactly as the saved one.

    The model is built in the saved float type; its initial weights come from a private generator
    (they are overwritten at once), so loading leaves the caller's float type and RNG as they were.
    """
    header, weights = read_model_file(path)
    try:
        with config.scope(floatx=header.get("dtype", "float64"), seed=0):
            model = model_from_config(header["model"])
    except (KeyError, TypeError, ValueError) as err:
        raise ModelFileError(f"{os.fspath(path)!r}: its architecture cannot be rebuilt ({err})") from None
    try:
        model.set_weights(weights)
    except ValueError as err:
        raise ModelFileError(f"{os.fspath(path)!r}: its weights do not fit its architecture ({err})") from None
    model.saved_extra = header.get("extra", {})
    return model
