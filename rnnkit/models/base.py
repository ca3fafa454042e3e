"""Model: what every rnnkit model shares (compile, fit, evaluate, predict, gradients, weights).

A subclass says only how data flows: its ``inputs`` (one array or a pair, see
:mod:`rnnkit.models.inputs`), ``build``, ``forward`` and ``_backward_segments`` (which layers
backward runs through, in which order, starting from which gradient). Everything else is here, once:

* Training is one path: ``forward`` (masks flow alongside the data), the loss and its gradient,
  ``zero_grads()`` on every layer, ``backward`` through the layers in reverse, then one optimizer
  call on the flat parameter vector.
* Every layer's ``params``/``grads`` arrays are views into two flat vectors, so the optimizer
  updates the whole model at once and the gradient's finiteness is one sum.
* A model asks its layers only what :class:`rnnkit.layers.Layer` declares.
* Reported numbers are combined over batches as Keras 3 combines them. The loss of one batch is
  the mean over its unmasked positions; the epoch's (or ``evaluate``'s) loss is the mean of the
  batch losses weighted by each batch's number of samples (Keras' loss tracker,
  ``update_state(loss, sample_weight=batch_size)``), so a last partial batch counts less, and
  with a mask a batch of few real steps counts as much as its samples. A metric is the mean over
  every unmasked position of all batches (Keras' metrics accumulate a total and a count).
"""
import math
import time
from collections.abc import Sequence

import numpy as np

from .. import config, losses as losses_mod, metrics as metrics_mod, optimizers, threads
from ..callbacks import as_callbacks
from ..errors import NonFiniteLossError, ShapeError
from ..kernels import optim as optim_kernels
from ..layers.base import Layer
from .inputs import OneArray
from .progress import ProgressBar, check_verbose, close_open_bars, with_progress_bar
from .summary import LINE_LENGTH, summary_html, summary_text

#: when ``batch_size`` is not given, as Keras
DEFAULT_BATCH_SIZE = 32


class History(Sequence):
    """What ``fit`` returns, as Keras' History; also the sequence of its epochs' rows, so it goes
    wherever a history goes (``draw_loss_curves([("rnn", history)])``, ``loss_figure``).

    ``history.history`` has exactly Keras' keys: ``loss``, each compiled metric, ``val_loss`` and
    ``val_<metric>`` with validation data, and whatever a callback adds to the logs; one value per
    epoch. ``history.epoch`` lists the epochs run, counted from 0 as Keras does;
    ``history.params`` is Keras' ``{"verbose", "epochs", "steps"}`` (steps: batches per epoch).
    ``fit`` keeps it as ``model.history`` from its start, so an interrupted fit (Ctrl-C, an
    error) still has every epoch it finished.

    Beside them, rnnkit's own: ``epoch_seconds`` (each epoch's wall-clock time) and ``rows``, one
    dict per epoch with the logs plus ``epoch`` (counted from 1) and ``seconds``: the rows the run
    folder writes to history.csv/json. ``model`` is the model ``fit`` trained, as in Keras.
    """

    #: keys of a row that are rnnkit's bookkeeping, not Keras' logs
    BOOKKEEPING = ("epoch", "seconds")

    def __init__(self, params=None, model=None):
        self.params = dict(params or {})
        self.model = model                  # as Keras' History.model: the model fit trained
        self.history = {}
        self.epoch = []
        self.epoch_seconds = []
        self.rows = []

    def __getitem__(self, index):
        return self.rows[index]

    def __len__(self):
        return len(self.rows)

    def append(self, row):
        self.rows.append(row)
        self.epoch.append(row["epoch"] - 1)
        self.epoch_seconds.append(row["seconds"])
        for k, v in row.items():
            if k not in self.BOOKKEEPING:
                self.history.setdefault(k, []).append(v)


