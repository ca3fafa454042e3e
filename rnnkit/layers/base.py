"""The Layer contract: everything a model, a trace or a figure may ask of a layer, declared once.

A layer owns ``params`` (a dict of arrays in the lecture's notation) and ``grads`` (same keys, same
shapes). Weights are created lazily by ``build(input_shape)`` on the first input, as in Keras;
``input_shape`` never includes the batch axis. What a model calls, and nothing else:

========================================== ==================================================
``forward(x, mask=None)``                  the output; keeps what backward needs
``backward(dy, *, need_dx=True,            fills ``grads`` (overwriting or accumulating, see
dstates=None)``                            ``overwrites_grads``); returns dL/dx, or None when
                                           ``need_dx=False`` or the input is data (token ids)
``zero_grads()``                           before a batch's backward: zero what backward
                                           accumulates into
``sublayers()``                            the layers a wrapper runs (plain layers: ``()``)
``compute_output_shape``, ``compute_mask`` shapes and masks for the next layer
``regularizers()``                         (params key, regularizer) of each weight whose
                                           penalty the loss adds (``kernel_regularizer=``)
flags (class attributes, below)            ``overwrites_grads``, ``splits_batch``, ``n_states``,
                                           ``return_state``, ``accepts_initial_state``,
                                           ``supports_masking``, ``matmul_width``,
                                           ``stateful`` (then ``reset_state()``)
``last_pass``                              a :class:`LastPass`: what the last pass computed
``training``                               True while a model trains (fit, train_on_batch,
                                           gradients), False otherwise: the model sets it on
                                           every layer (and sublayer) around its training
                                           forward/backward, so layers that behave differently
                                           while training (dropout) need no extra argument on
                                           ``forward``. A layer called directly may also take
                                           ``training=True/False`` as a call argument, as Keras
                                           (``SimpleRNN``/``LSTM``/``GRU`` do); None follows
                                           the flag
========================================== ==================================================

A model never tests a layer's type or probes its attribute names: a rule that depends on the kind
of layer is a flag here, with its default.

``get_weights()``/``set_weights()`` speak Keras' layout and order, so weights move between Keras and
rnnkit; ``keras_grads()`` returns the gradients in that same layout. Asking an unbuilt layer for
its weights raises :class:`~rnnkit.errors.NotBuiltError` naming the layer.
"""
import inspect
from dataclasses import dataclass

import numpy as np

from .. import config
from ..errors import NotBuiltError, ShapeError


@dataclass
class LastPass:
    """What a layer's last forward pass (and the backward pass after it) computed: the one record
    the lecture's trace and the figures read. Arrays are the kernels' own (no copies); a field a
    layer does not have is None.

    ========= ========================================== ============================================
    field     recurrent layers (time-major, processing   Dense (one row per sample, or per
              order; T steps, B sequences, u units)      (sample, timestep) on 3-D input)
    ========= ========================================== ============================================
    X         inputs (T, B, D)                           inputs (N, D)
    A         SimpleRNN: pre-activations                 logits z = V h + b_hy (N, k)
              a_t = U x_t + W h_{t-1} + b_xh (T, B, u);
              LSTM, GRU: None (their kernels keep the
              gate values, below)
    H         states h_0 .. h_T (T+1, B, u), H[0] = h_0  None
    C         LSTM: cell states c_0 .. c_T (T+1, B, u)   None
    gates     LSTM: {"i", "f", "c̃", "o"}, GRU: {"z",     None
              "r", "h̃"} -> (T, B, u), the gates after
              their nonlinearities
    mask      (T, B), 1 = real step; None: unmasked      None
    dA        after backward: dL/d(pre-activations),     after backward: dL/dz (N, k)
              (T, B, k·u) (k = 1, 4, 3 blocks)
    G         after backward: G_t = dL/dh_t from the     None
              layers above (T, B, u)
    dropout_  while training with dropout: the input     None
    mask      mask m_x (B, D), 0 or 1/(1−rate), used at
              every step (then X holds x_t ⊙ m_x)
    recurrent while training with recurrent_dropout:     None
    _dropout_ m_h (B, u), used at every step on h_{t-1}
    mask      where it meets W
    ========= ========================================== ============================================
    """

    X: np.ndarray
    A: np.ndarray = None
    H: np.ndarray = None
    C: np.ndarray = None
    gates: dict = None
    mask: np.ndarray = None
    dA: np.ndarray = None
    G: np.ndarray = None
    dropout_mask: np.ndarray = None
    recurrent_dropout_mask: np.ndarray = None


