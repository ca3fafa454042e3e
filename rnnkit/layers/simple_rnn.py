"""SimpleRNN: the lecture's recurrent layer, h_t = f(U x_t + W h_{t-1} + b_xh)."""
import numpy as np

from .. import threads
from ..kernels.chunks import usable_chunks
from ..kernels.simple_rnn import (backward_blocks, forward_blocks, simple_rnn_backward,
                                  simple_rnn_forward)
from .cells import SimpleRNNCell
from .recurrent import Recurrent


class SimpleRNN(Recurrent):
    """Fully-connected recurrent layer (Elman network).

    ``h_t = f(U x_t + W h_{t-1} + b_xh)`` for t = 1..T, with h_0 = 0 unless ``initial_state`` is given.

    Parameters
    ----------
    units : int
        Size u of the hidden state h_t.
    activation : {"tanh", "relu", "sigmoid", "linear"}, default "tanh"
        The nonlinearity f.
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
    ============ ============ ======================= ==============================
    lecture      ``params``   Keras ``get_weights()``  shape in Keras
    ============ ============ ======================= ==============================
    U (u x D)    ``"U"``      kernel = Uᵀ              (D, u)
    W (u x u)    ``"W"``      recurrent_kernel = Wᵀ    (u, u)
    b_xh (u)     ``"b"``      bias                     (u,)
    ============ ============ ======================= ==============================

    Parameters: u·D + u·u + u = u(D + u + 1); the lecture's U = u × (D+1) counts b_xh with U.

    Example
    -------
    >>> layer = SimpleRNN(10)
    >>> layer(np.zeros((32, 50, 1))).shape
    (32, 10)
    """

    keras_name = "simple_rnn"
    splits_batch = True

    def _build_cell(self, D):
        u = self.units
        self._add_param("U", self.kernel_initializer((D, u), self.dtype).T)
        self._add_param("W", self.recurrent_initializer((u, u), self.dtype).T)
        self._add_param("b", self._bias((u,)))

    def _as_cell(self):
        return SimpleRNNCell(self.units, self.activation)

    # A split batch (rnnkit.kernels.chunks): each core runs the kernels on its own block of rows
    # of the layer's arrays (the kernels take the rows lo:hi), each block summing its own partial
    # dU, dW, db.

    def _cell_forward(self, X, states0, M):
        T, B, _ = X.shape
        p = self.params
        A = np.empty((T, B, self.units), dtype=self.dtype)
        H = np.empty((T + 1, B, self.units), dtype=self.dtype)
        chunks = self._chunks = threads.batch_chunks(B, threads.recurrent_macs(X, self.units, 1))
        if chunks == 1:
            simple_rnn_forward(X, states0[0], p["U"], p["W"], p["b"], M, self.act_code, A, H)
        else:
            forward_blocks(X, states0[0], p["U"], p["W"], p["b"], M, self.act_code, A, H,
                           usable_chunks(chunks, B))
        self._record(X, A=A, H=H)
        return H, [H[T]]

    def _cell_backward(self, G, dfinal, need_dx=True):
        X, A, H = self.last_pass.X, self.last_pass.A, self.last_pass.H
        p, g = self.params, self.grads
        dA = np.empty_like(A)
        # dx is skipped (an empty array: the kernel then leaves out dx_t = U^T da_t) when the
        # layer's input gradient is not wanted, e.g. for a model's first layer
        dX = np.empty_like(X) if need_dx else np.empty((0,) + X.shape[1:], dtype=X.dtype)
        dh0 = np.empty_like(H[0])
        args = (X, p["U"], p["W"], self._M, self.act_code, A, H, G, dA, dX, g["U"], g["W"],
                g["b"], dh0)
        if self._chunks == 1:
            simple_rnn_backward(*args)
        else:
            backward_blocks(*args, usable_chunks(self._chunks, X.shape[1]))
        self.last_pass.dA = dA     # for the lecture's backward tables (rnnkit trace --backward)
        return (dX if need_dx else None), [dh0]

    def explain(self):
        u, D = self.params["U"].shape
        if not self.use_bias:
            return [f"U = {u} × {D} = {u * D}   (units × input dim; no b_xh: use_bias=False)",
                    f"W = {u} × {u} = {u * u}   (units × units)",
                    f"total = {u * D} + {u * u} = {self.count_params():,}"]
        return [f"U = {u} × ({D}+1) = {u * (D + 1)}   (U and b_xh: units × (input dim + 1))",
                f"W = {u} × {u} = {u * u}   (units × units)",
                f"total = {u * (D + 1)} + {u * u} = {self.count_params():,}"]
