"""Optimizers against Keras 3's update rules written out here in NumPy, step by step; clipping;
names accepted by compile; and one step through a model (flat vectors line up with get_weights)."""
import numpy as np
import pytest
from hypothesis import given, strategies as st

from conftest import FAST
from rnnkit import Sequential, optimizers
from rnnkit.layers import Dense, SimpleRNN


# ---- Keras 3's rules (keras/src/optimizers/{sgd,rmsprop,adam}.py), in NumPy -----------------------
def sgd_np(p, grads, lr, momentum=0.0, nesterov=False):
    p, v = p.copy(), np.zeros_like(p)
    for g in grads:
        if momentum == 0:
            p = p - lr * g
        else:
            v = momentum * v - lr * g
            p = p + (momentum * v - lr * g if nesterov else v)
    return p


def rmsprop_np(p, grads, lr, rho=0.9, eps=1e-7):
    p, s = p.copy(), np.zeros_like(p)
    for g in grads:
        s = rho * s + (1 - rho) * g ** 2
        p = p - lr * g / np.sqrt(s + eps)          # Keras 3: epsilon inside the square root
    return p


def adam_np(p, grads, lr, b1=0.9, b2=0.999, eps=1e-7):
    p, m, s = p.copy(), np.zeros_like(p), np.zeros_like(p)
    for t, g in enumerate(grads, start=1):
        m = b1 * m + (1 - b1) * g
        s = b2 * s + (1 - b2) * g ** 2
        alpha = lr * np.sqrt(1 - b2 ** t) / (1 - b1 ** t)
        p = p - alpha * m / (np.sqrt(s) + eps)
    return p


def _run(opt, p, grads):
    p = p.copy()
    for g in grads:
        opt.apply(p, g.copy())
    return p


def _problem(data):
    n = data.draw(st.integers(1, 8), label="size")
    steps = data.draw(st.integers(1, 5), label="steps")
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1), label="seed"))
    scale = data.draw(st.sampled_from([1e-4, 1e-2, 1.0]), label="gradient scale")
    p = rng.normal(size=n)
    grads = [rng.normal(scale=scale, size=n) for _ in range(steps)]
    return p, grads


@FAST
@given(data=st.data())
def test_sgd_plain_momentum_nesterov(data):
    p, grads = _problem(data)
    lr = data.draw(st.sampled_from([0.01, 0.1, 0.5]))
    momentum = data.draw(st.sampled_from([0.0, 0.5, 0.9]))
    nesterov = data.draw(st.booleans())
    got = _run(optimizers.SGD(lr, momentum=momentum, nesterov=nesterov), p, grads)
    np.testing.assert_allclose(got, sgd_np(p, grads, lr, momentum, nesterov), rtol=1e-13, atol=1e-15)


@FAST
@given(data=st.data())
def test_rmsprop(data):
    p, grads = _problem(data)
    lr = data.draw(st.sampled_from([0.001, 0.01]))
    got = _run(optimizers.RMSprop(lr), p, grads)
    np.testing.assert_allclose(got, rmsprop_np(p, grads, lr), rtol=1e-13, atol=1e-15)


@FAST
@given(data=st.data())
def test_adam(data):
    p, grads = _problem(data)
    lr = data.draw(st.sampled_from([0.001, 0.01]))
    got = _run(optimizers.Adam(lr), p, grads)
    np.testing.assert_allclose(got, adam_np(p, grads, lr), rtol=1e-13, atol=1e-15)


