"""``rnnkit check ARCH``: the conformance kit (rnnkit.testing) on a registered architecture."""
import click

from rnnkit import plugins
from rnnkit.testing import CHECKS, check_architecture

from ._common import cell_option, check_cell, style
from .train import _complete_arch

STATUS_COLOURS = {"pass": "green", "FAIL": "red", "skip": "yellow"}


@click.command("check")
@click.argument("arch", metavar="ARCH", shell_complete=_complete_arch)
@click.option("--check", "names", multiple=True, type=click.Choice(list(CHECKS)),
              metavar="CHECK", help="Run only this check (repeatable); default: every check.")
@cell_option
def check(arch, names, cell):
    """Run the conformance kit on ARCH: does the architecture keep rnnkit's promises?

    Each check builds what it needs from the architecture's small data, with a small config.
    One line per check: pass, FAIL (the reason follows) or skip (with why it does not apply).
    Exit status 1 if a check fails. The checks, in order:

    \b
    {checks}

    \b
    Examples:
      rnnkit check pos-tagging
      rnnkit check my-arch --check gradients_match_finite_differences --cell gru
    """
    arch = plugins.get(arch)                    # an unknown name lists the known ones
    check_cell(cell, arch)
    report = check_architecture(arch, config={"cell": cell} if cell else None,
                                checks=list(names) or None)
    head, *lines = str(report).splitlines()
    click.echo(style(head, bold=True))
    for line in lines:
        status = line.split()[0] if line.startswith("  ") and not line.startswith("   ") else ""
        click.echo(line.replace(status, style(status, fg=STATUS_COLOURS[status]), 1)
                   if status in STATUS_COLOURS else line)
    if not report.passed:
        failed = ", ".join(r.name for r in report.failures)
        raise click.ClickException(f"{arch.name} fails {len(report.failures)} check(s): {failed}. "
                                   f"Each reason is under its FAIL line above.")


check.help = check.help.replace("{checks}", "\n    ".join(CHECKS))
