"""Dense: the output layer y = g(V h + b_hy), applied per timestep on 3-D input."""
import numpy as np

from .. import initializers, threads
from ..kernels import activations
from ..kernels.chunks import bounds, run_blocks, sum_row_blocks
from ..kernels.dense import dense_backward, dense_forward
from .base import LastPass, Layer


class Dense(Layer):
    """Fully-connected layer ``y = g(V h + b_hy)``.

    On input of shape (batch, features) the output is (batch, units); on (batch, timesteps,
    features) it is applied to every timestep, giving (batch, timesteps, units), as Keras does.

    Parameters
    ----------
    units : int
        Number of outputs k.
    activation : {"linear", "tanh", "sigmoid", "relu", "softmax"} or None, default "linear"
    input_shape : tuple, optional

    Weights
    -------
    ============ ============ ======================= ===============
    lecture      ``params``   Keras ``get_weights()``  shape in Keras
    ============ ============ ======================= ===============
    V (k x D)    ``"V"``      kernel = Vᵀ              (D, k)
    b_hy (k)     ``"b"``      bias                     (k,)
    ============ ============ ======================= ===============

    Parameters: k·D + k = k(D + 1), the lecture's V = outputs × (hidden + 1).

    Rows are independent, so inside a model's training step a large input (N rows of D features
    into k units: N·k·D multiply-adds, as many as a recurrent layer needs to split) is split into
    a block of rows per core (:func:`rnnkit.threads.batch_chunks`), each summing its own share of
    dV and db_hy (:mod:`rnnkit.kernels.chunks`); small ones run on the calling thread. (It leaves
    ``splits_batch`` False: :func:`rnnkit.threads.for_model` does not switch a single step of a
    model of Dense layers alone; ``fit`` and the steps of a recurrent model do split.)
    """

    keras_name = "dense"
    overwrites_grads = True

    def __init__(self, units, activation="linear", input_shape=None, name=None, dtype=None):
        super().__init__(name=name, input_shape=input_shape, dtype=dtype)
        self.units = self._positive_int("units", units)
        self.activation = "linear" if activation is None else activation
        self.act_code = activations.code_of(self.activation, activations.ALL, "Dense")
        self._empty_dx = None                     # see _no_dx

    @property
    def matmul_width(self):
        return self.units

    def build(self, input_shape):
        super().build(input_shape)
        D = int(input_shape[-1])
        self._add_param("V", initializers.glorot_uniform((D, self.units), self.dtype).T)
        self._add_param("b", np.zeros(self.units))

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[:-1]) + (self.units,)

    def forward(self, x, mask=None):
        V, dtype = self.params["V"], self.dtype
        D = V.shape[1]
        if x.ndim not in (2, 3) or x.shape[-1] != D:
            axes = ("batch", "features") if x.ndim != 3 else ("batch", "timesteps", "features")
            self._check_input(x, axes, D)
        lead = x.shape[:-1]
        X = np.ascontiguousarray(x, dtype=dtype).reshape(-1, D)   # a view: still contiguous
        N, k = X.shape[0], self.units
        Z = np.empty((N, k), dtype=dtype)
        Y = np.empty((N, k), dtype=dtype)
        macs = N * k * D                           # below 2 * MIN_CHUNK_MACS, batch_chunks says 1
        chunks = 1 if macs < 2 * threads.MIN_CHUNK_MACS else threads.batch_chunks(N, macs)
        if chunks == 1:
            dense_forward(X, V, self.params["b"], self.act_code, Z, Y, 0, N)
        else:                                      # a block of rows per core
            run_blocks([(dense_forward, (X, V, self.params["b"], self.act_code, Z, Y,
                                         *bounds(c, chunks, N))) for c in range(chunks)])
        self._cache = (Y, lead, chunks)            # what only backward reads
        self.last_pass = LastPass(X, Z)            # X, A: LastPass's first two fields
        return Y.reshape(lead + (k,))

    def backward(self, dy, *, need_dx=True, dstates=None, fused=False):
        """Backpropagate dL/dy; with ``fused=True``, ``dy`` is already dL/dz (see the kernel).

        ``need_dx=False`` skips the input gradient dh = Vᵀ dz and returns None (a model's first
        layer). ``dstates`` is unused: Dense has no states.
        """
        (Y, lead, chunks), record, dtype = self._cache, self.last_pass, self.dtype
        X, Z = record.X, record.A
        dY = np.ascontiguousarray(dy, dtype=dtype).reshape(Z.shape)    # a view: contiguous
        # fused: dz is dy itself, so it can stay where it is (the kernel's copy is then in place)
        dZ = dY if fused else np.empty(Z.shape, dtype=dtype)
        dX = np.empty(X.shape, dtype=dtype) if need_dx else self._no_dx(X.shape[1])
        V, grads = self.params["V"], self.grads
        if chunks == 1:
            dense_backward(X, V, self.act_code, Z, Y, dY, fused, dZ, dX, grads["V"], grads["b"],
                           0, X.shape[0])
        else:                                      # each block its own partial dV, db_hy
            sum_row_blocks(dense_backward, chunks, X.shape[0],
                           (X, V, self.act_code, Z, Y, dY, fused, dZ, dX),
                           (grads["V"], grads["b"]))
        record.dA = dZ     # for the lecture's backward tables (rnnkit trace --backward)
        return dX.reshape(lead + (X.shape[1],)) if need_dx else None

    def _no_dx(self, D):
        """The (0, D) dX that tells the kernel to skip the input gradient; kept between calls
        (it has no entries, so nothing can be written to it or read from it)."""
        empty = self._empty_dx
        if empty is None or empty.shape[1] != D or empty.dtype != self.dtype:
            empty = self._empty_dx = np.empty((0, D), dtype=self.dtype)
        return empty

    @property
    def logits(self):
        """z = V h + b_hy of the last forward pass (same leading shape as the output)."""
        if self.last_pass is None:
            return None
        lead = self._cache[1]
        return self.last_pass.A.reshape(lead + (self.units,))

    def keras_weight_names(self):
        return ["kernel", "bias"]

    def _get_keras_weights(self):
        return [self.params["V"].T.copy(), self.params["b"].copy()]

    def _set_keras_weights(self, w):
        self.params["V"][...] = w[0].T
        self.params["b"][...] = w[1]

    def _get_keras_grads(self):
        return [self.grads["V"].T.copy(), self.grads["b"].copy()]

    def explain(self):
        k, D = self.params["V"].shape
        return [f"V = {k} × ({D}+1) = {k * (D + 1)}   (V and b_hy: outputs × (hidden + 1))"]

    def get_config(self):
        return dict(super().get_config(), units=self.units, activation=self.activation)
