"""The matrix products of a recurrent kernel that do not depend on h_{t-1}, over all T*B rows.

Every cell's pre-activation is an affine map of the input and the previous state,
``a_t = U x_t + W h_{t-1} + b`` (its gates stacked: u, 3u or 4u rows of U and W). Only ``W h_{t-1}``
must wait for the previous step; the rest is one matrix product over all (t, n) rows at once, before
the time loop (U x_t) and after it (the weight gradients, sums over t and the batch)::

    A  = X Uᵀ                     U x_t for every row
    dU = Σ_rows da xᵀ             the sums over t of the per-step contributions
    dW = Σ_rows dr h_{t-1}ᵀ       (dr = da, except for the GRU with reset_after, below)
    db = Σ_rows da
    dX = dA U                     dx_t = Uᵀ da_t

Rows are (t, n) pairs: the kernels pass their time-major (T, B, ...) arrays reshaped to
(T*B, ...), and ``H2`` is ``H[:T]``, so row (t, n) of ``H2`` holds h_{t-1} beside row (t, n)'s
x_t and da_t. Both functions work on rows ``lo:hi`` only, so a kernel that splits the batch across
cores (:mod:`rnnkit.kernels.chunks`) gives each core its own block; a serial kernel passes
``0, T*B``; they let go of Python's lock while they run (``nogil``), so that the blocks of a
split batch run on several threads at once. :func:`transposed` gives the backward loops their contiguous Wᵀ.

They are inlined into the kernels (``inline="always"``), and :func:`transposed` is a loop: so a
cold compile of the SimpleRNN's two kernels takes as long as with the products written out in each
kernel (4.7-5.6 s against 5.3-5.5 s), where separate functions and ``np.ascontiguousarray`` made
it 1-2 s longer (``benchmarks/compile_kernels.py``).
"""
import numpy as np
from numba import njit


@njit(cache=True, error_model="numpy", inline="always", nogil=True)
def input_projection(X2, U, A2, lo, hi):
    """Rows ``lo:hi`` of ``A2 = X2 Uᵀ``: the input term U x_t of those (t, n) rows."""
    np.dot(X2[lo:hi], U.T, A2[lo:hi])


@njit(cache=True, error_model="numpy", inline="always", nogil=True)
def weight_gradients(dA2, dR2, X2, H2, U, dX2, dU, dW, db, lo, hi):
    """Rows ``lo:hi``'s share of the gradients of ``a_t = U x_t + W h_{t-1} + b`` (overwritten)::

        dU = Σ da xᵀ,   dW = Σ dr h_{t-1}ᵀ,   db = Σ da,   and their rows of dX = dA U

    ``dA2`` holds da_t, the gradient of the pre-activations; ``dR2`` the gradient of the recurrent
    term, which is ``dA2`` itself for every cell but the GRU with ``reset_after=True`` (its
    candidate sees r_t ⊙ (W_h h_{t-1} + b_h^rec), so W_h receives dq_t instead of da_h). ``dX2``
    with 0 rows: dx is not wanted (a model's first layer) and is skipped.
    """
    np.dot(dA2[lo:hi].T, X2[lo:hi], dU)                  # dU = Σ da xᵀ
    np.dot(dR2[lo:hi].T, H2[lo:hi], dW)                  # dW = Σ dr h_{t-1}ᵀ
    for j in range(db.shape[0]):
        db[j] = 0
    for n in range(lo, hi):                              # db = Σ da (a loop: ``.sum(axis=0)``
        for j in range(db.shape[0]):                     # costs seconds of compile time)
            db[j] += dA2[n, j]
    if dX2.shape[0] > 0:
        np.dot(dA2[lo:hi], U, dX2[lo:hi])                # dx_t = Uᵀ da_t


@njit(cache=True, error_model="numpy", inline="always")
def transposed(M):
    """A C-contiguous copy of ``M``ᵀ: the operand that makes ``Wᵀ [da of each row]`` fastest in
    OpenBLAS (a loop: ``np.ascontiguousarray(M.T)`` costs about a second of compile time)."""
    MT = np.empty((M.shape[1], M.shape[0]), dtype=M.dtype)
    for i in range(M.shape[0]):
        for j in range(M.shape[1]):
            MT[j, i] = M[i, j]
    return MT
