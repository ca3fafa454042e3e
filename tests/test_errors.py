"""User mistakes give errors that say what was wrong and what to do."""
import numpy as np
import pytest

from rnnkit import Sequential, losses, metrics, optimizers
from rnnkit.errors import NonFiniteLossError, NotBuiltError, ShapeError
from rnnkit.layers import LSTM, Bidirectional, Dense, Embedding, SimpleRNN, TimeDistributed


def _model():
    model = Sequential([SimpleRNN(4, input_shape=(5, 3)), Dense(2)])
    model.compile(loss="mse", optimizer="sgd")
    return model


def test_wrong_feature_size_names_layer_and_both_shapes():
    with pytest.raises(ShapeError) as info:
        _model().predict(np.zeros((2, 5, 7)))
    msg = str(info.value)
    assert "'simple_rnn'" in msg and "SimpleRNN" in msg
    assert "(batch, timesteps, features=3)" in msg
    assert "(2, 5, 7)" in msg


def test_missing_feature_axis_suggests_the_reshape():
    with pytest.raises(ShapeError) as info:
        _model().predict(np.zeros((2, 5)))
    msg = str(info.value)
    assert "'simple_rnn'" in msg and "(2, 5)" in msg and "features=3" in msg
    assert "(batch, timesteps, 1)" in msg


def test_unbuilt_recurrent_layer_given_2d_input():
    model = Sequential([SimpleRNN(4), Dense(1)])
    with pytest.raises(ShapeError) as info:
        model.predict(np.zeros((2, 5)))
    assert "(batch, timesteps, features)" in str(info.value) and "(batch, 5)" in str(info.value)


def test_dense_wrong_feature_size():
    model = Sequential([Dense(2, input_shape=(3,))])
    with pytest.raises(ShapeError) as info:
        model.predict(np.zeros((4, 6)))
    msg = str(info.value)
    assert "'dense'" in msg and "features=3" in msg and "(4, 6)" in msg


def test_set_weights_with_a_wrong_shape_names_the_weight():
    model = _model()
    weights = model.get_weights()
    weights[1] = np.zeros((3, 3))
    with pytest.raises(ShapeError) as info:
        model.set_weights(weights)
    msg = str(info.value)
    assert "recurrent_kernel" in msg and "(4, 4)" in msg and "(3, 3)" in msg
    with pytest.raises(ValueError, match="expects 5 arrays"):
        model.set_weights(weights[:3])


def test_return_state_inside_sequential_is_refused():
    with pytest.raises(ValueError) as info:
        Sequential([SimpleRNN(4, return_state=True, input_shape=(5, 3)), Dense(1)])
    msg = str(info.value)
    assert "return_state=True" in msg and "Sequential" in msg and "return_state=False" in msg


def test_non_finite_loss_stops_fit_and_keeps_weights_finite():
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(32, 5, 1)) * 10, rng.normal(size=(32, 1)) * 100
    model = Sequential([SimpleRNN(4, activation="linear", input_shape=(5, 1)), Dense(1)])
    model.compile(loss="mse", optimizer=optimizers.SGD(10.0))
    with pytest.raises(NonFiniteLossError) as info:
        model.fit(x, y, epochs=50, batch_size=8, verbose=0)
    msg = str(info.value)
    assert "clipnorm" in msg and "learning rate" in msg and "epoch 1" in msg
    assert all(np.isfinite(w).all() for w in model.get_weights())


