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

from .activations import activate_row, backprop_row


@njit(cache=True, error_model="numpy")
def lstm_forward(X, h0, c0, U, W, b, mask, act, rec_act, Z, S, H, C):
    """Fill ``Z`` (gates), ``S`` (g(c_t)), ``H`` and ``C``. Equations: module docstring.

    ``act`` is the code of g (``activation``), ``rec_act`` the code of σ (``recurrent_activation``).
    Each step works row by row (one batch entry): first all 4u pre-activations in one plain loop,
    then the nonlinearities on contiguous slices of the row with ``activate_row`` ([i | f] and
    [o] with σ, [c̃] with g), then the state update: every loop is branch-free and vectorizes.
    The row functions always read one buffer and write another: in place (same input and output)
    LLVM's overlap check fails at run time and the loop falls back to scalar code, 4x slower.
    """
    T, B, D = X.shape
    u = W.shape[1]
    one = H.dtype.type(1)
    Wh = np.empty((B, 4 * u), dtype=H.dtype)
    # U x_t for every t and every gate at once: one (T*B, D) x (D, 4u) product.
    np.dot(X.reshape(T * B, D), U.T, Z.reshape(T * B, 4 * u))
    for n in range(B):
        for j in range(u):          # loops: ``H[0] = h0`` (array assignment) compiles for seconds
            H[0, n, j] = h0[n, j]                                 # h_0
            C[0, n, j] = c0[n, j]                                 # c_0
    for t in range(1, T + 1):
        np.dot(H[t - 1], W.T, Wh)                                 # W h_{t-1}, all four gates
        z = Z[t - 1]
        for n in range(B):
            m = mask[t - 1, n]
            a, zn = Wh[n], z[n]             # a: this row's pre-activations, written over W h_{t-1}
            for j in range(4 * u):
                a[j] = zn[j] + a[j] + b[j]                        # U_* x_t + W_* h_{t-1} + b_*
            activate_row(a[:2 * u], zn[:2 * u], rec_act)          # i_t, f_t = σ(...)
            activate_row(a[2 * u:3 * u], zn[2 * u:3 * u], act)   # c̃_t = g(...)
            activate_row(a[3 * u:], zn[3 * u:], rec_act)          # o_t = σ(...)
            for j in range(u):
                # c_t = f_t c_{t-1} + i_t c̃_t
                C[t, n, j] = zn[u + j] * C[t - 1, n, j] + zn[j] * zn[2 * u + j]
            activate_row(C[t, n], S[t - 1, n], act)               # g(c_t)
            if m == one:
                for j in range(u):
                    H[t, n, j] = zn[3 * u + j] * S[t - 1, n, j]   # h_t = o g(c_t)
            else:
                for j in range(u):
                    c_prev = C[t - 1, n, j]
                    C[t, n, j] = m * C[t, n, j] + (one - m) * c_prev  # padding keeps c_{t-1}
                    H[t, n, j] = (m * (zn[3 * u + j] * S[t - 1, n, j])   # h_t = o g(c_t)
                                  + (one - m) * H[t - 1, n, j])       # padding keeps h_{t-1}


