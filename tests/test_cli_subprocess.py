"""The installed ``rnnkit`` console script itself, run as a real process."""
import os
import shutil
import subprocess

import pytest

from rnnkit import __version__

RNNKIT = shutil.which("rnnkit")
pytestmark = pytest.mark.skipif(RNNKIT is None, reason="the rnnkit script is not installed")


def rnnkit(*args):
    env = dict(os.environ, NO_COLOR="1")
    return subprocess.run([RNNKIT, *args], capture_output=True, text=True, timeout=120, env=env)


def test_help_and_version():
    done = rnnkit("--help")
    assert done.returncode == 0 and "_RNNKIT_COMPLETE=bash_source rnnkit" in done.stdout
    done = rnnkit("--version")
    assert done.returncode == 0 and done.stdout.strip() == f"rnnkit, version {__version__}"


def test_trace_slides():
    done = rnnkit("trace", "--example", "slides")
    assert done.returncode == 0
    assert "t1: hidden state" in done.stdout and "t4: output" in done.stdout


def test_bad_input_exit_codes():
    done = rnnkit("train", "--arch", "no-such-architecture")
    assert done.returncode == 2
    assert "Error: Invalid value for '--arch': unknown architecture 'no-such-architecture'" in done.stderr
    assert "Traceback" not in done.stderr
    assert rnnkit("train", "--epochs", "x").returncode == 2
