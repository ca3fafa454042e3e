"""The ``rnnkit`` command line (a Click group); commands live in their own modules."""
import click

from rnnkit import __version__


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="rnnkit")
def cli():
    """rnnkit: recurrent neural networks for teaching, with hand-derived BPTT."""


def _register():
    from .trace import trace
    cli.add_command(trace)


_register()
