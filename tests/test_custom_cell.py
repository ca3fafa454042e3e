"""RNN(cell): a user-written cell runs like a built-in layer, and check_cell names what is wrong.

The user-written cells are what a student writes in the exercise (docs/exercises.md): plain NumPy,
subclassing rnnkit.layers.cells.Cell. ``ElmanCell`` is the exercise's solution
(examples/exercise-cell/solutions.py), the lecture's step written independently of rnnkit's kernels
(np.tanh, its own products), so matching SimpleRNN to 1e-12 in float64 shows the per-step path,
masks and go_backwards included, computes what the fused kernel does. The other cells here are
the classic mistakes, each a one-line change of it.
"""
import sys
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from conftest import assert_gradient_close, numeric_gradient
from rnnkit import Sequential, config, load_model
from rnnkit.layers import GRU, LSTM, RNN, Bidirectional, Dense, SimpleRNN
from rnnkit.layers.cells import Cell, GRUCell, LSTMCell, SimpleRNNCell
from rnnkit.cli.main import cli
from rnnkit.testing import check_cell

EXERCISE = Path(__file__).resolve().parents[1] / "examples" / "exercise-cell"
sys.path.insert(0, str(EXERCISE))                  # the exercise's modules import each other
from solutions import ElmanCell, MinimalGatedCell  # noqa: E402


class WrongRecurrentGradient(ElmanCell):
    """The classic slip: dW from h_t instead of h_{t-1}."""

    def step_backward(self, dstates, cache):
        x, h_prev, h = cache
        dx, dprev = super().step_backward(dstates, cache)
        da = dstates[0] * (1 - h ** 2)
        self.grads["W"] += da.T @ (h - h_prev)           # net effect: dW += da h_tᵀ
        return dx, dprev


class ForgetsTanhDerivative(ElmanCell):
    """dh_{t-1} = Wᵀ dh_t, forgetting the tanh' factor only there."""

    def step_backward(self, dstates, cache):
        dx, _ = super().step_backward(dstates, cache)
        return dx, [dstates[0] @ self.params["W"]]


class OverwritesGrads(ElmanCell):
    """``=`` where ``+=`` belongs: only the last step's share would survive."""

    def step_backward(self, dstates, cache):
        x, h_prev, h = cache
        da = dstates[0] * (1 - h ** 2)
        self.grads["U"][...] = da.T @ x
        self.grads["W"] += da.T @ h_prev
        self.grads["b"] += da.sum(axis=0)
        return da @ self.params["U"], [da @ self.params["W"]]


class TwoStateCell(Cell):
    """A two-state gated cell: f_t = σ(U_f x_t + W_f h_{t-1}); c_t = f_t c_{t-1} + (1 - f_t) x̃_t
    with x̃_t = tanh(U_c x_t); h_t = tanh(c_t). Exercises two states and their gradients."""

    def __init__(self, units=2):
        self.state_sizes = (units, units)

    def build(self, input_dim):
        rng = config.rng()
        for name, cols in (("U_f", input_dim), ("W_f", self.units), ("U_c", input_dim)):
            self.add_weight(name, rng.uniform(-0.7, 0.7, size=(self.units, cols)))

    def step_forward(self, x, states):
        p, (h_prev, c_prev) = self.params, states
        f = 1 / (1 + np.exp(-(x @ p["U_f"].T + h_prev @ p["W_f"].T)))
        xt = np.tanh(x @ p["U_c"].T)
        c = f * c_prev + (1 - f) * xt
        h = np.tanh(c)
        return [h, c], (x, h_prev, c_prev, f, xt, h)

    def step_backward(self, dstates, cache):
        x, h_prev, c_prev, f, xt, h = cache
        dh, dc_next = dstates
        dc = dc_next + dh * (1 - h ** 2)
        df = dc * (c_prev - xt) * f * (1 - f)
        dxt = dc * (1 - f) * (1 - xt ** 2)
        p, g = self.params, self.grads
        g["U_f"] += df.T @ x
        g["W_f"] += df.T @ h_prev
        g["U_c"] += dxt.T @ x
        return df @ p["U_f"] + dxt @ p["U_c"], [df @ p["W_f"], dc * f]

    def get_config(self):
        return {"units": self.units}


