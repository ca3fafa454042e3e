"""The default char-lm texts (the Indonesian news, the Zen of Python), read_text, hello."""
import sys

import pytest

from rnnkit.data import DataError, default_text, hello, read_text


def test_default_text_is_the_zen_of_python_without_printing(capsys):
    sys.modules.pop("this", None)
    text = default_text()
    assert capsys.readouterr().out == ""
    assert text.startswith("The Zen of Python, by Tim Peters\n\n"
                           "Beautiful is better than ugly.\n")
    assert text.rstrip().endswith(
        "Namespaces are one honking great idea -- let's do more of those!")
    assert len(text.strip().splitlines()) == 21          # title, blank line, 19 aphorisms
    assert "this" not in sys.modules


def test_default_text_falls_back_to_a_silenced_import(monkeypatch, capsys):
    from rnnkit.data import text as text_module
    monkeypatch.setattr(text_module, "_encoded_zen_from_source", lambda: None)
    assert default_text().startswith("The Zen of Python")
    assert capsys.readouterr().out == ""


def test_hello():
    assert hello() == "hello"


def test_read_text(tmp_path):
    path = tmp_path / "t.txt"
    path.write_bytes("\ufeffhalo dunia\n".encode("utf-8"))
    assert read_text(path) == "halo dunia\n"
    with pytest.raises(DataError, match="missing.txt: no such file"):
        read_text(tmp_path / "missing.txt")
    (tmp_path / "e.txt").write_text("  \n")
    with pytest.raises(DataError, match="e.txt is empty"):
        read_text(tmp_path / "e.txt")
    (tmp_path / "b.txt").write_bytes(b"ok\nok\n\xff\n")
    with pytest.raises(DataError, match=r"b.txt, line 3: not UTF-8 text \(byte 0xff"):
        read_text(tmp_path / "b.txt")


# ---- the Indonesian news text (issue 16, point 10) --------------------------------------------

from rnnkit.data import TaggedCorpus, info_postag, news_text           # noqa: E402
from rnnkit.data import indonesian_news as news_module                 # noqa: E402
from rnnkit.data.indonesian_news import (TEXT_CHARACTERS, TEXT_SHA256, join_words,  # noqa: E402
                                         text_sha256)


def test_join_words_takes_the_tokenisers_spaces_out():
    assert join_words(["Kita", "(", "penumpang", ")", "self", "declare", "."]) == \
        "Kita (penumpang) self declare."
    assert join_words(["ada", "nya", "18", "kotak", ",", "kata", "nya", ":", "50", "%", "!"]) == \
        "adanya 18 kotak, katanya: 50%!"
    # straight quotes alternate: opening (glued to the next word), closing (to the last one)
    assert join_words(["Ia", "berkata", '"', "ya", '"', "dan", '"', "tidak", '"', "."]) == \
        'Ia berkata "ya" dan "tidak".'


def test_news_text_is_the_first_sentences_one_per_line(monkeypatch):
    corpus = TaggedCorpus([["Saya", "makan", "."], ["Ini", "buku", "nya", "."], ["Tiga", "."]],
                          [["PR", "VB", "Z"], ["PR", "NN", "PR", "Z"], ["CD", "Z"]], 0)
    monkeypatch.setattr(news_module, "load_postag", lambda progress=None: corpus)
    monkeypatch.setattr(news_module, "SENTENCES", 2)
    assert news_text() == "Saya makan.\nIni bukunya.\n"


def test_news_text_says_what_to_do_without_the_corpus(monkeypatch):
    def offline(progress=None):
        raise DataError("could not download nlp-id 0.1.23.0 (pip said: no network). Connect to "
                        "the network and run `rnnkit data fetch pos-tagging`.")
    monkeypatch.setattr(news_module, "load_postag", offline)
    with pytest.raises(DataError) as err:
        news_text()
    message = str(err.value)
    assert message.startswith("char-lm's default text is the Indonesian sentences of the nlp-id "
                              "POS corpus, which is not cached and could not be fetched. Run "
                              "`rnnkit data fetch char-lm` once with the network, or choose "
                              "`--set text=zen`")
    assert message.endswith("(Fetching the POS corpus said: could not download nlp-id 0.1.23.0 "
                            "(pip said: no network). Connect to the network and run `rnnkit data "
                            "fetch pos-tagging`.)")


@pytest.mark.skipif(not info_postag()["cached"], reason="the nlp-id POS corpus is not cached")
def test_news_text_is_pinned():
    text = news_text()
    assert len(text) == TEXT_CHARACTERS and text_sha256(text) == TEXT_SHA256
    assert len(text.encode("utf-8")) >= 100_000 and text.count("\n") == news_module.SENTENCES
    assert text.startswith("Ditjen Bea dan Cukai Kementerian Keuangan (Kemenkeu) memastikan "
                           "adanya 18 kotak selundupan")
