"""What one training step reads once per build (every layer, the penalised weights) and the
gradient's finiteness check: the facts follow the model when layers are added, the flags are
reset however the step ends, and the check flags exactly the non-finite entries."""
import numpy as np
import pytest

from rnnkit import Sequential, config, regularizers
from rnnkit.errors import NonFiniteLossError
from rnnkit.kernels.optim import all_finite
from rnnkit.layers import Dense, SimpleRNN


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("size", [1, 7, 8, 9, 33, 1000])
def test_all_finite_flags_exactly_the_nan_and_infinite_entries(dtype, size):
    g = np.random.default_rng(size).normal(size=size).astype(dtype)
    assert all_finite(g)
    for where in sorted({0, size // 2, size - 1}):      # the vector body and its remainder
        for bad in (np.nan, np.inf, -np.inf):
            h = g.copy()
            h[where] = bad
            assert not all_finite(h), (where, bad)
    # finite entries whose sum overflows are still finite: the check is entry by entry
    big = np.full(size, np.finfo(dtype).max, dtype=dtype)
    assert all_finite(big) and np.isfinite(big).all()


def _data(rng, units_out):
    return rng.normal(size=(5, 4, 2)), rng.normal(size=(5, 4, units_out))


def test_a_penalty_added_with_a_layer_after_training_counts_in_loss_and_gradient():
    """Built, trained once (the facts are read), then a penalised layer added: its penalty
    l2 · Σ U² is in the loss and 2 · l2 · U in the gradient (Keras' L2, written out here)."""
    with config.scope(floatx="float64", seed=3):
        rng = np.random.default_rng(3)
        x, y = _data(rng, 2)
        model = Sequential([SimpleRNN(3, return_sequences=True, input_shape=(4, 2))])
        model.compile(loss="mse", optimizer="sgd")
        model.train_on_batch(x, rng.normal(size=(5, 4, 3)))
        added = SimpleRNN(2, return_sequences=True, kernel_regularizer=regularizers.L2(0.1))
        model.add(added)
        loss, grads = model.gradients(x, y)
        U = added.get_weights()[0]                        # Keras' kernel, Uᵀ: Σ U² either way
        mse = np.mean((model.predict(x) - y) ** 2)
        np.testing.assert_allclose(loss, mse + 0.1 * np.sum(U ** 2), rtol=1e-12)
        plain = Sequential([SimpleRNN(3, return_sequences=True, input_shape=(4, 2)),
                            SimpleRNN(2, return_sequences=True)])
        plain.compile(loss="mse", optimizer="sgd")
        plain.set_weights(model.get_weights())
        _, plain_grads = plain.gradients(x, y)
        np.testing.assert_allclose(grads[3], plain_grads[3] + 2 * 0.1 * U, rtol=1e-12)


def test_a_layer_added_after_training_trains_with_dropout():
    rng = np.random.default_rng(4)
    x, y = _data(rng, 2)
    model = Sequential([SimpleRNN(3, return_sequences=True, input_shape=(4, 2))])
    model.compile(loss="mse", optimizer="sgd")
    model.train_on_batch(x, rng.normal(size=(5, 4, 3)))
    added = SimpleRNN(2, return_sequences=True, dropout=0.5)
    model.add(added)
    model.train_on_batch(x, y)
    assert added.last_pass.dropout_mask.shape == (5, 3)   # it trained with dropout on
    assert added.training is False


@pytest.mark.parametrize("failure", ["targets", "not finite"])
def test_training_flags_are_off_however_the_step_ends(failure):
    rng = np.random.default_rng(5)
    x = rng.normal(size=(4, 3, 2))
    model = Sequential([SimpleRNN(3, dropout=0.2, input_shape=(3, 2)), Dense(1)])
    model.compile(loss="mse", optimizer="sgd")
    if failure == "targets":
        with pytest.raises(ValueError, match="targets have shape"):
            model.train_on_batch(x, np.zeros((4, 5)))
    else:
        x[1, 1, 0] = np.nan
        with pytest.raises(NonFiniteLossError):
            model.train_on_batch(x, np.zeros((4, 1)))
    assert [layer.training for layer in model.layers] == [False, False]
