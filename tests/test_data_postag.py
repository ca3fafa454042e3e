"""Tagged-corpus readers; fetching the nlp-id POS corpus (a fake wheel, and one slow real run)."""
import hashlib
import sys
import zipfile

import pytest

from rnnkit.data import (DataError, fetch_postag, info_postag, read_conllu, read_tagged,
                         read_tagged_any)
from rnnkit.data import postag

TAGGED = "Saya\tPR\nmakan\tVB\nnasi\tNN\n.\tSYM\n\nDia\tPR\ntidur\tVB\n"

CONLLU = """# sent_id = 1
# text = Aku ke sana.
1\tAku\taku\tPRON\t_\t_\t2\tnsubj\t_\t_
2-3\tkesana\t_\t_\t_\t_\t_\t_\t_\t_
2\tke\tke\tADP\t_\t_\t3\tcase\t_\t_
3\tsana\tsana\tADV\t_\t_\t0\troot\t_\tSpaceAfter=No
3.1\tpergi\tpergi\tVERB\t_\t_\t_\t_\t0:root\t_
4\t.\t.\tPUNCT\t_\t_\t3\tpunct\t_\t_

# sent_id = 2
1\tYa\tya\tINTJ\t_\t_\t0\troot\t_\t_
"""


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_read_tagged(tmp_path):
    sentences, tags, skipped = read_tagged(write(tmp_path, "a.txt", TAGGED))
    assert sentences == [["Saya", "makan", "nasi", "."], ["Dia", "tidur"]]
    assert tags == [["PR", "VB", "NN", "SYM"], ["PR", "VB"]]
    assert skipped == 0


def test_read_tagged_skips_and_counts_malformed_lines(tmp_path):
    text = "\ufeffSaya\tPR\r\nnya\tPR\tNN\r\nmakan\tVB\r\n\r\n\r\njustoneword\nDia\tPR\n\n"
    corpus = read_tagged(write(tmp_path, "a.txt", text))
    assert corpus.sentences == [["Saya", "makan"], ["Dia"]]
    assert corpus.tags == [["PR", "VB"], ["PR"]]
    assert corpus.skipped == 2


def test_read_conllu_reads_upos_and_skips_ranges_empty_nodes_and_comments(tmp_path):
    sentences, tags, skipped = read_conllu(write(tmp_path, "a.conllu", CONLLU))
    assert sentences == [["Aku", "ke", "sana", "."], ["Ya"]]
    assert tags == [["PRON", "ADP", "ADV", "PUNCT"], ["INTJ"]]
    assert skipped == 0


@pytest.mark.parametrize("bad_line, lineno, message", [
    ("5 spaces instead of tabs", 9, "expected 10 tab-separated CoNLL-U columns, found 1"),
    ("x\tA\ta\tNOUN\t_\t_\t0\troot\t_\t_", 9, "'x' is not a CoNLL-U word ID"),
    ("5\tA\ta\t_\t_\t_\t0\troot\t_\t_", 9, "word 'A' has no UPOS tag"),
])
def test_malformed_conllu_names_file_and_line(tmp_path, bad_line, lineno, message):
    lines = CONLLU.split("\n")
    lines.insert(8, bad_line)          # becomes line 9, inside sentence 1... of sentence 2 block
    path = write(tmp_path, "bad.conllu", "\n".join(lines))
    with pytest.raises(DataError, match=rf"bad.conllu, line {lineno}: {message}"):
        read_conllu(path)


def test_read_tagged_any_picks_the_format(tmp_path):
    # by extension
    assert read_tagged_any(write(tmp_path, "a.conllu", CONLLU)).tags[1] == ["INTJ"]
    # by content: a CoNLL-U file with another extension, and a tagged file
    assert read_tagged_any(write(tmp_path, "b.txt", CONLLU)).sentences[1] == ["Ya"]
    assert read_tagged_any(write(tmp_path, "c.txt", "1\tNUM\n")).tags == [["NUM"]]
    assert read_tagged_any(write(tmp_path, "d.tsv", "#\tSYM\nx\tNN\n")).tags == [["SYM", "NN"]]


def test_missing_empty_and_useless_files_raise_data_error_naming_the_file(tmp_path):
    with pytest.raises(DataError, match=r"nope.txt: no such file"):
        read_tagged(tmp_path / "nope.txt")
    with pytest.raises(DataError, match=r"empty.txt is empty"):
        read_tagged(write(tmp_path, "empty.txt", "\n\n"))
    with pytest.raises(DataError, match=r"bad.txt: no valid sentence.*line 2: 'a b c'"):
        read_tagged(write(tmp_path, "bad.txt", "\na b c\nd e\n"))
    with pytest.raises(DataError, match=r"is a folder"):
        read_tagged_any(tmp_path)
    with pytest.raises(DataError, match=r"only.conllu: no sentence found"):
        read_conllu(write(tmp_path, "only.conllu", "# just a comment\n"))
    (tmp_path / "latin1.txt").write_bytes(b"a\tNN\n\ncaf\xe9\tNN\n")
    with pytest.raises(DataError, match=r"latin1.txt, line 3: not UTF-8"):
        read_tagged(tmp_path / "latin1.txt")


