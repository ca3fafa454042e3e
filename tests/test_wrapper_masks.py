"""Issue 14, point 7: wrappers and masks as Keras 3.

Numbers come from the recurrences written out in NumPy (SimpleRNN:
h_t = tanh(x_t·kernel + h_{t-1}·recurrent_kernel + bias)) on the sequences without their padding.
"""
import numpy as np
import pytest

from rnnkit.layers import LSTM, Bidirectional, Dense, Embedding, SimpleRNN, TimeDistributed


def _rnn_last(x, kernel, recurrent, bias):
    h = np.zeros(kernel.shape[1])
    for x_t in x:
        h = np.tanh(x_t @ kernel + h @ recurrent + bias)
    return h


def test_time_distributed_passes_its_mask_to_the_wrapped_layer():
    """Keras' TimeDistributed calls the wrapped layer with mask[:, t]: a (B, T, T2) mask reaches a
    wrapped SimpleRNN, whose last output then ignores the padded inner steps."""
    rng = np.random.default_rng(0)
    B, T, T2, D = 2, 3, 4, 2
    x = rng.normal(size=(B, T, T2, D))
    lengths = np.array([[4, 2, 1], [3, 4, 2]])
    mask = np.arange(T2) < lengths[..., None]                  # right padding inside each row
    layer = TimeDistributed(SimpleRNN(3, dtype="float64"))
    out = layer(x, mask=mask)
    w = layer.get_weights()
    for b in range(B):
        for t in range(T):
            np.testing.assert_allclose(out[b, t], _rnn_last(x[b, t, :lengths[b, t]], *w),
                                       rtol=1e-12)


def test_time_distributed_refuses_a_mask_that_does_not_fit():
    """Keras: "`TimeDistributed` Layer should be passed a `mask` of shape (batch, timesteps, ...)"."""
    layer = TimeDistributed(Dense(2))
    with pytest.raises(ValueError, match=r"mask of shape \(2, 5, \.\.\.\).*got \(2, 4\)"):
        layer(np.zeros((2, 5, 3)), mask=np.ones((2, 4), dtype=bool))


def test_time_distributed_dense_output_unchanged_by_a_timestep_mask():
    rng = np.random.default_rng(1)
    layer = TimeDistributed(Dense(2, dtype="float64"))
    x = rng.normal(size=(2, 5, 3))
    layer.build((5, 3))
    kernel, bias = layer.get_weights()
    mask = np.array([[1, 1, 0, 0, 0], [1, 1, 1, 1, 1]], dtype=bool)
    np.testing.assert_allclose(layer(x, mask=mask), x @ kernel + bias, rtol=1e-12)


@pytest.mark.parametrize("cell, n_states", [(SimpleRNN, 1), (LSTM, 2)])
def test_bidirectional_merge_none_return_state_is_keras_flat_list(cell, n_states):
    """Keras 3 Bidirectional.call: ``if self.merge_mode is None: return output + states``."""
    x = np.random.default_rng(2).normal(size=(2, 4, 5))
    layer = Bidirectional(cell(3, return_state=True, dtype="float64"), merge_mode=None)
    out = layer(x)
    assert isinstance(out, list) and len(out) == 2 + 2 * n_states
    assert all(isinstance(a, np.ndarray) and a.shape == (2, 3) for a in out)
    out_f, out_b = out[:2]
    np.testing.assert_array_equal(out_f, out[2])                 # forward output = h_fwd
    np.testing.assert_array_equal(out_b, out[2 + n_states])      # backward output = h_bwd
    if cell is SimpleRNN:
        wf, wb = layer.forward_layer.get_weights(), layer.backward_layer.get_weights()
        for i in range(2):
            np.testing.assert_allclose(out_f[i], _rnn_last(x[i], *wf), rtol=1e-12)
            np.testing.assert_allclose(out_b[i], _rnn_last(x[i, ::-1], *wb), rtol=1e-12)


def test_embedding_compute_mask_takes_the_ids_alone():
    """Keras: ``compute_mask(inputs, mask=None)`` is ``inputs != 0`` with mask_zero."""
    ids = np.array([[3, 0, 1], [0, 0, 2]])
    np.testing.assert_array_equal(Embedding(4, 2, mask_zero=True).compute_mask(ids), ids != 0)
    assert Embedding(4, 2).compute_mask(ids) is None


def test_embedding_reads_float_ids_as_the_integers_they_hold():
    """Keras casts non-integer ids to int32 before the lookup (embedding_test's float inputs)."""
    layer = Embedding(5, 3, mask_zero=True)
    ids = np.array([[1, 4, 0], [2, 2, 3]])
    layer.build((3,))
    table = layer.get_weights()[0]
    np.testing.assert_array_equal(layer(ids.astype(np.float32)), table[ids])
    np.testing.assert_array_equal(layer.compute_mask(ids.astype(np.float64)), ids != 0)


def test_time_distributed_after_a_layer_without_sequences_says_so():
    """Keras: "`TimeDistributed` Layer should be passed an `input_shape` with at least 3
    dimensions"; with eager building this shows when the model is constructed."""
    from rnnkit import Sequential
    from rnnkit.errors import ShapeError
    with pytest.raises(ShapeError, match="must return sequences"):
        Sequential([SimpleRNN(4, input_shape=(3, 1)), TimeDistributed(Dense(2))])


def test_keras_time_distributed_test_masking():
    """Ported from keras/src/layers/rnn/time_distributed_test.py, TimeDistributedTest.test_masking:
    a wrapped layer that multiplies its output by the mask it gets, Keras' expected numbers."""
    class MaskedDense(Dense):
        def forward(self, x, mask=None):
            out = super().forward(x)
            return out if mask is None else out * np.asarray(mask, dtype=out.dtype)[:, None]

    inner = MaskedDense(1, dtype="float64")
    inner.build((4,))
    inner.set_weights([np.full((4, 1), 0.01), np.zeros(1)])      # Constant(0.01), no bias
    sequence = np.arange(24).reshape((3, 2, 4)).astype("float64")
    mask = np.array([[False, True], [True, False], [True, True]])
    out = TimeDistributed(inner)(sequence, mask=mask)
    np.testing.assert_allclose(out, [[[0], [0.22]], [[0.38], [0]], [[0.7], [0.86]]], atol=1e-12)
