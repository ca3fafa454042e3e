"""Training a run: ``train(...)``, behind ``rnnkit train`` and ``rnnkit train --resume``.

The whole run happens inside ``config.scope(floatx=config["floatx"], seed=config["seed"])``: the
run's float type and its own seeded generator, so the caller's float type and generator are
untouched afterwards. A resumed run restores the generator's state from its checkpoint inside
that scope.

Resuming (``train(resume=run_dir)``) rebuilds the model from the checkpoint and trains on to the
configured number of epochs (raise ``epochs`` to train longer): the architecture's ``fit`` gets
the complete config plus ``initial_epoch``, the epochs already done (0 for a new run), and trains
epochs ``initial_epoch + 1 .. epochs`` as Keras' ``fit(initial_epoch=...)`` does. The checkpoint
is written only at the end of an epoch (and before the first), never on Ctrl-C: after Ctrl-C in
the middle of epoch k it holds the weights, optimizer state and generator as they were when epoch
k began, so the resumed run re-runs epoch k and ends with the same weights as an uninterrupted
run. A finished run keeps no checkpoint: its last one moves into ``model.rnnkit``, and resuming it
to more epochs goes on from there, ending as a run of that many epochs straight. Resuming a
finished run to no more epochs than it has says so and changes nothing.

>>> run = train("forecasting", overrides={"epochs": 2})          # doctest: +SKIP
>>> run.metrics["test"], run.metrics["baseline"], run.path       # doctest: +SKIP
"""
import math
import time

import numpy as np

from .. import config as config_mod, plugins
from ..callbacks import Callback
from ..data.windows import OneHotWindows
from ..errors import ConfigError, NonFiniteLossError, PluginError, RunError, TrainingInterrupted
from ..fileio import jsonable
from ..models.progress import check_verbose, with_progress_bar
from ..models.saving import save_model
from .checkpoint import (RESUME, finished_model_arrays, read_checkpoint, read_finished_model,
                         restore_checkpoint, save_checkpoint)
from .config import (RESUMABLE_KEYS, check_data_path, given, resolve_config, stored_config,
                     update_checked, validate_config)
from .folder import Run, RunFolder
from .precompile import compiling_meanwhile

#: The key under which ``Architecture.fit`` finds the epochs already done (see the docstring).
INITIAL_EPOCH = "initial_epoch"


def train(arch=None, overrides=None, data_path=None, out_dir=None, config_file=None, resume=None,
          progress=None, callbacks=None, figures=True, verbose=1):
    """Train an architecture and write its run folder; returns a :class:`Run`.

    Parameters
    ----------
    arch : str or Architecture
        The ``--arch`` name (see ``rnnkit list``) or an Architecture object. Not needed with
        ``resume``.
    overrides : dict, optional
        Hyperparameters over the defaults and the config file (None values are ignored).
    data_path : str, optional
        A data file in the architecture's format (default: its own data; with ``resume``, the
        run's data).
    out_dir : str, optional
        The run folder (default ``runs/<arch>-<date>-<time>``); must be new or empty.
    config_file : str, optional
        A JSON object of hyperparameters.
    resume : str, optional
        A run folder to continue from its checkpoint (to the configured ``epochs``).
    progress : callable, optional
        Called with one-line status messages (data download, resume point); default: printed
        when ``verbose``.
    callbacks : list, optional
        :class:`rnnkit.callbacks.Callback` instances; epochs are numbered over the whole run (a
        resumed run continues the count), and ``on_train_begin`` receives the run's configured
        number of epochs.
    figures : bool, default True
        Draw loss.png and loss.pdf (about a second; turn off for quick scripted runs).
    verbose : 0, 1 or 2, default 1
        As ``Model.fit``: a progress bar per epoch (in a terminal and in Jupyter), one line per
        epoch, or silence (:mod:`rnnkit.models.progress`). A
        :class:`~rnnkit.models.progress.ProgressBar` among ``callbacks`` replaces it.

    Raises
    ------
    TrainingInterrupted
        On Ctrl-C (a notebook's interrupt too); the checkpoint of the last complete epoch is
        kept and run.json says "interrupted". Its ``.run`` is the :class:`Run` so far (``path``,
        ``epochs_done``, ``history``, ``model``): ``except TrainingInterrupted as stop: run =
        stop.run``; resume with ``train(resume=stop.run.path)`` (it re-runs the interrupted
        epoch).

    Errors name this function's arguments (``out_dir``, ``resume``); ``rnnkit train`` prints
    the same advice with its flags (each error's ``cli``).
    NonFiniteLossError
        When the loss becomes NaN or infinite; the last good checkpoint is kept.
    ConfigError, DataError, PluginError, RunError
        For invalid options, data, architectures and run folders, and for a run folder another
        run is writing (see :meth:`RunFolder.claimed`).
    """
    verbose = check_verbose(verbose, "train")
    say = progress or (print if verbose else (lambda message: None))
    callbacks = with_progress_bar(callbacks or [], verbose)
    if resume is not None:
        arch, config, folder, info = _resume_point(resume, arch, overrides, config_file)
        if info.get("status") == "finished" and config["epochs"] <= info.get("epochs_done", 0):
            return _finished_run(arch, config, folder, info, say)
        checkpoint = _resume_state(folder, info)
        data_path = info.get("data_path") if data_path is None else data_path
    else:
        if arch is None:
            raise ConfigError("train() needs arch='NAME' (`rnnkit list` shows the names), or "
                              "resume='RUN_DIR' to continue a run")
        arch = plugins.get(arch)
        config = resolve_config(arch, overrides, config_file)
        folder, checkpoint = RunFolder.new(arch.name, out_dir), None
    data_path = check_data_path(data_path)
    # numpy's overflow warnings are not shown: a non-finite loss or metric stops the run instead
    with folder.claimed(new=resume is None), np.errstate(all="ignore"), \
            config_mod.scope(floatx=config["floatx"], seed=config["seed"]):
        return _train(arch, config, data_path, folder, checkpoint, say, list(callbacks or []),
                      figures)


