"""``rnnkit train``, ``rnnkit evaluate`` and ``rnnkit predict``: runs of an architecture."""
import click

from rnnkit import kernels, plugins, runs
from rnnkit.plugins import names as architecture_names

from ._common import (ProgressReporter, cell_option, check_cell, echo_json, metrics_table, say,
                      settings, style)


def _complete_arch(ctx, param, incomplete):
    try:
        return [n for n in architecture_names() if n.startswith(incomplete)]
    except Exception:        # completion must never fail loudly
        return []


run_dir_argument = click.argument(
    "run_dir", type=click.Path(file_okay=False, path_type=str), metavar="RUN_DIR")


@click.command("train")
@click.option("--arch", "arch", metavar="NAME", shell_complete=_complete_arch,
              help="The architecture to train (see `rnnkit list`).")
@click.option("--data", "data_path", metavar="PATH",
              help="A data file in the architecture's format (default: its own data).")
@cell_option
@click.option("--units", type=click.IntRange(min=1), help="Units of the recurrent layer(s).")
@click.option("--epochs", type=click.IntRange(min=0), help="Passes over the training data.")
@click.option("--batch-size", type=click.IntRange(min=1), help="Samples per gradient step.")
@click.option("--lr", type=click.FloatRange(min=0, min_open=True), help="Learning rate.")
@click.option("--clipnorm", type=click.FloatRange(min=0, min_open=True),
              help="Clip each weight's gradient to this norm (Keras' clipnorm, per weight).")
@click.option("--seed", type=int, help="Random seed (weights, shuffling).")
@click.option("--float32/--float64", "float32", default=None,
              help="Float type (default: the config's, else float32 for speed).")
@click.option("--out", "out_dir", metavar="DIR",
              help="Run folder (default: runs/<arch>-<date>-<time>).")
@click.option("--config", "config_file", metavar="FILE",
              help="A JSON object of hyperparameters; options override it.")
@click.option("--set", "assignments", multiple=True, metavar="KEY=VALUE",
              help="Any other hyperparameter of the architecture, e.g. --set text=zen "
                   "(repeatable; a wrong KEY is answered with the known ones).")
@click.option("--resume", metavar="RUN_DIR",
              help="Continue an interrupted run from its checkpoint, or a finished one from its "
                   "model (to the configured epochs; raise them with --epochs).")
@click.option("--figures/--no-figures", default=True, show_default=True,
              help="Draw the loss curves (PNG and PDF) at the end.")
def train(arch, data_path, cell, units, epochs, batch_size, lr, clipnorm, seed, float32, out_dir,
          config_file, assignments, resume, figures):
    """Train an architecture: progress per epoch, then test metrics beside a baseline.

    Hyperparameters come from the architecture's defaults, then the --config file, then --set
    and the other options. The run folder gets the model, its config, the history of every epoch, the test
    metrics, the loss curves and a checkpoint after every epoch (once finished, the model
    file holds what training on needs and the checkpoint is removed). Ctrl-C saves a checkpoint;
    --resume continues from it. A NaN or infinite loss stops training and keeps the last good
    checkpoint.

    \b
    Examples:
      rnnkit train --arch pos-tagging
      rnnkit train --arch forecasting --cell lstm --units 16 --epochs 50 --out runs/air
      rnnkit train --arch char-lm --data my_text.txt --config char.json
      rnnkit train --arch char-lm --set text=zen --set stride=3
      rnnkit train --resume runs/air --epochs 80      continue, to 80 epochs
    """
    if arch is None and resume is None:
        raise click.UsageError("name an architecture with --arch NAME (see `rnnkit list`), or "
                               "continue a run with --resume RUN_DIR")
    if out_dir is not None and resume is not None:
        raise click.UsageError("--out and --resume cannot be combined: a resumed run stays in "
                               "its folder")
    if arch is not None:
        try:
            arch = plugins.get(arch)
        except plugins.PluginError as err:
            if arch in architecture_names():     # registered but broken: exit 1, the reason
                raise
            raise click.BadParameter(str(err), param_hint="'--arch'") from None  # with suggestions
    check_cell(cell, arch)
    overrides = {"cell": cell, "units": units, "epochs": epochs, "batch_size": batch_size,
                 "lr": lr, "clipnorm": clipnorm, "seed": seed,
                 "floatx": None if float32 is None else ("float32" if float32 else "float64")}
    for key, value in settings(assignments).items():
        if overrides.get(key) is not None:
            raise click.UsageError(f"{key} is given twice, as --set {key}= and as an option; "
                                   f"keep one")
        overrides[key] = value
    if kernels.cache_is_empty():
        say(f"First run: rnnkit compiles its kernels for this machine, once (about "
            f"{kernels.COMPILE_SECONDS} of work, some of it while the data are loading); "
            f"later runs reuse them.")
    try:
        run = runs.train(arch, overrides=overrides, data_path=data_path, out_dir=out_dir,
                         config_file=config_file, resume=resume, progress=say,
                         callbacks=[ProgressReporter()], figures=figures)
    except runs.TrainingInterrupted as stop:
        click.echo("")
        click.echo(style(stop.cli or stop.message, fg="yellow"), err=True)
        raise SystemExit(130)
    metrics = run.metrics
    click.echo("")
    click.echo(style(f"{run.arch}: test metrics after {run.epochs_done} "
                     f"epoch{'' if run.epochs_done == 1 else 's'} "
                     f"({metrics['seconds']:.1f}s)", bold=True))
    for line in metrics_table(metrics["test"], metrics["baseline"], metrics.get("headline_metric")):
        click.echo(line)
    click.echo(f"Run folder: {style(str(run.path), fg='green')}")


