"""The third-party example (examples/third-party-plugin) installed for real with pip.

The example is a separate distribution, ``rnnkit-example-plugin``, that registers ``parity``
through the ``rnnkit.architectures`` entry point. This test pip-installs a copy of it into the
current environment (no dependencies; offline, without build isolation, whenever the environment
has a setuptools that builds wheels by itself), finds it through
``rnnkit.plugins``, trains it for one epoch through the public API, runs the example's own test
suite (rnnkit's conformance kit), and uninstalls it again.
"""
import importlib
import importlib.metadata as md
import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import rnnkit
from rnnkit import plugins

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "third-party-plugin"
DIST = "rnnkit-example-plugin"


def pip(*args, cwd=None):
    run = subprocess.run([sys.executable, "-m", "pip", *args, "--disable-pip-version-check",
                          "--no-input"], capture_output=True, text=True, cwd=cwd)
    assert run.returncode == 0, f"pip {' '.join(args)} failed:\n{run.stdout}\n{run.stderr}"
    return run


def build_options():
    """Build with the environment's own setuptools (offline) when it can make wheels: setuptools
    >= 70.1 has bdist_wheel built in, older ones need the ``wheel`` package. A fresh venv of
    Python 3.11 has setuptools 65 and no wheel; there pip's isolated build fetches setuptools."""
    try:
        offline = (importlib.util.find_spec("setuptools.command.bdist_wheel") is not None
                   or importlib.util.find_spec("wheel") is not None)
    except ImportError:
        offline = False
    return ["--no-build-isolation", "--no-index"] if offline else []


def installed():
    try:
        md.distribution(DIST)
    except md.PackageNotFoundError:
        return False
    return True


def forget_modules():
    for name in [m for m in sys.modules if m.split(".")[0] == "rnnkit_example_plugin"]:
        del sys.modules[name]
    importlib.invalidate_caches()


@pytest.mark.slow        # about 30 s: pip builds and installs, then the example's own suite runs
def test_the_example_installs_registers_parity_and_trains(tmp_path):
    # Build from a copy, so setuptools' build/ and *.egg-info folders stay out of the repository.
    source = tmp_path / "third-party-plugin"
    shutil.copytree(EXAMPLE, source, ignore=shutil.ignore_patterns("build", "*.egg-info",
                                                                   "__pycache__"))
    was_installed = installed()
    pip("install", "--no-deps", *build_options(), str(source))
    forget_modules()
    try:
        entry = {e.name: e for e in plugins.discover()}["parity"]
        assert entry.package == f"{DIST} 0.1.0"
        assert entry.error is None
        arch = plugins.get("parity")
        assert arch.kind == "many-to-one"
        assert Path(sys.modules[type(arch).__module__].__file__).resolve().parents[1] != EXAMPLE

        # One epoch through the public API, as `rnnkit train --arch parity --epochs 1` does.
        config = dict(arch.default_config(), epochs=1)
        rnnkit.set_seed(config["seed"])
        data = arch.load_data(config)
        model = arch.build_model(config, data.meta)
        history = arch.fit(model, data, config)
        assert len(history.history["loss"]) == 1 and np.isfinite(history.history["loss"][0])
        metrics = arch.evaluate(model, data)
        assert 0.0 <= metrics["accuracy"] <= 1.0
        assert set(arch.baseline(data)) == {"accuracy"}
        assert "->" in arch.demo(model, data.meta)

        # The example's own tests: rnnkit's conformance kit, one test case per check.
        run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                              str(source / "tests")], capture_output=True, text=True, cwd=tmp_path)
        assert run.returncode == 0, run.stdout + run.stderr
        assert " passed" in run.stdout and "failed" not in run.stdout
    finally:
        if not was_installed:
            pip("uninstall", "-y", DIST)
        forget_modules()
    if not was_installed:
        assert "parity" not in plugins.names()
        with pytest.raises(plugins.PluginError, match="Did you mean 'parity'|unknown architecture"):
            plugins.get("parity")


def test_the_guide_shows_the_example_package_as_it_is():
    """docs/plugins.md quotes the example's files in full; they must not drift apart."""
    import re
    guide = (EXAMPLE.parents[1] / "docs" / "plugins.md").read_text(encoding="utf-8")
    quoted = re.findall(r"^\*\*`([^`]+)`\*\*\n\n```\w*\n(.*?)^```", guide, re.S | re.M)
    assert {name for name, _ in quoted} == {"pyproject.toml", "rnnkit_example_plugin/parity.py",
                                            "rnnkit_example_plugin/__init__.py",
                                            "tests/test_parity.py"}
    for name, text in quoted:
        assert text == (EXAMPLE / name).read_text(encoding="utf-8"), \
            f"docs/plugins.md shows an outdated {name}; copy it from {EXAMPLE / name}"
