"""Models: Sequential, saving and loading."""
from .saving import load_model
from .sequential import History, Sequential

__all__ = ["Sequential", "History", "load_model"]