# ---- the per-step path computes what the fused SimpleRNN kernel does ---------------------------
@pytest.mark.parametrize("go_backwards", [False, True])
@pytest.mark.parametrize("return_sequences", [False, True])
def test_user_elman_cell_matches_simple_rnn(go_backwards, return_sequences):
    rng = np.random.default_rng(3)
    x, h0 = rng.normal(size=(3, 5, 2)), rng.normal(size=(3, 4))
    mask = np.ones((3, 5))
    mask[1, 3:] = 0                                        # right padding
    mask[2, :2] = 0                                        # left padding
    reference = SimpleRNN(4, return_sequences=return_sequences, go_backwards=go_backwards,
                          return_state=True)
    mine = RNN(ElmanCell(4), return_sequences=return_sequences, go_backwards=go_backwards,
               return_state=True)
    for layer in (reference, mine):
        layer.build((5, 2))
    for key in ("U", "W", "b"):                            # both in the lecture's notation
        mine.params[key][...] = reference.params[key]
    outs = [layer.forward(x, mask=mask, initial_state=[h0]) for layer in (reference, mine)]
    for a, b in zip(*outs):
        np.testing.assert_allclose(b, a, rtol=0, atol=1e-12)
    R = rng.normal(size=outs[0][0].shape)
    S = rng.normal(size=(3, 4))
    dxs = [layer.backward(R, dstates=[S]) for layer in (reference, mine)]
    np.testing.assert_allclose(dxs[1], dxs[0], rtol=0, atol=1e-12)
    np.testing.assert_allclose(mine.initial_state_grads[0], reference.initial_state_grads[0],
                               rtol=0, atol=1e-12)
    for key in ("U", "W", "b"):
        np.testing.assert_allclose(mine.grads[key], reference.grads[key], rtol=0, atol=1e-12)


BUILT_IN = [
    (lambda: SimpleRNN(4, "relu", return_sequences=True, return_state=True),
     lambda: SimpleRNNCell(4, "relu")),
    (lambda: LSTM(4, return_sequences=True, return_state=True), lambda: LSTMCell(4)),
    (lambda: LSTM(4, "relu", "tanh", unit_forget_bias=False, return_state=True),
     lambda: LSTMCell(4, "relu", "tanh", unit_forget_bias=False)),
    (lambda: GRU(4, return_sequences=True, return_state=True), lambda: GRUCell(4)),
    (lambda: GRU(4, reset_after=False, return_state=True), lambda: GRUCell(4, reset_after=False)),
]


@pytest.mark.parametrize("go_backwards", [False, True])
@pytest.mark.parametrize("fused, cell", BUILT_IN, ids=["rnn", "lstm", "lstm-options", "gru",
                                                       "gru-reset-before"])
def test_built_in_cells_compute_what_the_fused_layers_do(fused, cell, go_backwards):
    """The built-in layers as cells: the same seed draws the same weights (in Keras' layout), and
    RNN(cell) gives the fused kernels' outputs, states and every gradient, masks included."""
    with config.scope(seed=7):
        reference = fused()
        reference.go_backwards = go_backwards
        reference.build((5, 3))
    with config.scope(seed=7):
        mine = RNN(cell(), return_sequences=reference.return_sequences, return_state=True,
                   go_backwards=go_backwards)
        mine.build((5, 3))
    assert mine.keras_weight_names() == reference.keras_weight_names()
    for a, b in zip(reference.get_weights(), mine.get_weights()):
        np.testing.assert_array_equal(a, b)
    rng = np.random.default_rng(8)
    x = rng.normal(size=(3, 5, 3))
    init = [rng.normal(size=(3, 4)) for _ in range(reference.n_states)]
    mask = np.ones((3, 5))
    mask[0, 4:], mask[2, :2] = 0, 0
    outs = [layer.forward(x, mask=mask, initial_state=init) for layer in (reference, mine)]
    for a, b in zip(*outs):
        np.testing.assert_allclose(b, a, rtol=0, atol=1e-12)
    dy = rng.normal(size=outs[0][0].shape)
    dstates = [rng.normal(size=(3, 4)) for _ in init]
    dxs = [layer.backward(dy, dstates=dstates) for layer in (reference, mine)]
    np.testing.assert_allclose(dxs[1], dxs[0], rtol=0, atol=1e-12)
    for a, b in zip(reference.initial_state_grads, mine.initial_state_grads):
        np.testing.assert_allclose(b, a, rtol=0, atol=1e-12)
    for a, b in zip(reference.keras_grads(), mine.keras_grads()):
        np.testing.assert_allclose(b, a, rtol=0, atol=1e-12)


