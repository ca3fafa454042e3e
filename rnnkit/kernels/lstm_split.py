"""The LSTM's kernels with the batch split across cores (:mod:`rnnkit.kernels.chunks` explains the
split): each core runs :mod:`rnnkit.kernels.lstm`'s steps for its own block of batch rows, and the
products over all T*B rows before and after the time loop (:mod:`rnnkit.kernels.projections`) in
row blocks, each core summing its block of the weight gradients into its own partials.

Called only through :func:`rnnkit.kernels.lstm.lstm_forward` and
:func:`~rnnkit.kernels.lstm.lstm_backward` with ``chunks`` > 1; the arguments are theirs.
"""
import numpy as np
from numba import njit, prange

from .chunks import PRANGE_ONLY, add_partials, bounds
from .lstm import lstm_backward_steps, lstm_forward_steps
from .projections import input_projection, weight_gradients


@njit(cache=True, parallel=PRANGE_ONLY, error_model="numpy")
def lstm_forward_split(X, h0, c0, U, W, b, mask, act, rec_act, Z, S, H, C, chunks):
    """``lstm_forward`` with the batch split into ``chunks`` blocks, one per core."""
    T, B, D = X.shape
    X2, Z2 = X.reshape(T * B, D), Z.reshape(T * B, Z.shape[2])
    for k in prange(chunks):                       # U x_t: a block of the T*B rows per core
        lo, hi = bounds(k, chunks, T * B)
        input_projection(X2, U, Z2, lo, hi)
    for k in prange(chunks):                       # the steps: a block of batch rows per core
        lo, hi = bounds(k, chunks, B)
        lstm_forward_steps(h0, c0, W, b, mask, act, rec_act, Z, S, H, C, lo, hi)


@njit(cache=True, parallel=PRANGE_ONLY, error_model="numpy")
def lstm_backward_split(X, U, W, mask, act, rec_act, Z, S, H, C, G, dcT, dZ, dX, dU, dW, db, dh0,
                        dc0, chunks):
    """``lstm_backward`` with the batch split into ``chunks`` blocks, one per core."""
    T, B, D = X.shape
    u = W.shape[1]
    for k in prange(chunks):                       # the steps: a block of batch rows per core
        lo, hi = bounds(k, chunks, B)
        lstm_backward_steps(W, mask, act, rec_act, Z, S, H, C, G, dcT, dZ, dh0, dc0, lo, hi)
    # the weight gradients: each core sums a block of the T*B rows into its own partials
    dZ2, X2, H2 = dZ.reshape(T * B, 4 * u), X.reshape(T * B, D), H[:T].reshape(T * B, u)
    dX2 = dX.reshape(dX.shape[0] * B, D)
    dUk = np.empty((chunks, 4 * u, D), dtype=dU.dtype)
    dWk = np.empty((chunks, 4 * u, u), dtype=dW.dtype)
    dbk = np.empty((chunks, 4 * u), dtype=db.dtype)
    for k in prange(chunks):
        lo, hi = bounds(k, chunks, T * B)
        weight_gradients(dZ2, dZ2, X2, H2, U, dX2, dUk[k], dWk[k], dbk[k], lo, hi)
    add_partials(dUk, dWk, dbk, dU, dW, db)
