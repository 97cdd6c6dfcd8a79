"""``plan``, ``apply``, ``refresh``, ``import``, ``state ...`` and ``force-unlock``.

Parses options, opens the environment's state and target, holds the lock
around the work the library does, and prints. Plan and apply refuse a
workspace with validation errors; the state commands do not validate, so
that state can be inspected and repaired while the files are broken.
"""

from __future__ import annotations

import json
import re
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.text import Text

from campaignkit.cli import main, stop_requested
from campaignkit.cli.common import valid_workspace
from campaignkit.cli.completion import complete_addresses
from campaignkit.errors import UserError
from campaignkit.plan import (
    Plan,
    check_applicable,
    check_plan_path,
    load_plan,
    plan_hash,
    plan_workspace,
    refuse_lost_state,
    save_plan,
    workspace_hash,
)
from campaignkit.plan.apply import ApplyReport, Outcome, Status, apply_plan
from campaignkit.plan.importing import import_object
from campaignkit.plan.refresh import refresh_state
from campaignkit.review import Review, review_plan
from campaignkit.state import State, StateStore, entry_for, forget, open_store
from campaignkit.state.audit import current_user, git_commit, git_revision
from campaignkit.targets import Target, open_target
from campaignkit.views.plan import FORMATS, apply_text, drift_text, outcome_line, plan_json, plan_text
from campaignkit.views.plan_comment import Provenance, plan_comments, plan_markdown
from campaignkit.workspace.loading import find_root, load_workspace
from campaignkit.workspace.model import Environment, Workspace


class Handles(click.ParamType):
    """Comma-separated git hosting handles, with or without ``@``: ``alice,@bob``."""

    name = "handles"

    def convert(self, value: object, param: click.Parameter | None, ctx: click.Context | None) -> tuple[str, ...]:
        if isinstance(value, tuple):
            return value
        return tuple(h.strip().lstrip("@") for h in str(value).split(",") if h.strip())


class Duration(click.ParamType):
    """Seconds, as ``30``, ``30s``, ``2m`` or ``1h`` (Terraform writes ``-lock-timeout=30s``)."""

    name = "duration"
    _UNITS = {"": 1, "s": 1, "m": 60, "h": 3600}

    def convert(self, value: object, param: click.Parameter | None, ctx: click.Context | None) -> float:
        if isinstance(value, (int, float)):
            return float(value)
        match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([smh]?)\s*", str(value))
        if not match:
            self.fail(f"'{value}' is not a duration such as 30, 30s, 2m or 1h", param, ctx)
        return float(match[1]) * self._UNITS[match[2]]


approved_by_option = click.option(
    "--approved-by", "approved_by", type=Handles(), default="", metavar="A,B",
    help="The handles that approved this change (the pull request's approvers), comma-separated.",
)
env_option = click.option("--env", "env_name", metavar="ENV", help="Environment (default: default_environment).")
new_state_option = click.option(
    "--new-state", is_flag=True,
    help="Take an empty state for a new one even though the target shows that a state applied to it before.",
)
lock_timeout_option = click.option(
    "--lock-timeout", type=Duration(), default="0s", show_default=True, metavar="DURATION",
    help="How long to wait for a lock held by another run before failing (0s: fail at once, as Terraform).",
)


@dataclass
class Session:
    """One environment opened for work: its workspace, state store and target."""

    workspace: Workspace
    environment: Environment
    store: StateStore
    target: Target | None

    @property
    def live_target(self) -> Target:
        assert self.target is not None, "session opened without its target"
        return self.target

    @property
    def audit(self) -> dict[str, str]:
        """Who runs the command, and on which git commit of the workspace: for the history rows it writes."""
        return {"who": current_user(), "git_commit": git_commit(self.workspace.root)}


@contextmanager
def session(env_name: str | None, *, validate: bool, with_target: bool = True) -> Iterator[Session]:
    """The environment ``env_name`` of the workspace around the current folder, closed afterwards."""
    if validate:
        workspace, root = valid_workspace()
    else:
        root = find_root(Path.cwd())
        workspace, _ = load_workspace(root)
    environment = workspace.config.environment(env_name)
    # The target first: its settings are checked when it opens, and a missing one must not leave a
    # new state file behind. Opening a target connects to nothing yet.
    target = open_target(environment, workspace) if with_target else None
    try:
        store = open_store(environment, root, workspace.config.workspace)
        try:
            yield Session(workspace, environment, store, target)
        finally:
            store.close()
    finally:
        if target is not None:
            target.close()


def _console() -> Console:
    """stdout: coloured on a terminal, plain text when piped; never wrapped."""
    return Console(soft_wrap=True, highlight=False, emoji=False, markup=False)


