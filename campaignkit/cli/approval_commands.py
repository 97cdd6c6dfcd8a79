"""``approvals check`` and ``codeowners``: who must approve a plan, for CI and for the git host.

``approvals check`` reviews a saved plan (or a new one) and exits 1 naming the
approvals still missing: those the rules in campaignkit.yaml ask for, and the
overrides that failing soft-mandatory policies need (a failing hard-mandatory
policy is named too: no approval lifts it). ``codeowners`` prints the
file-level part of the rules as a CODEOWNERS file.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from campaignkit.cli import main
from campaignkit.cli.common import print_or_write, valid_workspace
from campaignkit.cli.state_commands import (
    approved_by_option,
    current_state,
    env_option,
    lock_timeout_option,
    plan_review,
    session,
)
from campaignkit.errors import UserError
from campaignkit.plan import load_plan, plan_workspace, workspace_hash
from campaignkit.review import codeowners as codeowners_text


@main.group()
def approvals() -> None:
    """Which approvals a plan needs, and whether it has them."""


@approvals.command(name="check")
@click.argument("plan_file", required=False, type=click.Path(dir_okay=False, path_type=Path))
@approved_by_option
@env_option
@lock_timeout_option
def check(plan_file: Path | None, approved_by: tuple[str, ...], env_name: str | None, lock_timeout: float) -> None:
    """Exit 1 naming what PLAN_FILE (or a new plan) still needs besides --approved-by's approvals."""
    saved = load_plan(plan_file) if plan_file else None
    with session(env_name or (saved.environment if saved else None), validate=True,
                 with_target=saved is None) as opened:
        if saved is not None and saved.workspace_hash != workspace_hash(opened.workspace):
            raise UserError(f"{plan_file} was made from other files than these; make a new plan and check it")
        made = saved
        if made is None:
            with opened.store.lock("plan", lock_timeout):
                made = plan_workspace(opened.workspace, opened.environment, current_state(opened),
                                      opened.live_target)
        review = plan_review(made, opened.workspace)
    for verdict in review.verdicts if review else ():
        if verdict.level == "advisory" and not verdict.passed:
            click.echo(f"Warning: policy {verdict.policy}: {'; '.join(verdict.messages)}", err=True)
    still = review.missing(approved_by) if review else []
    if still:
        click.echo("Missing approvals:")
        for line in still:
            click.echo(f"  - {line}")
        sys.exit(1)
    rules = len(review.requirements) if review else 0
    click.echo(f"All approvals given: {rules} rule{'s' if rules != 1 else ''} met, no policy blocks the plan.")


@main.command()
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), metavar="FILE",
              help="Write to FILE (.github/CODEOWNERS, say) instead of standard output.")
def codeowners(out: Path | None) -> None:
    """Print the approval rules' file-level part as a CODEOWNERS file."""
    workspace, _ = valid_workspace()
    print_or_write(codeowners_text(workspace), out, f"Wrote {out}")
