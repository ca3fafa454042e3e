"""``rnnkit summary``: the Keras-style table of an architecture's model or a trained run's."""
import click

from rnnkit import runs

from .train import _complete_arch


@click.command("summary")
@click.argument("run_dir", required=False, metavar="[RUN_DIR]")
@click.option("--arch", metavar="NAME", shell_complete=_complete_arch,
              help="Summarise this architecture's default model (built on small data).")
@click.option("--explain", is_flag=True, help="Add the arithmetic behind each parameter count.")
def summary(run_dir, arch, explain):
    """The Keras-style summary of a trained run's model, or of an architecture's.

    \b
    Examples:
      rnnkit summary --arch forecasting --explain
      rnnkit summary runs/pos-tagging-20250101-120000
    """
    if (run_dir is None) == (arch is None):
        raise click.UsageError("give either RUN_DIR or --arch NAME (one of them)")
    if arch is not None:
        model = runs.build_default_model(arch)
        click.echo(f"{arch}'s default layers, built on its small sample data: vocabulary and "
                   f"output sizes (so some counts) differ from a trained model's; for those, "
                   f"`rnnkit summary RUN_DIR`.\n")
    else:
        model = runs.load_run(run_dir).model
    model.summary(explain=explain, print_fn=click.echo)
