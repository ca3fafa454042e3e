"""Turning arrays into training examples: sliding windows, one-hot codes, splits and batches.

The lecture turns the airline series into supervised examples by sliding a window over it. With a
window of 3 the inputs are the values at t-2, t-1, t and the target is the value at t+1::

    X1=t-2  X2=t-1  X3=t   Y=t+1
    112     118     132    129
    118     132     129    121
    ...

An RNN reads each row as a sequence of 3 timesteps of 1 feature, so :func:`sliding_windows` returns
``X`` with shape ``(N, window, 1)`` (batch, time, features), the layout every rnnkit layer takes.
"""
import math

import numpy as np

from .. import config
from ..errors import DataError


def sliding_windows(series, window, horizon=1, dtype=None):
    """Cut a series into (inputs, target) examples by sliding a window over it.

    Example ``i`` has inputs ``series[i : i + window]`` (times t-window+1 .. t, with
    ``t = i + window - 1``) and target ``series[i + window - 1 + horizon]`` (time t+horizon).

    Parameters
    ----------
    series : array_like, shape (T,) or (T, F)
        The series, oldest value first. A 1-D series has one feature.
    window : int
        Number of timesteps in each input sequence (the lecture's "3 feature dataset" is
        ``window=3``; its "1 feature dataset" is ``window=1``).
    horizon : int, default 1
        How many steps after the last input the target lies (1 = the next value).
    dtype : str or numpy dtype, optional
        Type of ``X`` and ``y``; default :func:`rnnkit.config.floatx` (float64 unless changed).

    Returns
    -------
    X : ndarray, shape (N, window, F)
        Input sequences, ``N = T - window - horizon + 1``.
    y : ndarray, shape (N, F)
        Targets.

    Raises
    ------
    DataError
        If ``window`` or ``horizon`` is not a positive integer, the series is not 1-D or 2-D, or
        the series is too short to give a single example.

    Examples
    --------
    >>> X, y = sliding_windows([112, 118, 132, 129, 121, 135], window=3)
    >>> X.shape, y.shape
    ((3, 3, 1), (3, 1))
    >>> X[0, :, 0].tolist(), y[0].tolist()
    ([112.0, 118.0, 132.0], [129.0])
    """
    window = _positive_int(window, "window")
    horizon = _positive_int(horizon, "horizon")
    values = np.asarray(series, dtype=dtype or config.floatx())
    if values.ndim == 1:
        values = values[:, None]
    if values.ndim != 2:
        raise DataError(
            f"sliding_windows: expected a series of shape (T,) or (T, features), got shape "
            f"{values.shape}. Pass one series at a time.")
    T = values.shape[0]
    n = T - window - horizon + 1
    if n < 1:
        raise DataError(
            f"sliding_windows: the series has {T} values, but window={window} and "
            f"horizon={horizon} need at least {window + horizon}. Use a longer series or a "
            f"smaller window.")
    # Row i of `starts + offsets` is the index list i, i+1, ..., i+window-1.
    idx = np.arange(n)[:, None] + np.arange(window)[None, :]
    X = values[idx]                                   # (N, window, F)
    y = values[np.arange(n) + window - 1 + horizon]   # (N, F)
    return X, y


def one_hot(indices, depth, dtype=None):
    """One-hot encode integer indices along a new trailing axis.

    Parameters
    ----------
    indices : array_like of int, any shape S
        Class indices, each in ``0 .. depth-1``.
    depth : int
        Number of classes (length of the new axis).
    dtype : str or numpy dtype, optional
        Type of the result; default :func:`rnnkit.config.floatx`.

    Returns
    -------
    ndarray, shape S + (depth,)
        ``out[..., k] == 1`` exactly where ``indices == k``.

    Raises
    ------
    DataError
        If ``indices`` are not integers or one lies outside ``0 .. depth-1`` (the message gives
        its value and position).

    Examples
    --------
    >>> one_hot([2, 0], 3).tolist()
    [[0.0, 0.0, 1.0], [1.0, 0.0, 0.0]]
    """
    depth = _positive_int(depth, "depth")
    idx = np.asarray(indices)
    if idx.size and not np.issubdtype(idx.dtype, np.integer):
        raise DataError(
            f"one_hot: indices must be integers, got dtype {idx.dtype}. Convert tokens to "
            f"indices first (e.g. with Vocabulary.encode).")
    idx = idx.astype(np.int64, copy=False)
    bad = (idx < 0) | (idx >= depth)
    if bad.any():
        pos = tuple(int(p) for p in np.argwhere(bad)[0])
        raise DataError(
            f"one_hot: index {int(idx[pos])} at position {pos} is outside 0..{depth - 1} "
            f"(depth={depth}). Increase depth or fix the index.")
    out = np.zeros(idx.shape + (depth,), dtype=dtype or config.floatx())
    np.put_along_axis(out, idx[..., None], 1, axis=-1)
    return out


