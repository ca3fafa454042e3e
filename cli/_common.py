"""What every command shares: colours, user errors, JSON output, the ``--cell`` option and the
training progress bar."""
import json
import os
import shutil
import sys
import textwrap

import click

from rnnkit import __version__, plugins
from rnnkit import sweep as sweeps
from rnnkit.errors import ConfigError, RnnkitError
from rnnkit.layers import CELLS
from rnnkit.models.progress import ProgressBar
from rnnkit.tables import MetricsTable, fmt

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
        return err.cli or str(err) or type(err).__name__
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


def metrics_table(test, baseline, headline=None):
    """Lines of :class:`rnnkit.tables.MetricsTable` (metric | model | baseline), the header bold."""
    header, *rows = MetricsTable(test, baseline, headline).lines()
    return [style(header, bold=True)] + rows


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


class ProgressReporter(ProgressBar):
    """``rnnkit train``'s progress: the one :class:`rnnkit.models.progress.ProgressBar`, with the
    run's own lines. The redrawn line reads ``Epoch 3/10 [####----] 4/12 loss 0.1234 ...``, each
    epoch ends with one line of metrics, wrapped onto indented lines to fit the terminal's width;
    off a terminal (a log file, a pipe, CI) a plain progress line comes every ``plain_every``
    seconds of a long epoch.
    """

    def __init__(self, stream=None, tty=None, plain_every=30.0, columns=None):
        super().__init__(verbose=1, stream=stream, tty=tty, columns=columns)
        self.plain_every = plain_every

    def _label(self):
        total = f"/{self.total_epochs}" if self.total_epochs else ""
        return f"Epoch {self.epoch}{total}"

    def header(self):
        return None                     # the label leads the bar and the epoch's line instead

    def begin(self, n_steps, desc=""):
        return super().begin(n_steps, desc or f"{self._label()} ")

    def bar_format(self):
        """Narrow terminals drop the rate, then the ETA, before the bar gets too short."""
        room = self._room()
        rate = "  {rate_fmt}" if room >= 70 else ""
        eta = "  ETA {remaining}" if room >= 50 else ""
        return "{desc}[{bar}] {n_fmt}/{total_fmt}{postfix[0]}" + rate + eta

    def status(self, logs):
        return f"  loss {logs['loss']:.4f}"

    def plain_line(self, step, logs, now):
        elapsed = max(now - self.start, 1e-9)
        eta = (self.n_steps - step) * elapsed / step
        return (f"  {self._label()}: {step}/{self.n_steps} batches{self.status(logs)}  "
                f"{step / elapsed:.1f} batch/s  ETA {int(eta) // 60}:{int(eta) % 60:02d}")

    def summary(self, logs, seconds):
        parts = [f"{k} {fmt(v)}" for k, v in logs.items()]
        rate = self.n_steps / seconds if seconds > 0 else 0.0
        head = self._label()
        line = (f"{head} - {self.n_steps} batches - " + " - ".join(parts)
                + f" - {seconds:.1f}s ({rate:.0f} batch/s)")
        lines = textwrap.wrap(line, self._room(), subsequent_indent="  ", break_on_hyphens=False)
        lines[0] = style(head, bold=True) + lines[0][len(head):]
        return lines


def terminal_columns():
    """The terminal's width: ``COLUMNS`` if set, else the terminal's own, else 80."""
    return shutil.get_terminal_size((80, 24)).columns


def say(message):
    """Status messages (downloads, resuming) go to stderr, so stdout stays the results."""
    click.echo(style(message, dim=True), err=True)


def assignments(options, option):
    """``KEY=V1,V2`` options as a dict of value lists; a key given twice is a mistake."""
    result = {}
    for text in options:
        key, values = sweeps.parse_assignment(text, option)
        if key in result:
            raise ConfigError(f"{option} {key}=... is given twice; list all its values in one, "
                              f"e.g. {option} {key}=1,2,3")
        result[key] = values
    return result


def settings(options):
    """``--set KEY=VALUE`` options as a dict of single values (a list of values is refused)."""
    result = {}
    for key, values in assignments(options, "--set").items():
        if len(values) != 1:
            raise ConfigError(f"--set {key}= takes one value; to try several, run a sweep: "
                              f"rnnkit sweep --grid {key}={','.join(map(str, values))}")
        result[key] = values[0]
    return result