@njit(cache=True, error_model="numpy")
def lstm_backward(X, U, W, mask, act, rec_act, Z, S, H, C, G, dcT, dZ, dX, dU, dW, db, dh0, dc0):
    """Backpropagate through time, through both h and c.

    ``G`` (T, B, u) holds dL/dh_t from above (``G[t-1]`` for h_t); ``dcT`` (B, u) is dL/dc_T (zeros
    if the final cell state is not used). Writes ``dZ`` (T, B, 4u), the gradients of the gates'
    pre-activations da_t, then ``dX`` (T, B, D), ``dU``, ``dW``, ``db`` and the initial-state
    gradients ``dh0`` = dL/dh_0, ``dc0`` = dL/dc_0. Pass ``dX`` of shape (0, B, D) when the input
    gradient is not needed: the kernel skips it. Every output is overwritten.

    Each step first computes the gradients of the gates' *outputs* in plain loops, then backprops
    them through the nonlinearities with ``backprop_row`` on contiguous slices (the activation's
    branch outside the loop): da = d(output) * f'(a), written from one buffer into another (see
    :func:`lstm_forward` on why never in place).
    """
    T, B, D = X.shape
    u = W.shape[1]
    one = H.dtype.type(1)
    dh = np.zeros((B, u), dtype=H.dtype)           # dL/dh_t through step t+1; zero at t = T
    dc = np.empty((B, u), dtype=H.dtype)           # dL/dc_t through step t+1 (and from dc_T)
    ds = np.empty((B, u), dtype=H.dtype)           # dL/dg(c_t) of one step
    dsc = np.empty((B, u), dtype=H.dtype)          # the same backpropagated through g: into c_t
    dgate = np.empty((B, 4 * u), dtype=H.dtype)    # a step's gradients of the gate *outputs*
    carry = np.empty((B, u), dtype=H.dtype)
    for n in range(B):
        for j in range(u):
            dc[n, j] = dcT[n, j]
    for t in range(T, 0, -1):
        z = Z[t - 1]
        dz = dZ[t - 1]
        for n in range(B):
            m = mask[t - 1, n]
            for j in range(u):
                dh_t = dh[n, j] + G[t - 1, n, j]          # from above + from step t+1
                dh_own = m * dh_t                          # what reaches this step's o g(c_t)
                # backprop through h_t = o_t g(c_t): into o_t, and into g(c_t)
                dgate[n, 3 * u + j] = dh_own * S[t - 1, n, j]         # do_t
                ds[n, j] = dh_own * z[n, 3 * u + j]                   # dL/dg(c_t) = dh o_t
                carry[n, j] = (one - m) * dh_t             # a padded step passes dh_t straight back
        # ... through g: dh_t ⊙ o_t ⊙ g'(c_t), whole block
        backprop_row(S[t - 1].reshape(B * u), S[t - 1].reshape(B * u), ds.reshape(B * u),
                     dsc.reshape(B * u), act)
        for n in range(B):
            m = mask[t - 1, n]
            zn, dzn, dgn = z[n], dz[n], dgate[n]
            for j in range(u):
                dc_t = m * dc[n, j] + dsc[n, j]            # dc_t = m (δc_t + dh o g'(c_t))
                # backprop through c_t = f_t c_{t-1} + i_t c̃_t
                dgn[j] = dc_t * zn[2 * u + j]              # di_t = dc_t c̃_t
                dgn[u + j] = dc_t * C[t - 1, n, j]         # df_t = dc_t c_{t-1}
                dgn[2 * u + j] = dc_t * zn[j]              # dc̃_t = dc_t i_t
                # into c_{t-1}: through the forget gate, and straight back over a padded step
                dc[n, j] = dc_t * zn[u + j] + (one - m) * dc[n, j]
            # backprop through the gate nonlinearities into da_t (pre-activations):
            # [di σ'(i), df σ'(f)], dc̃ g'(c̃), do σ'(o)
            backprop_row(zn[:2 * u], zn[:2 * u], dgn[:2 * u], dzn[:2 * u], rec_act)
            backprop_row(zn[2 * u:3 * u], zn[2 * u:3 * u], dgn[2 * u:3 * u], dzn[2 * u:3 * u], act)
            backprop_row(zn[3 * u:], zn[3 * u:], dgn[3 * u:], dzn[3 * u:], rec_act)
        np.dot(dz, W, dh)                                  # backprop into h_{t-1}: W^T da_t
        for n in range(B):
            for j in range(u):
                dh[n, j] += carry[n, j]
    for n in range(B):
        for j in range(u):
            dh0[n, j] = dh[n, j]                           # dL/dh_0
            dc0[n, j] = dc[n, j]                           # dL/dc_0
    dZ2 = dZ.reshape(T * B, 4 * u)
    np.dot(dZ2.T, X.reshape(T * B, D), dU)                 # dU = sum_t da_t x_t^T
    np.dot(dZ2.T, H[:T].reshape(T * B, u), dW)             # dW = sum_t da_t h_{t-1}^T
    db[:] = 0
    for k in range(T * B):                                 # db = sum_t da_t
        for j in range(4 * u):
            db[j] += dZ2[k, j]
    if dX.shape[0] == T:                                   # (empty dX: input gradient not wanted)
        np.dot(dZ2, U, dX.reshape(T * B, D))               # dx_t = U^T da_t
