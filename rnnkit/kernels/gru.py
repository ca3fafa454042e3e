"""GRU: forward pass and backpropagation through time, both of Keras' ``reset_after`` variants.

Gate order as in Keras: z (update), r (reset), h (candidate). σ is ``recurrent_activation``
(sigmoid), g is ``activation`` (tanh). h_0 = initial state (zeros unless given).

``reset_after=True`` (Keras' default, and PyTorch's GRU): two biases per gate, b^in and b^rec, and
the reset gate multiplies the *projected* previous state::

    z_t  = σ(U_z x_t + b_z^in + W_z h_{t-1} + b_z^rec)
    r_t  = σ(U_r x_t + b_r^in + W_r h_{t-1} + b_r^rec)
    q_t  = W_h h_{t-1} + b_h^rec                            kept for the backward pass
    h̃_t  = g(U_h x_t + b_h^in + r_t ⊙ q_t)
    h_t  = z_t ⊙ h_{t-1} + (1 - z_t) ⊙ h̃_t

``reset_after=False`` (the original GRU of Cho et al., 2014): one bias per gate, and the reset gate
multiplies the previous state *before* the projection::

    z_t  = σ(U_z x_t + W_z h_{t-1} + b_z)
    r_t  = σ(U_r x_t + W_r h_{t-1} + b_r)
    p_t  = r_t ⊙ h_{t-1}                                    kept for the backward pass
    h̃_t  = g(U_h x_t + W_h p_t + b_h)
    h_t  = z_t ⊙ h_{t-1} + (1 - z_t) ⊙ h̃_t

With a mask m_t (1 = real step, 0 = padding), a padded step carries the state forward unchanged:
h_t = m_t (z_t ⊙ h_{t-1} + (1 - z_t) ⊙ h̃_t) + (1 - m_t) h_{t-1}.

Backward, given G_t = dL/dh_t from the layers above; δh_t is the gradient arriving at h_t through
step t+1 (δh_T = 0)::

    dh_t   = G_t + δh_t
    dz_t   = m_t dh_t ⊙ (h_{t-1} - h̃_t)          da_z = dz_t ⊙ σ'(z_t)
    dh̃_t   = m_t dh_t ⊙ (1 - z_t)                da_h = dh̃_t ⊙ g'(h̃_t)
  reset_after=True:
    dr_t   = da_h ⊙ q_t                          da_r = dr_t ⊙ σ'(r_t)
    dq_t   = da_h ⊙ r_t
    δh_{t-1} = m_t dh_t ⊙ z_t + W_z^T da_z + W_r^T da_r + W_h^T dq_t + (1 - m_t) dh_t
    dU = sum_t [da_z; da_r; da_h] x_t^T          db^in  = sum_t [da_z; da_r; da_h]
    dW = sum_t [da_z; da_r; dq_t] h_{t-1}^T      db^rec = sum_t [da_z; da_r; dq_t]
  reset_after=False:
    dp_t   = W_h^T da_h
    dr_t   = dp_t ⊙ h_{t-1}                      da_r = dr_t ⊙ σ'(r_t)
    δh_{t-1} = m_t dh_t ⊙ z_t + dp_t ⊙ r_t + W_z^T da_z + W_r^T da_r + (1 - m_t) dh_t
    dU = sum_t [da_z; da_r; da_h] x_t^T          db = sum_t [da_z; da_r; da_h]
    dW_z = sum_t da_z h_{t-1}^T,  dW_r = sum_t da_r h_{t-1}^T,  dW_h = sum_t da_h p_t^T
  both:
    dx_t = U^T [da_z; da_r; da_h]

Shapes (time-major; the layer transposes): ``X`` (T, B, D); ``U`` (3u, D) = U_z, U_r, U_h stacked
(Keras' kernel transposed); ``W`` (3u, u) likewise; ``b`` (2, 3u) with rows b^in, b^rec
(reset_after=True) or (3u,) (reset_after=False); ``mask`` (T, B); ``Z`` (T, B, 3u) the values
[z_t | r_t | h̃_t]; ``Q`` (T, B, u) the q_t (reset_after=True) or ``P`` (T, B, u) the p_t
(reset_after=False); ``H`` (T+1, B, u) with ``H[0] = h_0`` and ``H[t] = h_t``.

``U x_t`` for all t (before the loop) and dU, dW, db, dx (after it) are single matrix products over
all T*B rows (:mod:`rnnkit.kernels.projections`); only the products with W stay inside the time
loop, computed with a column per batch row (``W [h_{t-1} of each row]``, a (3u, B) block) as in
every cell (see :mod:`rnnkit.kernels.simple_rnn` for why).

The step functions work on the batch rows ``lo:hi`` and the weight-gradient functions on the
(t, n) rows ``lo:hi``, so that a batch split across cores (:mod:`rnnkit.kernels.chunks`) gives each
core its own block; the entry points (:func:`gru_forward`, :func:`gru_backward` and their
``reset_before`` twins, at the end) run them on all rows, or on blocks of rows at once.
"""
import numpy as np
from numba import njit

