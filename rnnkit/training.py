"""Training runs: the public API behind ``rnnkit train``, ``evaluate``, ``predict`` and ``--resume``.

A *run* trains one architecture (a plugin, see :mod:`rnnkit.plugins`) and leaves one folder::

    runs/pos-tagging-20250101-120000/
        config.json       the resolved hyperparameters (defaults < --config file < options)
        run.json          arch, data path, status, epochs done, rnnkit version
        model.rnnkit      the trained model (rnnkit.load_model reads it); extra = {arch, meta}
        history.csv       one row per epoch: epoch, loss, metrics, val_*, seconds
        history.json      the same rows as JSON
        metrics.json      {"arch": ..., "test": {...}, "baseline": {...}, "seconds": ...}
        loss.png, loss.pdf the loss curves
        checkpoint.npz    weights, optimizer state and history after the last complete epoch

Every file is written atomically (a temporary file, then a rename), so a crash or Ctrl-C never
leaves half a file. ``checkpoint.npz`` is data, never code (read with ``allow_pickle=False``): the
weights ``w000...``, the optimizer's slot arrays ``s000...`` and a JSON header ``__state__``
(epochs done, optimizer iterations, history rows, the random generator's state, the data's meta).

Resuming (``train(resume=run_dir)``) rebuilds the model from the checkpoint and trains on to the
configured number of epochs (raise ``epochs`` to train longer). Resuming from a checkpoint taken at
the end of an epoch gives the same weights as an uninterrupted run. After Ctrl-C in the middle of
an epoch, the checkpoint holds the weights reached so far and the resumed run restarts that epoch.

>>> run = train("forecasting", overrides={"epochs": 2})          # doctest: +SKIP
>>> run.metrics["test"], run.metrics["baseline"], run.path       # doctest: +SKIP
"""
import csv
import io
import json
import math
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import numpy as np

from . import __version__, config as config_mod, plugins
from .data.errors import DataError
from .callbacks import Callback
from .errors import ModelFileError, NonFiniteLossError
from .fileio import atomic_write
from .models.saving import read_model_file, save_model

#: Keys every architecture accepts on top of its default_config(): the float type and clipping.
GENERIC_KEYS = {"floatx": "float32", "clipnorm": None, "clipvalue": None}
#: Keys that may change when resuming (they do not change the model's shape or its data).
RESUMABLE_KEYS = ("epochs", "lr", "batch_size", "clipnorm", "clipvalue")

CHECKPOINT = "checkpoint.npz"
MODEL = "model.rnnkit"


from .errors import ConfigError, RunError, TrainingInterrupted  # noqa: F401,E402


@dataclass
class Run:
    """A training run: its folder, resolved config, history rows, metrics and model."""
    path: Path
    arch: str
    config: dict
    history: list = field(default_factory=list)
    metrics: dict = None
    status: str = "created"
    model: object = None
    meta: dict = None
    data_path: str = None

    @property
    def epochs_done(self):
        return len(self.history)

    def __repr__(self):
        return f"Run({str(self.path)!r}, arch={self.arch!r}, status={self.status!r}, " \
               f"epochs={self.epochs_done})"


# ---- configuration ---------------------------------------------------------------------------

def resolve_config(arch, overrides=None, config_file=None):
    """``arch.default_config()``, updated by a JSON ``config_file``, then by ``overrides``.

    Overrides whose value is None are ignored (an option that was not given). Unknown keys and
    invalid values raise :class:`ConfigError` naming the key and what is allowed.
    """
    arch = plugins.get(arch)
    config = dict(GENERIC_KEYS)
    config.update(arch.default_config())
    valid = sorted(config)
    if config_file is not None:
        _update_checked(config, read_config_file(config_file), valid, f"config file {config_file}")
    _update_checked(config, {k: v for k, v in (overrides or {}).items() if v is not None},
                    valid, "options")
    validate_config(arch, config)
    return config


