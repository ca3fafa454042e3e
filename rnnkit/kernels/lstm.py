"""LSTM: forward pass and backpropagation through time for h and c, side by side.

Forward, in the lecture's notation with one U, W, b per gate (Keras' gate order i, f, c, o), for
t = 1..T (:func:`lstm_forward_steps`; the line in the code carries the same equation)::

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

Backward, given G_t = dL/dh_t from the layers above, for t = T..1 (:func:`lstm_backward_steps`).
δh_t and δc_t are the gradients arriving at h_t and c_t through step t+1 (δh_T = 0; δc_T = dL/dc_T,
zero unless the final cell state is used)::

    dh_t  = G_t + δh_t                                         everything that reaches h_t
    do_t  = m_t dh_t ⊙ g(c_t)                                  through h_t, into the output gate
    dc_t  = m_t (δc_t + dh_t ⊙ o_t ⊙ g'(c_t))                  into c_t, directly and through h_t
    di_t  = dc_t ⊙ c̃_t,   df_t = dc_t ⊙ c_{t-1},   dc̃_t = dc_t ⊙ i_t      through c_t
    da_t  = [di_t ⊙ σ'(i_t), df_t ⊙ σ'(f_t), dc̃_t ⊙ g'(c̃_t), do_t ⊙ σ'(o_t)]   (pre-activations)
    δc_{t-1} = f_t ⊙ dc_t + (1 - m_t) δc_t                     through the forget gate
    δh_{t-1} = W^T da_t + (1 - m_t) dh_t                       through every gate's W
    dU = sum_t da_t x_t^T,   dW = sum_t da_t h_{t-1}^T,   db = sum_t da_t,   dx_t = U^T da_t

σ' and g' are written in terms of the outputs: σ'(i_t) = i_t (1 - i_t), tanh'(c_t) = 1 - g(c_t)^2.

Shapes (time-major; the layer transposes): ``X`` (T, B, D); ``U`` (4u, D) = the four U_* stacked in
the order i, f, c, o (Keras' kernel transposed); ``W`` (4u, u); ``b`` (4u,); ``mask`` (T, B);
``Z`` (T, B, 4u) the gate values [i_t | f_t | c̃_t | o_t] after their nonlinearities;
``S`` (T, B, u) the values g(c_t); ``H`` and ``C`` (T+1, B, u) with ``H[0] = h_0``, ``C[0] = c_0``,
``H[t] = h_t`` and ``C[t] = c_t``.
Rows are batch entries, so ``U x_t`` is computed as ``x_t U^T`` on a (B, D) block.

``U x_t`` for all t (before the loop) and dU, dW, db, dx (after it) are single matrix products over
all T*B rows (:mod:`rnnkit.kernels.projections`); only ``W h_{t-1}`` and ``W^T da_t`` stay inside
the time loop, computed with a column per batch row, ``W [h_{t-1} of each row]`` (a (4u, rows)
block), as in every cell (see :mod:`rnnkit.kernels.simple_rnn` for why).

The step functions work on the batch rows ``lo:hi``, so that a batch split across cores
(:mod:`rnnkit.kernels.chunks`) gives each core its own block of rows; the entry points
:func:`lstm_forward` and :func:`lstm_backward` run them on all rows, or on blocks of rows at once.
"""
import numpy as np
from numba import njit

from .activations import activate_row, backprop_row
from .chunks import bounds, require_contiguous, run_blocks, sum_row_blocks, usable_chunks
from .projections import input_projection, transposed, weight_gradients


# Each step works row by row (one batch entry): the 4u pre-activations in one plain loop, then the
# nonlinearities on contiguous slices of the row with ``activate_row`` / ``backprop_row`` (the
# activation's branch outside the loop), then the state update: every loop is branch-free, and all
# but the one that gathers W h_{t-1} from a column vectorize. The row functions always read one
# buffer and write another: in place (same input and output) LLVM's overlap check fails at run
# time and the loop falls back to scalar code, 4x slower. Array assignments (``H[0] = h0``) are
# loops: they cost seconds of compile time each.

