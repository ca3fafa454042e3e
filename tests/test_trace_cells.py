"""``rnnkit trace --cell lstm|gru``: the worked examples' tables against a NumPy re-computation.

The reference below is written from the equations of docs/bptt.md (sections 2 and 3) with the
documented weights, independently of the engine's kernels. It gives every forward number, the
loss, and by central finite differences dL/dh_t and dL/dc_t (bumping a state after it is computed,
then running the rest of the sequence) and dL/d(every weight): the trace's backward tables must
match them.
"""
import numpy as np
import pytest

from rnnkit import trace

EPS = 1e-6
X = trace.one_hot(trace.SLIDE_INPUT)
TARGETS = [trace.SYMBOLS.index(s) for s in trace.SLIDE_TARGET]


def sigmoid(a):
    return 1 / (1 + np.exp(-a))


def weights(cell):
    return {k: np.array(v, dtype=float)
            for k, v in (trace.LSTM_WEIGHTS if cell == "lstm" else trace.GRU_WEIGHTS).items()}


def lstm_step(w, x, h, c):
    i = sigmoid(w["U_i"] @ x + w["W_i"] @ h + w["b_i"])
    f = sigmoid(w["U_f"] @ x + w["W_f"] @ h + w["b_f"])
    cand = np.tanh(w["U_c"] @ x + w["W_c"] @ h + w["b_c"])
    o = sigmoid(w["U_o"] @ x + w["W_o"] @ h + w["b_o"])
    c = f * c + i * cand
    return {"i": i, "f": f, "c~": cand, "o": o, "c": c, "h": o * np.tanh(c)}


def gru_step(w, x, h, c=None):
    b_in, b_rec = np.split(w["b_in"], 3), np.split(w["b_rec"], 3)
    z = sigmoid(w["U_z"] @ x + b_in[0] + w["W_z"] @ h + b_rec[0])
    r = sigmoid(w["U_r"] @ x + b_in[1] + w["W_r"] @ h + b_rec[1])
    cand = np.tanh(w["U_h"] @ x + b_in[2] + r * (w["W_h"] @ h + b_rec[2]))
    return {"z": z, "r": r, "h~": cand, "h": z * h + (1 - z) * cand, "c": None}


def run(cell, w, bump=None):
    """Every step's values and the mean cross-entropy; ``bump = (t, "h" or "c", j, eps)`` adds eps
    to state j of step t right after the step computes it."""
    step = lstm_step if cell == "lstm" else gru_step
    h, c, steps, loss = np.zeros(2), np.zeros(2), [], 0.0
    for t, (x, target) in enumerate(zip(X, TARGETS), start=1):
        s = step(w, x, h, c)
        h, c = s["h"].copy(), s["c"]
        if bump and bump[0] == t:
            (h if bump[1] == "h" else c)[bump[2]] += bump[3]
            if bump[1] == "c":                     # h_t = o_t tanh(c_t) follows its c_t
                h = s["o"] * np.tanh(c)
        z = w["V"] @ h + w["b_hy"]
        y = np.exp(z) / np.exp(z).sum()
        loss -= np.log(y[target]) / len(X)
        steps.append(dict(s, y=y))
    return steps, loss


def table(tables, title):
    found = [t for t in tables if t.title == title]
    assert len(found) == 1, title
    return found[0]


def column(tab, name):
    k = tab.columns.index(name)
    return np.array([row[k] for row in tab.rows], dtype=float)


def numeric(cell, w, bump_of):
    out = []
    for j in range(2):
        plus = run(cell, w, bump_of(j, EPS))[1]
        minus = run(cell, w, bump_of(j, -EPS))[1]
        out.append((plus - minus) / (2 * EPS))
    return np.array(out)


@pytest.mark.parametrize("cell, gates, state_table", [
    ("lstm", {"i": "i_t", "f": "f_t", "c~": "c~_t", "o": "o_t", "c": "c_t = f c_t-1 + i c~",
              "h": "h_t = o tanh(c_t)"}, "gates and states"),
    ("gru", {"z": "z_t", "r": "r_t", "h~": "h~_t", "h": "h_t = z h_t-1 + (1-z) h~"},
     "gates and state")])
def test_forward_tables_match_the_equations_by_hand(cell, gates, state_table):
    tables = trace.example_tables(cell)
    steps, _ = run(cell, weights(cell))
    for t, expected in enumerate(steps, start=1):
        tab = table(tables, f"t{t}: {state_table}")
        for key, name in gates.items():
            np.testing.assert_allclose(column(tab, name), expected[key], atol=1e-12)
        out = table(tables, f"t{t}: output")
        np.testing.assert_allclose(column(out, "yt"), expected["y"], atol=1e-12)


