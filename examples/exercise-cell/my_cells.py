"""Exercise: write a recurrent cell's step and its backpropagation through time.

Fill in the TODOs, then check your work (from this folder)::

    rnnkit check --cell my_cells:ElmanCell
    rnnkit check --cell my_cells:MinimalGatedCell

Each check that fails says which equation is off (e.g. "dW wrong at t = 1, 2, 3, 4; dU, db, dx_t,
dh_{t-1} fine"). docs/exercises.md walks through both cells; solutions.py has one answer.

The contract (rnnkit.layers.cells.Cell): x is (batch, input_dim), every state (batch, units); rows
are sequences, so the lecture's U x_t is ``x @ U.T``. Read weights from ``self.params`` and *add*
into ``self.grads`` (``+=``): the layer sums the steps' shares over time.
"""
import numpy as np

from rnnkit import config
from rnnkit.layers.cells import Cell


class ElmanCell(Cell):
    """Exercise 1, the lecture's simple RNN step: h_t = tanh(U x_t + W h_{t-1} + b_xh)."""

    def __init__(self, units=3):
        self.state_sizes = (units,)              # one state, h: it is also the output

    def build(self, input_dim):
        rng = config.rng()
        self.add_weight("U", rng.uniform(-0.5, 0.5, size=(self.units, input_dim)))
        self.add_weight("W", rng.uniform(-0.5, 0.5, size=(self.units, self.units)))
        self.add_weight("b", np.zeros(self.units))

    def step_forward(self, x, states):
        h_prev = states[0]
        # TODO: a_t = U x_t + W h_{t-1} + b_xh, h_t = tanh(a_t)
        # return [h_t], cache   (cache: whatever step_backward needs, e.g. (x, h_prev, h_t))
        raise NotImplementedError("ElmanCell.step_forward: write h_t = tanh(U x_t + W h_{t-1} + b)")

    def step_backward(self, dstates, cache):
        dh = dstates[0]                          # dL/dh_t, from above and from step t+1
        # TODO: da_t = dh_t * tanh'(a_t); add da_t's products into self.grads["U"], ["W"], ["b"];
        # return dx_t, [dh_{t-1}]
        raise NotImplementedError("ElmanCell.step_backward: backprop through tanh, then the products")

    def get_config(self):
        return {"units": self.units}


class MinimalGatedCell(Cell):
    """Exercise 2, a minimal gated unit (Zhou et al., 2016): one gate f_t decides how much of h
    to rewrite::

        f_t = σ(U_f x_t + W_f h_{t-1} + b_f)
        h̃_t = tanh(U_h x_t + W_h (f_t ⊙ h_{t-1}) + b_h)
        h_t = (1 - f_t) ⊙ h_{t-1} + f_t ⊙ h̃_t
    """

    def __init__(self, units=3):
        self.state_sizes = (units,)

    def build(self, input_dim):
        rng = config.rng()
        u = self.units
        for gate in ("f", "h"):
            self.add_weight(f"U_{gate}", rng.uniform(-0.5, 0.5, size=(u, input_dim)))
            self.add_weight(f"W_{gate}", rng.uniform(-0.5, 0.5, size=(u, u)))
            self.add_weight(f"b_{gate}", np.zeros(u))

    def step_forward(self, x, states):
        # TODO: the three equations of the docstring; return [h_t], cache
        raise NotImplementedError("MinimalGatedCell.step_forward: write f_t, h̃_t, h_t")

    def step_backward(self, dstates, cache):
        # TODO: backward through h_t, then h̃_t, then f_t (h_{t-1} is reached three ways)
        raise NotImplementedError("MinimalGatedCell.step_backward: dh_{t-1} has three terms")

    def get_config(self):
        return {"units": self.units}
