"""The user's rnnkit cache folder, and atomic file writes into it.

Downloaded data sets live in one folder per user, chosen in this order:

1. ``$RNNKIT_CACHE`` if it is set (e.g. a temporary folder in tests, a shared disk in a lab);
2. ``$XDG_CACHE_HOME/rnnkit`` if ``XDG_CACHE_HOME`` is set;
3. ``~/.cache/rnnkit``.

Every write is atomic (see :mod:`rnnkit.fileio`, re-exported here).
"""
import os
from pathlib import Path

from ..fileio import atomic_open, atomic_write_bytes, atomic_write_text  # noqa: F401
from ..errors import DataError


def cache_dir(create=True):
    """The rnnkit cache folder (see the module docstring for how it is chosen).

    Parameters
    ----------
    create : bool, default True
        Create the folder (and its parents) if it does not exist.

    Returns
    -------
    pathlib.Path

    Raises
    ------
    DataError
        If ``create`` is true and the folder cannot be created.
    """
    if os.environ.get("RNNKIT_CACHE"):
        path = Path(os.environ["RNNKIT_CACHE"]).expanduser()
    elif os.environ.get("XDG_CACHE_HOME"):
        path = Path(os.environ["XDG_CACHE_HOME"]).expanduser() / "rnnkit"
    else:
        path = Path.home() / ".cache" / "rnnkit"
    if create:
        try:
            path.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise DataError(
                f"cannot create the rnnkit cache folder {path} ({exc.strerror or exc}). Set "
                f"RNNKIT_CACHE to a folder you can write to.") from None
    return path
