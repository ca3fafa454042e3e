"""Atomic file writes: every file rnnkit writes (models, run folders, figures, caches) goes through
here. The data go to a temporary file in the destination folder, which is then renamed over the
destination with :func:`os.replace`: a reader sees either the old file or the complete new one,
never half of one, even if the writer is interrupted.
"""
import contextlib
import os
import tempfile
from pathlib import Path

from .errors import FileWriteError


@contextlib.contextmanager
def atomic_open(path, mode="wb", encoding=None):
    """Open a temporary file next to ``path``; when the ``with`` block succeeds, rename it to
    ``path`` (with the usual permissions, 0666 less the umask). If the block raises, the temporary
    file is removed and ``path`` is left as it was. ``mode`` is "wb" or "w" (UTF-8 by default).

    >>> with atomic_open(tmp / "x.txt", "w") as f:     # doctest: +SKIP
    ...     f.write("all or nothing")
    """
    if mode not in ("wb", "w"):
        raise ValueError(f"atomic_open: mode must be 'wb' or 'w', got {mode!r}")
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise FileWriteError(f"cannot write {path} ({exc.strerror or exc}); check the folder's "
                             f"permissions or choose another place") from None
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


def atomic_write(path, write):
    """Call ``write(binary_file)`` on a temporary file beside ``path``, then rename it to ``path``."""
    with atomic_open(path, "wb") as f:
        write(f)
    return Path(path)


def atomic_write_bytes(path, data):
    """Write ``data`` (bytes) to ``path`` atomically; return ``path`` as a Path."""
    return atomic_write(path, lambda f: f.write(data))


def atomic_write_text(path, text, encoding="utf-8"):
    """Write ``text`` to ``path`` atomically (no newline translation); return ``path``."""
    with atomic_open(path, "w", encoding=encoding) as f:
        f.write(text)
    return Path(path)


def _umask():
    mask = os.umask(0)
    os.umask(mask)
    return mask
