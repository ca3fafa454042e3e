"""The construction arguments Keras users paste: initializers, use_bias, regularizers, weights=,
zero_output_for_mask and the speed-only flags, with weights, counts, summary and saving Keras-exact.

The forward numbers are Keras 3's own, ported from its unit tests (keras/src/layers/rnn/
simple_rnn_test.py, lstm_test.py, gru_test.py; each test names the one it ports): Constant
initializers make every weight known, so Keras' outputs are exact targets (Keras computes in
float32, hence the 1e-5 tolerance of its own tests).
"""
import re

import numpy as np
import pytest

from conftest import assert_gradient_close, numeric_gradient
from rnnkit import Sequential, config, initializers, load_model, regularizers
from rnnkit.layers import GRU, LSTM, Bidirectional, Dense, SimpleRNN
from rnnkit.models.saving import read_model_file

CONSTANTS = dict(kernel_initializer=initializers.Constant(0.01),
                 recurrent_initializer=initializers.Constant(0.02),
                 bias_initializer=initializers.Constant(0.03))


def run(cls, units, x, mask=None, initial_state=None, **options):
    layer = cls(units, **CONSTANTS, **options)
    layer.build(x.shape[1:])
    return layer.forward(x, mask=mask, initial_state=initial_state)


SEQ_2_3_4 = np.arange(24, dtype=float).reshape((2, 3, 4))
SEQ_2_4_3 = np.arange(24, dtype=float).reshape((2, 4, 3))
SEQ_3_6_4 = np.arange(72, dtype=float).reshape((3, 6, 4))
MASK = np.array([[True, True, False, True], [True, False, False, True]])


# ---- SimpleRNNTest (keras/src/layers/rnn/simple_rnn_test.py) -------------------------------------
@pytest.mark.parametrize("options, expected", [
    ({}, [0.405432, 0.73605347]),                            # test_correctness
    ({"unroll": True}, [0.405432, 0.73605347]),              # unroll: accepted, no effect
    ({"go_backwards": True}, [0.11144729, 0.5528889]),
])
def test_simple_rnn_correctness(options, expected):
    out = run(SimpleRNN, 4, SEQ_2_3_4, **options)
    np.testing.assert_allclose(out, np.repeat(np.array(expected)[:, None], 4, 1), atol=1e-6)


@pytest.mark.parametrize("go_backwards, expected", [(False, [0.33621645, 0.6262637]),
                                                    (True, [0.07344437, 0.43043602])])
def test_simple_rnn_pass_initial_state(go_backwards, expected):
    h0 = np.arange(8, dtype=float).reshape((2, 4))
    out = run(SimpleRNN, 4, SEQ_2_4_3, initial_state=[h0], go_backwards=go_backwards)
    np.testing.assert_allclose(out, np.repeat(np.array(expected)[:, None], 4, 1), atol=1e-6)


def test_simple_rnn_masking_and_zero_output_for_mask():
    """SimpleRNNTest.test_masking: the last output, the sequences with the default (last real
    output carried) and with zero_output_for_mask=True (zeros at padding), and go_backwards."""
    last = run(SimpleRNN, 4, SEQ_2_4_3, mask=MASK, unroll=True)
    np.testing.assert_allclose(last[:, 0], [0.32951632, 0.61799484], atol=1e-6)
    carried = run(SimpleRNN, 2, SEQ_2_4_3, mask=MASK, return_sequences=True)
    np.testing.assert_allclose(carried[0, :, 0], [0.0599281, 0.15122814, 0.15122814, 0.32394567],
                               atol=1e-6)
    np.testing.assert_allclose(carried[1, :, 0], [0.3969304, 0.3969304, 0.3969304, 0.608085],
                               atol=1e-6)
    zeroed = run(SimpleRNN, 2, SEQ_2_4_3, mask=MASK, return_sequences=True,
                 zero_output_for_mask=True)
    np.testing.assert_allclose(zeroed[0, :, 0], [0.0599281, 0.15122814, 0.0, 0.32394567], atol=1e-6)
    np.testing.assert_allclose(zeroed[1, :, 0], [0.3969304, 0.0, 0.0, 0.608085], atol=1e-6)
    backwards = run(SimpleRNN, 4, SEQ_2_4_3, mask=MASK, go_backwards=True)
    np.testing.assert_allclose(backwards[:, 0], [0.07376196, 0.43645123], atol=1e-6)


