"""The generated English -> Indonesian noun phrases: their count, word order, classifiers and
determinism, against translations checked by hand."""
import pytest

from rnnkit.data import DataError, phrase_pairs
from rnnkit.data.phrase_grammar import (ANIMALS, COLOURS, NUMBERS, PEOPLE, PHRASE_COUNT,
                                        POSSESSORS, THINGS)

PAIRS = dict(phrase_pairs())


def test_every_phrase_once_and_their_count_by_hand():
    # noun cores (noun, optional size/age adjective, optional colour): animals 8 x (1+4) x (1+7),
    # people 8 x (1+5) (no colour), things 8 x (1+3) x (1+7) = 320 + 48 + 256 = 624. Each core
    # takes a/an, this, that, these, those, four numbers, the bare plural and three possessors
    # with a singular and a plural noun: 16 phrases, 9,984 in all; but "fish" is its own plural,
    # so "my fish" is made twice for each of its 5 x 8 = 40 cores (3 possessors): 9,984 - 120.
    assert PHRASE_COUNT == 624 * 16 - 40 * 3 == 9864
    pairs = phrase_pairs()
    assert len(pairs) == len(PAIRS) == PHRASE_COUNT


@pytest.mark.parametrize("english, indonesian", [
    ("a big red car", "sebuah mobil merah besar"),          # two adjectives, mirrored
    ("an old brown dog", "seekor anjing cokelat tua"),      # "an" before a vowel; ekor: animals
    ("a young teacher", "seorang guru muda"),               # orang: people
    ("three young teachers", "tiga orang guru muda"),       # number + classifier before the noun
    ("five boxes", "lima buah kotak"),                      # buah: things
    ("those small white horses", "kuda putih kecil itu"),   # demonstrative last, no plural mark
    ("this house", "rumah ini"),
    ("these houses", "rumah ini"),                          # ini is "this" and "these"
    ("my new red car", "mobil merah baru saya"),            # possessor after the adjectives
    ("their children", "anak mereka"),                      # irregular English plural
    ("green books", "buku hijau"),                          # bare plural: no determiner at all
    ("my fish", "ikan saya"),
])
def test_translations_checked_by_hand(english, indonesian):
    assert PAIRS[english] == indonesian


def test_word_order_in_every_phrase():
    """Whatever the phrase: the noun comes before its adjectives, a number is followed by the
    noun's classifier, ini/itu and possessors close the phrase."""
    classifier = {n[2]: c for nouns, c in ((ANIMALS, "ekor"), (PEOPLE, "orang"), (THINGS, "buah"))
                  for n in nouns}
    colours = set(COLOURS.values())
    for english, indonesian in PAIRS.items():
        words = indonesian.split()
        nouns = [w for w in words if w in classifier]
        assert len(nouns) == 1, indonesian
        at = words.index(nouns[0])
        if english.split()[0] in NUMBERS:
            assert words[:at] == [NUMBERS[english.split()[0]], classifier[nouns[0]]]
        elif english.split()[0] in ("a", "an"):
            assert words[:at] == ["se" + classifier[nouns[0]]]
        else:
            assert at == 0, indonesian
        colour = [w for w in english.split() if w in COLOURS]
        if colour:                                      # the colour right after the noun
            assert words[at + 1] == COLOURS[colour[0]] and words[at + 1] in colours
        if english.split()[0] in ("this", "that", "these", "those"):
            assert words[-1] in ("ini", "itu")
        if english.split()[0] in POSSESSORS:
            assert words[-1] == POSSESSORS[english.split()[0]]


def test_samples_are_seeded_and_keep_the_grammars_order():
    sample = phrase_pairs(4000)
    assert sample == phrase_pairs(4000, seed=0) and len(set(sample)) == 4000
    assert sample != phrase_pairs(4000, seed=1)
    order = {pair: k for k, pair in enumerate(phrase_pairs())}
    assert [order[p] for p in sample] == sorted(order[p] for p in sample)
    with pytest.raises(DataError, match="between 1 and 9864"):
        phrase_pairs(0)
