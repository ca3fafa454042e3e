"""Input: the shape of one input sample, given ahead of the layers, as ``keras.Input(shape)``."""


class Input:
    """The shape of one sample (no batch axis) as the first element of a Sequential.

    ``Sequential([Input((50, 1)), SimpleRNN(10), Dense(1)])`` is the same model as
    ``Sequential([SimpleRNN(10, input_shape=(50, 1)), Dense(1)])``: either way the model knows
    its input shape, so its layers are built (weights created) when the model is constructed,
    as in Keras. It is not a layer: it has no weights and the model's ``layers`` leave it out.
    """

    def __init__(self, shape, name=None):
        self.shape = tuple(shape)
        self.name = name

    def __repr__(self):
        return f"Input(shape={self.shape})"