from .activations import activate_row, backprop_row
from .chunks import bounds, require_contiguous, run_blocks, sum_row_blocks, usable_chunks
from .projections import input_projection, transposed, weight_gradients


# Every step works row by row (one batch entry): pre-activations in one plain loop, the
# nonlinearities on contiguous slices of the row with ``activate_row`` / ``backprop_row`` (the
# activation's branch outside the loop), then the state update: every loop is branch-free and
# vectorizes. The row functions always read one buffer and write another: in place (same input and
# output) LLVM's overlap check fails at run time and the loop falls back to scalar code, 4x slower.
# Array assignments such as ``H[0] = h0`` and ``.sum(axis=0)`` are written as explicit loops: they
# cost seconds of compile time each.

# ---- reset_after=True (Keras' default; PyTorch) --------------------------------------------------

@njit(cache=True, error_model="numpy", nogil=True)
def gru_forward_steps(h0, W, b, mask, act, rec_act, Z, Q, H, lo, hi):
    """reset_after=True, steps t = 1..T for batch rows ``lo:hi``: ``Z`` holds U x_t on entry,
    [z | r | h̃] on exit; fills ``Q`` (q_t) and ``H``. ``b`` is (2, 3u)."""
    T = Z.shape[0]
    u = W.shape[1]
    one = H.dtype.type(1)
    WhT = np.empty((3 * u, hi - lo), dtype=H.dtype)   # W h_{t-1}, all three gates: a column per row
    a = np.empty(3 * u, dtype=H.dtype)                # one row's pre-activations
    for n in range(lo, hi):
        for j in range(u):
            H[0, n, j] = h0[n, j]                                 # h_0
    for t in range(1, T + 1):
        np.dot(W, H[t - 1, lo:hi].T, WhT)                         # W h_{t-1}, all three gates
        z = Z[t - 1]
        for n in range(lo, hi):
            m = mask[t - 1, n]
            zn = z[n]
            for j in range(2 * u):                                # pre-activations of z_t, r_t
                a[j] = zn[j] + b[0, j] + WhT[j, n - lo] + b[1, j]   # U x_t + b^in + W h_{t-1} + b^rec
            activate_row(a[:2 * u], zn[:2 * u], rec_act)          # z_t, r_t = σ(...)
            for j in range(u):
                q_t = WhT[2 * u + j, n - lo] + b[1, 2 * u + j]    # q_t = W_h h_{t-1} + b_h^rec
                Q[t - 1, n, j] = q_t
                a[2 * u + j] = zn[2 * u + j] + b[0, 2 * u + j] + zn[u + j] * q_t   # + r_t ⊙ q_t
            activate_row(a[2 * u:], zn[2 * u:], act)              # h̃_t = g(...)
            for j in range(u):
                z_t = zn[j]
                h_prev = H[t - 1, n, j]
                h_t = z_t * h_prev + (one - z_t) * zn[2 * u + j]  # h_t = z h_{t-1} + (1-z) h̃
                H[t, n, j] = m * h_t + (one - m) * h_prev         # padding keeps h_{t-1}


