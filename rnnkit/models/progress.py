"""What ``fit``, ``evaluate``, ``predict``, :func:`rnnkit.runs.train` and ``rnnkit train`` show
while they work: one reporter, :class:`ProgressBar`, with Keras' ``verbose``.

=========== ======================================================================================
verbose     shows
=========== ======================================================================================
0           nothing
1, "auto"   a bar redrawn in place after each batch, with the ETA and the running metrics, on a
            terminal and in Jupyter; then one line per pass, ``12/12 ━━━━━━━━━━━━━━━━━━━━ 0s
            3ms/step - loss: 0.1234``. Elsewhere (a log file, a pipe, CI) only that line.
2           one line per pass, ``12/12 - 0s - 3ms/step - loss: 0.1234``
=========== ======================================================================================

``fit`` writes ``Epoch 3/10`` before each epoch's bar (verbose 1 and 2), as Keras does. Values are
written as Keras' progress bar writes them: four decimals, or ``.4e`` when |v| <= 1e-3. While
Numba compiles a kernel (the first run on an empty cache, about ten seconds for an LSTM) the bar
says ``compiling kernels (once)``; off a terminal that notice is one line on stderr.

The bar is drawn by tqdm, through ``tqdm.auto``: it redraws one line in place on a terminal, and in
Jupyter it draws a widget (with ipywidgets) or a text bar that the notebook redraws in place (the
carriage returns Keras' bar relies on too). It is small, widely used and well kept, so rnnkit
carries no terminal code of its own. tqdm's warning that ipywidgets is missing is not shown: the
text bar is what we want then.
"""
import shutil
import sys
import time
import warnings

from numba.core import event

from ..callbacks import Callback

with warnings.catch_warnings():          # "IProgress not found": the text bar is fine (above)
    warnings.simplefilter("ignore")
    from tqdm.auto import tqdm as auto_tqdm
from tqdm.std import tqdm as text_tqdm

_BAR = 20
COMPILING = "compiling kernels (once)"


def check_verbose(verbose, what):
    """``verbose`` as 0, 1 or 2 ("auto" is 1, as Keras); a ValueError naming ``what`` otherwise."""
    if verbose == "auto":
        return 1
    if verbose in (0, 1, 2):
        return int(verbose)
    raise ValueError(f"{what}: verbose must be 0 (silent), 1 (progress bar), 2 (one line) or "
                     f"'auto', got {verbose!r}")


def format_logs(logs):
    """`` - loss: 0.1234 - accuracy: 0.5000`` for the logs Keras shows."""
    return "".join(f" - {k}: {v:.4f}" if abs(v) > 1e-3 else f" - {k}: {v:.4e}"
                   for k, v in logs.items())


def in_jupyter():
    """Whether this process is a Jupyter kernel (the test tqdm.auto makes, too)."""
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    return shell is not None and "IPKernelApp" in shell.config


def is_terminal(stream):
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


