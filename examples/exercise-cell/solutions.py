"""One answer to each exercise of my_cells.py: the steps, forward and backward side by side.

``rnnkit check --cell solutions:ElmanCell`` and ``--cell solutions:MinimalGatedCell`` pass.
"""
import numpy as np

import my_cells


class ElmanCell(my_cells.ElmanCell):
    """forward                                  backward, given dh_t
    a_t = U x_t + W h_{t-1} + b_xh              da_t = dh_t ⊙ (1 - h_t²)          (through tanh)
    h_t = tanh(a_t)                             dU += da_t x_tᵀ, dW += da_t h_{t-1}ᵀ, db += da_t
                                                dx_t = Uᵀ da_t, dh_{t-1} = Wᵀ da_t
    """

    def step_forward(self, x, states):
        p, h_prev = self.params, states[0]
        h = np.tanh(x @ p["U"].T + h_prev @ p["W"].T + p["b"])
        return [h], (x, h_prev, h)

    def step_backward(self, dstates, cache):
        x, h_prev, h = cache
        p, g = self.params, self.grads
        da = dstates[0] * (1 - h ** 2)                   # backprop through tanh
        g["U"] += da.T @ x
        g["W"] += da.T @ h_prev
        g["b"] += da.sum(axis=0)
        return da @ p["U"], [da @ p["W"]]


class MinimalGatedCell(my_cells.MinimalGatedCell):
    """forward                                  backward, given dh_t
    f_t = σ(U_f x_t + W_f h_{t-1} + b_f)        dh̃_t = dh_t ⊙ f_t
    r_t = f_t ⊙ h_{t-1}                         df_t = dh_t ⊙ (h̃_t - h_{t-1}) + dr_t ⊙ h_{t-1}
    h̃_t = tanh(U_h x_t + W_h r_t + b_h)         dz_h = dh̃_t ⊙ (1 - h̃_t²), dr_t = W_hᵀ dz_h
    h_t = (1 - f_t) ⊙ h_{t-1} + f_t ⊙ h̃_t       dz_f = df_t ⊙ f_t ⊙ (1 - f_t)
                                                dh_{t-1} = dh_t ⊙ (1 - f_t) + dr_t ⊙ f_t + W_fᵀ dz_f
    """

    def step_forward(self, x, states):
        p, h_prev = self.params, states[0]
        f = 1 / (1 + np.exp(-(x @ p["U_f"].T + h_prev @ p["W_f"].T + p["b_f"])))
        r = f * h_prev
        h_tilde = np.tanh(x @ p["U_h"].T + r @ p["W_h"].T + p["b_h"])
        h = (1 - f) * h_prev + f * h_tilde
        return [h], (x, h_prev, f, r, h_tilde)

    def step_backward(self, dstates, cache):
        x, h_prev, f, r, h_tilde = cache
        p, g = self.params, self.grads
        dh = dstates[0]
        dz_h = dh * f * (1 - h_tilde ** 2)               # through h_t = ... + f_t h̃_t, then tanh
        g["U_h"] += dz_h.T @ x
        g["W_h"] += dz_h.T @ r
        g["b_h"] += dz_h.sum(axis=0)
        dr = dz_h @ p["W_h"]
        df = dh * (h_tilde - h_prev) + dr * h_prev       # f_t is used twice: in h_t and in r_t
        dz_f = df * f * (1 - f)                          # through σ
        g["U_f"] += dz_f.T @ x
        g["W_f"] += dz_f.T @ h_prev
        g["b_f"] += dz_f.sum(axis=0)
        dx = dz_f @ p["U_f"] + dz_h @ p["U_h"]
        dh_prev = dh * (1 - f) + dr * f + dz_f @ p["W_f"]   # h_{t-1}'s three paths
        return dx, [dh_prev]