def test_one_step_by_hand():
    """First steps written out. Adam's first step: m = 0.1 g, s = 0.001 g^2,
    lr_1 = lr sqrt(0.001) / 0.1, so p -= lr g / (|g| + eps / sqrt(0.001)), about lr sign(g)."""
    p, g = np.array([1.0, -2.0]), np.array([0.5, -0.25])
    q = p.copy()
    optimizers.SGD(0.1).apply(q, g.copy())
    np.testing.assert_allclose(q, [0.95, -1.975])
    q = p.copy()
    optimizers.SGD(0.1, momentum=0.9).apply(q, g.copy())       # v = -0.1 g; p += v
    np.testing.assert_allclose(q, [0.95, -1.975])
    q = p.copy()
    opt = optimizers.SGD(0.1, momentum=0.9, nesterov=True)
    opt.apply(q, g.copy())                                      # p += 0.9 v - 0.1 g = -0.19 g
    np.testing.assert_allclose(q, p - 0.19 * g)
    q = p.copy()
    optimizers.Adam(0.01).apply(q, g.copy())
    np.testing.assert_allclose(q, p - 0.01 * g / (np.abs(g) + 1e-7 / np.sqrt(0.001)), rtol=1e-14)
    q = p.copy()
    optimizers.RMSprop(0.01).apply(q, g.copy())                 # s = 0.1 g^2
    np.testing.assert_allclose(q, p - 0.01 * g / np.sqrt(0.1 * g ** 2 + 1e-7), rtol=1e-14)


def test_clipnorm_scales_the_global_norm():
    g = np.array([3.0, 4.0, 12.0])                 # global norm 13
    p = np.zeros(3)
    optimizers.SGD(1.0, clipnorm=1.3).apply(p, g.copy())
    np.testing.assert_allclose(p, -g / 10)         # scaled to norm 1.3
    assert np.linalg.norm(p) == pytest.approx(1.3)
    p = np.zeros(3)
    optimizers.SGD(1.0, clipnorm=100.0).apply(p, g.copy())
    np.testing.assert_allclose(p, -g)              # below the threshold: untouched
    p = np.zeros(3)
    optimizers.SGD(1.0, global_clipnorm=1.3).apply(p, g.copy())
    np.testing.assert_allclose(p, -g / 10)


def test_clipvalue_clips_each_component():
    g = np.array([3.0, -0.2, -7.0])
    p = np.zeros(3)
    optimizers.SGD(1.0, clipvalue=0.5).apply(p, g.copy())
    np.testing.assert_allclose(p, [-0.5, 0.2, 0.5])


def _model():
    model = Sequential([SimpleRNN(3, input_shape=(4, 2)), Dense(2)])
    rng = np.random.default_rng(1)
    x, y = rng.normal(size=(5, 4, 2)), rng.normal(size=(5, 2))
    return model, x, y


def test_global_clipnorm_in_a_model_uses_the_norm_over_every_weight():
    """Keras' global_clipnorm (what rnnkit's clipnorm did before issue 14)."""
    model, x, y = _model()
    model.compile(loss="mse", optimizer=optimizers.SGD(1.0, global_clipnorm=0.01))
    before = model.get_weights()
    _, grads = model.gradients(x, y)
    norm = np.sqrt(sum(np.sum(g ** 2) for g in grads))
    assert norm > 0.01
    model.train_on_batch(x, y)
    for w0, w1, g in zip(before, model.get_weights(), grads):
        np.testing.assert_allclose(w1, w0 - g * 0.01 / norm, rtol=1e-12, atol=1e-15)


def _keras_clip(grads, clipnorm=None, global_clipnorm=None, clipvalue=None):
    """Keras 3's BaseOptimizer._clip_gradients, written out: clip_by_norm per variable is
    g · c / max(||g||, c); clip_by_global_norm uses the norm over every variable."""
    if clipnorm:
        return [g * clipnorm / max(np.linalg.norm(g), clipnorm) for g in grads]
    if global_clipnorm:
        total = np.sqrt(sum(np.sum(g ** 2) for g in grads))
        return [g * global_clipnorm / max(total, global_clipnorm) for g in grads]
    if clipvalue:
        return [np.clip(g, -clipvalue, clipvalue) for g in grads]
    return grads


@pytest.mark.parametrize("clip", [{"clipnorm": 0.05}, {"global_clipnorm": 0.05},
                                  {"clipvalue": 0.02}, {"clipnorm": 0.05, "clipvalue": 0.001}],
                         ids=["clipnorm", "global_clipnorm", "clipvalue", "clipnorm_wins"])
