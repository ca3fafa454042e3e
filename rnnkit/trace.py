"""The lecture's step-by-step tables, computed by the engine.

``rnnkit trace --example slides`` prints, for every timestep of the lecture's worked example
(a SimpleRNN with 3 units on one-hot A, B, C, C; Dense softmax over 4 classes), the forward columns
of the slides::

    Uxt | Wht-1+bxh | net_ht | ht          Vht+bhy | exp(Vht+bhy) | yt

and the backward (BPTT) tables the slides stop short of, for the next-symbol targets B, C, C, D
and the mean cross-entropy over the four steps::

    dL/dz_t = (y_t - target_t) / T       the softmax + cross-entropy gradient, per step
    dL/dh_t = V^T dL/dz_t  +  W^T da_{t+1}    (from the output, and through W from step t+1)
    da_t    = dL/dh_t * (1 - h_t^2)       through the tanh
    step t's share of the gradients: dU += da_t x_t^T, dW += da_t h_{t-1}^T, db_xh += da_t,
                                     dV += dz_t h_t^T, db_hy += dz_t

Every number comes from the engine's kernels (each layer's ``last_pass`` record after a forward
and a backward pass); nothing is typed in but the slide's weights and inputs.

The slides' own tables contain a slip: for t3 and t4 the y_t column is not exp(z)/sum(exp(z)) of
its own exp column (t3: 1.811 / 6.868 = 0.264, the slide prints 0.299). The tables here are right;
``LECTURE_SLIP`` records the printed values.
"""
import numpy as np

from .layers import Dense, SimpleRNN
from .models import Sequential
from .tables import Table

SYMBOLS = "ABCD"

#: The slide's weights, in the lecture's notation (U is units x input_dim, V is outputs x units).
SLIDE_WEIGHTS = {
    "U": [[0.10, 0.15, 0.20, 0.30], [0.15, 0.20, 0.30, 0.10], [0.20, 0.30, 0.10, 0.15]],
    "W": [[0.5, 0.5, 0.5]] * 3,
    "b_xh": [0.1, 0.1, 0.1],
    "V": [[0.1, 0.2, 0.3], [0.2, 0.3, 0.1], [0.3, 0.1, 0.2], [0.1, 0.1, 0.1]],
    "b_hy": [0.1, 0.1, 0.1, 0.1],
}
#: The sequence A B C C D: inputs A, B, C, C; each step's target is the next symbol.
SLIDE_INPUT = "ABCC"
SLIDE_TARGET = "BCCD"

#: What the slides print for y_t at t3 and t4 (not the softmax of their own exp column).
LECTURE_SLIP = {3: [0.299, 0.302, 0.299, 0.234], 4: [0.315, 0.317, 0.315, 0.240]}


def one_hot(symbols, alphabet=SYMBOLS):
    eye = np.eye(len(alphabet))
    return eye[[alphabet.index(s) for s in symbols]]


def slides_model():
    """Sequential([SimpleRNN(3, return_sequences=True), Dense(4, softmax)]) with the slide's weights."""
    model = Sequential([SimpleRNN(3, return_sequences=True, input_shape=(4, 4), dtype="float64"),
                        Dense(4, activation="softmax", dtype="float64")])
    model.build()
    w = {k: np.array(v) for k, v in SLIDE_WEIGHTS.items()}
    model.set_weights([w["U"].T, w["W"].T, w["b_xh"], w["V"].T, w["b_hy"]])
    model.compile(loss="sparse_categorical_crossentropy", optimizer="sgd")
    return model


def _check_traceable(model):
    layers = model.layers
    if len(layers) != 2 or not isinstance(layers[0], SimpleRNN) or not isinstance(layers[1], Dense) \
            or not layers[0].return_sequences:
        raise ValueError("trace works on a SimpleRNN(return_sequences=True) followed by a Dense "
                         "layer; this model is " + " -> ".join(type(l).__name__ for l in layers))


def forward_tables(model, x):
    """Per timestep, the lecture's two forward tables for the first sequence of ``x``."""
    _check_traceable(model)
    rnn, dense = model.layers
    y, _ = model.forward(np.asarray(x, dtype=float)[None] if np.ndim(x) == 2 else x)
    X, A, H = rnn.last_pass.X, rnn.last_pass.A, rnn.last_pass.H   # time-major: (T,B,D), (T,B,u), (T+1,B,u)
    Z = dense.logits                                  # (B, T, k)
    U = rnn.params["U"]
    tables = []
    for t in range(1, X.shape[0] + 1):
        ux = U @ X[t - 1, 0]                          # U x_t
        net = A[t - 1, 0]                             # net_h_t = U x_t + W h_{t-1} + b_xh (kernel)
        rows_h = [[ux[j], net[j] - ux[j], net[j], H[t, 0, j]] for j in range(len(ux))]
        z = Z[0, t - 1]
        rows_y = [[z[k], float(np.exp(z[k])), y[0, t - 1, k]] for k in range(len(z))]
        tables.append(Table(f"t{t}: hidden state", ["Uxt", "Wht-1+bxh", "net_ht", "ht"], rows_h))
        tables.append(Table(f"t{t}: output", ["Vht+bhy", "exp(Vht+bhy)", "yt"], rows_y))
    return tables


