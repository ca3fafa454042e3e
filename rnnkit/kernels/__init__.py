"""The Numba kernels: pure functions on arrays, forward and backward per cell (see each module).

Their on-disk cache. Numba keys a cached kernel on its own source file only, but compiles the
kernels it calls into it: after an edit of ``activations.py`` alone (a ``git pull`` in an editable
clone, say), every cell's cached machine code would still hold the old activations, silently. So
this package keeps a digest of all its sources in a stamp file beside the cache and, when the
sources no longer match it, empties the cache of these kernels: they compile afresh, once.

An empty cache (a first run, or just emptied) means the next training command compiles the kernels
it uses: :func:`cache_is_empty` tells the CLI, which says so once (the user then knows why the
first run is slow).

When: once per process (:func:`check_cache_once`), on the first import of this package, which comes
before any kernel runs (Numba reads its cache on a kernel's first call, never at import).

Two processes starting together (two training runs, a test suite's workers) must not undo each
other's work: one could find the stamp stale, the other write the new stamp and compile new cache
files, and the first then delete those. So the slow path (the stamp does not match) runs under an
exclusive lock on ``rnnkit-kernels.lock`` in the cache folder and reads the stamp again inside it:
whichever process comes second finds the first one's stamp and keeps its files, because a process
compiles only after its check, i.e. after the new stamp is written. The stamp is written atomically
(a temporary file, then ``os.replace``), so the lock-free fast path never reads half a stamp. The
operating system releases the lock when its holder exits, so a crash never leaves the cache locked.
"""
import hashlib
import importlib.machinery
import importlib.util
import sys
from contextlib import contextmanager
from pathlib import Path

from ..errors import FileWriteError
from ..fileio import atomic_write_text

try:
    import fcntl
except ImportError:                            # Windows
    fcntl = None
    import msvcrt

_HERE = Path(__file__).resolve().parent
STAMP = "rnnkit-kernels.sha256"
LOCK = "rnnkit-kernels.lock"

_checked = False                               # check_cache_once ran in this process


def sources_digest(sources):
    """SHA-256 over the names and contents of the files ``sources``, in name order."""
    digest = hashlib.sha256()
    for path in sorted(sources, key=lambda p: p.name):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def _read_stamp(stamp):
    try:
        return stamp.read_text()
    except OSError:
        return None                            # no stamp yet: a cache of unknown origin


@contextmanager
def exclusive_lock(path):
    """Hold an exclusive lock on the file ``path`` (created if missing) while the block runs;
    another process (or another open of the file) waits for it."""
    with open(path, "a+b") as f:
        if fcntl is not None:
            fcntl.flock(f.fileno(), fcntl.LOCK_EX)     # released when the file is closed
        else:
            msvcrt.locking(f.fileno(), msvcrt.LK_LOCK, 1)
        yield


def drop_stale_cache(sources, cache):
    """Delete Numba's cache files (``*.nbi``, ``*.nbc``) in the folder ``cache`` unless they were
    made from ``sources`` as they are now (the digest in ``cache/STAMP``); then record the digest.
    Returns True when it dropped a cache. Safe when several processes call it at once (module
    docstring). A folder it cannot write (a read-only install) is left alone: reinstalling rewrites
    every source file, which Numba notices by itself."""
    digest = sources_digest(sources)
    stamp = cache / STAMP
    if _read_stamp(stamp) == digest:
        return False                           # the usual case: no lock needed
    try:
        cache.mkdir(parents=True, exist_ok=True)    # an empty NUMBA_CACHE_DIR has no subfolder yet
        with exclusive_lock(cache / LOCK):
            if _read_stamp(stamp) == digest:
                return False                   # another process dropped it while we waited
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


#: what compiling the kernels of a first training command costs, measured on a 2-core laptop-class
#: machine (``benchmarks/bench_startup.py --arch all``: compile CPU seconds, per built-in, 10.1-14.0
#: on a quiet machine). A first run whose data load takes long compiles in a second process
#: meanwhile (:mod:`rnnkit.runs.precompile`), so it waits less: pos-tagging about 7 s instead of 12
COMPILE_SECONDS = "10-15 s"


def cache_is_empty():
    """Whether none of this package's kernels is in Numba's on-disk cache (no index file): the next
    command that trains compiles every kernel it uses. A glob of one folder: well under a ms."""
    return not any(_cache_folder().glob("*.nbi"))


def check_cache_once():
    """Drop this package's kernel cache if its sources changed (:func:`drop_stale_cache`), the first
    time it is called in a process; later calls do nothing."""
    global _checked
    if not _checked:
        _checked = True
        drop_stale_cache(list(_HERE.glob("*.py")), _cache_folder())


check_cache_once()


#: the module through which Numba's ``np.dot`` reaches OpenBLAS (imported on the first product)
BLAS_MODULE = "scipy.linalg.cython_blas"


def load_blas_module():
    """Load :data:`BLAS_MODULE` alone, without running ``scipy.linalg``'s ``__init__`` first.

    Numba's compiled ``np.dot`` finds its BLAS functions by importing ``scipy.linalg.cython_blas``
    on the first product, and a plain import of a submodule runs its package's ``__init__``
    first: all of ``scipy.linalg`` (and ``scipy._lib``'s array-API layer), 0.2-0.3 s of a warm
    start that is about 1.5 s in all, for a module that only holds function pointers. Loaded
    from its file and registered under its full name (5 ms), it is what every later ``import
    scipy.linalg.cython_blas`` returns (Python looks the full name up in ``sys.modules`` before
    it imports any parent); ``import scipy.linalg`` still imports the package as usual. If the
    file is not where SciPy keeps it, nothing is done: the usual import happens on first use.
    """
    if BLAS_MODULE in sys.modules:
        return
    try:
        import scipy
        folder = Path(scipy.__file__).parent / "linalg"
        names = [f"cython_blas{suffix}" for suffix in importlib.machinery.EXTENSION_SUFFIXES]
        path = next((folder / n for n in names if (folder / n).exists()), None)
        if path is None:
            return
        spec = importlib.util.spec_from_file_location(BLAS_MODULE, path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    except (ImportError, OSError):
        return                                 # the usual import, on first use, says what is wrong
    sys.modules[BLAS_MODULE] = module


load_blas_module()