def _show(text: Text) -> None:
    """Prints ``text``: through rich on a terminal, for its colours, and as it is everywhere else.

    Rich lays out every line, which takes seconds for the plan of a first import (a hundred
    thousand lines); a pipe or a CI log gets the same text at once.
    """
    console = _console()
    if console.is_terminal:
        console.print(text)
    else:
        click.echo(text.plain)


@main.command()
@env_option
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path),
              help="Save the plan for 'apply FILE' (gzipped if FILE ends in .gz).")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True,
              help="text for people, json (Terraform's plan JSON) for tools, markdown for a pull-request comment.")
@click.option("--split-dir", type=click.Path(file_okay=False, path_type=Path), metavar="DIR",
              help="With --format markdown: write the plan whole as DIR/comment-1.md, comment-2.md ..., each one "
                   "pull-request comment, and print their paths.")
@click.option("--full-plan", metavar="WHERE", default="",
              help="With --format markdown: where readers find the whole plan (a URL, an artifact's name), "
                   "named when the comment is cut.")
@click.option("--detailed-exitcode", is_flag=True, help="Exit 0 for no changes, 1 on error, 2 when there are changes.")
@click.option("--target", "only", multiple=True, metavar="ADDR", shell_complete=complete_addresses(),
              help="Plan only ADDR and what it depends on (repeatable).")
@click.option("--refresh/--no-refresh", "refresh_first", default=True, show_default=True,
              help="Read the target first, to plan against what is really there and show drift.")
@new_state_option
@lock_timeout_option
def plan(env_name: str | None, out: Path | None, fmt: str, split_dir: Path | None, full_plan: str,
         detailed_exitcode: bool, only: tuple[str, ...], refresh_first: bool, new_state: bool,
         lock_timeout: float) -> None:
    """Show the changes apply would make to the environment's target."""
    if out is not None:
        check_plan_path(out)
    if (split_dir is not None or full_plan) and fmt != "markdown":
        raise UserError("--split-dir and --full-plan shape a pull-request comment: add --format markdown")
    with session(env_name, validate=True) as opened, opened.store.lock("plan", lock_timeout):
        state = current_state(opened, new_state or not refresh_first)
        made = plan_workspace(opened.workspace, opened.environment, state, opened.live_target,
                              refresh_first=refresh_first, only=only)
    if out is not None:
        save_plan(made, out)
    review = plan_review(made, opened.workspace)
    if fmt == "markdown":
        commit, dirty = git_revision(opened.workspace.root)
        _print_comments(made, Provenance(commit, dirty, datetime.now(UTC), full_plan), split_dir, review)
    else:
        _print_plan(made, fmt, review)
    if out is not None and fmt == "text":
        click.echo(f"\nSaved the plan to {out}. Apply exactly this plan with: campaignkit apply {out}")
    sys.exit(2 if detailed_exitcode and made.has_changes else 0)


def current_state(opened: Session, new_state: bool = False) -> State:
    """The environment's state, with a warning on stderr when it looks orphaned by a renamed workspace.

    An empty state that the target shows was lost is refused, unless ``new_state``.
    """
    state = opened.store.read()
    if state.empty:
        _warn_if_renamed(opened.store, opened.environment.name)
    if not new_state:
        refuse_lost_state(state, opened.store, opened.live_target, opened.workspace)
    return state


def _warn_if_renamed(store: StateStore, environment: str) -> None:
    """Warns when the store has no state for this workspace's environment but has it under another workspace name."""
    others = store.other_workspaces()
    if others:
        named = ", ".join(f"'{other}'" for other in others)
        click.echo(f"Warning: {store.location} has no state for environment '{environment}' of workspace "
                   f"'{store.workspace}', but has it for workspace {named}: if campaignkit.yaml's workspace: was "
                   f"renamed, put back 'workspace: {others[0]}', or every object is planned as new.", err=True)


def plan_review(made: Plan, workspace: Workspace) -> Review | None:
    """The review of a plan with changes: approvals, policies, impact (none for a plan without changes)."""
    return review_plan(made, workspace) if made.has_changes else None


def _print_plan(made: Plan, fmt: str, review: Review | None) -> None:
    if fmt == "json":
        click.echo(plan_json(made, review))
    else:
        _show(plan_text(made, review))


