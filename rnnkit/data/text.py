"""Plain text for the character language model: a default text that ships with Python, and a reader.

The default text is *The Zen of Python* by Tim Peters. ``import this`` prints it; the module keeps
it ROT13-encoded in the string ``this.s``. :func:`default_text` reads that string from the module's
source with :mod:`ast` (no import, no print, no code run) and decodes it with
``codecs.decode(s, "rot13")``.
"""
import ast
import codecs
import contextlib
import importlib.util
import io
from pathlib import Path

from ..errors import DataError


def hello():
    """The lecture's character-level example word: ``"hello"``."""
    return "hello"


def default_text():
    """*The Zen of Python*, 19 aphorisms, about 850 characters.

    Returns
    -------
    str
        The text, starting ``"The Zen of Python, by Tim Peters"``.
    """
    encoded = _encoded_zen_from_source()
    if encoded is None:
        # No readable source (e.g. a frozen or embedded Python): import `this`, silencing its print.
        with contextlib.redirect_stdout(io.StringIO()):
            import this
        encoded = this.s
    return codecs.decode(encoded, "rot13")


def _encoded_zen_from_source():
    spec = importlib.util.find_spec("this")
    origin = getattr(spec, "origin", None)
    if not origin or not origin.endswith(".py"):
        return None
    try:
        tree = ast.parse(Path(origin).read_text(encoding="utf-8"))
    except (OSError, SyntaxError, ValueError):
        return None
    for node in tree.body:
        if (isinstance(node, ast.Assign)
                and any(getattr(t, "id", None) == "s" for t in node.targets)
                and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)):
            return node.value.value
    return None


def read_text(path, expected="a UTF-8 text file"):
    """Read a whole UTF-8 text file (a leading byte-order mark is dropped).

    Parameters
    ----------
    path : str or os.PathLike
    expected : str
        What the file should be, for error messages (e.g. ``"a token<TAB>tag or CoNLL-U file"``).

    Returns
    -------
    str

    Raises
    ------
    DataError
        If the file is missing, a folder, unreadable, not UTF-8 (naming the line), or empty.
    """
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise DataError(f"{path}: no such file. Check the path; expected {expected}.") from None
    except IsADirectoryError:
        raise DataError(f"{path} is a folder, not a file. Pass the path of {expected}.") from None
    except OSError as exc:
        raise DataError(f"{path}: cannot read the file ({exc.strerror or exc}).") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        lineno = data.count(b"\n", 0, exc.start) + 1
        raise DataError(
            f"{path}, line {lineno}: not UTF-8 text (byte {data[exc.start]:#04x} at offset "
            f"{exc.start}). Save the file as UTF-8.") from None
    if not text.strip():
        raise DataError(f"{path} is empty. Expected {expected}.")
    return text