# ---- the layer around a cell: two states, stacking, Bidirectional, saving ----------------------
def test_two_state_cell_gradients_through_a_stacked_model():
    """A gated two-state cell under another RNN and a Dense: every weight against finite
    differences of the model's loss."""
    with config.scope(floatx="float64", seed=1):
        model = Sequential([RNN(TwoStateCell(3), return_sequences=True, input_shape=(4, 2)),
                            RNN(ElmanCell(2)), Dense(1)])
        model.compile(loss="mse", optimizer="sgd")
        rng = np.random.default_rng(1)
        x, y = rng.normal(size=(3, 4, 2)), rng.normal(size=(3, 1))
        _, grads = model.gradients(x, y)
        weights = model.get_weights()
        assert len(grads) == len(weights) == 3 + 3 + 2
        for k, w in enumerate(weights):
            def loss():
                model.set_weights(weights)
                return model.evaluate(x, y)
            assert_gradient_close(grads[k], numeric_gradient(loss, w), f"weight {k}")


def test_bidirectional_custom_cell_has_two_cells_and_saves(tmp_path):
    with config.scope(floatx="float64", seed=2):
        model = Sequential([Bidirectional(RNN(TwoStateCell(2)), input_shape=(3, 2)),
                            Dense(1)])
    layer = model.layers[0]
    assert layer.forward_layer.cell is not layer.backward_layer.cell
    assert layer.count_params() == 2 * (2 * 2 + 2 * 2 + 2 * 2)
    x = np.random.default_rng(2).normal(size=(2, 3, 2))
    model.save(tmp_path / "m.rnnkit")
    again = load_model(tmp_path / "m.rnnkit")
    np.testing.assert_array_equal(again.predict(x), model.predict(x))
    assert type(again.layers[0].forward_layer.cell) is TwoStateCell


def test_saved_cell_is_its_import_path_and_config(tmp_path):
    from rnnkit.models.saving import read_model_file
    model = Sequential([RNN(ElmanCell(3), input_shape=(2, 1))])
    model.save(tmp_path / "m.rnnkit")
    header, _ = read_model_file(tmp_path / "m.rnnkit")
    cfg = header["model"]["layers"][-1]["config"]["cell"]
    assert cfg == {"class": "solutions:ElmanCell", "config": {"units": 3}}


def test_cell_defined_in_a_function_cannot_be_saved(tmp_path):
    class Local(ElmanCell):
        pass
    model = Sequential([RNN(Local(), input_shape=(2, 1))])
    with pytest.raises(ValueError, match="defined inside a function"):
        model.save(tmp_path / "m.rnnkit")


def test_initial_state_of_the_wrong_shape_is_named():
    layer = RNN(TwoStateCell(2))
    layer.build((3, 1))
    with pytest.raises(ValueError, match=r"2 array\(s\) of shape \(batch, 2\), \(batch, 2\)"):
        layer.forward(np.zeros((4, 3, 1)), initial_state=[np.zeros((4, 2))])


def test_rnn_refuses_what_is_not_a_cell():
    with pytest.raises(TypeError, match="subclass of rnnkit.layers.cells.Cell"):
        RNN(SimpleRNN(3))


def test_rnn_takes_keras_rnn_flags_but_not_the_built_in_layers_options():
    RNN(ElmanCell(), unroll=True, stateful=False)
    assert RNN(ElmanCell(), stateful=True).stateful          # tests/test_stateful.py
    with pytest.raises(ValueError, match=r"RNN\(seed=3\): rnnkit draws dropout masks"):
        RNN(ElmanCell(), seed=3)
    with pytest.raises(TypeError, match="unexpected keyword argument 'kernel_initializer'"):
        RNN(ElmanCell(), kernel_initializer="zeros")       # the cell creates its own weights


# ---- check_cell: passes correct cells, names the equation that is off ---------------------------
@pytest.mark.parametrize("cell", [ElmanCell(3), MinimalGatedCell(3), TwoStateCell(2),
                                  SimpleRNNCell(3, "relu"), LSTMCell(3), GRUCell(3),
                                  GRUCell(2, "sigmoid", "tanh", reset_after=False)], ids=repr)
