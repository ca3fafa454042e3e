"""Metrics, averaged over unmasked target positions like the losses (padding never counts)."""
import numpy as np


def _weighted_mean(values, weights):
    w = weights.reshape(values.shape)
    return float((values * w).sum() / w.sum())


def accuracy(y_pred, y_true, weights, loss_name):
    """Share of positions whose predicted class is the target's.

    The kind follows the loss, as Keras' "accuracy": integer labels for sparse cross-entropy,
    one-hot targets for categorical, a 0.5 threshold for binary outputs.
    """
    if loss_name == "sparse_categorical_crossentropy":
        labels = np.asarray(y_true).reshape(y_pred.shape[:-1])
        hits = y_pred.argmax(-1) == labels
    elif y_pred.shape[-1] > 1:
        hits = y_pred.argmax(-1) == np.asarray(y_true).reshape(y_pred.shape).argmax(-1)
    else:
        t = np.asarray(y_true).reshape(y_pred.shape)
        hits = ((y_pred > 0.5) == (t > 0.5)).mean(-1)
    return _weighted_mean(hits.astype(float), weights)


def mae(y_pred, y_true, weights, loss_name):
    """Mean absolute error."""
    err = np.abs(y_pred - np.asarray(y_true).reshape(y_pred.shape)).mean(-1)
    return _weighted_mean(err, weights)


def mse(y_pred, y_true, weights, loss_name):
    """Mean squared error."""
    err = ((y_pred - np.asarray(y_true).reshape(y_pred.shape)) ** 2).mean(-1)
    return _weighted_mean(err, weights)


def rmse(y_pred, y_true, weights, loss_name):
    """Root mean squared error."""
    return float(np.sqrt(mse(y_pred, y_true, weights, loss_name)))


METRICS = {"accuracy": accuracy, "acc": accuracy, "mae": mae, "mse": mse, "rmse": rmse}


def get(name):
    if callable(name):
        return name
    if name not in METRICS:
        raise ValueError(f"unknown metric {name!r}; choose one of {', '.join(METRICS)}")
    return METRICS[name]
