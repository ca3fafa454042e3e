"""``rnnkit sweep``: many runs of one architecture at once, on Dask (rnnkit.sweep)."""
import click

from rnnkit import sweep as sweeps
from rnnkit.errors import ConfigError
from rnnkit.sweep.progress import SweepProgress

from ._common import assignments, say, settings, style


@click.command("sweep")
@click.option("--arch", "arch", metavar="NAME", help="The architecture (see `rnnkit list`).")
@click.option("--grid", "grid", multiple=True, metavar="KEY=V1,V2,...",
              help="A config key and its values; several --grid are crossed (repeatable).")
@click.option("--sample", "space", multiple=True, metavar="KEY=SPACE",
              help="Draw KEY at random for --samples: KEY=V1,V2 (choices), KEY=uniform(lo,hi) "
                   "or KEY=loguniform(lo,hi); each sample is crossed with the grid.")
@click.option("--samples", type=click.IntRange(min=1), help="How many random samples to draw.")
@click.option("--sample-seed", type=int, default=0, show_default=True,
              help="Seed of the random samples (not of the runs: grid seed=... for those).")
@click.option("--set", "fixed", multiple=True, metavar="KEY=VALUE",
              help="A hyperparameter every point shares, e.g. --set epochs=20 (repeatable).")
@click.option("--spec", "spec_file", metavar="FILE",
              help="The sweep as a JSON file (arch, grid, random, config), instead of the "
                   "options above; a sweep folder's spec.json is one.")
@click.option("--out", "out_dir", metavar="DIR",
              help="Sweep folder (default: sweeps/<arch>-<date>-<time>). Running the same sweep "
                   "with the same --out again skips finished points and resumes the others.")
@click.option("--scheduler", metavar="ADDRESS",
              help="An existing Dask scheduler, e.g. tcp://10.0.0.5:8786 (default: a local "
                   "cluster).")
@click.option("--workers", type=click.IntRange(min=1),
              help="Local worker processes (default: one per core).")
def sweep(arch, grid, space, samples, sample_seed, fixed, spec_file, out_dir, scheduler, workers):
    """Train every point of a grid of configs, each an ordinary run folder, on Dask.

    Each point is a run folder inside the sweep folder (evaluate it, resume it, plot it like any
    `rnnkit train` run); the folder also gets spec.json and the results table (results.csv,
    results.json). At the end the table shows the headline metric's mean and spread over seeds.
    Ctrl-C stops the sweep; run it again with the same --out to go on.

    \b
    Examples:
      rnnkit sweep --arch forecasting --grid cell=rnn,lstm,gru --grid seed=0,1,2 \\
                   --set epochs=50 --out sweeps/cells
      rnnkit sweep --arch char-lm --grid lr=0.001,0.003 --workers 2
      rnnkit sweep --arch forecasting --sample lr=loguniform(0.0003,0.03) --samples 8 \\
                   --grid seed=0,1
      rnnkit sweep --spec sweeps/cells/spec.json --out sweeps/cells   go on with a sweep
      rnnkit sweep --spec class.json --scheduler tcp://10.0.0.5:8786
    """
    if spec_file is not None:
        if arch or grid or space or samples or fixed:
            raise click.UsageError("--spec FILE holds the whole sweep: leave out --arch, --grid, "
                                   "--sample, --samples and --set")
        spec = sweeps.read_spec_file(spec_file)
    else:
        if arch is None:
            raise click.UsageError("name an architecture with --arch NAME (see `rnnkit list`), "
                                   "or give a sweep file with --spec FILE")
        spec = sweeps.make_spec(arch, grid=assignments(grid, "--grid"),
                                random=_random(space, samples, sample_seed),
                                config=settings(fixed))
    if workers is not None and scheduler is not None:
        raise click.UsageError("--workers sizes a local cluster; an existing cluster "
                               "(--scheduler) has the workers it was started with")
    progress = SweepProgress()
    try:
        try:
            done = sweeps.run_sweep(spec, out_dir=out_dir, scheduler=scheduler, workers=workers,
                                    say=say, on_update=progress)
        finally:
            progress.close()
    except sweeps.SweepInterrupted as stop:
        click.echo(style(stop.message, fg="yellow"), err=True)
        raise SystemExit(130)
    for line in table_lines(sweeps.summary_rows(done.results)):
        click.echo(line)
    failed = [p for p in done.points if p["status"] != "finished"]
    for p in failed:
        click.echo(style(f"{p['name']}: {p['status']}" + (f": {p['error']}" if p["error"] else ""),
                         fg="red"))
    click.echo(f"Sweep folder: {style(str(done.path), fg='green')} "
               f"({len(done.points) - len(failed)} of {len(done.points)} points finished)")
    if failed:
        raise SystemExit(1)


def _random(options, samples, seed):
    if bool(options) != bool(samples):
        raise click.UsageError("--sample KEY=... and --samples N go together: what to draw, "
                               "and how many draws")
    if not options:
        return None
    space = {}
    for text in options:
        key, entry = sweeps.parse_space(text)
        space[key] = entry
    return {"samples": samples, "seed": seed, "space": space}


def table_lines(rows):
    """Rows of strings as aligned columns, the first (the header) in bold."""
    widths = [max(len(row[k]) for row in rows) for k in range(len(rows[0]))]
    lines = []
    for n, row in enumerate(rows):
        line = "  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip()
        lines.append(style(line, bold=True) if n == 0 else line)
    return lines
