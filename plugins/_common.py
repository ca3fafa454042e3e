"""Helpers shared by the built-in architectures: configs, cells, splits, and length-bucketed training.

Nothing here is part of the plugin API (``rnnkit.plugins``); a third-party plugin needs none of it.

Length buckets
--------------
Padded timesteps cost as much as real ones: a recurrent kernel still runs its step, only the mask
throws the result away. A corpus of sentences with a median of 16 tokens, padded to 50, would do
three times the work it needs. :func:`fit_by_length` therefore trains on batches of sentences of
similar length, each cut to its own longest sentence ("pad to the batch"), and
:func:`predict_by_length` / :func:`evaluate_by_length` do the same at test time. Sequences must be
post-padded with token id 0 (``rnnkit.data.pad_sequences`` does this), so a sequence's length is
its number of non-zero ids.

One BLAS thread
---------------
The recurrent kernels call BLAS once per timestep on small matrices (batch x units). OpenBLAS's
threads cost more than they save there, and on a busy machine they are ruinous (measured on this
2-core machine with other jobs running: one LSTM forward of 32 x 20 steps x 64 units took 660 ms
with OpenBLAS's 2 threads, 13 ms with one). :func:`blas_single_thread` limits BLAS to one thread
for a block when ``threadpoolctl`` is installed, and does nothing otherwise.
"""
import contextlib
import math
import sys
import time

import numpy as np

from rnnkit import config as rk_config
from rnnkit.errors import NonFiniteLossError
from rnnkit.layers import GRU, LSTM, SimpleRNN
from rnnkit.models.sequential import History
from rnnkit.optimizers import Adam

#: ``--cell`` value -> recurrent layer class
CELLS = {"rnn": SimpleRNN, "lstm": LSTM, "gru": GRU}


# ---- configuration -----------------------------------------------------------------------------

def full_config(arch, config):
    """``arch.default_config()`` updated by ``config`` (which may hold only a few keys)."""
    merged = dict(arch.default_config())
    merged.update(config or {})
    return merged


def check_positive_ints(config, *keys):
    """Raise ValueError unless every key in ``keys`` is a positive integer in ``config``."""
    for key in keys:
        v = config.get(key)
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v <= 0:
            raise ValueError(f"config {key!r} must be a positive integer, got {v!r}")


def check_fraction(config, key, low=0.0, high=1.0):
    v = config.get(key)
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not low < v < high:
        raise ValueError(f"config {key!r} must be a number between {low} and {high} (exclusive), "
                         f"got {v!r}")


def recurrent_class(cell, allowed=tuple(CELLS)):
    """The layer class for ``cell`` ("rnn", "lstm" or "gru"); ValueError names the valid ones."""
    if cell not in allowed:
        raise ValueError(f"unknown cell {cell!r}; choose one of {', '.join(allowed)}")
    return CELLS[cell]


def optimizer(config):
    """Adam with the config's learning rate and optional gradient clipping."""
    lr = config.get("lr")
    if isinstance(lr, bool) or not isinstance(lr, (int, float)) or not lr > 0:
        raise ValueError(f"config 'lr' must be a number > 0 (e.g. 0.001), got {lr!r}")
    return Adam(learning_rate=float(lr), clipnorm=config.get("clipnorm"),
                clipvalue=config.get("clipvalue"))


def split_indices(n, seed, fractions=(0.8, 0.1, 0.1)):
    """Shuffle ``range(n)`` with ``seed`` and cut it into train/val/test index arrays.

    Deterministic: the same ``n`` and ``seed`` give the same split. Val and test get
    ``round(fraction * n)`` items each (at least one when n >= 3); train gets the rest.
    """
    order = np.random.default_rng(seed).permutation(n)
    n_val = max(round(fractions[1] * n), 1 if n >= 3 else 0)
    n_test = max(round(fractions[2] * n), 1 if n >= 3 else 0)
    n_train = n - n_val - n_test
    return order[:n_train], order[n_train:n_train + n_val], order[n_train + n_val:]


