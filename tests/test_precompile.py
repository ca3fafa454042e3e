"""A first run's helper process (rnnkit/runs/precompile.py): started only when it can pay, waited
for after the data load, stopped when the load fails; and what it compiles is what the run uses."""
import json
import os
import subprocess
import sys
import time

import pytest

from rnnkit.runs import precompile


def _sleeper(*_):
    """A stand-in helper: a process that would run for a minute."""
    return subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])


def _quick(*_):
    return subprocess.Popen([sys.executable, "-c", "pass"])


@pytest.fixture
def helpers(monkeypatch):
    started = []

    def fake_start(make):
        def start(arch_name, config):
            started.append(make())
            return started[-1]
        monkeypatch.setattr(precompile, "start", start)
    monkeypatch.setattr(precompile, "worth_it", lambda: True)
    monkeypatch.setattr(precompile, "START_AFTER_SECONDS", 0.0)
    return started, fake_start


def _until_started(started):
    """Wait (at most 10 s) for the timer thread to start the helper."""
    deadline = time.monotonic() + 10
    while not started and time.monotonic() < deadline:
        time.sleep(0.01)
    assert started


def test_the_helper_is_waited_for_after_the_block(helpers):
    started, fake_start = helpers
    fake_start(_quick)
    with precompile.compiling_meanwhile("forecasting", {}):
        _until_started(started)
    assert started[0].returncode == 0                     # it ran to its end: waited, not killed


def test_the_helper_is_stopped_when_the_data_load_fails(helpers):
    started, fake_start = helpers
    fake_start(_sleeper)
    with pytest.raises(FileNotFoundError):
        with precompile.compiling_meanwhile("forecasting", {}):
            _until_started(started)
            raise FileNotFoundError("no such corpus")
    assert started[0].returncode not in (None, 0)        # killed, not left running for a minute


def test_a_helper_past_its_time_is_stopped(helpers, monkeypatch):
    started, fake_start = helpers
    fake_start(_sleeper)
    monkeypatch.setattr(precompile, "TIMEOUT_SECONDS", 0.2)
    with precompile.compiling_meanwhile("forecasting", {}):
        _until_started(started)
    assert started[0].returncode not in (None, 0)


def test_a_data_load_quicker_than_the_delay_starts_no_helper(helpers, monkeypatch):
    started, fake_start = helpers
    fake_start(_sleeper)
    monkeypatch.setattr(precompile, "START_AFTER_SECONDS", 0.5)
    with precompile.compiling_meanwhile("forecasting", {}):
        pass                                              # the data are in at once
    time.sleep(0.7)
    assert started == []


def test_no_helper_on_a_warm_cache_or_on_one_core(monkeypatch):
    from rnnkit import kernels, threads
    monkeypatch.setattr(kernels, "cache_is_empty", lambda: False)
    monkeypatch.setattr(threads, "usable_cores", lambda: 2)
    assert not precompile.worth_it()
    monkeypatch.setattr(kernels, "cache_is_empty", lambda: True)
    assert precompile.worth_it()
    monkeypatch.setattr(threads, "usable_cores", lambda: 1)
    assert not precompile.worth_it()


COUNT_COMPILES = r"""
import json, sys
from numba.core import event
compiled = []
class Count(event.Listener):
    def on_start(self, ev):
        pass
    def on_end(self, ev):
        compiled.append(ev.data["dispatcher"].py_func.__qualname__)
event.register("numba:compile", Count())
from rnnkit.runs import train
train("forecasting", overrides={"epochs": 1}, out_dir=sys.argv[1], figures=False, verbose=0)
print(json.dumps(compiled))
"""


@pytest.mark.slow
def test_after_the_helper_a_first_run_compiles_nothing(tmp_path):
    env = dict(os.environ, NUMBA_CACHE_DIR=str(tmp_path / "cache"))
    from rnnkit import plugins
    from rnnkit.runs import resolve_config
    config = resolve_config(plugins.get("forecasting"), {"epochs": 1}, None)
    helper = subprocess.run([sys.executable, "-c", precompile.HELPER_CODE,
                             json.dumps({"arch_name": "forecasting", "config": config})],
                            env=env, capture_output=True, text=True, timeout=600)
    assert helper.returncode == 0, helper.stderr
    run = subprocess.run([sys.executable, "-c", COUNT_COMPILES, str(tmp_path / "run")], env=env,
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout.strip().splitlines()[-1]) == []   # each kernel from the cache