# -- fetching, with a fake wheel ------------------------------------------------------------------

@pytest.fixture
def fake_wheel(tmp_path, monkeypatch):
    """A small wheel holding MEMBER, served by a stand-in for `pip download`."""
    data = TAGGED.encode()
    wheel = tmp_path / "src" / f"nlp_id-{postag.VERSION}-py3-none-any.whl"
    wheel.parent.mkdir()
    with zipfile.ZipFile(wheel, "w") as z:
        z.writestr(postag.MEMBER, data)
        z.writestr("nlp_id/__init__.py", "raise SystemExit('never imported')")
    calls = []

    def fake_download(dest):
        calls.append(dest)
        target = dest / wheel.name
        target.write_bytes(wheel.read_bytes())
        return target

    monkeypatch.setenv("RNNKIT_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(postag, "_download_wheel", fake_download)
    monkeypatch.setattr(postag, "DATA_SIZE", len(data))
    monkeypatch.setattr(postag, "DATA_SHA256", hashlib.sha256(data).hexdigest())
    return wheel, calls


def test_fetch_extracts_once_into_the_cache(fake_wheel, monkeypatch, tmp_path):
    wheel, calls = fake_wheel
    monkeypatch.setattr(postag, "WHEEL_SHA256", hashlib.sha256(wheel.read_bytes()).hexdigest())
    assert info_postag()["cached"] is False and info_postag()["size"] is None
    messages = []
    path = fetch_postag(progress=messages.append)
    assert path == tmp_path / "cache" / "pos-tagging" / "nlp-id-0.1.23.0" / "dataset_postag.txt"
    assert path.read_text() == TAGGED
    assert len(messages) == 4 and "downloading nlp-id 0.1.23.0" in messages[0]
    assert sorted(p.name for p in path.parent.iterdir()) == ["dataset_postag.txt"]
    assert fetch_postag(progress=messages.append) == path     # cached: no second download
    assert len(calls) == 1 and len(messages) == 4
    info = info_postag()
    assert info["cached"] is True and info["size"] == len(TAGGED)
    assert info["licence"] == "MIT (nlp-id 0.1.23.0)"
    assert "pypi.org/project/nlp-id" in info["source"]
    assert "nlp_id" not in sys.modules


def test_fetch_refuses_a_wheel_with_another_hash(fake_wheel, tmp_path):
    with pytest.raises(DataError, match=r"has SHA-256 [0-9a-f]{64}, but rnnkit expects 358faafb"):
        fetch_postag()
    assert not (tmp_path / "cache" / "pos-tagging" / "nlp-id-0.1.23.0").exists()


def test_fetch_reports_what_pip_said(monkeypatch, tmp_path):
    monkeypatch.setenv("RNNKIT_CACHE", str(tmp_path / "cache"))
    script = ("import sys; sys.stderr.write('WARNING: Retrying...\\nERROR: Could not find a "
              "version that satisfies the requirement nlp-id==0.1.23.0\\n'); sys.exit(1)")
    monkeypatch.setattr(postag, "_pip_download_command",
                        lambda dest: [sys.executable, "-c", script])
    with pytest.raises(DataError) as info:
        fetch_postag()
    message = str(info.value)
    assert message.startswith("could not download nlp-id 0.1.23.0 from the package registry "
                              "(pip said: ERROR: Could not find a version")
    assert "rnnkit data fetch pos-tagging" in message and "--data PATH" in message


def test_pip_command_downloads_the_pinned_wheel_only(tmp_path):
    command = postag._pip_download_command(tmp_path)
    assert command[:4] == [sys.executable, "-m", "pip", "download"]
    for flag in ["--no-deps", "--only-binary=:all:", "nlp-id==0.1.23.0", str(tmp_path)]:
        assert flag in command


@pytest.mark.slow
def test_fetch_the_real_corpus(monkeypatch, tmp_path):
    monkeypatch.setenv("RNNKIT_CACHE", str(tmp_path))
    sentences, tags, skipped = read_tagged(fetch_postag())
    tagset = {t for sent in tags for t in sent}
    assert len(sentences) == 32780
    assert len(tagset) == 17           # 16 upper-case tags and one stray lower-case "vb"
    assert {"NN", "VB", "NNP", "SYM", "PR", "UH"} <= tagset
    assert skipped == 7                # lines like "nya<TAB>PR<TAB>NN"
    assert sum(map(len, sentences)) == 559872
    assert all(len(s) == len(t) for s, t in zip(sentences, tags))
