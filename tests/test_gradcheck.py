"""rnnkit.gradcheck: analytic gradients against finite differences, per weight array."""
import numpy as np
import pytest

from rnnkit import config as rconfig
from rnnkit.gradcheck import check_model, gradcheck, relative_error
from rnnkit.layers import Dense, SimpleRNN
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
    rconfig.set_seed(0)
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
