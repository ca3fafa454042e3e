"""`python -m rnnkit` is the `rnnkit` command (a kernel's venv need not be on PATH)."""
import subprocess
import sys

from click.testing import CliRunner

from rnnkit import __version__
from rnnkit.cli.main import cli


def _module(*args):
    return subprocess.run([sys.executable, "-m", "rnnkit", *args], capture_output=True,
                          text=True, env={"PATH": "/nonexistent", "NO_COLOR": "1"})


def test_python_m_rnnkit_runs_the_cli_without_the_script_on_path():
    done = _module("trace", "--example", "slides")
    assert done.returncode == 0, done.stderr
    assert done.stdout == CliRunner().invoke(cli, ["trace", "--example", "slides"]).output
    assert _module("--version").stdout.strip() == f"rnnkit, version {__version__}"


def test_python_m_rnnkit_reports_a_user_error_without_a_traceback():
    done = _module("train", "--arch", "no-such-arch")
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "no-such-arch" in done.stderr
