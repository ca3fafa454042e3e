"""EncoderDecoder: BPTT through the encoder-decoder link against centred finite differences,
saving and loading, and greedy decoding that stops at the end token."""
import numpy as np
import pytest
from conftest import assert_gradient_close, numeric_weight_gradients

from rnnkit import config, load_model
from rnnkit.layers import GRU, LSTM, Dense, Embedding, SimpleRNN, TimeDistributed
from rnnkit.layers.stub_encoder import StubImageEncoder
from rnnkit.models.encoder_decoder import EncoderDecoder

CELLS = {"rnn": SimpleRNN, "lstm": LSTM, "gru": GRU}
SRC_V, TGT_V, D, U = 7, 6, 3, 4


def make_model(cell, seed=0):
    config.set_seed(seed)
    Cell = CELLS[cell]
    model = EncoderDecoder(
        [Embedding(SRC_V, D, mask_zero=True), Cell(U, return_state=True)],
        [Embedding(TGT_V, D, mask_zero=True), Cell(U, return_sequences=True),
         TimeDistributed(Dense(TGT_V, activation="softmax"))])
    model.compile(loss="sparse_categorical_crossentropy", optimizer="adam")
    return model


def ragged_batch(seed=1):
    """Three pairs with padded (masked) sources and targets of different lengths."""
    rng = np.random.default_rng(seed)
    src = rng.integers(1, SRC_V, size=(3, 5))
    src[0, 3:] = 0                           # source lengths 3, 5, 1: the final encoder state is
    src[2, 1:] = 0                           # carried over the padding
    tgt_in = rng.integers(1, TGT_V, size=(3, 4))
    tgt_in[1, 2:] = 0
    y = rng.integers(1, TGT_V, size=(3, 4))
    y[1, 2:] = 0
    return [src, tgt_in], y


def scale_weights(model, factor=2.0):
    """Larger weights than the defaults, so every gradient is clearly non-zero."""
    model.set_weights([w * factor for w in model.get_weights()])


@pytest.mark.parametrize("cell", sorted(CELLS))
def test_gradients_match_finite_differences_through_the_link(cell):
    model = make_model(cell)
    x, y = ragged_batch()
    model.forward(x)                         # build
    scale_weights(model)

    def loss():
        y_pred, mask = model.forward(x)
        return model.loss.compute(model.layers[-1], y_pred, y, model._weights(y_pred, mask))[0]

    _, analytic = model.gradients(x, y)
    numeric = numeric_weight_gradients(model, loss)
    names = [f"{layer.name}.{w}" for layer in model.layers for w in layer.keras_weight_names()]
    assert len(names) == len(analytic) == len(numeric)
    for name, a, n in zip(names, analytic, numeric):
        assert_gradient_close(a, n, f"{cell}: {name}")
    # The encoder's weights reach the loss only through the link (the decoder's initial state):
    # their gradients must be there, and not vanishingly small.
    n_enc = sum(len(layer.get_weights()) for layer in model.encoder)
    assert all(np.abs(g).max() > 1e-4 for g in analytic[:n_enc])


def test_source_padding_does_not_change_the_encoding():
    """A padded source step carries the state over: extra padding changes nothing."""
    for cell in CELLS:
        model = make_model(cell)
        x, y = ragged_batch()
        longer = np.concatenate([x[0], np.zeros((3, 2), dtype=x[0].dtype)], axis=1)
        a = model.predict(x)
        b = model.predict([longer, x[1]])
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-12)


def test_stub_encoder_bridge_gradients():
    """The stub image encoder's trainable bridge gets the decoder's dL/dh_0 (LSTM: h_0 and c_0)."""
    config.set_seed(3)
    model = EncoderDecoder(
        [StubImageEncoder(U, features=5, n_states=2, input_shape=(4, 4, 3))],
        [Embedding(TGT_V, D, mask_zero=True), LSTM(U, return_sequences=True),
         TimeDistributed(Dense(TGT_V, activation="softmax"))])
    model.compile(loss="sparse_categorical_crossentropy", optimizer="adam")
    rng = np.random.default_rng(0)
    images = rng.uniform(size=(3, 4, 4, 3))
    _, y = ragged_batch()
    x = [images, y]
    model.forward(x)
    scale_weights(model)

    def loss():
        y_pred, mask = model.forward(x)
        return model.loss.compute(model.layers[-1], y_pred, y, model._weights(y_pred, mask))[0]

    _, analytic = model.gradients(x, y)
    numeric = numeric_weight_gradients(model, loss)
    for k, (a, n) in enumerate(zip(analytic, numeric)):
        assert_gradient_close(a, n, f"stub encoder model, weight {k}")
    assert model.encoder[0].count_params() == 2 * U * (5 + 1)    # the bridge only; P is fixed


def test_stub_encoder_projection_is_fixed_by_its_seed():
    a = StubImageEncoder(4, features=6, seed=7)
    b = StubImageEncoder(4, features=6, seed=7)
    images = np.random.default_rng(0).uniform(size=(2, 4, 4, 3))
    fa, fb = a(images)[0], b(images)[0]
    np.testing.assert_array_equal(fa, fb)
    assert not np.allclose(fa, StubImageEncoder(4, features=6, seed=8)(images)[0])


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_save_and_load_round_trip(cell, tmp_path):
    model = make_model(cell)
    x, y = ragged_batch()
    model.fit(x, y, epochs=2, batch_size=2, verbose=0)
    path = tmp_path / "m.rnnkit"
    model.save(path)
    loaded = load_model(path)
    assert type(loaded) is EncoderDecoder
    np.testing.assert_array_equal(loaded.predict(x), model.predict(x))
    np.testing.assert_array_equal(loaded.generate(x[0], start_id=1, end_id=2, max_len=6),
                                  model.generate(x[0], start_id=1, end_id=2, max_len=6))


def _end_bias(model, token, value):
    dense = model.decoder[-1].layer
    dense.params["b"][:] = 0.0
    dense.params["b"][token] = value


def test_generate_stops_when_every_row_has_ended():
    model = make_model("gru")
    x, _ = ragged_batch()
    model.forward(x)
    _end_bias(model, token=5, value=50.0)           # the end token always wins
    out = model.generate(x[0], start_id=1, end_id=5, max_len=10)
    assert out.shape == (3, 1) and (out == 5).all()
    _end_bias(model, token=4, value=50.0)           # the end token never wins
    out = model.generate(x[0], start_id=1, end_id=5, max_len=7)
    assert out.shape == (3, 7) and (out == 4).all()


def test_generate_is_greedy_and_pads_finished_rows_with_the_end_token():
    model = make_model("lstm", seed=5)
    x, _ = ragged_batch()
    model.forward(x)
    scale_weights(model, 4.0)
    end, max_len = 3, 8
    out = model.generate(x[0], start_id=1, end_id=end, max_len=max_len)
    for row in range(len(x[0])):
        # an independent greedy loop, one sequence at a time, stopping at the end token
        prefix, expected = [1], []
        for _ in range(max_len):
            probs = model.predict([x[0][row:row + 1], np.array([prefix])])
            token = int(probs[0, -1].argmax())
            expected.append(token)
            prefix.append(token)
            if token == end:
                break
        got = out[row].tolist()
        assert got[:len(expected)] == expected
        assert all(t == end for t in got[len(expected):])
    assert out.shape[1] == max_len or (out == end).any(axis=1).all()
