"""The Numba kernels: pure functions on arrays, forward and backward per cell (see each module).

Their on-disk cache. Numba keys a cached kernel on its own source file only, but compiles the
kernels it calls into it: after an edit of ``activations.py`` alone (a ``git pull`` in an editable
clone, say), every cell's cached machine code would still hold the old activations, silently. So on
import this package compares a digest of all its sources with the one stored beside the cache and,
when they differ, empties the cache of these kernels: they compile afresh, once.
"""
import hashlib
from pathlib import Path

from ..errors import FileWriteError
from ..fileio import atomic_write_text

_HERE = Path(__file__).resolve().parent
STAMP = "rnnkit-kernels.sha256"


def sources_digest(sources):
    """SHA-256 over the names and contents of the files ``sources``, in name order."""
    digest = hashlib.sha256()
    for path in sorted(sources, key=lambda p: p.name):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def drop_stale_cache(sources, cache):
    """Delete Numba's cache files (``*.nbi``, ``*.nbc``) in the folder ``cache`` unless they were
    made from ``sources`` as they are now (the digest in ``cache/STAMP``); then record the digest.
    Returns True when it dropped a cache. A folder it cannot write (a read-only install) is left
    alone: reinstalling rewrites every source file, which Numba notices by itself."""
    digest = sources_digest(sources)
    stamp = cache / STAMP
    try:
        if stamp.read_text() == digest:
            return False
    except OSError:
        pass                                   # no stamp yet: a cache of unknown origin
    try:
        for old in list(cache.glob("*.nbi")) + list(cache.glob("*.nbc")):
            old.unlink(missing_ok=True)
        atomic_write_text(stamp, digest)
    except (OSError, FileWriteError):
        return False
    return True


def _cache_folder():
    """Where Numba caches the kernels of this folder: under NUMBA_CACHE_DIR if it is set (in the
    subfolder Numba names after this folder), else in ``__pycache__`` here."""
    from numba.core import config
    if config.CACHE_DIR:
        from numba.core.caching import UserProvidedCacheLocator
        sub = UserProvidedCacheLocator.get_suitable_cache_subpath(str(_HERE / "__init__.py"))
        return Path(config.CACHE_DIR) / sub
    return _HERE / "__pycache__"


drop_stale_cache(list(_HERE.glob("*.py")), _cache_folder())
