"""LSTM: forward pass and backpropagation through time for h and c, side by side.

Forward, in the lecture's notation with one U, W, b per gate (Keras' gate order i, f, c, o)::

    h_0, c_0 = initial states (zeros unless given)
    i_t  = σ(U_i x_t + W_i h_{t-1} + b_i)          input gate
    f_t  = σ(U_f x_t + W_f h_{t-1} + b_f)          forget gate
    c̃_t  = g(U_c x_t + W_c h_{t-1} + b_c)          candidate cell state
    o_t  = σ(U_o x_t + W_o h_{t-1} + b_o)          output gate
    c_t  = f_t ⊙ c_{t-1} + i_t ⊙ c̃_t
    h_t  = o_t ⊙ g(c_t)

σ is ``recurrent_activation`` (sigmoid), g is ``activation`` (tanh). With a mask m_t (1 = real step,
0 = padding), a padded step carries both states forward unchanged::

    c_t = m_t (f_t ⊙ c_{t-1} + i_t ⊙ c̃_t) + (1 - m_t) c_{t-1}
    h_t = m_t (o_t ⊙ g(c_t))             + (1 - m_t) h_{t-1}

Backward, given G_t = dL/dh_t from the layers above. δh_t and δc_t are the gradients arriving at
h_t and c_t through step t+1 (δh_T = 0; δc_T = dL/dc_T, zero unless the final cell state is used)::

    dh_t  = G_t + δh_t                                         everything that reaches h_t
    do_t  = m_t dh_t ⊙ g(c_t)                                  backprop into the output gate
    dc_t  = m_t (δc_t + dh_t ⊙ o_t ⊙ g'(c_t))                  into c_t, directly and through h_t
    di_t  = dc_t ⊙ c̃_t,   df_t = dc_t ⊙ c_{t-1},   dc̃_t = dc_t ⊙ i_t
    da_t  = [di_t ⊙ σ'(i_t), df_t ⊙ σ'(f_t), dc̃_t ⊙ g'(c̃_t), do_t ⊙ σ'(o_t)]   (pre-activations)
    δh_{t-1} = W^T da_t + (1 - m_t) dh_t
    δc_{t-1} = f_t ⊙ dc_t + (1 - m_t) δc_t
    dU = sum_t da_t x_t^T,   dW = sum_t da_t h_{t-1}^T,   db = sum_t da_t,   dx_t = U^T da_t

σ' and g' are written in terms of the outputs: σ'(i_t) = i_t (1 - i_t), tanh'(c_t) = 1 - g(c_t)^2.

Shapes (time-major; the layer transposes): ``X`` (T, B, D); ``U`` (4u, D) = the four U_* stacked in
the order i, f, c, o (Keras' kernel transposed); ``W`` (4u, u); ``b`` (4u,); ``mask`` (T, B);
``Z`` (T, B, 4u) the gate values [i_t | f_t | c̃_t | o_t] after their nonlinearities;
``S`` (T, B, u) the values g(c_t); ``H`` and ``C`` (T+1, B, u) with ``H[0] = h_0``, ``C[0] = c_0``,
``H[t] = h_t`` and ``C[t] = c_t``.
Rows are batch entries, so ``U x_t`` is computed as ``x_t U^T`` on a (B, D) block.

``U x_t`` for all t (before the loop) and dU, dW, db, dx (after it) are single matrix products over
all T*B rows; only ``W h_{t-1}`` and ``W^T da_t`` stay inside the time loop.
"""
import numpy as np
from numba import njit

from .activations import activate, derivative


