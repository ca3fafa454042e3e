"""A plugin's own Layer subclass: registered with rnnkit.layers.register_layer, it trains in a
model (gradients checked by finite differences) and round-trips through save/load_model."""
import numpy as np
import pytest

from conftest import assert_gradient_close, numeric_weight_gradients
from rnnkit import Sequential, load_model
from rnnkit.errors import ModelFileError
from rnnkit.layers import Dense, Layer, SimpleRNN, register_layer
from rnnkit.layers import registry


@pytest.fixture(autouse=True)
def own_registry(monkeypatch):
    """Each test registers into its own copy, so no test sees another's classes."""
    monkeypatch.setattr(registry, "LAYER_CLASSES", dict(registry.LAYER_CLASSES))


def scale_layer():
    """``y = s ⊙ x`` per feature, s initialised to ``init``; backward *accumulates* into ds, so
    the model must zero it (overwrites_grads keeps its default, False)."""

    class Scale(Layer):
        keras_name = "scale"

        def __init__(self, init=1.0, **kwargs):
            super().__init__(**kwargs)
            self.init = float(init)

        def build(self, input_shape):
            super().build(input_shape)
            self._add_param("s", np.full(input_shape[-1], self.init))

        def forward(self, x, mask=None):
            self._x = x
            return x * self.params["s"]

        def backward(self, dy, *, need_dx=True, dstates=None):
            self.grads["s"] += (dy * self._x).reshape(-1, dy.shape[-1]).sum(axis=0)
            return dy * self.params["s"] if need_dx else None

        def keras_weight_names(self):
            return ["scale"]

        def _get_keras_weights(self):
            return [self.params["s"].copy()]

        def _set_keras_weights(self, w):
            self.params["s"][...] = w[0]

        def _get_keras_grads(self):
            return [self.grads["s"].copy()]

        def get_config(self):
            return dict(super().get_config(), init=self.init)

    return Scale


def model_with(Scale):
    model = Sequential([SimpleRNN(3, return_sequences=True, input_shape=(4, 2)), Scale(init=0.5),
                        Dense(2)])
    model.compile(loss="mse", optimizer="sgd")
    return model


def test_register_layer_is_a_decorator_and_the_layer_round_trips(tmp_path):
    Scale = register_layer(scale_layer())
    assert registry.LAYER_CLASSES["Scale"] is Scale
    model = model_with(Scale)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(5, 4, 2))
    model.fit(x, rng.normal(size=(5, 4, 2)), epochs=2, batch_size=2, verbose=0)
    assert not np.allclose(model.layers[1].params["s"], 0.5)       # trained
    model.save(tmp_path / "m.rnnkit")
    loaded = load_model(tmp_path / "m.rnnkit")
    assert type(loaded.layers[1]) is Scale and loaded.layers[1].init == 0.5
    np.testing.assert_array_equal(loaded.layers[1].params["s"], model.layers[1].params["s"])
    np.testing.assert_array_equal(loaded.predict(x), model.predict(x))


def test_a_custom_layer_that_accumulates_gets_its_gradients_zeroed_by_the_model():
    Scale = register_layer(scale_layer())
    model = model_with(Scale)
    rng = np.random.default_rng(1)
    x, y = rng.normal(size=(3, 4, 2)), rng.normal(size=(3, 4, 2))
    model.gradients(x, y)                             # a first batch leaves ds behind ...
    _, grads = model.gradients(x, y)                  # ... which the second must not add to
    numeric = numeric_weight_gradients(
        model, lambda: model.loss.compute(model.layers[-1], model.predict(x), y,
                                          np.ones((3, 4)))[0])
    for k, (a, n) in enumerate(zip(grads, numeric)):
        assert_gradient_close(a, n, f"weight {k}")


def test_loading_an_unregistered_class_names_register_layer(tmp_path):
    Scale = register_layer(scale_layer())
    model_with(Scale).save(tmp_path / "m.rnnkit")
    del registry.LAYER_CLASSES["Scale"]               # a process that never imported the plugin
    with pytest.raises(ModelFileError) as info:
        load_model(tmp_path / "m.rnnkit")
    message = str(info.value)
    assert "'Scale'" in message and "register_layer" in message


def test_register_layer_refuses_non_layers_and_a_second_class_of_one_name():
    Scale = register_layer(scale_layer())
    assert register_layer(Scale) is Scale                       # again: nothing changes
    with pytest.raises(ValueError, match="already registered"):
        register_layer(scale_layer())                            # another class called Scale
    with pytest.raises(TypeError, match="subclass of rnnkit.layers.Layer"):
        register_layer(dict)
