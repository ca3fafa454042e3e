"""One recurrent layer on several cores: the batch is split into chunks, one per core.

Sequences in a batch never meet inside a recurrent layer: h_t of sequence n depends on h_{t-1} of
sequence n alone. So a cell kernel gives each core a block of batch rows (a *chunk*) and lets it
run every step t = 1..T for those rows on its own: the cores meet once per kernel call, never per
step (at 50 steps a hand-over per step would cost more than it saves).

The matrix products over all T*B rows before and after the time loop are split by rows as well,
each core taking a contiguous block of them:

    A = X Uᵀ                        U x_t for every row: each block of rows is independent
    dU = Σ_rows da xᵀ               a sum over rows: each core sums its block into its own
    dW = Σ_rows da h_{t-1}ᵀ         partial, and the partials are added at the end
    db = Σ_rows da
    dX = dA U                       dx_t = Uᵀ da_t: independent rows again

``chunks = 1`` runs the plain serial code on the calling thread (no thread pool is touched); the
layers choose ``chunks`` through :func:`rnnkit.threads.batch_chunks`. Splitting changes only the
order of the additions in the weight gradients (float32: last bits), never the recurrence itself.
"""
import numpy as np
from numba import njit, prange


@njit(cache=True, inline="always")
def bounds(k, chunks, n):
    """Rows ``lo:hi`` of chunk ``k`` when ``n`` rows are split into ``chunks`` near-equal blocks."""
    return k * n // chunks, (k + 1) * n // chunks


@njit(cache=True, parallel=True, error_model="numpy")
def input_projection(X2, U, A2, chunks):
    """``A2 = X2 Uᵀ``: the input term U x_t of every (T*B) row, rows split across chunks."""
    if chunks == 1:
        np.dot(X2, U.T, A2)
        return
    for k in prange(chunks):
        lo, hi = bounds(k, chunks, X2.shape[0])
        np.dot(X2[lo:hi], U.T, A2[lo:hi])


@njit(cache=True, error_model="numpy")
def _weight_gradients_of_rows(dA2, X2, H2, U, dX2, dU, dW, db, lo, hi):
    """Rows ``lo:hi``'s share of dU, dW and db (overwritten), and their rows of dX2."""
    np.dot(dA2[lo:hi].T, X2[lo:hi], dU)                  # Σ da xᵀ
    np.dot(dA2[lo:hi].T, H2[lo:hi], dW)                  # Σ da h_{t-1}ᵀ
    db[:] = 0
    for n in range(lo, hi):                              # Σ da
        for j in range(db.shape[0]):
            db[j] += dA2[n, j]
    if dX2.shape[0] > 0:                                 # (an empty dX2: input gradient not wanted)
        np.dot(dA2[lo:hi], U, dX2[lo:hi])                # dx = Uᵀ da


@njit(cache=True, parallel=True, error_model="numpy")
def weight_gradients(dA2, X2, H2, U, dX2, dU, dW, db, chunks):
    """Overwrite ``dU = dA2ᵀ X2``, ``dW = dA2ᵀ H2``, ``db`` = the column sums of ``dA2``, and fill
    ``dX2 = dA2 U`` (pass ``dX2`` with 0 rows to skip it). Rows are (t, n) pairs: ``dA2`` holds
    da_t, ``X2`` x_t and ``H2`` h_{t-1}, each reshaped to (T*B, ...)."""
    if chunks == 1:
        _weight_gradients_of_rows(dA2, X2, H2, U, dX2, dU, dW, db, 0, dA2.shape[0])
        return
    dUk = np.empty((chunks,) + dU.shape, dtype=dU.dtype)     # each chunk's partial sums
    dWk = np.empty((chunks,) + dW.shape, dtype=dW.dtype)
    dbk = np.empty((chunks,) + db.shape, dtype=db.dtype)
    for k in prange(chunks):
        lo, hi = bounds(k, chunks, dA2.shape[0])
        _weight_gradients_of_rows(dA2, X2, H2, U, dX2, dUk[k], dWk[k], dbk[k], lo, hi)
    dU[:] = dUk[0]
    dW[:] = dWk[0]
    db[:] = dbk[0]
    for k in range(1, chunks):                           # add the partials
        dU += dUk[k]
        dW += dWk[k]
        db += dbk[k]
