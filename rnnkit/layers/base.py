"""The Layer protocol every rnnkit layer follows.

A layer owns ``params`` (a dict of arrays in the lecture's notation) and ``grads`` (same keys, same
shapes). ``forward(x, mask)`` computes the output and keeps what backward needs; ``backward(dy)``
fills ``grads`` and returns dL/dx. Weights are created lazily by ``build(input_shape)`` on the first
input, as in Keras; ``input_shape`` never includes the batch axis.

``get_weights()``/``set_weights()`` speak Keras' layout and order, so weights move between Keras and
rnnkit; ``keras_grads()`` returns the gradients in that same layout.
"""
import numpy as np

from .. import config
from ..errors import ShapeError


class Layer:
    """Base class: naming, lazy building, parameter bookkeeping and Keras weight layout."""

    #: Keras' base name for auto-naming ("simple_rnn", "dense", ...).
    keras_name = "layer"
    #: axes of one input sample (no batch): 2 for (timesteps, features), 1 for token ids, None: any
    input_rank = None

    def __init__(self, name=None, input_shape=None, dtype=None):
        # Unnamed layers are called by their Keras base name ("simple_rnn") until a model
        # numbers them ("simple_rnn_1"), so every message can name the layer.
        self._auto_named = name is None
        self.name = name or self.keras_name
        self.input_shape = tuple(input_shape) if input_shape is not None else None
        self.dtype = np.dtype(dtype) if dtype is not None else None
        self.params = {}
        self.grads = {}
        self.built = False
        self.supports_masking = True

    # ---- building -------------------------------------------------------------------------
    def build(self, input_shape):
        """Create the weights for inputs of shape ``input_shape`` (no batch axis)."""
        self.input_shape = tuple(input_shape)
        if self.dtype is None:
            self.dtype = config.dtype()
        self.built = True

    def _without_batch(self, input_shape):
        """``input_shape`` without a leading batch axis, which Keras' build() includes."""
        shape = tuple(input_shape)
        if self.input_rank is not None and len(shape) == self.input_rank + 1 and shape[0] is None:
            return shape[1:]
        return shape

    def _ensure_built(self, x):
        if not self.built:
            self.build(x.shape[1:])

    def _add_param(self, key, value):
        self.params[key] = np.ascontiguousarray(value, dtype=self.dtype)
        self.grads[key] = np.zeros_like(self.params[key])

    def compute_output_shape(self, input_shape):
        """The output shape (no batch axis) for inputs of ``input_shape``."""
        return tuple(input_shape)

    def compute_mask(self, x, mask):
        """The mask that goes on to the next layer, given this layer's input and mask (None: none)."""
        return mask

    def parameter_slots(self):
        """(params dict, grads dict, key) for every weight: how a model re-points them into its
        flat vectors. Kernels write gradients in place, so ``grads[key]`` is never rebound."""
        for key in self.params:
            yield self.params, self.grads, key

    # ---- running --------------------------------------------------------------------------
    def __call__(self, x, mask=None, **kwargs):
        x = np.asarray(x)
        self._ensure_built(x)
        return self.forward(x, mask=mask, **kwargs)

    def forward(self, x, mask=None):
        raise NotImplementedError

    def backward(self, dy):
        raise NotImplementedError

    def _check_input(self, x, axes, last_dim=None):
        """Raise a ShapeError naming this layer unless ``x`` has the ``axes`` and ``last_dim``.

        ``axes`` names the expected axes, e.g. ("batch", "timesteps", "features").
        """
        if x.ndim == len(axes) and (last_dim is None or x.shape[-1] == last_dim):
            return
        want = list(axes)
        if last_dim is not None:
            want[-1] = f"{axes[-1]}={last_dim}"
        raise ShapeError(
            f"layer {self.name!r} ({type(self).__name__}) expects input of shape "
            f"({', '.join(want)}), got shape {tuple(x.shape)}. "
            + ("A series needs a trailing feature axis: reshape it to (batch, timesteps, 1)."
               if len(axes) == 3 and x.ndim == 2 else
               "Check the data, or the output shape of the previous layer."))

    # ---- weights in Keras' layout -----------------------------------------------------------
    def keras_weight_names(self):
        """Names of the arrays ``get_weights()`` returns, in order (e.g. kernel, recurrent_kernel)."""
        return []

    def get_weights(self):
        """The weights as Keras lays them out, in Keras' order (copies)."""
        return []

    def set_weights(self, weights):
        """Set the weights from arrays in Keras' layout and order."""
        expected = [w.shape for w in self.get_weights()]
        if len(weights) != len(expected):
            raise ValueError(f"layer {self.name!r}: set_weights expects {len(expected)} arrays "
                             f"({', '.join(self.keras_weight_names())}), got {len(weights)}")
        for name, want, w in zip(self.keras_weight_names(), expected, weights):
            if np.shape(w) != want:
                raise ShapeError(f"layer {self.name!r}: weight {name!r} must have shape {want} "
                                 f"(Keras layout), got {np.shape(w)}")
        self._set_keras_weights([np.asarray(w, dtype=self.dtype) for w in weights])

    def _set_keras_weights(self, weights):
        pass

    def keras_grads(self):
        """The gradients in the layout and order of ``get_weights()``."""
        return []

    def count_params(self):
        """Number of trainable scalars."""
        return int(sum(p.size for p in self.params.values()))

    def explain(self):
        """Lines of the lecture's parameter arithmetic for this layer (``summary(explain=True)``)."""
        return []

    def get_config(self):
        """A JSON-serialisable description from which ``type(self)(**config)`` rebuilds the layer."""
        return {"name": None if self._auto_named else self.name}

    def __repr__(self):
        shape = f", input_shape={self.input_shape}" if self.input_shape else ""
        return f"{type(self).__name__}(name={self.name!r}{shape})"
