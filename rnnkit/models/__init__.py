"""Models: the Model base, Sequential, EncoderDecoder, saving and loading."""
from .base import History, Model
from .encoder_decoder import EncoderDecoder
from .saving import load_model
from .sequential import Sequential

__all__ = ["Model", "Sequential", "EncoderDecoder", "History", "load_model"]
