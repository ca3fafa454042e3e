"""The run folder: the one place that knows the name of every file a run writes.

A run trains one architecture and leaves one folder::

    runs/pos-tagging-20250101-120000/
        config.json        the complete resolved config (defaults < --config file < options)
        run.json           arch, data path (absolute), status, epochs done, rnnkit version
        model.rnnkit       the trained model (rnnkit.load_model reads it); extra = {arch, meta,
                           and once finished the state to train on: rnnkit.runs.checkpoint}
        history.csv        one row per epoch: epoch, loss, metrics, val_*, seconds
        history.json       the same rows as JSON
        metrics.json       {"arch": ..., "test": {...}, "baseline": {...}, "seconds": ...}
        loss.png, loss.pdf the loss curves
        checkpoint.npz     weights, optimizer state and history after the last complete epoch
                           (while training, or interrupted; removed once the run finishes)
        running.lock       while a run writes the folder: its pid, host and start time

One run writes a folder at a time: :meth:`RunFolder.claimed` creates ``running.lock`` exclusively
(``O_EXCL``) and a second run is refused with a message naming the first. A lock left by a process
that no longer exists on this host is taken over. A new run that fails before its first epoch
ends (out of memory, bad data) removes what it wrote, so its ``--out`` can be used again.

Every file is written atomically (:mod:`rnnkit.fileio`), so a crash or Ctrl-C never leaves half a
file. Code outside this module asks :class:`RunFolder` for a file, never spells its name.
"""
import contextlib
import csv
import io
import json
import os
import socket
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from .. import __version__
from ..errors import FileWriteError, RunError
from ..fileio import atomic_write_json, atomic_write_text, jsonable


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

    @property
    def folder(self):
        return RunFolder(self.path)

    def __repr__(self):
        return f"Run({str(self.path)!r}, arch={self.arch!r}, status={self.status!r}, " \
               f"epochs={self.epochs_done})"


