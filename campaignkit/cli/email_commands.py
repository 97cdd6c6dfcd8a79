"""``render``: what one email, or one dynamic content, looks like for one prospect."""

from __future__ import annotations

import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import click

from campaignkit.checks import check_workspace
from campaignkit.cli import main
from campaignkit.emails import EmailContext, render_email
from campaignkit.emails.blockers import render_blockers
from campaignkit.emails.dynamic_content import field_of, shown
from campaignkit.errors import UserError
from campaignkit.targets import merge_language
from campaignkit.views.diagnostics import format_diagnostics
from campaignkit.workspace.addresses import resolve
from campaignkit.workspace.loading import find_root
from campaignkit.workspace.model import Resource, Workspace
from campaignkit.workspace.prospects import load_prospect

DEFAULT_OUT = Path(".campaignkit") / "render"


@main.command()
@click.argument("email")
@click.option("--prospect", "prospect_file", type=click.Path(dir_okay=False, path_type=Path),
              help="A YAML or JSON file of field values (default: a sample made from field examples and defaults).")
@click.option("--out", "out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help=f"Where to write EMAIL.html and EMAIL.txt (default: {DEFAULT_OUT}).")
def render(email: str, prospect_file: Path | None, out: Path | None) -> None:
    """Render EMAIL (email.NAME or NAME) for a prospect: print its subject and preheader, write HTML and text.

    Nothing is written when the email or the workspace has errors. Given dynamic_content.NAME, it prints the
    variation the prospect gets, and writes nothing.
    """
    root = find_root(Path.cwd())
    workspace, diagnostics = check_workspace(root, merge_language)
    resource = resolve(workspace, email, "dynamic_content" if email.startswith("dynamic_content.") else "email")
    blockers = render_blockers(diagnostics, resource)
    if blockers:
        click.echo(format_diagnostics(blockers, root, "text"), err=True)
        sys.exit(1)
    if resource.kind == "dynamic_content":
        _show_variation(workspace, resource, prospect_file)
        return
    prospect = load_prospect(prospect_file, workspace) if prospect_file else None
    rendered = render_email(EmailContext.of(workspace), resource, prospect)
    folder = out or root / DEFAULT_OUT
    html_path, text_path = folder / f"{resource.name}.html", folder / f"{resource.name}.txt"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        html_path.write_text(rendered.html, encoding="utf-8")
        text_path.write_text(rendered.text, encoding="utf-8")
    except OSError as exc:
        raise UserError(f"cannot write the rendered email into {folder}: {exc.strerror or exc}; "
                        "choose another --out folder") from None
    click.echo(f"Subject:   {rendered.subject}")
    click.echo(f"Preheader: {rendered.preheader}")
    click.echo(f"HTML:      {html_path} ({len(rendered.html.encode('utf-8')):,} bytes)")
    click.echo(f"Text:      {text_path}")


def _show_variation(workspace: Workspace, resource: Resource, prospect_file: Path | None) -> None:
    """Prints which of ``resource``'s variations the prospect gets, and its content."""
    prospect = load_prospect(prospect_file, workspace) if prospect_file else None
    values = EmailContext.of(workspace).merge.values(prospect)
    field = field_of(resource)
    got = shown(resource, values)
    click.echo(f"{field}: {values.get(field) or '(empty)'} ({_condition(got.variation)})")
    click.echo(got.content)


def _condition(variation: Mapping[str, Any] | None) -> str:
    """The condition a variation met, in the files' words (``is Japan``, ``between 10 and 50``)."""
    if variation is None:
        return "no variation's condition holds: the default"
    upper = f" and {variation['to']}" if variation.get("to") is not None else ""
    return f"{variation.get('operator', 'is')} {variation.get('value')}{upper}"
