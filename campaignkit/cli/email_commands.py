"""``render``: what one email, or one dynamic content, looks like for one prospect."""

from __future__ import annotations

import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import click

from campaignkit.checks import check_workspace
from campaignkit.cli import main
from campaignkit.cli.completion import complete_addresses
from campaignkit.diagnostics import Diagnostic
from campaignkit.emails import EmailContext, render_email
from campaignkit.emails.blockers import render_blockers
from campaignkit.emails.dynamic_content import field_of, shown
from campaignkit.emails.rendering import RenderedEmail
from campaignkit.errors import UserError
from campaignkit.targets import merge_language
from campaignkit.views.diagnostics import format_diagnostics
from campaignkit.workspace.addresses import resolve
from campaignkit.workspace.loading import find_root
from campaignkit.workspace.locales import locale_of, to_render
from campaignkit.workspace.model import Resource, Workspace
from campaignkit.workspace.prospects import load_prospect, prospect_for

DEFAULT_OUT = Path(".campaignkit") / "render"


@main.command()
@click.argument("email", shell_complete=complete_addresses("email"))
@click.option("--prospect", "prospect_file", type=click.Path(dir_okay=False, path_type=Path),
              help="A YAML or JSON file of field values; 'persona: NAME' in it fills in the fields it leaves out.")
@click.option("--persona", "persona", metavar="NAME", shell_complete=complete_addresses("persona"),
              help="Render for this persona's sample (default: the first persona the email names, else a sample "
                   "made from field examples and defaults).")
@click.option("--out", "out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help=f"Where to write EMAIL.html and EMAIL.txt (default: {DEFAULT_OUT}).")
@click.option("--locale", "locale", default=None,
              help="The language version to render, e.g. ja (default: the prospect's language with --prospect, "
                   "else every locale of the email).")
def render(email: str, prospect_file: Path | None, persona: str | None, out: Path | None,
           locale: str | None) -> None:
    """Render EMAIL (email.NAME or NAME) for a prospect: print its subject and preheader, write HTML and text.

    An email in several languages is rendered in each, or in the one --locale or the prospect's
    language field picks. Nothing is written when the email or the workspace has errors. Given
    dynamic_content.NAME, it prints the variation the prospect gets, and writes nothing.
    """
    root = find_root(Path.cwd())
    workspace, diagnostics = check_workspace(root, merge_language)
    resource = resolve(workspace, email, "dynamic_content" if email.startswith("dynamic_content.") else "email")
    if resource.kind == "dynamic_content":
        _stop_on(render_blockers(diagnostics, resource), root)
        _show_variation(workspace, resource, prospect_file)
        return
    prospect = prospect_for(workspace, resource, persona, prospect_file)
    chosen = to_render(resource, workspace.resources, locale, prospect.values if prospect_file else None)
    _stop_on([found for each in chosen for found in render_blockers(diagnostics, each)], root)
    context = EmailContext.of(workspace)
    for each in chosen:
        if len(chosen) > 1:
            click.echo(f"Locale:    {locale_of(each)}")
        _write(each, render_email(context, each, prospect.values), out or root / DEFAULT_OUT)
    click.echo(f"Prospect:  {prospect.described}")


def _stop_on(blockers: list[Diagnostic], root: Path) -> None:
    """Prints the errors that keep a resource from rendering and exits 1, if there are any."""
    if blockers:
        click.echo(format_diagnostics(list(dict.fromkeys(blockers)), root, "text"), err=True)
        sys.exit(1)


def _write(resource: Resource, rendered: RenderedEmail, folder: Path) -> None:
    """Writes one rendered email's HTML and text into ``folder`` and prints what and where."""
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
