"""SimpleRNNCell: the lecture's Elman step as a cell, forward and backward side by side.

One step, for a batch (rows are sequences, so ``U x_t`` is computed as ``x_t Uᵀ``)::

    forward                                    backward, given dh_t = dL/dh_t
    a_t = U x_t + W h_{t-1} + b_xh             da_t      = dh_t ⊙ f'(a_t)     (through f)
    h_t = f(a_t)                               dU       += da_t x_tᵀ
                                               dW       += da_t h_{t-1}ᵀ
                                               db_xh    += da_t
                                               dx_t      = Uᵀ da_t
                                               dh_{t-1}  = Wᵀ da_t

The same equations as :mod:`rnnkit.kernels.simple_rnn`, one step at a time: ``RNN(SimpleRNNCell(u))``
computes what ``SimpleRNN(u)`` computes (the same weights from the same seed, the same numbers to
rounding), on the per-step path where the layer runs the loop over time in Python.

Recurrent dropout (``recurrent_mask`` m_h set): W meets h̄_{t-1} = h_{t-1} ⊙ m_h, so
``dW += da_t h̄_{t-1}ᵀ`` and ``dh_{t-1} = (Wᵀ da_t) ⊙ m_h``.
"""
import numpy as np

from ... import initializers
from ...kernels import activations
from .base import KerasLayoutCell, activate, backprop


class SimpleRNNCell(KerasLayoutCell):
    """The Elman step ``h_t = f(U x_t + W h_{t-1} + b_xh)`` (module docstring).

    Parameters
    ----------
    units : int
        Size u of h_t.
    activation : {"tanh", "relu", "sigmoid", "linear"}, default "tanh"
        The nonlinearity f.

    Weights: ``params`` U (u, D), W (u, u), b (u,); ``get_weights()`` in Keras' layout, as
    :class:`~rnnkit.layers.SimpleRNN`: kernel = Uᵀ, recurrent_kernel = Wᵀ, bias.
    """

    def __init__(self, units, activation="tanh"):
        self.state_sizes = (int(units),)
        self.activation = activation
        self.act_code = activations.code_of(activation, activations.ELEMENTWISE, "SimpleRNNCell")

    def build(self, input_dim):
        u = self.units
        # the draws of SimpleRNN._build_cell, in its order: the same seed gives the same weights
        self.add_weight("U", initializers.glorot_uniform((input_dim, u), self.dtype).T)
        self.add_weight("W", initializers.orthogonal((u, u), self.dtype).T)
        self.add_weight("b", np.zeros(u))

    def step_forward(self, x, states):
        U, W, b = self.params["U"], self.params["W"], self.params["b"]
        h_prev, m = self._masked_h(states[0])           # h_{t-1} (⊙ m_h with recurrent dropout)
        a = x @ U.T + h_prev @ W.T + b                   # a_t = U x_t + W h_{t-1} + b_xh
        h = activate(a, self.act_code)                   # h_t = f(a_t)
        return [h], (x, h_prev, a, h, m)

    def step_backward(self, dstates, cache):
        x, h_prev, a, h, m = cache
        da = backprop(a, h, dstates[0], self.act_code)   # through f: da_t = dh_t ⊙ f'(a_t)
        g = self.grads
        g["U"] += da.T @ x                               # dU += da_t x_tᵀ
        g["W"] += da.T @ h_prev                          # dW += da_t h_{t-1}ᵀ
        g["b"] += da.sum(axis=0)                         # db_xh += da_t
        dh_prev = da @ self.params["W"]                  # Wᵀ da_t
        return da @ self.params["U"], [dh_prev if m is None else dh_prev * m]   # Uᵀ da_t

    def get_config(self):
        return {"units": self.units, "activation": self.activation}
