"""Helpers shared by the built-in architectures: configs, cells, optimizers, splits, metrics.

Nothing here is part of the plugin API (``rnnkit.plugins``); a third-party plugin needs none of it.

Length-bucketed training (``Sequential.fit(bucket_by_length=True)``) and one BLAS thread for
small models (``rnnkit.threads``) live in the engine, where every model gets them.
"""

import numpy as np

from rnnkit.layers import GRU, LSTM, SimpleRNN
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
