"""``validate``, ``explain`` and ``init``: the commands a designer-developer runs first."""

from __future__ import annotations

import sys
import traceback
from pathlib import Path
from typing import TYPE_CHECKING

import click

from campaignkit.checks import all_codes, explain, internal_error, not_checked
from campaignkit.checks.memo import remembered_validation
from campaignkit.cli import failed_start, main
from campaignkit.diagnostics import has_errors
from campaignkit.errors import UserError
from campaignkit.scaffold import write_workspace
from campaignkit.views.diagnostics import FORMATS, format_diagnostics
from campaignkit.workspace.loading import find_root

if TYPE_CHECKING:
    from campaignkit.emails.merge import LanguageOf


class _ReportCommand(click.Command):
    """A command whose report for machines is a document even when its arguments are wrong (an unknown option)."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        given = list(args)  # the parser consumes ``args``
        try:
            return super().parse_args(ctx, args)
        except click.UsageError as exc:
            fmt = _asked_format(given)
            if fmt is None or fmt == "text":
                raise
            click.echo(f"Error: {exc.format_message()}", err=True)
            click.echo(format_diagnostics([not_checked(exc.format_message())], Path.cwd(), fmt))
            ctx.exit(1)


def _asked_format(args: list[str]) -> str | None:
    """The known format that ``args`` ask for with ``--format F`` or ``--format=F``, if any."""
    for index, arg in enumerate(args):
        value = args[index + 1] if arg == "--format" and index + 1 < len(args) else arg.partition("--format=")[2]
        if value in FORMATS:
            return value
    return None


@main.command(cls=_ReportCommand)
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True,
              help="text for people; json (terraform validate -json), github or sarif for CI.")
def validate(fmt: str) -> None:
    """Check every file of the workspace: schema, references, naming, emails, programs.

    Exits 0 when there are no errors (warnings allowed), 1 otherwise. A report for machines is always
    a document: when the workspace cannot be checked, its one diagnostic (CK000) says why.
    """
    root, color = Path.cwd(), fmt == "text" and sys.stdout.isatty()
    try:
        failure = failed_start()
        if failure is not None:
            raise failure
        root = find_root(root)
        diagnostics = remembered_validation(root, _merge_languages)
        report = format_diagnostics(diagnostics, root, fmt, color=color)
    except UserError as exc:
        if fmt == "text":
            raise
        click.echo(f"Error: {exc}", err=True)
        diagnostics = [not_checked(str(exc))]
        report = format_diagnostics(diagnostics, root, fmt)
    except Exception as exc:  # a bug: the report is still a document, and the traceback says where
        traceback.print_exc()
        diagnostics = [internal_error(exc)]
        report = format_diagnostics(diagnostics, root, fmt, color=color)
    click.echo(report)
    sys.exit(1 if has_errors(diagnostics) else 0)


def _merge_languages() -> LanguageOf:
    """The targets' merge languages, imported only when the workspace is checked rather than remembered."""
    from campaignkit.targets import merge_language

    return merge_language


@main.command(name="explain")
@click.argument("code", required=False)
def explain_command(code: str | None) -> None:
    """Print the documentation of a check code (e.g. CK202) or a built-in policy, or list all codes."""
    if code is None:
        for known, summary in all_codes():
            click.echo(f"{known}  {summary}")
        return
    policy = _builtin_policy(code)
    if policy is not None:
        click.echo(f"{code}: {policy}")
        return
    doc = explain(code)
    if doc is None:
        raise UserError(f"no check has the code {code}; 'campaignkit explain' lists them all")
    click.echo(f"{code.upper()}: {doc}")


def _builtin_policy(name: str) -> str | None:
    """The documentation of a built-in policy (``explain scoring-impact``), None for any other name."""
    from campaignkit.review.policies import BUILTINS

    return BUILTINS[name].doc if name in BUILTINS else None


@main.command()
@click.argument("directory", default=".", type=click.Path(file_okay=False, path_type=Path))
def init(directory: Path) -> None:
    """Write a small working workspace into DIRECTORY (default: here).

    Refuses to overwrite any existing file.
    """
    count = write_workspace(directory)
    click.echo(f"Wrote a workspace of {count} files to {directory}. Next: cd {directory} && campaignkit validate")
