"""Data for rnnkit: the lecture's series, corpora, phrase and picture sets, and the helpers that
turn them into arrays.

============================  ==================================================================
architecture / use            function
============================  ==================================================================
time series (many-to-one)     :func:`load_airline`, :func:`sliding_windows`
pos-tagging (many-to-many)    :func:`fetch_postag`, :func:`load_postag`, :func:`read_tagged_any`
text classification           :func:`language_phrases`
translation (enc-dec)         :func:`phrase_pairs`, :func:`translation_pairs` (arrays, decoding:
                              :mod:`rnnkit.seq2seq`)
image captioning              :func:`make_shapes`
char language model           :func:`news_text`, :func:`default_text`, :func:`hello`,
                              :func:`read_text`
any                           :class:`Vocabulary`, :func:`pad_sequences`, :func:`one_hot`,
                              :class:`OneHotWindows` (one-hot rows encoded when read),
                              :func:`train_test_split`, :func:`batches`, :func:`cache_dir`
============================  ==================================================================

Every problem a user can fix raises :class:`DataError`, whose message says what to do.
"""
from ..errors import DataError
from .windows import sliding_windows, one_hot, OneHotWindows, train_test_split, batches
from .airline import load_airline, CITATION as AIRLINE_CITATION
from .vocab import Vocabulary, pad_sequences
from .cache import cache_dir, atomic_open, atomic_write_bytes, atomic_write_text
from .postag import (TaggedCorpus, fetch_postag, info_postag, load_postag, read_tagged,
                     read_conllu, read_tagged_any)
from .emoji_names import language_phrases, translation_pairs
from .phrase_grammar import phrase_pairs
from .shapes import make_shapes, caption_for_seed, image_for_seed
from .text import default_text, read_text, hello
from .indonesian_news import news_text

__all__ = [
    "DataError",
    "sliding_windows", "one_hot", "OneHotWindows", "train_test_split", "batches",
    "load_airline", "AIRLINE_CITATION",
    "Vocabulary", "pad_sequences",
    "cache_dir", "atomic_open", "atomic_write_bytes", "atomic_write_text",
    "TaggedCorpus", "fetch_postag", "info_postag", "load_postag", "read_tagged", "read_conllu",
    "read_tagged_any",
    "language_phrases", "translation_pairs", "phrase_pairs",
    "make_shapes", "caption_for_seed", "image_for_seed",
    "default_text", "read_text", "hello", "news_text",
]
