"""TimeDistributed: apply a layer to every timestep of a sequence."""
import numpy as np

from ..errors import ShapeError
from .base import Layer


class TimeDistributed(Layer):
    """Apply ``layer`` independently at every timestep: (batch, T, ...) -> (batch, T, ...).

    The timesteps are folded into the batch (batch*T rows), so one call of the inner layer's kernel
    handles the whole sequence. The mask passes through unchanged to the next layer.

    Masks, as Keras 3: a mask whose first two axes are not the input's (batch, timesteps) is refused
    with a ValueError. The wrapped layer is called with the mask of its own rows, folded like the
    input (``mask[b, t]`` for row ``b*T + t``, as Keras hands ``mask[:, t]`` to it at step t): a
    (batch, timesteps) mask gives one entry per row (Dense ignores it, as Keras' Dense does; a
    custom layer may use it), a (batch, timesteps, inner_timesteps) mask reaches a wrapped
    recurrent layer as its (batch*timesteps, inner_timesteps) mask.

    >>> TimeDistributed(Dense(5))(np.zeros((2, 7, 3))).shape
    (2, 7, 5)
    """

    keras_name = "time_distributed"

    def __init__(self, layer, name=None, input_shape=None):
        super().__init__(name=name, input_shape=input_shape)
        self.layer = layer

    def build(self, input_shape):
        if len(input_shape) < 2:      # Keras: "should be passed an `input_shape` with at least 3 dimensions"
            raise ShapeError(
                f"layer {self.name!r} (TimeDistributed) needs inputs with a time axis, (batch, "
                f"timesteps, ...), got (batch, {', '.join(map(str, input_shape))}); the layer "
                f"before it must return sequences (return_sequences=True)")
        super().build(input_shape)
        self.dtype = self.layer.dtype or self.dtype
        if not self.layer.built:
            self.layer.build(tuple(input_shape[1:]))
        self.params, self.grads = self.layer.params, self.layer.grads

    def parameter_slots(self):
        yield from self.layer.parameter_slots()

    def sublayers(self):
        return (self.layer,)

    def compute_output_shape(self, input_shape):
        return (input_shape[0],) + tuple(self.layer.compute_output_shape(tuple(input_shape[1:])))

    def forward(self, x, mask=None):
        if x.ndim < 3:
            self._check_input(x, ("batch", "timesteps", "features"))
        B, T = x.shape[:2]
        inner_mask = None
        if mask is not None:
            mask = np.asarray(mask)
            if mask.shape[:2] != (B, T):
                raise ValueError(f"layer {self.name!r} (TimeDistributed) takes a mask of shape "
                                 f"({B}, {T}, ...) (batch, timesteps of its input), got "
                                 f"{mask.shape}; check where the mask comes from")
            inner_mask = mask.reshape((B * T,) + mask.shape[2:])
        y = self.layer.forward(x.reshape((B * T,) + x.shape[2:]), mask=inner_mask)
        return y.reshape((B, T) + y.shape[1:])

    def backward(self, dy, *, need_dx=True, dstates=None, **kwargs):
        """The inner layer's backward on the folded rows; ``kwargs`` go to it (Dense's ``fused``)."""
        B, T = dy.shape[:2]
        dx = self.layer.backward(dy.reshape((B * T,) + dy.shape[2:]), need_dx=need_dx, **kwargs)
        return None if dx is None else dx.reshape((B, T) + dx.shape[1:])

    @property
    def activation(self):
        return self.layer.activation

    @property
    def logits(self):
        """The inner layer's logits, one row per (sequence, timestep); losses read them as rows."""
        return self.layer.logits

    def count_params(self):
        return self.layer.count_params()

    def keras_weight_names(self):
        return self.layer.keras_weight_names()

    def _get_keras_weights(self):
        return self.layer.get_weights()

    def set_weights(self, weights):
        self._require_built("set_weights()")
        self.layer.set_weights(weights)

    def _get_keras_grads(self):
        return self.layer.keras_grads()

    def explain(self):
        return [f"the wrapped {type(self.layer).__name__}, shared by every timestep:"] + \
            self.layer.explain()

    def get_config(self):
        return dict(super().get_config(), layer={"class": type(self.layer).__name__,
                                                 "config": self.layer.get_config()})

    @classmethod
    def from_config(cls, cfg):
        from .registry import layer_from_config
        cfg = dict(cfg)
        return cls(layer_from_config(cfg.pop("layer")), **cfg)
