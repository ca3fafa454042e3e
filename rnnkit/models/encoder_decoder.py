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

from .. import threads
from . import registry
from .base import Model
from .inputs import ArrayPair


@registry.register
class EncoderDecoder(Model):
    """A model with two inputs, ``[x_enc, x_dec]``, and the decoder's output.

    Parameters
    ----------
    encoder : list of layers
        The last layer must return its states (``return_state=True``, or a stub encoder that
        returns ``[output, h]``).
    decoder : list of layers
        Must contain a layer that starts from given states (``accepts_initial_state``: a recurrent
        layer) with as many states as the encoder's last layer returns; the first such layer is
        initialised with the encoder's states.
    """

    inputs = ArrayPair()

    def __init__(self, encoder, decoder, name="encoder_decoder"):
        self.encoder, self.decoder = list(encoder), list(decoder)
        if not self.encoder[-1].return_state:
            raise ValueError("EncoderDecoder: the encoder's last layer must return its states "
                             "(e.g. LSTM(64, return_state=True))")
        bridges = [l for l in self.decoder if l.accepts_initial_state]
        if not bridges:
            raise ValueError("EncoderDecoder: the decoder needs a recurrent layer to start from the "
                             "encoder's states")
        self.bridge = bridges[0]
        super().__init__(self.encoder + self.decoder, name=name)

    def build(self, encoder_shape=None, decoder_shape=None):
        if encoder_shape is None:
            encoder_shape = self.encoder[0].input_shape
            decoder_shape = self.decoder[0].input_shape
        if encoder_shape is None or decoder_shape is None:
            raise ValueError(f"model {self.name!r}: pass input_shape= to the first encoder and the "
                             f"first decoder layer, or call fit/predict first")
        self.input_shape = (tuple(encoder_shape), tuple(decoder_shape))
        self._build_stacks([(self.encoder, tuple(encoder_shape)),
                            (self.decoder, tuple(decoder_shape))], dtype_layer=self.decoder[-1])

    def layer_groups(self):
        return [("encoder", self.encoder), ("decoder", self.decoder)]

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
        x_enc, x_dec = self.inputs.check(x)
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

    def _backward_segments(self, dy):
        """The decoder from its output, then the encoder from its final states: read after the
        decoder's backward ran, dL/dh_0 of the decoder is dL/d(the encoder's final states). The
        encoder's output itself feeds nothing, so its gradient is zero."""
        yield self.decoder, dy, None
        yield (self.encoder, np.zeros(self._enc_out_shape, dtype=self.dtype),
               self.bridge.initial_state_grads)

    def generate(self, x_enc, start_id, end_id=None, max_len=20):
        """Greedy decoding: token ids (batch, max_len), stopping rows at ``end_id``."""
        x_enc = np.asarray(x_enc)
        B = len(x_enc)
        prefix = np.full((B, 1), start_id, dtype=np.int64)
        done = np.zeros(B, dtype=bool)
        out = []
        with threads.for_model(self):     # as predict: one BLAS thread (a busy core stalls two)
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
        return {"class": "EncoderDecoder", "name": self.name,
                "input_shape": [list(s) for s in self.input_shape] if self.built else None,
                "encoder": self._layer_configs(self.encoder),
                "decoder": self._layer_configs(self.decoder)}

    @classmethod
    def from_config(cls, cfg):
        from ..layers import layer_from_config
        model = cls([layer_from_config(l) for l in cfg["encoder"]],
                    [layer_from_config(l) for l in cfg["decoder"]], name=cfg["name"])
        if cfg.get("input_shape"):
            model.build(*[tuple(s) for s in cfg["input_shape"]])
        return model