@njit(cache=True, error_model="numpy", nogil=True)
def gru_backward_steps(W, mask, act, rec_act, Z, Q, H, G, dA, dR, dh0, lo, hi):
    """reset_after=True, steps t = T..1 for batch rows ``lo:hi``: fill their rows of ``dA``
    [da_z | da_r | da_h], ``dR`` [da_z | da_r | dq_t] and ``dh0``."""
    T = Z.shape[0]
    u = W.shape[1]
    nb = hi - lo                                   # this block's rows; row r is batch entry lo + r
    one = H.dtype.type(1)
    dh = np.zeros((nb, u), dtype=H.dtype)          # δh_t: dL/dh_t through step t+1; zero at t = T
    carry = np.empty((nb, u), dtype=H.dtype)
    dg = np.empty(3 * u, dtype=H.dtype)            # one row's gradients of [z_t | r_t | h̃_t]
    WT = transposed(W)
    dhT = np.empty((u, nb), dtype=H.dtype)         # W^T [da_z; da_r; dq_t], a column per row
    for t in range(T, 0, -1):
        z = Z[t - 1]
        da = dA[t - 1]
        dr = dR[t - 1]
        for r in range(nb):
            n = lo + r
            m = mask[t - 1, n]
            zn, dan, drn = z[n], da[n], dr[n]
            for j in range(u):
                z_t = zn[j]
                h_prev = H[t - 1, n, j]
                dh_t = dh[r, j] + G[t - 1, n, j]           # from above + from step t+1
                dh_own = m * dh_t                          # what reaches this step's update
                # backprop through h_t = z h_{t-1} + (1 - z) h̃: into z_t and into h̃_t
                dg[j] = dh_own * (h_prev - zn[2 * u + j])             # dz_t
                dg[2 * u + j] = dh_own * (one - z_t)                  # dh̃_t
                # h_{t-1} directly (the z_t ⊙ h_{t-1} term), and past a padded step
                carry[r, j] = dh_own * z_t + (one - m) * dh_t
            backprop_row(zn[:u], zn[:u], dg[:u], dan[:u], rec_act)              # da_z = dz σ'(z)
            backprop_row(zn[2 * u:], zn[2 * u:], dg[2 * u:], dan[2 * u:], act)  # da_h = dh̃ g'(h̃)
            for j in range(u):
                da_h = dan[2 * u + j]
                # backprop through r_t ⊙ q_t: into the reset gate, and into q_t
                dg[u + j] = da_h * Q[t - 1, n, j]                     # dr_t
                drn[2 * u + j] = da_h * zn[u + j]                     # dq_t = da_h r_t
            backprop_row(zn[u:2 * u], zn[u:2 * u], dg[u:2 * u], dan[u:2 * u], rec_act)  # da_r
            for j in range(2 * u):
                drn[j] = dan[j]                                       # [da_z | da_r]
        np.dot(WT, dr[lo:hi].T, dhT)                       # W^T [da_z; da_r; dq_t]
        for r in range(nb):
            for j in range(u):
                dh[r, j] = dhT[j, r] + carry[r, j]
    for r in range(nb):
        for j in range(u):
            dh0[lo + r, j] = dh[r, j]                      # dL/dh_0


@njit(cache=True, error_model="numpy", nogil=True)
def gru_weight_gradients(dA2, dR2, X2, H2, U, dX2, dU, dW, db, lo, hi):
    """reset_after=True, the (t, n) rows ``lo:hi``'s share (overwritten): dU = Σ [da_z; da_r; da_h]
    xᵀ, db^in = Σ [da_z; da_r; da_h], dx_t = Uᵀ [...], dW = Σ [da_z; da_r; dq_t] h_{t-1}ᵀ,
    db^rec = Σ [da_z; da_r; dq_t]."""
    weight_gradients(dA2, dR2, X2, H2, U, dX2, dU, dW, db[0], lo, hi)
    for j in range(db.shape[1]):
        db[1, j] = 0
    for k in range(lo, hi):                                # db^rec = sum_t [da_z; da_r; dq_t]
        for j in range(db.shape[1]):
            db[1, j] += dR2[k, j]


# ---- reset_after=False (Cho et al., 2014) --------------------------------------------------------

