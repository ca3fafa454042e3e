"""rnnkit: a Numba-accelerated, autograd-free recurrent-neural-network engine for teaching.

>>> from rnnkit import Sequential
>>> from rnnkit.layers import SimpleRNN, Dense
>>> model = Sequential([SimpleRNN(10, input_shape=(50, 1)), Dense(1)])
>>> model.count_params()
131
"""
__version__ = "0.1.0"

from .config import set_floatx, set_seed  # noqa: E402
from .models import EncoderDecoder, Model, Sequential, load_model  # noqa: E402

__all__ = ["Model", "Sequential", "EncoderDecoder", "load_model", "set_floatx", "set_seed",
           "plot_model", "__version__"]


def __getattr__(name):
    """``rnnkit.plot_model`` (:mod:`rnnkit.viz.model_plot`), imported on first use: ``import
    rnnkit`` (and so the CLI's start) does not load matplotlib."""
    if name == "plot_model":
        from .viz.model_plot import plot_model
        return plot_model
    raise AttributeError(f"module 'rnnkit' has no attribute {name!r}")