def _print_comments(made: Plan, provenance: Provenance, split_dir: Path | None, review: Review | None) -> None:
    """The plan as one comment on stdout, or as numbered comments in ``split_dir``, their paths printed."""
    if split_dir is None:
        click.echo(plan_markdown(made, made=provenance, review=review), nl=False)
        return
    try:
        split_dir.mkdir(parents=True, exist_ok=True)
        for old in split_dir.glob("comment-*.md"):
            old.unlink()  # a longer plan's parts from an earlier run would be posted too
        for number, comment in enumerate(plan_comments(made, made=provenance, review=review), 1):
            path = split_dir / f"comment-{number}.md"
            path.write_text(comment, encoding="utf-8")
            click.echo(path)
    except OSError as exc:
        raise UserError(f"--split-dir {split_dir}: cannot write the comments: {exc.strerror}") from None


@main.command()
@click.argument("plan_file", required=False, type=click.Path(dir_okay=False, path_type=Path))
@env_option
@click.option("--auto-approve", is_flag=True, help="Apply without asking for 'yes'.")
@click.option("--parallelism", type=click.IntRange(min=1), default=10, show_default=True,
              help="Changes sent at once, where the target allows it (the local target runs one at a time).")
@click.option("--target", "only", multiple=True, metavar="ADDR", shell_complete=complete_addresses(),
              help="Apply only ADDR and what it depends on (repeatable; not with PLAN_FILE).")
@approved_by_option
@new_state_option
@lock_timeout_option
def apply(plan_file: Path | None, env_name: str | None, auto_approve: bool, parallelism: int,
          only: tuple[str, ...], approved_by: tuple[str, ...], new_state: bool, lock_timeout: float) -> None:
    """Make the changes: from a saved PLAN_FILE exactly, or from a new plan after you confirm it."""
    saved = load_plan(plan_file) if plan_file else None
    if saved is not None and only:
        raise UserError("--target applies to new plans only; a saved plan already says what it changes")
    with session(env_name or (saved.environment if saved else None), validate=True) as opened, \
            opened.store.lock("apply", lock_timeout):
        made = saved or _plan_to_confirm(opened, only, auto_approve, approved_by, new_state)
        if saved is not None:
            state = opened.store.read()
            check_applicable(saved, state, opened.environment.name, workspace_hash(opened.workspace))
            if not new_state:
                refuse_lost_state(state, opened.store, opened.live_target, opened.workspace)
            _refuse_blocked(plan_review(saved, opened.workspace), approved_by)
        if made is None:
            return
        # From here Ctrl-C and SIGTERM ask the apply to stop, so that its report is always printed.
        report = _apply_with_progress(made, opened, parallelism, stop_requested())
    _show(apply_text(report))
    if report.error:
        click.echo(f"Error: {report.error}", err=True)
    if not report.ok:
        sys.exit(1)


def _plan_to_confirm(opened: Session, only: tuple[str, ...], auto_approve: bool,
                     approved_by: tuple[str, ...], new_state: bool) -> Plan | None:
    """A new plan, shown, checked against the policies and confirmed; ``None`` when there is nothing to do."""
    made = plan_workspace(opened.workspace, opened.environment, current_state(opened, new_state),
                          opened.live_target, only=only)
    review = plan_review(made, opened.workspace)
    _show(plan_text(made, review))
    if not made.needs_apply:
        return None
    _refuse_blocked(review, approved_by)
    if not auto_approve:
        _confirm()
    return made


def _refuse_blocked(review: Review | None, approved_by: tuple[str, ...]) -> None:
    """Refuses a plan that a failing mandatory policy blocks and ``approved_by`` does not override."""
    blocked = review.blocking(approved_by) if review is not None else []
    if blocked:
        raise UserError("the plan is blocked by policy; nothing was changed:\n  " + "\n  ".join(blocked) +
                        "\nFix what the policy says, or pass --approved-by with an approver who may override it")


def _confirm() -> None:
    if not sys.stdin.isatty():
        raise UserError("apply asks for 'yes' on a terminal, and there is none: pass --auto-approve, or save a "
                        "plan (campaignkit plan --out FILE) and apply it (campaignkit apply FILE)")
    try:
        answer = click.prompt("\nDo you want to perform these actions? Only 'yes' will be accepted", default="",
                              show_default=False)
    except click.Abort:  # end of input or Ctrl-C at the prompt: click would print only "Aborted!"
        answer = ""
    if answer.strip() != "yes":
        raise UserError("apply cancelled; nothing was changed")


