"""``validate-files``: what the pre-commit hook runs, with the file names a commit changes.

A hook manager (pre-commit, lefthook) runs one command from the repository's root and
passes the changed files. The workspaces are found from those files, so that the same
hook works for a workspace at the root and in a folder; each is validated whole, since
a reference in one file is checked against every other.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from campaignkit.checks import check_workspace
from campaignkit.cli import main
from campaignkit.diagnostics import has_errors
from campaignkit.targets import merge_language
from campaignkit.views.diagnostics import format_diagnostics
from campaignkit.workspace.loading import roots_of


@main.command(name="validate-files")
@click.argument("files", nargs=-1, type=click.Path(path_type=Path))
def validate_files(files: tuple[Path, ...]) -> None:
    """Validate every workspace that holds one of FILES (the nearest folder above it with a campaignkit.yaml).

    Files in no workspace are ignored. Exits 1 when any workspace has errors.
    """
    failed = False
    here = Path.cwd().resolve()
    for root in roots_of(files):
        _, diagnostics = check_workspace(root, merge_language)
        folder = _shown(root, here)
        click.echo(f"Workspace {folder}:")
        click.echo(format_diagnostics(diagnostics, root, "text", color=sys.stdout.isatty(),
                                      folder="" if folder == "." else f"{folder}/"))
        failed = failed or has_errors(diagnostics)
    sys.exit(1 if failed else 0)


def _shown(root: Path, here: Path) -> str:
    """The workspace's folder as the user knows it: from where the hook runs (the repository's root), when below."""
    return root.relative_to(here).as_posix() if root.is_relative_to(here) else str(root)
