"""The Layer contract (rnnkit.layers.base): every flag declared with its default, the same
``backward`` keywords on every layer, ``zero_grads``/``sublayers``, the ``last_pass`` record, and
models and rnnkit.threads that ask layers nothing else."""
import ast
import inspect
import re
from pathlib import Path

import numpy as np
import pytest

from rnnkit import threads
from rnnkit.layers import (GRU, LSTM, RNN, Bidirectional, Dense, Embedding, Layer, SimpleRNN,
                           TimeDistributed)
from rnnkit.layers import base as layer_base
from rnnkit.layers.cells import SimpleRNNCell
from rnnkit.layers.stub_encoder import StubImageEncoder
from rnnkit.models import EncoderDecoder, Sequential

ROOT = Path(layer_base.__file__).resolve().parents[1]

#: the flags a model or rnnkit.threads may ask, and their defaults on Layer
DEFAULTS = {"overwrites_grads": False, "splits_batch": False, "n_states": 0, "return_state": False,
            "accepts_initial_state": False, "supports_masking": True, "activation": None,
            "initial_state_grads": None, "last_pass": None}


def built(layer, input_shape):
    layer.build(input_shape)
    return layer


def every_layer():
    """name -> (a built layer, a batch of input for it, the flags it must declare)."""
    rng = np.random.default_rng(0)
    seq = rng.normal(size=(2, 4, 3))
    ids = np.array([[1, 3, 0], [3, 7, 7]])
    return {
        "SimpleRNN": (built(SimpleRNN(5), (4, 3)), seq,
                      dict(overwrites_grads=True, splits_batch=True, n_states=1, accepts_initial_state=True,
                           matmul_width=5, activation="tanh")),
        "LSTM": (built(LSTM(5), (4, 3)), seq,
                 dict(overwrites_grads=True, splits_batch=True, n_states=2,
                      accepts_initial_state=True, matmul_width=5, activation="tanh")),
        "GRU": (built(GRU(5), (4, 3)), seq,
                dict(overwrites_grads=True, splits_batch=True, n_states=1, accepts_initial_state=True,
                     matmul_width=5, activation="tanh")),
        "RNN": (built(RNN(SimpleRNNCell(5)), (4, 3)), seq,
                dict(overwrites_grads=True, n_states=1, accepts_initial_state=True,
                     matmul_width=5)),
        "Dense": (built(Dense(6, activation="softmax"), (3,)), seq[:, 0],
                  dict(overwrites_grads=True, matmul_width=6, activation="softmax")),
        "Embedding": (built(Embedding(10, 4), (3,)), ids, dict(matmul_width=0)),
        "Bidirectional": (built(Bidirectional(LSTM(5, return_sequences=True)), (4, 3)), seq,
                          dict(n_states=4, accepts_initial_state=True, matmul_width=5)),
        "TimeDistributed": (built(TimeDistributed(Dense(6)), (4, 3)), seq,
                            dict(matmul_width=6, activation="linear")),
        "StubImageEncoder": (built(StubImageEncoder(5, features=7, n_states=2), (2, 2, 3)),
                             rng.normal(size=(2, 2, 2, 3)),
                             dict(n_states=2, return_state=True, matmul_width=5)),
    }


def test_every_flag_is_declared_on_layer_with_its_default_and_a_docstring_line():
    source = inspect.getsource(layer_base.Layer)
    for flag, default in DEFAULTS.items():
        assert getattr(Layer, flag) == default, flag
        assert re.search(rf"#: [^\n]+\n(    #: [^\n]+\n)*    {flag} = ", source), \
            f"Layer.{flag} has no '#:' docstring line"
    for name in ("matmul_width", "logits", "sublayers", "zero_grads", "backward", "from_config"):
        assert getattr(Layer, name).__doc__, f"Layer.{name} has no docstring"


@pytest.mark.parametrize("name", list(every_layer()))
def test_each_layer_declares_its_flags(name):
    layer, _, declared = every_layer()[name]
    expected = dict(DEFAULTS, **declared)
    expected.pop("last_pass"), expected.pop("initial_state_grads")
    got = {flag: getattr(layer, flag) for flag in expected}
    assert got == expected


def test_sublayers_are_what_a_wrapper_wraps():
    layers = every_layer()
    bi = layers["Bidirectional"][0]
    td = layers["TimeDistributed"][0]
    assert bi.sublayers() == (bi.forward_layer, bi.backward_layer)
    assert td.sublayers() == (td.layer,)
    for name in ("SimpleRNN", "LSTM", "GRU", "Dense", "Embedding", "StubImageEncoder"):
        assert layers[name][0].sublayers() == (), name


