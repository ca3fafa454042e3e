"""Short phrases in several languages, from the emoji names in the ``emoji`` package (BSD).

The ``emoji`` package (a declared dependency of rnnkit) names every emoji in many languages:
``:red_apple:`` in English is ``:apel_merah:`` in Indonesian. Turned into plain words these make
two small, clean data sets that need no download:

* :func:`language_phrases` -- (phrase, language) pairs for a language-identification classifier
  (many-to-one);
* :func:`translation_pairs` -- (source phrase, target phrase) pairs aligned by emoji, for an
  encoder-decoder translator.

A name becomes a phrase by removing the colons, turning underscores into spaces and lowercasing:
``:AB_button_(blood_type):`` -> ``"ab button (blood type)"``. Skin-tone variants (an emoji that
contains a modifier U+1F3FB..U+1F3FF, such as "waving hand: medium skin tone") are dropped, as are
the minimally-qualified and unqualified spellings of an emoji, which repeat the fully-qualified
one's name.

Where the names live depends on the emoji version; both layouts are supported:

* emoji >= 2.11: English in ``emoji.EMOJI_DATA`` (from ``emoji/unicode_codes/emoji.json``), every
  other language in ``emoji/unicode_codes/emoji_XX.json`` (emoji -> name), read here directly;
* earlier 2.x: every language as a key of the ``emoji.EMOJI_DATA`` entries.
"""
import json
from importlib import resources

from ..errors import DataError

DEFAULT_LANGUAGES = ("en", "de", "es", "fr", "id", "it", "pt", "tr")

_SKIN_TONES = frozenset(chr(c) for c in range(0x1F3FB, 0x1F400))
_FULLY_QUALIFIED = 2      # emoji.STATUS["fully_qualified"]; "component" is 1


def language_phrases(languages=DEFAULT_LANGUAGES):
    """All emoji-name phrases in the given languages, labelled by language.

    Parameters
    ----------
    languages : sequence of str, default ("en", "de", "es", "fr", "id", "it", "pt", "tr")
        Language codes the installed emoji package knows.

    Returns
    -------
    list of (str, str)
        ``(phrase, language)``, grouped by language in the order given, phrases sorted within a
        language, each (phrase, language) once. The order does not depend on dict order in the
        emoji package, so a seeded split is reproducible.

    Raises
    ------
    DataError
        If the emoji package cannot be imported or has no names for a requested language.

    Examples
    --------
    >>> pairs = language_phrases(["id"])
    >>> ("apel merah", "id") in pairs
    True
    """
    languages = _language_list(languages)
    table = _names_by_language(languages)
    out = []
    for lang in languages:
        phrases = {to_phrase(name) for name in table[lang].values()}
        out += [(p, lang) for p in sorted(phrases) if p]
    return out


def translation_pairs(src="en", tgt="id"):
    """Phrase pairs that name the same emoji in two languages.

    Parameters
    ----------
    src, tgt : str
        Source and target language codes.

    Returns
    -------
    list of (str, str)
        ``(src_phrase, tgt_phrase)`` for every emoji (skin-tone variants dropped) named in both
        languages, each pair once, sorted.

    Raises
    ------
    DataError
        As :func:`language_phrases`, or if ``src == tgt``.

    Examples
    --------
    >>> ("red apple", "apel merah") in translation_pairs("en", "id")
    True
    """
    if src == tgt:
        raise DataError(f"translation_pairs: source and target are both {src!r}; choose two "
                        f"different languages.")
    table = _names_by_language(_language_list([src, tgt]))
    pairs = set()
    for emj, src_name in table[src].items():
        tgt_name = table[tgt].get(emj)
        if tgt_name:
            a, b = to_phrase(src_name), to_phrase(tgt_name)
            if a and b:
                pairs.add((a, b))
    return sorted(pairs)


def to_phrase(name):
    """``":AB_button_(blood_type):"`` -> ``"ab button (blood type)"``: the plain-words form."""
    return " ".join(name.strip().strip(":").replace("_", " ").lower().split())


def available_languages():
    """Language codes of the installed emoji package (e.g. ``["en", "es", ...]``)."""
    emoji = _import_emoji()
    langs = getattr(emoji, "LANGUAGES", None)
    if langs is None:
        langs = getattr(getattr(emoji, "unicode_codes", None), "LANGUAGES", None)
    if langs is None:       # very old layout: collect the keys that look like language codes
        keys = set()
        for data in emoji.EMOJI_DATA.values():
            keys.update(k for k in data if isinstance(k, str) and len(k) == 2 and k.isalpha())
        langs = sorted(keys)
    return list(langs)


# -- reading the emoji package ------------------------------------------------------------------

def _names_by_language(languages):
    """``{lang: {emoji: raw name}}`` for the kept emoji (no skin tones, fully qualified)."""
    emoji = _import_emoji()
    data = getattr(emoji, "EMOJI_DATA", None)
    if not isinstance(data, dict):
        raise DataError(
            f"the installed emoji package ({getattr(emoji, '__version__', '?')}) has no "
            f"EMOJI_DATA table; rnnkit needs emoji>=2.10. Run `pip install -U emoji`.")
    kept = [e for e, info in data.items()
            if not _SKIN_TONES.intersection(e)
            and info.get("status", _FULLY_QUALIFIED) <= _FULLY_QUALIFIED]
    table = {}
    for lang in languages:
        names = _language_names(emoji, data, lang)
        table[lang] = {e: names[e] for e in kept if isinstance(names.get(e), str) and names[e]}
        if not table[lang]:
            raise DataError(
                f"the installed emoji package ({getattr(emoji, '__version__', '?')}) has no emoji "
                f"names in language {lang!r}. Available: {', '.join(available_languages())}.")
    return table


def _language_names(emoji, data, lang):
    """``{emoji: name}`` in ``lang``, from the per-language JSON file or from EMOJI_DATA."""
    if lang != "en":
        names = _language_file(lang)
        if names:
            return names
    # dict.get, not [...]: EMOJI_DATA's entries may auto-load a language on a missing key, with a
    # DeprecationWarning; we load explicitly below instead.
    names = {e: dict.get(info, lang) for e, info in data.items()}
    if not any(names.values()) and hasattr(getattr(emoji, "config", None), "load_language"):
        try:
            emoji.config.load_language(lang)
        except (NotImplementedError, KeyError, ValueError, OSError):
            return {}
        names = {e: dict.get(info, lang) for e, info in data.items()}
    return names


def _language_file(lang):
    try:
        ref = resources.files("emoji.unicode_codes").joinpath(f"emoji_{lang}.json")
        if not ref.is_file():
            return {}
        raw = json.loads(ref.read_text(encoding="utf-8"))
    except (ModuleNotFoundError, OSError, ValueError):
        return {}
    # emoji 2.11+ stores plain names; accept {"xx": name} entries too, in case the layout changes.
    return {e: (v.get(lang) if isinstance(v, dict) else v) for e, v in raw.items()}


def _language_list(languages):
    if isinstance(languages, str):
        languages = [languages]
    languages = list(dict.fromkeys(languages))
    if not languages:
        raise DataError("give at least one language code, e.g. ['en', 'id'].")
    return languages


def _import_emoji():
    try:
        import emoji
    except ImportError:
        raise DataError(
            "the emoji package is not installed, but rnnkit needs it for phrase data. Run "
            "`pip install emoji`.") from None
    return emoji