def _apply_with_progress(made: Plan, opened: Session, parallelism: int, stop: threading.Event) -> ApplyReport:
    console = _console()
    audit = {**opened.audit, "plan_digest": plan_hash(made)}
    if not console.is_terminal:
        return apply_plan(made, opened.store, opened.live_target, parallelism=parallelism, stop=stop,
                          on_outcome=lambda outcome: click.echo(outcome_line(outcome)), **audit)
    columns = (TextColumn("Applying"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task("apply", total=len(made.changes))

        def advance(outcome: Outcome) -> None:
            progress.console.print(outcome_line(outcome), style="red" if outcome.status is Status.FAILED else "")
            progress.advance(task)

        return apply_plan(made, opened.store, opened.live_target, parallelism=parallelism, stop=stop,
                          on_outcome=advance, **audit)


@main.command(name="refresh")
@env_option
@new_state_option
@lock_timeout_option
def refresh_command(env_name: str | None, new_state: bool, lock_timeout: float) -> None:
    """Read the target and record in state the changes made outside campaignkit (drift)."""
    with session(env_name, validate=False) as opened, opened.store.lock("refresh", lock_timeout):
        current_state(opened, new_state)
        state, drift = refresh_state(opened.store, opened.live_target, **opened.audit)
    if not drift:
        click.echo(f"No drift: the target holds what state records ({len(state.entries)} objects).")
        return
    _show(drift_text(drift))
    click.echo(f"Recorded {len(drift)} change(s) made outside campaignkit in state. "
               "Run 'campaignkit plan' to see what apply would set back.")


@main.command(name="import")
@click.argument("address", shell_complete=complete_addresses())
@click.argument("object_id", metavar="ID")
@env_option
@lock_timeout_option
def import_command(address: str, object_id: str, env_name: str | None, lock_timeout: float) -> None:
    """Bring the object ID that exists on the target under management as ADDRESS."""
    with session(env_name, validate=True) as opened, opened.store.lock("import", lock_timeout):
        entry = import_object(opened.workspace, opened.environment, opened.store, opened.live_target, address,
                              object_id, **opened.audit)
    click.echo(f"Imported {address} (id {entry.target_id}, '{entry.name}' on the target). "
               "Run 'campaignkit plan' to see how it differs from the files.")


@main.group(name="state")
def state_group() -> None:
    """Inspect and repair state: list, show, rm, history."""


@state_group.command(name="list")
@env_option
def state_list(env_name: str | None) -> None:
    """Every address in state, with its id on the target."""
    with session(env_name, validate=False, with_target=False) as opened:
        entries = opened.store.read().entries
    for address in sorted(entries):
        click.echo(f"{address}\t{entries[address].target_id or '(manual)'}")


@state_group.command(name="show")
@click.argument("address", shell_complete=complete_addresses())
@env_option
def state_show(address: str, env_name: str | None) -> None:
    """What state records for ADDRESS, as JSON."""
    with session(env_name, validate=False, with_target=False) as opened:
        entry = entry_for(opened.store.read(), address, opened.workspace, opened.environment.name)
    click.echo(json.dumps({"address": entry.address, "kind": entry.kind, "name": entry.name,
                           "id": entry.target_id, "hash": entry.hash, "depends_on": list(entry.depends_on),
                           "prevent_destroy": entry.protected, "attributes": entry.attributes},
                          indent=2, ensure_ascii=False, sort_keys=False))


@state_group.command(name="rm")
@click.argument("addresses", nargs=-1, required=True, metavar="ADDRESS...", shell_complete=complete_addresses())
@env_option
@lock_timeout_option
def state_rm(addresses: tuple[str, ...], env_name: str | None, lock_timeout: float) -> None:
    """Forget ADDRESS: state stops managing it; the object stays on the target."""
    with session(env_name, validate=False, with_target=False) as opened, \
            opened.store.lock("state rm", lock_timeout):
        removed = forget(opened.store, addresses, opened.workspace, opened.environment.name, **opened.audit)
    for entry in removed:
        click.echo(f"Removed {entry.address} from state; the object stays on the target ({entry.held_as}).")


@state_group.command(name="history")
@env_option
def state_history(env_name: str | None) -> None:
    """Every operation that wrote state: who, when, git commit, plan hash, result."""
    with session(env_name, validate=False, with_target=False) as opened:
        rows = opened.store.history()
    if not rows:
        click.echo("No history: nothing was applied to this environment yet.")
    for row in rows:
        commit = row.git_commit[:12] or "-"
        plan_digest = row.plan_hash[:12] or "-"
        click.echo(f"#{row.id}  {row.started}  {row.operation:<9} {row.who:<12} {row.result:<11} "
                   f"commit {commit:<12}  plan {plan_digest:<12}  {row.summary}")


@main.command(name="force-unlock")
@click.argument("lock_id")
@env_option
def force_unlock(lock_id: str, env_name: str | None) -> None:
    """Remove the lock LOCK_ID left by a run that was killed; make sure it is really gone first."""
    with session(env_name, validate=False, with_target=False) as opened:
        held = opened.store.force_unlock(lock_id)
    click.echo(f"Removed lock {lock_id} ({held.operation} by {held.holder} since {held.since}).")