class RunFolder:
    """A run's folder: where each of its files lives, and reading and writing them.

    ``RunFolder.new(arch_name, out_dir)`` picks the folder of a new run;
    ``RunFolder.existing(path)`` opens one that ``rnnkit train`` made. Readers raise
    :class:`RunError` saying what is missing.
    """

    CONFIG = "config.json"
    INFO = "run.json"
    MODEL = "model.rnnkit"
    HISTORY_JSON = "history.json"
    HISTORY_CSV = "history.csv"
    METRICS = "metrics.json"
    LOSS_FIGURES = ("loss.png", "loss.pdf")
    CHECKPOINT = "checkpoint.npz"
    LOCK = "running.lock"

    def __init__(self, path):
        self.path = Path(path)

    @classmethod
    def new(cls, arch_name, out_dir=None):
        """The folder of a new run: ``out_dir`` if it is new or empty (a run never overwrites
        another), else ``runs/<arch>-<date>-<time>`` (``-2``, ``-3``, ... when taken). Nothing is
        created until :meth:`claimed`."""
        if out_dir is not None:
            path = Path(out_dir)
            in_use = (path / cls.LOCK).is_file()            # claimed() names the other run
            if path.exists() and not in_use and (not path.is_dir() or any(path.iterdir())):
                raise cls._taken(path)
            return cls(path)
        base = Path("runs") / f"{arch_name}-{datetime.now():%Y%m%d-%H%M%S}"
        path, k = base, 2
        while path.exists():
            path = base.with_name(f"{base.name}-{k}")
            k += 1
        return cls(path)

    @staticmethod
    def _taken(path):
        taken = f"{str(path)!r} already exists and is not an empty folder; a new run never " \
                f"overwrites one. Choose another folder, or continue that run with "
        return RunError(f"out_dir={taken}train(resume={str(path)!r}).",
                        cli=f"--out {taken}`rnnkit train --resume {path}`.")

    @classmethod
    def existing(cls, path):
        """An existing run folder, or a RunError saying there is none at ``path``."""
        path = Path(path)
        if not path.exists():
            raise RunError(f"run folder {str(path)!r} does not exist; `rnnkit train` prints the "
                           f"folder of each run (by default under runs/)")
        if not path.is_dir():
            raise RunError(f"{str(path)!r} is a file, not a run folder")
        return cls(path)

    def __repr__(self):
        return f"RunFolder({str(self.path)!r})"

    # ---- the files ----------------------------------------------------------------------------

    @property
    def model_path(self):
        return self.path / self.MODEL

    @property
    def checkpoint_path(self):
        return self.path / self.CHECKPOINT

    def has(self, name):
        """Whether the file ``name`` (one of the class's names) is there."""
        return (self.path / name).is_file()

    # ---- one writer at a time -------------------------------------------------------------------

    @contextlib.contextmanager
    def claimed(self, new):
        """Hold the folder's lock while the ``with`` block writes it.

        ``new=True`` (a new run) creates the folder if needed and requires it to hold nothing but
        the lock; if the block then fails before the first epoch's history is written, the files
        it wrote are removed (and the folder, if it was made here), so the folder can be reused.
        Raises :class:`RunError` naming the other run when one holds the lock, and
        :class:`FileWriteError` when the folder cannot be made.
        """
        made = new and not self.path.exists()
        if new:
            try:
                self.path.mkdir(parents=True, exist_ok=True)
            except OSError as err:
                raise FileWriteError(f"cannot make the run folder {str(self.path)!r} "
                                     f"({err.strerror or err}); choose an --out in a folder you "
                                     f"can write") from None
        self._lock()
        try:
            if new and any(p.name != self.LOCK for p in self.path.iterdir()):
                raise self._taken(self.path)
            yield self
        except BaseException:
            if new and not self.has(self.HISTORY_JSON):
                self._remove_start(made)
            raise
        finally:
            with contextlib.suppress(OSError):
                (self.path / self.LOCK).unlink()

    def _lock(self):
        lock = self.path / self.LOCK
        me = {"pid": os.getpid(), "host": socket.gethostname(),
              "started": f"{datetime.now():%Y-%m-%d %H:%M:%S}"}
        for _ in range(2):                  # a second try after removing a dead run's lock
            try:
                fd = os.open(lock, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
            except FileExistsError:
                other = self._lock_holder()
                if other is not None and _is_dead(other):
                    with contextlib.suppress(OSError):
                        lock.unlink()
                    continue
                raise RunError(self._in_use(other)) from None
            except OSError as err:
                raise FileWriteError(f"cannot write in the run folder {str(self.path)!r} "
                                     f"({err.strerror or err}); check its permissions") from None
            with open(fd, "w", encoding="utf-8") as f:
                json.dump(me, f)
            return
        raise RunError(self._in_use(self._lock_holder()))

    def _lock_holder(self):
        """The lock's ``{"pid", "host", "started"}``, or None when it cannot be read."""
        try:
            holder = json.loads((self.path / self.LOCK).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return holder if isinstance(holder, dict) else None

    def _in_use(self, other):
        who = ("another run" if other is None else
               f"another run (pid {other.get('pid')} on host {other.get('host')}, started "
               f"{other.get('started')})")
        return (f"run folder {str(self.path)!r} is in use by {who}; wait for it to end or "
                f"choose another --out. If that run is gone, delete "
                f"{str(self.path / self.LOCK)!r}.")

    def _remove_start(self, made):
        """Remove what a new run wrote before its first epoch ended (the folder if it made it)."""
        for name in (self.CONFIG, self.INFO, self.CHECKPOINT, self.MODEL, self.METRICS):
            with contextlib.suppress(OSError):
                (self.path / name).unlink()
        if made:
            with contextlib.suppress(OSError):
                (self.path / self.LOCK).unlink()
                self.path.rmdir()

    # ---- reading ------------------------------------------------------------------------------

    def _read_json(self, name, what):
        path = self.path / name
        if not path.is_file():
            raise RunError(f"{str(self.path)!r} has no {name} ({what}): it is not a complete "
                           f"rnnkit run folder. Train one with `rnnkit train --arch NAME`.")
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError) as err:
            raise RunError(f"{str(path)!r} is corrupt ({err}); the run folder cannot be "
                           f"used") from None

    def read_info(self):
        """run.json: ``{"arch", "data_path", "status", "epochs_done", "rnnkit"}``."""
        info = self._read_json(self.INFO, "what was trained")
        if not isinstance(info, dict) or "arch" not in info:
            raise RunError(f"{str(self.path / self.INFO)!r} is corrupt: it does not name the "
                           f"architecture")
        return info

    def read_config(self):
        """config.json: the run's resolved config, as it was saved."""
        return self._read_json(self.CONFIG, "its resolved config")

    def read_history(self):
        """history.json: one dict per epoch (``[]`` before the first epoch's end)."""
        return self._read_json(self.HISTORY_JSON, "its history, one row per epoch")

    def read_metrics(self):
        """metrics.json, or None for a run that has not finished."""
        return self._read_json(self.METRICS, "its metrics") if self.has(self.METRICS) else None

    # ---- writing ------------------------------------------------------------------------------

    def write_config(self, config):
        atomic_write_json(self.path / self.CONFIG, config)

    def write_info(self, run, **more):
        """run.json from ``run`` (arch, data path, status, epochs done), plus ``more`` keys."""
        info = {"arch": run.arch, "data_path": run.data_path, "status": run.status,
                "epochs_done": run.epochs_done, "rnnkit": __version__}
        info.update(more)
        atomic_write_json(self.path / self.INFO, info)

    def write_history(self, rows):
        """history.json and history.csv (columns in order of first appearance)."""
        atomic_write_json(self.path / self.HISTORY_JSON, rows)
        columns = []
        for row in rows:
            columns += [k for k in row if k not in columns]
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=columns or ["epoch", "loss"], lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow(jsonable(row))
        atomic_write_text(self.path / self.HISTORY_CSV, buf.getvalue())

    def write_metrics(self, metrics):
        atomic_write_json(self.path / self.METRICS, metrics)

    def write_loss_figures(self, rows, title, loss="sparse_categorical_crossentropy"):
        """loss.png and loss.pdf: training (and validation) loss per epoch, as every slide figure
        is drawn: no title baked in (`title`, the run's name, labels its curve), the y axis names
        the `loss` (an ``rnnkit.losses`` name) and its unit, and the baseline's loss (from this
        folder's metrics.json, when the architecture's baseline has one) is a dotted line."""
        from ..viz import Theme, draw_loss_curves, save
        from ..viz.curves import LOSS_YLABELS
        theme = Theme()
        if any("loss" in r for r in rows):
            baseline = ((self.read_metrics() or {}).get("baseline") or {}).get("loss")
            fig = draw_loss_curves([(title, rows)], theme, baseline=baseline,
                                   baseline_label="baseline (test)",
                                   ylabel=LOSS_YLABELS.get(loss, loss.replace("_", " ")))
        else:                               # a run of zero epochs still gets its (empty) figure
            with theme.context():
                fig = theme.figure(layout="constrained")
                ax = fig.add_subplot()
                ax.set_axis_off()
                ax.text(0.5, 0.5, f"{title}: no epochs trained yet", ha="center", va="center")
        for name in self.LOSS_FIGURES:
            save(fig, self.path / name)


def _is_dead(holder):
    """Whether the lock ``holder`` names a process on this host that no longer exists (a lock
    from another host, or one that cannot be read, is taken to be alive)."""
    pid = holder.get("pid")
    if holder.get("host") != socket.gethostname() or not isinstance(pid, int) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:                     # e.g. another user's process: it exists
        return False
    return False