def blas_single_thread():
    """A context manager limiting BLAS to one thread (threadpoolctl), or a no-op without it."""
    try:
        from threadpoolctl import threadpool_limits
        # threadpoolctl limits only the libraries already loaded: load the OpenBLAS that Numba's
        # np.dot calls (SciPy's, through scipy.linalg.cython_blas) before limiting.
        import scipy.linalg.cython_blas  # noqa: F401
    except ImportError:
        return contextlib.nullcontext()
    return threadpool_limits(1, user_api="blas")


# ---- batches of similar length -----------------------------------------------------------------

def sequence_lengths(x):
    """Number of non-padding ids (id != 0) in each row of the post-padded id array ``x``."""
    return (np.asarray(x) != 0).sum(axis=1)


def length_batches(lengths, batch_size, rng=None):
    """Index batches of sequences of similar length, in random order.

    Sequences are sorted by length (ties broken at random, so batches differ between epochs),
    cut into runs of ``batch_size``, and the runs are shuffled. With ``rng=None`` nothing is random:
    the order is sorted by length (for prediction).
    """
    lengths = np.asarray(lengths)
    if rng is None:
        order = np.argsort(lengths, kind="stable")
    else:
        order = np.lexsort((rng.random(len(lengths)), lengths))
    runs = [order[i:i + batch_size] for i in range(0, len(order), batch_size)]
    if rng is not None:
        runs = [runs[k] for k in rng.permutation(len(runs))]
    return runs


def _cut(a, idx, width):
    """Rows ``idx`` of ``a``, the time axis (axis 1) cut to ``width`` when ``a`` has one."""
    a = np.asarray(a)[idx]
    return a[:, :width] if a.ndim >= 2 else a


def predict_by_length(model, x, batch_size=256):
    """``model.predict(x)`` computed on batches of similar length, each cut to its longest row.

    Returns an array shaped like ``model.predict(x)``; for sequence outputs the steps past a
    row's length are zero.
    """
    with blas_single_thread():
        return _predict_by_length(model, np.asarray(x), batch_size)


def _predict_by_length(model, x, batch_size):
    lengths = sequence_lengths(x)
    out = None
    for idx in length_batches(lengths, batch_size):
        width = max(int(lengths[idx].max()), 1)
        pred = model.predict(x[idx, :width], batch_size=len(idx))
        if out is None:
            shape = (len(x), x.shape[1]) + pred.shape[2:] if pred.ndim == 3 else (len(x),) + pred.shape[1:]
            out = np.zeros(shape, dtype=pred.dtype)
        if pred.ndim == 3:
            out[idx, :width] = pred
        else:
            out[idx] = pred
    return out


def evaluate_by_length(model, x, y, batch_size=256):
    """The model's loss and compiled metrics on ``(x, y)``, on length-bucketed batches.

    Each batch's values (means over its unmasked positions) are weighted by its number of
    positions: tokens for sequence targets, samples otherwise. Returns ``{"loss": ..., metric: ...}``.
    """
    with blas_single_thread():
        return _evaluate_by_length(model, np.asarray(x), np.asarray(y), batch_size)


def _evaluate_by_length(model, x, y, batch_size):
    lengths = sequence_lengths(x)
    names = ["loss"] + list(model.metric_names)
    sums, total = dict.fromkeys(names, 0.0), 0.0
    for idx in length_batches(lengths, batch_size):
        width = max(int(lengths[idx].max()), 1)
        values = model.evaluate(x[idx, :width], _cut(y, idx, width), batch_size=len(idx))
        values = values if isinstance(values, list) else [values]
        weight = float(lengths[idx].sum()) if y.ndim >= 2 else float(len(idx))
        for k, v in zip(names, values):
            sums[k] += weight * float(v)
        total += weight
    return {k: v / max(total, 1.0) for k, v in sums.items()}


