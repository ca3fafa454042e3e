"""Numbers behind the teaching figures, computed by the engine's own BPTT.

``gradient_norms``: how much of the loss's gradient reaches a state k steps back — the vanishing
gradient. For a loss L on the last state h_T, dL/dh_{T-k} is exactly the gradient with respect to
the *initial state* of a run that starts at h_{T-k} and reads the last k inputs: the same
computation, so the layer's ``initial_state_grads`` give it with no extra code path.
"""
import numpy as np

from . import config
from .layers import recurrent_layer


def open_gate(cell, weights, bias):
    """Keras-layout ``weights`` with ``bias`` added to the gate that keeps the past: LSTM's forget
    gate f (its bias block [u:2u]) or GRU's update gate z (block [0:u], the input-side row)."""
    kernel, recurrent, b = (np.array(w) for w in weights)
    u = recurrent.shape[0]
    if cell == "lstm":
        b[u:2 * u] += bias
    elif cell == "gru":
        (b[0] if b.ndim == 2 else b)[:u] += bias
    else:
        raise ValueError(f"only lstm and gru have a gate to open, not {cell!r}")
    return [kernel, recurrent, b]


def gradient_norms(cell, steps=100, units=32, input_dim=8, seed=0, weights=None, gate_bias=None):
    """||dL/dh_{T-k}|| for k = 0..steps, with L = v · h_T for a fixed random unit vector v.

    The layer has Keras' default initialisation (seeded; or ``weights`` in Keras layout); inputs
    are standard normal. ``gate_bias`` adds to the bias of LSTM's forget gate or GRU's update gate
    (see :func:`open_gate`): a gate held open is how gated cells carry gradients far. Returns an array of length steps + 1 indexed by the distance k from the
    loss (k = 0 is h_T itself, where the gradient is v, of norm 1).
    """
    with config.scope(seed=seed):
        full = recurrent_layer(cell, units, dtype="float64", return_sequences=True,
                               return_state=True)
        rng = np.random.default_rng(seed)
        x = rng.normal(size=(1, steps, input_dim))
        full.build((steps, input_dim))
        if weights is not None:
            full.set_weights(weights)
        if gate_bias:
            full.set_weights(open_gate(cell, full.get_weights(), gate_bias))
        states = full(x)[1:]
        v = rng.normal(size=(1, units))
        v /= np.linalg.norm(v)
        # the states before step t: h_0 = 0 (and c_0 = 0), then those the full run produced
        norms = np.empty(steps + 1)
        norms[0] = 1.0                             # dL/dh_T = v
        tail = recurrent_layer(cell, units, dtype="float64", return_state=True)
        tail.build((steps, input_dim))
        tail.set_weights(full.get_weights())
        prefix = recurrent_layer(cell, units, dtype="float64", return_state=True)
        prefix.build((steps, input_dim))
        prefix.set_weights(full.get_weights())
        for k in range(steps):
            start = steps - 1 - k                  # h_start = h_{T-k-1}: before the last k+1 inputs
            if start == 0:
                init = [np.zeros((1, units)) for _ in states]
            else:
                init = prefix(x[:, :start])[1:]
            tail(x[:, start:], initial_state=init)
            dstates = [v] + [np.zeros((1, units))] * (len(states) - 1)
            tail.backward(np.zeros((1, units)), dstates=dstates)
            norms[k + 1] = np.linalg.norm(tail.initial_state_grads[0])
        return norms
