"""What every recurrent layer shares: batch-first <-> time-major, masks, go_backwards, states.

A subclass (SimpleRNN, LSTM, GRU) supplies only its cell: ``_build_cell(D)`` creates the weights,
``_cell_forward(X, states0, mask)`` runs its forward kernel on time-major arrays, returns the
state sequence H (T+1, B, u) and the final states and records the pass (``last_pass``), and
``_cell_backward(G, dfinal, need_dx)`` runs its BPTT kernel given G = dL/dh_t from above and the
gradients on the final states (``need_dx``: whether to compute dL/dx at all), recording
dL/d(pre-activations) in ``last_pass.dA``.

Masks (1 = real step, 0 = padding) follow Keras 3: a padded step carries every state forward
unchanged. With ``return_sequences=True`` the output at a padded step is, as Keras' ``rnn`` loop
with its default ``zero_output_for_mask=False`` gives it, the output of the step before it in
processing order: the last real output carried forward (right padding: h at the last real step),
or zero while no real step has come yet (left padding: zeros up to the first real step; with
``go_backwards`` the same in reversed order). With ``zero_output_for_mask=True`` (what
Bidirectional sets on its halves, as Keras forces it there) a padded step outputs zero.

The state sequence H the kernels return is the same either way; only what is shown differs, and
backward follows it exactly: the gradient reaching a padded step's output goes to the state shown
there (that of the last real step), as Keras' autodiff sends it. A loss or metric never counts
padding, so there that gradient is zero and training is the same under both rules.

Dropout (``dropout``, ``recurrent_dropout``, as Keras 3's cells): while training (``training=True``
on the call, or a model's fit/train_on_batch/gradients) one input mask m_x (B, D) and one recurrent
mask m_h (B, u) are drawn per call (per batch) from :func:`rnnkit.config.rng`, each entry 0 with
probability rate and 1/(1−rate) otherwise, and reused at every step (and for every gate);
inference (evaluate, predict, a plain call) uses none. m_x is applied here, around the fused
kernel: the kernel runs on x_t ⊙ m_x and backward returns dx_t ⊙ m_x. m_h acts inside the step
(h_{t−1} ⊙ m_h meets W), which the fused kernels do not do, so a layer with ``recurrent_dropout``
runs its step as a cell (:mod:`rnnkit.layers.cells`, the same equations) in the Python loop over
time of :class:`~rnnkit.layers.RNN` while training (slower, the same numbers without dropout).
The masks of the last call are ``last_pass.dropout_mask`` and ``last_pass.recurrent_dropout_mask``
(None when not used). docs/bptt.md, "Dropout", has the equations.

Stateful layers (``stateful=True``, as Keras 3): the final states of one call become the initial
states of the next, in every call (fit, train_on_batch, evaluate, predict, a plain call), so the
sample at row i of a batch continues the sample at row i of the batch before. The states
(``states``, one (batch, units) array per state, zeros at first) are made on the first call,
whose batch size every later call must have (a different one is refused, naming the layer and both
sizes); ``reset_state()`` (alias ``reset_states()``) zeros them and lets the next call choose the
batch size again, ``reset_state(states)`` sets them. fit resets nothing and shuffles unless told
not to: give it ``shuffle=False`` (Keras says the same). An
``initial_state=`` given on a call is used instead of the carried states (as Keras), and the call's
final states are carried on from it. A padded step carries the state (masks, above), so a row
that ends in padding hands on the state of its last real step. The carried states are constants:
backward stops at the start of the batch (truncated BPTT; docs/bptt.md, "Stateful layers"). They
are not weights: not saved, not counted, not in ``get_weights()``.
"""
import numpy as np

from .. import config, initializers, regularizers
from ..errors import ShapeError
from ..kernels import activations
from .base import LastPass, Layer