class Model:
    """Base of Sequential and EncoderDecoder; see the module docstring."""

    #: how inputs are checked, counted and cut into batches (:mod:`rnnkit.models.inputs`)
    inputs = OneArray()

    def __init__(self, layers=(), name="model"):
        self.name = name
        self.layers = list(layers)
        self.built = False
        self.loss = None
        self.optimizer = None
        self.metric_names = []
        self.stop_training = False
        self.history = None               # the History of the last fit (Keras' model.history)
        self._ones = None
        self._every_layer = self._penalties = None   # facts of the built model (_build_stacks)
        self._backward_plans = {}

    # ---- what a subclass supplies -------------------------------------------------------------
    def build(self, *input_shapes):
        """Build every layer for inputs of ``input_shapes`` (no batch axis)."""
        raise NotImplementedError

    def forward(self, x, mask=None):
        """Run the model on (checked) inputs ``x``; returns (output, mask of the output or None)."""
        raise NotImplementedError

    def _backward_segments(self, dy):
        """``(layers, dy, dstates)`` for each run of layers backward goes through, in order: the
        gradient arriving at the last of ``layers`` (and at its final states). An iterable; a
        generator where a segment reads what the previous one computed (an encoder's dstates
        from its decoder)."""
        raise NotImplementedError

    # ---- structure ------------------------------------------------------------------------------
    def _build_stacks(self, stacks, dtype_layer):
        """Name the layers and build each ``(layers, input_shape)`` stack; then the model's
        ``dtype`` is ``dtype_layer``'s and the parameters are flattened into the model's vectors."""
        self._name_layers()
        self.output_shapes = []
        for layers, shape in stacks:
            for layer in layers:
                if not layer.built:
                    layer.build(shape)
                shape = layer.compute_output_shape(shape)
                self.output_shapes.append(shape)
        self.dtype = np.dtype(dtype_layer.dtype or config.dtype())
        self._flatten_parameters()
        self._read_layer_facts()
        self.built = True

    def _read_layer_facts(self):
        """What every training step asks of the layers, read once per build (the layers and their
        options do not change until the model is built again: ``add`` rebuilds it): every layer
        the model runs, wrappers' sublayers included, and ``(layer, key, regularizer)`` for each
        penalised weight, in the order the penalties are summed."""
        every, stack = [], list(self.layers)
        while stack:
            layer = stack.pop()
            every.append(layer)
            stack.extend(layer.sublayers())
        self._every_layer = tuple(every)
        self._backward_plans = {}                 # see _backward_calls
        self._penalties = tuple((layer, key, regularizer) for layer in every
                                for key, regularizer in layer.regularizers())
        # the layers whose zero_grads has something to do: Layer's own does nothing for a layer
        # that overwrites every gradient and runs no sublayers (the step calls only these)
        self._zeroed = tuple(layer for layer in self.layers
                             if type(layer).zero_grads is not Layer.zero_grads
                             or layer.sublayers() or not layer.overwrites_grads)

    def _name_layers(self):
        taken = {l.name for l in self.layers if not l.auto_named}
        counts = {}
        for layer in self.layers:
            if not layer.auto_named:
                continue
            base = layer.keras_name
            k = counts.get(base, 0)
            name = base if k == 0 else f"{base}_{k}"
            while name in taken:
                k += 1
                name = f"{base}_{k}"
            counts[base] = k + 1
            layer.name = name
            taken.add(name)

    def _flatten_parameters(self):
        slots = [slot for layer in self.layers for slot in layer.parameter_slots()]
        n = sum(params[key].size for params, _, key in slots)
        self._flat_params = np.zeros(n, dtype=self.dtype)
        self._flat_grads = np.zeros(n, dtype=self.dtype)
        #: (start, stop) of each weight in the flat vectors: what the optimizer's clipnorm clips
        self._weight_slices = []
        at = 0
        for params, grads, key in slots:
            p = params[key]
            self._weight_slices.append((at, at + p.size))
            view = self._flat_params[at:at + p.size].reshape(p.shape)
            view[...] = p
            params[key] = view
            grads[key] = self._flat_grads[at:at + p.size].reshape(p.shape)
            at += p.size

    def _ensure_built(self, x):
        if not self.built:
            self.build(*self.inputs.shapes(x))

    def count_params(self):
        self._build_if_needed()
        return int(sum(layer.count_params() for layer in self.layers))

    def _build_if_needed(self):
        if not self.built:
            self.build()

    def summary(self, explain=False, print_fn=None, line_length=None):
        """Print Keras 3's summary table (:mod:`rnnkit.models.summary`: ``line_length`` None is
        Keras' 76 columns of non-terminal output); ``explain=True`` adds the lecture's parameter
        arithmetic."""
        self._build_if_needed()
        (print_fn or print)(summary_text(self, explain=explain,
                                         line_length=line_length or LINE_LENGTH))

    def layer_groups(self):
        """``(group name, layers)`` in the order data flows: one unnamed group, the layers, for a
        model whose layers form one stack; :class:`EncoderDecoder` names its encoder and decoder.
        What ``repr(model)`` and :func:`rnnkit.plot_model` show."""
        return [(None, self.layers)]

    def __repr__(self):
        """``print(model)`` as in PyTorch: the class and name, then each layer on its own line
        (its repr: units, activation, output shape, parameter count) and the total. Builds the
        model first when its input shape is known, as ``summary()`` and ``_repr_html_`` do."""
        try:
            self._build_if_needed()
        except ValueError:                 # no input shape yet: the layers' options alone
            pass
        lines = [f"{type(self).__name__}(name={self.name!r},"]
        for group, layers in self.layer_groups():
            indent = "  "
            if group is not None:
                lines.append(f"  ({group}):")
                indent = "    "
            lines += [f"{indent}({layer.name}): {layer!r}" for layer in layers]
        total = f"params={self.count_params():,}" if self.built else "not built"
        return "\n".join(lines + [f")  {total}"])

    def _repr_html_(self):
        """Jupyter shows a model as its summary table (None, so the text repr, until it knows
        its input shape)."""
        try:
            self._build_if_needed()
        except ValueError:                 # the input shape is unknown: say so in the text repr
            return None
        return summary_html(self)

    # ---- weights -------------------------------------------------------------------------------
    def get_weights(self):
        """Every layer's weights in Keras' layout and order."""
        self._build_if_needed()
        return [w for layer in self.layers for w in layer.get_weights()]

    def set_weights(self, weights):
        self._build_if_needed()
        weights = list(weights)
        expected = sum(len(layer.get_weights()) for layer in self.layers)
        if len(weights) != expected:
            raise ValueError(f"model {self.name!r}: set_weights expects {expected} arrays, "
                             f"got {len(weights)}")
        for layer in self.layers:
            n = len(layer.get_weights())
            layer.set_weights(weights[:n])
            weights = weights[n:]

    # ---- running -------------------------------------------------------------------------------
    def reset_states(self):
        """Zero the carried states of every stateful layer (tf.keras' ``model.reset_states()``;
        Keras 3 resets layer by layer). fit never calls it: a stateful run resets where its data
        starts over (e.g. each epoch, with a callback's ``on_epoch_begin``)."""
        stack = list(self.layers)
        while stack:
            layer = stack.pop()
            if layer.stateful:
                layer.reset_state()
            else:
                stack.extend(layer.sublayers())

    def reset_state(self):
        """The same as :meth:`reset_states` (Keras 3's layers spell it so)."""
        self.reset_states()

    def __call__(self, x):
        return self.forward(x)[0]

    def backward(self, dy, fused=False, need_dx=True):
        """Backpropagate dL/d(output) ``dy`` (dL/dz of the output layer's logits when ``fused``)
        through every layer, filling their ``grads``; returns dL/d(input), or None with
        ``need_dx=False`` (training: nobody reads it, so the first layer may skip it).

        A layer gets a keyword only where it differs from its default (``fused``: the output
        layer; ``dstates``: the last layer of a segment; ``need_dx=False``: a segment's first
        layer, whose input is data), so a subclass overriding ``backward`` with fewer keywords
        still runs. A layer that returns no input gradient ends its segment.
        """
        dx = None
        for k, (layers, dy, dstates) in enumerate(self._backward_segments(dy)):
            for layer, options in self._backward_calls(k, layers, fused, need_dx):
                if dstates is not None:      # the segment's last layer: its final states' too
                    options, dstates = dict(options, dstates=dstates), None
                dy = layer.backward(dy, **options)
                if dy is None:
                    break
            dx = dy
        return dx

    def _backward_calls(self, k, layers, fused, need_dx):
        """``(layer, keywords)`` for each layer of backward segment ``k`` (``layers``), last layer
        first: the keywords of :meth:`backward` (``dstates`` aside). They depend only on where a
        layer sits, so they are worked out once per build and kept (a step reuses them)."""
        key = (k, fused, need_dx)
        kept = self._backward_plans.get(key)
        if kept is not None and kept[0] is layers:
            return kept[1]
        calls = []
        for i in range(len(layers) - 1, -1, -1):
            layer, options = layers[i], {}
            if fused and layer is self.layers[-1]:
                options["fused"] = True
            if i == 0 and not (need_dx and layer is self.layers[0]):
                options["need_dx"] = False
            calls.append((layer, options))
        self._backward_plans[key] = layers, tuple(calls)
        return self._backward_plans[key][1]

    def predict(self, x, batch_size=None, verbose=0, bucket_by_length=False):
        """Outputs for ``x``, computed in batches of ``batch_size`` (None: 32, as Keras).

        ``verbose`` as Keras (:mod:`rnnkit.models.progress`; the default here is 0, silent).
        With ``bucket_by_length`` (see ``fit``) the steps past a sequence's length come out as
        zeros.
        """
        verbose = check_verbose(verbose, "predict")
        batch_size = _batch_size(batch_size, "predict")
        x = self.inputs.check(x)
        self._ensure_built(x)
        parts = []
        with ProgressBar(verbose).begin(math.ceil(self.inputs.count(x) / batch_size)) as progress, \
                threads.for_model(self):
            for b, (idx, width) in enumerate(self._batches(x, batch_size, None, bucket_by_length)):
                parts.append((idx, self.forward(self.inputs.take(x, idx, width))[0]))
                progress.update(b + 1, {})
        progress.end({})
        if not parts:
            return np.zeros((0,) + tuple(self.output_shapes[-1]))
        first = parts[0][1]
        steps = (np.shape(x)[1] if bucket_by_length else first.shape[1],) if first.ndim == 3 else ()
        out = np.zeros((self.inputs.count(x),) + steps + first.shape[1 + len(steps):],
                       dtype=first.dtype)
        for idx, pred in parts:
            if steps:
                out[idx, :pred.shape[1]] = pred
            else:
                out[idx] = pred
        return out

    # ---- training ------------------------------------------------------------------------------
    def compile(self, loss="mse", optimizer="rmsprop", metrics=None):
        """Choose the loss, the optimizer (a name or an object) and metrics (e.g. ["accuracy"])."""
        self.loss = losses_mod.get(loss)
        self.optimizer = optimizers.get(optimizer)
        self.metric_names = list(metrics or [])
        for m in self.metric_names:
            metrics_mod.get(m)

    def _require_compiled(self, what):
        if self.loss is None:
            raise RuntimeError(f"model {self.name!r}: call compile(loss=..., optimizer=...) before "
                               f"{what}()")

    def _weights(self, y_pred, mask):
        """1 for every target position that counts, 0 for padding: shape y_pred.shape[:-1]."""
        lead = y_pred.shape[:-1]
        if mask is not None and np.shape(mask) == lead:
            return np.asarray(mask, dtype=y_pred.dtype)
        ones = self._ones                        # kept between batches; nothing writes to it
        if ones is None or ones.shape != lead or ones.dtype != y_pred.dtype:
            ones = self._ones = np.ones(lead, dtype=y_pred.dtype)
        return ones

    def _loss_and_backward(self, x, y):
        """The training loss and its gradients for one batch: the one place a model trains, so
        the only one that sets ``training`` on its layers (and sublayers) for the pass (dropout
        on; evaluate/predict run with it off, as Keras' fit vs. evaluate/predict)."""
        self._ensure_built(x)
        every_layer = self._every_layer
        for layer in every_layer:
            layer.training = True
        try:
            y_pred, mask = self.forward(x)
            w = self._weights(y_pred, mask)
            value, grad, fused = self.loss.compute(self.layers[-1], y_pred, y, w)
            if not math.isfinite(value):
                return value, y_pred, w
            for layer in self._zeroed:
                layer.zero_grads()
            self.backward(grad, fused=fused, need_dx=False)
        finally:
            for layer in every_layer:
                layer.training = False
        if self._penalties:
            value += self._regularization(add_gradients=True)
        return value, y_pred, w

    def _regularization(self, add_gradients=False):
        """The sum of every weight penalty (``kernel_regularizer=`` ...; 0.0 without any), added
        to the loss as Keras adds ``model.losses``; ``add_gradients``: also add each penalty's
        gradient into its weight's gradient."""
        total = 0.0
        for layer, key, regularizer in self._penalties:
            total += regularizer.penalty(layer.params[key])
            if add_gradients:
                regularizer.add_gradient(layer.params[key], layer.grads[key])
        return total

    def gradients(self, x, y):
        """``(loss, grads)`` for one batch, without updating: grads align with ``get_weights()``."""
        self._require_compiled("gradients")
        self._check_xy(x, y)
        value, _, _ = self._loss_and_backward(x, y)
        return value, [g for layer in self.layers for g in layer.keras_grads()]

    def train_on_batch(self, x, y):
        """One optimizer step on one batch; returns the loss before the step."""
        self._require_compiled("train_on_batch")
        x = self.inputs.check(x)
        n = self._check_xy(x, y)
        # small models: one BLAS thread, batch split over cores
        with threads.for_model(self, batch=n):
            return self._train_step(x, y)[0]

    def _train_step(self, x, y):
        value, y_pred, w = self._loss_and_backward(x, y)
        if not math.isfinite(value):
            raise NonFiniteLossError(
                f"the loss became {value} (not finite); the weights were left as they were before "
                f"this batch. Lower the learning rate or clip the gradients, e.g. "
                f"optimizer=Adam(learning_rate=1e-4, clipnorm=1.0).")
        # a finite loss can still overflow its gradient (one pass over the flat vector, in a
        # kernel: a NumPy sum costs more than the whole update at the lecture's sizes)
        if not optim_kernels.all_finite(self._flat_grads):
            raise NonFiniteLossError(
                f"the loss is {value:.3g} but its gradient overflowed (not finite); the weights were "
                f"left as they were before this batch. Lower the learning rate, clip the gradients "
                f"(e.g. optimizer=Adam(learning_rate=1e-4, clipnorm=1.0)) or rescale the data.")
        self.optimizer.apply(self._flat_params, self._flat_grads, self._weight_slices)
        return value, y_pred, w

    @staticmethod
    def _cut(y, index, width=None):
        """Rows ``index`` of the targets, cut to ``width`` timesteps when they have a time axis."""
        y = y[index]
        return y if width is None or y.ndim < 2 else y[:, :width]

    def _batches(self, x, batch_size, rng=None, bucket_by_length=False):
        """``(index, width)`` per batch. Plain: consecutive rows (shuffled when ``rng`` is given),
        ``width`` None. Bucketed: rows of similar length together, each batch cut to its longest
        sequence (``width``) — padding costs as much as words, so this saves most of it. Inputs
        that cannot be bucketed are refused here, before the first batch; ``rng`` is drawn from
        only when the batches are read."""
        if bucket_by_length:
            return _bucketed_batches(self.inputs.lengths(x), batch_size, rng)
        return _plain_batches(self.inputs.count(x), batch_size, rng)

    def _check_xy(self, x, y):
        """The number of samples; a ShapeError unless x and y have the same."""
        n = self.inputs.count(x)
        if n != len(y):
            raise ShapeError(f"model {self.name!r}: x has {n} samples but y has {len(y)}; "
                             f"they must have the same first dimension")
        return n

    def evaluate(self, x, y, batch_size=None, verbose=0, bucket_by_length=False):
        """Loss and metrics over ``(x, y)``, in batches of ``batch_size`` (None: 32, as Keras).

        ``verbose`` as Keras (:mod:`rnnkit.models.progress`; the default here is 0, silent).
        Returns the loss alone when no metrics were compiled, else ``[loss, metric, ...]``.
        """
        verbose = check_verbose(verbose, "evaluate")
        logs = self._evaluate_logs(x, y, _batch_size(batch_size, "evaluate"), bucket_by_length,
                                   verbose)
        values = list(logs.values())
        return values[0] if len(values) == 1 else values

    def _evaluate_logs(self, x, y, batch_size=DEFAULT_BATCH_SIZE, bucket_by_length=False,
                       verbose=0):
        with threads.for_model(self), ProgressBar(verbose) as progress:
            return self._evaluate_logs_unlimited(x, y, batch_size, bucket_by_length, progress)

    def _evaluate_logs_unlimited(self, x, y, batch_size, bucket_by_length, progress):
        self._require_compiled("evaluate")
        x, y = self.inputs.check(x), np.asarray(y)
        self._check_xy(x, y)
        totals = dict.fromkeys(["loss"] + self.metric_names, 0.0)
        samples = count = 0.0
        n_samples = self.inputs.count(x)
        # bucketed batches are not Keras' batches: keep each sample's loss to regroup at the end
        sample_sums, sample_counts = np.zeros(n_samples), np.zeros(n_samples)
        progress.begin(math.ceil(n_samples / batch_size))
        for b, (idx, width) in enumerate(self._batches(x, batch_size, None, bucket_by_length)):
            xb, yb = self.inputs.take(x, idx, width), self._cut(y, idx, width)
            y_pred, mask = self.forward(xb)
            w = self._weights(y_pred, mask)
            n = float(w.sum())
            batch = self.inputs.count(xb)
            if bucket_by_length:
                sample_sums[idx], sample_counts[idx] = self._sample_losses(y_pred, yb, w)
            else:
                totals["loss"] += batch * self.loss.compute(self.layers[-1], y_pred, yb, w)[0]
            for m in self.metric_names:
                totals[m] += n * metrics_mod.get(m)(y_pred, yb, w, self.loss.name)
            samples += batch
            count += n
            running = _means(totals, samples, count)
            if bucket_by_length:              # the loss is known only once every sample is in
                del running["loss"]
            progress.update(b + 1, running)
        if bucket_by_length:
            totals["loss"] = _loss_of_plain_batches(sample_sums, sample_counts, batch_size)
        logs = _means(totals, samples, count)
        logs["loss"] += self._regularization()     # the same in every batch: weights are fixed
        progress.end(logs)
        return logs

    def _sample_losses(self, y_pred, y, w):
        """Each sample's summed loss over its unmasked positions, and their number."""
        counts = w.reshape(len(w), -1).sum(axis=1)
        sums = np.zeros(len(w))
        for i in np.flatnonzero(counts):
            only_i = np.zeros_like(w)
            only_i[i] = w[i]
            sums[i] = counts[i] * self.loss.compute(self.layers[-1], y_pred, y, only_i)[0]
        return sums, counts

    def fit(self, x, y, epochs=1, batch_size=32, validation_data=None, validation_split=0.0,
            shuffle=True, verbose=1, callbacks=None, bucket_by_length=False, initial_epoch=0):
        """Train for ``epochs`` passes over ``(x, y)``; returns a History.

        ``validation_data=(xv, yv)`` or ``validation_split`` (the last fraction of x, as Keras)
        adds val_loss and val_<metric> per epoch. ``verbose`` as Keras: 0 silent, 1 or "auto" a
        progress bar per epoch, 2 one line per epoch (:mod:`rnnkit.models.progress`); the returned
        :class:`History` has Keras' keys, with each epoch's time in ``history.epoch_seconds``.
        ``bucket_by_length=True`` (for padded token ids read by an Embedding with mask_zero)
        batches sequences of similar length together and cuts each batch to its longest
        sequence; the result is the same model, reached faster. (``evaluate`` with bucketing
        reports the loss of Keras' consecutive batches all the same.)
        ``callbacks``: :class:`rnnkit.callbacks.Callback` instances (a callback stops training by
        setting ``model.stop_training = True``). ``initial_epoch`` (as Keras): the epochs already
        done, so a resumed run trains epochs ``initial_epoch + 1 .. epochs``.
        Stateful layers (``stateful=True``) carry their states from batch to batch here too, as
        Keras: pass ``shuffle=False`` (a shuffled batch's row i does not continue the row i
        before it; neither Keras nor rnnkit warns) and a multiple of ``batch_size`` samples. fit
        resets no state: call ``reset_states()`` where the data start over, e.g. in a
        callback's ``on_epoch_begin``.
        """
        self._require_compiled("fit")
        verbose = check_verbose(verbose, "fit")
        x, y = self.inputs.check(x), np.asarray(y)
        self._check_xy(x, y)
        if not (isinstance(epochs, int) and epochs >= 0):
            raise ValueError(f"fit: epochs must be a non-negative integer, got {epochs!r}")
        batch_size = _batch_size(batch_size, "fit")
        if validation_data is None and validation_split:
            if not 0 < validation_split < 1:
                raise ValueError(f"fit: validation_split must be in (0, 1), got {validation_split}")
            cut = int(self.inputs.count(x) * (1 - validation_split))
            validation_data = (self.inputs.take(x, slice(cut, None)), y[cut:])
            x, y = self.inputs.take(x, slice(None, cut)), y[:cut]
        self._ensure_built(x)
        callbacks = with_progress_bar(as_callbacks(callbacks), verbose)
        n = self.inputs.count(x)
        n_batches = math.ceil(n / batch_size)
        # kept on the model from the start, as Keras: an interrupted fit loses no epoch
        history = self.history = History(params={"verbose": verbose, "epochs": epochs,
                                                 "steps": n_batches}, model=self)
        self.stop_training = False
        for cb in callbacks:
            cb.on_train_begin(self, epochs)
        try:
            with threads.for_model(self):  # small models: one BLAS thread, batch split over cores
                self._fit_epochs(x, y, range(initial_epoch + 1, epochs + 1), batch_size,
                                 n_batches, validation_data, shuffle, bucket_by_length,
                                 callbacks, history)
        finally:                           # after an error or Ctrl-C too: no bar left half-drawn
            close_open_bars()
        for cb in callbacks:
            cb.on_train_end(history)
        return history

    def _fit_epochs(self, x, y, epochs, batch_size, n_batches, validation_data, shuffle,
                    bucket_by_length, callbacks, history):
        for epoch in epochs:
            start = time.perf_counter()
            batches = self._batches(x, batch_size, config.rng() if shuffle else None,
                                    bucket_by_length)
            for cb in callbacks:
                cb.on_epoch_begin(epoch, n_batches)
            sums = dict.fromkeys(["loss"] + self.metric_names, 0.0)
            samples = seen = 0.0
            for b, (idx, width) in enumerate(batches):
                xb, yb = self.inputs.take(x, idx, width), self._cut(y, idx, width)
                try:
                    loss, y_pred, w = self._train_step(xb, yb)
                except NonFiniteLossError as err:
                    raise NonFiniteLossError(f"epoch {epoch}, batch {b + 1}: {err}") from None
                count, batch = float(w.sum()), self.inputs.count(xb)
                sums["loss"] += loss * batch      # weighted by samples (module docstring)
                for m in self.metric_names:       # on the batch's predictions, as Keras reports
                    sums[m] += count * metrics_mod.get(m)(y_pred, yb, w, self.loss.name)
                samples += batch
                seen += count
                for cb in callbacks:
                    cb.on_batch_end(b + 1, _means(sums, samples, seen))
                if self.stop_training:
                    break
            row = {"epoch": epoch}
            row.update(_means(sums, max(samples, 1.0), max(seen, 1.0)))
            if validation_data is not None:       # in batches of batch_size, as Keras
                row.update({f"val_{k}": v for k, v in self._evaluate_logs(
                    *validation_data, batch_size, bucket_by_length=bucket_by_length).items()})
            row["seconds"] = time.perf_counter() - start
            for cb in callbacks:              # before the row is kept: callbacks may add to it
                cb.on_epoch_end(epoch, row)
            history.append(row)
            if self.stop_training:
                break

    # ---- files ---------------------------------------------------------------------------------
    def save(self, path):
        """Save architecture (JSON) and weights (npz) to one file, atomically. See rnnkit.load_model."""
        from .saving import save_model
        save_model(self, path)

    @staticmethod
    def _layer_configs(layers):
        return [{"class": type(l).__name__, "config": l.get_config()} for l in layers]


