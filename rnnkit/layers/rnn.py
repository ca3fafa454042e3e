"""RNN(cell): any cell's step, run over time; the per-step path for user-written cells.

The layer runs the loop over time in Python and calls the cell once per step
(:mod:`rnnkit.layers.cells.base` gives the contract). Around the cell it does what every recurrent
layer does (:mod:`rnnkit.layers.recurrent`): batch-first in and out, masks, ``go_backwards``,
``initial_state``, ``return_state``, ``stateful``; so it stacks, goes inside Bidirectional, and
saves like SimpleRNN, LSTM and GRU.

Masks: the cell never sees one. After each step the layer keeps the old states where the step is
padding, and backward splits the incoming gradient the same way::

    forward                                       backward, given ds_t = dL/ds_t for every state s
    s_t = m_t s_t' + (1 - m_t) s_{t-1}            the cell's step gets m_t ds_t
          (s_t' = the cell's new state)           ds_{t-1} = (the cell's dL/ds_{t-1}) + (1 - m_t) ds_t

Backward over time, min-char-rnn's loop: ``for t = T..1``, ds_t for h is G_t (from above) plus what
step t+1 sent back; the cell's ``step_backward`` adds step t's share into its gradients.
"""
import numpy as np

from .base import Layer
from .cells import Cell, cell_from_config, cell_path
from .recurrent import Recurrent


class RNN(Recurrent):
    """Run ``cell`` over a sequence, as ``keras.layers.RNN``.

    Parameters
    ----------
    cell : rnnkit.layers.cells.Cell
        The step (forward and backward) and its ``state_sizes``; h (``state_sizes[0]``) is the
        output. A user-written cell subclasses :class:`~rnnkit.layers.cells.Cell`.
    return_sequences : bool, default False
        Output every h_t, (batch, timesteps, units), instead of the last, (batch, units).
    return_state : bool, default False
        Return ``[output, *final_states]``, one array per state.
    go_backwards : bool, default False
        Read the sequence from its end; the output sequence is in processing order (as Keras).
    zero_output_for_mask : bool, default False
        With a mask and ``return_sequences``, a padded step outputs zero instead of the last
        real output (Keras' flag; Bidirectional sets it on its halves).
    input_shape : tuple (timesteps, features), optional
    stateful : bool, default False
        Carry the final states of each batch into the next, as the built-in layers
        (:mod:`rnnkit.layers.recurrent`: fixed batch size, ``reset_state()``).
    unroll : accepted with no effect (Keras' speed-only flag)

    Weights are the cell's (``layer.params is cell.params``); ``get_weights()`` gives them in the
    cell's saved layout. Saved models store the cell as data: ``"module:Class"`` and its
    ``get_config()``; loading imports that module (it must be importable, as for a plugin).

    Example
    -------
    >>> from rnnkit.layers.cells import SimpleRNNCell
    >>> RNN(SimpleRNNCell(4), return_sequences=True)(np.zeros((2, 5, 3))).shape
    (2, 5, 4)
    """

    keras_name = "rnn"
    #: gradients are summed over time into the cell's dicts, zeroed at the start of backward
    overwrites_grads = True

    def __init__(self, cell, return_sequences=False, return_state=False, go_backwards=False,
                 zero_output_for_mask=False, input_shape=None, name=None, dtype=None,
                 unroll=False, stateful=False, **unsupported):
        for arg in ("dropout", "recurrent_dropout"):
            if unsupported.pop(arg, 0.0) != 0.0:
                raise ValueError(f"RNN({arg}=...): rnnkit applies dropout only in SimpleRNN, LSTM "
                                 f"and GRU (Keras puts it on the cell); use one of those, or "
                                 f"leave {arg} out")
        self._refuse(unsupported)                 # seed, constraints: a message saying why
        if not isinstance(cell, Cell):
            raise TypeError(f"RNN takes a cell, an instance of a subclass of "
                            f"rnnkit.layers.cells.Cell, got {cell!r}")
        sizes = tuple(cell.state_sizes)
        if not sizes:
            raise ValueError(f"{type(cell).__name__}.state_sizes is empty: declare one size per "
                             f"state, h first, e.g. state_sizes = (units,)")
        super().__init__(sizes[0], activation="linear", return_sequences=return_sequences,
                         return_state=return_state, go_backwards=go_backwards,
                         input_shape=input_shape, name=name, dtype=dtype,
                         zero_output_for_mask=zero_output_for_mask, unroll=unroll,
                         stateful=stateful)
        self.activation = None                # the cell owns its nonlinearities: none to fuse with
        self.cell = cell
        self.n_states = len(sizes)

    def _build_cell(self, D):
        self.cell.create_weights(D, self.dtype)
        self.params, self.grads = self.cell.params, self.cell.grads   # one dict: a model re-points both

    def _initial_states(self, initial_state, B):
        if initial_state is None:
            return [np.zeros((B, size), dtype=self.dtype) for size in self.cell.state_sizes]
        states = list(initial_state) if isinstance(initial_state, (list, tuple)) else [initial_state]
        if len(states) != self.n_states or any(np.shape(s) != (B, size)
                                                for s, size in zip(states, self.cell.state_sizes)):
            want = ", ".join(f"(batch, {size})" for size in self.cell.state_sizes)
            raise ValueError(f"layer {self.name!r} (RNN of {type(self.cell).__name__}) takes "
                             f"initial_state as {self.n_states} array(s) of shape {want}, got "
                             f"{[np.shape(s) for s in states]}")
        return [np.ascontiguousarray(s, dtype=self.dtype) for s in states]

    def _cell_forward(self, X, states0, M):
        return self._loop_forward(self.cell, X, states0, M)

    def _cell_backward(self, G, dfinal, need_dx=True):
        return self._loop_backward(self.cell, G, dfinal, need_dx)

    # ---- weights: the cell's layout ------------------------------------------------------------
    def keras_weight_names(self):
        return self.cell.keras_weight_names()

    def _get_keras_weights(self):
        return self.cell.get_weights()

    def _set_keras_weights(self, weights):
        self.cell.set_weights(weights)

    def _get_keras_grads(self):
        return self.cell.keras_grads()

    def explain(self):
        lines = [f"{name} {tuple(p.shape)} = {p.size:,}" for name, p in self.params.items()]
        return lines + [f"total = {self.count_params():,}"]

    def get_config(self):
        cfg = dict(Layer.get_config(self), return_sequences=self.return_sequences,
                   return_state=self.return_state, go_backwards=self.go_backwards,
                   zero_output_for_mask=self.zero_output_for_mask,
                   cell={"class": cell_path(self.cell), "config": self.cell.get_config()})
        if self.stateful:                 # only when set: configs saved before it read the same
            cfg["stateful"] = True
        return cfg

    @classmethod
    def from_config(cls, cfg):
        cfg = dict(cfg)
        return cls(cell_from_config(cfg.pop("cell")), **cfg)

    def __repr__(self):
        return f"RNN({self.cell!r}, name={self.name!r})"
