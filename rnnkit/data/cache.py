"""The user's rnnkit cache folder, and atomic file writes into it.

Downloaded data sets live in one folder per user, chosen in this order:

1. ``$RNNKIT_CACHE`` if it is set (e.g. a temporary folder in tests, a shared disk in a lab);
2. ``$XDG_CACHE_HOME/rnnkit`` if ``XDG_CACHE_HOME`` is set;
3. ``~/.cache/rnnkit``.

Every write is atomic: the data go to a temporary file in the destination folder, which is then
renamed over the destination with :func:`os.replace`. A reader therefore sees either no file or
the complete file, never half of one, even if the writer is interrupted.
"""
import contextlib
import os
import tempfile
from pathlib import Path

from .errors import DataError


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


@contextlib.contextmanager
def atomic_open(path, mode="wb", encoding=None):
    """Open a temporary file next to ``path``; on success rename it to ``path``.

    Parameters
    ----------
    path : str or os.PathLike
        Destination. Its folder is created if needed.
    mode : {"wb", "w"}
        Binary or text mode.
    encoding : str, optional
        Text encoding for ``mode="w"`` (default UTF-8).

    Yields
    ------
    file object
        Write to it inside the ``with`` block. If the block raises, the temporary file is removed
        and ``path`` is left as it was.

    Examples
    --------
    >>> with atomic_open(tmp / "x.txt", "w") as f:     # doctest: +SKIP
    ...     f.write("all or nothing")
    """
    if mode not in ("wb", "w"):
        raise DataError(f"atomic_open: mode must be 'wb' or 'w', got {mode!r}.")
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise DataError(
            f"cannot write in {path.parent} ({exc.strerror or exc}). Check the folder's "
            f"permissions or set RNNKIT_CACHE to a writable folder.") from None
    try:
        text = mode == "w"
        with open(fd, mode, encoding=(encoding or "utf-8") if text else None,
                  newline="" if text else None) as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o666 & ~_umask())     # mkstemp makes 0600; give the usual permissions
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def atomic_write_bytes(path, data):
    """Write ``data`` (bytes) to ``path`` atomically; return ``path`` as a Path."""
    with atomic_open(path, "wb") as f:
        f.write(data)
    return Path(path)


def atomic_write_text(path, text, encoding="utf-8"):
    """Write ``text`` to ``path`` atomically (no newline translation); return ``path``."""
    with atomic_open(path, "w", encoding=encoding) as f:
        f.write(text)
    return Path(path)


def _umask():
    mask = os.umask(0)
    os.umask(mask)
    return mask