@njit(cache=True, error_model="numpy", nogil=True)
def lstm_forward_steps(h0, c0, W, b, mask, act, rec_act, Z, S, H, C, lo, hi):
    """Steps t = 1..T for batch rows ``lo:hi``; ``Z`` holds U x_t on entry, the gates on exit."""
    T = Z.shape[0]
    u = W.shape[1]
    one = H.dtype.type(1)
    a = np.empty(4 * u, dtype=H.dtype)                # one row's pre-activations
    WhT = np.empty((4 * u, hi - lo), dtype=H.dtype)   # W h_{t-1}, one column per batch row
    for n in range(lo, hi):
        for j in range(u):
            H[0, n, j] = h0[n, j]                                 # h_0
            C[0, n, j] = c0[n, j]                                 # c_0
    for t in range(1, T + 1):
        np.dot(W, H[t - 1, lo:hi].T, WhT)                         # W_* h_{t-1}, all four gates
        z = Z[t - 1]
        for n in range(lo, hi):
            m = mask[t - 1, n]
            zn = z[n]
            for j in range(4 * u):
                a[j] = zn[j] + WhT[j, n - lo] + b[j]              # U_* x_t + W_* h_{t-1} + b_*
            activate_row(a[:2 * u], zn[:2 * u], rec_act)          # i_t, f_t = σ(...)
            activate_row(a[2 * u:3 * u], zn[2 * u:3 * u], act)   # c̃_t = g(...)
            activate_row(a[3 * u:], zn[3 * u:], rec_act)          # o_t = σ(...)
            for j in range(u):
                # c_t = f_t ⊙ c_{t-1} + i_t ⊙ c̃_t
                C[t, n, j] = zn[u + j] * C[t - 1, n, j] + zn[j] * zn[2 * u + j]
            activate_row(C[t, n], S[t - 1, n], act)               # g(c_t)
            if m == one:
                for j in range(u):
                    H[t, n, j] = zn[3 * u + j] * S[t - 1, n, j]   # h_t = o_t ⊙ g(c_t)
            else:
                for j in range(u):
                    c_prev = C[t - 1, n, j]
                    C[t, n, j] = m * C[t, n, j] + (one - m) * c_prev  # padding keeps c_{t-1}
                    H[t, n, j] = (m * (zn[3 * u + j] * S[t - 1, n, j])   # h_t = o_t ⊙ g(c_t)
                                  + (one - m) * H[t - 1, n, j])       # padding keeps h_{t-1}


@njit(cache=True, error_model="numpy", nogil=True)
def lstm_backward_steps(W, mask, act, rec_act, Z, S, H, C, G, dcT, dZ, dh0, dc0, lo, hi):
    """Steps t = T..1 for batch rows ``lo:hi``: fill their da_t in ``dZ``, dh_0 and dc_0.

    Each step first computes the gradients of the gates' *outputs* in plain loops, then backprops
    them through the nonlinearities with ``backprop_row`` on contiguous slices: da = d(output) *
    f'(a), written from one buffer into another.
    """
    T = Z.shape[0]
    u = W.shape[1]
    nb = hi - lo                                   # this block's rows; row r is batch entry lo + r
    one = H.dtype.type(1)
    dh = np.zeros((nb, u), dtype=H.dtype)          # δh_t: dL/dh_t through step t+1; zero at t = T
    dc = np.empty((nb, u), dtype=H.dtype)          # δc_t: dL/dc_t through step t+1 (δc_T = dL/dc_T)
    ds = np.empty((nb, u), dtype=H.dtype)          # dL/dg(c_t) of one step
    dsc = np.empty((nb, u), dtype=H.dtype)         # the same backpropagated through g: into c_t
    dgate = np.empty((nb, 4 * u), dtype=H.dtype)   # a step's gradients of the gate *outputs*
    carry = np.empty((nb, u), dtype=H.dtype)
    WT = transposed(W)
    dhT = np.empty((u, nb), dtype=H.dtype)         # W^T da_t, one column per batch row
    for r in range(nb):
        for j in range(u):
            dc[r, j] = dcT[lo + r, j]                          # δc_T = dL/dc_T
    for t in range(T, 0, -1):
        z = Z[t - 1]
        dz = dZ[t - 1]
        for r in range(nb):
            n = lo + r
            m = mask[t - 1, n]
            for j in range(u):
                dh_t = dh[r, j] + G[t - 1, n, j]          # dh_t = G_t + δh_t
                dh_own = m * dh_t                          # what reaches this step's o_t ⊙ g(c_t)
                # backprop through h_t = o_t ⊙ g(c_t): into o_t, and into g(c_t)
                dgate[r, 3 * u + j] = dh_own * S[t - 1, n, j]         # do_t = m_t dh_t ⊙ g(c_t)
                ds[r, j] = dh_own * z[n, 3 * u + j]                   # dL/dg(c_t) = m_t dh_t ⊙ o_t
                carry[r, j] = (one - m) * dh_t             # a padded step passes dh_t straight back
        # backprop through g: m_t dh_t ⊙ o_t ⊙ g'(c_t), the block's rows at once
        s_t = S[t - 1, lo:hi].reshape(nb * u)
        backprop_row(s_t, s_t, ds.reshape(nb * u), dsc.reshape(nb * u), act)
        for r in range(nb):
            n = lo + r
            m = mask[t - 1, n]
            zn, dzn, dgn = z[n], dz[n], dgate[r]
            for j in range(u):
                dc_t = m * dc[r, j] + dsc[r, j]            # dc_t = m_t (δc_t + dh_t ⊙ o_t ⊙ g'(c_t))
                # backprop through c_t = f_t ⊙ c_{t-1} + i_t ⊙ c̃_t
                dgn[j] = dc_t * zn[2 * u + j]              # di_t = dc_t ⊙ c̃_t
                dgn[u + j] = dc_t * C[t - 1, n, j]         # df_t = dc_t ⊙ c_{t-1}
                dgn[2 * u + j] = dc_t * zn[j]              # dc̃_t = dc_t ⊙ i_t
                # δc_{t-1} = f_t ⊙ dc_t + (1 - m_t) δc_t: through the forget gate, and over padding
                dc[r, j] = dc_t * zn[u + j] + (one - m) * dc[r, j]
            # backprop through the gate nonlinearities into da_t (pre-activations):
            # [di σ'(i), df σ'(f)], dc̃ g'(c̃), do σ'(o)
            backprop_row(zn[:2 * u], zn[:2 * u], dgn[:2 * u], dzn[:2 * u], rec_act)
            backprop_row(zn[2 * u:3 * u], zn[2 * u:3 * u], dgn[2 * u:3 * u], dzn[2 * u:3 * u], act)
            backprop_row(zn[3 * u:], zn[3 * u:], dgn[3 * u:], dzn[3 * u:], rec_act)
        np.dot(WT, dz[lo:hi].T, dhT)                       # backprop into h_{t-1}: W^T da_t
        for r in range(nb):
            for j in range(u):
                dh[r, j] = dhT[j, r] + carry[r, j]         # δh_{t-1} = W^T da_t + (1 - m_t) dh_t
    for r in range(nb):
        for j in range(u):
            dh0[lo + r, j] = dh[r, j]                      # dL/dh_0 = δh_0
            dc0[lo + r, j] = dc[r, j]                      # dL/dc_0 = δc_0