class Layer:
    """Base class: the contract (module docstring), naming, lazy building, Keras weight layout."""

    #: Keras' base name for auto-naming ("simple_rnn", "dense", ...).
    keras_name = "layer"
    #: axes of one input sample (no batch): 2 for (timesteps, features), 1 for token ids, None: any
    input_rank = None

    # ---- flags: what a model or rnnkit.threads may ask, with their defaults --------------------
    #: backward overwrites every entry of ``grads`` (``zero_grads`` then has nothing to do)
    overwrites_grads = False
    #: the kernels split a batch across cores (:mod:`rnnkit.kernels.chunks`, :mod:`rnnkit.threads`)
    splits_batch = False
    #: how many state arrays the layer carries (1: h; 2: h and c for LSTM; 0: none)
    n_states = 0
    #: forward returns ``[output, *states]`` (``n_states`` of them) instead of the output alone;
    #: backward then takes dL/d(states) as ``dstates``
    return_state = False
    #: ``forward(x, mask, initial_state=[...])`` starts from given states, and backward leaves
    #: dL/d(those states) in ``initial_state_grads``: an encoder-decoder hands the encoder's final
    #: states to the first decoder layer that accepts them
    accepts_initial_state = False
    #: an input spec (:class:`~rnnkit.layers.Input`): it only gives a model its input shape and is
    #: not one of the model's layers
    is_input_spec = False
    #: the layer honours the mask of the layer before it (and passes one on, ``compute_mask``)
    supports_masking = True
    #: the layer carries states from one call to the next (``stateful=True``); it then has
    #: ``reset_state()``, which ``Model.reset_states()`` calls
    stateful = False
    #: the name of the output nonlinearity; a loss fuses with a "softmax"/"sigmoid" output layer
    #: that also has ``logits``. None: no nonlinearity a loss could fuse with
    activation = None
    #: after backward, dL/d(initial states), one array per state (``accepts_initial_state``)
    initial_state_grads = None
    #: what the last pass computed (:class:`LastPass`); None before the first forward
    last_pass = None
    #: the model is training (module docstring): dropout is on only then
    training = False

    def __init__(self, name=None, input_shape=None, dtype=None):
        #: no name was given: the layer is called by its Keras base name ("simple_rnn") until a
        #: model numbers it ("simple_rnn_1"), so every message can name the layer
        self.auto_named = name is None
        self.name = name or self.keras_name
        self.input_shape = tuple(input_shape) if input_shape is not None else None
        self.dtype = np.dtype(dtype) if dtype is not None else None
        self.params = {}
        self.grads = {}
        self.built = False

    @property
    def matmul_width(self):
        """The widest matrix product of this layer's kernels (its units; :func:`rnnkit.threads.width`
        reports a model's). 0 for a layer that only
        looks rows up (Embedding); a wrapper: the widest of what it wraps."""
        return max((layer.matmul_width for layer in self.sublayers()), default=0)

    @property
    def logits(self):
        """z, the input of the output nonlinearity in the last forward pass (same leading shape
        as the output), for a loss that fuses with it; None: this layer has none."""
        return None

    def sublayers(self):
        """The layers this one runs (a wrapper's wrapped layers); a plain layer runs none."""
        return ()

    def regularizers(self):
        """``(key, regularizer)`` for each weight ``params[key]`` whose penalty a model adds to
        the loss (:mod:`rnnkit.regularizers`); none by default. A wrapper declares none of its
        own: a model asks the layers it runs."""
        return ()

    # ---- building -------------------------------------------------------------------------
    def build(self, input_shape):
        """Create the weights for inputs of shape ``input_shape`` (no batch axis)."""
        self.input_shape = tuple(input_shape)
        if self.dtype is None:
            self.dtype = config.dtype()
        self.built = True

    def without_batch(self, input_shape):
        """``input_shape`` without a leading None batch axis, which Keras' build() includes."""
        shape = tuple(input_shape)
        if self.input_rank is not None and len(shape) == self.input_rank + 1 and shape[0] is None:
            return shape[1:]
        return shape

    def _ensure_built(self, x):
        if not self.built:
            self.build(x.shape[1:])

    def _require_built(self, what):
        if not self.built:
            raise NotBuiltError(
                f"layer {self.name!r} ({type(self).__name__}) has no weights yet, so {what} has "
                f"nothing to give: call the layer (or its model) on data first, or build it, e.g. "
                f"layer.build(input_shape) or input_shape=... when you create it")

    def _positive_int(self, what, value):
        """``value`` as an int; a ValueError naming this layer's class and ``what`` unless it is a
        positive integer (True is not one)."""
        if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value <= 0:
            raise ValueError(f"{type(self).__name__}: {what} must be a positive integer, got "
                             f"{value!r}")
        return int(value)

    def _add_param(self, key, value):
        self.params[key] = np.ascontiguousarray(value, dtype=self.dtype)
        self.grads[key] = np.zeros_like(self.params[key])

    def compute_output_shape(self, input_shape):
        """The output shape (no batch axis) for inputs of ``input_shape``."""
        return tuple(input_shape)

    def compute_mask(self, x, mask=None):
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

    def backward(self, dy, *, need_dx=True, dstates=None):
        """Backpropagate dL/d(output) ``dy``: fill ``grads`` and return dL/dx.

        ``need_dx=False``: nobody reads dL/dx (a model's first layer), so a layer may skip it and
        return None. ``dstates``: with ``return_state``, dL/d(final states), one array (or None)
        per state. A layer whose input is data (token ids, pixels) returns None.
        """
        raise NotImplementedError

    def zero_grads(self):
        """Before a batch's backward pass, zero what backward accumulates into: nothing when it
        overwrites every gradient (``overwrites_grads``); a wrapper passes the call on."""
        if self.sublayers():
            for layer in self.sublayers():
                layer.zero_grads()
        elif not self.overwrites_grads:
            for g in self.grads.values():
                g[...] = 0

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
        self._require_built("get_weights()")
        return self._get_keras_weights()

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

    def keras_grads(self):
        """The gradients in the layout and order of ``get_weights()``."""
        self._require_built("keras_grads()")
        return self._get_keras_grads()

    # A subclass with weights implements these three (the public methods check it is built).
    def _get_keras_weights(self):
        return []

    def _set_keras_weights(self, weights):
        pass

    def _get_keras_grads(self):
        return []

    def count_params(self):
        """Number of trainable scalars."""
        return int(sum(p.size for p in self.params.values()))

    def explain(self):
        """Lines of the lecture's parameter arithmetic for this layer (``summary(explain=True)``)."""
        return []

    def get_config(self):
        """A JSON-serialisable description from which ``from_config`` rebuilds the layer."""
        return {"name": None if self.auto_named else self.name}

    @classmethod
    def from_config(cls, cfg):
        """The layer ``get_config()`` describes (a wrapper rebuilds what it wraps first)."""
        return cls(**cfg)

    #: options a repr always shows, default or not (what a reader looks for first)
    REPR_ALWAYS = ("units", "activation")

    def __repr__(self):
        """``SimpleRNN(units=10, activation='tanh', input_shape=(50, 1), params=120)``: the
        layer's :meth:`get_config` options (the required ones, :attr:`REPR_ALWAYS`, and any that
        differ from their defaults), a wrapped layer as its own repr, and once built the output
        shape as the summary writes it and the parameter count (as ``print(model)`` in PyTorch)."""
        from ..models.summary import shape_text        # here: rnnkit.models imports the layers
        defaults = {k: p.default for k, p in
                    inspect.signature(type(self).__init__).parameters.items()}
        parts = []
        for key, value in self.get_config().items():
            if isinstance(value, dict):                   # a wrapped layer: show it as itself
                parts.append(f"{key}={self.sublayers()[0]!r}")
            elif key != "name" and (key in self.REPR_ALWAYS or key not in defaults
                                    or defaults[key] is inspect.Parameter.empty
                                    or defaults[key] != value):
                parts.append(f"{key}={value!r}")
        if self.input_shape:
            parts.append(f"input_shape={self.input_shape}")
        if self.built:
            parts.append(f"output_shape={shape_text(self.compute_output_shape(self.input_shape))}")
            parts.append(f"params={self.count_params():,}")
        return f"{type(self).__name__}({', '.join(parts)})"
