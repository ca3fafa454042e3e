"""Embedding: integer tokens to dense vectors, with an optional padding mask."""
import numpy as np

from .. import initializers
from ..errors import ShapeError
from .base import Layer


class Embedding(Layer):
    """Look up a learned vector for every token: ``e_t = E[x_t]``.

    Parameters
    ----------
    input_dim : int
        Vocabulary size V (token ids are 0..V-1).
    output_dim : int
        Vector size d.
    mask_zero : bool, default False
        Treat id 0 as padding: the layer emits a mask (batch, timesteps) that the following
        recurrent layers, Dense/TimeDistributed layers, the loss and the metrics honour, so padding
        never counts. Id 0 then must not be a real token.
    input_shape : tuple (timesteps,), optional

    Token ids may be any integer dtype, or floats holding whole numbers (``np.array([[1., 4.]])``),
    which are read as those integers, as Keras casts them. A float that is not a whole number is
    refused (Keras would silently truncate it to an int).

    Weights: ``params["E"]`` (V, d), Keras' ``embeddings`` (same layout). Parameters: V·d.

    The gradient is sparse: only the rows of the tokens in the batch are non-zero, and backward
    touches only those rows (``touched_rows`` lists them); ``zero_grads`` zeroes just those rows.
    Backward returns None: token ids take no gradient.
    """

    keras_name = "embedding"

    def __init__(self, input_dim, output_dim, mask_zero=False, input_shape=None, name=None,
                 dtype=None):
        super().__init__(name=name, input_shape=input_shape, dtype=dtype)
        self.input_dim = self._positive_int("input_dim", input_dim)
        self.output_dim = self._positive_int("output_dim", output_dim)
        self.mask_zero = bool(mask_zero)
        self.touched_rows = np.zeros(0, dtype=np.int64)

    input_rank = 1

    def build(self, input_shape):
        input_shape = self.without_batch(input_shape)
        super().build(input_shape)
        self._add_param("E", initializers.uniform((self.input_dim, self.output_dim), self.dtype))

    def compute_output_shape(self, input_shape):
        return tuple(input_shape) + (self.output_dim,)

    def compute_mask(self, x, mask=None):
        """With ``mask_zero``: ``x != 0`` (True = a real token), as Keras' ``compute_mask(inputs)``;
        callable with the ids alone. A mask from before (rare: an Embedding usually comes first)
        is kept, and'ed with it."""
        if not self.mask_zero:
            return mask
        m = np.asarray(x) != 0
        return m if mask is None else (m & np.asarray(mask, dtype=bool))

    def forward(self, x, mask=None):
        x = np.asarray(x)
        if not np.issubdtype(x.dtype, np.integer):
            if np.issubdtype(x.dtype, np.floating) and np.all(np.mod(x, 1) == 0):
                x = x.astype(np.int64)
            else:
                raise ShapeError(f"layer {self.name!r} (Embedding) expects integer token ids, got "
                                 f"dtype {x.dtype}")
        if x.size and (x.min() < 0 or x.max() >= self.input_dim):
            raise ValueError(f"layer {self.name!r} (Embedding): token ids must be in "
                             f"0..{self.input_dim - 1} (input_dim={self.input_dim}), got "
                             f"{x.min()}..{x.max()}; enlarge input_dim or map unknown tokens to an "
                             f"<unk> id")
        self._ids = x
        return self.params["E"][x]

    def backward(self, dy, *, need_dx=True, dstates=None):
        """Accumulate dL/dE on the touched rows only; token ids have no gradient (returns None)."""
        ids = self._ids.reshape(-1)
        dE = self.grads["E"]
        rows, inverse = np.unique(ids, return_inverse=True)
        summed = np.zeros((rows.size, self.output_dim), dtype=dE.dtype)
        np.add.at(summed, inverse.reshape(-1), np.asarray(dy).reshape(-1, self.output_dim))
        dE[rows] += summed
        self.touched_rows = rows
        return None

    def zero_grads(self):
        """Zero the rows the last backward pass accumulated into (the others are still zero)."""
        self.grads["E"][self.touched_rows] = 0

    def keras_weight_names(self):
        return ["embeddings"]

    def _get_keras_weights(self):
        return [self.params["E"].copy()]

    def _set_keras_weights(self, w):
        self.params["E"][...] = w[0]

    def _get_keras_grads(self):
        return [self.grads["E"].copy()]

    def explain(self):
        return [f"E = {self.input_dim:,} × {self.output_dim} = {self.count_params():,}   "
                f"(vocabulary × vector size)"]

    def get_config(self):
        return dict(super().get_config(), input_dim=self.input_dim, output_dim=self.output_dim,
                    mask_zero=self.mask_zero)
