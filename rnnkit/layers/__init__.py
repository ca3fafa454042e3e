"""Layers: SimpleRNN, LSTM, GRU, Bidirectional, Dense, Embedding, TimeDistributed."""
from .base import Layer
from .bidirectional import Bidirectional
from .dense import Dense
from .embedding import Embedding
from .gru import GRU
from .lstm import LSTM
from .simple_rnn import SimpleRNN
from .stub_encoder import StubImageEncoder
from .time_distributed import TimeDistributed

LAYER_CLASSES = {cls.__name__: cls for cls in
                 (SimpleRNN, LSTM, GRU, Dense, Embedding, Bidirectional, TimeDistributed,
                  StubImageEncoder)}


def layer_from_config(entry):
    """Rebuild a layer from ``{"class": name, "config": layer.get_config()}``."""
    cls = LAYER_CLASSES.get(entry["class"])
    if cls is None:
        raise ValueError(f"unknown layer class {entry['class']!r}")
    if hasattr(cls, "from_config"):
        return cls.from_config(entry["config"])
    return cls(**entry["config"])


__all__ = ["Layer", "SimpleRNN", "LSTM", "GRU", "Dense", "Embedding", "Bidirectional", "TimeDistributed",
           "layer_from_config"]
