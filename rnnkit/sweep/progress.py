"""The progress bar of a sweep: points done of all, how many run now, how many failed, and the
time left (tqdm's estimate from the points done so far in this session)."""
import sys

from tqdm.auto import tqdm


def counts(records):
    """``(done, failed)``: points that ended (finished or failed), and the failed among them."""
    done = sum(rec["status"] in ("finished", "failed") for rec in records)
    failed = sum(rec["status"] == "failed" for rec in records)
    return done, failed


class SweepProgress:
    """A bar over a sweep's points, updated by :func:`rnnkit.sweep.run_sweep`'s ``on_update``.

    The first update sets the total and the points already finished (a re-run starts part way);
    each later one moves the bar and writes ``running R, failed F`` beside it. Writes to stderr
    (stdout stays the results table); ``close()`` ends the bar's line.
    """

    def __init__(self, file=None, disable=False):
        self.file = file or sys.stderr
        self.disable = disable
        self.bar = None

    def __call__(self, records, running=0):
        done, failed = counts(records)
        if self.bar is None:
            self.bar = tqdm(total=len(records), initial=done, unit="point", desc="sweep",
                            file=self.file, disable=self.disable, dynamic_ncols=True,
                            smoothing=0)
        self.bar.n = done
        self.bar.set_postfix_str(f"running {running}, failed {failed}", refresh=False)
        self.bar.refresh()

    def close(self):
        if self.bar is not None:
            self.bar.close()