@njit(cache=True, error_model="numpy", nogil=True)
def gru_reset_before_forward_steps(h0, W, b, mask, act, rec_act, Z, P, H, lo, hi):
    """reset_after=False, steps t = 1..T for batch rows ``lo:hi``: ``Z`` holds U x_t on entry,
    [z | r | h̃] on exit; fills ``P`` (p_t = r_t ⊙ h_{t-1}) and ``H``."""
    T = Z.shape[0]
    u = W.shape[1]
    nb = hi - lo
    one = H.dtype.type(1)
    W_zr = W[:2 * u]                                              # [W_z; W_r]
    W_h = W[2 * u:]
    WzrT = np.empty((2 * u, nb), dtype=H.dtype)   # W_z h_{t-1}, W_r h_{t-1}: a column per row
    WhpT = np.empty((u, nb), dtype=H.dtype)       # W_h p_t: a column per row
    a = np.empty(2 * u, dtype=H.dtype)            # one row's pre-activations
    for n in range(lo, hi):
        for j in range(u):
            H[0, n, j] = h0[n, j]                                 # h_0
    for t in range(1, T + 1):
        z = Z[t - 1]
        np.dot(W_zr, H[t - 1, lo:hi].T, WzrT)                     # W_z h_{t-1}, W_r h_{t-1}
        for n in range(lo, hi):
            zn = z[n]
            for j in range(2 * u):                                # pre-activations of z_t, r_t
                a[j] = zn[j] + WzrT[j, n - lo] + b[j]             # U x_t + W h_{t-1} + b
            activate_row(a, zn[:2 * u], rec_act)                  # z_t, r_t = σ(...)
            for j in range(u):
                P[t - 1, n, j] = zn[u + j] * H[t - 1, n, j]       # p_t = r_t ⊙ h_{t-1}
        np.dot(W_h, P[t - 1, lo:hi].T, WhpT)                      # W_h p_t
        for n in range(lo, hi):
            m = mask[t - 1, n]
            zn = z[n]
            for j in range(u):                                    # the candidate's pre-activations
                a[j] = zn[2 * u + j] + WhpT[j, n - lo] + b[2 * u + j]   # U_h x_t + W_h p_t + b_h
            activate_row(a[:u], zn[2 * u:], act)                  # h̃_t = g(...)
            for j in range(u):
                z_t = zn[j]
                h_prev = H[t - 1, n, j]
                h_t = z_t * h_prev + (one - z_t) * zn[2 * u + j]  # h_t = z h_{t-1} + (1-z) h̃
                H[t, n, j] = m * h_t + (one - m) * h_prev         # padding keeps h_{t-1}


