"""Recurrent cells: one time step, forward and backward, for :class:`rnnkit.layers.RNN`.

The built-in layers' steps as cells: :class:`SimpleRNNCell`, :class:`LSTMCell`, :class:`GRUCell`
(``RNN(LSTMCell(u))`` computes what ``LSTM(u)`` does, on the per-step path).

:class:`Cell` declares the contract (:mod:`rnnkit.layers.cells.base`); a cell is saved as data, its
import path ``"module:Class"`` and its ``get_config()`` (:func:`cell_path`, :func:`cell_from_config`).
"""
import importlib

from .base import Cell, KerasLayoutCell
from .gru import GRUCell
from .lstm import LSTMCell
from .simple_rnn import SimpleRNNCell


def cell_path(cell):
    """``"module:Class"``, how a saved model names ``cell``'s class; a ValueError if nothing could
    import it again (a class defined inside a function)."""
    cls = type(cell)
    if "<locals>" in cls.__qualname__:
        raise ValueError(f"cell class {cls.__qualname__} is defined inside a function, so a saved "
                         f"model could not import it again: define it at the top level of a module")
    return f"{cls.__module__}:{cls.__qualname__}"


def import_cell_class(path):
    """The class (or object) that ``"module:Name"`` names; a ValueError saying what to do if the
    module or the name cannot be found."""
    module_name, sep, name = str(path).partition(":")
    if not sep or not module_name or not name:
        raise ValueError(f"{path!r} is not a cell's import path: write it as module:Class, "
                         f"e.g. mycells:ElmanCell")
    try:
        obj = importlib.import_module(module_name)
    except ImportError as err:
        raise ValueError(f"cannot import module {module_name!r} for cell {path!r} ({err}); run "
                         f"from the folder that holds it or install it, so `import "
                         f"{module_name}` works") from None
    for part in name.split("."):
        try:
            obj = getattr(obj, part)
        except AttributeError:
            raise ValueError(f"module {module_name!r} has no {name!r} (cell {path!r}); check the "
                             f"spelling of the class name") from None
    return obj


def cell_from_config(entry):
    """The cell ``{"class": "module:Class", "config": cell.get_config()}`` describes."""
    cls = import_cell_class(entry["class"])
    if not (isinstance(cls, type) and issubclass(cls, Cell)):
        raise ValueError(f"{entry['class']!r} is not a subclass of rnnkit.layers.cells.Cell")
    return cls.from_config(entry["config"])


__all__ = ["Cell", "KerasLayoutCell", "SimpleRNNCell", "LSTMCell", "GRUCell", "cell_path", "import_cell_class", "cell_from_config"]
