"""``rnnkit data fetch|info NAME``: an architecture's default corpus, ahead of time."""
import click

from rnnkit import plugins

from ._common import echo_json, say, style


def _show(info):
    width = max((len(str(k)) for k in info), default=0)
    for key, value in info.items():
        if key == "size" and isinstance(value, int):
            value = f"{value:,} bytes ({value / 1e6:.1f} MB)"
        click.echo(f"{style(str(key).ljust(width), bold=True)}  {value}")


@click.group("data")
def data():
    """Fetch or describe an architecture's default data set.

    \b
    Examples:
      rnnkit data info pos-tagging
      rnnkit data fetch pos-tagging     download once, before class
    """


@data.command("fetch")
@click.argument("name")
@click.option("--json", "as_json", is_flag=True, help="Print what was fetched as JSON.")
def fetch(name, as_json):
    """Download NAME's default corpus into the rnnkit cache (nothing to do if it is there).

    The cache folder is $RNNKIT_CACHE, else $XDG_CACHE_HOME/rnnkit, else ~/.cache/rnnkit.
    Without network access the command fails with a message saying what to do instead.

    \b
    Example:
      rnnkit data fetch pos-tagging
    """
    arch = plugins.get(name)
    info = arch.fetch(progress=say)
    if as_json:
        echo_json(info)
    else:
        _show(info)


@data.command("info")
@click.argument("name")
@click.option("--json", "as_json", is_flag=True, help="Print the description as JSON.")
def info(name, as_json):
    """Where NAME's default corpus is cached, its size, source and licence (no download).

    \b
    Example:
      rnnkit data info pos-tagging
    """
    arch = plugins.get(name)
    description = dict(arch.data_info())
    description.setdefault("--data formats", arch.data_help)
    if as_json:
        echo_json(description)
    else:
        _show(description)