@njit(cache=True, error_model="numpy", nogil=True)
def gru_reset_before_backward_steps(W, mask, act, rec_act, Z, P, H, G, dA, dA_h, dh0, lo, hi):
    """reset_after=False, steps t = T..1 for batch rows ``lo:hi``: fill their rows of ``dA``
    [da_z | da_r | da_h], of ``dA_h`` (T, B, u) (da_h again, contiguous for BLAS) and ``dh0``."""
    T = Z.shape[0]
    u = W.shape[1]
    nb = hi - lo                                   # this block's rows; row r is batch entry lo + r
    one = H.dtype.type(1)
    W_zr = W[:2 * u]                               # [W_z; W_r]
    W_h = W[2 * u:]
    dh = np.zeros((nb, u), dtype=H.dtype)          # δh_t: dL/dh_t through step t+1; zero at t = T
    carry = np.empty((nb, u), dtype=H.dtype)
    da_zr = np.empty((nb, 2 * u), dtype=H.dtype)   # [da_z | da_r] of one step, contiguous for BLAS
    W_zrT = transposed(W_zr)
    W_hT = transposed(W_h)
    dpT = np.empty((u, nb), dtype=H.dtype)         # dp_t = W_h^T da_h, a column per row
    dhT = np.empty((u, nb), dtype=H.dtype)         # W_z^T da_z + W_r^T da_r, a column per row
    dg = np.empty(3 * u, dtype=H.dtype)            # one row's gradients of [z_t | r_t | h̃_t]
    for t in range(T, 0, -1):
        z = Z[t - 1]
        da = dA[t - 1]
        da_h = dA_h[t - 1]
        for r in range(nb):
            n = lo + r
            m = mask[t - 1, n]
            zn, dan = z[n], da[n]
            for j in range(u):
                z_t = zn[j]
                dh_t = dh[r, j] + G[t - 1, n, j]           # from above + from step t+1
                dh_own = m * dh_t                          # what reaches this step's update
                # backprop through h_t = z h_{t-1} + (1 - z) h̃: into z_t and into h̃_t
                dg[j] = dh_own * (H[t - 1, n, j] - zn[2 * u + j])     # dz_t
                dg[2 * u + j] = dh_own * (one - z_t)                  # dh̃_t
                # h_{t-1} directly (the z_t ⊙ h_{t-1} term), and past a padded step
                carry[r, j] = dh_own * z_t + (one - m) * dh_t
            backprop_row(zn[:u], zn[:u], dg[:u], dan[:u], rec_act)            # da_z = dz σ'(z)
            backprop_row(zn[2 * u:], zn[2 * u:], dg[2 * u:], da_h[n], act)    # da_h = dh̃ g'(h̃)
            for j in range(u):
                da_zr[r, j] = dan[j]
                dan[2 * u + j] = da_h[n, j]
        np.dot(W_hT, da_h[lo:hi].T, dpT)                   # dp_t = W_h^T da_h
        for r in range(nb):
            n = lo + r
            zn, dan = z[n], da[n]
            for j in range(u):
                # backprop through p_t = r_t ⊙ h_{t-1}: into the reset gate and into h_{t-1}
                dg[u + j] = dpT[j, r] * H[t - 1, n, j]                # dr_t
                carry[r, j] += dpT[j, r] * zn[u + j]
            backprop_row(zn[u:2 * u], zn[u:2 * u], dg[u:2 * u], dan[u:2 * u], rec_act)  # da_r
            for j in range(u):
                da_zr[r, u + j] = dan[u + j]
        np.dot(W_zrT, da_zr.T, dhT)                        # W_z^T da_z + W_r^T da_r
        for r in range(nb):
            for j in range(u):
                dh[r, j] = dhT[j, r] + carry[r, j]
    for r in range(nb):
        for j in range(u):
            dh0[lo + r, j] = dh[r, j]                      # dL/dh_0


@njit(cache=True, error_model="numpy", nogil=True)
def gru_reset_before_weight_gradients(dA2, X2, H2, U, dX2, dAh2, P2, dU, dW, db, lo, hi):
    """reset_after=False, the (t, n) rows ``lo:hi``'s share (overwritten): dU = Σ [da_z; da_r; da_h]
    xᵀ, db = Σ [da_z; da_r; da_h], dx_t = Uᵀ [...]; dW_z, dW_r = Σ da h_{t-1}ᵀ: rows [0, 2u) of
    dW = Σ da h_{t-1}ᵀ, whose rows [2u, 3u) are then replaced by dW_h = Σ da_h p_tᵀ."""
    u = H2.shape[1]
    weight_gradients(dA2, dA2, X2, H2, U, dX2, dU, dW, db, lo, hi)
    np.dot(dAh2[lo:hi].T, P2[lo:hi], dW[2 * u:])


# ---- entry points: plain Python, running the kernels on all rows or on blocks of rows at once -----

def _project_inputs(X, U, Z, chunks):
    """U x_t for every t and every gate at once: (T*B, D) x (D, 3u), in ``chunks`` row blocks."""
    T, B, D = X.shape
    X2, Z2 = X.reshape(T * B, D), Z.reshape(T * B, Z.shape[2])
    run_blocks([(input_projection, (X2, U, Z2, *bounds(k, chunks, T * B)))
                for k in range(chunks)])


def gru_forward(X, h0, U, W, b, mask, act, rec_act, Z, Q, H, chunks=1):
    """reset_after=True: fill ``Z`` ([z | r | h̃]), ``Q`` (q_t) and ``H``. ``b`` is (2, 3u).

    ``chunks`` > 1 splits the rows across cores (:mod:`rnnkit.kernels.chunks`); 1 runs every kernel
    once on the calling thread. A Python function, so it cannot be called from ``@njit``."""
    require_contiguous("gru_forward", X=X, Z=Z)
    chunks = usable_chunks(chunks, X.shape[1])
    _project_inputs(X, U, Z, chunks)
    run_blocks([(gru_forward_steps, (h0, W, b, mask, act, rec_act, Z, Q, H,
                                     *bounds(k, chunks, X.shape[1]))) for k in range(chunks)])