class ProgressBar(Callback):
    """Progress of ``fit`` (as a callback) or of one pass (``begin``/``update``/``end``).

    ``stream``: where lines go (default: standard output; a bar there may be a Jupyter widget).
    ``tty``: whether to redraw in place (default: on a terminal or in Jupyter). ``columns``: the
    width every drawn line keeps below (default: ``COLUMNS``, else the terminal's, else 80), so a
    redrawn line never wraps. Subclasses change only what the lines say (:meth:`header`,
    :meth:`bar_format`, :meth:`summary`); ``fit`` adds one itself unless given one.
    """

    shows_progress = True

    #: seconds between plain progress lines of a long pass off a terminal (None: none)
    plain_every = None
    #: at most one redraw per this many seconds (a notebook gets no flood of messages)
    redraw_every = 0.1

    def __init__(self, verbose=1, stream=None, tty=None, columns=None):
        self.verbose = check_verbose(verbose, "ProgressBar")
        self.stream, self.columns = stream, columns
        self.tty = (is_terminal(stream or sys.stdout) or (stream is None and in_jupyter())
                    if tty is None else tty)
        self.total_epochs = self.epoch = self.bar = None
        self.n_steps, self.start, self.desc = 0, time.perf_counter(), ""
        self.last_draw, self.noticed = self.start, False

    # ---- what the lines say (subclasses override these) ------------------------------------------
    def header(self):
        """A line before each epoch's bar: Keras' ``Epoch 3/10``."""
        return f"Epoch {self.epoch}/{self.total_epochs}"

    def bar_format(self):
        """tqdm's format of the redrawn line; ``postfix[0]`` is the running metrics."""
        return "{desc}{n_fmt}/{total_fmt} {bar} {elapsed}<{remaining}{postfix[0]}"

    def status(self, logs):
        return format_logs(logs)

    def summary(self, logs, seconds):
        """The lines that end a pass: Keras' one."""
        per_step = f"{1000 * seconds / max(self.n_steps, 1):.0f}ms/step"
        if self.verbose == 2:
            return [f"{self.n_steps}/{self.n_steps} - {seconds:.0f}s - {per_step}{format_logs(logs)}"]
        return [f"{self.n_steps}/{self.n_steps} {'━' * _BAR} {seconds:.0f}s {per_step}"
                f"{format_logs(logs)}"]

    # ---- one pass --------------------------------------------------------------------------------
    def _write(self, text):
        stream = self.stream or sys.stdout
        stream.write(text + "\n")
        stream.flush()

    def _room(self):
        """Characters a line may use: the width less one (some terminals wrap at the last)."""
        return max((self.columns or shutil.get_terminal_size((80, 24)).columns) - 1, 20)

    def begin(self, n_steps, desc=""):
        """Start a pass of ``n_steps`` batches; returns the bar, a context manager that closes it
        (``with ProgressBar(verbose).begin(n) as progress: ...``)."""
        self.close()
        self.n_steps, self.start = n_steps, time.perf_counter()
        self.last_draw, self.noticed, self.desc = self.start, False, desc
        if self.verbose:
            _OPEN.append(self)
        if self.verbose == 1 and self.tty:
            make = auto_tqdm if self.stream is None else text_tqdm
            self.bar = make(total=n_steps, desc=desc, file=self.stream or sys.stdout,
                            unit="batch", leave=False, bar_format=self.bar_format(), postfix=[""],
                            ncols=None if self.stream is None and in_jupyter() else self._room(),
                            mininterval=self.redraw_every,
                            # one bar at a time: tqdm reads the height only to hide nested bars,
                            # and a terminal reporting 0 rows (some ptys) would hide ours
                            nrows=2)
        return self

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def update(self, step, logs):
        """``step`` batches of the pass are done; ``logs`` are the running metrics."""
        now = time.perf_counter()
        if self.bar is not None:
            self.bar.postfix[0] = self.status(logs)
            self.bar.update(step - self.bar.n)
            if step == self.n_steps:          # the last batch is always drawn
                self.bar.refresh()
        elif (self.verbose and self.plain_every is not None and step < self.n_steps
              and now - self.last_draw >= self.plain_every):
            self.last_draw = now
            self._write(self.plain_line(step, logs, now))

    def plain_line(self, step, logs, now):
        return f"  {step}/{self.n_steps}{self.status(logs)}"

    def end(self, logs, seconds=None):
        """The pass is over: the bar goes, the summary line stays."""
        self.close()
        if self.verbose:
            seconds = time.perf_counter() - self.start if seconds is None else seconds
            self._write("\n".join(self.summary(logs, seconds)))

    def close(self):
        """Remove the bar (also after an error or Ctrl-C, so the next bar starts clean)."""
        if self.bar is not None:
            self.bar.close()
            self.bar = None
        if self in _OPEN:
            _OPEN.remove(self)

    def compiling(self, started):
        """Numba started (or finished) compiling: say so once per pass."""
        if not self.verbose:
            return
        if self.bar is not None:
            self.bar.set_description_str(f"{COMPILING} " if started else self.desc, refresh=True)
        elif started and not self.noticed:
            self.noticed = True
            print(f"{COMPILING}...", file=self.stream or (sys.stdout if self.tty else sys.stderr),
                  flush=True)

    # ---- as a fit callback -----------------------------------------------------------------------
    def on_train_begin(self, model, epochs):
        super().on_train_begin(model, epochs)
        self.total_epochs = epochs

    def on_epoch_begin(self, epoch, n_batches):
        self.epoch = epoch
        head = self.header() if self.verbose else None
        if head:
            self._write(head)
        self.begin(n_batches)

    def on_batch_end(self, batch, logs):
        self.update(batch, logs)

    def on_epoch_end(self, epoch, logs):
        shown = {k: v for k, v in logs.items() if k not in ("epoch", "seconds")}
        self.end(shown, logs.get("seconds"))

    def on_train_end(self, history):
        self.close()


def with_progress_bar(callbacks, verbose):
    """``callbacks`` and, last (so it shows what the others add to a row), a ProgressBar of
    ``verbose``, unless ``verbose`` is 0 or one is there already (as Keras adds its own)."""
    callbacks = list(callbacks)
    if verbose and not any(cb.shows_progress for cb in callbacks):
        callbacks.append(ProgressBar(verbose))
    return callbacks


#: the passes under way, innermost last: the one a compile notice goes to
_OPEN = []


def close_open_bars():
    """Close every bar still open (``fit`` calls it when it stops on an error or Ctrl-C)."""
    for bar in list(_OPEN):
        bar.close()


class _CompileNotice(event.Listener):
    """Numba's ``numba:compile`` event starts and ends around a real compile (not a cache load);
    compiles nest (a kernel compiles the functions it calls), so only the outermost counts."""

    depth = 0

    def on_start(self, ev):
        self.depth += 1
        if self.depth == 1 and _OPEN:
            _OPEN[-1].compiling(True)

    def on_end(self, ev):
        self.depth -= 1
        if self.depth == 0 and _OPEN:
            _OPEN[-1].compiling(False)


event.register("numba:compile", _CompileNotice())
