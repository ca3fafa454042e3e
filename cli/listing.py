"""``rnnkit list``: the registered architectures, and the broken ones with their error."""
import click

from rnnkit import plugins

from ._common import echo_json, style


def architecture_rows():
    """One dict per registered architecture: name, kind, summary, package, cells, input (what
    predict reads), error (or None)."""
    rows = []
    for entry in plugins.discover():
        row = {"name": entry.name, "kind": None, "summary": None, "package": entry.package,
               "cells": [], "input": None, "error": entry.error}
        if row["error"] is None:
            arch = entry.load()
            row.update(kind=arch.kind, summary=arch.summary, cells=list(arch.cells or ()),
                       input=arch.input_help)
        rows.append(row)
    return rows


@click.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list instead of a table.")
def list_command(as_json):
    """List the architectures you can train, with their kind, cells, summary and package.

    Built-in and third-party architectures are found the same way, through the entry-point
    group ``rnnkit.architectures``. One that fails to load is listed with its error; it breaks
    only the commands that select it.

    \b
    Examples:
      rnnkit list
      rnnkit list --json | python -m json.tool
    """
    rows = architecture_rows()
    if as_json:
        echo_json(rows)
        return
    if not rows:
        click.echo("No architectures are registered (entry-point group "
                   f"{plugins.GROUP!r}). Reinstall rnnkit, or install a plugin package.")
        return
    good = [r for r in rows if r["error"] is None]
    broken = [r for r in rows if r["error"] is not None]
    if good:
        for r in good:
            r["cell_list"] = ",".join(r["cells"]) or "-"
        wn = max(len(r["name"]) for r in good)
        wk = max(len(r["kind"]) for r in good)
        wc = max(len("CELLS"), *(len(r["cell_list"]) for r in good))
        click.echo(style(f"{'NAME'.ljust(wn)}  {'KIND'.ljust(wk)}  {'CELLS'.ljust(wc)}  SUMMARY",
                         bold=True))
        for r in good:
            click.echo(f"{style(r['name'].ljust(wn), fg='cyan')}  {r['kind'].ljust(wk)}  "
                       f"{r['cell_list'].ljust(wc)}  {r['summary']}  [{r['package']}]")
            click.echo(f"{' ' * wn}  predict reads: {r['input']}")
    if broken:
        if good:
            click.echo("")
        click.echo(style(f"Broken ({len(broken)}): selecting one of these fails", fg="red",
                         bold=True))
        for r in broken:
            click.echo(f"{style(r['name'], fg='red')}  [{r['package']}]  {r['error']}")
