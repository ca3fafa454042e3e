"""``rnnkit check ARCH``: the conformance kit (rnnkit.testing) on a registered architecture;
``rnnkit check --cell module:Class``: the cell kit (``rnnkit.testing.check_cell``) on a cell."""
import sys

import click

from rnnkit import plugins
from rnnkit.layers.cells import Cell, import_cell_class
from rnnkit.testing import CHECKS, check_architecture, check_cell as check_custom_cell

from ._common import cell_option, check_cell, style
from .train import _complete_arch

STATUS_COLOURS = {"pass": "green", "FAIL": "red", "skip": "yellow"}


@click.command("check")
@click.argument("arch", metavar="[ARCH]", required=False, shell_complete=_complete_arch)
@click.option("--check", "names", multiple=True, type=click.Choice(list(CHECKS)),
              metavar="CHECK", help="Run only this check (repeatable); default: every check.")
@cell_option
def check(arch, names, cell):
    """Run the conformance kit on ARCH: does the architecture keep rnnkit's promises? Or, with
    --cell module:Class and no ARCH, check your own recurrent cell (its step's forward and
    backward) and name the equation that is off.

    Each check builds what it needs from the architecture's small data, with a small config.
    One line per check: pass, FAIL (the reason follows) or skip (with why it does not apply).
    Exit status 1 if a check fails. The checks, in order:

    \b
    {checks}

    \b
    Examples:
      rnnkit check pos-tagging
      rnnkit check my-arch --check gradients_match_finite_differences --cell gru
      rnnkit check --cell mycells:ElmanCell
    """
    if cell is not None and ":" in cell:
        if arch is not None or names:
            raise click.UsageError("--cell module:Class checks a cell on its own: give no ARCH "
                                   "and no --check")
        _echo_report(check_custom_cell(_load_cell(cell)), f"cell {cell}")
        return
    if arch is None:
        raise click.UsageError("give an architecture (rnnkit list shows them), or a cell of "
                               "your own as --cell module:Class")
    arch = plugins.get(arch)                    # an unknown name lists the known ones
    check_cell(cell, arch)
    report = check_architecture(arch, config={"cell": cell} if cell else None,
                                checks=list(names) or None)
    _echo_report(report, arch.name)


def _load_cell(path):
    """The Cell that ``module:Name`` names: an instance, or a class built with no arguments.
    The current folder is importable, as for ``python -m``."""
    if "" not in sys.path:
        sys.path.insert(0, "")
    try:
        obj = import_cell_class(path)
    except ValueError as err:
        raise click.BadParameter(str(err), param_hint="'--cell'") from None
    if isinstance(obj, type) and issubclass(obj, Cell):
        try:
            return obj()
        except TypeError as err:
            raise click.BadParameter(
                f"{path} cannot be built with no arguments ({err}): give its constructor "
                f"defaults (e.g. units=3), or name an instance, module:my_cell",
                param_hint="'--cell'") from None
    if isinstance(obj, Cell):
        return obj
    raise click.BadParameter(f"{path} is {obj!r}, not a cell: name a subclass of "
                             f"rnnkit.layers.cells.Cell (or an instance of one)",
                             param_hint="'--cell'")


def _echo_report(report, subject):
    """Print ``report`` with coloured statuses; exit status 1 if a check failed."""
    head, *lines = str(report).splitlines()
    click.echo(style(head, bold=True))
    for line in lines:
        status = line.split()[0] if line.startswith("  ") and not line.startswith("   ") else ""
        click.echo(line.replace(status, style(status, fg=STATUS_COLOURS[status]), 1)
                   if status in STATUS_COLOURS else line)
    if not report.passed:
        failed = ", ".join(r.name for r in report.failures)
        raise click.ClickException(f"{subject} fails {len(report.failures)} check(s): {failed}. "
                                   f"Each reason is under its FAIL line above.")


check.help = check.help.replace("{checks}", "\n    ".join(CHECKS))
