"""``rnnkit check ARCH`` (the conformance kit from the command line) and ``rnnkit gradcheck --eps``."""
import json

from click.testing import CliRunner

from rnnkit.cli.main import cli
from rnnkit.testing import CHECKS

from test_cli_commands import run_cli  # noqa: F401  (the fixture: the tiny architectures)


def test_check_prints_one_line_per_check(run_cli):
    out = run_cli("check", "tiny-tagger").output
    lines = out.splitlines()
    assert "tiny-tagger" in lines[0]
    assert f"{len(CHECKS) - 1} passed, 0 failed, 1 skipped" in lines[0]
    for name, line in zip(CHECKS, lines[1:]):
        assert line.split()[1] == name and line.split()[0] in ("pass", "skip")
    (skip,) = [line for line in lines if line.lstrip().startswith("skip")]
    assert "masked_gradients" in skip and "not token ids" in skip       # the reason is shown
    assert "\x1b[" not in out


def test_check_runs_one_check(run_cli):
    lines = run_cli("check", "tiny-tagger", "--check", "demo_runs").output.splitlines()
    assert len(lines) == 2 and lines[1].split()[:2] == ["pass", "demo_runs"]


def test_a_failing_check_exits_1_with_its_reason(run_cli):
    out = run_cli("check", "tiny-regress", "--cell", "gru", "--check", "model_builds",
                  code=1).output
    assert "FAIL  model_builds" in out and "cell 'gru' is not available" in out
    assert "Error: tiny-regress fails 1 check(s): model_builds" in out


def test_an_unknown_architecture_lists_the_known_ones(run_cli):
    result = run_cli("check", "tiny-taggr", code=1)
    assert "unknown architecture 'tiny-taggr'" in result.output and "tiny-tagger" in result.output
    assert "Traceback" not in result.output


def test_an_unknown_check_is_a_usage_error(run_cli):
    out = run_cli("check", "tiny-tagger", "--check", "no_such_check", code=2).output
    assert "demo_runs" in out


def test_gradcheck_takes_the_step(run_cli):
    data = json.loads(run_cli("gradcheck", "--arch", "tiny-tagger", "--eps", "1e-4",
                              "--json").output)
    assert data["eps"] == 1e-4 and data["ok"]
    run_cli("gradcheck", "--arch", "tiny-tagger", "--eps", "0", code=2)


def test_check_has_help_with_an_example():
    result = CliRunner().invoke(cli, ["check", "--help"])
    assert result.exit_code == 0 and "rnnkit check pos-tagging" in result.output
    assert all(name in result.output for name in CHECKS)