def test_clipping_follows_keras_update_rule_step_by_step(clip):
    """Three SGD steps on a SimpleRNN + Dense: each step w <- w - lr · clip(g) with Keras' clip
    (per weight: kernel, recurrent_kernel, bias, Dense kernel, Dense bias)."""
    model, x, y = _model()
    model.compile(loss="mse", optimizer=optimizers.SGD(0.5, **clip))
    reference = _model()[0]
    reference.compile(loss="mse", optimizer=optimizers.SGD(0.5))
    reference.set_weights(model.get_weights())
    clipped_somewhere = False
    for _ in range(3):
        w0 = model.get_weights()
        _, grads = reference.gradients(x, y)
        want = _keras_clip(grads, **clip)
        clipped_somewhere |= any(not np.allclose(a, b) for a, b in zip(grads, want))
        model.train_on_batch(x, y)
        for w, g, w1 in zip(w0, want, model.get_weights()):
            np.testing.assert_allclose(w1, w - 0.5 * g, rtol=1e-12, atol=1e-15)
        reference.set_weights(model.get_weights())
    assert clipped_somewhere


def test_clipnorm_clips_each_weight_by_its_own_norm():
    """By hand: weights [3, 4] (norm 5) and [0.3, 0.4] (norm 0.5), clipnorm 1: only the first is
    scaled, to [0.6, 0.8]; global_clipnorm 1 scales both by 1/sqrt(25.25)."""
    g = np.array([3.0, 4.0, 0.3, 0.4])
    p = np.zeros(4)
    optimizers.SGD(1.0, clipnorm=1.0).apply(p, g.copy(), [(0, 2), (2, 4)])
    np.testing.assert_allclose(p, [-0.6, -0.8, -0.3, -0.4])
    p = np.zeros(4)
    optimizers.SGD(1.0, global_clipnorm=1.0).apply(p, g.copy(), [(0, 2), (2, 4)])
    np.testing.assert_allclose(p, -g / np.sqrt(25.25))


def test_clipnorm_and_global_clipnorm_together_are_refused():
    with pytest.raises(ValueError, match="clipnorm .* or global_clipnorm .* not both"):
        optimizers.Adam(clipnorm=1.0, global_clipnorm=1.0)


@pytest.mark.parametrize("name, cls, lr", [("sgd", optimizers.SGD, 0.01),
                                           ("rmsprop", optimizers.RMSprop, 0.001),
                                           ("adam", optimizers.Adam, 0.001),
                                           ("Adam", optimizers.Adam, 0.001)])
def test_compile_accepts_names_with_keras_defaults(name, cls, lr):
    model, x, y = _model()
    model.compile(loss="mse", optimizer=name)
    assert type(model.optimizer) is cls
    assert model.optimizer.learning_rate == lr


@pytest.mark.parametrize("opt, reference", [
    (lambda: optimizers.SGD(0.05, momentum=0.9, nesterov=True),
     lambda p, gs: sgd_np(p, gs, 0.05, 0.9, True)),
    (lambda: optimizers.RMSprop(0.01), lambda p, gs: rmsprop_np(p, gs, 0.01)),
    (lambda: optimizers.Adam(0.01), lambda p, gs: adam_np(p, gs, 0.01)),
])
def test_three_training_steps_in_a_model(opt, reference):
    """Through train_on_batch: each step uses model.gradients at the current weights, and the
    weights follow the NumPy rule applied to that sequence of gradients."""
    model, x, y = _model()
    model.compile(loss="mse", optimizer=opt())
    w0 = model.get_weights()
    sizes = [w.size for w in w0]
    flat0 = np.concatenate([w.ravel() for w in w0])
    seen = []
    for _ in range(3):
        loss, grads = model.gradients(x, y)
        seen.append(np.concatenate([g.ravel() for g in grads]))
        assert model.train_on_batch(x, y) == pytest.approx(loss, rel=1e-14)
    flat = np.concatenate([w.ravel() for w in model.get_weights()])
    np.testing.assert_allclose(flat, reference(flat0, seen), rtol=1e-12, atol=1e-15)
    assert sum(sizes) == flat.size


def test_invalid_learning_rate():
    with pytest.raises(ValueError, match="learning_rate"):
        optimizers.Adam(learning_rate=0)