def fit_by_length(model, x, y, epochs, batch_size, validation_data=None, callbacks=None,
                  verbose=0):
    """Train like ``model.fit``, but on batches of similar length cut to their longest sequence.

    Same callbacks (``on_epoch_begin(epoch, n_batches)``, ``on_batch_end(batch, logs)`` -- returning
    True stops --, ``on_epoch_end(epoch, row)``), same History rows (``loss``, ``val_loss``,
    ``val_<metric>``, ``seconds``). The training loss is averaged over real positions. The batch
    order comes from rnnkit's shared random generator (``rnnkit.config.set_seed``). BLAS runs on
    one thread (see :func:`blas_single_thread`).
    """
    with blas_single_thread():
        return _fit_by_length(model, np.asarray(x), np.asarray(y), epochs, batch_size,
                              validation_data, callbacks, verbose)


def _fit_by_length(model, x, y, epochs, batch_size, validation_data, callbacks, verbose):
    lengths = sequence_lengths(x)
    per_step = y.ndim >= 2
    callbacks = list(callbacks or [])
    history = History()
    n_batches = math.ceil(len(x) / batch_size)
    model.stop_training = False
    for epoch in range(1, epochs + 1):
        start = time.perf_counter()
        for cb in callbacks:
            getattr(cb, "on_epoch_begin", lambda *a: None)(epoch, n_batches)
        loss_sum, seen = 0.0, 0.0
        for b, idx in enumerate(length_batches(lengths, batch_size, rk_config.rng()), start=1):
            width = max(int(lengths[idx].max()), 1)
            try:
                loss = model.train_on_batch(x[idx, :width], _cut(y, idx, width))
            except NonFiniteLossError as err:
                raise NonFiniteLossError(f"epoch {epoch}, batch {b}: {err}") from None
            weight = float(lengths[idx].sum()) if per_step else float(len(idx))
            loss_sum += loss * weight
            seen += weight
            for cb in callbacks:
                if getattr(cb, "on_batch_end", lambda *a: None)(b, {"loss": loss_sum / seen}):
                    model.stop_training = True
            if model.stop_training:
                break
        row = {"epoch": epoch, "loss": loss_sum / max(seen, 1.0)}
        if validation_data is not None:
            row.update({f"val_{k}": v for k, v in evaluate_by_length(model, *validation_data).items()})
        row["seconds"] = time.perf_counter() - start
        history.append(row)
        if verbose:
            print(f"Epoch {epoch}/{epochs} - " + " - ".join(
                f"{k}: {v:.4f}" for k, v in row.items() if k not in ("epoch", "seconds"))
                + f" - {row['seconds']:.2f}s", file=sys.stdout, flush=True)
        for cb in callbacks:
            getattr(cb, "on_epoch_end", lambda *a: None)(epoch, row)
        if model.stop_training:
            break
    return history


# ---- metrics -----------------------------------------------------------------------------------

def masked_accuracy(predicted, y, mask):
    """Share of positions where ``predicted == y``, counting only where ``mask`` is true."""
    mask = np.asarray(mask, dtype=bool)
    n = int(mask.sum())
    if n == 0:
        return float("nan")
    return float(((np.asarray(predicted) == np.asarray(y)) & mask).sum() / n)


def emoji_data_info(what):
    """``data info`` of the architectures built on the ``emoji`` package's names."""
    import importlib.metadata as md
    from pathlib import Path
    dist = md.distribution("emoji")
    folder = Path(str(dist.locate_file("emoji"))) / "unicode_codes"
    size = sum(p.stat().st_size for p in folder.glob("*")) if folder.is_dir() else None
    return {"source": f"{what}, from the emoji names of the installed emoji package "
                      f"{dist.version} (a dependency of rnnkit; nothing to download)",
            "path": str(folder), "size": size, "licence": "BSD (the emoji package)"}
