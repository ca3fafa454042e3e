"""Loss objects: they flatten targets to rows and call the kernels in ``rnnkit.kernels.losses``.

Each loss is averaged over every unmasked target position: batch × timesteps for sequence
outputs, batch for the rest (Keras' reduction). ``compute(output_layer, y_pred, y_true, weights)``
returns ``(loss, grad, fused)``: with ``fused=True`` the gradient is dL/dz with respect to the output
layer's logits (softmax + cross-entropy, sigmoid + binary cross-entropy), else dL/dy.
"""
import numpy as np

from .kernels import losses as K


class Loss:
    name = "loss"
    #: activation of the output layer with which this loss fuses, if any
    fuses_with = None

    def compute(self, output_layer, y_pred, y_true, weights):
        shape, dtype = y_pred.shape, y_pred.dtype
        # contiguous first, so the reshapes are views (one call each where nothing is to copy)
        Y = np.ascontiguousarray(y_pred).reshape(-1, shape[-1])    # a row per target position
        w = np.ascontiguousarray(weights, dtype=dtype).ravel()     # a view: half a reshape
        T = self._targets(y_true, shape, dtype)
        grad = np.empty(Y.shape, dtype=dtype)
        # fused when the output layer's nonlinearity is this loss's and it kept its logits
        # (rnnkit.layers.Layer declares both, with None for a layer that has none); no output
        # layer (None): the loss of the predictions alone
        logits = None
        if (self.fuses_with is not None and output_layer is not None
                and output_layer.activation == self.fuses_with):
            logits = output_layer.logits
        if logits is not None:
            value = self._fused(np.ascontiguousarray(logits).reshape(Y.shape), Y, T, w, grad)
        else:
            value = self._plain(Y, T, w, grad)
        # the kernels divide by sum(w): NaN when every position is masked (checked only then)
        if value != value and w.sum() == 0:
            raise ValueError("every target position is masked: the loss has nothing to average")
        return float(value), grad.reshape(shape), logits is not None

    def _targets(self, y_true, shape, dtype):
        y = np.ascontiguousarray(y_true, dtype=dtype)
        if y.shape != shape and y.size != int(np.prod(shape)):
            raise ValueError(f"loss {self.name!r}: targets have shape {y.shape} but the model's "
                             f"output has shape {tuple(shape)}; they must match")
        return y.reshape(-1, shape[-1])                  # a view: y is contiguous

    def __repr__(self):
        return f"{type(self).__name__}()"


class MeanSquaredError(Loss):
    name = "mse"

    def _plain(self, Y, T, w, grad):
        return K.mse(Y, T, w, grad)


class BinaryCrossentropy(Loss):
    name = "binary_crossentropy"
    fuses_with = "sigmoid"

    def _plain(self, Y, T, w, grad):
        return K.binary_crossentropy(Y, T, w, grad)

    def _fused(self, Z, Y, T, w, grad):
        return K.sigmoid_binary_crossentropy(Z, Y, T, w, grad)


class CategoricalCrossentropy(Loss):
    name = "categorical_crossentropy"
    fuses_with = "softmax"

    def _plain(self, Y, T, w, grad):
        return K.categorical_crossentropy(Y, T, w, grad)

    def _fused(self, Z, Y, T, w, grad):
        return K.softmax_crossentropy(Z, Y, T, w, grad)


class SparseCategoricalCrossentropy(Loss):
    """Cross-entropy with integer class labels: targets have the output's shape without its last axis."""
    name = "sparse_categorical_crossentropy"
    fuses_with = "softmax"

    def _targets(self, y_true, shape, dtype):
        y = np.asarray(y_true)
        lead = tuple(shape[:-1])
        if y.shape != lead and not (y.shape == lead + (1,)):
            raise ValueError(f"loss {self.name!r}: targets must be class indices of shape {lead}, "
                             f"got shape {y.shape}")
        labels = np.ascontiguousarray(y.reshape(-1), dtype=np.int64)
        k = shape[-1]
        if labels.size and (labels.min() < 0 or labels.max() >= k):
            raise ValueError(f"loss {self.name!r}: class indices must be in 0..{k - 1} for an "
                             f"output of {k} classes, got {labels.min()}..{labels.max()}")
        return labels

    def _plain(self, Y, labels, w, grad):
        return K.sparse_categorical_crossentropy(Y, labels, w, grad)

    def _fused(self, Z, Y, labels, w, grad):
        return K.sparse_softmax_crossentropy(Z, Y, labels, w, grad)


_ALIASES = {
    "mse": MeanSquaredError, "mean_squared_error": MeanSquaredError,
    "binary_crossentropy": BinaryCrossentropy, "bce": BinaryCrossentropy,
    "categorical_crossentropy": CategoricalCrossentropy,
    "sparse_categorical_crossentropy": SparseCategoricalCrossentropy,
}


def get(loss):
    """A Loss from a name (``"mse"``, ``"categorical_crossentropy"``, ...) or a Loss object."""
    if isinstance(loss, Loss):
        return loss
    if loss in _ALIASES:
        return _ALIASES[loss]()
    raise ValueError(f"unknown loss {loss!r}; choose one of {', '.join(sorted(_ALIASES))}")
