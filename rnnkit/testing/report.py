"""What a run of the kit gives back: one :class:`CheckResult` per check, in a :class:`CheckReport`."""
import textwrap
from dataclasses import dataclass

from ..errors import ConformanceError


@dataclass
class CheckResult:
    """The outcome of one check: passed, failed (``message`` says why) or skipped (``skip_reason``
    says why it does not apply; a skipped check counts as passed)."""
    name: str
    passed: bool
    message: str = ""
    seconds: float = 0.0
    skip_reason: str = ""

    @property
    def skipped(self):
        return bool(self.skip_reason)

    @property
    def status(self):
        """``"pass"``, ``"FAIL"`` or ``"skip"``, as the report prints it."""
        return "skip" if self.skipped else "pass" if self.passed else "FAIL"

    def __bool__(self):
        return self.passed

    def __str__(self):
        why = self.skip_reason or ("" if self.passed else self.message)
        return f"{self.status}  {self.name}" + (f": {why}" if why else "")


class CheckReport(list):
    """A list of :class:`CheckResult`, one per check, in the kit's order."""

    def __init__(self, arch_label, results=()):
        super().__init__(results)
        self.arch_label = arch_label

    @property
    def passed(self):
        return all(r.passed for r in self)

    def __bool__(self):
        return self.passed

    @property
    def failures(self):
        return [r for r in self if not r.passed]

    @property
    def skips(self):
        return [r for r in self if r.skipped]

    def __getitem__(self, key):
        """By position, or by check name: ``report["demo_runs"]``."""
        if isinstance(key, str):
            for r in self:
                if r.name == key:
                    return r
            raise KeyError(f"no check named {key!r}; the checks are {', '.join(r.name for r in self)}")
        return super().__getitem__(key)

    def __str__(self):
        """A head line with the counts, then one line per check: pass/FAIL/skip, its name, its time,
        and under a failure (or beside a skip) the reason."""
        n_fail, n_skip = len(self.failures), len(self.skips)
        lines = [f"rnnkit conformance kit, {self.arch_label}: {len(self) - n_fail - n_skip} passed, "
                 f"{n_fail} failed, {n_skip} skipped"]
        width = max((len(r.name) for r in self), default=0)
        for r in self:
            line = f"  {r.status}  {r.name:<{width}}  {r.seconds:6.2f}s"
            lines.append(line + (f"  ({r.skip_reason})" if r.skipped else ""))
            if not r.passed:
                for par in r.message.splitlines():
                    lines.extend(textwrap.wrap(par, 100, initial_indent=" " * 8,
                                               subsequent_indent=" " * 8,
                                               break_on_hyphens=False, break_long_words=False))
        return "\n".join(lines)

    def __repr__(self):
        return f"<CheckReport {self.arch_label}: {[str(r).split(':')[0] for r in self]}>"

    def raise_on_failure(self):
        """Raise :class:`ConformanceError` with this report's text if any check failed."""
        if not self.passed:
            raise ConformanceError(str(self))
        return self
