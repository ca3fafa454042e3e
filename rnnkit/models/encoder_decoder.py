"""EncoderDecoder: an encoder's final state initialises a decoder (translation, captioning).

::

    encoder:  e = encoder layers (x_enc)         the last one returns [output, *states]
    decoder:  y = decoder layers (x_dec)         its first recurrent layer starts from those states

Training uses teacher forcing: ``x_dec`` is the target sequence shifted right (a start token,
then the target's first T-1 tokens) and ``y`` the target itself. Backward runs the decoder back
to its first step; the gradient on the decoder's initial state, dL/dh_0^dec, is exactly the
gradient on the encoder's final state, so BPTT continues through the encoder
(``encoder[-1].backward(0, dstates=dL/dh_0^dec)``). With an untrained encoder (no parameters,
like the image-captioning stub) the chain simply stops there.

Inference is greedy (``generate``): the decoder is run on the growing prefix and the most
likely token appended, reusing the same layer code as training (no second step equation).
"""
import numpy as np

from ..errors import ShapeError
from ..layers.recurrent import Recurrent
from . import registry
from .sequential import Sequential


@registry.register
class EncoderDecoder(Sequential):
    """A model with two inputs, ``[x_enc, x_dec]``, and the decoder's output.

    Parameters
    ----------
    encoder : list of layers
        The last layer must return its states (``return_state=True``, or a stub encoder that
        returns ``[output, h]``).
    decoder : list of layers
        Must contain a recurrent layer with the same number of states as the encoder's last layer;
        the first such layer is initialised with the encoder's states.
    """

    def __init__(self, encoder, decoder, name="encoder_decoder"):
        self.encoder, self.decoder = list(encoder), list(decoder)
        if not getattr(self.encoder[-1], "return_state", False):
            raise ValueError("EncoderDecoder: the encoder's last layer must return its states "
                             "(e.g. LSTM(64, return_state=True))")
        bridges = [l for l in self.decoder if isinstance(l, Recurrent)]
        if not bridges:
            raise ValueError("EncoderDecoder: the decoder needs a recurrent layer to start from the "
                             "encoder's states")
        self.bridge = bridges[0]
        super().__init__(name=name)
        self.layers = self.encoder + self.decoder

    # ---- inputs are pairs ----------------------------------------------------------------------
    @staticmethod
    def _inputs(x):
        if not isinstance(x, (list, tuple)) or len(x) != 2:
            raise ShapeError("EncoderDecoder expects x = [encoder_input, decoder_input]")
        return [np.asarray(x[0]), np.asarray(x[1])]

    @staticmethod
    def _n(x):
        return len(x[0])

    @staticmethod
    def _take(x, index, width=None):
        if width is not None:
            raise ValueError("EncoderDecoder does not bucket by length")
        return [x[0][index], x[1][index]]

    def _batches(self, x, batch_size, rng=None, bucket_by_length=False):
        if bucket_by_length:
            raise ValueError("EncoderDecoder does not bucket by length: its two inputs have "
                             "lengths of their own")
        return super()._batches(x, batch_size, rng)

    def _ensure_built(self, x):
        if not self.built:
            self.build(np.shape(x[0])[1:], np.shape(x[1])[1:])

    def build(self, encoder_shape=None, decoder_shape=None):
        if encoder_shape is None:
            encoder_shape = self.encoder[0].input_shape
            decoder_shape = self.decoder[0].input_shape
        if encoder_shape is None or decoder_shape is None:
            raise ValueError(f"model {self.name!r}: pass input_shape= to the first encoder and the "
                             f"first decoder layer, or call fit/predict first")
        self._name_layers()
        self.output_shapes = []
        for stack, shape in ((self.encoder, tuple(encoder_shape)), (self.decoder, tuple(decoder_shape))):
            for layer in stack:
                if not layer.built:
                    layer.build(shape)
                shape = layer.compute_output_shape(shape)
                self.output_shapes.append(shape)
        self.input_shape = (tuple(encoder_shape), tuple(decoder_shape))
        self.dtype = np.dtype(self.decoder[-1].dtype)
        self._flatten_parameters()
        self.built = True

    # ---- forward and backward ------------------------------------------------------------------
    def encode(self, x_enc):
        """Run the encoder; returns its final states."""
        e, mask = np.asarray(x_enc), None
        for layer in self.encoder[:-1]:
            out = layer.forward(e, mask=mask)
            mask = layer.compute_mask(e, mask)
            e = out
        out = self.encoder[-1].forward(e, mask=mask)
        self._enc_out_shape = np.shape(out[0])
        return out[1:]

    def forward(self, x, mask=None):
        x_enc, x_dec = self._inputs(x)
        self._ensure_built([x_enc, x_dec])
        states = self.encode(x_enc)
        d, mask = x_dec, None
        for layer in self.decoder:
            if layer is self.bridge:
                out = layer.forward(d, mask=mask, initial_state=states)
            else:
                out = layer.forward(d, mask=mask)
            mask = layer.compute_mask(d, mask)
            d = out
        return d, mask

    def backward(self, dy, fused=False):
        last = self.decoder[-1]
        dy = last.backward(dy, fused=True) if fused else last.backward(dy)
        for layer in reversed(self.decoder[:-1]):
            dy = layer.backward(dy)
        dstates = self.bridge.initial_state_grads       # dL/dh_0 of the decoder = dL/d(encoder state)
        de = self.encoder[-1].backward(np.zeros(self._enc_out_shape, dtype=self.dtype),
                                       dstates=dstates)
        for layer in reversed(self.encoder[:-1]):
            if de is None:
                break
            de = layer.backward(de)
        return de

    def generate(self, x_enc, start_id, end_id=None, max_len=20):
        """Greedy decoding: token ids (batch, max_len), stopping rows at ``end_id``."""
        x_enc = np.asarray(x_enc)
        B = len(x_enc)
        prefix = np.full((B, 1), start_id, dtype=np.int64)
        done = np.zeros(B, dtype=bool)
        out = []
        for _ in range(max_len):
            probs, _ = self.forward([x_enc, prefix])
            nxt = probs[:, -1].argmax(-1)
            if end_id is not None:
                nxt = np.where(done, end_id, nxt)
                done |= nxt == end_id
            out.append(nxt)
            prefix = np.concatenate([prefix, nxt[:, None]], axis=1)
            if end_id is not None and done.all():
                break
        return np.stack(out, axis=1)

    # ---- files -----------------------------------------------------------------------------------
    def get_config(self):
        def stack(layers):
            return [{"class": type(l).__name__, "config": l.get_config()} for l in layers]
        return {"class": "EncoderDecoder", "name": self.name,
                "input_shape": [list(s) for s in self.input_shape] if self.built else None,
                "encoder": stack(self.encoder), "decoder": stack(self.decoder)}

    @classmethod
    def from_config(cls, cfg):
        from ..layers import layer_from_config
        model = cls([layer_from_config(l) for l in cfg["encoder"]],
                    [layer_from_config(l) for l in cfg["decoder"]], name=cfg["name"])
        if cfg.get("input_shape"):
            model.build(*[tuple(s) for s in cfg["input_shape"]])
        return model
