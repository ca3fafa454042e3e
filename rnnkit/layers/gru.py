"""GRU: the gated recurrent unit (Cho et al., 2014); gate order z, r, h; both reset_after modes."""
import numpy as np

from .. import threads
from ..kernels import activations
from ..kernels.gru import (gru_backward, gru_forward, gru_reset_before_backward,
                           gru_reset_before_forward)
from .cells import GRUCell
from .recurrent import Recurrent


class GRU(Recurrent):
    """Gated recurrent unit: one state h_t, an update gate z_t and a reset gate r_t.

    For t = 1..T, with h_0 = 0 unless ``initial_state`` is given. With ``reset_after=True`` (Keras'
    default, and what PyTorch's GRU computes)::

        z_t = σ(U_z x_t + b_z^in + W_z h_{t-1} + b_z^rec)
        r_t = σ(U_r x_t + b_r^in + W_r h_{t-1} + b_r^rec)
        h̃_t = g(U_h x_t + b_h^in + r_t ⊙ (W_h h_{t-1} + b_h^rec))
        h_t = z_t ⊙ h_{t-1} + (1 - z_t) ⊙ h̃_t

    With ``reset_after=False`` one bias per gate, and h̃_t = g(U_h x_t + W_h (r_t ⊙ h_{t-1}) + b_h).

    Parameters
    ----------
    units : int
        Size u of h_t.
    activation : {"tanh", "relu", "sigmoid", "linear"}, default "tanh"
        g, applied to the candidate h̃_t.
    recurrent_activation : {"sigmoid", "tanh", "relu", "linear"}, default "sigmoid"
        σ, applied to the gates z_t and r_t.
    reset_after : bool, default True
        Apply the reset gate after the recurrent projection (two bias rows), as Keras' default.
    return_sequences : bool, default False
        Output every h_t, shape (batch, timesteps, units), instead of the last, (batch, units).
        With a mask, a padded step outputs the last real output (zero before the first real
        step), as Keras 3; inside Bidirectional, zero (see :mod:`rnnkit.layers.recurrent`).
    return_state : bool, default False
        Return ``[output, h_T]``.
    go_backwards : bool, default False
        Read the sequence from its end; the output sequence is in processing order (as Keras).
    input_shape : tuple (timesteps, features), optional
    use_bias, kernel_initializer, kernel_regularizer, ... : the options every recurrent layer
        takes, as Keras (:class:`~rnnkit.layers.recurrent.Recurrent`).

    Weights
    -------
    ================ ================== ========================== =====================
    lecture          ``params``         Keras ``get_weights()``    Keras shape
    ================ ================== ========================== =====================
    U_z, U_r, U_h    ``"U"`` (3u, D)    kernel = Uᵀ                (D, 3u)
    W_z, W_r, W_h    ``"W"`` (3u, u)    recurrent_kernel = Wᵀ      (u, 3u)
    b^in; b^rec      ``"b"`` (2, 3u)    bias (reset_after=True)    (2, 3u): rows in, rec
    b_z, b_r, b_h    ``"b"`` (3u,)      bias (reset_after=False)   (3u,)
    ================ ================== ========================== =====================

    Gate k's block is rows [k·u, (k+1)·u) of U, W (columns of Keras' kernels) and of each bias
    row, k = 0..2 for z, r, h. Parameters: 3u(D + u + 2) with reset_after, 3u(D + u + 1) without.

    Example
    -------
    >>> layer = GRU(8, return_sequences=True)
    >>> layer(np.zeros((32, 10, 3))).shape
    (32, 10, 8)
    """

    keras_name = "gru"
    splits_batch = True

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", reset_after=True,
                 return_sequences=False, return_state=False, go_backwards=False, input_shape=None,
                 name=None, dtype=None, **options):
        super().__init__(units, activation=activation, return_sequences=return_sequences,
                         return_state=return_state, go_backwards=go_backwards,
                         input_shape=input_shape, name=name, dtype=dtype, **options)
        self.recurrent_activation = recurrent_activation
        self.rec_code = activations.code_of(recurrent_activation, activations.ELEMENTWISE,
                                            "GRU recurrent_activation")
        self.reset_after = bool(reset_after)

    def _build_cell(self, D):
        u = self.units
        self._add_param("U", self.kernel_initializer((D, 3 * u), self.dtype).T)
        self._add_param("W", self.recurrent_initializer((u, 3 * u), self.dtype).T)
        self._add_param("b", self._bias((2, 3 * u) if self.reset_after else (3 * u,)))

    def _as_cell(self):
        return GRUCell(self.units, self.activation, self.recurrent_activation, self.reset_after)

    def _cell_forward(self, X, states0, M):
        T, B, _ = X.shape
        u, p = self.units, self.params
        Z = np.empty((T, B, 3 * u), dtype=self.dtype)
        Q = np.empty((T, B, u), dtype=self.dtype)      # q_t (reset_after) or p_t = r_t ⊙ h_{t-1}
        H = np.empty((T + 1, B, u), dtype=self.dtype)
        forward = gru_forward if self.reset_after else gru_reset_before_forward
        forward(X, states0[0], p["U"], p["W"], p["b"], M, self.act_code, self.rec_code, Z, Q, H,
                self._chunks(X))
        self._cache = (Z, Q)                       # what only the backward kernel reads
        gates = {name: Z[:, :, k * u:(k + 1) * u] for k, name in enumerate(("z", "r", "h̃"))}
        self._record(X, H=H, gates=gates)
        return H, [H[T]]

    def _cell_backward(self, G, dfinal, need_dx=True):
        (Z, Q), X, H = self._cache, self.last_pass.X, self.last_pass.H
        p, g = self.params, self.grads
        dA = np.empty_like(Z)
        # dx is skipped (an empty array: the kernel then leaves out dx_t = U^T da_t) when the
        # layer's input gradient is not wanted, e.g. for a model's first layer
        dX = np.empty_like(X) if need_dx else np.empty((0,) + X.shape[1:], dtype=X.dtype)
        dh0 = np.empty_like(H[0])
        if self.reset_after:
            gru_backward(X, p["U"], p["W"], self._M, self.act_code, self.rec_code, Z, Q, H, G,
                         dA, np.empty_like(Z), dX, g["U"], g["W"], g["b"], dh0, self._chunks(X))
        else:
            gru_reset_before_backward(X, p["U"], p["W"], self._M, self.act_code, self.rec_code,
                                      Z, Q, H, G, dA, dX, g["U"], g["W"], g["b"], dh0,
                                      self._chunks(X))
        self.last_pass.dA = dA     # the gates' pre-activation gradients, for tracing
        return (dX if need_dx else None), [dh0]

    def _chunks(self, X):
        """Into how many blocks of batch rows the kernels split ``X`` (:mod:`rnnkit.threads`)."""
        return threads.batch_chunks(X.shape[1], threads.recurrent_macs(X, self.units, 3))

    def explain(self):
        u3, D = self.params["U"].shape
        u = u3 // 3
        k = (2 if self.reset_after else 1) if self.use_bias else 0
        bias = (f"b (z, r, h) = 2 × 3 × {u} = {6 * u:,}   (input and recurrent bias rows)"
                if self.reset_after else f"b (z, r, h) = 3 × {u} = {3 * u:,}")
        lines = [f"U (z, r, h) = 3 × {u} × {D} = {3 * u * D:,}   (3 gates × units × input dim)",
                 f"W (z, r, h) = 3 × {u} × {u} = {3 * u * u:,}   (3 gates × units × units)"]
        return lines + ([bias] if self.use_bias else []) + [
            f"total = 3 × {u} × ({D} + {u} + {k}) = {self.count_params():,}"]

    def get_config(self):
        return dict(super().get_config(), recurrent_activation=self.recurrent_activation,
                    reset_after=self.reset_after)
