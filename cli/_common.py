"""What every command shares: colours, user errors, JSON output, the ``--cell`` option and the
training progress bar."""
import json
import os
import shutil
import sys
import textwrap
import time

import click

from rnnkit import __version__, plugins
from rnnkit.callbacks import Callback
from rnnkit.errors import RnnkitError
from rnnkit.layers import CELLS

#: Exceptions that are the user's to fix: printed as "Error: <message>", exit status 1, no
#: traceback (``rnnkit --debug`` shows it). rnnkit's own errors, and file problems that name their
#: file (see :func:`user_error_message`); anything else (a ValueError, a TypeError) is a bug.
USER_ERRORS = (RnnkitError, OSError, MemoryError)


def user_error_message(err):
    """The plain message of an error the user can fix, or None when ``err`` is a bug.

    An OSError counts when it names its file (missing, not a folder, no permission, disk full);
    running out of memory counts, with numpy's size and what to make smaller.
    """
    if isinstance(err, RnnkitError):
        return str(err) or type(err).__name__
    if isinstance(err, MemoryError):
        needed = f" ({err})" if str(err) else ""
        return (f"not enough memory{needed}. Make the model or its batches smaller (--units, "
                f"--batch-size, or a config's sizes), or use --float32, which halves it.")
    if isinstance(err, OSError) and err.filename is not None:
        return f"{err.filename}: {err.strerror or err}"
    return None


def bug_message(err, command):
    """What the user sees of an error that is rnnkit's (or a plugin's) bug, not theirs."""
    return (f"{type(err).__name__}: {err}\nThis is a bug in rnnkit or in the architecture's "
            f"plugin, not something you did. Run `rnnkit --debug {command}` to see the "
            f"traceback, and report it with that output (rnnkit {__version__}) to the rnnkit "
            f"maintainers, or to the plugin's authors when the traceback ends in their package.")


def use_colour(stream=None):
    """Colours only on a terminal, and never when NO_COLOR is set (https://no-color.org)."""
    if os.environ.get("NO_COLOR"):
        return False
    stream = stream or sys.stdout
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def style(text, **kwargs):
    """``click.style`` when colours are on (see :func:`use_colour`), else the plain text."""
    return click.style(text, **kwargs) if use_colour() else text


def echo_json(data):
    """``data`` as indented JSON; non-ASCII text stays as it is (``"é"``, not ``"\\u00e9"``)."""
    click.echo(json.dumps(data, indent=2, ensure_ascii=False, default=_json_default))


def _json_default(x):
    import numpy as np
    if isinstance(x, np.generic):
        return x.item()
    if isinstance(x, np.ndarray):
        return x.tolist()
    return str(x)


def fmt(value):
    """A metric for people: 4 significant decimals for floats."""
    if isinstance(value, float):
        return f"{value:.4f}" if abs(value) >= 1e-3 or value == 0 else f"{value:.3e}"
    return str(value)


def metrics_table(test, baseline, headline=None):
    """Lines: metric | model | baseline, the headline metric first."""
    names = list(test)
    names += [k for k in baseline if k not in names]
    if headline in names:
        names.remove(headline)
        names.insert(0, headline)
    rows = [("metric", "model", "baseline")] + [
        (k, fmt(test[k]) if k in test else "-", fmt(baseline[k]) if k in baseline else "-")
        for k in names]
    widths = [max(len(r[i]) for r in rows) for i in range(3)]
    lines = []
    for n, r in enumerate(rows):
        line = f"  {r[0].ljust(widths[0])}  {r[1].rjust(widths[1])}  {r[2].rjust(widths[2])}"
        lines.append(style(line, bold=True) if n == 0 else line)
    return lines


def _complete_cell(ctx, param, incomplete):
    try:
        cells = plugins.get(ctx.params["arch"]).cells
    except Exception:        # no --arch yet, or a broken one: completion must never fail loudly
        cells = tuple(CELLS)
    return [c for c in cells if c.startswith(incomplete)]


def cell_option(f):
    """``--cell CELL``: one of the chosen architecture's ``cells`` (check it with
    :func:`check_cell` once the architecture is known)."""
    return click.option("--cell", metavar="CELL", shell_complete=_complete_cell,
                        help="The recurrent cell: one of the architecture's cells "
                             "(`rnnkit list` shows them).")(f)


def check_cell(cell, arch=None):
    """A ``--cell`` value that names no recurrent cell at all is a usage error (exit status 2)
    listing ``arch``'s cells. A cell that ``arch`` does not offer is left to the config's
    validation (a ConfigError, exit status 1), as it would be from a --config file."""
    known = set(CELLS) | set(arch.cells if arch is not None else ())
    if cell is not None and cell not in known:
        offered = arch.cells if arch is not None else tuple(CELLS)
        owner = f"{arch.name}'s cells are" if arch is not None else "choose one of"
        raise click.BadParameter(f"{cell!r} is not a recurrent cell; {owner} "
                                 f"{', '.join(offered)}", param_hint="'--cell'")


