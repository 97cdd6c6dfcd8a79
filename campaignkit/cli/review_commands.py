"""``graph`` and ``preview``: what a reviewer looks at instead of the YAML.

Both refuse a workspace with errors (printing them as ``validate`` does), since
a picture of a broken program or a preview of an email that does not render
would mislead the reviewer. The drawing and the site are made by ``diagram``
and ``preview``; this module only parses arguments, writes and prints.
"""

from __future__ import annotations

from pathlib import Path

import click

from campaignkit.cli import main
from campaignkit.cli.common import valid_workspace
from campaignkit.cli.completion import complete_addresses
from campaignkit.errors import UserError
from campaignkit.views import diagram
from campaignkit.views.preview import DEFAULT_OUT, write_site
from campaignkit.workspace.addresses import resolve


@main.command()
@click.argument("program", shell_complete=complete_addresses("program"))
@click.option("--format", "fmt", type=click.Choice(diagram.FORMATS), default="mermaid", show_default=True,
              help="mermaid (GitHub renders it), dot (Graphviz source) or svg (drawn by Graphviz).")
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), metavar="FILE",
              help="Write to FILE instead of standard output.")
def graph(program: str, fmt: str, out: Path | None) -> None:
    """Draw PROGRAM's steps (program.NAME or NAME): actions, waits, triggers and rules with yes/no branches."""
    workspace, _ = valid_workspace()
    resource = resolve(workspace, program, "program")
    text = diagram.draw(diagram.diagram_of(resource.name, resource.data), fmt)
    if out is None:
        click.echo(text, nl=False)
        return
    try:
        out.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise UserError(f"cannot write {out}: {exc.strerror}") from None
    click.echo(f"Wrote the {fmt} diagram of {resource.address} to {out}", err=True)


@main.command()
@click.option("--out", "out", type=click.Path(file_okay=False, path_type=Path), metavar="DIR",
              help=f"Write the site into DIR (default: {DEFAULT_OUT} in the workspace).")
def preview(out: Path | None) -> None:
    """Write a static site for reviewers: every email rendered for sample prospects, every program drawn.

    Open DIR/index.html in a browser; it needs no server.
    """
    workspace, _ = valid_workspace()
    folder = out if out is not None else workspace.root / DEFAULT_OUT
    try:
        index = write_site(workspace, folder)
    except OSError as exc:
        raise UserError(f"cannot write the preview into {folder}: {exc.strerror}") from None
    click.echo(f"Wrote the preview to {index}; open it in a browser")