@pytest.mark.parametrize("name", list(every_layer()))
def test_backward_takes_the_common_keywords_and_need_dx_changes_only_dx(name):
    layer, x, _ = every_layer()[name]
    params = inspect.signature(type(layer).backward).parameters
    for keyword, default in (("need_dx", True), ("dstates", None)):
        assert params[keyword].kind is inspect.Parameter.KEYWORD_ONLY, keyword
        assert params[keyword].default is default, keyword
    out = layer.forward(x)
    outs = out if isinstance(out, list) else [out]
    rng = np.random.default_rng(1)
    dy = [rng.normal(size=o.shape) for o in outs]
    dstates = dy[1:] or None

    def run(need_dx):
        layer.zero_grads()
        dx = layer.backward(dy[0], need_dx=need_dx, dstates=dstates)
        return dx, [g.copy() for g in layer.keras_grads()]

    dx, grads = run(True)
    no_dx, same_grads = run(False)
    assert no_dx is None
    if name in ("Embedding", "StubImageEncoder"):     # their inputs are data: no gradient
        assert dx is None
    else:
        assert dx.shape == x.shape
    for a, b in zip(grads, same_grads):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("name", ["SimpleRNN", "LSTM", "GRU", "RNN", "Dense"])
def test_layers_that_say_they_overwrite_their_gradients_do(name):
    layer, x, _ = every_layer()[name]
    out = layer.forward(x)
    dy = np.random.default_rng(2).normal(size=out.shape)
    layer.backward(dy)
    clean = [g.copy() for g in layer.grads.values()]
    for g in layer.grads.values():
        g[...] = 123.0                     # stale values from "a previous batch"
    layer.zero_grads()                     # nothing to do for these layers ...
    assert all(np.all(g == 123.0) for g in layer.grads.values())
    layer.backward(dy)                     # ... since backward overwrites every entry
    for a, b in zip(layer.grads.values(), clean):
        np.testing.assert_array_equal(a, b)


def test_embedding_zeroes_only_the_rows_its_last_batch_touched():
    layer = built(Embedding(6, 2), (3,))
    layer.forward(np.array([[1, 3, 3], [0, 1, 1]]))
    layer.backward(np.ones((2, 3, 2)))
    np.testing.assert_array_equal(layer.touched_rows, [0, 1, 3])
    # row 0 is used once, row 1 three times, row 3 twice: dE sums dy over each row's uses
    np.testing.assert_array_equal(layer.grads["E"][:, 0], [1, 3, 0, 2, 0, 0])
    layer.grads["E"][[2, 4, 5]] = 9.0      # rows no batch touched (never zeroed, never needed)
    layer.zero_grads()
    np.testing.assert_array_equal(layer.grads["E"][:, 1], [0, 0, 9, 0, 9, 9])


def test_a_layer_that_accumulates_has_its_gradients_zeroed_whole():
    layer = built(StubImageEncoder(2, features=3), (2, 2))
    for g in layer.grads.values():
        g[...] = 5.0
    layer.zero_grads()
    assert all(np.all(g == 0) for g in layer.grads.values()) and layer.grads


def test_wrappers_pass_zero_grads_on_to_what_they_wrap():
    calls = []
    for wrapper in (Bidirectional(SimpleRNN(2)), TimeDistributed(Dense(2))):
        for inner in wrapper.sublayers():
            inner.zero_grads = lambda inner=inner: calls.append(inner)
        wrapper.zero_grads()
        assert calls == list(wrapper.sublayers())
        calls.clear()


def test_a_model_zeroes_through_the_layers_before_each_backward():
    """A model with an Embedding trains two batches with different tokens: the second batch's
    gradient must not keep the first batch's rows (the model calls zero_grads)."""
    model = Sequential([Embedding(8, 3, input_shape=(2,)), SimpleRNN(2), Dense(1)])
    model.compile(loss="mse", optimizer="sgd")
    y = np.zeros((1, 1))
    model.gradients(np.array([[1, 2]]), y)
    _, grads = model.gradients(np.array([[5, 6]]), y)
    dE = grads[0]
    assert np.all(dE[[1, 2]] == 0) and np.any(dE[[5, 6]] != 0)


