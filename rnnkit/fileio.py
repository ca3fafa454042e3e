"""Atomic file writes: every file rnnkit writes (models, run folders, figures, caches) goes through
here. The data go to a temporary file in the destination folder, which is then renamed over the
destination with :func:`os.replace`: a reader sees either the old file or the complete new one,
never half of one, even if the writer is interrupted.

Files that hold arrays (saved models, run checkpoints) share one format, written by
:func:`write_npz` and read by :func:`read_npz`: a NumPy ``.npz`` archive of named arrays plus a
JSON header stored as UTF-8 bytes. It is data, never code: no pickle on either side.
"""
import contextlib
import json
import math
import os
import tempfile
import zipfile
from pathlib import Path

import numpy as np

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


def jsonable(x):
    """Plain JSON types (NumPy scalars and arrays become numbers and lists; a NaN or infinite
    number, which JSON cannot hold, becomes null)."""
    if isinstance(x, dict):
        return {str(k): jsonable(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [jsonable(v) for v in x]
    if isinstance(x, np.ndarray):
        return jsonable(x.tolist())
    if isinstance(x, np.generic):
        x = x.item()
    if isinstance(x, float) and not math.isfinite(x):
        return None
    return x


def atomic_write_json(path, data):
    """Write ``data`` (made :func:`jsonable`) to ``path`` as indented JSON, atomically."""
    return atomic_write_text(path, json.dumps(jsonable(data), indent=2, allow_nan=False) + "\n")


def write_npz(path, header, arrays, header_key):
    """Write ``arrays`` (name -> array) and the JSON ``header`` (stored under ``header_key``)
    to the .npz archive ``path``, atomically. An array of Python objects (which only pickle could
    store) is refused with a TypeError."""
    entries = {header_key: np.frombuffer(json.dumps(jsonable(header)).encode("utf-8"), np.uint8)}
    for name, array in arrays.items():
        entries[name] = np.asarray(array)
        if entries[name].dtype.hasobject:
            raise TypeError(f"write_npz: {name} holds Python objects; only numeric arrays are "
                            f"saved (files are data, never code)")
    return atomic_write(path, lambda f: np.savez(f, **entries))


def numbered_arrays(prefix, arrays):
    """``{"w000": a0, "w001": a1, ...}`` for prefix "w": names that sort in the list's order."""
    return {f"{prefix}{k:03d}": a for k, a in enumerate(arrays)}


def numbered_list(prefix, named):
    """The list :func:`numbered_arrays` named with ``prefix``, back in its order."""
    return [named[name] for name in sorted(named) if name.startswith(prefix)]


def read_npz(path, header_key, file_format, version):
    """``(header dict, {name: array})`` from a file :func:`write_npz` wrote, whose header says
    ``"format": file_format`` and a ``"version"`` no newer than ``version``.

    Raises FileNotFoundError when ``path`` is no file and ValueError, with the reason, when it is
    not such a file (truncated, another format, written by a newer rnnkit); callers add what to do.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no file at {str(path)!r}")
    if not zipfile.is_zipfile(path):
        raise ValueError("not an .npz archive")
    try:
        with np.load(path, allow_pickle=False) as data:
            if header_key not in data.files:
                raise ValueError(f"an .npz archive without a {header_key} entry")
            header = json.loads(bytes(data[header_key]).decode("utf-8"))
            arrays = {name: data[name] for name in data.files if name != header_key}
    except (zipfile.BadZipFile, OSError, EOFError, KeyError, UnicodeDecodeError) as err:
        raise ValueError(str(err)) from None
    if not isinstance(header, dict):
        raise ValueError(f"its {header_key} entry is not a JSON object")
    if header.get("format") != file_format:
        raise ValueError(f"not an {file_format.replace('-', ' ')} file (format "
                         f"{header.get('format')!r})")
    if header.get("version", 0) > version:
        raise ValueError(f"written by a newer rnnkit (format version {header['version']})")
    return header, arrays


def _umask():
    mask = os.umask(0)
    os.umask(mask)
    return mask
