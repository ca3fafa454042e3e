"""SimpleRNN: the lecture's recurrent layer, h_t = f(U x_t + W h_{t-1} + b_xh)."""
import numpy as np

from .. import threads
from ..kernels.chunks import add_partials, bounds, run_blocks
from ..kernels.simple_rnn import simple_rnn_backward, simple_rnn_forward
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

    # A split batch (rnnkit.kernels.chunks) runs the whole-batch kernels on a contiguous copy of
    # each block of batch rows (their loops run over every row they are given), one block per
    # core; the blocks' arrays are kept for backward, and copied into the layer's A and H.

    def _cell_forward(self, X, states0, M):
        T, B, _ = X.shape
        p = self.params
        A = np.empty((T, B, self.units), dtype=self.dtype)
        H = np.empty((T + 1, B, self.units), dtype=self.dtype)
        chunks = threads.batch_chunks(B, threads.recurrent_macs(X, self.units, 1))
        if chunks == 1:
            self._blocks = None
            simple_rnn_forward(X, states0[0], p["U"], p["W"], p["b"], M, self.act_code, A, H)
        else:
            self._blocks = [self._block(X, M, *bounds(k, chunks, B)) for k in range(chunks)]
            run_blocks([(self._forward_block, (block, states0[0], A, H))
                        for block in self._blocks])
        self._record(X, A=A, H=H)
        return H, [H[T]]

    def _block(self, X, M, lo, hi):
        """Rows ``lo:hi`` of the batch as contiguous arrays of their own: X, mask, A, H."""
        T, _, D = X.shape
        return dict(lo=lo, hi=hi, X=np.ascontiguousarray(X[:, lo:hi]),
                    M=np.ascontiguousarray(M[:, lo:hi]),
                    A=np.empty((T, hi - lo, self.units), dtype=self.dtype),
                    H=np.empty((T + 1, hi - lo, self.units), dtype=self.dtype))

    def _forward_block(self, block, h0, A, H):
        p, lo, hi = self.params, block["lo"], block["hi"]
        simple_rnn_forward(block["X"], np.ascontiguousarray(h0[lo:hi]), p["U"], p["W"], p["b"],
                           block["M"], self.act_code, block["A"], block["H"])
        A[:, lo:hi] = block["A"]
        H[:, lo:hi] = block["H"]

    def _cell_backward(self, G, dfinal, need_dx=True):
        X, A, H = self.last_pass.X, self.last_pass.A, self.last_pass.H
        p, g = self.params, self.grads
        dA = np.empty_like(A)
        # dx is skipped (an empty array: the kernel then leaves out dx_t = U^T da_t) when the
        # layer's input gradient is not wanted, e.g. for a model's first layer
        dX = np.empty_like(X) if need_dx else np.empty((0,) + X.shape[1:], dtype=X.dtype)
        dh0 = np.empty_like(H[0])
        if self._blocks is None:
            simple_rnn_backward(X, p["U"], p["W"], self._M, self.act_code, A, H, G,
                                dA, dX, g["U"], g["W"], g["b"], dh0)
        else:                  # each block its own partial dU, dW, db (the first: the layer's)
            partials = [(g["U"], g["W"], g["b"])] + [
                tuple(np.empty_like(g[k]) for k in "UWb") for _ in self._blocks[1:]]
            run_blocks([(self._backward_block, (block, G, dA, dX, dh0, grads))
                        for block, grads in zip(self._blocks, partials)])
            add_partials(partials[0], partials[1:])
        self.last_pass.dA = dA     # for the lecture's backward tables (rnnkit trace --backward)
        return (dX if need_dx else None), [dh0]

    def _backward_block(self, block, G, dA, dX, dh0, grads):
        p, lo, hi = self.params, block["lo"], block["hi"]
        T, nb, D = block["X"].shape
        dA_k = np.empty_like(block["A"])
        dX_k = np.empty((T if dX.shape[0] else 0, nb, D), dtype=dX.dtype)
        dh0_k = np.empty((nb, self.units), dtype=dh0.dtype)
        simple_rnn_backward(block["X"], p["U"], p["W"], block["M"], self.act_code, block["A"],
                            block["H"], np.ascontiguousarray(G[:, lo:hi]), dA_k, dX_k, *grads,
                            dh0_k)
        dA[:, lo:hi], dh0[lo:hi] = dA_k, dh0_k
        if dX.shape[0]:
            dX[:, lo:hi] = dX_k

    def explain(self):
        u, D = self.params["U"].shape
        if not self.use_bias:
            return [f"U = {u} × {D} = {u * D}   (units × input dim; no b_xh: use_bias=False)",
                    f"W = {u} × {u} = {u * u}   (units × units)",
                    f"total = {u * D} + {u * u} = {self.count_params():,}"]
        return [f"U = {u} × ({D}+1) = {u * (D + 1)}   (U and b_xh: units × (input dim + 1))",
                f"W = {u} × {u} = {u * u}   (units × units)",
                f"total = {u * (D + 1)} + {u * u} = {self.count_params():,}"]
