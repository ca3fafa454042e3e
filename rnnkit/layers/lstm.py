"""LSTM: long short-term memory (Hochreiter & Schmidhuber, 1997), Keras' gate order i, f, c, o."""
import numpy as np

from .. import threads
from ..kernels import activations
from ..kernels.lstm import lstm_backward, lstm_forward
from .cells import LSTMCell
from .recurrent import Recurrent


class LSTM(Recurrent):
    """Long short-term memory layer: two states, the hidden state h_t and the cell state c_t.

    For t = 1..T, with h_0 = c_0 = 0 unless ``initial_state=[h0, c0]`` is given::

        i_t = σ(U_i x_t + W_i h_{t-1} + b_i)        input gate
        f_t = σ(U_f x_t + W_f h_{t-1} + b_f)        forget gate
        c̃_t = g(U_c x_t + W_c h_{t-1} + b_c)        candidate cell state
        o_t = σ(U_o x_t + W_o h_{t-1} + b_o)        output gate
        c_t = f_t ⊙ c_{t-1} + i_t ⊙ c̃_t
        h_t = o_t ⊙ g(c_t)

    Parameters
    ----------
    units : int
        Size u of h_t and c_t.
    activation : {"tanh", "relu", "sigmoid", "linear"}, default "tanh"
        g, applied to c̃_t and to c_t.
    recurrent_activation : {"sigmoid", "tanh", "relu", "linear"}, default "sigmoid"
        σ, applied to the gates i_t, f_t, o_t.
    unit_forget_bias : bool, default True
        Initialise b_f to ones (Jozefowicz et al., 2015), as Keras does.
    return_sequences : bool, default False
        Output every h_t, shape (batch, timesteps, units), instead of the last, (batch, units).
        With a mask, a padded step outputs the last real output (zero before the first real
        step), as Keras 3; inside Bidirectional, zero (see :mod:`rnnkit.layers.recurrent`).
    return_state : bool, default False
        Return ``[output, h_T, c_T]``.
    go_backwards : bool, default False
        Read the sequence from its end; the output sequence is in processing order (as Keras).
    input_shape : tuple (timesteps, features), optional
    use_bias, kernel_initializer, kernel_regularizer, ... : the options every recurrent layer
        takes, as Keras (:class:`~rnnkit.layers.recurrent.Recurrent`).

    Weights
    -------
    ====================== ================== ========================== ===========
    lecture                ``params``         Keras ``get_weights()``    Keras shape
    ====================== ================== ========================== ===========
    U_i, U_f, U_c, U_o     ``"U"`` (4u, D)    kernel = Uᵀ                (D, 4u)
    W_i, W_f, W_c, W_o     ``"W"`` (4u, u)    recurrent_kernel = Wᵀ      (u, 4u)
    b_i, b_f, b_c, b_o     ``"b"`` (4u,)      bias                       (4u,)
    ====================== ================== ========================== ===========

    Gate k's block is rows [k·u, (k+1)·u) of U, W, b (columns of Keras' kernel), k = 0..3 for
    i, f, c, o. Parameters: 4u(D + u + 1).

    Example
    -------
    >>> layer = LSTM(8, return_state=True)
    >>> y, h, c = layer(np.zeros((32, 10, 3)))
    >>> y.shape, h.shape, c.shape
    ((32, 8), (32, 8), (32, 8))
    """

    keras_name = "lstm"
    n_states = 2
    splits_batch = True

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid",
                 unit_forget_bias=True, return_sequences=False, return_state=False,
                 go_backwards=False, input_shape=None, name=None, dtype=None, **options):
        super().__init__(units, activation=activation, return_sequences=return_sequences,
                         return_state=return_state, go_backwards=go_backwards,
                         input_shape=input_shape, name=name, dtype=dtype, **options)
        self.recurrent_activation = recurrent_activation
        self.rec_code = activations.code_of(recurrent_activation, activations.ELEMENTWISE,
                                            "LSTM recurrent_activation")
        self.unit_forget_bias = bool(unit_forget_bias)

    def _build_cell(self, D):
        u = self.units
        self._add_param("U", self.kernel_initializer((D, 4 * u), self.dtype).T)
        self._add_param("W", self.recurrent_initializer((u, 4 * u), self.dtype).T)
        if self.use_bias and self.unit_forget_bias:   # as Keras: b_f = 1, the others initialised
            b = np.concatenate([self._bias((u,)), np.ones(u), self._bias((2 * u,))])
        else:
            b = self._bias((4 * u,))
        self._add_param("b", b)

    def _as_cell(self):
        return LSTMCell(self.units, self.activation, self.recurrent_activation,
                        self.unit_forget_bias)

    def _cell_forward(self, X, states0, M):
        T, B, _ = X.shape
        u, p = self.units, self.params
        Z = np.empty((T, B, 4 * u), dtype=self.dtype)
        S = np.empty((T, B, u), dtype=self.dtype)
        H = np.empty((T + 1, B, u), dtype=self.dtype)
        C = np.empty((T + 1, B, u), dtype=self.dtype)
        lstm_forward(X, states0[0], states0[1], p["U"], p["W"], p["b"], M,
                     self.act_code, self.rec_code, Z, S, H, C, self._chunks(X))
        self._cache = (Z, S)                       # what only the backward kernel reads
        gates = {name: Z[:, :, k * u:(k + 1) * u] for k, name in enumerate(("i", "f", "c̃", "o"))}
        self._record(X, H=H, C=C, gates=gates)
        return H, [H[T], C[T]]

    def _cell_backward(self, G, dfinal, need_dx=True):
        (Z, S), X, H, C = self._cache, self.last_pass.X, self.last_pass.H, self.last_pass.C
        p, g = self.params, self.grads
        dcT = dfinal[1] if dfinal[1] is not None else np.zeros_like(C[0])
        dZ = np.empty_like(Z)
        # dx is skipped (an empty array: the kernel then leaves out dx_t = U^T da_t) when the
        # layer's input gradient is not wanted, e.g. for a model's first layer
        dX = np.empty_like(X) if need_dx else np.empty((0,) + X.shape[1:], dtype=X.dtype)
        dh0 = np.empty_like(H[0])
        dc0 = np.empty_like(C[0])
        lstm_backward(X, p["U"], p["W"], self._M, self.act_code, self.rec_code, Z, S, H, C, G,
                      np.ascontiguousarray(dcT, dtype=self.dtype), dZ, dX, g["U"], g["W"], g["b"],
                      dh0, dc0, self._chunks(X))
        self.last_pass.dA = dZ     # the gates' pre-activation gradients, for tracing
        return (dX if need_dx else None), [dh0, dc0]

    def _chunks(self, X):
        """Into how many blocks of batch rows the kernels split ``X`` (:mod:`rnnkit.threads`)."""
        return threads.batch_chunks(X.shape[1], threads.recurrent_macs(X, self.units, 4))

    def explain(self):
        u4, D = self.params["U"].shape
        u = u4 // 4
        lines = [f"U (i, f, c, o) = 4 × {u} × {D} = {4 * u * D:,}   (4 gates × units × input dim)",
                 f"W (i, f, c, o) = 4 × {u} × {u} = {4 * u * u:,}   (4 gates × units × units)"]
        if not self.use_bias:
            return lines + [f"total = 4 × {u} × ({D} + {u}) = {self.count_params():,}   (no b: "
                            f"use_bias=False)"]
        return lines + [f"b (i, f, c, o) = 4 × {u} = {4 * u:,}",
                        f"total = 4 × {u} × ({D} + {u} + 1) = {self.count_params():,}"]

    def get_config(self):
        return dict(super().get_config(), recurrent_activation=self.recurrent_activation,
                    unit_forget_bias=self.unit_forget_bias)
