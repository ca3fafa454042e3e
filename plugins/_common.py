"""Helpers shared by the built-in architectures: checks of their own config keys, the optimizer,
splits, a masked accuracy and the emoji package's data info.

Nothing here is part of the plugin API (``rnnkit.plugins``); a third-party plugin needs none of it.
What a plugin author needs lives in the public modules: cells in :mod:`rnnkit.layers`
(``recurrent_layer``), encoder-decoder helpers in :mod:`rnnkit.seq2seq`, length buckets in
``Architecture.bucket_by_length``. Hooks receive a complete config (the runs add the generic
keys and check cell, units, epochs, batch_size, lr, seed, floatx); the checks here cover only
each architecture's own keys.
"""

import numpy as np

from rnnkit.errors import ConfigError, DataError
from rnnkit.optimizers import Adam


# ---- configuration -----------------------------------------------------------------------------

def check_positive_ints(config, *keys):
    """Raise ConfigError (a ValueError) unless every key in ``keys`` is a positive integer in
    ``config``."""
    for key in keys:
        v = config.get(key)
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v <= 0:
            raise ConfigError(f"config {key!r} must be a positive integer, got {v!r}")


def check_at_least(config, key, low, meaning):
    """Raise ConfigError unless ``config[key]`` is a number >= ``low`` (``meaning``: of the
    lowest value, for the message)."""
    v = config.get(key)
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not v >= low:
        raise ConfigError(f"config {key!r} must be a number >= {low} ({meaning}), got {v!r}")


def check_fraction(config, key, low=0.0, high=1.0):
    v = config.get(key)
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not low < v < high:
        raise ConfigError(f"config {key!r} must be a number between {low} and {high} "
                          f"(exclusive), got {v!r}")


def check_known_labels(path, what, found, known):
    """Raise DataError naming the labels of ``found`` that a run never saw (not in ``known``):
    its model has no output for them, so new data holding them cannot be scored."""
    unseen = sorted(set(found) - set(known))
    if unseen:
        raise DataError(f"{path}: {len(unseen)} {what}{'s' if len(unseen) > 1 else ''} the run "
                        f"never saw: {', '.join(map(str, unseen[:10]))}"
                        f"{' ...' if len(unseen) > 10 else ''}. Its model knows "
                        f"{', '.join(map(str, known))}; remove those lines, or train on data "
                        f"that has them.")


def optimizer(config):
    """Adam with the config's learning rate and its gradient clipping (None: no clipping)."""
    return Adam(learning_rate=float(config["lr"]), clipnorm=config["clipnorm"],
                clipvalue=config["clipvalue"])


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


# ---- predict -----------------------------------------------------------------------------------

def unknown_positions(ids, unk_index):
    """Positions (from 0) of ``ids`` that are the unknown token: the ``unknown`` of a prediction."""
    return [int(k) for k in np.flatnonzero(np.asarray(ids) == unk_index)]


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
