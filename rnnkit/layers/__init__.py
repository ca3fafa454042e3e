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


#: the ``cell`` names architectures and the CLI use (``--cell``), and the layer each one builds
CELLS = {"rnn": SimpleRNN, "lstm": LSTM, "gru": GRU}


def recurrent_layer(cell, units, **kwargs):
    """The recurrent layer for ``cell`` ("rnn", "lstm" or "gru") with ``units`` units.

    ``kwargs`` go to the layer (``return_sequences``, ``return_state``, ...). An unknown cell
    raises a ValueError naming the known ones.

    >>> recurrent_layer("lstm", 16, return_sequences=True)
    LSTM(name='lstm')
    """
    cls = CELLS.get(cell)
    if cls is None:
        raise ValueError(f"unknown cell {cell!r}; choose one of {', '.join(CELLS)}")
    return cls(units, **kwargs)


def layer_from_config(entry):
    """Rebuild a layer from ``{"class": name, "config": layer.get_config()}``."""
    cls = LAYER_CLASSES.get(entry["class"])
    if cls is None:
        raise ValueError(f"unknown layer class {entry['class']!r}")
    if hasattr(cls, "from_config"):
        return cls.from_config(entry["config"])
    return cls(**entry["config"])


__all__ = ["Layer", "SimpleRNN", "LSTM", "GRU", "Dense", "Embedding", "Bidirectional", "TimeDistributed",
           "CELLS", "recurrent_layer", "layer_from_config"]
