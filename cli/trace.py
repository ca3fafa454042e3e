"""``rnnkit trace``: the lecture's step-by-step tables, computed by the engine."""
import click

from rnnkit import trace as trace_mod
from rnnkit.tables import render


@click.command("trace")
@click.option("--example", type=click.Choice(["slides"]), default="slides", show_default=True,
              help="Which worked example to trace (the lecture's A, B, C, C sequence).")
@click.option("--backward", is_flag=True, help="Also print the backpropagation-through-time tables.")
@click.option("--format", "fmt", type=click.Choice(["text", "markdown", "latex", "csv"]),
              default="text", show_default=True, help="Output format (LaTeX drops into beamer).")
@click.option("--digits", type=click.IntRange(1, 12), default=3, show_default=True,
              help="Decimals shown (the slides use 3).")
def trace(example, backward, fmt, digits):
    """Print the lecture's forward tables per timestep (and the BPTT tables with --backward).

    \b
    Example:
      rnnkit trace --example slides
      rnnkit trace --example slides --backward --format latex > bptt.tex
    """
    click.echo(render(trace_mod.slides_tables(backward=backward), fmt=fmt, digits=digits), nl=False)
