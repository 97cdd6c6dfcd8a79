"""``validate``, ``explain`` and ``init``: the commands a designer-developer runs first."""

from __future__ import annotations

import sys
from importlib import resources
from pathlib import Path

import click

from campaignkit.checks import all_codes, check_workspace, explain
from campaignkit.cli import main
from campaignkit.diagnostics import has_errors
from campaignkit.errors import UserError
from campaignkit.report import FORMATS, render
from campaignkit.workspace import find_root

#: Where the skeleton's modelines point before init makes them local.
SCHEMA_URL = "https://campaignkit.dev/schemas/"


@main.command()
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True,
              help="text for people; json (terraform validate -json), github or sarif for CI.")
def validate(fmt: str) -> None:
    """Check every file of the workspace: schema, references, naming, emails, programs.

    Exits 0 when there are no errors (warnings allowed), 1 otherwise.
    """
    root = find_root(Path.cwd())
    _, diagnostics = check_workspace(root)
    color = fmt == "text" and sys.stdout.isatty()
    click.echo(render(diagnostics, root, fmt, color=color))
    sys.exit(1 if has_errors(diagnostics) else 0)


@main.command(name="explain")
@click.argument("code", required=False)
def explain_command(code: str | None) -> None:
    """Print the documentation of a check code (e.g. CK202), or list all codes."""
    if code is None:
        for known, summary in all_codes():
            click.echo(f"{known}  {summary}")
        return
    doc = explain(code)
    if doc is None:
        raise UserError(f"no check has the code {code}; 'campaignkit explain' lists them all")
    click.echo(f"{code.upper()}: {doc}")


@main.command()
@click.argument("directory", default=".", type=click.Path(file_okay=False, path_type=Path))
def init(directory: Path) -> None:
    """Write a small working workspace into DIRECTORY (default: here).

    Refuses to overwrite any existing file.
    """
    package = resources.files("campaignkit")
    files = list(_walk(package.joinpath("skeleton"), "")) + list(_walk(package.joinpath("schemas"), "schemas/"))
    clashes = [rel for rel, _ in files if (directory / rel).exists()]
    if clashes:
        raise UserError(f"{directory / clashes[0]} already exists ({len(clashes)} file(s) would be overwritten); "
                        "run init in an empty folder")
    for rel, source in files:
        target = directory / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(_local_schema_modeline(rel, source.read_text(encoding="utf-8")), encoding="utf-8")
    click.echo(f"Wrote a workspace of {len(files)} files to {directory}. Next: cd {directory} && campaignkit validate")


def _local_schema_modeline(relative: str, text: str) -> str:
    """Points a file's ``yaml-language-server`` modeline at the workspace's own copy of the schemas.

    Editors then check files offline, against the schemas of the campaignkit
    version that wrote them.
    """
    depth = relative.count("/")
    return text.replace(SCHEMA_URL, "../" * depth + "schemas/", 1)


def _walk(folder, prefix: str):
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        rel = f"{prefix}{entry.name}"
        if entry.is_dir():
            if entry.name != "__pycache__":
                yield from _walk(entry, rel + "/")
        else:
            yield rel, entry
