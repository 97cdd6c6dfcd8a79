"""``fmt``: every file of the workspace in one canonical layout (``workspace.layout``)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from campaignkit.cli import main
from campaignkit.workspace.documents import MAX_FILE_BYTES, decode
from campaignkit.workspace.layout import Unformattable, campaign_files, formatted, layout_files, schema_name_of
from campaignkit.workspace.loading import find_root


@main.command(name="fmt")
@click.option("--check", is_flag=True, help="Change nothing: list the files fmt would change, and exit 1 if any.")
@click.argument("files", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path))
def fmt_command(check: bool, files: tuple[Path, ...]) -> None:
    """Lay out the workspace's YAML files (or FILES) one way: keys in schema order, two-space indent.

    Comments, anchors and block text are kept; strings are quoted only where YAML needs it. A file
    that is not valid YAML is left as it is and reported (campaignkit validate says what is wrong).
    FILES that are not files of a workspace (a CI workflow, say) are left alone.
    """
    paths, _ = campaign_files(list(files)) if files else (layout_files(find_root(Path.cwd())), [])
    changed, failed = [], []
    for path in paths:
        try:
            text, new = _layout(path)
        except (Unformattable, OSError) as exc:
            click.echo(f"{_shown(path)}: not formatted: {exc}", err=True)
            failed.append(path)
            continue
        if new == text:
            continue
        changed.append(path)
        if not check:
            path.write_text(new, encoding="utf-8")
        click.echo(f"{'would reformat' if check else 'reformatted'} {_shown(path)}")
    if not changed and not failed:
        click.echo(f"{len(paths)} file{'s' if len(paths) != 1 else ''} already formatted")
    sys.exit(1 if failed or (check and changed) else 0)


def _shown(path: Path) -> str:
    """``path`` as the user would type it from here."""
    return os.path.relpath(path) if path.is_absolute() else str(path)


def _layout(path: Path) -> tuple[str, str]:
    """The text of ``path`` and the same in the canonical layout; ``Unformattable`` if it cannot be laid out."""
    if path.stat().st_size > MAX_FILE_BYTES:
        raise Unformattable(f"larger than {MAX_FILE_BYTES // (1024 * 1024)} MB")
    text, problem = decode(path.read_bytes(), str(path))
    if problem is not None:
        raise Unformattable(problem.message)
    return text, formatted(text, schema_name_of(path))
