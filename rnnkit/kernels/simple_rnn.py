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
"""
import numpy as np
from numba import njit

from .activations import activate_row, backprop_row
from .projections import input_projection, transposed, weight_gradients


@njit(cache=True, error_model="numpy", nogil=True)
def simple_rnn_forward(X, h0, U, W, b, mask, code, A, H):
    """Fill ``A`` (a_t) and ``H`` (h_t) for all steps. See the module docstring for the equations."""
    T, B, D = X.shape
    u = W.shape[0]
    one = H.dtype.type(1)
    WhT = np.empty((u, B), dtype=H.dtype)                # W h_{t-1}, a column per batch row
    # U x_t for every t at once: one (T*B, D) x (D, u) product.
    input_projection(X.reshape(T * B, D), U, A.reshape(T * B, u), 0, T * B)
    for i in range(B):
        for j in range(u):
            H[0, i, j] = h0[i, j]                        # h_0 (a loop: ``H[0] = h0`` compiles 5 s)
    for t in range(1, T + 1):
        a_t, h_t, h_prev = A[t - 1], H[t], H[t - 1]
        np.dot(W, h_prev.T, WhT)                         # W h_{t-1}
        for i in range(B):
            for j in range(u):
                a_t[i, j] = a_t[i, j] + WhT[j, i] + b[j]  # a_t = U x_t + W h_{t-1} + b_xh
        activate_row(a_t.reshape(B * u), h_t.reshape(B * u), code)   # h_t = f(a_t), whole block
        for i in range(B):
            m = mask[t - 1, i]
            if m != one:                                 # padding keeps h_{t-1}
                for j in range(u):
                    h_t[i, j] = m * h_t[i, j] + (one - m) * h_prev[i, j]


@njit(cache=True, error_model="numpy", nogil=True)
def simple_rnn_backward(X, U, W, mask, code, A, H, G, dA, dX, dU, dW, db, dh0):
    """Backpropagate through time.

    ``G`` (T, B, u) holds dL/dh_t from above (``G[t-1]`` for h_t). Writes ``dA`` (da_t), ``dX``
    (T, B, D), ``dU``, ``dW``, ``db`` and ``dh0`` = dL/dh_0 (the gradient for the initial state).
    Pass ``dX`` of shape (0, B, D) when the input gradient is not needed: the kernel skips it.
    """
    T, B, D = X.shape
    u = W.shape[0]
    one = H.dtype.type(1)
    dh = np.zeros((B, u), dtype=H.dtype)                 # dL/dh_t through step t+1; zero at t = T
    dh_t = np.empty((B, u), dtype=H.dtype)
    carry = np.empty((B, u), dtype=H.dtype)
    WT = transposed(W)
    dhT = np.empty((u, B), dtype=H.dtype)                # W^T da_t, a column per batch row
    for t in range(T, 0, -1):
        da_t = dA[t - 1]
        for i in range(B):
            for j in range(u):
                dh_t[i, j] = dh[i, j] + G[t - 1, i, j]   # dh_t = from above + from step t+1
        for i in range(B):
            m = mask[t - 1, i]
            if m != one:
                for j in range(u):
                    g = dh_t[i, j]
                    carry[i, j] = (one - m) * g          # a padded step passes dh_t straight back
                    dh_t[i, j] = m * g                   # and gets no gradient of its own
        # backprop through the nonlinearity: da_t = dh_t * f'(a_t), whole block (a separate
        # output buffer: written in place, LLVM would not vectorise the loop)
        backprop_row(A[t - 1].reshape(B * u), H[t].reshape(B * u), dh_t.reshape(B * u),
                     da_t.reshape(B * u), code)
        np.dot(WT, da_t.T, dhT)                          # backprop into h_{t-1}: W^T da_t
        for i in range(B):
            m = mask[t - 1, i]
            for j in range(u):
                dh[i, j] = dhT[j, i]
            if m != one:
                for j in range(u):
                    dh[i, j] += carry[i, j]              # ... and straight over a padded step
    for i in range(B):
        for j in range(u):
            dh0[i, j] = dh[i, j]                         # dL/dh_0
    # dU = sum_t da_t x_t^T, dW = sum_t da_t h_{t-1}^T, db_xh = sum_t da_t, dx_t = U^T da_t
    # (an empty dX: the input gradient is not wanted)
    dA2 = dA.reshape(T * B, u)
    weight_gradients(dA2, dA2, X.reshape(T * B, D), H[:T].reshape(T * B, u), U,
                     dX.reshape(dX.shape[0] * B, D), dU, dW, db, 0, T * B)