class OneHotWindows:
    """Windows of token ids that are one-hot encoded only when rows are read.

    ``x[rows]`` is ``one_hot(ids[rows], depth)``, but the whole (n, T, depth) array is never
    stored: a model reads its inputs a batch at a time (``fit``, ``evaluate`` and ``predict``
    take ``x[index]``), so a corpus costs its ids, not its ids × ``depth`` floats (1 MB of text
    with 40-character windows every 3 characters and 100 characters in the alphabet: 530 MB of
    float32 for the test part alone). ``ids`` may be a strided view into one array of the corpus's
    ids (see ``sliding_window_view``), which costs nothing per window.

    ``np.asarray(x)`` still gives the whole array, for code that needs it.

    >>> x = OneHotWindows(np.array([[0, 2], [1, 1]]), depth=3)
    >>> x.shape, x[1:].tolist()
    ((2, 2, 3), [[[0.0, 1.0, 0.0], [0.0, 1.0, 0.0]]])
    """

    def __init__(self, ids, depth, dtype=None):
        self.ids = np.asarray(ids)
        self.depth = _positive_int(depth, "depth")
        self.dtype = np.dtype(dtype or config.floatx())

    @property
    def shape(self):
        return self.ids.shape + (self.depth,)

    @property
    def ndim(self):
        return self.ids.ndim + 1

    def __len__(self):
        return len(self.ids)

    def __getitem__(self, rows):
        return one_hot(self.ids[rows], self.depth, self.dtype)

    def __array__(self, dtype=None, copy=None):
        return self[...] if dtype is None else self[...].astype(dtype)


def train_test_split(*arrays, test_fraction=0.2, shuffle=False, seed=None):
    """Split arrays along their first axis into a training part and a test part.

    For a time series the default keeps the order: the last ``test_fraction`` of the examples is
    the test set, so the model is tested on the future it never saw.

    Parameters
    ----------
    *arrays : array_like
        One or more arrays with the same length along axis 0 (e.g. ``X, y``).
    test_fraction : float, default 0.2
        Fraction of examples in the test part, strictly between 0 and 1. The test part has
        ``ceil(test_fraction * n)`` examples.
    shuffle : bool, default False
        Shuffle the examples before splitting (for independent examples, not time series).
    seed : int or numpy.random.Generator, optional
        Randomness for ``shuffle``; default the shared generator :func:`rnnkit.config.rng`.

    Returns
    -------
    list of ndarray
        ``[a_train, a_test, b_train, b_test, ...]``, in the order of ``arrays``.

    Raises
    ------
    DataError
        If no array is given, the lengths differ, ``test_fraction`` is outside (0, 1), or either
        part would be empty.

    Examples
    --------
    >>> a_train, a_test = train_test_split(np.arange(10), test_fraction=0.3)
    >>> a_train.tolist(), a_test.tolist()
    ([0, 1, 2, 3, 4, 5, 6], [7, 8, 9])
    """
    if not arrays:
        raise DataError("train_test_split: give at least one array, e.g. train_test_split(X, y).")
    arrays = [np.asarray(a) for a in arrays]
    lengths = [len(a) for a in arrays]
    if len(set(lengths)) != 1:
        raise DataError(
            f"train_test_split: the arrays have different lengths {lengths}; every array must "
            f"have one row per example.")
    if not 0.0 < float(test_fraction) < 1.0:
        raise DataError(
            f"train_test_split: test_fraction must be between 0 and 1 (exclusive), got "
            f"{test_fraction!r}.")
    n = lengths[0]
    # The tiny tolerance keeps e.g. 0.2 * 10 = 2.0000000000000004 from rounding up to 3.
    n_test = math.ceil(test_fraction * n - 1e-9)
    if n_test < 1 or n_test >= n:
        raise DataError(
            f"train_test_split: with {n} examples and test_fraction={test_fraction}, the "
            f"{'test' if n_test < 1 else 'training'} part would be empty. Use more examples or "
            f"another test_fraction.")
    order = _generator(seed).permutation(n) if shuffle else np.arange(n)
    train, test = order[:n - n_test], order[n - n_test:]
    out = []
    for a in arrays:
        out += [a[train], a[test]]
    return out


def batches(n, batch_size, shuffle=True, rng=None):
    """Yield index arrays that cover ``range(n)`` in mini-batches.

    Parameters
    ----------
    n : int
        Number of examples.
    batch_size : int
        Examples per batch; the last batch is smaller when ``batch_size`` does not divide ``n``
        (it is kept, not dropped).
    shuffle : bool, default True
        Visit the examples in a random order.
    rng : int or numpy.random.Generator, optional
        Randomness for ``shuffle``; default the shared generator :func:`rnnkit.config.rng`.

    Yields
    ------
    ndarray of int64, shape (b,)
        Indices of one batch; every index in ``0 .. n-1`` appears exactly once per pass.

    Examples
    --------
    >>> [b.tolist() for b in batches(5, 2, shuffle=False)]
    [[0, 1], [2, 3], [4]]
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 0:
        raise DataError(f"batches: n must be a non-negative integer, got {n!r}.")
    batch_size = _positive_int(batch_size, "batch_size")
    order = _generator(rng).permutation(n) if shuffle else np.arange(n)
    for start in range(0, n, batch_size):
        yield order[start:start + batch_size]


def _positive_int(value, name):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise DataError(f"{name} must be a positive integer, got {value!r}.")
    return int(value)


def _generator(seed):
    if seed is None:
        return config.rng()
    if isinstance(seed, np.random.Generator):
        return seed
    return np.random.default_rng(seed)