def _clock(seconds):
    seconds = int(round(seconds))
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


class ProgressReporter(Callback):
    """A fit callback drawing one progress bar per epoch (batches, loss, rate, ETA).

    On a terminal the bar redraws in place; otherwise (a log file, a pipe, CI) it prints a plain
    progress line every ``plain_every`` seconds of a long epoch. Either way each epoch ends with
    one line of metrics. Every line fits the terminal's width (``COLUMNS``, else the terminal's
    own, else 80): the bar shrinks, then the rate and the ETA go, because a redrawn line that
    wraps leaves half-drawn copies behind; the epoch's metrics wrap onto indented lines.
    """

    width = 24

    def __init__(self, stream=None, tty=None, plain_every=30.0, columns=None):
        self.stream = stream
        self.tty = use_colour_free_tty(stream) if tty is None else tty
        self.plain_every = plain_every
        self.columns = columns
        self.total_epochs = None

    def _room(self):
        """Characters a line may use: the width less one (some terminals wrap at the last)."""
        return max((self.columns or terminal_columns()) - 1, 20)

    def on_train_begin(self, model, epochs):
        super().on_train_begin(model, epochs)
        self.total_epochs = epochs

    def _write(self, text, nl=True):
        click.echo(text, nl=nl, file=self.stream)

    def on_epoch_begin(self, epoch, n_batches):
        self.epoch, self.n_batches = epoch, n_batches
        self.start = self.last_draw = time.perf_counter()
        self.drawn = False

    def _status(self, batch, loss, now):
        elapsed = max(now - self.start, 1e-9)
        rate = batch / elapsed
        eta = (self.n_batches - batch) / rate if rate > 0 else 0.0
        return rate, eta, f"loss {loss:.4f}  {rate:.1f} batch/s  ETA {_clock(eta)}"

    def _label(self):
        total = f"/{self.total_epochs}" if self.total_epochs else ""
        return f"Epoch {self.epoch}{total}"

    def on_batch_end(self, batch, logs):
        now = time.perf_counter()
        if self.tty:
            if now - self.last_draw < 0.1 and batch < self.n_batches:
                return None
            self.last_draw = now
            self._write(f"\r{self._bar_line(batch, logs['loss'], now)}\x1b[K", nl=False)
            self.drawn = True
        elif now - self.last_draw >= self.plain_every and batch < self.n_batches:
            self.last_draw = now
            _, _, status = self._status(batch, logs["loss"], now)
            self._write(f"  {self._label()}: {batch}/{self.n_batches} batches  {status}")
        return None

    def _bar_line(self, batch, loss, now):
        """The redrawn line: label, bar, count and as much of the status as fits."""
        rate, eta, _ = self._status(batch, loss, now)
        head, count, room = self._label(), f"{batch}/{self.n_batches}", self._room()
        statuses = (f"loss {loss:.4f}  {rate:.1f} batch/s  ETA {_clock(eta)}",
                    f"loss {loss:.4f}  ETA {_clock(eta)}", f"loss {loss:.4f}", "")
        for status in statuses:
            bar_width = min(self.width, room - len(f"{head} [] {count}  {status}"))
            if bar_width >= 5:
                filled = int(bar_width * batch / max(self.n_batches, 1))
                bar = "#" * filled + "-" * (bar_width - filled)
                return f"{head} [{bar}] {count}  {status}".rstrip()
        return f"{head} {count}"[:room]

    def on_epoch_end(self, epoch, logs):
        if self.tty and self.drawn:
            self._write("\r\x1b[K", nl=False)
        parts = [f"{k} {fmt(v)}" for k, v in logs.items() if k not in ("epoch", "seconds")]
        seconds = logs.get("seconds", time.perf_counter() - self.start)
        rate = self.n_batches / seconds if seconds > 0 else 0.0
        head = self._label()
        line = (f"{head} - {self.n_batches} batches - " + " - ".join(parts)
                + f" - {seconds:.1f}s ({rate:.0f} batch/s)")
        lines = textwrap.wrap(line, self._room(), subsequent_indent="  ", break_on_hyphens=False)
        lines[0] = style(head, bold=True) + lines[0][len(head):]
        self._write("\n".join(lines))


def terminal_columns():
    """The terminal's width: ``COLUMNS`` if set, else the terminal's own, else 80."""
    return shutil.get_terminal_size((80, 24)).columns


def use_colour_free_tty(stream=None):
    """Whether ``stream`` (default stdout) is a terminal; NO_COLOR does not matter for redraws."""
    stream = stream or sys.stdout
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def say(message):
    """Status messages (downloads, resuming) go to stderr, so stdout stays the results."""
    click.echo(style(message, dim=True), err=True)
