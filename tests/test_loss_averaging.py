"""Issue 14, point 3: loss and metrics combined over batches as Keras 3 combines them.

Keras' rule, written out here: a batch's loss is the mean over its unmasked positions
(``reduce_weighted_values`` with the mask); the reported loss is the mean of the batch losses
weighted by the number of samples in each batch (the loss tracker's
``update_state(loss, sample_weight=batch_size)``); a metric is total / count over every unmasked
position of all batches. Per-position losses come from ``predict`` and the formulas in NumPy.
"""
import numpy as np
import pytest

from rnnkit import Sequential, optimizers
from rnnkit.layers import Dense, Embedding, SimpleRNN, TimeDistributed


def _tagger():
    model = Sequential([Embedding(6, 3, mask_zero=True, input_shape=(5,), dtype="float64"),
                        SimpleRNN(4, return_sequences=True),
                        TimeDistributed(Dense(3, activation="softmax"))])
    # a step of 1e-300 leaves every weight as it is, so every epoch reports the same numbers
    model.compile(loss="sparse_categorical_crossentropy", optimizer=optimizers.SGD(1e-300),
                  metrics=["accuracy"])
    rng = np.random.default_rng(2)        # large weights: per-position losses far apart
    model.set_weights([rng.normal(0, 1.5, w.shape) for w in model.get_weights()])
    return model


X = np.array([[1, 2, 3, 4, 5], [2, 0, 0, 0, 0], [3, 1, 0, 0, 0], [4, 4, 4, 4, 0],
              [5, 0, 0, 0, 0], [1, 3, 5, 0, 0], [2, 2, 0, 0, 0]])
Y = np.random.default_rng(0).integers(0, 3, size=X.shape)


def keras_numbers(model, batch_size):
    probs = model.predict(X)
    real = X != 0
    nll = -np.log(np.take_along_axis(probs, Y[..., None], -1)[..., 0])
    batch_losses, sizes = [], []
    for start in range(0, len(X), batch_size):
        rows = slice(start, start + batch_size)
        batch_losses.append(nll[rows][real[rows]].mean())
        sizes.append(len(X[rows]))
    loss = np.dot(batch_losses, sizes) / np.sum(sizes)
    accuracy = (probs.argmax(-1) == Y)[real].mean()
    return loss, accuracy


@pytest.mark.parametrize("batch_size", [1, 2, 3, 7, 32])
def test_evaluate_combines_batches_as_keras(batch_size):
    model = _tagger()
    loss, accuracy = model.evaluate(X, Y, batch_size=batch_size)
    want_loss, want_accuracy = keras_numbers(model, batch_size)
    assert loss == pytest.approx(want_loss, rel=1e-12)
    assert accuracy == pytest.approx(want_accuracy, rel=1e-12)


def test_the_rule_differs_from_a_mean_over_all_positions():
    """Guard: with these masks and a partial last batch the two rules give different numbers,
    so the test above can tell them apart."""
    model = _tagger()
    probs = model.predict(X)
    nll = -np.log(np.take_along_axis(probs, Y[..., None], -1)[..., 0])
    per_position = nll[X != 0].mean()
    assert abs(keras_numbers(model, 3)[0] - per_position) > 1e-2


def test_fit_history_uses_the_same_rule_with_validation_in_batches_of_batch_size():
    model = _tagger()
    history = model.fit(X, Y, epochs=2, batch_size=3, shuffle=False, verbose=0,
                        validation_data=(X, Y))
    want_loss, want_accuracy = keras_numbers(model, 3)
    assert history.history["loss"] == pytest.approx([want_loss] * 2, rel=1e-12)
    assert history.history["accuracy"] == pytest.approx([want_accuracy] * 2, rel=1e-12)
    assert history.history["val_loss"] == pytest.approx([want_loss] * 2, rel=1e-12)
    assert history.history["val_accuracy"] == pytest.approx([want_accuracy] * 2, rel=1e-12)


def test_unmasked_regression_last_partial_batch():
    """Without a mask the rule is the plain mean over samples, however the batches fall."""
    rng = np.random.default_rng(1)
    model = Sequential([Dense(2, input_shape=(3,), dtype="float64")])
    model.compile(loss="mse", optimizer="sgd")
    x, y = rng.normal(size=(7, 3)), rng.normal(size=(7, 2))
    kernel, bias = model.get_weights()
    want = np.mean((x @ kernel + bias - y) ** 2)
    for batch_size in (2, 3, 5):
        assert model.evaluate(x, y, batch_size=batch_size) == pytest.approx(want, rel=1e-12)


@pytest.mark.parametrize("batch_size", [2, 3])
def test_bucketed_evaluate_reports_the_loss_of_keras_batches(batch_size):
    """Bucketing regroups samples by length; the reported loss is still that of Keras'
    consecutive batches (each sample's loss kept and regrouped)."""
    model = _tagger()
    loss, accuracy = model.evaluate(X, Y, batch_size=batch_size, bucket_by_length=True)
    want_loss, want_accuracy = keras_numbers(model, batch_size)
    assert loss == pytest.approx(want_loss, rel=1e-12)
    assert accuracy == pytest.approx(want_accuracy, rel=1e-12)