# ---- entry points: plain Python, running the kernels on all rows or on blocks of rows at once -----

def lstm_forward(X, h0, c0, U, W, b, mask, act, rec_act, Z, S, H, C, chunks=1):
    """Fill ``Z`` (gates), ``S`` (g(c_t)), ``H`` and ``C``. Equations: module docstring.

    ``act`` is the code of g (``activation``), ``rec_act`` the code of σ (``recurrent_activation``).
    First U x_t for every t and every gate at once (one (T*B, D) x (D, 4u) product), then the steps.
    ``chunks`` > 1 splits the rows across cores (:mod:`rnnkit.kernels.chunks`); 1 runs every kernel
    once on the calling thread. A Python function, so it cannot be called from ``@njit``.
    """
    T, B, D = X.shape
    require_contiguous("lstm_forward", X=X, Z=Z)
    chunks = usable_chunks(chunks, B)
    X2, Z2 = X.reshape(T * B, D), Z.reshape(T * B, Z.shape[2])
    run_blocks([(input_projection, (X2, U, Z2, *bounds(k, chunks, T * B)))
                for k in range(chunks)])
    run_blocks([(lstm_forward_steps, (h0, c0, W, b, mask, act, rec_act, Z, S, H, C,
                                      *bounds(k, chunks, B))) for k in range(chunks)])


def lstm_backward(X, U, W, mask, act, rec_act, Z, S, H, C, G, dcT, dZ, dX, dU, dW, db, dh0, dc0,
                  chunks=1):
    """Backpropagate through time, through both h and c.

    ``G`` (T, B, u) holds dL/dh_t from above (``G[t-1]`` for h_t); ``dcT`` (B, u) is dL/dc_T (zeros
    if the final cell state is not used). Writes ``dZ`` (T, B, 4u), the gradients of the gates'
    pre-activations da_t, then ``dX`` (T, B, D), ``dU``, ``dW``, ``db`` and the initial-state
    gradients ``dh0`` = dL/dh_0, ``dc0`` = dL/dc_0. Pass ``dX`` of shape (0, B, D) when the input
    gradient is not needed: the kernel skips it. Every output is overwritten.

    After the steps, dU = sum_t da_t x_t^T, dW = sum_t da_t h_{t-1}^T, db = sum_t da_t and
    dx_t = U^T da_t are products over all T*B rows at once. ``chunks`` as in :func:`lstm_forward`.
    """
    T, B, D = X.shape
    require_contiguous("lstm_backward", X=X, H=H, dZ=dZ, dX=dX)
    chunks = usable_chunks(chunks, B)
    run_blocks([(lstm_backward_steps, (W, mask, act, rec_act, Z, S, H, C, G, dcT, dZ, dh0, dc0,
                                       *bounds(k, chunks, B))) for k in range(chunks)])
    dZ2 = dZ.reshape(T * B, dZ.shape[2])
    sum_row_blocks(weight_gradients, chunks, T * B,
                   (dZ2, dZ2, X.reshape(T * B, D), H[:T].reshape(T * B, H.shape[2]), U,
                    dX.reshape(dX.shape[0] * B, D)), (dU, dW, db))
