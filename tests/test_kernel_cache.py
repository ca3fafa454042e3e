"""The kernels' on-disk cache is dropped when any kernel source changes (rnnkit/kernels/__init__.py):
Numba itself only notices a change in a kernel's own file, not in the kernels compiled into it."""
import os
import subprocess
import sys
import threading
from pathlib import Path

import rnnkit.kernels as kernels


def _cache_files(folder):
    return sorted(p.name for p in folder.iterdir() if p.suffix in (".nbi", ".nbc"))


def test_a_changed_source_drops_the_cache_and_nothing_else(tmp_path):
    src, cache = tmp_path / "src", tmp_path / "cache"
    src.mkdir()
    cache.mkdir()
    (src / "activations.py").write_text("A = 1\n")
    (src / "lstm.py").write_text("from .activations import A\n")
    sources = sorted(src.glob("*.py"))

    def fill():
        for name in ("lstm.f-10.py311.nbi", "lstm.f-10.py311.1.nbc"):
            (cache / name).write_bytes(b"machine code")

    fill()
    (cache / "notes.txt").write_text("not Numba's")
    assert kernels.drop_stale_cache(sources, cache)          # no stamp: unknown origin, dropped
    assert _cache_files(cache) == [] and (cache / "notes.txt").exists()
    assert (cache / kernels.STAMP).read_text() == kernels.sources_digest(sources)

    fill()
    assert not kernels.drop_stale_cache(sources, cache)      # same sources: the cache is kept
    assert _cache_files(cache) == ["lstm.f-10.py311.1.nbc", "lstm.f-10.py311.nbi"]

    (src / "activations.py").write_text("A = 2\n")           # only the callee changed
    assert kernels.drop_stale_cache(sources, cache)
    assert _cache_files(cache) == []


def test_the_digest_covers_names_and_contents(tmp_path):
    a, b = tmp_path / "a.py", tmp_path / "b.py"
    a.write_text("x")
    b.write_text("y")
    d = kernels.sources_digest([a, b])
    assert d == kernels.sources_digest([b, a])                # order given does not matter
    b.write_text("z")
    assert kernels.sources_digest([a, b]) != d
    b.write_text("y")
    b.rename(tmp_path / "c.py")
    assert kernels.sources_digest([a, tmp_path / "c.py"]) != d


def test_importing_rnnkit_stamped_its_own_kernel_cache():
    folder = kernels._cache_folder()
    here = Path(kernels.__file__).parent
    assert (folder / kernels.STAMP).read_text() == kernels.sources_digest(list(here.glob("*.py")))


def test_a_check_waits_for_the_lock_and_keeps_what_the_holder_wrote(tmp_path):
    # the race two starting processes run: this test holds the lock as the first process would,
    # and while it does, replaces a stale cache with a stamp and files for the new sources
    src, cache = tmp_path / "src", tmp_path / "cache"
    src.mkdir()
    cache.mkdir()
    (src / "lstm.py").write_text("new\n")
    sources = [src / "lstm.py"]
    (cache / kernels.STAMP).write_text("digest of old sources")
    (cache / "lstm.old.nbi").write_bytes(b"old machine code")
    result = []
    with kernels.exclusive_lock(cache / kernels.LOCK):
        waiting = threading.Thread(target=lambda: result.append(
            kernels.drop_stale_cache(sources, cache)))
        waiting.start()
        waiting.join(timeout=1.0)
        assert waiting.is_alive() and result == []          # it waits for the lock ...
        assert (cache / "lstm.old.nbi").exists()            # ... before deleting anything
        (cache / "lstm.old.nbi").unlink()
        (cache / kernels.STAMP).write_text(kernels.sources_digest(sources))
        (cache / "lstm.new.nbi").write_bytes(b"new machine code")
    waiting.join(timeout=60)
    assert result == [False]                                 # it found the new stamp inside the lock
    assert _cache_files(cache) == ["lstm.new.nbi"]


_CHILD = """
import sys
lock_opens = []
sys.addaudithook(lambda event, args: event == "open" and str(args[0]).endswith({lock!r})
                 and lock_opens.append(args[0]))
import numpy as np
import rnnkit
import rnnkit.kernels as kernels
from rnnkit.kernels import activations, chunks, dense, gru, losses, lstm, optim, simple_rnn
from rnnkit.layers import GRU, LSTM, Dense, SimpleRNN
kernels.check_cache_once()
kernels.check_cache_once()
p, g, m, s = (np.ones(3) for _ in range(4))
optim.adam_step(p, g, m, s, 0.1, 0.9, 0.999, 1e-7, 1)       # compiles, and writes the cache
print(len(lock_opens))
"""


def _start_child(cache_dir):
    env = dict(os.environ, NUMBA_CACHE_DIR=str(cache_dir))
    return subprocess.Popen([sys.executable, "-c", _CHILD.format(lock=kernels.LOCK)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _stamp_folder(cache_dir):
    stamps = list(Path(cache_dir).rglob("*.sha256"))
    assert len(stamps) == 1, stamps
    return stamps[0].parent


def test_the_check_runs_once_per_process(tmp_path):
    child = _start_child(tmp_path)
    out, err = child.communicate(timeout=600)
    assert child.returncode == 0, err
    assert out.split() == ["1"]               # one check on an empty cache: the lock taken once
    folder = _stamp_folder(tmp_path)
    here = Path(kernels.__file__).parent
    assert (folder / kernels.STAMP).read_text() == kernels.sources_digest(list(here.glob("*.py")))


def test_two_processes_starting_together_on_an_empty_cache(tmp_path):
    children = [_start_child(tmp_path), _start_child(tmp_path)]
    results = [child.communicate(timeout=600) + (child.returncode,) for child in children]
    for out, err, code in results:
        assert code == 0, err
        assert out.split()[-1] in ("0", "1"), out            # the loser may find the stamp at once
    folder = _stamp_folder(tmp_path)                          # one stamp, no temporary file left
    here = Path(kernels.__file__).parent
    assert (folder / kernels.STAMP).read_text() == kernels.sources_digest(list(here.glob("*.py")))
    assert not [p for p in folder.iterdir() if p.name.endswith(".tmp")]
    assert any(p.name.startswith("optim.adam_step") for p in folder.iterdir()
               if p.suffix == ".nbi")                         # the compiled kernel stayed cached


def test_an_empty_cache_is_seen_and_a_first_train_says_it_compiles_once(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from rnnkit.cli.main import cli
    from test_cli_support import register

    register(tmp_path, monkeypatch)
    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "cache"
    folder.mkdir()
    monkeypatch.setattr(kernels, "_cache_folder", lambda: folder)
    args = ["train", "--arch", "tiny-tagger", "--epochs", "1", "--no-figures", "--out"]
    assert kernels.cache_is_empty()
    cold = CliRunner().invoke(cli, args + ["cold"])
    assert cold.exit_code == 0, cold.output
    assert cold.output.count("compiles its kernels for this machine, once (about ") == 1
    (folder / "dense.dense_forward-20.py311.nbi").write_bytes(b"")    # Numba's index file
    assert not kernels.cache_is_empty()
    warm = CliRunner().invoke(cli, args + ["warm"])
    assert warm.exit_code == 0, warm.output
    assert "compiles" not in warm.output