def read_config_file(path):
    """Read a JSON object of hyperparameters; clear errors for a missing or malformed file."""
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"config file {str(path)!r} does not exist; pass a JSON file such as "
                          f'{{"epochs": 5, "units": 64}}')
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise ConfigError(f"config file {str(path)!r} is not UTF-8 text; write it as JSON") from None
    except json.JSONDecodeError as err:
        raise ConfigError(f"config file {str(path)!r}, line {err.lineno}, column {err.colno}: "
                          f"not valid JSON ({err.msg})") from None
    if not isinstance(data, dict):
        raise ConfigError(f"config file {str(path)!r} must hold a JSON object of hyperparameters "
                          f"(e.g. {{\"epochs\": 5}}), not a {type(data).__name__}")
    return data


def _update_checked(config, new, valid, where):
    unknown = sorted(set(new) - set(valid))
    if unknown:
        raise ConfigError(f"unknown hyperparameter{'s' if len(unknown) > 1 else ''} "
                          f"{', '.join(repr(k) for k in unknown)} in {where}; valid keys: "
                          f"{', '.join(valid)}")
    config.update(new)


def _is_int(v):
    return isinstance(v, (int, np.integer)) and not isinstance(v, bool)


def validate_config(arch, config):
    """Raise :class:`ConfigError` for a value no architecture could train with."""
    def bad(key, what):
        raise ConfigError(f"{key} must be {what}, got {config[key]!r}")

    if "epochs" in config and not (_is_int(config["epochs"]) and config["epochs"] >= 0):
        bad("epochs", "an integer >= 0")
    for key in ("units", "batch_size"):
        if key in config and not (_is_int(config[key]) and config[key] > 0):
            bad(key, "an integer > 0")
    if "lr" in config:
        lr = config["lr"]
        if not (isinstance(lr, (int, float)) and not isinstance(lr, bool) and math.isfinite(lr)
                and lr > 0):
            bad("lr", "a number > 0 (e.g. 0.001)")
    if "seed" in config and not _is_int(config["seed"]):
        bad("seed", "an integer")
    if config.get("floatx") not in ("float32", "float64"):
        bad("floatx", "'float32' or 'float64'")
    for key in ("clipnorm", "clipvalue"):
        v = config.get(key)
        if v is not None and not (isinstance(v, (int, float)) and not isinstance(v, bool) and v > 0):
            bad(key, "a number > 0 or null")
    cells = tuple(getattr(arch, "cells", ()) or ())
    if "cell" in config and cells and config["cell"] not in cells:
        raise ConfigError(f"cell {config['cell']!r} is not available for {arch.name}; choose one "
                          f"of {', '.join(cells)}")


# ---- run folders -----------------------------------------------------------------------------

def _new_run_dir(arch_name, out_dir):
    if out_dir is not None:
        path = Path(out_dir)
        if path.exists() and (not path.is_dir() or any(path.iterdir())):
            raise RunError(f"--out {str(path)!r} already exists and is not an empty folder; a new "
                           f"run never overwrites one. Choose another folder, or continue that "
                           f"run with `rnnkit train --resume {path}`.")
        return path
    base = Path("runs") / f"{arch_name}-{datetime.now():%Y%m%d-%H%M%S}"
    path, k = base, 2
    while path.exists():
        path = base.with_name(f"{base.name}-{k}")
        k += 1
    return path


def _write_text(path, text):
    atomic_write(path, lambda f: f.write(text.encode("utf-8")))


def _write_json(path, data):
    _write_text(path, json.dumps(jsonable(data), indent=2, allow_nan=False) + "\n")