def _loss_of_plain_batches(sums, counts, batch_size):
    """The summed loss, over samples, of consecutive batches of ``batch_size`` (Keras' batches)
    given each sample's loss sum and unmasked count: what ``_means`` divides by the samples."""
    total = 0.0
    for start in range(0, len(sums), batch_size):
        rows = slice(start, start + batch_size)
        n = counts[rows].sum()
        if n:                          # a batch of padding alone adds 0, as Keras' divide_no_nan
            total += len(sums[rows]) * sums[rows].sum() / n
    return total


def _means(totals, samples, count):
    """The logs from running totals: the loss per sample, each metric per unmasked position."""
    return {k: v / (samples if k == "loss" else count) for k, v in totals.items()}


def _batch_size(batch_size, what):
    """``batch_size``, or Keras' default when None; a ValueError unless a positive integer."""
    if batch_size is None:
        return DEFAULT_BATCH_SIZE
    if not (isinstance(batch_size, (int, np.integer)) and not isinstance(batch_size, bool)
            and batch_size > 0):
        raise ValueError(f"{what}: batch_size must be a positive integer, got {batch_size!r}")
    return int(batch_size)


def _plain_batches(n, batch_size, rng):
    if rng is None:
        for i in range(0, n, batch_size):
            yield slice(i, i + batch_size), None
    else:
        order = rng.permutation(n)
        for i in range(0, n, batch_size):
            yield order[i:i + batch_size], None


def _bucketed_batches(lengths, batch_size, rng):
    n = len(lengths)
    # sorted by length; ties broken at random so batches differ between epochs
    order = (np.argsort(lengths, kind="stable") if rng is None else
             np.lexsort((rng.random(n), lengths)))
    runs = [order[i:i + batch_size] for i in range(0, n, batch_size)]
    if rng is not None:
        runs = [runs[k] for k in rng.permutation(len(runs))]
    for idx in runs:
        yield idx, max(int(lengths[idx].max()), 1)
