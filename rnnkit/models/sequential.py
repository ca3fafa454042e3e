"""Sequential: a stack of layers, each feeding the next, with Keras' API.

Everything but the data flow (compile, fit, evaluate, predict, weights) is the
:class:`~rnnkit.models.base.Model`'s; this module says only how data goes through a stack: forward
layer by layer (masks flow alongside), backward through the same layers in reverse.

Building is eager, as in Keras 3: once the model knows its input shape (``input_shape=`` on the
first layer, or an :class:`~rnnkit.layers.Input` as the first element) every layer is built as it
is added, so weights, ``count_params()`` and ``summary()`` work before any data is seen. Without an
input shape the model builds on its first batch.
"""
import numpy as np

from .base import Model


class Sequential(Model):
    """A linear stack of layers.

    >>> model = Sequential([SimpleRNN(10, input_shape=(50, 1)), Dense(1, activation="linear")])
    >>> model.count_params()
    131
    >>> Sequential([Input((50, 1)), SimpleRNN(10)]).layers[0].get_weights()[0].shape
    (1, 10)
    """

    def __init__(self, layers=None, name="sequential"):
        super().__init__(name=name)
        self._input_spec = None
        for layer in layers or []:
            self.add(layer)

    def add(self, layer):
        """Append ``layer`` (or, first of all, an :class:`~rnnkit.layers.Input`); build it at once
        when the model's input shape is known."""
        if layer.is_input_spec:
            if self.layers or self._input_spec is not None:
                raise ValueError(f"model {self.name!r}: an Input can only be the first element of "
                                 f"a Sequential (it gives the model's input shape); remove this one")
            self._input_spec = layer
            return
        if layer.return_state:
            raise ValueError(
                f"layer {layer.name or type(layer).__name__} has return_state=True, which returns "
                f"several arrays; a Sequential model passes one array from layer to layer. Use "
                f"return_state=False here (states are for encoder-decoder models).")
        self.layers.append(layer)
        self.built = False
        if self._known_input_shape() is not None:
            self.build()

    def _known_input_shape(self):
        """The input shape the model was given (Input, or the first layer's input_shape), or None."""
        if self._input_spec is not None:
            return self._input_spec.shape
        return self.layers[0].input_shape if self.layers else None

    def build(self, input_shape=None):
        """Build every layer for inputs of ``input_shape`` (no batch axis)."""
        if not self.layers:
            raise ValueError(f"model {self.name!r} has no layers; add some before building it")
        if input_shape is None:
            input_shape = self._known_input_shape()
        if input_shape is None:
            raise ValueError(f"model {self.name!r}: the input shape is unknown; pass input_shape= "
                             f"to the first layer (e.g. SimpleRNN(10, input_shape=(50, 1))) or call "
                             f"fit/predict first")
        input_shape = self.layers[0].without_batch(tuple(input_shape))   # Keras' (None, T, D) too
        self.input_shape = input_shape
        self._build_stacks([(self.layers, input_shape)], dtype_layer=self.layers[0])

    def _ensure_built(self, x):
        if not self.built:
            self.build(self._known_input_shape() or np.shape(x)[1:])

    def forward(self, x, mask=None):
        """Run every layer; returns (output, mask of the output or None)."""
        self._ensure_built(x)
        x = np.asarray(x)
        for layer in self.layers:
            out = layer.forward(x, mask=mask)
            mask = layer.compute_mask(x, mask)
            x = out
        return x, mask

    def _backward_segments(self, dy):
        return ((self.layers, dy, None),)       # one segment: a tuple (no generator to run)

    def get_config(self):
        return {"class": "Sequential", "name": self.name,
                "input_shape": list(self.input_shape) if self.built else None,
                "layers": self._layer_configs(self.layers)}
