"""Indonesian news text for the character language model: the sentences of the POS corpus.

The nlp-id POS corpus (:mod:`rnnkit.data.postag`: MIT, fetched once from the package registry,
checked by SHA-256, cached) is 32,782 tokenised sentences of Indonesian news. Its words, joined back
into sentences, make a real text for char-lm: :func:`news_text` takes the first
:data:`SENTENCES` sentences, one per line, with the tokeniser's spaces around punctuation taken
out again (:func:`join_words`). The result is :data:`TEXT_CHARACTERS` characters (306,358 bytes of
UTF-8) with SHA-256 :data:`TEXT_SHA256`; the corpus itself is checked when it is fetched, and
these two numbers are pinned by the tests.
"""
import hashlib

from ..errors import DataError
from .postag import load_postag

#: How many sentences of the corpus, from its start, make the text.
SENTENCES = 3000
#: Length (characters) and SHA-256 (of its UTF-8 bytes) of :func:`news_text`.
TEXT_CHARACTERS = 306345
TEXT_SHA256 = "dd438c70c02f9d92f522a0ce490730b6f281da5a3b0c353940327763c192b1bb"

# what the tokeniser split off: no space before the first kind (the suffix -nya included), none
# after the second
_NO_SPACE_BEFORE = frozenset([".", ",", ":", ";", "!", "?", ")", "]", "%", "nya"])
_NO_SPACE_AFTER = frozenset(["(", "["])


def news_text(progress=None):
    """The first :data:`SENTENCES` sentences of the POS corpus as plain text, one per line.

    Parameters
    ----------
    progress : callable, optional
        Passed to :func:`rnnkit.data.fetch_postag` (messages while downloading, first use only).

    Returns
    -------
    str
        The text, starting ``"Ditjen Bea dan Cukai Kementerian Keuangan (Kemenkeu) memastikan"``.

    Raises
    ------
    DataError
        If the corpus is not cached and cannot be fetched; the message says what to do.
    """
    try:
        sentences = load_postag(progress=progress).sentences[:SENTENCES]
    except DataError as exc:
        raise DataError(
            f"char-lm's default text is the Indonesian sentences of the nlp-id POS corpus, which "
            f"is not cached and could not be fetched. Run `rnnkit data fetch char-lm` once with "
            f"the network, or choose `--set text=zen` (the Zen of Python, no download), or pass "
            f"--data PATH with any UTF-8 text file. (Fetching the POS corpus said: {exc})"
        ) from None
    return "".join(join_words(words) + "\n" for words in sentences)


def join_words(words):
    """A tokenised sentence as it was written: no space before ``.`` ``,`` ``)`` and the like or
    the suffix ``nya``, none after ``(``, and a straight double quote alternately opening and
    closing.

    >>> join_words(["Keuangan", "(", "Kemenkeu", ")", "memastikan", '"', "ada", "nya", '"', "."])
    'Keuangan (Kemenkeu) memastikan "adanya".'
    """
    text, glue, quote_open = "", True, False
    for word in words:
        if word == '"':
            quote_open = not quote_open
            attach_left, attach_right = not quote_open, quote_open
        else:
            attach_left, attach_right = word in _NO_SPACE_BEFORE, word in _NO_SPACE_AFTER
        text += word if glue or attach_left else " " + word
        glue = attach_right
    return text


def text_sha256(text):
    """SHA-256 of ``text``'s UTF-8 bytes, as hex."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
