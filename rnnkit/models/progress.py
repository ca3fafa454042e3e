"""What ``fit``, ``evaluate`` and ``predict`` print, by Keras' ``verbose``.

=========== ======================================================================================
verbose     prints
=========== ======================================================================================
0           nothing
1, "auto"   a progress bar, ``12/12 ━━━━━━━━━━━━━━━━━━━━ 0s 3ms/step - loss: 0.1234``; redrawn
            after every batch on a terminal, written once at the end otherwise
2           one line at the end, ``12/12 - 0s - 3ms/step - loss: 0.1234``
=========== ======================================================================================

``fit`` writes ``Epoch 3/10`` before each epoch's line (verbose 1 and 2), as Keras does. Values are
written as Keras' progress bar writes them: four decimals, or ``.4e`` when |v| <= 1e-3.
"""
import sys
import time

_BAR = 20


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


class Progress:
    """One pass over ``n_steps`` batches: call ``update(step, logs)`` after each, ``end(logs)``."""

    def __init__(self, n_steps, verbose):
        self.n_steps, self.verbose = n_steps, verbose
        self.stream = sys.stdout
        self.start = time.perf_counter()
        self.redraw = verbose == 1 and self.stream.isatty()

    def _line(self, step, logs):
        seconds = time.perf_counter() - self.start
        per_step = f"{1000 * seconds / max(step, 1):.0f}ms/step"
        if self.verbose == 2:
            return f"{step}/{self.n_steps} - {seconds:.0f}s - {per_step}{format_logs(logs)}"
        done = round(_BAR * step / max(self.n_steps, 1))
        bar = "━" * done + " " * (_BAR - done)
        return f"{step}/{self.n_steps} {bar} {seconds:.0f}s {per_step}{format_logs(logs)}"

    def update(self, step, logs):
        if self.redraw:
            self.stream.write("\r" + self._line(step, logs))
            self.stream.flush()

    def end(self, logs):
        if self.verbose:
            self.stream.write(("\r" if self.redraw else "") + self._line(self.n_steps, logs) + "\n")
            self.stream.flush()
