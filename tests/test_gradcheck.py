"""rnnkit.gradcheck: analytic gradients against finite differences, per weight array."""
import numpy as np
import pytest

from rnnkit import config as rconfig
from rnnkit.gradcheck import check_model, gradcheck, noise_floor, numeric_gradient, relative_error
from rnnkit.layers import GRU, Dense, SimpleRNN
from rnnkit.models import Sequential
from rnnkit.tables import render
from rnnkit.runs import ConfigError

from test_cli_support import TinyRegress, TinyTagger


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_tiny_tagger_passes_in_every_cell(cell):
    result = gradcheck(TinyTagger(), {"cell": cell}, entries=4)
    assert result.ok, render(result.tables())
    assert len(result.arrays) == 5 and all(len(a.entries) == 4 for a in result.arrays)
    assert rconfig.floatx() == "float64"


def test_regression_model_and_report():
    result = gradcheck(TinyRegress(), entries=3)
    assert result.ok
    d = result.to_dict()
    assert d["arrays"][0]["name"] == "simple_rnn/kernel" and d["max_rel_error"] < 1e-6
    text = render(result.tables())
    assert "relative error" in text and "summary (tiny-regress" in text


def test_a_wrong_gradient_is_caught():
    with rconfig.scope(seed=0):
        model = Sequential([SimpleRNN(3, input_shape=(4, 2)), Dense(1)])
        model.compile(loss="mse", optimizer="sgd")
    x = np.random.default_rng(0).normal(size=(3, 4, 2))
    y = np.ones((3, 1))
    assert check_model(model, x, y).ok
    honest = model.gradients

    def broken(xb, yb):
        loss, grads = honest(xb, yb)
        grads[1] = grads[1] * 1.5                 # a recurrent-kernel bug
        return loss, grads
    model.gradients = broken
    result = check_model(model, x, y)
    assert not result.ok and [a.name for a in result.failures()] == ["simple_rnn/recurrent_kernel"]


def test_relative_error_is_robust_near_zero():
    assert relative_error(1.0, 1.0) == 0
    assert relative_error(1e-12, 0.0) < 1e-8
    assert relative_error(1.0, 1.1) == pytest.approx(0.1 / 2.1)


def test_bad_overrides_are_config_errors():
    with pytest.raises(ConfigError, match="cell 'transformer'"):
        gradcheck(TinyTagger(), {"cell": "transformer"})


# ---- the one checker: its step, its error, its defaults on the built-ins -------------------------
def test_numeric_gradient_steps_relative_to_the_entry_and_restores_it():
    w = np.array([0.5, -4.0, 300.0])
    seen = []

    def f():
        seen.append(w.copy())
        return float(np.sum(w ** 3))
    numeric_gradient(f, w, eps=1e-5)
    steps = [abs(seen[2 * i][i] - seen[2 * i + 1][i]) / 2 for i in range(3)]
    assert steps == pytest.approx([1e-5, 4e-5, 3e-3], rel=1e-6)       # eps * max(1, |w|)
    np.testing.assert_array_equal(w, [0.5, -4.0, 300.0])


def test_numeric_gradient_of_a_cube():
    w = np.array([0.5, -4.0])
    grad = numeric_gradient(lambda: float(np.sum(w ** 3)), w)
    np.testing.assert_allclose(grad, 3 * w ** 2, rtol=1e-8)
    # only some entries: centred differences of w^3 are 3 w^2 + h^2, h = 1e-5 * 300 = 3e-3 (an
    # absolute step 1e-5 would give + 1e-10); rounding: 1e-16 * 300^3 / h ~ 1e-6
    v = np.array([1.0, 300.0])
    assert numeric_gradient(lambda: float(v[1] ** 3), v, entries=[1]) == \
        pytest.approx([3 * 300.0 ** 2 + 9e-6], rel=0, abs=3e-6)


def test_the_floor_is_the_rounding_noise_of_the_loss():
    assert noise_floor(3.4, eps=1e-5) == pytest.approx(1e-14 * 3.4 / (1e-5 * 1e-6))
    assert noise_floor(3.4, eps=1e-6) == pytest.approx(10 * noise_floor(3.4, eps=1e-5))
    assert noise_floor(1.0) == pytest.approx(1e-3)
    # below the floor an array is held to TOLERANCE * floor = 1e-14 |L| / eps absolute ...
    assert relative_error([2e-5], [2e-5 + 3e-9], floor=3.4e-3) == pytest.approx(3e-9 / 3.4e-3)
    # ... above it, relative to the array's largest entries: a small entry is not judged alone
    assert relative_error([1.0, 1e-4], [1.0, 1e-4 + 1e-9]) == pytest.approx(1e-9 / 2.0)
    assert np.isnan(relative_error([1.0], [np.nan]))


def test_the_char_lm_failures_were_rounding_noise_that_a_larger_step_removes():
    """On char-lm's GRU (float64, loss 3.4) |analytic - numeric| of the recurrent kernel falls as
    1/eps from eps = 1e-7 to 1e-5 (measured medians over 20 entries: 3.2e-9, 2.2e-10, 4.2e-11):
    rounding noise delta / eps of the loss, not a kernel error nor curvature (which would grow
    with eps). At the old step 1e-6 it reached 1e-9, 1e-6 of the old floor 1e-3."""
    from rnnkit import plugins
    from rnnkit.runs import resolve_config
    arch = plugins.get("char-lm")
    cfg = resolve_config(arch, {"cell": "gru", "floatx": "float64"})
    with rconfig.scope(floatx="float64", seed=cfg["seed"]):
        data = arch.small_data(cfg)
        model = arch.build_model(cfg, data.meta)
    x, y = data.train[0][:4], data.train[1][:4]
    loss, grads = model.gradients(x, y)
    analytic = np.array(grads[1]).reshape(-1)
    weights = [np.array(w) for w in model.get_weights()]

    def f():
        model.set_weights(weights)
        return model.gradients(x, y)[0]
    picks = np.random.default_rng(0).choice(analytic.size, 20, replace=False)
    median = {eps: np.median(np.abs(numeric_gradient(f, weights[1], eps, entries=picks)
                                    - analytic[picks])) for eps in (1e-7, 1e-6, 1e-5)}
    assert median[1e-7] > 3 * median[1e-6] > 9 * median[1e-5], median


@pytest.mark.parametrize("seed", [0, 4])
def test_the_commands_of_the_report_pass_with_the_defaults(seed):
    # rnnkit gradcheck --arch char-lm --cell gru [--seed 4] --entries 10
    result = gradcheck("char-lm", {"cell": "gru"}, entries=10, seed=seed)
    assert result.ok, render(result.tables())
    assert result.eps == 1e-5 and result.max_rel_error < 1e-7


def test_a_one_percent_error_in_a_gru_kernel_is_caught(monkeypatch):
    honest = GRU.backward

    def backward(self, *args, **kwargs):
        dx = honest(self, *args, **kwargs)
        self.grads["W"] *= 1.01                       # dW off by 1%
        return dx
    monkeypatch.setattr(GRU, "backward", backward)
    result = gradcheck("char-lm", {"cell": "gru"}, entries=10)
    assert [a.name for a in result.failures()] == ["gru/recurrent_kernel"]
    # on the largest entry |1.01 a - a| / (1.01 |a| + |a|) = 0.01 / 2.01
    assert result.failures()[0].max_rel_error == pytest.approx(0.01 / 2.01, rel=1e-3)