class Recurrent(Layer):
    """Base of SimpleRNN, LSTM and GRU (and RNN(cell)); see the module docstring.

    Keyword options every built-in recurrent layer takes, as Keras spells them
    -------------------------------------------------------------------------
    use_bias : bool, default True
        False: no bias weight at all (``get_weights()`` gives kernel and recurrent_kernel,
        ``count_params()`` drops it, nothing trains it), as Keras.
    kernel_initializer, recurrent_initializer, bias_initializer : default "glorot_uniform",
        "orthogonal", "zeros"
        A Keras name or an object of :mod:`rnnkit.initializers` (``Constant(0.5)``, ...), applied
        to Keras' shapes (kernel (D, k·u), recurrent_kernel (u, k·u)). Saved with the model.
    kernel_regularizer, recurrent_regularizer, bias_regularizer : default None
        "l1", "l2", "l1_l2" or an object of :mod:`rnnkit.regularizers`: its penalty is added to
        the loss, and its gradient to the weight's (training, ``gradients`` and ``evaluate``).
    zero_output_for_mask : bool, default False
        With a mask and ``return_sequences``, output zero at padded steps (module docstring).
    dropout, recurrent_dropout : float in [0, 1), default 0.0
        Fraction of the inputs x_t, and of h_{t−1} where it meets W, dropped while training;
        one mask per batch, the same at every step (module docstring).
    weights : list of arrays, optional
        Set with ``set_weights`` (Keras' layout) as soon as the layer is built.
    unroll, implementation, use_cudnn
        Keras' speed-only flags: they choose how Keras computes, never what. rnnkit has one
        kernel per cell, so they are accepted (configs pasted from Keras run) and have no effect.
    stateful : bool, default False
        Carry the final states of each batch into the next (module docstring): batches of one
        fixed size, ``fit(..., shuffle=False)``, ``reset_state()`` between independent texts.
    seed, activity_regularizer, *_constraint
        Not implemented (:attr:`UNSUPPORTED` says why): Keras' default value is accepted, any
        other is refused with a ValueError that says so.
    """

    n_states = 1
    accepts_initial_state = True
    #: every cell's BPTT kernel writes all of dU, dW, db (a model need not zero them first)
    overwrites_grads = True

    def __init__(self, units, activation="tanh", return_sequences=False, return_state=False,
                 go_backwards=False, input_shape=None, name=None, dtype=None, *, use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, zero_output_for_mask=False, weights=None, unroll=False,
                 implementation=None, use_cudnn="auto", dropout=0.0, recurrent_dropout=0.0,
                 stateful=False, **unsupported):
        super().__init__(name=name, input_shape=input_shape, dtype=dtype)
        self.units = self._positive_int("units", units)
        self.activation = activation
        self.act_code = activations.code_of(activation, activations.ELEMENTWISE, type(self).__name__)
        self.return_sequences = bool(return_sequences)
        self.return_state = bool(return_state)
        self.go_backwards = bool(go_backwards)
        self.zero_output_for_mask = bool(zero_output_for_mask)
        self.use_bias = bool(use_bias)
        where = type(self).__name__
        self.kernel_initializer = initializers.get(kernel_initializer, f"{where} kernel_initializer")
        self.recurrent_initializer = initializers.get(recurrent_initializer,
                                                      f"{where} recurrent_initializer")
        self.bias_initializer = initializers.get(bias_initializer, f"{where} bias_initializer")
        #: weight key -> its penalty (``regularizers()``); a layer without a bias has no bias's
        self._regularizers = {key: regularizers.get(r, f"{where} {arg}") for key, r, arg in (
            ("U", kernel_regularizer, "kernel_regularizer"),
            ("W", recurrent_regularizer, "recurrent_regularizer"),
            ("b", bias_regularizer if self.use_bias else None, "bias_regularizer")) if r is not None}
        # Keras' speed-only flags change how Keras computes, never what: rnnkit's kernels have
        # one implementation each, so these are accepted and have no effect
        del unroll, implementation, use_cudnn
        self._refuse(unsupported)
        self.dropout = self._rate("dropout", dropout)
        self.recurrent_dropout = self._rate("recurrent_dropout", recurrent_dropout)
        self._step_cell = None                    # the step as a cell, for recurrent dropout
        self._initial_weights = weights          # set_weights(weights) once the layer is built
        self._ones = self._zero_states = None     # kept between calls (kernels only read them)
        self._dropout = None, None                # this pass's (m_x, m_h), for _record
        self.stateful = bool(stateful)
        #: a stateful layer's carried states, one (batch, units) array each; None before a call
        self.states = None
        self._states_are_reset = True             # the next call may set the batch size

    input_rank = 2

    #: Keras arguments rnnkit does not implement: their Keras default (accepted, so pasted
    #: configs that spell the default run) and why anything else is refused
    UNSUPPORTED = {
        "seed": (None, "rnnkit draws dropout masks from its one generator: seed it with "
                       "rnnkit.config.scope(seed=...) or set_seed"),
        "activity_regularizer": (None, "rnnkit penalises weights only (kernel_regularizer, "
                                       "recurrent_regularizer, bias_regularizer)"),
        "kernel_constraint": (None, "rnnkit has no weight constraints"),
        "recurrent_constraint": (None, "rnnkit has no weight constraints"),
        "bias_constraint": (None, "rnnkit has no weight constraints"),
    }

    def _refuse(self, options):
        """A ValueError for a Keras argument rnnkit does not implement (unless it is Keras'
        default), a TypeError for one Keras does not have either."""
        for arg, value in options.items():
            if arg not in self.UNSUPPORTED:
                raise TypeError(f"{type(self).__name__} got an unexpected keyword argument "
                                f"{arg!r}")
            default, why = self.UNSUPPORTED[arg]
            if value != default:
                raise ValueError(f"{type(self).__name__}({arg}={value!r}): {why}. Leave {arg} "
                                 f"out (Keras' default is {default!r}).")

    def _rate(self, arg, value):
        """A dropout rate, a float in [0, 1); a ValueError saying so otherwise."""
        if isinstance(value, bool) or not isinstance(value, (int, float, np.floating)) \
                or not 0.0 <= float(value) < 1.0:
            raise ValueError(f"{type(self).__name__}({arg}={value!r}): a dropout rate is a "
                             f"fraction in [0, 1), e.g. {arg}=0.2")
        return float(value)

    @property
    def matmul_width(self):
        return self.units

    def build(self, input_shape):
        input_shape = self.without_batch(input_shape)
        if len(input_shape) != 2:
            raise ShapeError(f"layer {self.name!r} ({type(self).__name__}) expects input of shape "
                             f"(batch, timesteps, features), got (batch, "
                             f"{', '.join(map(str, input_shape))})")
        super().build(input_shape)
        self._build_cell(int(input_shape[-1]))
        if self._initial_weights is not None:
            weights, self._initial_weights = self._initial_weights, None
            self.set_weights(weights)

    def _bias(self, shape):
        """The bias, from ``bias_initializer``; without ``use_bias``, a fixed zero vector that the
        kernels add and nothing trains, saves or counts (see ``parameter_slots``)."""
        return self.bias_initializer(shape, self.dtype) if self.use_bias else np.zeros(shape)

    def _trained(self):
        """The keys of the weights that are trained, counted and saved (not a disabled bias)."""
        return [key for key in self.params if self.use_bias or key != "b"]

    def parameter_slots(self):
        for key in self._trained():
            yield self.params, self.grads, key

    def count_params(self):
        return int(sum(self.params[key].size for key in self._trained()))

    def regularizers(self):
        return tuple(self._regularizers.items())

    def compute_output_shape(self, input_shape):
        T = input_shape[0]
        return (T, self.units) if self.return_sequences else (self.units,)

    def compute_mask(self, x, mask=None):
        return mask if self.return_sequences else None

    # ---- forward ------------------------------------------------------------------------------
    def forward(self, x, mask=None, initial_state=None, training=None):
        """Run the layer on ``x`` (batch, timesteps, features).

        ``training``: apply dropout (True) or not (False); None (the default) follows
        ``self.training``, which a model sets while it trains (:class:`~rnnkit.layers.base.Layer`).
        Returns the output ((batch, units), or (batch, timesteps, units) with return_sequences),
        or ``[output, h]`` (LSTM: ``[output, h, c]``) with return_state.
        """
        dtype = self.dtype
        if x.ndim != 3 or x.shape[-1] != self.input_shape[-1]:
            self._check_input(x, ("batch", "timesteps", "features"), self.input_shape[-1])
        B, T, _ = x.shape
        X = np.ascontiguousarray(x.transpose(1, 0, 2), dtype=dtype)
        M = (self._all_ones(T, B) if mask is None
             else np.ascontiguousarray(np.asarray(mask).T, dtype=dtype))
        if self.go_backwards:
            X, M = np.ascontiguousarray(X[::-1]), np.ascontiguousarray(M[::-1])
        states0 = self._call_states(initial_state, B)
        self._M, self._masked = M, mask is not None
        # the usual case, every step: no dropout, so nothing to draw and no cell to set up
        m_x = m_h = self._cell_path = None
        if (self.dropout or self.recurrent_dropout) and (
                self.training if training is None else training):
            m_x, m_h = self._dropout_masks(B)
            if m_x is not None:
                X = X * m_x                      # x_t ⊙ m_x, the same mask at every step
            if m_h is not None:
                self._cell_path = self._recurrent_cell(m_h)
        self._dropout = m_x, m_h                 # for _record
        if self._cell_path is None:
            H, finals = self._cell_forward(X, states0, M)
        else:
            H, finals = self._loop_forward(self._cell_path, X, states0, M)
        if self.stateful:
            self.states = [np.array(s, dtype=dtype) for s in finals]   # copies: carried on
        if self.return_sequences:
            # one copy straight into batch-first order (contiguous, so the next layer needs none)
            if mask is None:
                output = H[1:].transpose(1, 0, 2).copy()         # ndarray.copy: C order
            else:
                # H carries the state through padding, so H[t+1] is the last real output; before
                # the first real step it is h_0, which Keras does not show: zero there
                shown = self._shown = (M if self.zero_output_for_mask
                                       else np.maximum.accumulate(M, axis=0))
                output = np.empty((B, T, self.units), dtype=dtype)
                np.multiply(H[1:].transpose(1, 0, 2), shown.T[:, :, None], out=output)
        else:
            output = H[T].copy()
        if self.return_state:
            return [output] + [s.copy() for s in finals]
        return output

    def _dropout_masks(self, B):
        """(m_x (B, D), m_h (B, u)) for one training call; None for a rate of 0. An entry is 0
        with probability rate, else 1/(1−rate) (Keras' inverted dropout)."""
        def draw(rate, width):
            if rate == 0.0:
                return None
            keep = config.rng().random((B, width)) >= rate
            return (keep / (1.0 - rate)).astype(self.dtype)
        return draw(self.dropout, self.input_shape[-1]), draw(self.recurrent_dropout, self.units)

    def _recurrent_cell(self, m_h):
        """This layer's step as a cell sharing its weights, with recurrent-dropout mask ``m_h``."""
        cell = self._step_cell
        if cell is None:
            cell = self._step_cell = self._as_cell()
            cell.dtype = self.dtype
        cell.params, cell.grads = self.params, self.grads   # a model may have re-pointed them
        cell.recurrent_mask = m_h
        return cell

    def _as_cell(self):
        """The layer's step as a :mod:`rnnkit.layers.cells` cell (for recurrent dropout)."""
        raise NotImplementedError(f"{type(self).__name__} has no step cell for recurrent_dropout")

    def _all_ones(self, T, B):
        """The (T, B) mask of an unmasked batch; kept between calls (kernels only read it)."""
        ones = self._ones
        if ones is None or ones.shape != (T, B) or ones.dtype != self.dtype:
            ones = self._ones = np.ones((T, B), dtype=self.dtype)
        return ones

    def _initial_states(self, initial_state, B):
        if initial_state is None:
            zeros = self._zero_states
            if zeros is None or zeros[0].shape[0] != B or zeros[0].dtype != self.dtype:
                zeros = self._zero_states = [np.zeros((B, self.units), dtype=self.dtype)
                                             for _ in range(self.n_states)]
            return list(zeros)
        states = list(initial_state) if isinstance(initial_state, (list, tuple)) else [initial_state]
        if len(states) != self.n_states:
            raise ValueError(f"layer {self.name!r} ({type(self).__name__}) takes {self.n_states} "
                             f"initial state array(s), got {len(states)}")
        for s in states:
            if np.shape(s) != (B, self.units):
                raise ShapeError(f"layer {self.name!r}: initial state must have shape "
                                 f"(batch, units) = {(B, self.units)}, got {np.shape(s)}")
        return [np.ascontiguousarray(s, dtype=self.dtype) for s in states]

    # ---- stateful: the final states of one call start the next ------------------------------
    def _call_states(self, initial_state, B):
        """The states a call starts from: ``initial_state`` if given, else a stateful layer's
        carried states (zeros at its first call and after a reset), else zeros."""
        if not self.stateful:
            return self._initial_states(initial_state, B)
        if self.states is not None and self.states[0].shape[0] != B:
            if not self._states_are_reset:
                carried = self.states[0].shape[0]
                raise ShapeError(
                    f"layer {self.name!r} ({type(self).__name__}) is stateful: it carries its "
                    f"states from one batch to the next for batches of {carried} sequences, got a "
                    f"batch of {B}. Feed batches of exactly {carried}: give fit/evaluate/predict "
                    f"batch_size={carried} and a number of samples that is a multiple of it (drop "
                    f"the remainder); or call reset_state() (model.reset_states()) to start "
                    f"again from zeros with another batch size.")
            self.states = None               # zeros of the new batch size (reset_state's promise)
        self._states_are_reset = False
        if initial_state is None and self.states is not None:
            return self.states
        return self._initial_states(initial_state, B)

    def reset_state(self, states=None):
        """Zero a stateful layer's carried states (Keras 3's ``reset_state``; a layer that is not
        stateful has none, and nothing happens), or set them to ``states``: one array per state,
        (batch, units) each (tf.keras' ``reset_states(states)``).

        The next call starts from these states, and fixes the batch size again: after a reset to
        zeros it may be another than before (rnnkit's addition; Keras keeps the batch size it was
        built with), e.g. batch 1 to sample from a model trained on batches of 32.
        """
        if states is None:
            for s in self.states or ():
                s[...] = 0
            self._states_are_reset = True
            return
        if not self.stateful:
            raise ValueError(f"layer {self.name!r} ({type(self).__name__}) is not stateful, so it "
                             f"carries no states to set: create it with stateful=True, or pass "
                             f"initial_state= when you call it")
        states = list(states) if isinstance(states, (list, tuple)) else [states]
        batch = np.shape(states[0])[0] if np.ndim(states[0]) else 0    # checked just below
        self.states = [np.array(s, dtype=self.dtype) for s in self._initial_states(states, batch)]
        self._states_are_reset = False

    def reset_states(self, states=None):
        """Keras' alias of :meth:`reset_state`."""
        self.reset_state(states)

    # ---- backward -----------------------------------------------------------------------------
    def _record(self, X, A=None, H=None, C=None, gates=None):
        """Keep this forward pass as ``last_pass`` (the kernels' arrays, no copies): a new record
        each pass, so one a caller keeps still describes its own pass."""
        m_x, m_h = self._dropout
        # positional, in LastPass's field order: half the cost of keywords, once a pass
        self.last_pass = LastPass(X, A, H, C, gates, self._M if self._masked else None,
                                  None, None, m_x, m_h)

    def backward(self, dy, *, need_dx=True, dstates=None):
        """Backpropagate dL/d(output) (and, with return_state, dL/d(final states) in ``dstates``).

        Fills ``grads``, sets ``initial_state_grads`` and returns dL/dx (batch, timesteps, features).
        ``need_dx=False`` (a model's first layer, whose input gradient nobody reads) lets a cell
        skip the input-gradient product; it then returns None (cells that cannot skip it return it).
        """
        M = self._M
        T, B = M.shape
        if self.return_sequences:
            dy = np.asarray(dy, dtype=self.dtype).transpose(1, 0, 2)
            # a step's output is its state times what the mask shows there (forward); a private
            # time-major copy either way (G[T-1] may change; ndarray.copy: C order)
            G = np.multiply(dy, self._shown[:, :, None]) if self._masked else dy.copy()
        else:
            G = np.zeros((T, B, self.units), dtype=self.dtype)
            G[T - 1] += dy
        dfinal = [None] * self.n_states
        if dstates is not None:
            for k, d in enumerate(dstates):
                if d is not None:
                    dfinal[k] = np.asarray(d, dtype=self.dtype)
        if dfinal[0] is not None:
            G[T - 1] += dfinal[0]                # h_T is the last entry of the state sequence
        if self._cell_path is None:
            dX, dinit = self._cell_backward(G, dfinal, need_dx)
        else:
            dX, dinit = self._loop_backward(self._cell_path, G, dfinal, need_dx)
        if dX is not None and self.last_pass.dropout_mask is not None:
            dX *= self.last_pass.dropout_mask    # through x_t ⊙ m_x: the same mask
        self.last_pass.G = G                     # dL/dh_t from above, for rnnkit trace --backward
        self.initial_state_grads = dinit
        if dX is None:
            return None
        if self.go_backwards:
            dX = dX[::-1]
        return dX.transpose(1, 0, 2)

    def _loop_forward(self, cell, X, states0, M):
        """The loop over time around ``cell``'s step (RNN(cell), and recurrent dropout); masks
        as :mod:`rnnkit.layers.rnn` describes."""
        T, B, _ = X.shape
        H = np.empty((T + 1, B, self.units), dtype=self.dtype)
        H[0] = states0[0]
        states, caches = list(states0), []
        for t in range(T):
            new, cache = cell.step_forward(X[t], states)
            if self._masked:                  # a padded step keeps every state (module docstring)
                m = M[t][:, None]
                new = [m * s_new + (1 - m) * s for s_new, s in zip(new, states)]
            states = list(new)
            caches.append(cache)
            H[t + 1] = states[0]
        self._caches = caches
        self._record(X, H=H)
        return H, states

    def _loop_backward(self, cell, G, dfinal, need_dx=True):
        """BPTT through :meth:`_loop_forward`: the cell's step backward, t = T..1."""
        T, B, _ = G.shape
        for g in self.grads.values():
            g[...] = 0
        X = self.last_pass.X
        # ds: dL/d(states after step t) arriving through step t+1; at t = T the final states'
        # own gradients (h's is already in G[T-1], see Recurrent.backward)
        ds = [np.zeros((B, size), dtype=self.dtype) if k == 0 or dfinal[k] is None
              else np.array(dfinal[k], dtype=self.dtype)
              for k, size in enumerate(cell.state_sizes)]
        dX = np.empty_like(X)
        for t in range(T - 1, -1, -1):
            ds[0] = ds[0] + G[t]                                 # h_t: from above and from t+1
            m = self._M[t][:, None]
            dx, dprev = cell.step_backward([m * d for d in ds], self._caches[t])
            dX[t] = dx
            ds = [dp + (1 - m) * d for dp, d in zip(dprev, ds)]  # straight over padding
        return (dX if need_dx else None), ds

    # ---- Keras layout: kernel = Uᵀ (D, k·u), recurrent_kernel = Wᵀ (u, k·u), bias ---------------
    # (``use_bias=False``: no bias, as Keras: two arrays)
    def keras_weight_names(self):
        return ["kernel", "recurrent_kernel", "bias"][:3 if self.use_bias else 2]

    def _get_keras_weights(self):
        p = self.params
        return [p["U"].T.copy(), p["W"].T.copy()] + ([p["b"].copy()] if self.use_bias else [])

    def _set_keras_weights(self, w):
        self.params["U"][...] = w[0].T
        self.params["W"][...] = w[1].T
        if self.use_bias:
            self.params["b"][...] = w[2]

    def _get_keras_grads(self):
        g = self.grads
        return [g["U"].T.copy(), g["W"].T.copy()] + ([g["b"].copy()] if self.use_bias else [])

    def get_config(self):
        """The constructor's arguments; the options only where they differ from Keras' defaults,
        so configs saved before the options existed read the same."""
        cfg = dict(super().get_config(), units=self.units, activation=self.activation,
                   return_sequences=self.return_sequences, return_state=self.return_state,
                   go_backwards=self.go_backwards)
        defaults = {"use_bias": True, "zero_output_for_mask": False,
                    "kernel_initializer": "glorot_uniform", "recurrent_initializer": "orthogonal",
                    "bias_initializer": "zeros"}
        defaults.update(dropout=0.0, recurrent_dropout=0.0, stateful=False)
        options = {"use_bias": self.use_bias, "zero_output_for_mask": self.zero_output_for_mask,
                   "dropout": self.dropout, "recurrent_dropout": self.recurrent_dropout,
                   "stateful": self.stateful}
        for arg in ("kernel_initializer", "recurrent_initializer", "bias_initializer"):
            init = initializers.serialize(getattr(self, arg))
            is_default = init == initializers.serialize(initializers.get(defaults[arg]))
            options[arg] = defaults[arg] if is_default else init
        for key, arg in (("U", "kernel_regularizer"), ("W", "recurrent_regularizer"),
                         ("b", "bias_regularizer")):
            if key in self._regularizers:
                options[arg] = self._regularizers[key].get_config()
        cfg.update((k, v) for k, v in options.items() if defaults.get(k, None) != v)
        return cfg
