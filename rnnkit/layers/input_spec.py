"""Input: the shape of one input sample, given ahead of the layers, as ``keras.Input(shape)``."""
from .base import Layer


class Input(Layer):
    """The shape of one sample (no batch axis) as the first element of a Sequential.

    ``Sequential([Input((50, 1)), SimpleRNN(10), Dense(1)])`` is the same model as
    ``Sequential([SimpleRNN(10, input_shape=(50, 1)), Dense(1)])``: either way the model knows
    its input shape, so its layers are built (weights created) when the model is constructed,
    as in Keras. Like Keras' InputLayer it has no weights, and the model's ``layers`` leave it out
    (its flag ``is_input_spec`` tells a model so).
    """

    keras_name = "input_layer"
    is_input_spec = True

    def __init__(self, shape, name=None):
        super().__init__(name=name, input_shape=shape)
        self.shape = tuple(shape)

    def __repr__(self):
        return f"Input(shape={self.shape})"
