"""Simple (Elman) RNN: forward pass and backpropagation through time, side by side.

Forward, in the lecture's notation, for every sequence in the batch::

    h_0 = initial state (zeros unless given)
    a_t = U x_t + W h_{t-1} + b_xh          net_h_t in the lecture's tables
    h_t = f(a_t)                            f = tanh | relu | sigmoid | linear

With a mask m_t (1 = real step, 0 = padding), a padded step carries the state forward unchanged::

    h_t = m_t f(a_t) + (1 - m_t) h_{t-1}

Backward, given G_t = dL/dh_t arriving from the layers above (zero where they do not use h_t)::

    dh_t   = G_t + dL/dh_t through step t+1         (that second term is zero at t = T)
    da_t   = m_t dh_t * f'(a_t)                     backprop through the nonlinearity
    dL/dh_{t-1} via step t = W^T da_t + (1 - m_t) dh_t
    dU     = sum_t da_t x_t^T
    dW     = sum_t da_t h_{t-1}^T
    db_xh  = sum_t da_t
    dx_t   = U^T da_t

Shapes (kernels are time-major; the layer transposes): ``X`` (T, B, D); ``U`` (u, D); ``W`` (u, u);
``b`` (u,); ``mask`` (T, B) of 0/1; ``A`` (T, B, u) pre-activations a_t; ``H`` (T+1, B, u) with
``H[0] = h_0`` and ``H[t] = h_t``, so the state before step t is ``H[t-1]``, as in min-char-rnn.
Rows are batch entries, so ``U x_t`` is computed as ``x_t U^T`` on a (B, D) block.

The products that do not depend on h_{t-1} (``U x_t`` for all t, and dU, dW, db, dx after the loop)
are single matrix products over all T*B rows (:mod:`rnnkit.kernels.projections`); only
``W h_{t-1}`` and ``W^T da_t`` stay inside the time loop. Those two are computed with a column per
batch row, ``W [h_{t-1} of each row]`` (a (u, B) block), as in every cell: the same numbers as
``h_{t-1} W^T``, but at 16-32 batch rows and 64 units OpenBLAS takes 20-60% less time for it
(SimpleRNN, GRU and LSTM alike; never measurably more), and the same at the lecture's toy size
(``benchmarks/exp_recurrent_product.py``, float32, one thread).

The time loops (:func:`simple_rnn_forward_steps`, :func:`simple_rnn_backward_steps`) work on the
batch rows ``lo:hi``, so that a batch split across cores (:mod:`rnnkit.kernels.chunks`) gives each
core its own block of rows of the layer's arrays, without copies; :func:`simple_rnn_forward` and
:func:`simple_rnn_backward` run everything on the whole batch, on the calling thread, and
:func:`forward_blocks`, :func:`backward_blocks` on ``chunks`` blocks at once. The step
functions are inlined into the whole-batch kernels (``inline="always"``): a cold compile of those
costs what it cost before the split (1.4-1.7 s and 2.4-3.3 s, float32, ``compile_kernels.py``,
process CPU time), and only a split layer compiles the steps on their own.
"""
import numpy as np
from numba import njit

from .activations import activate_row, backprop_row
from .chunks import bounds, require_contiguous, run_blocks, sum_row_blocks
from .projections import input_projection, transposed, weight_gradients


@njit(cache=True, error_model="numpy", inline="always", nogil=True)
def simple_rnn_forward_steps(h0, W, b, mask, code, A, H, lo, hi):
    """Steps t = 1..T for batch rows ``lo:hi``: ``A`` holds U x_t on entry, a_t on exit; fills
    their rows of ``H``."""
    T = A.shape[0]
    u = W.shape[0]
    nb = hi - lo
    one = H.dtype.type(1)
    WhT = np.empty((u, nb), dtype=H.dtype)               # W h_{t-1}, a column per batch row
    for i in range(lo, hi):
        for j in range(u):
            H[0, i, j] = h0[i, j]                        # h_0 (a loop: ``H[0] = h0`` compiles 5 s)
    for t in range(1, T + 1):
        a_t, h_t, h_prev = A[t - 1], H[t], H[t - 1]
        np.dot(W, h_prev[lo:hi].T, WhT)                  # W h_{t-1}
        for i in range(lo, hi):
            for j in range(u):
                a_t[i, j] = a_t[i, j] + WhT[j, i - lo] + b[j]  # a_t = U x_t + W h_{t-1} + b_xh
        activate_row(a_t[lo:hi].reshape(nb * u), h_t[lo:hi].reshape(nb * u), code)  # h_t = f(a_t)
        for i in range(lo, hi):
            m = mask[t - 1, i]
            if m != one:                                 # padding keeps h_{t-1}
                for j in range(u):
                    h_t[i, j] = m * h_t[i, j] + (one - m) * h_prev[i, j]


@njit(cache=True, error_model="numpy", nogil=True)
def simple_rnn_forward(X, h0, U, W, b, mask, code, A, H):
    """Fill ``A`` (a_t) and ``H`` (h_t) for all steps. See the module docstring for the equations."""
    T, B, D = X.shape
    u = W.shape[0]
    # U x_t for every t at once: one (T*B, D) x (D, u) product.
    input_projection(X.reshape(T * B, D), U, A.reshape(T * B, u), 0, T * B)
    simple_rnn_forward_steps(h0, W, b, mask, code, A, H, 0, B)


