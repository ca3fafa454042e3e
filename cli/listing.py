"""``rnnkit list``: the registered architectures, and the broken ones with their error."""
import textwrap

import click

from rnnkit import plugins

from ._common import echo_json, style, terminal_columns


def _fitted(line, room, indent):
    """``line`` wrapped to ``room`` characters, its next lines indented by ``indent`` (leaving at
    least 20 characters for the words)."""
    return textwrap.wrap(line, room, subsequent_indent=" " * min(indent, room - 20),
                         break_on_hyphens=False, drop_whitespace=True) or [""]


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
        room = max(terminal_columns() - 1, 20)
        table = wn + wk + wc + 6 + 20 <= room      # 20 for the summary; else one block each
        if table:
            click.echo(style(f"{'NAME'.ljust(wn)}  {'KIND'.ljust(wk)}  {'CELLS'.ljust(wc)}  "
                             f"SUMMARY", bold=True))
        for r in good:
            if table:
                head = f"{r['name'].ljust(wn)}  {r['kind'].ljust(wk)}  {r['cell_list'].ljust(wc)}  "
                lines = _fitted(head + f"{r['summary']}  [{r['package']}]", room, len(head))
                lines += _fitted(f"{' ' * wn}  predict reads: {r['input']}", room, wn + 4)
            else:
                lines = [r["name"]]
                for text in (f"{r['kind']}, cells {r['cell_list']}",
                             f"{r['summary']}  [{r['package']}]", f"predict reads: {r['input']}"):
                    lines += _fitted("  " + text, room, 4)
            name = r["name"].ljust(wn) if table else r["name"]
            lines[0] = style(name, fg="cyan") + lines[0][len(name):]
            click.echo("\n".join(lines))
    if broken:
        if good:
            click.echo("")
        click.echo(style(f"Broken ({len(broken)}): selecting one of these fails", fg="red",
                         bold=True))
        for r in broken:
            click.echo(f"{style(r['name'], fg='red')}  [{r['package']}]  {r['error']}")