# ---- the last_pass record --------------------------------------------------------------------
def test_simple_rnn_last_pass_holds_the_lectures_quantities():
    rng = np.random.default_rng(3)
    layer = built(SimpleRNN(3, return_sequences=True), (4, 2))
    x = rng.normal(size=(2, 4, 2))
    layer.forward(x)
    p = layer.last_pass
    U, W, b = layer.params["U"], layer.params["W"], layer.params["b"]
    np.testing.assert_array_equal(p.X, x.transpose(1, 0, 2))
    np.testing.assert_array_equal(p.H[0], 0)
    for t in range(4):                        # a_t = U x_t + W h_{t-1} + b_xh, h_t = tanh(a_t)
        np.testing.assert_allclose(p.A[t], p.X[t] @ U.T + p.H[t] @ W.T + b, rtol=1e-12)
        np.testing.assert_allclose(p.H[t + 1], np.tanh(p.A[t]), rtol=1e-12)
    assert p.mask is None and p.dA is None and p.C is None and p.gates is None
    dy = rng.normal(size=(2, 4, 3))
    layer.backward(dy)
    # the last step's da_T only comes from its output: dy_T * (1 - h_T^2)
    np.testing.assert_allclose(p.dA[3], dy[:, 3] * (1 - p.H[4] ** 2), rtol=1e-12)
    layer.forward(x, mask=np.ones((2, 4)))
    assert layer.last_pass.mask.shape == (4, 2)


def test_dense_last_pass_holds_the_logits_and_their_gradient():
    rng = np.random.default_rng(4)
    layer = built(Dense(3, activation="linear"), (2,))
    x = rng.normal(size=(5, 2))
    layer.forward(x)
    p = layer.last_pass
    np.testing.assert_allclose(p.A, x @ layer.params["V"].T + layer.params["b"], rtol=1e-12)
    np.testing.assert_array_equal(layer.logits, p.A)
    dy = rng.normal(size=(5, 3))
    layer.backward(dy)
    np.testing.assert_allclose(p.dA, dy)       # linear: dL/dz = dL/dy


def test_lstm_last_pass_gates_and_cell_states_make_the_hidden_states():
    layer = built(LSTM(3, return_sequences=True), (5, 2))
    layer.forward(np.random.default_rng(5).normal(size=(2, 5, 2)))
    p = layer.last_pass
    i, f, g, o = (p.gates[k] for k in ("i", "f", "c̃", "o"))
    np.testing.assert_allclose(p.C[1:], f * p.C[:-1] + i * g, rtol=1e-12)   # c_t
    np.testing.assert_allclose(p.H[1:], o * np.tanh(p.C[1:]), rtol=1e-12)   # h_t


def test_a_model_picks_the_bridge_by_the_declared_flag():
    model = EncoderDecoder([Embedding(5, 2), GRU(3, return_state=True)],
                           [Embedding(5, 2), Dense(2), GRU(3, return_sequences=True), Dense(5)])
    assert model.bridge is model.decoder[2]
    with pytest.raises(ValueError, match="needs a recurrent layer"):
        EncoderDecoder([GRU(3, return_state=True)], [Dense(2)])


def test_threads_read_width_and_splitting_from_the_declared_properties():
    narrow = Sequential([Embedding(5000, 8, input_shape=(3,)), Bidirectional(LSTM(16)), Dense(4)])
    assert threads.width(narrow) == 16                     # the vocabulary does not count
    assert threads.splits_batches(narrow)
    wide = Sequential([RNN(SimpleRNNCell(200), return_sequences=True, input_shape=(3, 1)),
                       TimeDistributed(Dense(2))])                  # a user cell: no split
    assert threads.width(wide) == 200 and not threads.splits_batches(wide)


# ---- models and threads ask layers only what Layer declares ---------------------------------
#: arguments a probe may test that are the user's data, never a layer
DATA_ARGUMENTS = {"x", "epochs", "batch_size"}


def layer_probes(path):
    """``isinstance``/``getattr``/``hasattr`` calls on anything but user data, and ``type(...)``
    compared with ``is``/``==``, in the source file ``path``: (line, source) pairs."""
    tree = ast.parse(path.read_text())
    found = []
    for node in ast.walk(tree):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                and node.func.id in ("isinstance", "getattr", "hasattr")):
            subject = node.args[0]
            if not (isinstance(subject, ast.Name) and subject.id in DATA_ARGUMENTS):
                found.append((node.lineno, ast.unparse(node)))
        if isinstance(node, ast.Compare) and any(
                isinstance(op, (ast.Is, ast.IsNot, ast.Eq, ast.NotEq)) for op in node.ops):
            for side in [node.left] + node.comparators:
                if (isinstance(side, ast.Call) and isinstance(side.func, ast.Name)
                        and side.func.id == "type"):
                    found.append((node.lineno, ast.unparse(node)))
    return found


def test_the_probe_scan_finds_probes():
    sample = ROOT / "trace.py"                # checks layer types on purpose (one traceable model)
    assert any("isinstance(head, TimeDistributed)" in src for _, src in layer_probes(sample))


def test_models_and_threads_never_probe_a_layer():
    files = sorted((ROOT / "models").glob("*.py")) + [ROOT / "threads.py"]
    probes = {str(f.relative_to(ROOT)): layer_probes(f) for f in files}
    assert {f: p for f, p in probes.items() if p} == {}