# ---- LSTMTest.test_correctness and GRUTest.test_correctness (lstm_test.py, gru_test.py) ------------
@pytest.mark.parametrize("cls, options, expected", [
    (LSTM, {}, [0.6288687, 0.86899155, 0.9460773]),
    (LSTM, {"implementation": 1}, [0.6288687, 0.86899155, 0.9460773]),
    (LSTM, {"go_backwards": True}, [0.35622165, 0.74789524, 0.8872726]),
    (LSTM, {"unit_forget_bias": False}, [0.57019705, 0.8661914, 0.9459622]),
    (LSTM, {"use_bias": False}, [0.54986924, 0.86226785, 0.9443936]),
    (GRU, {}, [0.5217289, 0.6371659, 0.39384964]),
    (GRU, {"go_backwards": True}, [0.24406259, 0.611516, 0.3928808]),
    (GRU, {"reset_after": False}, [0.51447755, 0.6426879, 0.40208298]),
    (GRU, {"use_bias": False}, [0.49988455, 0.64701194, 0.4103359]),
])
def test_gated_correctness(cls, options, expected):
    out = run(cls, 3, SEQ_3_6_4, **options)
    np.testing.assert_allclose(out, np.repeat(np.array(expected)[:, None], 3, 1), atol=1e-5)


def test_lstm_masking_zero_output_for_mask():
    """LSTMTest.test_masking, the zero_output_for_mask case."""
    mask = np.array([[True, True, True, False], [True, True, False, False]])
    out = run(LSTM, 2, SEQ_2_4_3, mask=mask, return_sequences=True, zero_output_for_mask=True)
    np.testing.assert_allclose(out[0, :, 0], [0.01588910, 0.05552048, 0.11755939, 0.0], atol=1e-5)
    np.testing.assert_allclose(out[1, :, 0], [0.14185596, 0.28556206, 0.0, 0.0], atol=1e-5)


# ---- GRUTest (keras/src/layers/rnn/gru_test.py) --------------------------------------------------
def test_gru_legacy_implementation_argument():
    """GRUTest.test_legacy_implementation_argument: a config with implementation=0 still loads."""
    layer = GRU(3, **CONSTANTS)
    again = GRU.from_config(dict(layer.get_config(), implementation=0))
    again.build((6, 4))
    np.testing.assert_allclose(again.forward(SEQ_3_6_4)[:, 0], [0.5217289, 0.6371659, 0.39384964],
                               atol=1e-5)


# ---- use_bias=False: no bias weight at all --------------------------------------------------------
@pytest.mark.parametrize("cls, blocks", [(SimpleRNN, 1), (LSTM, 4), (GRU, 3)])
def test_use_bias_false_has_no_bias_anywhere(cls, blocks, tmp_path):
    model = Sequential([cls(5, use_bias=False, input_shape=(4, 3)), Dense(1)])
    layer = model.layers[0]
    assert layer.keras_weight_names() == ["kernel", "recurrent_kernel"]
    assert [w.shape for w in layer.get_weights()] == [(3, blocks * 5), (5, blocks * 5)]
    assert layer.count_params() == blocks * 5 * (3 + 5)           # Keras: units·k·(D + u)
    lines = []
    model.summary(print_fn=lambda line, **_: lines.append(line))
    text = "\n".join(lines)
    assert f"Total params: {blocks * 5 * 8 + 6:,} " in text                  # + Dense(1): 5 + 1
    model.compile(loss="mse", optimizer="sgd")
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(6, 4, 3)), rng.normal(size=(6, 1))
    model.fit(x, y, epochs=2, verbose=0)
    assert not np.any(layer.params["b"])                          # nothing trains a bias
    model.save(tmp_path / "m.rnnkit")
    again = load_model(tmp_path / "m.rnnkit")
    assert again.layers[0].use_bias is False
    np.testing.assert_array_equal(again.predict(x), model.predict(x))


# ---- initializers ---------------------------------------------------------------------------------
def test_initializers_by_name_and_saved_as_data(tmp_path):
    with config.scope(seed=0):
        model = Sequential([LSTM(3, kernel_initializer="zeros", recurrent_initializer="identity",
                                 bias_initializer=initializers.Constant(0.5), input_shape=(2, 2))])
    kernel, recurrent, bias = model.get_weights()
    assert not kernel.any()
    np.testing.assert_array_equal(recurrent, np.eye(3, 12))        # Keras' Identity on (u, 4u)
    np.testing.assert_array_equal(bias, [0.5] * 3 + [1.0] * 3 + [0.5] * 6)   # unit_forget_bias
    model.save(tmp_path / "m.rnnkit")
    cfg = read_model_file(tmp_path / "m.rnnkit")[0]["model"]["layers"][-1]["config"]
    assert cfg["bias_initializer"] == {"class_name": "Constant", "config": {"value": 0.5}}
    assert "recurrent_initializer" in cfg and "use_bias" not in cfg   # defaults stay implicit


