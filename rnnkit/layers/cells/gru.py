"""GRUCell: one GRU step as a cell, forward and backward side by side (Keras' gate order z, r, h).

``reset_after=True`` (Keras' default): a_x = U x_t + b^in and a_h = W h_{t-1} + b^rec, split into
the z, r, h blocks::

    forward                                  backward, given dh_t
    z_t = σ(a_x,z + a_h,z)                   dh̃   = dh_t ⊙ (1 - z_t);  da_h = dh̃ ⊙ g'
    r_t = σ(a_x,r + a_h,r)                   dz   = dh_t ⊙ (h_{t-1} - h̃_t);  da_z = dz ⊙ σ'
    q_t = a_h,h   (= W_h h_{t-1} + b_h^rec)   dq   = da_h ⊙ r_t;  dr = da_h ⊙ q_t;  da_r = dr ⊙ σ'
    h̃_t = g(a_x,h + r_t ⊙ q_t)               dU += [da_z; da_r; da_h] x_tᵀ,   db^in  += the same
    h_t = z_t ⊙ h_{t-1} + (1 - z_t) ⊙ h̃_t     dW += [da_z; da_r; dq] h_{t-1}ᵀ, db^rec += the same
                                             dx_t = Uᵀ [da_z; da_r; da_h]
                                             dh_{t-1} = dh_t ⊙ z_t + Wᵀ [da_z; da_r; dq]

``reset_after=False`` (Cho et al., 2014): one bias; p_t = r_t ⊙ h_{t-1} enters the candidate,
h̃_t = g(U_h x_t + W_h p_t + b_h), so dp = W_hᵀ da_h, dr = dp ⊙ h_{t-1}, dW_h += da_h p_tᵀ and
dh_{t-1} gains dp ⊙ r_t. The equations of :mod:`rnnkit.kernels.gru`, one step at a time.

Recurrent dropout (``recurrent_mask`` m_h set): h̄_{t-1} = h_{t-1} ⊙ m_h replaces h_{t-1} wherever
it meets W (a_h, and p_t = r_t ⊙ h̄_{t-1} without reset_after), as Keras' GRUCell; the carry
z_t ⊙ h_{t-1} keeps the undropped state. Backward: the W paths' dh̄_{t-1} is multiplied by m_h,
dh_{t-1} = dh_t ⊙ z_t + dh̄_{t-1} ⊙ m_h.
"""
import numpy as np

from ... import initializers
from ...kernels import activations
from .base import KerasLayoutCell, activate, backprop


class GRUCell(KerasLayoutCell):
    """The GRU step (module docstring); one state, h.

    Parameters
    ----------
    units : int
    activation : default "tanh"                g
    recurrent_activation : default "sigmoid"   σ
    reset_after : bool, default True           Keras' default: b is (2, 3u), input and recurrent rows

    Weights as :class:`~rnnkit.layers.GRU`: U (3u, D), W (3u, u), b; Keras' layout.
    """

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", reset_after=True):
        self.state_sizes = (int(units),)
        self.activation, self.recurrent_activation = activation, recurrent_activation
        self.act_code = activations.code_of(activation, activations.ELEMENTWISE, "GRUCell")
        self.rec_code = activations.code_of(recurrent_activation, activations.ELEMENTWISE,
                                            "GRUCell recurrent_activation")
        self.reset_after = bool(reset_after)

    def build(self, input_dim):
        u = self.units
        # GRU._build_cell's draws, in its order: the same seed gives the same weights
        self.add_weight("U", initializers.glorot_uniform((input_dim, 3 * u), self.dtype).T)
        self.add_weight("W", initializers.orthogonal((u, 3 * u), self.dtype).T)
        self.add_weight("b", np.zeros((2, 3 * u) if self.reset_after else 3 * u))

    def step_forward(self, x, states):
        p, u, h_prev = self.params, self.units, states[0]
        h_in, m = self._masked_h(h_prev)        # h̄_{t-1}: what meets W (⊙ m_h with dropout)
        b_in, b_rec = (p["b"][0], p["b"][1]) if self.reset_after else (p["b"], 0.0)
        a_x = x @ p["U"].T + b_in
        if self.reset_after:
            a_h = h_in @ p["W"].T + b_rec
        else:                                    # the candidate's recurrent part waits for r_t
            a_h = h_in @ p["W"][:2 * u].T
        zr = activate(a_x[:, :2 * u] + a_h[:, :2 * u], self.rec_code)
        z, r = zr[:, :u], zr[:, u:]
        if self.reset_after:
            q = a_h[:, 2 * u:]                   # q_t = W_h h_{t-1} + b_h^rec
            a_cand = a_x[:, 2 * u:] + r * q
        else:
            q = r * h_in                         # p_t = r_t ⊙ h_{t-1}
            a_cand = a_x[:, 2 * u:] + q @ p["W"][2 * u:].T
        h_tilde = activate(a_cand, self.act_code)
        h = z * h_prev + (1 - z) * h_tilde
        return [h], (x, h_prev, h_in, m, a_x, a_h, zr, q, a_cand, h_tilde)

    def step_backward(self, dstates, cache):
        x, h_prev, h_in, m, a_x, a_h, zr, q, a_cand, h_tilde = cache
        p, g, u = self.params, self.grads, self.units
        dh = dstates[0]
        z, r = zr[:, :u], zr[:, u:]
        da_h = backprop(a_cand, h_tilde, dh * (1 - z), self.act_code)     # through g
        dh_prev = dh * z                                                    # the carry's share
        if self.reset_after:
            dq, dr = da_h * r, da_h * q
        else:
            dp = da_h @ p["W"][2 * u:]                                      # p_t's gradient
            dr, dh_in = dp * h_in, dp * r
        dzr = backprop(a_x[:, :2 * u] + a_h[:, :2 * u], zr,
                       np.concatenate([dh * (h_prev - h_tilde), dr], axis=1), self.rec_code)
        dx_side = np.concatenate([dzr, da_h], axis=1)                       # [da_z; da_r; da_h]
        g["U"] += dx_side.T @ x
        if self.reset_after:
            dh_side = np.concatenate([dzr, dq], axis=1)                     # [da_z; da_r; dq]
            g["W"] += dh_side.T @ h_in
            g["b"][0] += dx_side.sum(axis=0)
            g["b"][1] += dh_side.sum(axis=0)
            dh_in = dh_side @ p["W"]
        else:
            g["W"][:2 * u] += dzr.T @ h_in
            g["W"][2 * u:] += da_h.T @ q
            g["b"] += dx_side.sum(axis=0)
            dh_in = dh_in + dzr @ p["W"][:2 * u]
        return dx_side @ p["U"], [dh_prev + (dh_in if m is None else dh_in * m)]

    def get_config(self):
        return {"units": self.units, "activation": self.activation,
                "recurrent_activation": self.recurrent_activation, "reset_after": self.reset_after}
