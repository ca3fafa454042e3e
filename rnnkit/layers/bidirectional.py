"""Bidirectional: one recurrent layer reads the sequence forwards, a copy reads it backwards."""
import numpy as np

from .base import Layer

MERGE_MODES = ("concat", "sum", "ave", "mul", None)


class Bidirectional(Layer):
    """Run ``layer`` forwards and a copy of it backwards, and merge their outputs.

    The backward copy has the same configuration with ``go_backwards`` flipped and its own weights.
    With ``return_sequences=True`` its output sequence is flipped back to input order before
    merging, so position t sees the past (forward half) and the future (backward half). With a
    mask, both halves output zero at padded steps (Keras forces ``zero_output_for_mask`` on them),
    unlike a standalone recurrent layer, which carries its last output forward.

    Parameters
    ----------
    layer : SimpleRNN | LSTM | GRU | RNN
    merge_mode : {"concat", "sum", "ave", "mul", None}, default "concat"
        How to combine the two outputs; None returns ``[forward_output, backward_output]``.

    Weights: the forward layer's, then the backward layer's (Keras' order); twice the parameters.
    With ``return_state`` the result is Keras' flat list ``[output, *forward_states,
    *backward_states]``; with ``merge_mode=None`` too, the two outputs come first, side by side:
    ``[out_fwd, out_bwd, h_fwd, (c_fwd,) h_bwd, (c_bwd)]`` (Keras 3 returns ``output + states``).

    Stateful (``layer`` made with ``stateful=True``, as Keras): each half carries its own final
    states into the next batch (the backward half's are those it reached at the sequence's start);
    ``reset_state()`` resets both, and on a layer that is not stateful raises, as Keras.
    """

    keras_name = "bidirectional"
    accepts_initial_state = True

    def __init__(self, layer, merge_mode="concat", backward_layer=None, name=None,
                 input_shape=None):
        super().__init__(name=name, input_shape=input_shape or layer.input_shape)
        if merge_mode not in MERGE_MODES:
            raise ValueError(f"Bidirectional: unknown merge_mode {merge_mode!r}; choose one of "
                             f"{', '.join(repr(m) for m in MERGE_MODES)}")
        self.merge_mode = merge_mode
        self.forward_layer = layer
        if backward_layer is None:
            cfg = dict(layer.get_config(), go_backwards=not layer.go_backwards)
            cfg["name"] = None
            backward_layer = type(layer).from_config(cfg)   # an RNN rebuilds a fresh cell
        if backward_layer.stateful != layer.stateful:
            raise ValueError(f"Bidirectional: the forward layer has stateful={layer.stateful} and "
                             f"the backward layer stateful={backward_layer.stateful}; give both "
                             f"the same value (as Keras requires)")
        self.backward_layer = backward_layer
        for half in (self.forward_layer, self.backward_layer):
            # as Keras: returning sequences, a padded step outputs zero in both halves
            half.zero_output_for_mask = half.return_sequences
        self.return_sequences = layer.return_sequences
        self.return_state = layer.return_state

    @property
    def units(self):
        return self.forward_layer.units

    @property
    def n_states(self):
        """The forward half's states, then the backward half's."""
        return 2 * self.forward_layer.n_states

    def sublayers(self):
        return (self.forward_layer, self.backward_layer)

    # ---- stateful: each half carries its own states (Keras' Bidirectional) -------------------
    @property
    def stateful(self):
        return self.forward_layer.stateful

    @property
    def states(self):
        """The forward half's carried states, then the backward half's; None before the first
        call (or when not stateful)."""
        halves = (self.forward_layer.states, self.backward_layer.states)
        return None if None in halves else halves[0] + halves[1]

    def reset_state(self, states=None):
        """Reset both halves' states (zeros; or ``states``: the forward half's, then the
        backward half's)."""
        if not self.stateful:
            raise AttributeError(f"layer {self.name!r} (Bidirectional) is not stateful, so "
                                 f"reset_state() has no states to reset (Keras raises here too); "
                                 f"wrap a layer made with stateful=True")
        n = self.forward_layer.n_states
        if states is not None and len(states) != 2 * n:
            raise ValueError(f"layer {self.name!r} (Bidirectional): reset_state takes {2 * n} "
                             f"arrays (forward states then backward states), got {len(states)}")
        self.forward_layer.reset_state(None if states is None else list(states[:n]))
        self.backward_layer.reset_state(None if states is None else list(states[n:]))

    def reset_states(self, states=None):
        """Keras' alias of :meth:`reset_state`."""
        self.reset_state(states)

    input_rank = 2

    def build(self, input_shape):
        input_shape = self.without_batch(input_shape)
        super().build(input_shape)
        for half, prefix in ((self.forward_layer, "forward"), (self.backward_layer, "backward")):
            if half.auto_named:
                half.name = f"{prefix}_{half.keras_name}"
            if not half.built:
                half.build(tuple(input_shape))
        self.dtype = self.forward_layer.dtype

    def parameter_slots(self):
        yield from self.forward_layer.parameter_slots()
        yield from self.backward_layer.parameter_slots()

    @property
    def params(self):
        return {f"forward_{k}": v for k, v in self.forward_layer.params.items()} | \
               {f"backward_{k}": v for k, v in self.backward_layer.params.items()}

    @params.setter
    def params(self, value):
        pass

    @property
    def grads(self):
        return {f"forward_{k}": v for k, v in self.forward_layer.grads.items()} | \
               {f"backward_{k}": v for k, v in self.backward_layer.grads.items()}

    @grads.setter
    def grads(self, value):
        pass

    def compute_output_shape(self, input_shape):
        shape = self.forward_layer.compute_output_shape(tuple(input_shape))
        if self.merge_mode == "concat":
            shape = shape[:-1] + (2 * shape[-1],)
        return shape

    def compute_mask(self, x, mask=None):
        return mask if self.return_sequences else None

    def forward(self, x, mask=None, initial_state=None, training=None):
        """``training``: passed on to both halves (dropout; None: their ``training`` flag)."""
        n = self.forward_layer.n_states
        init_f = init_b = None
        if initial_state is not None:
            if len(initial_state) != 2 * n:
                raise ValueError(f"layer {self.name!r} (Bidirectional): initial_state takes {2 * n} "
                                 f"arrays (forward states then backward states), got {len(initial_state)}")
            init_f, init_b = list(initial_state[:n]), list(initial_state[n:])
        out_f = self.forward_layer.forward(x, mask=mask, initial_state=init_f, training=training)
        out_b = self.backward_layer.forward(x, mask=mask, initial_state=init_b, training=training)
        states = []
        if self.return_state:
            out_f, *states_f = out_f
            out_b, *states_b = out_b
            states = states_f + states_b
        if self.return_sequences:
            out_b = out_b[:, ::-1]                  # back to input order
        self._outs = (out_f, out_b)
        merged = self._merge(out_f, out_b)
        if not self.return_state:
            return merged
        return (merged if self.merge_mode is None else [merged]) + states

    def _merge(self, a, b):
        mode = self.merge_mode
        if mode == "concat":
            return np.concatenate([a, b], axis=-1)
        if mode == "sum":
            return a + b
        if mode == "ave":
            return (a + b) / 2
        if mode == "mul":
            return a * b
        return [a, b]

    def backward(self, dy, *, need_dx=True, dstates=None):
        a, b = self._outs
        u = a.shape[-1]
        mode = self.merge_mode
        if mode == "concat":
            da, db = dy[..., :u], dy[..., u:]
        elif mode == "sum":
            da, db = dy, dy
        elif mode == "ave":
            da, db = dy / 2, dy / 2
        elif mode == "mul":
            da, db = dy * b, dy * a
        else:
            da, db = dy
        if self.return_sequences:
            db = db[:, ::-1]                        # into the backward layer's processing order
        n = self.forward_layer.n_states
        ds_f = ds_b = None
        if dstates is not None:
            ds_f, ds_b = list(dstates[:n]), list(dstates[n:])
        dx_f = self.forward_layer.backward(np.ascontiguousarray(da), need_dx=need_dx, dstates=ds_f)
        dx_b = self.backward_layer.backward(np.ascontiguousarray(db), need_dx=need_dx, dstates=ds_b)
        self.initial_state_grads = (self.forward_layer.initial_state_grads +
                                    self.backward_layer.initial_state_grads)
        return dx_f + dx_b if need_dx else None

    def count_params(self):
        return self.forward_layer.count_params() + self.backward_layer.count_params()

    def keras_weight_names(self):
        return ([f"forward_{n}" for n in self.forward_layer.keras_weight_names()] +
                [f"backward_{n}" for n in self.backward_layer.keras_weight_names()])

    def _get_keras_weights(self):
        return self.forward_layer.get_weights() + self.backward_layer.get_weights()

    def set_weights(self, weights):
        self._require_built("set_weights()")
        k = len(self.forward_layer.get_weights())
        if len(weights) != 2 * k:
            raise ValueError(f"layer {self.name!r} (Bidirectional): set_weights expects {2 * k} "
                             f"arrays (forward then backward), got {len(weights)}")
        self.forward_layer.set_weights(weights[:k])
        self.backward_layer.set_weights(weights[k:])

    def _get_keras_grads(self):
        return self.forward_layer.keras_grads() + self.backward_layer.keras_grads()

    def explain(self):
        one = self.forward_layer.count_params()
        return ([f"forward: {line}" for line in self.forward_layer.explain()] +
                [f"2 × {one:,} = {2 * one:,}   (the backward copy has its own weights)"])

    def get_config(self):
        return dict(super().get_config(), merge_mode=self.merge_mode,
                    layer={"class": type(self.forward_layer).__name__,
                           "config": self.forward_layer.get_config()})

    @classmethod
    def from_config(cls, cfg):
        from .registry import layer_from_config
        cfg = dict(cfg)
        return cls(layer_from_config(cfg.pop("layer")), **cfg)