@njit(cache=True, error_model="numpy", inline="always", nogil=True)
def simple_rnn_backward_steps(W, mask, code, A, H, G, dA, dh0, lo, hi):
    """Steps t = T..1 for batch rows ``lo:hi``: fill their da_t in ``dA``, and dh_0."""
    T = A.shape[0]
    u = W.shape[0]
    nb = hi - lo                                   # this block's rows; row r is batch entry lo + r
    one = H.dtype.type(1)
    dh = np.zeros((nb, u), dtype=H.dtype)                # dL/dh_t through step t+1; zero at t = T
    dh_t = np.empty((nb, u), dtype=H.dtype)
    carry = np.empty((nb, u), dtype=H.dtype)
    WT = transposed(W)
    dhT = np.empty((u, nb), dtype=H.dtype)               # W^T da_t, a column per batch row
    for t in range(T, 0, -1):
        da_t = dA[t - 1]
        for r in range(nb):
            for j in range(u):
                dh_t[r, j] = dh[r, j] + G[t - 1, lo + r, j]   # dh_t = from above + from step t+1
        for r in range(nb):
            m = mask[t - 1, lo + r]
            if m != one:
                for j in range(u):
                    g = dh_t[r, j]
                    carry[r, j] = (one - m) * g          # a padded step passes dh_t straight back
                    dh_t[r, j] = m * g                   # and gets no gradient of its own
        # backprop through the nonlinearity: da_t = dh_t * f'(a_t), whole block (a separate
        # output buffer: written in place, LLVM would not vectorise the loop)
        backprop_row(A[t - 1, lo:hi].reshape(nb * u), H[t, lo:hi].reshape(nb * u),
                     dh_t.reshape(nb * u), da_t[lo:hi].reshape(nb * u), code)
        np.dot(WT, da_t[lo:hi].T, dhT)                   # backprop into h_{t-1}: W^T da_t
        for r in range(nb):
            m = mask[t - 1, lo + r]
            for j in range(u):
                dh[r, j] = dhT[j, r]
            if m != one:
                for j in range(u):
                    dh[r, j] += carry[r, j]              # ... and straight over a padded step
    for r in range(nb):
        for j in range(u):
            dh0[lo + r, j] = dh[r, j]                    # dL/dh_0


@njit(cache=True, error_model="numpy", nogil=True)
def simple_rnn_backward(X, U, W, mask, code, A, H, G, dA, dX, dU, dW, db, dh0):
    """Backpropagate through time.

    ``G`` (T, B, u) holds dL/dh_t from above (``G[t-1]`` for h_t). Writes ``dA`` (da_t), ``dX``
    (T, B, D), ``dU``, ``dW``, ``db`` and ``dh0`` = dL/dh_0 (the gradient for the initial state).
    Pass ``dX`` of shape (0, B, D) when the input gradient is not needed: the kernel skips it.
    """
    T, B, D = X.shape
    u = W.shape[0]
    simple_rnn_backward_steps(W, mask, code, A, H, G, dA, dh0, 0, B)
    # dU = sum_t da_t x_t^T, dW = sum_t da_t h_{t-1}^T, db_xh = sum_t da_t, dx_t = U^T da_t
    # (an empty dX: the input gradient is not wanted)
    dA2 = dA.reshape(T * B, u)
    weight_gradients(dA2, dA2, X.reshape(T * B, D), H[:T].reshape(T * B, u), U,
                     dX.reshape(dX.shape[0] * B, D), dU, dW, db, 0, T * B)


# ---- the same on blocks of batch rows at once (plain Python: run_blocks hands them out) ---------

def forward_blocks(X, h0, U, W, b, mask, code, A, H, chunks):
    """:func:`simple_rnn_forward` with the rows split into ``chunks`` blocks, one per thread: U x_t
    by blocks of the T*B rows, then the steps by blocks of batch rows."""
    T, B, D = X.shape
    require_contiguous("simple_rnn forward", X=X, A=A)
    X2, A2 = X.reshape(T * B, D), A.reshape(T * B, A.shape[2])
    run_blocks([(input_projection, (X2, U, A2, *bounds(k, chunks, T * B)))
                for k in range(chunks)])
    run_blocks([(simple_rnn_forward_steps, (h0, W, b, mask, code, A, H, *bounds(k, chunks, B)))
                for k in range(chunks)])


def backward_blocks(X, U, W, mask, code, A, H, G, dA, dX, dU, dW, db, dh0, chunks):
    """:func:`simple_rnn_backward` with the rows split into ``chunks`` blocks: the steps by blocks
    of batch rows, then dU, dW, db (each block its own partial sums) and dx by blocks of T*B rows."""
    T, B, D = X.shape
    require_contiguous("simple_rnn backward", X=X, H=H, dA=dA, dX=dX)
    run_blocks([(simple_rnn_backward_steps, (W, mask, code, A, H, G, dA, dh0,
                                             *bounds(k, chunks, B))) for k in range(chunks)])
    u = W.shape[0]
    dA2 = dA.reshape(T * B, u)
    sum_row_blocks(weight_gradients, chunks, T * B,
                   (dA2, dA2, X.reshape(T * B, D), H[:T].reshape(T * B, u), U,
                    dX.reshape(dX.shape[0] * B, D)), (dU, dW, db))