@njit(cache=True, error_model="numpy")
def lstm_forward(X, h0, c0, U, W, b, mask, act, rec_act, Z, S, H, C):
    """Fill ``Z`` (gates), ``S`` (g(c_t)), ``H`` and ``C``. Equations: module docstring.

    ``act`` is the code of g (``activation``), ``rec_act`` the code of σ (``recurrent_activation``).
    """
    T, B, D = X.shape
    u = W.shape[1]
    one = H.dtype.type(1)
    Wh = np.empty((B, 4 * u), dtype=H.dtype)
    # U x_t for every t and every gate at once: one (T*B, D) x (D, 4u) product.
    np.dot(X.reshape(T * B, D), U.T, Z.reshape(T * B, 4 * u))
    H[0] = h0                                                     # h_0
    C[0] = c0                                                     # c_0
    for t in range(1, T + 1):
        np.dot(H[t - 1], W.T, Wh)                                 # W h_{t-1}, all four gates
        z = Z[t - 1]
        for n in range(B):
            m = mask[t - 1, n]
            for j in range(u):
                i_t = activate(z[n, j] + Wh[n, j] + b[j], rec_act)                      # i_t
                f_t = activate(z[n, u + j] + Wh[n, u + j] + b[u + j], rec_act)          # f_t
                cbar_t = activate(z[n, 2 * u + j] + Wh[n, 2 * u + j] + b[2 * u + j], act)  # c̃_t
                o_t = activate(z[n, 3 * u + j] + Wh[n, 3 * u + j] + b[3 * u + j], rec_act)  # o_t
                c_prev = C[t - 1, n, j]
                c_t = f_t * c_prev + i_t * cbar_t                 # c_t = f c_{t-1} + i c̃
                s_t = activate(c_t, act)                          # g(c_t)
                z[n, j] = i_t
                z[n, u + j] = f_t
                z[n, 2 * u + j] = cbar_t
                z[n, 3 * u + j] = o_t
                S[t - 1, n, j] = s_t
                C[t, n, j] = m * c_t + (one - m) * c_prev         # padding keeps c_{t-1}
                H[t, n, j] = m * (o_t * s_t) + (one - m) * H[t - 1, n, j]   # h_t = o g(c_t)


@njit(cache=True, error_model="numpy")
def lstm_backward(X, U, W, mask, act, rec_act, Z, S, H, C, G, dcT, dZ, dX, dU, dW, db, dh0, dc0):
    """Backpropagate through time, through both h and c.

    ``G`` (T, B, u) holds dL/dh_t from above (``G[t-1]`` for h_t); ``dcT`` (B, u) is dL/dc_T (zeros
    if the final cell state is not used). Writes ``dZ`` (T, B, 4u), the gradients of the gates'
    pre-activations da_t, then ``dX`` (T, B, D), ``dU``, ``dW``, ``db`` and the initial-state
    gradients ``dh0`` = dL/dh_0, ``dc0`` = dL/dc_0.
    """
    T, B, D = X.shape
    u = W.shape[1]
    one = H.dtype.type(1)
    dh = np.zeros((B, u), dtype=H.dtype)           # dL/dh_t through step t+1; zero at t = T
    dc = np.empty((B, u), dtype=H.dtype)           # dL/dc_t through step t+1 (and from dc_T)
    dc[:] = dcT
    carry = np.empty((B, u), dtype=H.dtype)
    for t in range(T, 0, -1):
        z = Z[t - 1]
        dz = dZ[t - 1]
        for n in range(B):
            m = mask[t - 1, n]
            for j in range(u):
                i_t = z[n, j]
                f_t = z[n, u + j]
                cbar_t = z[n, 2 * u + j]
                o_t = z[n, 3 * u + j]
                s_t = S[t - 1, n, j]
                dh_t = dh[n, j] + G[t - 1, n, j]          # from above + from step t+1
                dh_own = m * dh_t                          # what reaches this step's o g(c_t)
                # backprop through h_t = o_t g(c_t): into o_t, and into c_t through g
                do_t = dh_own * s_t
                dc_t = m * dc[n, j] + dh_own * o_t * derivative(s_t, s_t, act)
                # backprop through c_t = f_t c_{t-1} + i_t c̃_t
                di_t = dc_t * cbar_t
                df_t = dc_t * C[t - 1, n, j]
                dcbar_t = dc_t * i_t
                # backprop through the gate nonlinearities: da_t
                dz[n, j] = di_t * derivative(i_t, i_t, rec_act)
                dz[n, u + j] = df_t * derivative(f_t, f_t, rec_act)
                dz[n, 2 * u + j] = dcbar_t * derivative(cbar_t, cbar_t, act)
                dz[n, 3 * u + j] = do_t * derivative(o_t, o_t, rec_act)
                # into c_{t-1}: through the forget gate, and straight back over a padded step
                dc[n, j] = dc_t * f_t + (one - m) * dc[n, j]
                carry[n, j] = (one - m) * dh_t             # a padded step passes dh_t straight back
        np.dot(dz, W, dh)                                  # backprop into h_{t-1}: W^T da_t
        dh += carry
    dh0[:] = dh
    dc0[:] = dc
    dZ2 = dZ.reshape(T * B, 4 * u)
    np.dot(dZ2.T, X.reshape(T * B, D), dU)                 # dU = sum_t da_t x_t^T
    np.dot(dZ2.T, H[:T].reshape(T * B, u), dW)             # dW = sum_t da_t h_{t-1}^T
    db[:] = dZ2.sum(axis=0)                                # db = sum_t da_t
    np.dot(dZ2, U, dX.reshape(T * B, D))                   # dx_t = U^T da_t