def gru_backward(X, U, W, mask, act, rec_act, Z, Q, H, G, dA, dR, dX, dU, dW, db, dh0, chunks=1):
    """reset_after=True: backpropagate through time.

    ``G`` (T, B, u) holds dL/dh_t from above. Writes ``dA`` (T, B, 3u), the gradients of the input
    side [da_z | da_r | da_h], ``dR`` (T, B, 3u), those of the recurrent side [da_z | da_r | dq_t],
    then ``dX``, ``dU``, ``dW``, ``db`` (2, 3u) and ``dh0`` = dL/dh_0. Pass ``dX`` of shape
    (0, B, D) when the input gradient is not needed: the kernel skips it. Every output is
    overwritten. ``chunks`` as in :func:`gru_forward`.
    """
    T, B, D = X.shape
    require_contiguous("gru_backward", X=X, H=H, dA=dA, dR=dR, dX=dX)
    chunks = usable_chunks(chunks, B)
    run_blocks([(gru_backward_steps, (W, mask, act, rec_act, Z, Q, H, G, dA, dR, dh0,
                                      *bounds(k, chunks, B))) for k in range(chunks)])
    u3 = dA.shape[2]
    sum_row_blocks(gru_weight_gradients, chunks, T * B,
                   (dA.reshape(T * B, u3), dR.reshape(T * B, u3), X.reshape(T * B, D),
                    H[:T].reshape(T * B, H.shape[2]), U, dX.reshape(dX.shape[0] * B, D)),
                   (dU, dW, db))


def gru_reset_before_forward(X, h0, U, W, b, mask, act, rec_act, Z, P, H, chunks=1):
    """reset_after=False: fill ``Z`` ([z | r | h̃]), ``P`` (p_t = r_t ⊙ h_{t-1}) and ``H``.
    ``chunks`` as in :func:`gru_forward`."""
    require_contiguous("gru_reset_before_forward", X=X, Z=Z)
    chunks = usable_chunks(chunks, X.shape[1])
    _project_inputs(X, U, Z, chunks)
    run_blocks([(gru_reset_before_forward_steps, (h0, W, b, mask, act, rec_act, Z, P, H,
                                                  *bounds(k, chunks, X.shape[1])))
                for k in range(chunks)])


def gru_reset_before_backward(X, U, W, mask, act, rec_act, Z, P, H, G, dA, dX, dU, dW, db, dh0,
                              chunks=1):
    """reset_after=False: backpropagate through time.

    ``G`` (T, B, u) holds dL/dh_t from above. Writes ``dA`` (T, B, 3u) = [da_z | da_r | da_h], then
    ``dX``, ``dU``, ``dW``, ``db`` (3u,) and ``dh0`` = dL/dh_0. Pass ``dX`` of shape (0, B, D) when
    the input gradient is not needed: the kernel skips it. Every output is overwritten.
    ``chunks`` as in :func:`gru_forward`.
    """
    T, B, D = X.shape
    u = H.shape[2]
    require_contiguous("gru_reset_before_backward", X=X, H=H, P=P, dA=dA, dX=dX)
    chunks = usable_chunks(chunks, B)
    dA_h = np.empty((T, B, u), dtype=H.dtype)      # da_h of every step, contiguous for BLAS
    run_blocks([(gru_reset_before_backward_steps, (W, mask, act, rec_act, Z, P, H, G, dA, dA_h,
                                                   dh0, *bounds(k, chunks, B)))
                for k in range(chunks)])
    sum_row_blocks(gru_reset_before_weight_gradients, chunks, T * B,
                   (dA.reshape(T * B, 3 * u), X.reshape(T * B, D), H[:T].reshape(T * B, u), U,
                    dX.reshape(dX.shape[0] * B, D), dA_h.reshape(T * B, u),
                    P.reshape(T * B, u)), (dU, dW, db))