def test_check_cell_passes_correct_cells(cell):
    report = check_cell(cell)
    assert report.passed, str(report)
    assert [r.status for r in report] == ["pass"] * 8


def test_check_cell_names_the_wrong_weight_gradient():
    report = check_cell(WrongRecurrentGradient(3))
    failure, = report.failures
    assert failure.name == "step_gradients"
    assert failure.message.startswith("dW wrong at t = 1, 2, 3, 4 (relative error up to ")
    assert "; dU, db, dx_t, dh_{t-1} fine." in failure.message
    assert [r.status for r in report][5:] == ["skip"] * 3


def test_check_cell_names_the_wrong_state_gradient():
    failure, = check_cell(ForgetsTanhDerivative(3)).failures
    assert failure.message.startswith("dh_{t-1} wrong at t = 1, 2, 3, 4")
    assert "dU, dW, db, dx_t fine" in failure.message


def test_check_cell_catches_overwritten_gradients():
    failure, = check_cell(OverwritesGrads(3)).failures
    assert failure.name == "step_backward_adds"
    assert "self.grads['U'] += ..." in failure.message


def test_check_cell_reports_a_template_not_written_yet():
    class Template(Cell):
        state_sizes = (3,)
    failure, = check_cell(Template()).failures
    assert failure.name == "builds"
    assert "build(input_dim) is not written yet" in failure.message


def test_check_cell_reports_wrong_state_shapes():
    class TwoStatesDeclaredOneReturned(ElmanCell):
        def __init__(self):
            self.state_sizes = (3, 3)
    failure, = check_cell(TwoStatesDeclaredOneReturned()).failures
    assert failure.name == "step_forward_shapes"
    assert "at t = 1, step_forward returned 1 state(s); state_sizes declares 2" in failure.message


class RemembersOnSelf(ElmanCell):
    """Keeps the step's values on ``self`` instead of in the cache: right for one step, wrong
    over a sequence (backward then sees the last step's values at every t)."""

    def step_forward(self, x, states):
        new, cache = super().step_forward(x, states)
        self.last = cache
        return new, None

    def step_backward(self, dstates, cache):
        return super().step_backward(dstates, self.last)


def test_check_cell_catches_what_only_goes_wrong_over_time():
    failure, = check_cell(RemembersOnSelf(3)).failures
    assert failure.name == "gradients_through_time"
    assert failure.message.startswith("dU wrong through time (relative error up to ")
    assert "keep anything on self" in failure.message


# ---- the exercise template and its solutions, through the command line --------------------------
@pytest.fixture
def in_exercise(monkeypatch):
    """Run from examples/exercise-cell, as a student does (its modules import from there)."""
    monkeypatch.chdir(EXERCISE)
    monkeypatch.syspath_prepend(str(EXERCISE))
    return CliRunner()


def test_the_template_fails_until_written(in_exercise):
    result = in_exercise.invoke(cli, ["check", "--cell", "my_cells:ElmanCell"])
    assert result.exit_code == 1
    assert "FAIL  step_forward_shapes" in result.output
    assert "NotImplementedError: ElmanCell.step_forward: write h_t" in result.output
    assert "Error: cell my_cells:ElmanCell fails 1 check(s): step_forward_shapes" in result.output


@pytest.mark.parametrize("name", ["ElmanCell", "MinimalGatedCell"])
def test_the_solutions_pass(in_exercise, name):
    result = in_exercise.invoke(cli, ["check", "--cell", f"solutions:{name}"])
    assert result.exit_code == 0, result.output
    assert f"cell solutions:{name}: 8 passed, 0 failed, 0 skipped" in result.output


@pytest.mark.parametrize("args, message", [
    (["--cell", "no_such_module:Cell"], "cannot import module 'no_such_module'"),
    (["--cell", "solutions:Nope"], "module 'solutions' has no 'Nope'"),
    (["--cell", "solutions:np"], "is <module 'numpy'"),
    (["tiny", "--cell", "solutions:ElmanCell"], "give no ARCH"),
    ([], "give an architecture"),
])
def test_cli_cell_mistakes_are_usage_errors(in_exercise, args, message):
    result = in_exercise.invoke(cli, ["check", *args])
    assert result.exit_code == 2 and message in result.output
    assert "Traceback" not in result.output
