"""Sliding windows reproduce the lecture's airline tables; one-hot, splits and batches."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from rnnkit.data import (DataError, batches, load_airline, one_hot, sliding_windows,
                         train_test_split)


def test_one_feature_table_from_the_lecture():
    _, values = load_airline()
    X, y = sliding_windows(values, window=1)
    assert X.shape == (143, 1, 1) and y.shape == (143, 1)
    # X = t, Y = t+1
    assert X[:5, :, 0].tolist() == [[112], [118], [132], [129], [121]]
    assert y[:5, 0].tolist() == [118, 132, 129, 121, 135]


def test_three_feature_table_from_the_lecture():
    _, values = load_airline()
    X, y = sliding_windows(values, window=3)
    assert X.shape == (141, 3, 1) and y.shape == (141, 1)
    # X1 = t-2, X2 = t-1, X3 = t, Y = t+1
    assert X[:5, :, 0].tolist() == [[112, 118, 132], [118, 132, 129], [132, 129, 121],
                                    [129, 121, 135], [121, 135, 148]]
    assert y[:5, 0].tolist() == [129, 121, 135, 148, 148]
    # the last example ends the series: 1960-09..11 -> 1960-12
    assert X[-1, :, 0].tolist() == [508, 461, 390] and y[-1, 0] == 432


def test_horizon_and_multifeature_series():
    X, y = sliding_windows(np.arange(10), window=2, horizon=3)
    assert X.shape == (6, 2, 1)
    assert X[0, :, 0].tolist() == [0, 1] and y[0, 0] == 4      # inputs t-1, t; target t+3
    X, y = sliding_windows(np.arange(12).reshape(6, 2), window=2)
    assert X.shape == (4, 2, 2) and y.tolist()[0] == [4, 5]


def test_default_dtype_is_float64_and_selectable():
    assert sliding_windows([1, 2, 3], 1)[0].dtype == np.float64
    assert sliding_windows([1, 2, 3], 1, dtype="float32")[1].dtype == np.float32


@given(T=st.integers(2, 40), window=st.integers(1, 10), horizon=st.integers(1, 5))
@settings(max_examples=50, deadline=None)
def test_every_window_is_a_slice_of_the_series(T, window, horizon):
    series = np.arange(T, dtype=float) * 10
    if window + horizon > T:
        with pytest.raises(DataError, match="need at least"):
            sliding_windows(series, window, horizon)
        return
    X, y = sliding_windows(series, window, horizon)
    assert len(X) == len(y) == T - window - horizon + 1
    for i in range(len(X)):
        assert X[i, :, 0].tolist() == series[i:i + window].tolist()
        assert y[i, 0] == series[i + window - 1 + horizon]


@pytest.mark.parametrize("kwargs, message", [
    (dict(series=[1, 2, 3], window=0), "window must be a positive integer"),
    (dict(series=[1, 2, 3], window=1, horizon=0), "horizon must be a positive integer"),
    (dict(series=[1, 2, 3], window=3), "the series has 3 values"),
    (dict(series=np.zeros((2, 2, 2)), window=1), "shape"),
])
def test_sliding_windows_errors(kwargs, message):
    with pytest.raises(DataError, match=message):
        sliding_windows(**kwargs)


def test_one_hot_any_shape():
    out = one_hot(np.array([[0, 2], [1, 1]]), 3)
    assert out.shape == (2, 2, 3)
    assert out.tolist() == [[[1, 0, 0], [0, 0, 1]], [[0, 1, 0], [0, 1, 0]]]
    assert one_hot(2, 4).tolist() == [0, 0, 1, 0]
    assert one_hot([], 2).shape == (0, 2)
    assert one_hot([1], 2, dtype=np.int8).dtype == np.int8


def test_one_hot_errors_name_the_bad_index():
    with pytest.raises(DataError, match=r"index 5 at position \(1, 0\) is outside 0..2"):
        one_hot([[0, 1], [5, 0]], 3)
    with pytest.raises(DataError, match="outside"):
        one_hot([-1], 3)
    with pytest.raises(DataError, match="must be integers"):
        one_hot([0.5], 3)


def test_train_test_split_keeps_time_order():
    X, y = np.arange(10).reshape(10, 1), np.arange(10) * 2
    X_train, X_test, y_train, y_test = train_test_split(X, y)
    assert X_train[:, 0].tolist() == list(range(8)) and X_test[:, 0].tolist() == [8, 9]
    assert y_test.tolist() == [16, 18]
    # airline: 144 months, 20 % -> the last 29 months (ceil(28.8)) are the test set
    _, values = load_airline()
    train, test = train_test_split(values)
    assert len(train) == 115 and len(test) == 29 and test[-1] == 432


def test_train_test_split_shuffle_is_seeded_and_keeps_pairs():
    X = np.arange(20)
    a = train_test_split(X, X * 3, shuffle=True, seed=4)
    b = train_test_split(X, X * 3, shuffle=True, seed=4)
    assert all(np.array_equal(p, q) for p, q in zip(a, b))
    assert (a[2] == a[0] * 3).all() and (a[3] == a[1] * 3).all()
    assert sorted(np.concatenate([a[0], a[1]]).tolist()) == list(range(20))
    assert a[0].tolist() != list(range(16))


@pytest.mark.parametrize("args, kwargs, message", [
    ((), {}, "at least one array"),
    ((np.arange(3), np.arange(4)), {}, "different lengths"),
    ((np.arange(10),), dict(test_fraction=1.5), "between 0 and 1"),
    ((np.arange(1),), {}, "would be empty"),
])
def test_train_test_split_errors(args, kwargs, message):
    with pytest.raises(DataError, match=message):
        train_test_split(*args, **kwargs)


def test_batches_cover_every_index_once_and_keep_the_last_partial_batch():
    assert [b.tolist() for b in batches(7, 3, shuffle=False)] == [[0, 1, 2], [3, 4, 5], [6]]
    got = list(batches(7, 3, rng=0))
    assert [len(b) for b in got] == [3, 3, 1]
    assert sorted(np.concatenate(got).tolist()) == list(range(7))
    assert [b.tolist() for b in batches(7, 3, rng=0)] == [b.tolist() for b in got]
    assert list(batches(0, 4)) == []
    with pytest.raises(DataError, match="batch_size must be a positive integer"):
        list(batches(5, 0))