def test_overflowing_gradient_with_a_finite_loss_keeps_weights_finite():
    """The loss (1e-10 · 1e160)² = 1e300 is finite but its gradient 2 · 1e150 · 1e160 is not."""
    model = Sequential([Dense(1, input_shape=(1,))])
    model.compile(loss="mse", optimizer="sgd")
    model.set_weights([np.array([[1e-10]]), np.zeros(1)])
    before = model.get_weights()
    x, y = np.full((4, 1), 1e160), np.zeros((4, 1))
    with pytest.raises(NonFiniteLossError) as info:
        model.fit(x, y, epochs=1, batch_size=2, shuffle=False, verbose=0)
    assert "clipnorm" in str(info.value) and "learning rate" in str(info.value)
    for a, b in zip(before, model.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_nan_in_the_data_stops_at_once_with_weights_untouched():
    model = _model()
    before = model.get_weights()
    x = np.zeros((4, 5, 3))
    x[2, 1, 0] = np.nan
    with pytest.raises(NonFiniteLossError):
        model.train_on_batch(x, np.zeros((4, 2)))
    for a, b in zip(before, model.get_weights()):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("bad", ["mean_squared_errror", "hinge", "cross_entropy"])
def test_unknown_loss_lists_the_valid_ones(bad):
    with pytest.raises(ValueError) as info:
        _model().compile(loss=bad, optimizer="sgd")
    msg = str(info.value)
    assert repr(bad) in msg
    for name in ("mse", "binary_crossentropy", "categorical_crossentropy",
                 "sparse_categorical_crossentropy"):
        assert name in msg
    with pytest.raises(ValueError):
        losses.get(bad)


def test_unknown_optimizer_lists_the_valid_ones():
    with pytest.raises(ValueError) as info:
        _model().compile(loss="mse", optimizer="adagrad")
    msg = str(info.value)
    assert "'adagrad'" in msg and "sgd" in msg and "rmsprop" in msg and "adam" in msg


@pytest.mark.parametrize("make, valid", [
    (lambda: SimpleRNN(3, activation="softmax"), ["linear", "tanh", "sigmoid", "relu"]),
    (lambda: SimpleRNN(3, activation="gelu"), ["linear", "tanh", "sigmoid", "relu"]),
    (lambda: Dense(3, activation="swish"), ["linear", "tanh", "sigmoid", "relu", "softmax"]),
])
def test_unknown_activation_lists_the_valid_ones(make, valid):
    with pytest.raises(ValueError) as info:
        make()
    msg = str(info.value)
    for name in valid:
        assert repr(name) in msg


def test_unknown_metric_lists_the_valid_ones():
    with pytest.raises(ValueError) as info:
        _model().compile(loss="mse", optimizer="sgd", metrics=["f1"])
    assert "'f1'" in str(info.value) and "accuracy" in str(info.value)
    with pytest.raises(ValueError):
        metrics.get("f1")


@pytest.mark.parametrize("call", ["fit", "evaluate", "gradients", "train_on_batch"])
def test_x_and_y_of_different_lengths(call):
    model = _model()
    x, y = np.zeros((4, 5, 3)), np.zeros((8, 1))      # same number of values as (4, 2): no silent reshape
    kwargs = {"verbose": 0} if call == "fit" else {}
    with pytest.raises(ShapeError) as info:
        getattr(model, call)(x, y, **kwargs)
    assert "4 samples" in str(info.value) and "8" in str(info.value)


def test_targets_of_the_wrong_shape():
    model = _model()
    with pytest.raises(ValueError, match=r"\(4, 3\).*\(4, 2\)"):
        model.gradients(np.zeros((4, 5, 3)), np.zeros((4, 3)))


def test_sparse_labels_out_of_range():
    model = Sequential([SimpleRNN(4, input_shape=(5, 3)), Dense(3, activation="softmax")])
    model.compile(loss="sparse_categorical_crossentropy", optimizer="sgd")
    with pytest.raises(ValueError, match=r"0\.\.2"):
        model.gradients(np.zeros((2, 5, 3)), np.array([0, 3]))


def test_training_before_compile():
    model = Sequential([SimpleRNN(4, input_shape=(5, 3)), Dense(2)])
    with pytest.raises(RuntimeError, match="compile"):
        model.fit(np.zeros((2, 5, 3)), np.zeros((2, 2)), verbose=0)


def test_model_without_input_shape_cannot_summarise():
    model = Sequential([SimpleRNN(4), Dense(2)])
    with pytest.raises(ValueError, match="input_shape"):
        model.summary()


def test_bad_units():
    for bad in (0, -3, 2.5, True):
        with pytest.raises(ValueError, match="units"):
            SimpleRNN(bad)
        with pytest.raises(ValueError, match="units"):
            Dense(bad)


@pytest.mark.parametrize("layer", [SimpleRNN(3), Dense(2), Embedding(5, 2),
                                   Bidirectional(LSTM(2)), TimeDistributed(Dense(2))],
                         ids=lambda l: type(l).__name__)
def test_an_unbuilt_layer_asked_for_weights_names_itself_and_says_what_to_do(layer):
    for ask in (layer.get_weights, layer.keras_grads, lambda: layer.set_weights([])):
        with pytest.raises(NotBuiltError) as info:
            ask()
        message = str(info.value)
        assert f"'{layer.name}'" in message and type(layer).__name__ in message
        assert "build" in message and "input_shape" in message
