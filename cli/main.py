"""The ``rnnkit`` command line (a Click group); commands live in their own modules.

Every command only calls rnnkit's public Python API (``rnnkit.runs``, ``rnnkit.gradcheck``,
``rnnkit.trace``, ``rnnkit.plugins``). Mistakes a user can fix (see ``_common.USER_ERRORS``) are
printed as ``Error: <message>`` with exit status 1 and no traceback, unless ``--debug`` is given.
"""
import os
import shlex
import sys
import warnings

import click

from rnnkit import __version__

from ._common import USER_ERRORS, bug_message, user_error_message


class RnnkitGroup(click.Group):
    """A group that turns user errors into ``Error: ...`` (exit 1) unless --debug is on; any
    other exception is shown as a bug (one line, how to see its traceback, where to report)."""

    def parse_args(self, ctx, args):
        ctx.meta["rnnkit.argv"] = list(args)        # for the bug message's `rnnkit --debug ...`
        return super().parse_args(ctx, args)

    def invoke(self, ctx):
        try:
            # numpy's RuntimeWarnings (overflow, invalid value) are never shown to a user: rnnkit
            # checks its results for NaN and infinity and says what went wrong instead
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except BrokenPipeError:            # `rnnkit list | head`: the reader has gone; no more to say
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            ctx.exit(1)
        except Exception as err:
            if ctx.params.get("debug"):
                raise
            message = user_error_message(err) if isinstance(err, USER_ERRORS) else None
            if message is None:
                command = shlex.join(ctx.meta.get("rnnkit.argv", []))
                raise click.ClickException(bug_message(err, command)) from None
            raise click.ClickException(message) from None
        except KeyboardInterrupt:
            if ctx.params.get("debug"):
                raise
            click.echo("Interrupted.", err=True)
            ctx.exit(130)


@click.group(cls=RnnkitGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="rnnkit")
@click.option("--debug", is_flag=True, help="Show the full traceback of an error.")
def cli(debug):
    """rnnkit: recurrent neural networks for teaching, with hand-derived BPTT.

    \b
    Examples:
      rnnkit trace --example slides --backward   the lecture's tables, forward and BPTT
      rnnkit list                                the architectures you can train
      rnnkit train --arch pos-tagging            train one; prints its run folder
      rnnkit evaluate runs/pos-tagging-...       test metrics beside the baseline
      rnnkit predict runs/pos-tagging-... "saya makan nasi"

    \b
    Exit status: 0 success, 1 failure (a message says what to do), 2 usage error,
    130 interrupted. Colours only on a terminal; set NO_COLOR=1 to turn them off.

    \b
    Shell completion (bash; zsh and fish alike with zsh_source / fish_source):
      eval "$(_RNNKIT_COMPLETE=bash_source rnnkit)"
    """


def _register():
    from .check import check
    from .data import data
    from .gradcheck import gradcheck
    from .listing import list_command
    from .plot import figures, plot
    from .summary import summary
    from .sweep import sweep
    from .trace import trace
    from .train import evaluate, predict, train
    for command in (list_command, data, train, evaluate, predict, summary, trace, gradcheck,
                    check, plot, figures):
        cli.add_command(command)
    cli.add_command(sweep)


_register()