def _resume_point(run_dir, arch, overrides, config_file):
    """``(arch, config, folder, run.json)`` of the run to resume in ``run_dir``."""
    folder = RunFolder.existing(run_dir)
    info = folder.read_info()
    arch = plugins.get(arch if arch is not None else info["arch"])
    if arch.name != info["arch"]:
        raise RunError(f"{str(folder.path)!r} is a run of {info['arch']!r}, not {arch.name!r}")
    config = stored_config(arch, folder.read_config())
    changed = {k: v for k, v in given(overrides).items() if config.get(k) != v}
    fixed = sorted(k for k in changed if k not in RESUMABLE_KEYS)
    if fixed:
        raise ConfigError(f"cannot change {', '.join(fixed)} when resuming: the checkpoint's "
                          f"model and data were made with "
                          f"{', '.join(f'{k}={config.get(k)!r}' for k in fixed)}. Only "
                          f"{', '.join(RESUMABLE_KEYS)} may change; start a new run otherwise.")
    if config_file is not None:
        keeps = f"the run keeps its {RunFolder.CONFIG} (override epochs, lr or batch_size instead)"
        raise ConfigError(f"config_file cannot be combined with resume: {keeps}",
                          cli=f"--config cannot be combined with --resume: {keeps}")
    update_checked(config, changed, "options")
    validate_config(arch, config)
    return arch, config, folder, info


def _resume_state(folder, info):
    """The checkpoint to go on from: the folder's, or the one a finished run's model file
    carries (its checkpoint is removed once the model is written)."""
    if info.get("status") == "finished" and not folder.has(folder.CHECKPOINT):
        return read_finished_model(folder.model_path)
    return read_checkpoint(folder.checkpoint_path)


def _finished_run(arch, config, folder, info, say):
    """A finished run asked to resume to no more epochs than it has: said, and left as it is."""
    done = info.get("epochs_done", 0)
    say(f"{folder.path} is already finished ({done} epoch{'s' if done != 1 else ''} of "
        f"{config['epochs']}); nothing was changed. To train on, raise --epochs, e.g. "
        f"`rnnkit train --resume {folder.path} --epochs {done + max(done, 1)}`.")
    return Run(path=folder.path, arch=arch.name, config=config, history=folder.read_history(),
               metrics=folder.read_metrics(), status="finished", data_path=info.get("data_path"))


