"""The Cell contract: one time step, forward and backward, for :class:`rnnkit.layers.RNN`.

A cell is the part of a recurrent layer that differs from one architecture to the next: what one
step computes from x_t and the states before it, and how the gradient goes back through that step.
Everything around the step (the loop over time, masks, ``go_backwards``, ``initial_state``,
``return_state``, stacking, Bidirectional, saving) is the layer's, written once.

What a cell declares and implements
===================================================== ===========================================
``state_sizes``                                       a tuple, one size per state, h first: h is
                                                      the cell's output (as Keras' ``state_size[0]``)
``build(input_dim)``                                  create the weights with ``add_weight(name,
                                                      array)`` (name in the lecture's notation)
``step_forward(x, states) -> (new_states, cache)``    one step for a batch: ``x`` (B, D), ``states``
                                                      a list of (B, size) arrays; ``cache`` is
                                                      whatever the backward step needs
``step_backward(dstates, cache) -> (dx, dprev)``      given dL/d(new states) (a list like
                                                      ``new_states``), *add* this step's share to
                                                      ``self.grads`` (``+=``: the layer sums over
                                                      time) and return dL/dx (B, D) and dL/d(states
                                                      before the step) (a list)
``get_config()``                                      the constructor's arguments (JSON data), so a
                                                      saved model can rebuild the cell
===================================================== ===========================================

Rules that keep a cell checkable and fast:

* read weights as ``self.params[name]`` at every step and update gradients in place
  (``self.grads[name] += ...``): a model re-points both into its flat vectors after ``build``;
* a step must not depend on anything but its arguments and the weights (no state kept on ``self``
  between steps: the cache is how a step talks to its backward);
* the cell never sees the mask: the layer blends states at padded steps and routes the gradient.

``get_weights()`` returns the weights in the order ``build`` created them (as they are stored); a
cell that mirrors a Keras cell overrides the three layout methods to speak Keras' layout
(:class:`~rnnkit.layers.cells.SimpleRNNCell` does). ``rnnkit.testing.check_cell(cell)`` checks a
cell against finite differences, step by step and through time, and names the equation that is off.
"""
import numpy as np

from ... import config
from ...kernels import activations


class Cell:
    """Base class of recurrent cells; see the module docstring for the contract."""

    #: one size per state, h (the output) first
    state_sizes = ()
    #: names of the states in messages (dh_{t−1}, dc_{t−1}); one per state
    state_names = ("h", "c", "n", "m")

    def create_weights(self, input_dim, dtype=None):
        """Called by the layer: fresh ``params``/``grads`` dicts in ``dtype``, then ``build``."""
        self.dtype = np.dtype(dtype or config.dtype())
        self.params, self.grads = {}, {}
        self.build(int(input_dim))

    def add_weight(self, name, value):
        """Store ``value`` as weight ``name`` (in the cell's float type) with a zero gradient."""
        self.params[name] = np.ascontiguousarray(value, dtype=self.dtype)
        self.grads[name] = np.zeros_like(self.params[name])

    @property
    def units(self):
        """The size of h, the cell's output."""
        return int(self.state_sizes[0])

    def build(self, input_dim):
        raise NotImplementedError(f"{type(self).__name__}.build(input_dim) is not written yet: "
                                  f"create the weights there with self.add_weight(name, array)")

    def step_forward(self, x, states):
        raise NotImplementedError(f"{type(self).__name__}.step_forward(x, states) is not written "
                                  f"yet: return (new_states, cache)")

    def step_backward(self, dstates, cache):
        raise NotImplementedError(f"{type(self).__name__}.step_backward(dstates, cache) is not "
                                  f"written yet: add into self.grads, return (dx, dstates_prev)")

    def get_config(self):
        """The constructor's arguments (JSON data); the default: a cell built with none."""
        return {}

    @classmethod
    def from_config(cls, cfg):
        return cls(**cfg)

    # ---- the weights' saved layout (default: as stored, in creation order) --------------------
    def keras_weight_names(self):
        return list(self.params)

    def get_weights(self):
        return [p.copy() for p in self.params.values()]

    def set_weights(self, weights):
        for p, w in zip(self.params.values(), weights):
            p[...] = w

    def keras_grads(self):
        return [g.copy() for g in self.grads.values()]

    def __repr__(self):
        return f"{type(self).__name__}(state_sizes={tuple(self.state_sizes)})"


class KerasLayoutCell(Cell):
    """A cell with the built-in layers' weights: ``params`` U (k·u, D), W (k·u, u), b in the
    lecture's notation; ``get_weights()`` in Keras' layout, kernel = Uᵀ, recurrent_kernel = Wᵀ,
    bias (the built-in cells: SimpleRNNCell, LSTMCell, GRUCell).

    ``recurrent_mask``: None, or a (B, u) recurrent-dropout mask m_h (0 or 1/(1−rate)) that a
    layer with ``recurrent_dropout`` sets for one sequence: every step then uses h_{t-1} ⊙ m_h
    wherever h_{t-1} meets W, and its backward multiplies that path's dh_{t-1} by the same m_h
    (docs/bptt.md, "Dropout"). A step keeps the mask it used in its cache.
    """

    recurrent_mask = None

    def _masked_h(self, h_prev):
        """(h_{t-1} ⊙ m_h, m_h): what meets W this step, and the mask (None: no dropout)."""
        m = self.recurrent_mask
        return (h_prev, None) if m is None else (h_prev * m, m)

    def keras_weight_names(self):
        return ["kernel", "recurrent_kernel", "bias"]

    def get_weights(self):
        p = self.params
        return [p["U"].T.copy(), p["W"].T.copy(), p["b"].copy()]

    def set_weights(self, weights):
        self.params["U"][...] = weights[0].T
        self.params["W"][...] = weights[1].T
        self.params["b"][...] = weights[2]

    def keras_grads(self):
        g = self.grads
        return [g["U"].T.copy(), g["W"].T.copy(), g["b"].copy()]


def activate(a, code):
    """f(a) for a whole (B, n) block, by the kernels' own activation code (float64: exact)."""
    a = np.ascontiguousarray(a)
    out = np.empty_like(a)
    activations.activate_row(a.reshape(-1), out.reshape(-1), code)
    return out


def backprop(a, out, d_out, code):
    """d_out ⊙ f'(a) for a whole block, with ``out`` = f(a) (f' written with its output)."""
    a, out = np.ascontiguousarray(a), np.ascontiguousarray(out)
    da = np.empty_like(a)
    activations.backprop_row(a.reshape(-1), out.reshape(-1),
                             np.ascontiguousarray(d_out).reshape(-1), da.reshape(-1), code)
    return da
