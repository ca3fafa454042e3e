"""One recurrent layer on several cores: the batch is split into chunks, one per core.

Sequences in a batch never meet inside a recurrent layer: h_t of sequence n depends on h_{t-1} of
sequence n alone. So a cell gives each core a block of batch rows (a *chunk*) and lets it run every
step t = 1..T for those rows on its own: the cores meet once per kernel call, never per step (at 50
steps a hand-over per step would cost more than it saves).

The matrix products over all T*B rows before and after the time loop
(:mod:`rnnkit.kernels.projections`) are split by rows as well, each core taking a contiguous block
of them:

    A = X Uᵀ                        U x_t for every row: each block of rows is independent
    dU = Σ_rows da xᵀ               a sum over rows: each core sums its block into its own
    dW = Σ_rows da h_{t-1}ᵀ         partial, and the partials are added at the end
    db = Σ_rows da                  (:func:`add_partials`)
    dX = dA U                       dx_t = Uᵀ da_t: independent rows again

How: the *serial* kernels run the blocks (they take the rows ``lo:hi`` they work on, and are
compiled ``nogil=True``: they let go of Python's lock while they run), each block on a thread of
its own (:func:`run_blocks`: the calling thread runs the first block, a few worker threads made on
the first split the others). So the split compiles nothing of its own, a thread waiting for work
sleeps on a lock (it never spins on a core that another program needs; Numba's OpenMP pool did,
and its ``parallel`` kernels compiled their callees again: 14 s), and a forked child makes new
workers. A cell's entry points choose (:mod:`rnnkit.kernels.lstm`, :mod:`rnnkit.kernels.gru`):
``chunks = 1`` calls the kernels directly on the calling thread (no worker is touched),
``chunks > 1`` hands the blocks to the workers (:mod:`rnnkit.kernels.simple_rnn` likewise; and
the Dense layer splits its rows the same way, :mod:`rnnkit.kernels.dense`). The layers choose
``chunks`` through
:func:`rnnkit.threads.batch_chunks`. Splitting changes only the order of the additions in the
weight gradients (float32: last bits), never the recurrence itself.
"""
import os
import threading

import numpy as np


class _Worker:
    """A thread that runs one block at a time: :meth:`start` hands it a call, :meth:`wait` returns
    when the call is done. Both sides wait on a lock, asleep: an idle worker takes no CPU time."""

    def __init__(self):
        self._go, self._done = threading.Lock(), threading.Lock()
        self._go.acquire()
        self._done.acquire()
        self._call, self._error = None, None
        threading.Thread(target=self._serve, name="rnnkit-block", daemon=True).start()

    def _serve(self):
        while True:
            self._go.acquire()
            kernel, args = self._call
            try:
                kernel(*args)
            except BaseException as error:  # noqa: B036 -- handed to the caller by wait()
                self._error = error
            self._call = None
            self._done.release()

    def start(self, kernel, args):
        self._call = (kernel, args)
        self._go.release()

    def wait(self):
        """Block until the call is done; return its exception, or None."""
        self._done.acquire()
        error, self._error = self._error, None
        return error


_workers = []                  # the worker threads, made on the first split
_in_use = threading.Lock()     # held while a split runs: another Python thread's split runs alone


def _forget_workers_in_child():
    """A forked child has only the thread that forked: the workers are gone, make new ones."""
    global _in_use
    _workers.clear()
    _in_use = threading.Lock()


os.register_at_fork(after_in_child=_forget_workers_in_child)


def run_blocks(calls):
    """Run every ``(kernel, args)`` of ``calls`` (the blocks of one stage) and return when all are
    done: the first on the calling thread, each other one on a worker thread (made on first need,
    then kept: as many as the most blocks asked for, which :func:`rnnkit.threads.batch_chunks`
    keeps to the usable cores). An exception of a block is raised here, after every block has
    finished (they write into shared arrays). While another Python thread's split runs, the
    blocks run one after the other on the calling thread."""
    if len(calls) == 1 or not _in_use.acquire(blocking=False):
        for kernel, args in calls:
            kernel(*args)
        return
    errors = []
    try:
        while len(_workers) < len(calls) - 1:
            _workers.append(_Worker())
        for worker, (kernel, args) in zip(_workers, calls[1:]):
            worker.start(kernel, args)
        try:
            kernel, args = calls[0]
            kernel(*args)
        except BaseException as error:  # noqa: B036 -- raised below, after the others
            errors.append(error)
        errors += [e for e in (w.wait() for w in _workers[:len(calls) - 1]) if e is not None]
    except BaseException:
        # interrupted while waiting (Ctrl-C): a worker may still be running its block, so
        # these workers are left to it (they then sleep for good) and the next split makes new ones
        _workers.clear()
        raise
    finally:
        _in_use.release()
    if errors:
        raise errors[0]


def usable_chunks(chunks, rows):
    """The number of blocks a cell kernel really uses for ``rows`` batch rows when asked for
    ``chunks``: never more than the rows (no empty block)."""
    return max(1, min(chunks, rows))


def bounds(k, chunks, n):
    """Rows ``lo:hi`` of chunk ``k`` when ``n`` rows are split into ``chunks`` near-equal blocks."""
    return k * n // chunks, (k + 1) * n // chunks


def sum_row_blocks(kernel, chunks, rows, shared, outputs):
    """Run ``kernel(*shared, *outputs_k, lo, hi)`` for ``chunks`` blocks of ``rows`` rows at once,
    each block summing its rows into partials of its own (the first block into ``outputs``
    themselves), then add the partials into ``outputs`` (:func:`add_partials`)."""
    partials = [outputs] + [tuple(np.empty_like(o) for o in outputs) for _ in range(chunks - 1)]
    run_blocks([(kernel, (*shared, *partials[k], *bounds(k, chunks, rows)))
                for k in range(chunks)])
    add_partials(outputs, partials[1:])


def add_partials(outputs, partials):
    """``outputs[i] += p[i]`` for every tuple ``p`` of ``partials``, in order."""
    for p in partials:
        for out, part in zip(outputs, p):
            out += part


def require_contiguous(where, **arrays):
    """Raise a ValueError naming ``where`` and the array unless every array is C-contiguous: the
    kernels view them as (T*B, ...) matrices, and a reshaped copy would take the results."""
    for name, a in arrays.items():
        if not a.flags.c_contiguous:
            raise ValueError(f"{where}: {name} must be a C-contiguous array (got strides "
                             f"{a.strides} for shape {a.shape}); pass np.ascontiguousarray({name})")
