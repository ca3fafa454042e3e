"""Sequential: training lowers the loss, history, evaluate against a hand computation, predict,
train_on_batch, seeding, float32, and Keras' default initializers."""
import numpy as np
import pytest

import rnnkit
from conftest import act_np, simple_rnn_np
from rnnkit import Sequential, optimizers
from rnnkit.layers import Dense, SimpleRNN


def _sum_problem(n=96, T=5, seed=0):
    """A learnable toy: the target is half the sum of the sequence."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1, 1, size=(n, T, 1))
    return x, 0.5 * x.sum(axis=(1, 2))[:, None]


def _model(T=5, D=1, units=8, seed=0):
    rnnkit.set_seed(seed)
    return Sequential([SimpleRNN(units, input_shape=(T, D)), Dense(1)])


def test_fit_lowers_the_loss():
    x, y = _sum_problem()
    model = _model()
    model.compile(loss="mse", optimizer=optimizers.Adam(0.02))
    before = model.evaluate(x, y)
    history = model.fit(x, y, epochs=30, batch_size=16, verbose=0)
    after = model.evaluate(x, y)
    assert after < 0.1 * before
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert len(history.history["loss"]) == 30


def test_history_with_validation_data_and_metrics():
    x, y = _sum_problem()
    xv, yv = _sum_problem(n=20, seed=1)
    model = _model()
    model.compile(loss="mse", optimizer="adam", metrics=["mae"])
    history = model.fit(x, y, epochs=3, batch_size=32, validation_data=(xv, yv), verbose=0)
    for key in ("loss", "mae", "val_loss", "val_mae"):
        assert len(history.history[key]) == 3, key
    # validation is computed with the weights at the end of the epoch
    val_loss, val_mae = model.evaluate(xv, yv)
    assert history.history["val_loss"][-1] == pytest.approx(val_loss, rel=1e-12)
    assert history.history["val_mae"][-1] == pytest.approx(val_mae, rel=1e-12)
    assert [r["epoch"] for r in history.rows] == [1, 2, 3]


def test_validation_split_holds_out_the_last_samples():
    x, y = _sum_problem(n=50)
    model = _model()
    model.compile(loss="mse", optimizer="sgd")
    history = model.fit(x, y, epochs=2, batch_size=8, validation_split=0.2, verbose=0)
    assert set(history.history) >= {"loss", "val_loss"}
    assert history.history["val_loss"][-1] == pytest.approx(model.evaluate(x[40:], y[40:]), rel=1e-12)


def test_evaluate_matches_a_hand_computation_across_uneven_batches():
    rng = np.random.default_rng(4)
    x = rng.normal(size=(7, 3, 2))
    labels = rng.integers(0, 3, size=7)
    model = Sequential([SimpleRNN(4, input_shape=(3, 2)), Dense(3, activation="softmax")])
    model.compile(loss="sparse_categorical_crossentropy", optimizer="sgd", metrics=["accuracy"])
    U, W, b = rng.normal(size=(4, 2)), rng.normal(scale=0.5, size=(4, 4)), rng.normal(size=4)
    V, c = rng.normal(size=(3, 4)), rng.normal(size=3)
    model.set_weights([U.T, W.T, b, V.T, c])
    _, h, _ = simple_rnn_np(x, U, W, b)
    p = act_np("softmax", h @ V.T + c)
    want_loss = np.mean(-np.log(p[np.arange(7), labels]))
    want_acc = np.mean(p.argmax(axis=1) == labels)
    loss, acc = model.evaluate(x, labels, batch_size=3)    # batches of 3, 3, 1
    assert loss == pytest.approx(want_loss, rel=1e-12)
    assert acc == pytest.approx(want_acc)
    np.testing.assert_allclose(model.predict(x, batch_size=2), p, rtol=1e-12)


def test_evaluate_sequence_output_averages_over_batch_and_time():
    rng = np.random.default_rng(2)
    x, y = rng.normal(size=(3, 4, 2)), rng.normal(size=(3, 4, 2))
    model = Sequential([SimpleRNN(3, return_sequences=True, input_shape=(4, 2)), Dense(2)])
    model.compile(loss="mse", optimizer="sgd", metrics=["mae"])
    pred = model.predict(x)
    loss, mae = model.evaluate(x, y, batch_size=2)
    assert loss == pytest.approx(np.mean((pred - y) ** 2), rel=1e-12)
    assert mae == pytest.approx(np.mean(np.abs(pred - y)), rel=1e-12)


def test_predict_shapes():
    x = np.zeros((5, 6, 2))
    many_to_one = Sequential([SimpleRNN(4, input_shape=(6, 2)), Dense(3)])
    many_to_many = Sequential([SimpleRNN(4, return_sequences=True, input_shape=(6, 2)),
                               Dense(3, activation="softmax")])
    assert many_to_one.predict(x).shape == (5, 3)
    assert many_to_many.predict(x, batch_size=2).shape == (5, 6, 3)
    assert many_to_one.predict(x[:1]).shape == (1, 3)


def test_weights_are_available_right_after_construction():
    """With input_shape given the model builds on demand, as a Keras Sequential does."""
    model = Sequential([SimpleRNN(10, input_shape=(50, 1)), Dense(1)])
    shapes = [w.shape for w in model.get_weights()]
    assert shapes == [(1, 10), (10, 10), (10,), (10, 1), (1,)]
    model2 = Sequential([SimpleRNN(10, input_shape=(50, 1)), Dense(1)])
    model2.set_weights(model.get_weights())
    np.testing.assert_array_equal(model2.predict(np.ones((1, 50, 1))), model.predict(np.ones((1, 50, 1))))


def test_train_on_batch_returns_the_loss_before_the_step():
    x, y = _sum_problem(n=8)
    model = _model()
    model.compile(loss="mse", optimizer=optimizers.SGD(0.1))
    w0 = model.get_weights()
    loss0, grads = model.gradients(x, y)
    assert loss0 == pytest.approx(np.mean((model.predict(x) - y) ** 2), rel=1e-12)
    # gradients() does not update
    for a, b in zip(w0, model.get_weights()):
        np.testing.assert_array_equal(a, b)
    assert model.train_on_batch(x, y) == pytest.approx(loss0, rel=1e-14)
    for a, g, b in zip(w0, grads, model.get_weights()):
        np.testing.assert_allclose(b, a - 0.1 * g, rtol=1e-13, atol=1e-16)
    assert model.evaluate(x, y) < loss0


def _seeded_run(seed):
    rnnkit.set_seed(seed)
    x, y = _sum_problem(n=40)
    model = Sequential([SimpleRNN(5, input_shape=(5, 1)), Dense(1)])
    model.compile(loss="mse", optimizer="adam")
    history = model.fit(x, y, epochs=2, batch_size=8, shuffle=True, verbose=0)
    return model.get_weights(), history.history["loss"]


def test_set_seed_makes_runs_identical():
    w1, h1 = _seeded_run(11)
    w2, h2 = _seeded_run(11)
    w3, _ = _seeded_run(12)
    assert h1 == h2
    for a, b in zip(w1, w2):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(w1[0], w3[0])


def test_float32_keeps_float32(float32):
    x, y = _sum_problem(n=16)
    model = Sequential([SimpleRNN(4, input_shape=(5, 1)), Dense(1)])
    model.compile(loss="mse", optimizer="adam")
    assert all(w.dtype == np.float32 for w in model.get_weights())
    model.fit(x, y, epochs=2, batch_size=8, verbose=0)       # float64 data is cast
    assert all(w.dtype == np.float32 for w in model.get_weights())
    assert model.predict(x).dtype == np.float32
    loss, grads = model.gradients(x, y)
    assert np.isfinite(loss)
    assert all(g.dtype == np.float32 for g in grads)
    assert model.layers[0].params["U"].dtype == np.float32


def test_float32_predictions_agree_with_float64():
    x, _ = _sum_problem(n=4)
    wide = Sequential([SimpleRNN(4, input_shape=(5, 1)), Dense(2, activation="softmax")])
    p64 = wide.predict(x)
    rnnkit.set_floatx("float32")
    try:
        narrow = Sequential([SimpleRNN(4, input_shape=(5, 1)), Dense(2, activation="softmax")])
        narrow.set_weights(wide.get_weights())
    finally:
        rnnkit.set_floatx("float64")
    np.testing.assert_allclose(narrow.predict(x), p64, rtol=1e-5, atol=1e-6)


def test_default_initializers_are_keras():
    rnnkit.set_seed(0)
    model = Sequential([SimpleRNN(64, input_shape=(50, 100)), Dense(40)])
    kernel, recurrent, bias, dense_kernel, dense_bias = model.get_weights()
    # glorot_uniform: U(-l, l) with l = sqrt(6 / (fan_in + fan_out)); large draws reach near l
    for w, (fan_in, fan_out) in [(kernel, (100, 64)), (dense_kernel, (64, 40))]:
        limit = np.sqrt(6 / (fan_in + fan_out))
        assert np.max(np.abs(w)) <= limit
        assert np.max(np.abs(w)) > 0.97 * limit
        assert abs(np.mean(w)) < 0.05 * limit
        assert np.var(w) == pytest.approx(limit ** 2 / 3, rel=0.1)   # variance of U(-l, l)
    # orthogonal recurrent kernel
    np.testing.assert_allclose(recurrent.T @ recurrent, np.eye(64), atol=1e-12)
    np.testing.assert_allclose(recurrent @ recurrent.T, np.eye(64), atol=1e-12)
    # zero biases
    assert not bias.any() and not dense_bias.any()


def test_count_params_is_the_lecture_formula():
    """(input + units + 1) × units per SimpleRNN, (inputs + 1) × outputs per Dense."""
    model = Sequential([SimpleRNN(7, input_shape=(9, 3)), Dense(2)])
    assert model.count_params() == (3 + 7 + 1) * 7 + (7 + 1) * 2
