"""Issue 14, point 1: a model that knows its input shape is built when it is constructed (Keras 3).

Numbers: SimpleRNN's step h_t = tanh(x_t·kernel + h_{t-1}·recurrent_kernel + bias), written out
in NumPy, on weights set before any call.
"""
import numpy as np
import pytest

from rnnkit import Sequential
from rnnkit.errors import NotBuiltError
from rnnkit.layers import Dense, Input, SimpleRNN


def _weights(seed=0):
    rng = np.random.default_rng(seed)
    return [rng.normal(size=(4, 3)), rng.normal(size=(3, 3)), rng.normal(size=3)]


def _simple_rnn_last(x, kernel, recurrent, bias):
    h = np.zeros((x.shape[0], kernel.shape[1]))
    for t in range(x.shape[1]):
        h = np.tanh(x[:, t] @ kernel + h @ recurrent + bias)
    return h


@pytest.mark.parametrize("make", [
    lambda: Sequential([SimpleRNN(3, input_shape=(4, 4), dtype="float64")]),
    lambda: Sequential([Input((4, 4)), SimpleRNN(3, dtype="float64")]),
], ids=["input_shape", "Input"])
def test_set_weights_before_any_call(make):
    """The issue's case: Sequential([SimpleRNN(3, input_shape=(4, 4))]).layers[0].set_weights(w)."""
    model = make()
    assert model.built
    w = _weights()
    model.layers[0].set_weights(w)
    assert model.layers[0].count_params() == 4 * 3 + 3 * 3 + 3 == model.count_params()
    for got, want in zip(model.layers[0].get_weights(), w):
        np.testing.assert_array_equal(got, want)
    x = np.random.default_rng(1).normal(size=(2, 4, 4))
    np.testing.assert_allclose(model.predict(x),
                               _simple_rnn_last(x, *w), rtol=1e-12)


def test_layers_added_one_by_one_are_built_as_added():
    model = Sequential()
    model.add(Input((5, 2)))
    model.add(SimpleRNN(3))
    assert model.layers[0].get_weights()[0].shape == (2, 3)
    model.add(Dense(4))
    assert [w.shape for w in model.layers[1].get_weights()] == [(3, 4), (4,)]
    text = []
    model.summary(print_fn=text.append)
    assert "Total params: 34" in text[0]        # 3·(2+3+1) + (3+1)·4


def test_without_input_shape_the_model_builds_on_first_data():
    model = Sequential([SimpleRNN(3), Dense(1)])
    assert not model.built
    with pytest.raises(NotBuiltError, match=r"'simple_rnn' \(SimpleRNN\) has no weights yet"):
        model.layers[0].get_weights()
    model.predict(np.zeros((1, 5, 2)))
    assert model.layers[0].get_weights()[0].shape == (2, 3)


@pytest.mark.parametrize("call", ["get_weights", "set_weights", "keras_grads"])
def test_unbuilt_layer_names_itself_never_a_key_error(call):
    layer = SimpleRNN(3, name="encoder")
    args = (_weights(),) if call == "set_weights" else ()
    with pytest.raises(NotBuiltError, match=r"'encoder' \(SimpleRNN\).*build"):
        getattr(layer, call)(*args)


def test_an_input_only_comes_first():
    with pytest.raises(ValueError, match="Input can only be the first element"):
        Sequential([SimpleRNN(3, input_shape=(4, 4)), Input((4, 3))])