def test_default_initializers_draw_what_they_drew_before():
    """glorot_uniform and orthogonal by name are the functions the layers always called."""
    with config.scope(seed=3):
        by_default = SimpleRNN(4)
        by_default.build((2, 3))
    with config.scope(seed=3):
        U = initializers.glorot_uniform((3, 4), np.float64)
        W = initializers.orthogonal((4, 4), np.float64)
    np.testing.assert_array_equal(by_default.get_weights()[0], U)
    np.testing.assert_array_equal(by_default.get_weights()[1], W)


def test_variance_scaling_statistics():
    """he_uniform on [-sqrt(6/fan_in), sqrt(6/fan_in)]; truncated normals stay within two of their
    standard deviations (Keras' rule, written out)."""
    with config.scope(seed=0):
        w = initializers.get("he_uniform")((50, 400), np.float64)
        n = initializers.get("lecun_normal")((100, 400), np.float64)
    assert np.abs(w).max() <= np.sqrt(6 / 50) and np.abs(w).max() > 0.95 * np.sqrt(6 / 50)
    assert np.abs(n).max() <= 2 * np.sqrt(1 / 100) / 0.87962566103423978
    assert abs(n.std() - np.sqrt(1 / 100)) < 0.02 * np.sqrt(1 / 100)


def test_unknown_initializer_and_regularizer_say_what_to_give():
    with pytest.raises(ValueError, match="SimpleRNN kernel_initializer: unknown initializer "
                                         "'glorot'; give one of zeros"):
        SimpleRNN(3, kernel_initializer="glorot")
    with pytest.raises(ValueError, match="LSTM bias_regularizer: unknown regularizer 'l3'"):
        LSTM(3, bias_regularizer="l3")


# ---- regularizers: in the loss and in its gradient ------------------------------------------------
def test_regularizers_add_keras_penalties_to_loss_and_gradient(tmp_path):
    """SimpleRNNTest.test_basics counts 3 losses for bias "l1", kernel and recurrent "l2"; here
    their values: l1 = l2 = 0.01 (keras/src/regularizers/regularizers.py), and their gradients
    against finite differences of the whole loss."""
    with config.scope(floatx="float64", seed=4):
        model = Sequential([Bidirectional(GRU(3, bias_regularizer="l1", kernel_regularizer="l2",
                                              recurrent_regularizer=regularizers.L2(0.1)),
                                          input_shape=(4, 2)), Dense(1)])
    model.compile(loss="mse", optimizer="sgd")
    rng = np.random.default_rng(4)
    x, y = rng.normal(size=(5, 4, 2)), rng.normal(size=(5, 1))
    weights = model.get_weights()
    for half in (weights[0:3], weights[3:6]):
        for w in half:
            w += rng.normal(scale=0.3, size=w.shape)              # non-zero biases for the l1 term
    model.set_weights(weights)
    plain = Sequential([Bidirectional(GRU(3), input_shape=(4, 2)), Dense(1)])
    plain.compile(loss="mse", optimizer="sgd")
    plain.set_weights(weights)
    penalty = sum(0.01 * np.sum(k ** 2) + 0.1 * np.sum(r ** 2) + 0.01 * np.sum(np.abs(b))
                  for k, r, b in (weights[0:3], weights[3:6]))
    assert model.evaluate(x, y) == pytest.approx(plain.evaluate(x, y) + penalty, rel=1e-12)
    loss, grads = model.gradients(x, y)
    assert loss == pytest.approx(plain.evaluate(x, y) + penalty, rel=1e-12)
    for k, w in enumerate(weights):
        def f():
            model.set_weights(weights)
            return model.evaluate(x, y)
        assert_gradient_close(grads[k], numeric_gradient(f, w), f"weight {k}")
    model.save(tmp_path / "m.rnnkit")
    again = load_model(tmp_path / "m.rnnkit")
    again.compile(loss="mse", optimizer="sgd")
    assert again.evaluate(x, y) == pytest.approx(model.evaluate(x, y), rel=1e-12)


# ---- weights= and the speed-only flags --------------------------------------------------------------
def test_weights_argument_sets_the_weights_at_build():
    rng = np.random.default_rng(5)
    given = [rng.normal(size=(2, 8)), rng.normal(size=(2, 8)), rng.normal(size=8)]
    model = Sequential([LSTM(2, weights=given, input_shape=(3, 2))])
    for a, b in zip(model.get_weights(), given):
        np.testing.assert_array_equal(a, b)
    assert "weights" not in model.layers[0].get_config()


