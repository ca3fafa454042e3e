"""``rnnkit gradcheck``: analytic BPTT gradients against finite differences, per weight array."""
import click

from rnnkit import gradcheck as gradcheck_mod
from rnnkit.tables import render

from rnnkit import plugins

from ._common import cell_option, check_cell, echo_json, style
from .train import _complete_arch


@click.command("gradcheck")
@click.option("--arch", required=True, metavar="NAME", shell_complete=_complete_arch,
              help="The architecture whose model is checked (see `rnnkit list`).")
@cell_option
@click.option("--units", type=click.IntRange(min=1), help="Units of the recurrent layer(s).")
@click.option("--entries", type=click.IntRange(min=1), default=5, show_default=True,
              help="Entries checked per weight array (the largest gradients, then random ones).")
@click.option("--samples", type=click.IntRange(min=1), default=4, show_default=True,
              help="Training samples in the batch.")
@click.option("--eps", type=click.FloatRange(min=0, min_open=True), default=gradcheck_mod.EPS,
              show_default=True, help="Step of the centred differences, relative to max(1, |w|).")
@click.option("--tolerance", type=float, default=gradcheck_mod.TOLERANCE, show_default=True,
              help="Largest accepted relative error.")
@click.option("--seed", type=int, default=0, show_default=True, help="Which random entries.")
@click.option("--format", "fmt", type=click.Choice(["text", "markdown", "latex", "csv"]),
              default="text", show_default=True, help="Table format.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def gradcheck(arch, cell, units, entries, samples, eps, tolerance, seed, fmt, as_json):
    """Check an architecture's gradients against centred finite differences (float64).

    For a few entries of every weight array (the largest gradients, then random ones), the
    analytic gradient (hand-derived BPTT) is compared with (L(w+h) - L(w-h)) / 2h, h = eps *
    max(1, |w|), on a small batch of the architecture's small data. An entry's relative error
    is |a - n| / max(max|a| + max|n| over its array, 1e-14 |L| / (eps 1e-6)): relative to
    the array's gradient scale, or to the rounding noise of the loss when every gradient of the
    array is below it (see rnnkit.gradcheck). Exit status 1 if any array fails.

    \b
    Examples:
      rnnkit gradcheck --arch forecasting
      rnnkit gradcheck --arch pos-tagging --cell gru --entries 10 --json
    """
    check_cell(cell, plugins.get(arch))
    result = gradcheck_mod.gradcheck(arch, overrides={"cell": cell, "units": units},
                                     entries=entries, samples=samples, eps=eps, seed=seed,
                                     tolerance=tolerance)
    if as_json:
        echo_json(result.to_dict())
    else:
        click.echo(render(result.tables(), fmt=fmt), nl=False)
        if result.ok:
            click.echo(style(f"OK: every gradient matches (max relative error "
                             f"{result.max_rel_error:.2e} < {tolerance:g})", fg="green"))
    if not result.ok:
        bad = ", ".join(a.name for a in result.failures())
        raise click.ClickException(
            f"gradient check failed for {bad} (max relative error {result.max_rel_error:.2e} >= "
            f"{tolerance:g}): the backward pass does not match the forward pass. Check the "
            f"layer's backward kernel for these weights.")