def jsonable(x):
    """Plain JSON types (NumPy scalars and arrays become numbers and lists; a NaN or infinite
    number, which JSON cannot hold, becomes null)."""
    if isinstance(x, dict):
        return {str(k): jsonable(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [jsonable(v) for v in x]
    if isinstance(x, np.ndarray):
        return jsonable(x.tolist())
    if isinstance(x, np.generic):
        x = x.item()
    if isinstance(x, float) and not math.isfinite(x):
        return None
    return x


def _write_history(folder, rows):
    _write_json(folder / "history.json", rows)
    columns = []
    for row in rows:
        columns += [k for k in row if k not in columns]
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=columns or ["epoch", "loss"], lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow(jsonable(row))
    _write_text(folder / "history.csv", buf.getvalue())


def write_loss_curves(folder, rows, title):
    """Write loss.png and loss.pdf: training (and validation) loss per epoch."""
    from .viz import Theme, draw_loss_curves, save
    theme = Theme()
    if any("loss" in r for r in rows):
        fig = draw_loss_curves([(title, rows)], theme, title=title)
    else:                                   # a run of zero epochs still gets its (empty) figure
        with theme.context():
            fig = theme.figure(layout="constrained")
            ax = fig.add_subplot()
            ax.set_axis_off()
            ax.text(0.5, 0.5, f"{title}: no epochs trained yet", ha="center", va="center")
    for ext in ("png", "pdf"):
        save(fig, folder / f"loss.{ext}")


def _write_run_info(run, **more):
    info = {"arch": run.arch, "data_path": run.data_path, "status": run.status,
            "epochs_done": run.epochs_done, "epochs": run.config.get("epochs"),
            "rnnkit": __version__}
    info.update(more)
    _write_json(run.path / "run.json", info)


# ---- checkpoints -----------------------------------------------------------------------------

def save_checkpoint(path, model, history, meta, arch_name, batch=None):
    """Write weights, optimizer state, history and RNG state to ``path`` (.npz, no pickle)."""
    opt = model.optimizer
    iterations, slots = opt.get_state()
    state = {"format": "rnnkit-checkpoint", "version": 1, "arch": arch_name,
             "epochs_done": len(history), "batch": batch, "history": history, "meta": meta,
             "optimizer": {"config": opt.get_config(), "iterations": int(iterations),
                           "n_slots": len(slots)},
             "rng": config_mod.rng().bit_generator.state}
    arrays = {"__state__": np.frombuffer(json.dumps(jsonable(state)).encode("utf-8"), np.uint8)}
    for k, w in enumerate(model.get_weights()):
        arrays[f"w{k:03d}"] = w
    for k, s in enumerate(slots):
        arrays[f"s{k:03d}"] = s
    atomic_write(path, lambda f: np.savez(f, **arrays))


def read_checkpoint(path):
    """``(state dict, weights, optimizer slots)`` from a checkpoint, or a RunError."""
    path = Path(path)
    if not path.is_file():
        raise RunError(f"no checkpoint at {str(path)!r}: the run folder has nothing to resume "
                       f"from. Start a new run with `rnnkit train --arch NAME`.")
    try:
        with np.load(path, allow_pickle=False) as data:
            state = json.loads(bytes(data["__state__"]).decode("utf-8"))
            weights = [data[k] for k in sorted(n for n in data.files if n.startswith("w"))]
            slots = [data[k] for k in sorted(n for n in data.files if n.startswith("s"))]
    except (OSError, ValueError, KeyError, EOFError, UnicodeDecodeError) as err:
        raise RunError(f"{str(path)!r} is not a readable rnnkit checkpoint ({err}); it may be "
                       f"truncated. Start a new run.") from None
    if state.get("format") != "rnnkit-checkpoint":
        raise RunError(f"{str(path)!r} is not an rnnkit checkpoint")
    return state, weights, slots


def _restore_optimizer(opt, state, slots):
    opt.set_state(state["iterations"], slots)


# ---- training --------------------------------------------------------------------------------

class _Checkpointer(Callback):
    """A fit callback: after each epoch, record the row and save the checkpoint atomically."""

    def __init__(self, run, model, meta, rows, on_epoch=None):
        self.run, self.model, self.meta, self.rows = run, model, meta, rows
        self.on_epoch = on_epoch
        self.batch = 0
        self.offset = len(rows)

    def on_epoch_begin(self, epoch, n_batches):
        self.batch = 0

    def on_batch_end(self, batch, logs):
        self.batch = batch

    def on_epoch_end(self, epoch, logs):
        row = dict(logs)
        row["epoch"] = self.offset + epoch
        self.rows.append(row)
        self.batch = 0
        save_checkpoint(self.run.path / CHECKPOINT, self.model, self.rows, self.meta,
                        self.run.arch)
        _write_history(self.run.path, self.rows)
        self.run.status = "training"
        _write_run_info(self.run)


class _Shift(Callback):
    """Pass fit's callbacks on with epochs numbered from ``offset + 1`` (for resumed runs), and
    the run's configured number of epochs as the total."""

    def __init__(self, callback, offset, total):
        self.callback, self.offset, self.total = callback, offset, total

    def on_train_begin(self, model, epochs):
        super().on_train_begin(model, epochs)
        self.callback.on_train_begin(model, self.total)

    def on_epoch_begin(self, epoch, n_batches):
        self.callback.on_epoch_begin(self.offset + epoch, n_batches)

    def on_batch_end(self, batch, logs):
        self.callback.on_batch_end(batch, logs)

    def on_epoch_end(self, epoch, logs):
        self.callback.on_epoch_end(self.offset + epoch, logs)

    def on_train_end(self, history):
        self.callback.on_train_end(history)


def _check_data_path(data_path):
    if data_path is None:
        return None
    path = Path(data_path)
    if not path.exists():
        raise DataError(f"data file {str(path)!r} does not exist. Check the path, or leave out "
                        f"--data to use the architecture's default data.")
    if path.is_file() and path.stat().st_size == 0:
        raise DataError(f"data file {str(path)!r} is empty. Pass a file in the format the "
                        f"architecture documents (see `rnnkit data info NAME`).")
    return str(path)


def train(arch=None, overrides=None, data_path=None, out_dir=None, config_file=None, resume=None,
          progress=None, callbacks=None, figures=True):
    """Train an architecture and write its run folder; returns a :class:`Run`.

    Parameters
    ----------
    arch : str or Architecture
        The ``--arch`` name (see ``rnnkit list``) or an Architecture object. Not needed with
        ``resume``.
    overrides : dict, optional
        Hyperparameters over the defaults and the config file (None values are ignored).
    data_path : str, optional
        A data file in the architecture's documented format (default: its own data).
    out_dir : str, optional
        The run folder (default ``runs/<arch>-<timestamp>``).
    config_file : str, optional
        A JSON object of hyperparameters.
    resume : str, optional
        A run folder to continue from its checkpoint (to the configured ``epochs``).
    progress : callable, optional
        Called with one-line status messages (data download, resume point).
    callbacks : list, optional
        :class:`rnnkit.callbacks.Callback` instances, e.g. a progress bar; epochs are numbered
        over the whole run (a resumed run continues the count), and ``on_train_begin`` receives
        the run's configured number of epochs.
    figures : bool, default True
        Draw loss.png and loss.pdf (about a second; turn off for quick scripted runs).

    Raises
    ------
    TrainingInterrupted
        On Ctrl-C; a checkpoint is saved first (resume with ``resume=run.path``).
    NonFiniteLossError
        When the loss becomes NaN or infinite; the last good checkpoint is kept.
    ConfigError, DataError, PluginError, RunError
        For invalid options, data, architectures and run folders.
    """
    say = progress or (lambda message: None)
    checkpoint = None
    if resume is not None:
        run_dir = Path(resume)
        info = _read_run_info(run_dir)
        checkpoint = read_checkpoint(run_dir / CHECKPOINT)
        arch_obj = plugins.get(arch if arch is not None else info["arch"])
        if arch_obj.name != info["arch"]:
            raise RunError(f"{str(run_dir)!r} is a run of {info['arch']!r}, not {arch_obj.name!r}")
        config = dict(GENERIC_KEYS)
        config.update(_read_json(run_dir / "config.json", "its resolved config"))
        changed = {k: v for k, v in (overrides or {}).items()
                   if v is not None and config.get(k) != v}
        fixed = sorted(k for k in changed if k not in RESUMABLE_KEYS)
        if fixed:
            raise ConfigError(f"cannot change {', '.join(fixed)} when resuming: the checkpoint's "
                              f"model and data were made with "
                              f"{', '.join(f'{k}={config.get(k)!r}' for k in fixed)}. Only "
                              f"{', '.join(RESUMABLE_KEYS)} may change; start a new run otherwise.")
        if config_file is not None:
            raise ConfigError("--config cannot be combined with --resume: the run keeps its "
                              "config.json (override epochs, lr or batch_size instead)")
        _update_checked(config, changed, sorted(config), "options")
        validate_config(arch_obj, config)
        if data_path is None:
            data_path = info.get("data_path")
        out = run_dir
    else:
        if arch is None:
            raise ConfigError("name an architecture to train (see `rnnkit list`), or resume a run")
        arch_obj = plugins.get(arch)
        config = resolve_config(arch_obj, overrides, config_file)
        out = _new_run_dir(arch_obj.name, out_dir)
    data_path = _check_data_path(data_path)

    previous_floatx = config_mod.floatx()
    try:
        return _train(arch_obj, config, data_path, out, checkpoint, say, list(callbacks or []),
                      figures)
    finally:
        config_mod.set_floatx(previous_floatx)


def _report_data(data, say):
    """One line on the data (sizes, source), and a warning for skipped malformed lines."""
    info = data.info or {}
    sizes = ", ".join(f"{name} {len(part[1]):,}" for name, part in
                      (("train", data.train), ("val", data.val), ("test", data.test)) if part)
    source = info.get("source")
    say(f"data: {sizes} samples" + (f" ({source})" if source else ""))
    skipped = info.get("skipped_lines") or 0
    if skipped:
        first = info.get("first_skipped_line")
        where = f"; the first is line {first[0]}: {first[1][:60]!r}" if first else ""
        say(f"warning: skipped {skipped} malformed line{'s' if skipped != 1 else ''}{where}")


def _train(arch, config, data_path, out, checkpoint, say, callbacks, figures=True):
    config_mod.set_seed(config["seed"]) if "seed" in config else None
    config_mod.set_floatx(config.get("floatx") or "float32")
    data = arch.load_data(config, data_path, say)
    _report_data(data, say)
    meta = jsonable(data.meta)
    model = arch.build_model(config, meta)
    _apply_optimizer_options(model, config)

    out.mkdir(parents=True, exist_ok=True)
    run = Run(path=out, arch=arch.name, config=config, meta=meta, data_path=data_path, model=model)
    rows = []
    if checkpoint is not None:
        state, weights, slots = checkpoint
        if jsonable(state.get("meta")) != meta:
            raise RunError(f"the data no longer match the checkpoint in {str(out)!r} (its "
                           f"vocabularies or scales differ); resume with the same --data file, "
                           f"or start a new run")
        if not model.built:
            _build_on(model, data.train[0])
        try:
            model.set_weights(weights)
        except ValueError as err:
            raise RunError(f"the checkpoint in {str(out)!r} does not fit the model ({err})") from None
        _restore_optimizer(model.optimizer, state["optimizer"], slots)
        config_mod.rng().bit_generator.state = state["rng"]
        rows = list(state["history"])
        say(f"resuming {arch.name} from {out} after epoch {len(rows)} "
            f"(training to epoch {config['epochs']})")
    run.history = rows
    _write_json(out / "config.json", config)
    run.status = "training"
    _write_run_info(run)

    done = len(rows)
    remaining = max(config["epochs"] - done, 0)
    keeper = _Checkpointer(run, model, meta, rows)
    fit_callbacks = [keeper] + [_Shift(cb, done, config["epochs"]) for cb in callbacks]
    if not model.built:
        _build_on(model, data.train[0])
    if checkpoint is None:       # the 'last good checkpoint' before the first epoch
        save_checkpoint(out / CHECKPOINT, model, rows, meta, arch.name)
    fit_config = dict(config, epochs=remaining)
    start = time.perf_counter()
    try:
        arch.fit(model, data, fit_config, callbacks=fit_callbacks)
    except KeyboardInterrupt:
        batch = keeper.batch
        save_checkpoint(out / CHECKPOINT, model, rows, meta, arch.name, batch=batch or None)
        save_model(model, out / MODEL, extra={"arch": arch.name, "meta": meta})
        _write_history(out, rows)
        run.status = "interrupted"
        _write_run_info(run)
        where = f"epoch {len(rows) + 1}, batch {batch}" if batch else f"after epoch {len(rows)}"
        raise TrainingInterrupted(run, (
            f"training interrupted ({where}); saved a checkpoint in {out}. Resume with: "
            f"rnnkit train --resume {out}")) from None
    except NonFiniteLossError as err:
        _write_history(out, rows)
        run.status = "non-finite loss"
        _write_run_info(run, error=str(err))
        kept = f"after epoch {len(rows)}" if rows else "the initial weights, before epoch 1"
        raise NonFiniteLossError(
            f"training stopped: {err} The last good checkpoint ({kept}) is kept in "
            f"{out / CHECKPOINT}. To go on with a lower rate or clipping: rnnkit train --resume "
            f"{out} --lr {config.get('lr', 1e-2) / 10:g} (or --clipnorm 1.0)") from None
    seconds = time.perf_counter() - start

    return _finish(arch, model, data, run, seconds, figures)


def _finish(arch, model, data, run, seconds, figures=True):
    out = run.path
    metrics = {"arch": arch.name, "headline_metric": getattr(arch, "headline_metric", None),
               "test": jsonable(arch.evaluate(model, data)),
               "baseline": jsonable(arch.baseline(data)),
               "seconds": round(seconds, 3), "epochs": run.epochs_done}
    run.metrics = metrics
    save_model(model, out / MODEL, extra={"arch": arch.name, "meta": run.meta})
    _write_history(out, run.history)
    _write_json(out / "metrics.json", metrics)
    if figures:
        title = f"{arch.name} ({run.config['cell']})" if run.config.get("cell") else arch.name
        write_loss_curves(out, run.history, title)
    run.status = "finished"
    _write_run_info(run)
    return run


def _apply_optimizer_options(model, config):
    """The generic keys act on any compiled model: lr, clipnorm, clipvalue."""
    opt = getattr(model, "optimizer", None)
    if opt is None:
        raise RunError("the architecture's build_model returned a model that is not compiled; "
                       "call model.compile(loss=..., optimizer=...) in build_model")
    if "lr" in config:
        opt.learning_rate = float(config["lr"])
    if config.get("clipnorm") is not None:
        opt.clipnorm = float(config["clipnorm"])
    if config.get("clipvalue") is not None:
        opt.clipvalue = float(config["clipvalue"])


def _first(x, n=1):
    """The first ``n`` samples of ``x`` (an array, or a list of arrays for encoder-decoders)."""
    if isinstance(x, (list, tuple)):
        return [np.asarray(a)[:n] for a in x]
    return np.asarray(x)[:n]


def _build_on(model, x):
    model.predict(_first(x))


def _build_like(model, saved_config):
    """Build ``model`` for the input shape recorded in a saved model's config."""
    shape = saved_config.get("input_shape")
    if shape is None:
        raise RunError("the saved model records no input shape, so it cannot be rebuilt")
    if saved_config.get("class") == "EncoderDecoder":
        model.build(*[tuple(s) for s in shape])
    else:
        model.build(tuple(shape))


# ---- existing runs ---------------------------------------------------------------------------

def _read_json(path, what):
    path = Path(path)
    if not path.is_file():
        raise RunError(f"{str(path.parent)!r} has no {path.name} ({what}): it is not a complete "
                       f"rnnkit run folder. Train one with `rnnkit train --arch NAME`.")
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise RunError(f"{str(path)!r} is corrupt ({err}); the run folder cannot be used") from None


def _read_run_info(run_dir):
    run_dir = Path(run_dir)
    if not run_dir.exists():
        raise RunError(f"run folder {str(run_dir)!r} does not exist; `rnnkit train` prints the "
                       f"folder of each run (by default under runs/)")
    if not run_dir.is_dir():
        raise RunError(f"{str(run_dir)!r} is a file, not a run folder")
    info = _read_json(run_dir / "run.json", "what was trained")
    if not isinstance(info, dict) or "arch" not in info:
        raise RunError(f"{str(run_dir / 'run.json')!r} is corrupt: it does not name the architecture")
    return info


def load_run(run_dir, arch=None):
    """A finished (or interrupted) run with its model rebuilt and compiled: a :class:`Run`.

    The model is rebuilt by the architecture (so it is compiled with its loss and metrics), then
    given the saved weights. ``arch`` (an Architecture) stands in for the registered one.
    """
    run_dir = Path(run_dir)
    info = _read_run_info(run_dir)
    config = _read_json(run_dir / "config.json", "its resolved config")
    model_path = run_dir / MODEL
    if not model_path.is_file():
        status = info.get("status", "unknown")
        hint = (f" Resume it with `rnnkit train --resume {run_dir}`."
                if (run_dir / CHECKPOINT).is_file() and status != "finished" else
                " Train it again with `rnnkit train`.")
        raise RunError(f"{str(run_dir)!r} has no trained model ({MODEL}); its status is "
                       f"{status!r}.{hint}")
    try:
        header, weights = read_model_file(model_path)
    except ModelFileError as err:
        raise RunError(f"the run's model is unusable: {err}") from None
    extra = header.get("extra", {})
    meta = extra.get("meta", {})
    metrics = None
    if (run_dir / "metrics.json").is_file():
        metrics = _read_json(run_dir / "metrics.json", "its metrics")
    history = _read_json(run_dir / "history.json", "its history") \
        if (run_dir / "history.json").is_file() else []
    run = Run(path=run_dir, arch=info["arch"], config=config, history=history, metrics=metrics,
              status=info.get("status", "unknown"), meta=meta, data_path=info.get("data_path"))
    previous = config_mod.floatx()
    try:
        config_mod.set_floatx(header.get("dtype", "float64"))
        arch = plugins.get(arch if arch is not None else info["arch"])
        model = arch.build_model(dict(GENERIC_KEYS, **config), meta)
        if not model.built:
            _build_like(model, header["model"])
        try:
            model.set_weights(weights)
        except ValueError as err:
            raise RunError(f"{str(model_path)!r}: the weights do not fit the model "
                           f"{info['arch']} builds from config.json ({err})") from None
    finally:
        config_mod.set_floatx(previous)
    run.model = model
    return run


def evaluate_run(run_dir, data_path=None, arch=None):
    """Metrics of a run's model on its test data (or on ``data_path``) beside the baseline."""
    run = load_run(run_dir, arch)
    arch = plugins.get(arch if arch is not None else run.arch)
    data_path = _check_data_path(data_path if data_path is not None else run.data_path)
    previous = config_mod.floatx()
    try:
        config_mod.set_seed(run.config["seed"]) if "seed" in run.config else None
        config_mod.set_floatx(run.config.get("floatx") or "float32")
        data = arch.load_data(dict(GENERIC_KEYS, **run.config), data_path, None)
    finally:
        config_mod.set_floatx(previous)
    if jsonable(data.meta) != jsonable(run.meta):
        raise RunError(f"the data in {data_path or 'the default data set'} do not match the run's "
                       f"vocabularies or scales, so its model cannot read them. Evaluate on data "
                       f"encoded like the training data.")
    return {"arch": run.arch, "run": str(run.path), "data": data_path or "default",
            "test": jsonable(arch.evaluate(run.model, data)),
            "baseline": jsonable(arch.baseline(data))}


def predict_run(run_dir, inputs, arch=None):
    """The architecture's human-readable demo on ``inputs`` (strings) with a run's model."""
    run = load_run(run_dir, arch)
    arch = plugins.get(arch if arch is not None else run.arch)
    return arch.demo(run.model, run.meta, list(inputs) if inputs is not None else None)


def build_default_model(arch, overrides=None):
    """An architecture's model with its default config (and ``overrides``), built on its small
    data, untrained: what ``rnnkit summary --arch NAME`` prints."""
    arch = plugins.get(arch)
    config = resolve_config(arch, overrides)
    previous = config_mod.floatx()
    try:
        config_mod.set_seed(config.get("seed", 0))
        config_mod.set_floatx(config.get("floatx") or "float32")
        data = arch.small_data(config)
        model = arch.build_model(config, jsonable(data.meta))
        if not model.built:
            _build_on(model, data.train[0])
    finally:
        config_mod.set_floatx(previous)
    return model
