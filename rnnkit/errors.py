"""Exceptions rnnkit raises for user mistakes; each message says what was wrong and what to do."""


class ShapeError(ValueError):
    """An input's shape does not fit the layer (the message names the layer and both shapes)."""


class NonFiniteLossError(FloatingPointError):
    """Training produced a NaN or infinite loss."""


class ModelFileError(ValueError):
    """A saved model file is missing, corrupt, or not an rnnkit model."""


class FileWriteError(OSError):
    """A file could not be written where it was asked (the message names the place)."""
