"""StubImageEncoder: a STUB image encoder, a fixed random projection of the pixels (not a CNN).

The lecture's one-to-many example captions images with a CNN encoder (Inception) and an LSTM
decoder (Vinyals et al., 2014). rnnkit has no convolutions, and training one is not what the
captioning example teaches, so this layer stands in for the CNN: it turns an image into a feature
vector with a **fixed, untrained, seeded random projection** followed by tanh. What it shows is the
plumbing of one-to-many models: one vector from the image becomes the decoder's initial state.
"""
import numpy as np

from ..errors import ShapeError
from .base import Layer
from .dense import Dense


class StubImageEncoder(Layer):
    """A stub image encoder: ``f = tanh(P x)`` with a fixed random ``P``, then a state bridge.

    ::

        x  = the image's pixels, flattened                  (D,) = (H·W·C,)
        f  = tanh(P x)                                      P (F x D), entries ~ N(0, scale²/D),
                                                            drawn once from ``seed``, never trained
        s  = tanh(V_s f + b_s)                              the bridge (trainable), s = [h_0; c_0]
        returns [f, h_0] (LSTM decoders: [f, h_0, c_0]), like a recurrent layer with
        return_state=True, so an :class:`~rnnkit.models.EncoderDecoder` accepts it as its encoder.

    ``P`` is *not* a parameter: it is regenerated from ``seed`` when the layer is built (so a saved
    model stores only the seed), it gets no gradient, and ``count_params`` does not count it. The
    only trainable weights are the bridge's (a Dense layer with tanh, ``V_s`` (n_states·units x F)
    and ``b_s``), which lets the model learn *which* random features matter for the caption; with
    ``bridge=False`` the features themselves are the state (then ``features`` must equal
    ``units``, and an LSTM decoder gets ``c_0 = f`` too) and the layer has no weights at all.

    Parameters
    ----------
    units : int
        Size of the decoder's state h_0 (the decoder's recurrent ``units``).
    features : int, default 512
        Number of random features F.
    n_states : {1, 2}, default 1
        1 for SimpleRNN and GRU decoders (h_0), 2 for LSTM (h_0, c_0).
    bridge : bool, default True
        Add the trainable Dense(tanh) bridge from the features to the states.
    scale : float, default 3.0
        Standard deviation of ``P x`` for an input of D pixels all equal to one is ``scale``;
        for sparse images (a few shapes on black) it is about ``scale · sqrt(lit share)``.
    seed : int, default 0
        Seed of P (independent of :func:`rnnkit.set_seed`, so the projection is part of the
        layer's definition, not of a training run).
    input_shape : tuple, optional
        The image shape without the batch axis, e.g. (16, 16, 3).

    Call shapes: input (batch, H, W, C) (or any (batch, ...)); output ``[f (batch, F),
    h_0 (batch, units)(, c_0)]``.

    Backward returns None: the pixels are data, and nothing before them is trained. The gradient on
    ``f`` itself (the first output) is not propagated, since P is fixed.
    """

    keras_name = "stub_image_encoder"
    #: returns [f, *states], as an EncoderDecoder's last encoder layer must
    return_state = True

    def __init__(self, units, features=512, n_states=1, bridge=True, scale=3.0, seed=0,
                 input_shape=None, name=None, dtype=None):
        super().__init__(name=name, input_shape=input_shape, dtype=dtype)
        units, features = self._positive_int("units", units), self._positive_int("features", features)
        if n_states not in (1, 2):
            raise ValueError(f"StubImageEncoder: n_states must be 1 (SimpleRNN, GRU) or 2 (LSTM), "
                             f"got {n_states!r}")
        if not bridge and features != units:
            raise ValueError(f"StubImageEncoder: without a bridge the features are the decoder's "
                             f"state, so features ({features}) must equal units ({units})")
        self.units, self.features, self.n_states = int(units), int(features), int(n_states)
        self.use_bridge, self.scale, self.seed = bool(bridge), float(scale), int(seed)
        self.bridge = None
        self.projection = None

    def build(self, input_shape):
        super().build(input_shape)
        D = int(np.prod(input_shape))
        rng = np.random.default_rng(self.seed)
        self.projection = np.ascontiguousarray(
            rng.normal(0.0, self.scale / np.sqrt(D), size=(self.features, D)), dtype=self.dtype)
        if self.use_bridge:
            self.bridge = Dense(self.n_states * self.units, activation="tanh", dtype=self.dtype,
                                name=(self.name or self.keras_name) + "_bridge")
            self.bridge.build((self.features,))
            self.params, self.grads = self.bridge.params, self.bridge.grads

    @property
    def matmul_width(self):
        return self.units

    def parameter_slots(self):
        if self.bridge is not None:
            yield from self.bridge.parameter_slots()

    def compute_output_shape(self, input_shape):
        return (self.features,)

    def compute_mask(self, x, mask=None):
        return None

    def forward(self, x, mask=None):
        x = np.asarray(x)
        D = self.projection.shape[1]
        if x.ndim < 2 or int(np.prod(x.shape[1:])) != D:
            raise ShapeError(f"layer {self.name!r} (StubImageEncoder) expects images of shape "
                             f"(batch, {', '.join(map(str, self.input_shape))}), got shape "
                             f"{tuple(x.shape)}")
        X = np.ascontiguousarray(x.reshape(len(x), D), dtype=self.dtype)
        f = np.tanh(X @ self.projection.T)                   # fixed random features
        if self.bridge is None:
            states = [f.copy() for _ in range(self.n_states)]
        else:
            s = self.bridge.forward(f)                       # tanh(V_s f + b_s)
            states = [np.ascontiguousarray(s[:, k * self.units:(k + 1) * self.units])
                      for k in range(self.n_states)]
        return [f] + states

    def backward(self, dy, *, need_dx=True, dstates=None):
        """Fill the bridge's gradients from dL/d(states); returns None (pixels take no gradient)."""
        if self.bridge is None or dstates is None:
            return None
        B = self.bridge.last_pass.X.shape[0]
        ds = np.zeros((B, self.n_states * self.units), dtype=self.dtype)
        for k, d in enumerate(dstates):
            if d is not None:                                # backprop into each state's block
                ds[:, k * self.units:(k + 1) * self.units] = d
        self.bridge.backward(ds)                             # through tanh and V_s, b_s
        return None

    # ---- weights: only the bridge's -------------------------------------------------------------
    def count_params(self):
        return 0 if self.bridge is None else self.bridge.count_params()

    def keras_weight_names(self):
        return [] if self.bridge is None else self.bridge.keras_weight_names()

    def _get_keras_weights(self):
        return [] if self.bridge is None else self.bridge.get_weights()

    def set_weights(self, weights):
        self._require_built("set_weights()")
        if self.bridge is None:
            if len(weights):
                raise ValueError(f"layer {self.name!r}: StubImageEncoder without a bridge has no "
                                 f"weights, got {len(weights)} arrays")
            return
        self.bridge.set_weights(weights)

    def _get_keras_grads(self):
        return [] if self.bridge is None else self.bridge.keras_grads()

    def explain(self):
        lines = [f"P = {self.features} × {int(np.prod(self.input_shape or (0,))):,} fixed random "
                 f"projection (seed {self.seed}): not trained, not counted"]
        if self.bridge is not None:
            F, k = self.features, self.n_states * self.units
            lines.append(f"bridge V_s = {k} × ({F}+1) = {k * (F + 1):,}   (states × (features + 1))")
        return lines

    def get_config(self):
        return dict(super().get_config(), units=self.units, features=self.features,
                    n_states=self.n_states, bridge=self.use_bridge, scale=self.scale,
                    seed=self.seed)

    def __repr__(self):
        return (f"StubImageEncoder(units={self.units}, features={self.features}, "
                f"n_states={self.n_states}, bridge={self.use_bridge}, seed={self.seed})")