def test_lstm_pre_activations_give_the_gates():
    tables = trace.example_tables("lstm")
    for t in range(1, 5):
        pre, post = table(tables, f"t{t}: gate pre-activations (U x_t + W h_t-1 + b)"), \
            table(tables, f"t{t}: gates and states")
        np.testing.assert_allclose(sigmoid(column(pre, "a_f")), column(post, "f_t"), atol=1e-12)
        np.testing.assert_allclose(np.tanh(column(pre, "a_c~")), column(post, "c~_t"), atol=1e-12)


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_backward_dh_and_dc_are_the_loss_gradients_by_finite_differences(cell):
    w = weights(cell)
    tables = trace.example_tables(cell, backward=True)
    _, loss = run(cell, w)
    assert table(tables, "loss").rows[0][0] == pytest.approx(loss, abs=1e-12)
    states = "back through time (states)" if cell == "lstm" else "back through time (state)"
    for t in range(1, 5):
        tab = table(tables, f"t{t}: {states}")
        np.testing.assert_allclose(column(tab, "dh_t"),
                                   numeric(cell, w, lambda j, e: (t, "h", j, e)), atol=1e-8)
        if cell == "lstm":
            np.testing.assert_allclose(column(tab, "dc_t"),
                                       numeric(cell, w, lambda j, e: (t, "c", j, e)), atol=1e-8)


def test_lstm_gate_gradients_pass_through_the_gate_nonlinearities():
    """The gates' output gradients, computed by the trace, times σ' or tanh' are the kernel's da_t."""
    tables = trace.example_tables("lstm", backward=True)
    steps, _ = run("lstm", weights("lstm"))
    for t, s in enumerate(steps, start=1):
        tab = table(tables, f"t{t}: gate gradients (outputs, then pre-activations da_t)")
        for g in ("i", "f", "o"):
            np.testing.assert_allclose(column(tab, f"d{g}_t") * s[g] * (1 - s[g]),
                                       column(tab, f"da_{g}"), atol=1e-12)
        np.testing.assert_allclose(column(tab, "dc~_t") * (1 - s["c~"] ** 2),
                                   column(tab, "da_c~"), atol=1e-12)


def fd_gradient(cell, w, key):
    """Central differences of the loss w.r.t. every entry of the weight ``w[key]``."""
    grad = np.zeros_like(w[key])
    for idx in np.ndindex(grad.shape):
        plus, minus = dict(w, **{key: w[key].copy()}), dict(w, **{key: w[key].copy()})
        plus[key][idx] += EPS
        minus[key][idx] -= EPS
        grad[idx] = (run(cell, plus)[1] - run(cell, minus)[1]) / (2 * EPS)
    return grad


def matrix(tab, prefix):
    """The numeric block of the columns ``prefix[:,0]``, ``prefix[:,1]``, ..."""
    return np.column_stack([column(tab, c) for c in tab.columns if c.startswith(prefix + "[")])


def summed_shares(tables, prefix):
    """The sum over the four steps of each step's share table of ``prefix`` (dU or dW)."""
    found = [t for t in tables if f"share of {prefix} " in t.title]
    assert [t.title[:3] for t in found] == ["t4:", "t3:", "t2:", "t1:"]
    return sum(matrix(t, prefix) for t in found)


@pytest.mark.parametrize("cell, order", [("lstm", "ifco"), ("gru", "zrh")])
def test_each_steps_shares_add_up_to_the_weight_gradients(cell, order):
    w = weights(cell)
    tables = trace.example_tables(cell, backward=True)
    totals = next(t for t in tables if t.title.startswith("totals over all steps: dU | dW"))
    for m in "UW":
        total = matrix(totals, f"d{m}")
        np.testing.assert_allclose(summed_shares(tables, f"d{m}"), total, atol=1e-12)
        np.testing.assert_allclose(total, np.vstack([fd_gradient(cell, w, f"{m}_{g}")
                                                     for g in order]), atol=1e-8)


def test_gru_bias_shares_are_the_bias_gradients():
    w = weights("gru")
    tables = trace.example_tables("gru", backward=True)
    totals = table(tables, "totals over all steps: dU | dW | db_in | db_rec")
    for name, key in (("db_in", "b_in"), ("db_rec", "b_rec")):
        shares = sum(column(t, name) for t in tables
                     if "share of d" in t.title and name in t.columns)
        np.testing.assert_allclose(shares, column(totals, name), atol=1e-12)
        np.testing.assert_allclose(column(totals, name), fd_gradient("gru", w, key), atol=1e-8)


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_every_format_renders_the_cell_tables(cell):
    from rnnkit.tables import render
    tables = trace.example_tables(cell, backward=True)
    assert r"\toprule" in render(tables, "latex") and "da_" in render(tables, "markdown")
    assert render(tables, "csv").startswith("table,")