def _mark_lecture_slip(tables):
    """Note, under the t3 and t4 output tables, the y_t values the slides print by mistake."""
    for table in tables:
        t = int(table.title[1:].split(":")[0])
        if table.title.endswith("output") and t in LECTURE_SLIP:
            e = [row[1] for row in table.rows]
            printed = ", ".join(f"{v:.3f}" for v in LECTURE_SLIP[t])
            table.note = (f"the slides print yt = [{printed}] here, a slip: softmax divides each "
                          f"exp by their sum, {sum(e):.3f}, so y1 = {e[0]:.3f} / {sum(e):.3f} = "
                          f"{e[0] / sum(e):.3f}")
    return tables


def backward_tables(model, x, targets):
    """Per timestep (last first, as BPTT runs), the gradients flowing back through the network."""
    _check_traceable(model)
    rnn, dense = model.layers
    xb = np.asarray(x, dtype=float)[None] if np.ndim(x) == 2 else x
    tb = np.asarray(targets)[None] if np.ndim(targets) == 1 else targets
    loss, _ = model.gradients(xb, tb)
    X, H = rnn.last_pass.X, rnn.last_pass.H
    dA = rnn.last_pass.dA                              # da_t from the BPTT kernel
    dZ = dense.last_pass.dA.reshape(xb.shape[0], X.shape[0], -1)   # dz_t, the logits' gradient
    U, W, V = rnn.params["U"], rnn.params["W"], dense.params["V"]
    T = X.shape[0]
    tables = [Table("loss", ["L (mean cross-entropy over steps)"], [[float(loss)]])]
    for t in range(T, 0, -1):
        dz = dZ[0, t - 1]
        from_out = V.T @ dz                            # dL/dh_t from y_t
        from_next = W.T @ dA[t, 0] if t < T else np.zeros_like(from_out)   # through W from t+1
        dh = from_out + from_next
        da = dA[t - 1, 0]
        rows = [[from_out[j], from_next[j], dh[j], 1 - H[t, 0, j] ** 2, da[j]]
                for j in range(len(dh))]
        tables.append(Table(f"t{t}: output gradient (softmax + cross-entropy)",
                            ["dL/dz_t = (yt - target)/T"], [[v] for v in dz]))
        tables.append(Table(f"t{t}: back through time",
                            ["dL/dht via V", "via W from t+1", "dL/dht", "1-ht^2", "da_t"], rows))
        h_prev = H[t - 1, 0]
        tables.append(Table(f"t{t}: this step's share of dU (da_t x_t^T) and db_xh",
                            [f"dU[:,{k}]" for k in range(U.shape[1])] + ["db_xh"],
                            [list(np.outer(da, X[t - 1, 0])[j]) + [da[j]] for j in range(len(da))]))
        tables.append(Table(f"t{t}: this step's share of dW (da_t h_(t-1)^T)",
                            [f"dW[:,{k}]" for k in range(W.shape[1])],
                            [list(np.outer(da, h_prev)[j]) for j in range(len(da))]))
        tables.append(Table(f"t{t}: this step's share of dV (dz_t h_t^T) and db_hy",
                            [f"dV[:,{k}]" for k in range(V.shape[1])] + ["db_hy"],
                            [list(np.outer(dz, H[t, 0])[k]) + [dz[k]] for k in range(len(dz))]))
    g = rnn.grads, dense.grads
    tables.append(Table("totals over all steps: dU | dW | db_xh",
                        [f"dU[:,{k}]" for k in range(U.shape[1])] +
                        [f"dW[:,{k}]" for k in range(W.shape[1])] + ["db_xh"],
                        [list(g[0]["U"][j]) + list(g[0]["W"][j]) + [g[0]["b"][j]]
                         for j in range(U.shape[0])]))
    tables.append(Table("totals over all steps: dV | db_hy",
                        [f"dV[:,{k}]" for k in range(V.shape[1])] + ["db_hy"],
                        [list(g[1]["V"][k]) + [g[1]["b"][k]] for k in range(V.shape[0])]))
    return tables


def slides_tables(backward=False):
    """The lecture example's forward tables, and with ``backward`` its BPTT tables."""
    model = slides_model()
    x = one_hot(SLIDE_INPUT)
    tables = _mark_lecture_slip(forward_tables(model, x))
    if backward:
        targets = np.array([SYMBOLS.index(s) for s in SLIDE_TARGET])
        tables += backward_tables(model, x, targets)
    return tables
