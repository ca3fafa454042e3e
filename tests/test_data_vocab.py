"""Vocabulary (<pad> = 0, <unk> = 1) and pad_sequences."""
import json

import numpy as np
import pytest

from rnnkit.data import DataError, Vocabulary, pad_sequences


def test_build_orders_by_count_then_first_appearance_and_reserves_0_and_1():
    sents = [["saya", "makan", "nasi"], ["saya", "minum", "air"], ["kami", "makan"]]
    vocab = Vocabulary.build(sents)
    assert vocab.tokens == ["<pad>", "<unk>", "saya", "makan", "nasi", "minum", "air", "kami"]
    assert len(vocab) == 8 and "nasi" in vocab and "roti" not in vocab
    assert vocab.encode(["saya", "makan", "roti"]) == [2, 3, 1]
    assert vocab.decode([2, 3, 1, 0, 0]) == ["saya", "makan", "<unk>"]
    assert vocab.decode([2, 0], strip_padding=False) == ["saya", "<pad>"]


def test_min_count_and_max_size():
    sents = [["a", "b", "a"], ["c", "a", "b"]]
    assert Vocabulary.build(sents, min_count=2).tokens == ["<pad>", "<unk>", "a", "b"]
    assert Vocabulary.build(sents, max_size=3).tokens == ["<pad>", "<unk>", "a"]


def test_character_vocabulary_from_the_lecture_word():
    vocab = Vocabulary.build(["hello"])
    assert vocab.tokens == ["<pad>", "<unk>", "l", "h", "e", "o"]
    assert vocab.encode("hello") == [3, 4, 2, 2, 5]


def test_json_round_trip():
    vocab = Vocabulary.build([["x", "y", "y"]])
    again = Vocabulary.from_dict(json.loads(json.dumps(vocab.to_dict())))
    assert again == vocab and again.tokens == ["<pad>", "<unk>", "y", "x"]
    assert "size=4" in repr(vocab)


def test_errors():
    vocab = Vocabulary(["a"])
    with pytest.raises(DataError, match="index 9 is outside 0..2"):
        vocab.decode([9])
    with pytest.raises(DataError, match="to_dict"):
        Vocabulary.from_dict({"tokens": ["a", "b"]})
    with pytest.raises(DataError, match="one string"):
        Vocabulary.build("hello")
    with pytest.raises(DataError, match="min_count"):
        Vocabulary.build([["a"]], min_count=0)


def test_pad_sequences_post_pads_and_truncates():
    x, lengths = pad_sequences([[5, 6, 7], [8], []])
    assert x.tolist() == [[5, 6, 7], [8, 0, 0], [0, 0, 0]] and x.dtype == np.int64
    assert lengths.tolist() == [3, 1, 0]
    x, lengths = pad_sequences([[5, 6, 7], [8]], maxlen=2, value=-1)
    assert x.tolist() == [[5, 6], [8, -1]] and lengths.tolist() == [2, 1]
    assert pad_sequences([])[0].shape == (0, 0)
    with pytest.raises(DataError, match="sequence 1 is not a flat list of integers"):
        pad_sequences([[1], ["a"]])


def test_reserved_tokens_come_right_after_pad_and_unk_whatever_their_counts():
    # "x" 3 times, "<s>" once in the data, "y" twice: reserved first, then by count
    vocab = Vocabulary.build([["x", "y", "<s>"], ["x", "y"], ["x"]], reserved=("<s>", "</s>"))
    assert vocab.tokens == ["<pad>", "<unk>", "<s>", "</s>", "x", "y"]
    assert Vocabulary.build([["x", "y"]], max_size=5, reserved=("<s>", "</s>")).tokens == \
        ["<pad>", "<unk>", "<s>", "</s>", "x"]
    with pytest.raises(DataError, match="at least 4"):
        Vocabulary.build([["x"]], max_size=3, reserved=("<s>", "</s>"))
