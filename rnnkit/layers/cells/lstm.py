"""LSTMCell: one LSTM step as a cell, forward and backward side by side (Keras' gate order i, f, c, o).

One step, for a batch; z_t = U x_t + W h_{t-1} + b holds the four gates' pre-activations, gate k in
columns [k·u, (k+1)·u)::

    forward                                  backward, given dh_t and dc_t (from step t+1)
    i_t = σ(z_i)                             do_t   = dh_t ⊙ g(c_t)
    f_t = σ(z_f)                             dc     = dc_t + dh_t ⊙ o_t ⊙ g'(c_t)   (through h_t)
    c̃_t = g(z_c)                             di_t   = dc ⊙ c̃_t,  df_t = dc ⊙ c_{t-1},  dc̃_t = dc ⊙ i_t
    o_t = σ(z_o)                             dz     = [di σ'; df σ'; dc̃ g'; do σ']    (through σ, g)
    c_t = f_t ⊙ c_{t-1} + i_t ⊙ c̃_t          dU += dz x_tᵀ, dW += dz h_{t-1}ᵀ, db += dz
    h_t = o_t ⊙ g(c_t)                       dx_t = Uᵀ dz, dh_{t-1} = Wᵀ dz, dc_{t-1} = dc ⊙ f_t

The equations of :mod:`rnnkit.kernels.lstm`, one step at a time: ``RNN(LSTMCell(u))`` computes what
``LSTM(u)`` computes (same seed, same weights, the same numbers to rounding).

Recurrent dropout (``recurrent_mask`` m_h set): z_t uses h̄_{t-1} = h_{t-1} ⊙ m_h (one mask for
all four gates; docs/bptt.md §7 compares Keras' per-gate ``implementation=1``), so ``dW += dz h̄_{t-1}ᵀ`` and
``dh_{t-1} = (Wᵀ dz) ⊙ m_h``; c_{t-1} is never dropped.
"""
import numpy as np

from ... import initializers
from ...kernels import activations
from .base import KerasLayoutCell, activate, backprop


class LSTMCell(KerasLayoutCell):
    """The LSTM step (module docstring); two states, h and c.

    Parameters
    ----------
    units : int
    activation : default "tanh"            g
    recurrent_activation : default "sigmoid"   σ
    unit_forget_bias : bool, default True   b_f starts at 1, as Keras

    Weights as :class:`~rnnkit.layers.LSTM`: U (4u, D), W (4u, u), b (4u,); Keras' layout.
    """

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid",
                 unit_forget_bias=True):
        self.state_sizes = (int(units), int(units))
        self.activation, self.recurrent_activation = activation, recurrent_activation
        self.act_code = activations.code_of(activation, activations.ELEMENTWISE, "LSTMCell")
        self.rec_code = activations.code_of(recurrent_activation, activations.ELEMENTWISE,
                                            "LSTMCell recurrent_activation")
        self.unit_forget_bias = bool(unit_forget_bias)

    def build(self, input_dim):
        u = self.units
        # LSTM._build_cell's draws, in its order: the same seed gives the same weights
        self.add_weight("U", initializers.glorot_uniform((input_dim, 4 * u), self.dtype).T)
        self.add_weight("W", initializers.orthogonal((u, 4 * u), self.dtype).T)
        b = np.zeros(4 * u)
        b[u:2 * u] = 1.0 if self.unit_forget_bias else 0.0
        self.add_weight("b", b)

    def step_forward(self, x, states):
        p, u = self.params, self.units
        h_prev, m = self._masked_h(states[0])       # h_{t-1} (⊙ m_h with recurrent dropout)
        c_prev = states[1]
        z = x @ p["U"].T + h_prev @ p["W"].T + p["b"]
        gates = activate(z, self.rec_code)                       # σ on every block ...
        gates[:, 2 * u:3 * u] = activate(z[:, 2 * u:3 * u], self.act_code)   # ... g on c̃
        i, f, c_tilde, o = (gates[:, k * u:(k + 1) * u] for k in range(4))
        c = f * c_prev + i * c_tilde
        g_c = activate(c, self.act_code)
        h = o * g_c
        return [h, c], (x, h_prev, c_prev, z, gates, c, g_c, m)

    def step_backward(self, dstates, cache):
        x, h_prev, c_prev, z, gates, c, g_c, m = cache
        p, g, u = self.params, self.grads, self.units
        dh, dc_next = dstates
        i, f, c_tilde, o = (gates[:, k * u:(k + 1) * u] for k in range(4))
        dc = dc_next + backprop(c, g_c, dh * o, self.act_code)    # through h_t = o_t g(c_t)
        d_gates = np.concatenate([dc * c_tilde, dc * c_prev, dc * i, dh * g_c], axis=1)
        dz = backprop(z, gates, d_gates, self.rec_code)           # through σ ...
        dz[:, 2 * u:3 * u] = backprop(z[:, 2 * u:3 * u], c_tilde, d_gates[:, 2 * u:3 * u],
                                      self.act_code)              # ... and g on c̃
        g["U"] += dz.T @ x
        g["W"] += dz.T @ h_prev
        g["b"] += dz.sum(axis=0)
        dh_prev = dz @ p["W"]
        return dz @ p["U"], [dh_prev if m is None else dh_prev * m, dc * f]

    def get_config(self):
        return {"units": self.units, "activation": self.activation,
                "recurrent_activation": self.recurrent_activation,
                "unit_forget_bias": self.unit_forget_bias}