@pytest.mark.parametrize("flag", [{"unroll": True}, {"implementation": 2}, {"use_cudnn": False}])
def test_speed_only_flags_are_accepted_and_change_nothing(flag):
    plain, flagged = run(LSTM, 3, SEQ_3_6_4), run(LSTM, 3, SEQ_3_6_4, **flag)
    np.testing.assert_array_equal(flagged, plain)


@pytest.mark.parametrize("cls, last", [
    (SimpleRNN, "total = 15 + 25 = 40"),
    (LSTM, "total = 4 × 5 × (3 + 5) = 160   (no b: use_bias=False)"),
    (GRU, "total = 3 × 5 × (3 + 5 + 0) = 120"),
])
def test_explained_counts_without_bias(cls, last):
    layer = cls(5, use_bias=False)
    layer.build((4, 3))
    assert layer.explain()[-1] == last and "b_xh" not in layer.explain()[0].split(";")[0]


# ---- counts, get_weights order and saving stay Keras-exact for every option -----------------------
OPTIONS = [
    {"use_bias": False},
    {"kernel_initializer": "he_normal", "recurrent_initializer": initializers.Orthogonal(0.5),
     "bias_initializer": "ones"},
    {"kernel_regularizer": "l1_l2", "recurrent_regularizer": regularizers.L1(0.2),
     "bias_regularizer": "l2"},
    {"zero_output_for_mask": True, "return_sequences": True},
]


@pytest.mark.parametrize("options", OPTIONS, ids=lambda o: ",".join(o))
@pytest.mark.parametrize("cls", [SimpleRNN, LSTM, GRU])
def test_every_option_survives_save_and_load(cls, options, tmp_path):
    with config.scope(seed=6):
        model = Sequential([Bidirectional(cls(3, **options), input_shape=(4, 2))])
    model.save(tmp_path / "m.rnnkit")
    again = load_model(tmp_path / "m.rnnkit")
    assert again.get_config() == model.get_config()
    assert again.count_params() == model.count_params()
    assert again.layers[0].keras_weight_names() == model.layers[0].keras_weight_names()
    for a, b in zip(again.get_weights(), model.get_weights()):
        np.testing.assert_array_equal(a, b)
    x = np.random.default_rng(6).normal(size=(2, 4, 2))
    np.testing.assert_array_equal(again.predict(x), model.predict(x))


@pytest.mark.parametrize("cls, k", [(SimpleRNN, 1), (LSTM, 4), (GRU, 3)])
def test_bidirectional_without_bias_counts_and_orders_as_keras(cls, k):
    """Keras: Bidirectional(LSTM(3, use_bias=False)) on 2 features has 2 · 4·3·(2 + 3) = 120
    parameters in [forward kernel, forward recurrent_kernel, backward ...]."""
    layer = Bidirectional(cls(3, use_bias=False))
    layer.build((4, 2))
    assert layer.count_params() == 2 * k * 3 * (2 + 3)
    assert layer.keras_weight_names() == ["forward_kernel", "forward_recurrent_kernel",
                                          "backward_kernel", "backward_recurrent_kernel"]


@pytest.mark.parametrize("cls", [SimpleRNN, LSTM, GRU])
def test_default_configs_are_unchanged(cls):
    """Configs saved before the options existed have none of their keys; the defaults add none."""
    new_keys = {"use_bias", "kernel_initializer", "recurrent_initializer", "bias_initializer",
                "kernel_regularizer", "recurrent_regularizer", "bias_regularizer",
                "zero_output_for_mask", "stateful"}
    assert not new_keys & set(cls(3).get_config())


@pytest.mark.parametrize("arg, value, why", [
    ("seed", 3, "rnnkit draws dropout masks from its one generator"),
    ("kernel_constraint", "max_norm", "rnnkit has no weight constraints"),
    ("activity_regularizer", "l2", "rnnkit penalises weights only"),
])
def test_unimplemented_keras_arguments_are_refused_unless_default(arg, value, why):
    with pytest.raises(ValueError, match=re.escape(f"LSTM({arg}={value!r}): {why}")):
        LSTM(3, **{arg: value})
    default = LSTM.UNSUPPORTED[arg][0]
    LSTM(3, **{arg: default})                     # a pasted config spelling the default runs
    with pytest.raises(TypeError, match="unexpected keyword argument 'dropuot'"):
        SimpleRNN(3, dropuot=0.2)