@click.command("evaluate")
@run_dir_argument
@click.option("--data", "data_path", metavar="PATH",
              help="Score every sample of this file (the training format), encoded with the "
                   "run's vocabularies and scales, instead of the run's test split.")
@click.option("--json", "as_json", is_flag=True, help="Print the metrics as JSON.")
def evaluate(run_dir, data_path, as_json):
    """Test metrics of a trained run, beside the architecture's baseline.

    \b
    Examples:
      rnnkit evaluate runs/pos-tagging-20250101-120000
      rnnkit evaluate runs/tagger --data other_corpus.conllu --json
    """
    result = runs.evaluate_run(run_dir, data_path=data_path)
    if as_json:
        echo_json(result)
        return
    click.echo(style(f"{result['arch']} on {result['data']} data ({result['samples']:,} "
                     f"samples)", bold=True))
    for line in metrics_table(result["test"], result["baseline"]):
        click.echo(line)
    if result["baseline_is"]:
        click.echo(f"Baseline: {result['baseline_is']}")
    if result["status"] != "finished":
        click.echo(style(f"The run is {result['status']} after {result['epochs']} epoch"
                         f"{'' if result['epochs'] == 1 else 's'}: these are the weights it "
                         f"reached, not a finished model. Resume it with `rnnkit train --resume "
                         f"{result['run']}`.", fg="yellow"))


@click.command("predict")
@run_dir_argument
@click.argument("inputs", nargs=-1, metavar="INPUT...")
@click.option("--json", "as_json", is_flag=True,
              help="Print {arch, inputs, predictions} as JSON: per input the tokens the model "
                   "read (unknown ones marked) and its answer (tags, probabilities, generated "
                   "tokens or forecast).")
def predict(run_dir, inputs, as_json):
    """Run a trained model on INPUT(s): tag a sentence, classify, translate, forecast ...

    What an input is depends on the architecture (see `rnnkit list`); with no INPUT, the
    architecture's own demonstration runs. An empty input, or one with no symbol the model
    knows, is refused (exit status 1) with what the architecture reads.

    \b
    Examples:
      rnnkit predict runs/pos-tagging-... "saya makan nasi goreng"
      rnnkit predict runs/translation-... "red heart" "smiling face"
      rnnkit predict runs/char-lm-... hel --json
    """
    if as_json:
        echo_json(runs.predict_run_json(run_dir, list(inputs) or None))
        return
    output = runs.predict_run(run_dir, list(inputs) or None)
    if isinstance(output, (list, tuple)):
        for line in output:
            click.echo(str(line))
    elif isinstance(output, dict):
        for key, value in output.items():
            click.echo(f"{key}: {value}")
    else:
        click.echo(str(output))
