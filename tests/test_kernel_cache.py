"""The kernels' on-disk cache is dropped when any kernel source changes (rnnkit/kernels/__init__.py):
Numba itself only notices a change in a kernel's own file, not in the kernels compiled into it."""
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
