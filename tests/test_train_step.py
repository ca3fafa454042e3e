"""What one training step reads once per build (every layer, the penalised weights, the layers
to zero) and the gradient's finiteness check: the facts follow the model when layers are added,
the flags are reset however the step ends, the check flags exactly the non-finite entries, and
what the step keeps between calls never aliases what it hands out."""
import numpy as np
import pytest

from rnnkit import Sequential, config, regularizers
from rnnkit.errors import NonFiniteLossError
from rnnkit.kernels.optim import all_finite
from rnnkit.layers import Dense, Embedding, SimpleRNN


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


def _kept_arrays(model):
    """Every array a caller may keep after a step: each layer's last_pass fields, as references
    (and copies of their values at the time)."""
    kept = []
    for layer in model.layers[-2:]:                      # the SimpleRNN and the Dense
        for field in ("X", "A", "H", "mask", "dA", "G", "dropout_mask"):
            value = getattr(layer.last_pass, field)
            if value is not None:
                kept.append((f"{layer.name}.{field}", value, value.copy()))
    return kept


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("masked", [False, True])
def test_what_a_step_hands_out_is_never_rewritten_by_the_next(dtype, masked):
    """The step reuses what it can between calls (the all-ones mask, zero states, Dense's empty
    input gradient): after a step, its last_pass records, a prediction and the loss weights a
    caller kept must still hold their values when the next steps run on other data; and the
    records of two steps are distinct objects. (An aliased buffer would show step 2's numbers.)"""
    with config.scope(floatx=dtype, seed=5):
        rng = np.random.default_rng(5)
        y = np.eye(3)[rng.integers(0, 3, size=(3, 4))]
        rnn = SimpleRNN(3, return_sequences=True, input_shape=(4, 2), dropout=0.25)
        if masked:                    # token ids padded with 0 at the end: a (3, 4) mask
            x1, x2 = rng.integers(1, 6, size=(2, 3, 4))
            x1[0, 3:], x2[1, 2:] = 0, 0
            layers = [Embedding(6, 2, mask_zero=True, input_shape=(4,)), rnn]
        else:
            x1, x2 = rng.normal(size=(2, 3, 4, 2))
            layers = [rnn]
        model = Sequential(layers + [Dense(3, activation="softmax")])
        model.compile(loss="categorical_crossentropy", optimizer="adam")
        model.train_on_batch(x1, y)
        kept, records = _kept_arrays(model), [layer.last_pass for layer in model.layers[-2:]]
        predicted = model.predict(x1, batch_size=3)
        kept_prediction = predicted.copy()
        model.train_on_batch(x2, y)
        model.predict(x2, batch_size=3)
        for name, array, value in kept:
            np.testing.assert_array_equal(array, value, err_msg=name)
        np.testing.assert_array_equal(predicted, kept_prediction)
        assert all(layer.last_pass is not record
                   for layer, record in zip(model.layers[-2:], records))
        assert len(kept) >= 9           # X, A, H, dA, G, m_x of the SimpleRNN; X, A, dA of Dense


def test_the_step_zeroes_what_accumulates_and_calls_every_own_zero_grads():
    """The step skips zero_grads only where Layer's own would do nothing: an Embedding (its
    backward adds rows into dE) is zeroed, so two identical batches give identical gradients,
    not doubled ones; a layer with its own zero_grads is called at every step."""
    calls = []

    class CountingDense(Dense):
        def zero_grads(self):
            calls.append(self.name)
            super().zero_grads()

    with config.scope(floatx="float64", seed=2):
        rng = np.random.default_rng(2)
        x = rng.integers(1, 5, size=(3, 4))
        y = rng.normal(size=(3, 4, 2))
        model = Sequential([Embedding(5, 3, input_shape=(4,)), SimpleRNN(2, return_sequences=True),
                            CountingDense(2)])
        model.compile(loss="mse", optimizer="sgd")
        first = model.gradients(x, y)[1]
        second = model.gradients(x, y)[1]
        for a, b in zip(first, second):
            np.testing.assert_array_equal(a, b)
        assert np.abs(first[0]).sum() > 0                   # the embedding did get a gradient
        model.train_on_batch(x, y)
        assert len(calls) == 3


def test_a_layer_added_after_training_takes_over_the_fused_gradient():
    """Trained once as a softmax classifier (its Dense got the fused dL/dz), then a second
    softmax Dense added: now only the new output layer may be told its gradient is dL/dz, and the
    first Dense gets dL/dy through its own softmax. The gradients equal those of the same model
    built with both layers from the start (the backward keywords follow ``add``)."""
    with config.scope(floatx="float64", seed=5):
        rng = np.random.default_rng(5)
        x = rng.normal(size=(3, 4, 2))
        y = np.eye(3)[rng.integers(0, 3, size=(3, 4))]
        model = Sequential([SimpleRNN(4, return_sequences=True, input_shape=(4, 2)),
                            Dense(3, activation="softmax")])
        model.compile(loss="categorical_crossentropy", optimizer="sgd")
        model.train_on_batch(x, y)
        model.add(Dense(3, activation="softmax"))
        loss, grads = model.gradients(x, y)
        fresh = Sequential([SimpleRNN(4, return_sequences=True, input_shape=(4, 2)),
                            Dense(3, activation="softmax"), Dense(3, activation="softmax")])
        fresh.compile(loss="categorical_crossentropy", optimizer="sgd")
        fresh.set_weights(model.get_weights())
        fresh_loss, fresh_grads = fresh.gradients(x, y)
        np.testing.assert_allclose(loss, fresh_loss, rtol=1e-12)
        for g, f in zip(grads, fresh_grads):
            np.testing.assert_allclose(g, f, rtol=1e-10, atol=1e-14)
