"""One recurrent layer on several cores: the batch is split into chunks, one per core.

Sequences in a batch never meet inside a recurrent layer: h_t of sequence n depends on h_{t-1} of
sequence n alone. So a cell kernel gives each core a block of batch rows (a *chunk*) and lets it
run every step t = 1..T for those rows on its own: the cores meet once per kernel call, never per
step (at 50 steps a hand-over per step would cost more than it saves).

The matrix products over all T*B rows before and after the time loop
(:mod:`rnnkit.kernels.projections`) are split by rows as well, each core taking a contiguous block
of them:

    A = X Uᵀ                        U x_t for every row: each block of rows is independent
    dU = Σ_rows da xᵀ               a sum over rows: each core sums its block into its own
    dW = Σ_rows da h_{t-1}ᵀ         partial, and the partials are added at the end
    db = Σ_rows da                  (:func:`add_partials`)
    dX = dA U                       dx_t = Uᵀ da_t: independent rows again

A cell that splits (today the LSTM: :mod:`rnnkit.kernels.lstm`, :mod:`rnnkit.kernels.lstm_split`)
has two paths per direction: a plain Python function that, for ``chunks = 1``, calls the serial
products and the cell's steps directly on the calling thread (no thread pool is touched), and for
``chunks > 1`` one ``parallel`` kernel with a ``prange`` over the chunks for each stage. The layers choose ``chunks``
through :func:`rnnkit.threads.batch_chunks`. Splitting changes only the order of the additions in
the weight gradients (float32: last bits), never the recurrence itself.

Why two paths: a ``parallel`` kernel starts the thread pool even for one chunk (7-60 µs a region,
measured), too much for a small model's step; and it compiles slowly (Numba optimises the steps
again inside it: the LSTM's two split kernels add about 14 s to the first run, once, before the
on-disk cache has them), so it should compile only where a batch is really split.
``NUMBA_NUM_THREADS=1`` never splits, and never compiles them.

The split kernels run on Numba's OpenMP thread pool, which does not survive ``fork``: GNU OpenMP
terminates a forked child that starts the pool again. :func:`usable_chunks` is what the cells'
entry points call first: in a process forked after the pool started it always answers 1, so such a
child runs the serial kernels, with the same results.
"""
import os

from numba import njit

#: ``parallel=`` option of the kernels that split the batch: only their explicit ``prange`` loops
#: run in parallel. Numba's other parallel passes (array expressions, reductions, ...) would turn
#: more statements into parallel loops of their own, each compiled separately.
PRANGE_ONLY = {"prange": True, "numpy": False, "setitem": False, "reduction": False,
               "comprehension": False, "stencil": False, "fusion": False, "inplace_binop": False}

_pool_started = False         # a split kernel ran in this process: the OpenMP pool runs
_pool_lost = False            # forked after the pool started: it must not start again here


def _after_fork_in_child():
    global _pool_lost
    _pool_lost = _pool_lost or _pool_started


os.register_at_fork(after_in_child=_after_fork_in_child)


def usable_chunks(chunks, rows):
    """The number of blocks a cell kernel really uses for ``rows`` batch rows when asked for
    ``chunks``: never more than the rows (no empty block), and 1 in a process forked after the
    pool started. Called right before a kernel runs; a result above 1 starts the pool."""
    global _pool_started
    chunks = 1 if _pool_lost else max(1, min(chunks, rows))
    _pool_started = _pool_started or chunks > 1
    return chunks


def require_contiguous(where, **arrays):
    """Raise a ValueError naming ``where`` and the array unless every array is C-contiguous: the
    kernels view them as (T*B, ...) matrices, and a reshaped copy would take the results."""
    for name, a in arrays.items():
        if not a.flags.c_contiguous:
            raise ValueError(f"{where}: {name} must be a C-contiguous array (got strides "
                             f"{a.strides} for shape {a.shape}); pass np.ascontiguousarray({name})")


@njit(cache=True, inline="always")
def bounds(k, chunks, n):
    """Rows ``lo:hi`` of chunk ``k`` when ``n`` rows are split into ``chunks`` near-equal blocks."""
    return k * n // chunks, (k + 1) * n // chunks


@njit(cache=True, error_model="numpy")
def add_partials(dUk, dWk, dbk, dU, dW, db):
    """``dU, dW, db`` = the sums over the chunks of their partials ``dUk[k]``, ``dWk[k]``,
    ``dbk[k]`` (loops: array expressions such as ``dU += dUk[k]`` cost seconds of compile time)."""
    for i in range(dU.shape[0]):
        db[i] = dbk[0, i]
        for j in range(dU.shape[1]):
            dU[i, j] = dUk[0, i, j]
        for j in range(dW.shape[1]):
            dW[i, j] = dWk[0, i, j]
        for k in range(1, dUk.shape[0]):
            db[i] += dbk[k, i]
            for j in range(dU.shape[1]):
                dU[i, j] += dUk[k, i, j]
            for j in range(dW.shape[1]):
                dW[i, j] += dWk[k, i, j]
