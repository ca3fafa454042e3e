"""Running the checks: one by name, all of them as a report, or each as a pytest case."""
import sys
import time
import traceback

from ..errors import CheckFailed, ConformanceError
from .checks import CHECKS
from .helpers import label, raised_at, resolve_arch
from .report import CheckReport, CheckResult


def run_check(arch, name, config=None):
    """Run the check called ``name`` on ``arch``; returns a :class:`CheckResult` (never raises,
    except KeyError for an unknown check name)."""
    if name not in CHECKS:
        raise KeyError(f"no check named {name!r}; the checks are {', '.join(CHECKS)}")
    start = time.perf_counter()
    try:
        skip_reason = CHECKS[name](resolve_arch(arch), config)
    except CheckFailed as err:
        return CheckResult(name, False, str(err), time.perf_counter() - start)
    except Exception as err:
        detail = "".join(traceback.format_exception_only(type(err), err)).strip()
        return CheckResult(name, False, f"the check itself crashed: {detail}{raised_at(err)}",
                           time.perf_counter() - start)
    return CheckResult(name, True, "", time.perf_counter() - start, skip_reason or "")


def check_architecture(arch, config=None, checks=None):
    """Run the kit's checks on ``arch`` (an instance, a class, or a registered name).

    ``config`` overrides keys of the kit config (see :func:`kit_config`); ``checks`` limits the run
    to some check names. Returns a :class:`CheckReport`; call ``raise_on_failure()`` on it to fail
    a test.
    """
    arch = resolve_arch(arch)
    names = list(CHECKS) if checks is None else list(checks)
    heading = label(arch) + (f" with config {config!r}" if config else "")
    return CheckReport(heading, [run_check(arch, n, config) for n in names])


class Check:
    """One check bound to an architecture, for pytest: ``str(check)`` is its name, ``check()`` runs
    it and raises :class:`ConformanceError` with the reason if it fails (under pytest, a check
    that does not apply is skipped with its reason)."""

    def __init__(self, arch, name, config=None):
        self.arch, self.name, self.config = arch, name, config

    def run(self):
        return run_check(self.arch, self.name, self.config)

    def __call__(self):
        result = self.run()
        if not result.passed:
            raise ConformanceError(f"{self.name} failed for {label(resolve_arch(self.arch))}:\n"
                                   f"{result.message}")
        if result.skipped and "pytest" in sys.modules:
            sys.modules["pytest"].skip(f"{self.name}: {result.skip_reason}")
        return result

    def __str__(self):
        return self.name

    def __repr__(self):
        return f"<Check {self.name} of {getattr(self.arch, 'name', self.arch)!r}>"


def architecture_checks(arch, config=None):
    """The kit's checks as :class:`Check` objects for ``pytest.mark.parametrize(..., ids=str)``."""
    return [Check(arch, name, config) for name in CHECKS]


def parametrize_checks(arch, config=None, argname="check"):
    """Decorator: ``@parametrize_checks(MyArch())`` makes one test case per check."""
    import pytest
    return pytest.mark.parametrize(argname, architecture_checks(arch, config), ids=str)
