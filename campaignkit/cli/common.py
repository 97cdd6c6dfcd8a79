"""What several commands share: the workspace around the current folder, valid or refused."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from campaignkit.checks import check_workspace
from campaignkit.diagnostics import has_errors
from campaignkit.errors import UserError
from campaignkit.targets import merge_language
from campaignkit.views.diagnostics import format_diagnostics
from campaignkit.workspace.loading import find_root
from campaignkit.workspace.model import Workspace


def valid_workspace() -> tuple[Workspace, Path]:
    """The workspace around the current folder and its root; with errors, they are printed and it is refused."""
    root = find_root(Path.cwd())
    workspace, diagnostics = check_workspace(root, merge_language)
    if has_errors(diagnostics):
        click.echo(format_diagnostics(diagnostics, root, "text", color=sys.stderr.isatty()), err=True)
        raise UserError("the workspace has errors (listed above); fix them first (campaignkit validate)")
    return workspace, root


def print_or_write(text: str, out: Path | None, wrote: str) -> None:
    """``text`` on standard output, or written to ``out`` with ``wrote`` said on stderr."""
    if out is None:
        click.echo(text, nl=False)
        return
    try:
        out.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise UserError(f"cannot write {out}: {exc.strerror}") from None
    click.echo(wrote, err=True)
