"""Layers: SimpleRNN, LSTM, GRU, RNN (any cell), Bidirectional, Dense, Embedding, TimeDistributed.

Every layer follows the contract declared on :class:`Layer` (:mod:`rnnkit.layers.base`); a custom
layer subclasses it and, to be saved and loaded with a model, is registered with
:func:`register_layer`.
"""
from .base import LastPass, Layer
from .bidirectional import Bidirectional
from .dense import Dense
from .embedding import Embedding
from .gru import GRU
from .input_spec import Input
from .lstm import LSTM
from .rnn import RNN
from .simple_rnn import SimpleRNN
from .stub_encoder import StubImageEncoder
from .registry import LAYER_CLASSES, layer_from_config, register_layer
from .time_distributed import TimeDistributed

for _builtin in (SimpleRNN, LSTM, GRU, RNN, Dense, Embedding, Bidirectional, TimeDistributed,
                 StubImageEncoder):
    register_layer(_builtin)
del _builtin


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


__all__ = ["Layer", "LastPass", "Input", "SimpleRNN", "LSTM", "GRU", "RNN", "Dense", "Embedding", "Bidirectional",
           "TimeDistributed", "CELLS", "recurrent_layer", "register_layer", "layer_from_config"]
