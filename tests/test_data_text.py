"""The default char-lm text (the Zen of Python), read_text, hello."""
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
