"""The third-party example (examples/third-party-plugin) installed for real with pip.

Each example is a separate distribution registering an architecture through the
``rnnkit.architectures`` entry point: ``rnnkit-example-plugin`` (``parity``, many-to-one) and
``rnnkit-addition-plugin`` (``addition``, encoder-decoder, built on rnnkit.seq2seq). Each test
pip-installs a copy into the current environment (no dependencies; offline, without build
isolation, whenever the environment has a setuptools that builds wheels by itself), finds it
through ``rnnkit.plugins``, trains it briefly through the public API, runs the example's own test
suite (rnnkit's conformance kit), and uninstalls it again.
"""
import contextlib
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
from rnnkit.runs import resolve_config

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
EXAMPLE = EXAMPLES / "third-party-plugin"
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


def installed(dist):
    try:
        md.distribution(dist)
    except md.PackageNotFoundError:
        return False
    return True


def forget_modules(package):
    for name in [m for m in sys.modules if m.split(".")[0] == package]:
        del sys.modules[name]
    plugins.refresh()                   # discovery is cached once per process


@contextlib.contextmanager
def installed_copy(example, dist, package, tmp_path):
    """pip-install a copy of ``example`` (so setuptools' build/ and *.egg-info folders stay out
    of the repository); yield the copy's folder; uninstall it again unless it was installed."""
    source = tmp_path / example.name
    shutil.copytree(example, source, ignore=shutil.ignore_patterns("build", "*.egg-info",
                                                                   "__pycache__"))
    was_installed = installed(dist)
    pip("install", "--no-deps", *build_options(), str(source))
    forget_modules(package)
    try:
        yield source, was_installed
    finally:
        if not was_installed:
            pip("uninstall", "-y", dist)
        forget_modules(package)


def run_own_tests(source, cwd):
    """The example's own test suite (rnnkit's conformance kit, one test case per check)."""
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                          str(source / "tests")], capture_output=True, text=True, cwd=cwd)
    assert run.returncode == 0, run.stdout + run.stderr
    assert " passed" in run.stdout and "failed" not in run.stdout


@pytest.mark.slow        # about 30 s: pip builds and installs, then the example's own suite runs
def test_the_example_installs_registers_parity_and_trains(tmp_path):
    with installed_copy(EXAMPLE, DIST, "rnnkit_example_plugin", tmp_path) \
            as (source, was_installed):
        entry = {e.name: e for e in plugins.discover()}["parity"]
        assert entry.package == f"{DIST} 0.1.0"
        assert entry.error is None
        arch = plugins.get("parity")
        assert arch.kind == "many-to-one"
        assert Path(sys.modules[type(arch).__module__].__file__).resolve().parents[1] != EXAMPLE

        # One epoch through the public API, as `rnnkit train --arch parity --epochs 1` does.
        config = resolve_config(arch, {"epochs": 1})
        rnnkit.set_seed(config["seed"])
        data = arch.load_data(config)
        model = arch.build_model(config, data.meta)
        history = arch.fit(model, data, config)
        assert len(history.history["loss"]) == 1 and np.isfinite(history.history["loss"][0])
        metrics = arch.evaluate(model, data)
        assert 0.0 <= metrics["accuracy"] <= 1.0
        assert set(arch.baseline(data)) == {"accuracy"}
        assert "->" in arch.demo(model, data.meta)
        run_own_tests(source, tmp_path)
    if not was_installed:
        assert "parity" not in plugins.names()
        with pytest.raises(plugins.PluginError, match="Did you mean 'parity'|unknown architecture"):
            plugins.get("parity")


#: Modules of rnnkit a plugin may import: the public API (docs/plugins.md).
PUBLIC = {"rnnkit", "rnnkit.plugins", "rnnkit.seq2seq", "rnnkit.layers", "rnnkit.models",
          "rnnkit.callbacks", "rnnkit.optimizers", "rnnkit.data", "rnnkit.errors",
          "rnnkit.testing"}


def test_the_encoder_decoder_example_uses_only_the_public_api():
    import ast
    for path in (EXAMPLES / "seq2seq-plugin").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0 \
                    and node.module.split(".")[0] == "rnnkit":
                assert node.module in PUBLIC, f"{path.name} imports {node.module}"


@pytest.mark.slow        # pip install, a short run through the default fit, the example's suite
def test_the_encoder_decoder_example_installs_trains_and_logs_exact_match(tmp_path):
    example = EXAMPLES / "seq2seq-plugin"
    with installed_copy(example, "rnnkit-addition-plugin", "rnnkit_addition", tmp_path) \
            as (source, _):
        entry = {e.name: e for e in plugins.discover()}["addition"]
        assert entry.package == "rnnkit-addition-plugin 0.1.0" and entry.error is None
        arch = plugins.get("addition")
        assert arch.kind == "encoder-decoder" and arch.headline_metric == "exact_match"
        config = resolve_config(arch, {"epochs": 2, "units": 16, "n_train": 256, "n_val": 32,
                                       "n_test": 32, "digits": 2})
        rnnkit.set_seed(config["seed"])
        data = arch.load_data(config)
        model = arch.build_model(config, data.meta)
        history = arch.fit(model, data, config)
        # epoch_metrics' KeepBest wrote the greedy exact match into every epoch's row
        assert len(history.history["val_exact_match"]) == 2
        assert history.best_epoch in (1, 2)
        metrics = arch.evaluate(model, data)
        assert list(metrics) == ["exact_match", "token_accuracy", "edit_distance"]
        assert set(arch.baseline(data)) == set(metrics)
        assert arch.demo(model, data.meta, ["12+34"]).startswith("12+34 = ")
        run_own_tests(source, tmp_path)


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
