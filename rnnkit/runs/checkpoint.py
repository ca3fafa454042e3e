"""Checkpoints: everything needed to go on training exactly where a run stopped.

``checkpoint.npz`` is an array archive of :func:`rnnkit.fileio.write_npz` (data, never code): the
weights ``w000...``, the optimizer's slot arrays ``s000...`` (Adam's m and v, ...) and a JSON header
``__state__``::

    format, version    "rnnkit-checkpoint", 1
    epochs_done        complete epochs (the history's length)
    history            the history rows so far
    meta               the data's meta (vocabularies, scales): resuming on other data is refused
    optimizer          {"name": "adam", "iterations": steps taken (Adam's bias correction)}
    rng                the random generator's state (shuffling goes on as if never stopped)

So resuming from a checkpoint taken at the end of an epoch gives the same weights as an
uninterrupted run.

A finished run has no checkpoint: once ``model.rnnkit`` is written, the last one moves into it
(:func:`finished_model_arrays`): the same state under ``extra["resume"]`` of the model's header,
the optimizer's slot arrays ``s000...`` beside the weights, and, only when the model's weights are
not the last epoch's (an architecture that keeps its best epoch), the last epoch's weights
``r000...``. :func:`read_finished_model` reads it back as a checkpoint, so
``rnnkit train --resume RUN --epochs N`` trains a finished run on exactly as if it had run
``N`` epochs straight.
"""
from pathlib import Path

import numpy as np

from .. import config as config_mod
from ..errors import RunError
from ..fileio import numbered_arrays, numbered_list, read_npz, write_npz
from ..models import saving

FORMAT = "rnnkit-checkpoint"
VERSION = 1
HEADER = "__state__"
#: The key of a finished model file's ``extra`` header holding its last checkpoint's state.
RESUME = "resume"


def save_checkpoint(path, model, history, meta):
    """Write ``model``'s weights and optimizer state, ``history``, ``meta`` and the state of the
    random generator (:func:`rnnkit.config.rng`) to ``path``."""
    optimizer = model.optimizer
    iterations, slots = optimizer.get_state()
    state = {"format": FORMAT, "version": VERSION, "epochs_done": len(history),
             "history": history, "meta": meta,
             "optimizer": {"name": optimizer.name, "iterations": int(iterations)},
             "rng": config_mod.rng().bit_generator.state}
    arrays = numbered_arrays("w", model.get_weights())
    arrays.update(numbered_arrays("s", slots))
    write_npz(path, state, arrays, HEADER)


def read_checkpoint(path):
    """``(state dict, weights, optimizer slots)`` from a checkpoint, or a RunError."""
    path = Path(path)
    try:
        state, arrays = read_npz(path, HEADER, FORMAT, VERSION)
    except FileNotFoundError:
        raise RunError(f"no checkpoint at {str(path)!r}: the run folder has nothing to resume "
                       f"from. Start a new run with `rnnkit train --arch NAME`.") from None
    except ValueError as err:
        raise RunError(f"{str(path)!r} is not a readable rnnkit checkpoint ({err}); it may be "
                       f"truncated or from a newer rnnkit. Start a new run, or upgrade "
                       f"rnnkit.") from None
    return state, numbered_list("w", arrays), numbered_list("s", arrays)


def restore_checkpoint(model, checkpoint, where):
    """Give ``model`` (built and compiled) the checkpoint's weights, optimizer state and the
    generator's state; returns the history rows. ``where`` names the run folder in errors."""
    state, weights, slots = checkpoint
    optimizer = model.optimizer
    saved_with = state["optimizer"].get("name")      # absent in checkpoints of rnnkit <= 0.1.0
    if saved_with not in (None, optimizer.name):
        raise RunError(f"the checkpoint in {where!r} was trained with {saved_with}, but the "
                       f"architecture now compiles {optimizer.name}; start a new run")
    try:
        model.set_weights(weights)
        optimizer.set_state(state["optimizer"]["iterations"], slots)
    except ValueError as err:
        raise RunError(f"the checkpoint in {where!r} does not fit the model ({err})") from None
    config_mod.rng().bit_generator.state = state["rng"]
    return list(state["history"])


def finished_model_arrays(checkpoint, weights):
    """``(state, arrays)`` that carry a run's last ``checkpoint`` into its model file, whose
    ``weights`` are the model's: ``save_model(..., extra={..., RESUME: state}, arrays=arrays)``."""
    state, at_epoch_end, slots = checkpoint
    arrays = numbered_arrays("s", slots)
    if any(not np.array_equal(a, b) for a, b in zip(at_epoch_end, weights)):
        arrays.update(numbered_arrays("r", at_epoch_end))      # the model kept an earlier epoch
    return state, arrays


def read_finished_model(path):
    """The checkpoint ``(state, weights, slots)`` a finished run's model file carries (see the
    module docstring), or a RunError."""
    try:
        header, arrays = read_npz(path, saving.HEADER, saving.FORMAT, saving.VERSION)
    except (FileNotFoundError, ValueError) as err:
        raise RunError(f"{str(path)!r} cannot be read to train on ({err}); start a new "
                       f"run") from None
    state = header.get("extra", {}).get(RESUME)
    if state is None:
        raise RunError(f"{str(path)!r} holds no training state to go on from (a run finished "
                       f"by an older rnnkit, or a model saved outside a run); start a new run "
                       f"with `rnnkit train --arch NAME`")
    weights = numbered_list("r", arrays) or numbered_list("w", arrays)
    return state, weights, numbered_list("s", arrays)