def _report_data(data, say, own_file):
    """One line on the data (sizes, source), and a warning for skipped malformed lines of the
    user's own file (the default corpus's known ones are counted once, by `rnnkit data info`)."""
    info = data.info or {}
    sizes = ", ".join(f"{name} {len(part[1]):,}" for name, part in
                      (("train", data.train), ("val", data.val), ("test", data.test)) if part)
    source = info.get("source")
    say(f"data: {sizes} samples" + (f" ({source})" if source else ""))
    skipped = info.get("skipped_lines") or 0
    if skipped and own_file:
        first = info.get("first_skipped_line")
        where = f"; the first is line {first[0]}: {first[1][:60]!r}" if first else ""
        say(f"warning: skipped {skipped} malformed line{'s' if skipped != 1 else ''}{where}")


class _Checkpointer(Callback):
    """A fit callback: after each epoch, keep the row and save the checkpoint, the history and
    run.json; it also refuses an ``Architecture.fit`` that ignores ``initial_epoch``."""

    def __init__(self, run, meta, arch_name):
        self.run, self.meta, self.arch_name = run, meta, arch_name
        self.batch = 0

    def on_epoch_begin(self, epoch, n_batches):
        if epoch != self.run.epochs_done + 1:
            raise PluginError(
                f"architecture {self.arch_name!r}: its fit() started at epoch {epoch} after "
                f"{self.run.epochs_done} done; pass initial_epoch=config[{INITIAL_EPOCH!r}] to "
                f"model.fit so a resumed run goes on where it stopped")
        self.batch = 0

    def on_batch_end(self, batch, logs):
        self.batch = batch

    def on_epoch_end(self, epoch, logs):
        bad = non_finite(logs)
        if bad:                         # before the checkpoint: the last good one stays
            raise NonFiniteLossError(f"epoch {epoch}: {', '.join(bad)} not finite. Lower the "
                                     f"learning rate or clip the gradients.")
        # the row itself, not a copy: what later callbacks add to it reaches history.json too
        self.run.history.append(logs)
        self.batch = 0
        folder = self.run.folder
        save_checkpoint(folder.checkpoint_path, self.model, self.run.history, self.meta)
        folder.write_history(self.run.history)
        folder.write_info(self.run)


def _train(arch, config, data_path, folder, checkpoint, say, callbacks, figures=True):
    with compiling_meanwhile(arch.name, config):          # a first run: see precompile
        data = arch.load_data(config, data_path, say)
    _report_data(data, say, own_file=data_path is not None)
    meta = jsonable(data.meta)
    model = arch.build_model(config, meta)
    _apply_optimizer_options(model, config)
    if not model.built:
        build_on(model, data.train[0])

    run = Run(path=folder.path, arch=arch.name, config=config, meta=meta, data_path=data_path,
              model=model)
    if checkpoint is not None:
        if jsonable(checkpoint[0].get("meta")) != meta:
            mismatch = (f"the data no longer match the checkpoint in {str(folder.path)!r} (its "
                        f"vocabularies or scales differ); resume with the same ")
            raise RunError(mismatch + "data_path, or start a new run",
                           cli=mismatch + "--data file, or start a new run")
        run.history = restore_checkpoint(model, checkpoint, str(folder.path))
        say(f"resuming {arch.name} from {folder.path}: epoch {run.epochs_done + 1} of "
            f"{config['epochs']} ({run.epochs_done} done)")
    # the 'last good checkpoint' before the next epoch (a finished run's was in its model file)
    save_checkpoint(folder.checkpoint_path, model, run.history, meta)
    folder.write_config(config)
    run.status = "training"
    folder.write_info(run)

    keeper = _Checkpointer(run, meta, arch.name)
    fit_config = dict(config, **{INITIAL_EPOCH: run.epochs_done})
    start = time.perf_counter()
    try:
        arch.fit(model, data, fit_config, callbacks=[keeper] + callbacks)
        return _finish(arch, model, data, run, time.perf_counter() - start, figures)
    except KeyboardInterrupt:
        # The checkpoint is left as the last epoch's end wrote it (weights, optimizer state and
        # generator as they were when this epoch began), so --resume re-runs this epoch exactly.
        # model.rnnkit gets the weights reached so far, for evaluate and predict meanwhile.
        batch = keeper.batch
        save_model(model, folder.model_path, extra={"arch": arch.name, "meta": meta})
        folder.write_history(run.history)
        run.status = "interrupted"
        folder.write_info(run)
        done = run.epochs_done
        where = f"epoch {done + 1}, batch {batch}" if batch else f"after epoch {done}"
        kept = f"after epoch {done}" if done else "before epoch 1"
        stopped = (f"training interrupted ({where}); the checkpoint in {folder.path} holds the "
                   f"state {kept}, so resuming re-runs epoch {done + 1} from its start. Resume "
                   f"with: ")
        command = f"rnnkit train --resume {folder.path}"
        raise TrainingInterrupted(
            run, f"{stopped}rnnkit.runs.train(resume={str(folder.path)!r}) (the command line's "
                 f"`{command}`); this error's .run is the run so far", cli=stopped + command) \
            from None
    except NonFiniteLossError as err:
        folder.write_history(run.history)
        run.status = "non-finite loss"
        folder.write_info(run, error=str(err))
        kept = (f"after epoch {run.epochs_done}" if run.history else
                "the initial weights, before epoch 1")
        stopped = (f"training stopped: {err} The last good checkpoint ({kept}) is kept in "
                   f"{folder.checkpoint_path}. To go on with a lower rate or clipping: ")
        lr = f"{config['lr'] / 10:g}"
        command = f"rnnkit train --resume {folder.path} --lr {lr} (or --clipnorm 1.0)"
        raise NonFiniteLossError(
            f"{stopped}rnnkit.runs.train(resume={str(folder.path)!r}, overrides={{'lr': {lr}}}) "
            f"(or {{'clipnorm': 1.0}}); on the command line `{command}`",
            cli=stopped + command) from None


