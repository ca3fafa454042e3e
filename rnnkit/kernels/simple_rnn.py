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
are single matrix products over all T*B rows; only ``W h_{t-1}`` stays inside the time loop.
"""
import numpy as np
from numba import njit

from .activations import activate, derivative


@njit(cache=True, error_model="numpy")
def simple_rnn_forward(X, h0, U, W, b, mask, code, A, H):
    """Fill ``A`` (a_t) and ``H`` (h_t) for all steps. See the module docstring for the equations."""
    T, B, D = X.shape
    u = W.shape[0]
    Wh = np.empty((B, u), dtype=H.dtype)
    # U x_t for every t at once: one (T*B, D) x (D, u) product.
    np.dot(X.reshape(T * B, D), U.T, A.reshape(T * B, u))
    H[0] = h0                                            # h_0
    for t in range(1, T + 1):
        np.dot(H[t - 1], W.T, Wh)                        # W h_{t-1}
        for i in range(B):
            m = mask[t - 1, i]
            for j in range(u):
                a = A[t - 1, i, j] + Wh[i, j] + b[j]     # a_t = U x_t + W h_{t-1} + b_xh
                A[t - 1, i, j] = a
                h = activate(a, code)                    # h_t = f(a_t)
                H[t, i, j] = m * h + (1 - m) * H[t - 1, i, j]   # padding keeps h_{t-1}


@njit(cache=True, error_model="numpy")
def simple_rnn_backward(X, U, W, mask, code, A, H, G, dA, dX, dU, dW, db, dh0):
    """Backpropagate through time.

    ``G`` (T, B, u) holds dL/dh_t from above (``G[t-1]`` for h_t). Writes ``dA`` (da_t), ``dX``
    (T, B, D), ``dU``, ``dW``, ``db`` and ``dh0`` = dL/dh_0 (the gradient for the initial state).
    """
    T, B, D = X.shape
    u = W.shape[0]
    dh = np.zeros((B, u), dtype=H.dtype)                 # dL/dh_t through step t+1; zero at t = T
    carry = np.empty((B, u), dtype=H.dtype)
    for t in range(T, 0, -1):
        for i in range(B):
            m = mask[t - 1, i]
            for j in range(u):
                g = dh[i, j] + G[t - 1, i, j]            # dh_t = from above + from step t+1
                # backprop through the nonlinearity: da_t = dh_t * f'(a_t)
                dA[t - 1, i, j] = m * g * derivative(A[t - 1, i, j], H[t, i, j], code)
                carry[i, j] = (1 - m) * g                # a padded step passes dh_t straight back
        np.dot(dA[t - 1], W, dh)                         # backprop into h_{t-1}: W^T da_t
        dh += carry
    dh0[:] = dh
    dA2 = dA.reshape(T * B, u)
    np.dot(dA2.T, X.reshape(T * B, D), dU)               # dU = sum_t da_t x_t^T
    np.dot(dA2.T, H[:T].reshape(T * B, u), dW)           # dW = sum_t da_t h_{t-1}^T
    db[:] = dA2.sum(axis=0)                              # db_xh = sum_t da_t
    np.dot(dA2, U, dX.reshape(T * B, D))                 # dx_t = U^T da_t
