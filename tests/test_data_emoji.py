"""Phrase data from the emoji package's names."""
from collections import Counter

import pytest

from rnnkit.data import DataError, language_phrases, translation_pairs
from rnnkit.data import emoji_names
from rnnkit.data.emoji_names import DEFAULT_LANGUAGES, to_phrase


def test_to_phrase():
    assert to_phrase(":AB_button_(blood_type):") == "ab button (blood type)"
    assert to_phrase(":apel_merah:") == "apel merah"
    assert to_phrase(":médaille_d’or:") == "médaille d’or"


def test_language_phrases_cover_every_default_language():
    pairs = language_phrases()
    counts = Counter(lang for _, lang in pairs)
    assert list(counts) == list(DEFAULT_LANGUAGES)          # grouped in the order asked for
    assert all(n > 1000 for n in counts.values())
    assert ("red apple", "en") in pairs and ("apel merah", "id") in pairs
    assert len(set(pairs)) == len(pairs)
    assert pairs == language_phrases()                       # deterministic
    assert all(":" not in p and "_" not in p and p == p.lower() for p, _ in pairs)


def test_skin_tone_variants_are_dropped():
    phrases = [p for p, _ in language_phrases(["en"])]
    assert "waving hand" in phrases
    assert not [p for p in phrases if "skin tone" in p]


def test_translation_pairs_are_aligned_by_emoji():
    pairs = translation_pairs("en", "id")
    assert ("red apple", "apel merah") in pairs
    assert ("1st place medal", "medali emas") in pairs
    assert pairs == sorted(set(pairs)) and len(pairs) > 1000
    assert ("goldmedaille", "medali emas") in translation_pairs("de", "id")


def test_errors():
    with pytest.raises(DataError, match="no emoji names in language 'xx'"):
        language_phrases(["xx"])
    with pytest.raises(DataError, match="both 'en'"):
        translation_pairs("en", "en")


def test_older_layout_with_languages_inside_emoji_data(monkeypatch):
    """emoji < 2.11 kept every language as a key of EMOJI_DATA's entries, with no JSON files."""
    import emoji
    fake = {
        "\U0001F34E": {"en": ":red_apple:", "id": ":apel_merah:", "status": 2},
        "\U0001F44B": {"en": ":waving_hand:", "id": ":tangan_melambai:", "status": 2},
        "\U0001F44B\U0001F3FD": {"en": ":waving_hand_medium_skin_tone:",
                                 "id": ":tangan_melambai_warna_kulit_sedang:", "status": 2},
        "\u263A": {"en": ":smiling_face:", "id": ":wajah_tersenyum:", "status": 4},
    }
    monkeypatch.setattr(emoji, "EMOJI_DATA", fake)
    monkeypatch.setattr(emoji_names, "_language_file", lambda lang: {})
    assert language_phrases(["en", "id"]) == [("red apple", "en"), ("waving hand", "en"),
                                              ("apel merah", "id"), ("tangan melambai", "id")]
    assert translation_pairs() == [("red apple", "apel merah"), ("waving hand", "tangan melambai")]
