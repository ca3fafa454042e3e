"""Every exception rnnkit raises on purpose, in one place.

Each message says what was wrong and what to do. :class:`RnnkitError` is the base of the errors a
user can cause (a bad shape, config, file, plugin or data set): the command line prints those as
plain messages; anything else that escapes is a bug in rnnkit and is shown as one. The classes
also derive from the built-in type a Python user would catch (``ValueError``, ``OSError``, ...).
"""


class RnnkitError(Exception):
    """Base of every error a user can cause and fix; the message stands on its own.

    The message is in the Python API's words (it names the argument to change, ``out_dir=``);
    ``cli``, when given, is the same message in the command line's words (``--out``), which
    ``rnnkit`` prints instead.
    """

    def __init__(self, *args, cli=None):
        super().__init__(*args)
        self.cli = cli


class ShapeError(RnnkitError, ValueError):
    """An input's shape does not fit the layer (the message names the layer and both shapes)."""


class NotBuiltError(RnnkitError, ValueError):
    """A layer or model was asked for weights before it knows its input shape."""


class NonFiniteLossError(RnnkitError, FloatingPointError):
    """Training produced a NaN or infinite loss."""


class ModelFileError(RnnkitError, ValueError):
    """A saved model file is missing, corrupt, or not an rnnkit model."""


class FileWriteError(RnnkitError, OSError):
    """A file could not be written where it was asked (the message names the place)."""


class ConfigError(RnnkitError, ValueError):
    """A hyperparameter or config file is invalid (the message names the key and the valid ones)."""


class RunError(RnnkitError, ValueError):
    """A run folder is missing, incomplete, corrupt, or in use by another run."""


class SweepError(RnnkitError, ValueError):
    """A sweep cannot run: its folder holds another sweep, Dask is missing, or the scheduler
    cannot be reached (the message says what to do)."""


class InputError(RnnkitError, ValueError):
    """An input given to a trained model (``rnnkit predict``: a sentence, numbers, a prompt)
    cannot be used; the message says what the architecture reads."""


class PluginError(RnnkitError):
    """A plugin could not be found, imported, or does not follow the protocol."""


class DataError(RnnkitError):
    """A data set is missing, malformed or cannot be fetched, or a data argument is invalid.

    The message names the file and line for a malformed data file, and what to do about it.
    """


class CheckFailed(RnnkitError):
    """Raised inside a conformance check with the plain-words reason it failed."""


class ConformanceError(AssertionError):
    """An architecture failed one or more conformance checks; the message is the report."""


class TrainingInterrupted(KeyboardInterrupt):
    """Ctrl-C during training; a checkpoint was saved. ``run`` is the run so far (its folder,
    the epochs done), so an interrupted ``train(...)`` in a notebook loses nothing."""

    def __init__(self, run, message, cli=None):
        super().__init__(message)
        self.run = run
        self.message = message
        self.cli = cli              # the message in the command line's words (RnnkitError)

    def __str__(self):
        return self.message


class SweepInterrupted(KeyboardInterrupt):
    """Ctrl-C during a sweep; its results so far are written. ``path`` is the sweep folder:
    running the same sweep there again resumes it."""

    def __init__(self, path, message):
        super().__init__(message)
        self.path = path
        self.message = message

    def __str__(self):
        return self.message
