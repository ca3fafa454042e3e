"""Models: Sequential, saving and loading."""
from .encoder_decoder import EncoderDecoder
from .saving import load_model
from .sequential import History, Sequential

__all__ = ["Sequential", "EncoderDecoder", "History", "load_model"]
