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

``--cell lstm`` and ``--cell gru`` trace the same sequence and targets through an LSTM or a GRU
with 2 units and fixed weights (``LSTM_WEIGHTS``, ``GRU_WEIGHTS``: one decimal each, so a student
can redo a step by hand; docs/bptt.md works step 1 out), then the same kind of Dense softmax: per
step the gates' pre-activations, the gates and the states, and backward each gate's gradient, the
gradients dh_t (and dc_t) that reach the states, and each step's share of every weight gradient.
The equations are those of :mod:`rnnkit.kernels.lstm` and :mod:`rnnkit.kernels.gru`.

Every number comes from the engine: the states, gates and logits of each layer's ``last_pass``
after a forward pass, and after a backward pass the kernels' da_t (the gates' pre-activation
gradients), G_t (dL/dh_t from the layer above) and the gradient totals. What the kernels keep only
inside their loop (dh_t, dc_t, the gates' output gradients) is recomputed here in NumPy from those
records, by the kernels' equations; tests check that it gives back the kernels' da_t.

The slides' own tables contain a slip: for t3 and t4 the y_t column is not exp(z)/sum(exp(z)) of
its own exp column (t3: 1.811 / 6.868 = 0.264, the slide prints 0.299). The tables here are right;
``LECTURE_SLIP`` records the printed values.
"""
import numpy as np

from .errors import InputError
from .kernels.activations import activate_row, backprop_row
from .layers import GRU, LSTM, Dense, SimpleRNN, TimeDistributed
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


#: The LSTM example's weights (2 units; gate order i, f, c̃, o; U_* is units x input_dim). b_f = 1
#: as Keras' unit_forget_bias; V and b_hy are the slides' V without its third column, and b_hy.
LSTM_WEIGHTS = {
    "U_i": [[0.1, 0.2, 0.3, 0.4], [0.4, 0.3, 0.2, 0.1]],
    "U_f": [[0.2, 0.1, 0.2, 0.1], [0.1, 0.2, 0.1, 0.2]],
    "U_c": [[0.5, -0.5, 0.3, -0.3], [-0.3, 0.3, -0.5, 0.5]],
    "U_o": [[0.3, 0.3, 0.1, 0.1], [0.1, 0.1, 0.3, 0.3]],
    "W_i": [[0.1, 0.2], [0.2, 0.1]],
    "W_f": [[0.1, 0.0], [0.0, 0.1]],
    "W_c": [[0.5, -0.5], [-0.5, 0.5]],
    "W_o": [[0.2, 0.1], [0.1, 0.2]],
    "b_i": [0.0, 0.0], "b_f": [1.0, 1.0], "b_c": [0.0, 0.0], "b_o": [0.0, 0.0],
    "V": [[0.1, 0.2], [0.2, 0.3], [0.3, 0.1], [0.1, 0.1]],
    "b_hy": [0.1, 0.1, 0.1, 0.1],
}
#: The GRU example's weights (2 units; gate order z, r, h; reset_after=True, Keras' default, so
#: each gate has an input bias b^in and a recurrent bias b^rec).
GRU_WEIGHTS = {
    "U_z": [[0.2, 0.1, 0.2, 0.1], [0.1, 0.2, 0.1, 0.2]],
    "U_r": [[0.1, 0.2, 0.3, 0.4], [0.4, 0.3, 0.2, 0.1]],
    "U_h": [[0.5, -0.5, 0.3, -0.3], [-0.3, 0.3, -0.5, 0.5]],
    "W_z": [[0.1, 0.0], [0.0, 0.1]],
    "W_r": [[0.1, 0.2], [0.2, 0.1]],
    "W_h": [[0.5, -0.5], [-0.5, 0.5]],
    "b_in": [0.0, 0.0, 0.0, 0.0, 0.0, 0.0],       # b_z^in, b_r^in, b_h^in (2 units each)
    "b_rec": [0.0, 0.0, 0.0, 0.0, 0.1, 0.1],      # b_z^rec, b_r^rec, b_h^rec
    "V": LSTM_WEIGHTS["V"],
    "b_hy": LSTM_WEIGHTS["b_hy"],
}
#: Each cell's gate names, in the order of its blocks of U, W and b.
GATE_NAMES = {LSTM: ("i", "f", "c~", "o"), GRU: ("z", "r", "h")}
CELLS = ("rnn", "lstm", "gru")


def example_model(cell="rnn"):
    """The worked example's network for ``cell``: the slides' SimpleRNN, or the documented LSTM/GRU."""
    if cell == "rnn":
        return slides_model()
    w = {k: np.array(v) for k, v in (LSTM_WEIGHTS if cell == "lstm" else GRU_WEIGHTS).items()}
    if cell == "lstm":
        rnn = LSTM(2, return_sequences=True, input_shape=(4, 4), dtype="float64")
        stacked = [np.vstack([w[f"{m}_{g}"] for g in "ifco"]) for m in "UW"]
        weights = [stacked[0].T, stacked[1].T, np.concatenate([w[f"b_{g}"] for g in "ifco"])]
    else:
        rnn = GRU(2, return_sequences=True, input_shape=(4, 4), dtype="float64")
        stacked = [np.vstack([w[f"{m}_{g}"] for g in "zrh"]) for m in "UW"]
        weights = [stacked[0].T, stacked[1].T, np.vstack([w["b_in"], w["b_rec"]])]
    model = Sequential([rnn, Dense(4, activation="softmax", dtype="float64")])
    model.build()
    model.set_weights(weights + [w["V"].T, w["b_hy"]])
    model.compile(loss="sparse_categorical_crossentropy", optimizer="sgd")
    return model


def traced_layers(model):
    """``(rnn, dense)``: the model's first layer, a SimpleRNN, LSTM or GRU, and its output Dense
    (the next layer, bare or in a TimeDistributed), or None when the layers above are anything else.

    The recurrent layer must come first: it reads the given one-hot or numeric input directly.
    """
    layers = model.layers
    if not layers or type(layers[0]) not in (SimpleRNN, LSTM, GRU):
        raise InputError("trace works on a SimpleRNN, LSTM or GRU that is the model's first layer "
                         "(it reads the one-hot or numeric input directly); this model is "
                         + " -> ".join(type(l).__name__ for l in layers)
                         + ". Trace one of the worked examples instead: rnnkit trace --cell "
                           "rnn|lstm|gru")
    head = layers[1] if len(layers) == 2 else None
    if isinstance(head, TimeDistributed):
        head = head.layer
    return layers[0], head if isinstance(head, Dense) else None


def _batch(x):
    return np.asarray(x, dtype=float)[None] if np.ndim(x) == 2 else x


def _blocks(v, k):
    """Split a vector of k·u entries (one gate after another) into its k gate blocks."""
    return np.split(np.asarray(v), k)


def _gate_rows(names, u):
    return [f"{g}{j + 1}" for g in names for j in range(u)]


def _apply(code, pre):
    """f(pre) for a 1-D array, by the kernels' own ``activate_row``."""
    pre = np.ascontiguousarray(pre, dtype=float)
    out = np.empty_like(pre)
    activate_row(pre, out, code)
    return out


def _through(code, pre, out, grad):
    """grad ⊙ f'(pre), f'(pre) written with ``out`` = f(pre): the kernels' own ``backprop_row``."""
    pre, out, grad = (np.ascontiguousarray(a, dtype=float) for a in (pre, out, grad))
    result = np.empty_like(grad)
    backprop_row(pre, out, grad, result, code)
    return result


def _logits(rnn, dense, steps):
    """The output layer's logits per step, (steps, k): one row per h_t (the last only without
    return_sequences), for the first sequence of the batch."""
    Z = dense.last_pass.A
    return Z.reshape(-1, steps if rnn.return_sequences else 1, Z.shape[-1])[0]


def _output_tables(rnn, dense, y, t, T):
    """Step t's output table: V h_t + b_hy, (exp) and y_t; after the last step only when the
    recurrent layer returns its last state alone."""
    if dense is None or (not rnn.return_sequences and t < T):
        return []
    k = t - 1 if rnn.return_sequences else 0
    z = _logits(rnn, dense, T)[k]
    y_t = np.asarray(y)[0, k] if rnn.return_sequences else np.asarray(y)[0]
    if dense.activation == "softmax":
        rows = [[z[c], float(np.exp(z[c])), y_t[c]] for c in range(len(z))]
        return [Table(f"t{t}: output", ["Vht+bhy", "exp(Vht+bhy)", "yt"], rows)]
    return [Table(f"t{t}: output", ["Vht+bhy", f"yt = {dense.activation}(.)"],
                  [[z[c], y_t[c]] for c in range(len(z))])]


def forward_tables(model, x):
    """Per timestep, the forward tables for the first sequence of ``x``: SimpleRNN, the lecture's
    two; LSTM and GRU, the gates' pre-activations, then the gates and states; then the output."""
    rnn, dense = traced_layers(model)
    y, _ = model.forward(_batch(x))
    T = rnn.last_pass.X.shape[0]
    step = {SimpleRNN: _rnn_forward, LSTM: _lstm_forward, GRU: _gru_forward}[type(rnn)]
    tables = []
    for t in range(1, T + 1):
        tables += step(rnn, t) + _output_tables(rnn, dense, y, t, T)
    return tables


def _rnn_forward(rnn, t):
    X, A, H = rnn.last_pass.X, rnn.last_pass.A, rnn.last_pass.H   # time-major: (T,B,D), (T,B,u), (T+1,B,u)
    ux = rnn.params["U"] @ X[t - 1, 0]                # U x_t
    net = A[t - 1, 0]                                 # net_h_t = U x_t + W h_{t-1} + b_xh (kernel)
    rows = [[ux[j], net[j] - ux[j], net[j], H[t, 0, j]] for j in range(len(ux))]
    return [Table(f"t{t}: hidden state", ["Uxt", "Wht-1+bxh", "net_ht", "ht"], rows)]


def _lstm_forward(rnn, t):
    p, rec = rnn.params, rnn.last_pass
    x, h_prev = rec.X[t - 1, 0], rec.H[t - 1, 0]
    pre = _blocks(p["U"] @ x + p["W"] @ h_prev + p["b"], 4)     # U_* x_t + W_* h_{t-1} + b_*
    gates = [rec.gates[g][t - 1, 0] for g in ("i", "f", "c̃", "o")]
    c_prev, c = rec.C[t - 1, 0], rec.C[t, 0]
    g, u = rnn.activation, rnn.units
    gc = _apply(rnn.act_code, c)                               # g(c_t)
    return [Table(f"t{t}: gate pre-activations (U x_t + W h_t-1 + b)",
                  ["a_i", "a_f", "a_c~", "a_o"], [[a[j] for a in pre] for j in range(u)]),
            Table(f"t{t}: gates and states",
                  ["i_t", "f_t", "c~_t", "o_t", "c_t-1", "c_t = f c_t-1 + i c~", f"{g}(c_t)",
                   f"h_t = o {g}(c_t)"],
                  [[v[j] for v in gates] + [c_prev[j], c[j], gc[j], rec.H[t, 0, j]]
                   for j in range(u)])]


def _gru_forward(rnn, t):
    p, rec, u = rnn.params, rnn.last_pass, rnn.units
    x, h_prev = rec.X[t - 1, 0], rec.H[t - 1, 0]
    z, r, cand = (rec.gates[g][t - 1, 0] for g in ("z", "r", "h̃"))
    ux = _blocks(p["U"] @ x, 3)
    Wz, Wr, Wh = _blocks(p["W"], 3)
    if rnn.reset_after:
        b_in, b_rec = (_blocks(b, 3) for b in p["b"])
        q = Wh @ h_prev + b_rec[2]                      # q_t = W_h h_{t-1} + b_h^rec
        pre = [ux[0] + b_in[0] + Wz @ h_prev + b_rec[0], ux[1] + b_in[1] + Wr @ h_prev + b_rec[1],
               q, ux[2] + b_in[2] + r * q]
        names = ["a_z", "a_r", "q_t = W_h h_t-1 + b_h^rec", "a_h = U_h x + b_h^in + r q"]
    else:
        b = _blocks(p["b"], 3)
        pre = [ux[0] + Wz @ h_prev + b[0], ux[1] + Wr @ h_prev + b[1],
               ux[2] + Wh @ (r * h_prev) + b[2]]
        names = ["a_z", "a_r", "a_h = U_h x + W_h (r h_t-1) + b_h"]
    return [Table(f"t{t}: gate pre-activations", names, [[a[j] for a in pre] for j in range(u)]),
            Table(f"t{t}: gates and state",
                  ["z_t", "r_t", "h~_t", "h_t-1", "h_t = z h_t-1 + (1-z) h~"],
                  [[z[j], r[j], cand[j], h_prev[j], rec.H[t, 0, j]] for j in range(u)])]


def backward_tables(model, x, targets):
    """Per timestep (last first, as BPTT runs), the gradients flowing back through the network,
    for the first sequence of ``x`` and its ``targets`` (one class per step, or per sequence
    when the recurrent layer returns its last state only)."""
    rnn, dense = traced_layers(model)
    xb = _batch(x)
    tb = np.asarray(targets)[None] if np.ndim(targets) == np.ndim(xb) - 2 else targets
    loss, _ = model.gradients(xb, tb)
    T = rnn.last_pass.X.shape[0]
    per_step = {SimpleRNN: _rnn_backward, LSTM: _lstm_backward, GRU: _gru_backward}[type(rnn)]
    cell_tables = per_step(rnn, dense)
    tables = [Table("loss", ["L (mean cross-entropy over steps)"], [[float(loss)]])]
    for t in range(T, 0, -1):
        tables += _output_gradient(rnn, dense, t, T)[:1] + cell_tables[t - 1] \
            + _output_gradient(rnn, dense, t, T)[1:]
    return tables + _rnn_totals(rnn) + _dense_totals(dense)


def _output_gradient(rnn, dense, t, T):
    """Step t's dz_t (the softmax + cross-entropy gradient) and its share of dV and db_hy."""
    if dense is None or (not rnn.return_sequences and t < T):
        return []
    dZ = dense.last_pass.dA
    dz = dZ.reshape(-1, T if rnn.return_sequences else 1, dZ.shape[-1])[0, -1 if t == T else t - 1]
    h = rnn.last_pass.H[t, 0]
    V = dense.params["V"]
    return [Table(f"t{t}: output gradient (softmax + cross-entropy)",
                  ["dL/dz_t = (yt - target)/T"], [[v] for v in dz]),
            Table(f"t{t}: this step's share of dV (dz_t h_t^T) and db_hy",
                  [f"dV[:,{k}]" for k in range(V.shape[1])] + ["db_hy"],
                  [list(np.outer(dz, h)[k]) + [dz[k]] for k in range(len(dz))])]


def _share(title, row_names, grad, right, bias_columns):
    """A step's share of a weight gradient, grad ⊗ right (one row per gate unit), and of biases."""
    outer = np.outer(grad, right)
    names = list(bias_columns)
    label = title.split("share of ")[1].split(" ")[0]
    return Table(title, ["row"] + [f"{label}[:,{k}]" for k in range(len(right))] + names,
                 [[row_names[j]] + list(outer[j]) + [bias_columns[n][j] for n in names]
                  for j in range(len(grad))])


def _rnn_backward(rnn, dense):
    """SimpleRNN: dL/dh_t from the output and through W from step t+1, da_t, the step's shares."""
    X, H, A, G, dA = (rnn.last_pass.X, rnn.last_pass.H, rnn.last_pass.A, rnn.last_pass.G,
                      rnn.last_pass.dA)
    U, W = rnn.params["U"], rnn.params["W"]
    T = X.shape[0]
    above = "dL/dht via V" if dense is not None else "dL/dht from above"
    slope = "1-ht^2" if rnn.activation == "tanh" else f"{rnn.activation}'(net_ht)"
    steps = []
    for t in range(1, T + 1):
        from_next = W.T @ dA[t, 0] if t < T else np.zeros(rnn.units)   # through W from t+1
        dh = G[t - 1, 0] + from_next
        da = dA[t - 1, 0]
        d_act = _through(rnn.act_code, A[t - 1, 0], H[t, 0], np.ones(rnn.units))
        rows = [[G[t - 1, 0, j], from_next[j], dh[j], d_act[j], da[j]] for j in range(len(dh))]
        steps.append([
            Table(f"t{t}: back through time", [above, "via W from t+1", "dL/dht", slope, "da_t"],
                  rows),
            Table(f"t{t}: this step's share of dU (da_t x_t^T) and db_xh",
                  [f"dU[:,{k}]" for k in range(U.shape[1])] + ["db_xh"],
                  [list(np.outer(da, X[t - 1, 0])[j]) + [da[j]] for j in range(len(da))]),
            Table(f"t{t}: this step's share of dW (da_t h_(t-1)^T)",
                  [f"dW[:,{k}]" for k in range(W.shape[1])],
                  [list(np.outer(da, H[t - 1, 0])[j]) for j in range(len(da))])])
    return steps


def _lstm_backward(rnn, dense):
    """LSTM: dh_t and dc_t, the four gates' gradients and da_t, each step's shares of dU, dW, db.

    dh_t = G_t + W^T da_{t+1};  dc_t = f_{t+1} ⊙ dc_{t+1} + dh_t ⊙ o_t ⊙ g'(c_t);
    do_t = dh_t ⊙ g(c_t), di_t = dc_t ⊙ c̃_t, df_t = dc_t ⊙ c_{t-1}, dc̃_t = dc_t ⊙ i_t.
    """
    rec, W, u = rnn.last_pass, rnn.params["W"], rnn.units
    T = rec.X.shape[0]
    names = _gate_rows(GATE_NAMES[LSTM], u)
    gate = {g: rec.gates[g][:, 0] for g in ("i", "f", "c̃", "o")}
    steps = [None] * T
    dc_next = np.zeros(u)                                    # dc_{t+1} (none after the last step)
    for t in range(T, 0, -1):
        dh_via = W.T @ rec.dA[t, 0] if t < T else np.zeros(u)          # W^T da_{t+1}
        dc_via = gate["f"][t] * dc_next if t < T else np.zeros(u)      # f_{t+1} ⊙ dc_{t+1}
        dh = rec.G[t - 1, 0] + dh_via
        c, c_prev = rec.C[t, 0], rec.C[t - 1, 0]
        gc = _apply(rnn.act_code, c)
        i, f, cand, o = (gate[g][t - 1] for g in ("i", "f", "c̃", "o"))
        do = dh * gc
        dc = dc_via + _through(rnn.act_code, c, gc, dh * o)
        di, df, dcand = dc * cand, dc * c_prev, dc * i
        da = rec.dA[t - 1, 0]
        da_i, da_f, da_c, da_o = _blocks(da, 4)
        dc_next = dc
        steps[t - 1] = [
            Table(f"t{t}: back through time (states)",
                  ["G_t (from above)", "dh via W from t+1", "dh_t", "dc via f from t+1", "dc_t"],
                  [[rec.G[t - 1, 0, j], dh_via[j], dh[j], dc_via[j], dc[j]] for j in range(u)]),
            Table(f"t{t}: gate gradients (outputs, then pre-activations da_t)",
                  ["di_t", "df_t", "dc~_t", "do_t", "da_i", "da_f", "da_c~", "da_o"],
                  [[v[j] for v in (di, df, dcand, do, da_i, da_f, da_c, da_o)]
                   for j in range(u)]),
            _share(f"t{t}: this step's share of dU (da_t x_t^T) and db", names, da,
                   rec.X[t - 1, 0], {"db": da}),
            _share(f"t{t}: this step's share of dW (da_t h_(t-1)^T)", names, da,
                   rec.H[t - 1, 0], {})]
    return steps


def _gru_backward(rnn, dense):
    """GRU: dh_t, the gates' gradients and da_t, each step's shares of dU, dW and the biases.

    dh_t = G_t + (what step t+1 sends back: through z, through the reset path, through W);
    dz_t = dh_t ⊙ (h_{t-1} - h̃_t), dh̃_t = dh_t ⊙ (1 - z_t); reset_after: dr_t = da_h ⊙ q_t,
    dq_t = da_h ⊙ r_t; reset_before: dp_t = W_h^T da_h, dr_t = dp_t ⊙ h_{t-1}.
    """
    rec, u = rnn.last_pass, rnn.units
    T = rec.X.shape[0]
    Wz, Wr, Wh = _blocks(rnn.params["W"], 3)
    names = _gate_rows(GATE_NAMES[GRU], u)
    z, r, cand = (rec.gates[g][:, 0] for g in ("z", "r", "h̃"))
    b_rec_h = _blocks(rnn.params["b"][1], 3)[2] if rnn.reset_after else None
    steps = [None] * T
    dh_next = np.zeros(u)
    back_next = np.zeros(u)             # step t+1's W_h^T dq (reset_after) or dp ⊙ r (before)
    for t in range(T, 0, -1):
        if t < T:
            da_z1, da_r1, _ = _blocks(rec.dA[t, 0], 3)
            dh_via = dh_next * z[t] + Wz.T @ da_z1 + Wr.T @ da_r1 + back_next
        else:
            dh_via = np.zeros(u)
        dh = rec.G[t - 1, 0] + dh_via
        h_prev = rec.H[t - 1, 0]
        da = rec.dA[t - 1, 0]
        da_z, da_r, da_h = _blocks(da, 3)
        dz, dcand = dh * (h_prev - cand[t - 1]), dh * (1 - z[t - 1])
        if rnn.reset_after:
            q = Wh @ h_prev + b_rec_h                          # q_t = W_h h_{t-1} + b_h^rec
            dr, dq = da_h * q, da_h * r[t - 1]
            back_next = Wh.T @ dq
            middle, cols = [dr, dq], ["dr_t", "dq_t"]
            rec_grad = np.concatenate([da_z, da_r, dq])        # [da_z; da_r; dq_t]
            shares = [_share(f"t{t}: this step's share of dU (da_t x_t^T) and db^in", names, da,
                             rec.X[t - 1, 0], {"db_in": da}),
                      _share(f"t{t}: this step's share of dW ([da_z; da_r; dq_t] h_(t-1)^T) "
                             f"and db^rec", names, rec_grad, h_prev, {"db_rec": rec_grad})]
        else:
            dp = Wh.T @ da_h                                   # dp_t = W_h^T da_h
            dr = dp * h_prev
            back_next = dp * r[t - 1]
            middle, cols = [dp, dr], ["dp_t", "dr_t"]
            p = r[t - 1] * h_prev                              # p_t = r_t ⊙ h_{t-1}
            shares = [_share(f"t{t}: this step's share of dU (da_t x_t^T) and db", names, da,
                             rec.X[t - 1, 0], {"db": da}),
                      Table(f"t{t}: this step's share of dW (da_z, da_r: h_(t-1)^T; da_h: p_t^T)",
                            ["row"] + [f"dW[:,{k}]" for k in range(u)],
                            [[names[j]] + list(row) for j, row in enumerate(np.vstack(
                                [np.outer(da_z, h_prev), np.outer(da_r, h_prev),
                                 np.outer(da_h, p)]))])]
        dh_next = dh
        steps[t - 1] = [
            Table(f"t{t}: back through time (state)",
                  ["G_t (from above)", "dh via step t+1", "dh_t"],
                  [[rec.G[t - 1, 0, j], dh_via[j], dh[j]] for j in range(u)]),
            Table(f"t{t}: gate gradients (outputs, then pre-activations da_t)",
                  ["dz_t", "dh~_t"] + cols + ["da_z", "da_r", "da_h"],
                  [[v[j] for v in [dz, dcand] + middle + [da_z, da_r, da_h]]
                   for j in range(u)])] + shares
    return steps


def _rnn_totals(rnn):
    g, U, W = rnn.grads, rnn.params["U"], rnn.params["W"]
    cols = [f"dU[:,{k}]" for k in range(U.shape[1])] + [f"dW[:,{k}]" for k in range(W.shape[1])]
    if isinstance(rnn, SimpleRNN):
        return [Table("totals over all steps: dU | dW | db_xh", cols + ["db_xh"],
                      [list(g["U"][j]) + list(g["W"][j]) + [g["b"][j]]
                       for j in range(U.shape[0])])]
    biases = np.atleast_2d(g["b"])                 # GRU reset_after: rows b^in, b^rec
    bias_cols = ["db_in", "db_rec"] if len(biases) == 2 else ["db"]
    names = _gate_rows(GATE_NAMES[type(rnn)], rnn.units)
    return [Table("totals over all steps: dU | dW | " + " | ".join(bias_cols),
                  ["row"] + cols + bias_cols,
                  [[names[j]] + list(g["U"][j]) + list(g["W"][j]) + list(biases[:, j])
                   for j in range(U.shape[0])])]


def _dense_totals(dense):
    if dense is None:
        return []
    g, V = dense.grads, dense.params["V"]
    return [Table("totals over all steps: dV | db_hy",
                  [f"dV[:,{k}]" for k in range(V.shape[1])] + ["db_hy"],
                  [list(g["V"][k]) + [g["b"][k]] for k in range(V.shape[0])])]


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


def example_tables(cell="rnn", backward=False):
    """A worked example's forward tables (A, B, C, C), and with ``backward`` its BPTT tables for
    the targets B, C, C, D: the slides' SimpleRNN (``cell="rnn"``), or the LSTM or GRU above."""
    model = example_model(cell)
    x = one_hot(SLIDE_INPUT)
    tables = forward_tables(model, x)
    if cell == "rnn":
        tables = _mark_lecture_slip(tables)
    if backward:
        targets = np.array([SYMBOLS.index(s) for s in SLIDE_TARGET])
        tables += backward_tables(model, x, targets)
    return tables


def slides_tables(backward=False):
    """The lecture example's forward tables, and with ``backward`` its BPTT tables."""
    return example_tables("rnn", backward)