def _finish(arch, model, data, run, seconds, figures=True):
    """Test metrics beside the baseline, the model, the history and the loss figures."""
    folder = run.folder
    test = arch.evaluate(model, data)
    bad = non_finite(test)
    if bad:
        raise NonFiniteLossError(f"the test metrics {', '.join(bad)} are not finite: the "
                                 f"model's outputs overflow. Lower the learning rate or clip the "
                                 f"gradients.")
    run.metrics = {"arch": arch.name, "headline_metric": arch.headline_metric,
                   "loss": model.loss.name, "test": jsonable(test),
                   "baseline": jsonable(arch.baseline(data)),
                   "seconds": round(seconds, 3), "epochs": run.epochs_done}
    # the last checkpoint moves into the model file: what `--resume RUN --epochs N` goes on from
    state, arrays = finished_model_arrays(read_checkpoint(folder.checkpoint_path),
                                          model.get_weights())
    save_model(model, folder.model_path, extra={"arch": arch.name, "meta": run.meta,
                                                RESUME: state}, arrays=arrays)
    folder.write_history(run.history)
    folder.write_metrics(run.metrics)
    if figures:
        title = f"{arch.name} ({run.config['cell']})"
        folder.write_loss_figures(run.history, title, loss=model.loss.name)
    run.status = "finished"
    folder.write_info(run)
    folder.checkpoint_path.unlink()
    return run


def non_finite(values):
    """``"name value"`` for each number in the dict ``values`` that is NaN or infinite."""
    return [f"{k} {v}" for k, v in values.items()
            if isinstance(v, (float, np.floating)) and not math.isfinite(v)]


def _apply_optimizer_options(model, config):
    """The generic keys act on any compiled model: lr, clipnorm, global_clipnorm, clipvalue."""
    opt = model.optimizer
    if opt is None:
        raise RunError("the architecture's build_model returned a model that is not compiled; "
                       "call model.compile(loss=..., optimizer=...) in build_model")
    opt.learning_rate = float(config["lr"])
    if config["clipnorm"] is not None:
        opt.clipnorm = float(config["clipnorm"])
    if config.get("global_clipnorm") is not None:
        opt.global_clipnorm = float(config["global_clipnorm"])
    if config["clipvalue"] is not None:
        opt.clipvalue = float(config["clipvalue"])


def first_samples(x, n=1):
    """The first ``n`` samples of ``x`` (an array, or a list of arrays for encoder-decoders)."""
    if isinstance(x, (list, tuple)):
        return [np.asarray(a)[:n] for a in x]
    return x[:n] if isinstance(x, OneHotWindows) else np.asarray(x)[:n]


def build_on(model, x):
    """Build ``model`` for the inputs ``x`` by predicting its first sample."""
    model.predict(first_samples(x))
