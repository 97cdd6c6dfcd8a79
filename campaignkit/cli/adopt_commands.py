"""``adopt`` and ``audit``: a business unit built by clicking, brought under campaignkit and checked.

``adopt`` holds the lock around ``plan.adopting.adopt``, shows progress on a
terminal and prints what was written, renamed and left undone; ``audit`` reads
the target (no lock: it writes nothing) and prints ``plan.auditing``'s findings.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from campaignkit.cli import main
from campaignkit.cli.state_commands import _console, env_option, lock_timeout_option, session
from campaignkit.plan.adopting import Adoption
from campaignkit.plan.adopting import Progress as OnProgress
from campaignkit.plan.adopting import adopt as adopt_objects
from campaignkit.plan.auditing import audit as audit_target
from campaignkit.views.audit import FORMATS, RENDER
from campaignkit.workspace.model import KINDS


@main.command()
@env_option
@click.option("--out", "out", type=click.Path(file_okay=False, path_type=Path), metavar="DIR",
              help="Folder of the workspace to write the files in (default: adopted/ at its root).")
@click.option("--kinds", "kinds", multiple=True, type=click.Choice(KINDS), metavar="KIND",
              help=f"Adopt only objects of KIND (repeatable): {', '.join(KINDS)}.")
@click.option("--keep-names", is_flag=True, help="Keep the platform's names, even those that break the convention.")
@lock_timeout_option
def adopt(env_name: str | None, out: Path | None, kinds: tuple[str, ...], keep_names: bool,
          lock_timeout: float) -> None:
    """Write every object on the target that state does not manage as workspace files, and manage it."""
    with session(env_name, validate=False) as opened, opened.store.lock("adopt", lock_timeout), \
            _progress() as progress:
        adoption = adopt_objects(opened.workspace, opened.environment, opened.store, opened.live_target,
                                 out=out if out is not None else opened.workspace.root / "adopted", kinds=kinds,
                                 keep_names=keep_names, progress=progress, **opened.audit)
    _report(adoption)


@contextmanager
def _progress() -> Iterator[OnProgress | None]:
    """A progress bar on a terminal (a large business unit takes a while to read); nothing elsewhere."""
    console = _console()
    if not console.is_terminal:
        yield None
        return
    columns = (TextColumn("Reading"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task("adopt", total=None)
        yield lambda done, total: bar.update(task, completed=done, total=total)


def _report(adoption: Adoption) -> None:
    for warning in adoption.warnings:
        click.echo(f"Warning: {warning}", err=True)
    if not adoption.objects:
        click.echo("Nothing adopted." if adoption.warnings else
                   "Nothing to adopt: state manages every object the target holds.")
        return
    for adopted in adoption.objects:
        renamed = f", renamed from '{adopted.remote_name}'" if adopted.renamed_from else ""
        click.echo(f"{adopted.address}: id {adopted.target_id}{renamed}")
    renames = sum(1 for a in adoption.objects if a.renamed_from)
    click.echo(f"\nAdopted {len(adoption.objects)} object(s) into {len(adoption.files)} file(s)"
               f"{f'; {renames} to rename by the naming convention' if renames else ''}. "
               "Run 'campaignkit plan' to see what the first apply would change.")


@main.command()
@env_option
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True,
              help="text for people, json for tools, markdown for a pull-request comment or a ticket.")
def audit(env_name: str | None, fmt: str) -> None:
    """Count what to clean up on the target: names off the convention, merges without a default, unused lists,
    programs sending to missing lists, duplicate prospects."""
    with session(env_name, validate=False) as opened:
        report = audit_target(opened.workspace, opened.environment, opened.live_target)
    click.echo(RENDER[fmt](report))
