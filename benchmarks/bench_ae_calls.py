"""Counts the Account Engagement API calls that plan, apply and refresh make for a 10,000-resource workspace.

The workspace comes from ``benchmarks.generate`` (one list in ten tagged), applied
to the stand-in server of the tests (``tests/ae_server.py``, written from the
published v5 pages) as ``campaignkit apply FILE`` does, each step with a
target of its own:

1. the first plan, the calls it says apply will make, and the calls apply
   makes: one per object created and one per tag, with a few reads;
2. refresh of everything applied: whole collections a page of 1,000 at a
   time; the goal is under 40 calls;
3. 100 lists changed: the plan's count and the calls of its apply.

    python -m benchmarks.bench_ae_calls [--resources 10000]
"""

from __future__ import annotations

import argparse
import os
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from benchmarks.generate import generate
from campaignkit.checks import check_workspace
from campaignkit.diagnostics import has_errors
from campaignkit.plan import Plan, plan_workspace, refresh, refuse_lost_state
from campaignkit.plan.apply import apply_plan
from campaignkit.state import StateStore, open_store
from campaignkit.targets import Target, merge_language, open_target
from campaignkit.targets.account_engagement import TOKEN_VARIABLE
from campaignkit.workspace.model import Environment, Workspace
from tests.ae_server import BusinessUnit, Server, make_certificate
from tests.ae_workspace import ENVIRONMENT, TOKEN, UNIT, furnish, use_server

REFRESH_GOAL = 40
CHANGED = 100
TAGGED_EVERY = 10


@dataclass(frozen=True)
class Opened:
    workspace: Workspace
    environment: Environment
    store: StateStore
    target: Target


@contextmanager
def opened(root: Path, lock: str) -> Iterator[Opened]:
    """The workspace's environment as one command opens it: a target of its own, the state locked."""
    workspace, diagnostics = check_workspace(root, merge_language)
    assert not has_errors(diagnostics), [d.message for d in diagnostics if d.is_error][:5]
    environment = workspace.config.environment(ENVIRONMENT)
    target = open_target(environment, workspace)
    try:
        with open_store(environment, root, workspace.config.workspace) as store, store.lock(lock):
            yield Opened(workspace, environment, store, target)
    finally:
        target.close()


def plan(root: Path) -> Plan:
    with opened(root, "plan") as o:
        state = o.store.read()
        refuse_lost_state(state, o.store, o.target, o.workspace)  # as the command does, on an empty state
        return plan_workspace(o.workspace, o.environment, state, o.target)


def apply(root: Path, made: Plan) -> None:
    with opened(root, "apply") as o:
        refuse_lost_state(o.store.read(), o.store, o.target, o.workspace)
        report = apply_plan(made, o.store, o.target)
    assert report.ok, report.summary


def refreshed(root: Path) -> int:
    """How many objects refresh read back (none changed)."""
    with opened(root, "refresh") as o:
        state = o.store.read()
        _, drift = refresh(state, o.target)
    assert not drift, drift[:3]
    return sum(1 for entry in state.entries.values() if entry.target_id)


def tag_lists(root: Path, every: int) -> None:
    """Tags one list in ``every``, so that apply and refresh carry tags as a business unit's objects do."""
    for path in sorted((root / "lists").glob("*.yaml")):
        path.write_text(re.sub(r"(?m)^title: List (\d+)$",
                               lambda m: m[0] + ("\ntags: [newsletter]" if int(m[1]) % every == 0 else ""),
                               path.read_text()))


def change_lists(root: Path, count: int) -> None:
    """Edits the title of ``count`` lists."""
    left = count
    for path in sorted((root / "lists").glob("*.yaml")):
        text, n = re.subn(r"(?m)^title: List (\d+)$", r"title: List \1 (renamed)", path.read_text(), count=left)
        path.write_text(text)
        left -= n
        if not left:
            return


def said(plan: Plan) -> str:
    calls = plan.api_calls
    assert calls is not None
    return f"{calls.total:,} calls ({calls.writes:,} to write, {calls.reads:,} to read)"


def bench(root: Path, unit: BusinessUnit) -> None:
    def calls() -> int:
        """The requests the server answered since the last time this was asked."""
        count, unit.requests[:] = len(unit.requests), []
        return count

    first = plan(root)
    print(f"first plan: {len(first.changes):,} changes, {first.to_add:,} made through the API; "
          f"it read the target in {calls()} call(s)")
    apply(root, first)
    tags = sum(len((c.after or {}).get("tags") or ()) for c in first.changes if not c.manual)
    print(f"  the plan said apply will make {said(first)}; apply made {calls():,}, "
          f"for {first.to_add:,} objects and {tags:,} tags")
    objects = refreshed(root)
    made = calls()
    verdict = "ok" if made < REFRESH_GOAL else f"over the goal of {REFRESH_GOAL}"
    print(f"refresh of {objects:,} objects: {made} calls ({verdict})")
    change_lists(root, CHANGED)
    changed = plan(root)
    print(f"{CHANGED} lists changed: the plan read the target in {calls()} calls and said apply will make "
          f"{said(changed)}", end="")
    apply(root, changed)
    print(f"; apply made {calls():,}")


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_ae_calls", description=__doc__.splitlines()[0])
    parser.add_argument("--resources", type=int, default=10_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ck-bench-ae-") as tmp:
        root = generate(Path(tmp) / "workspace", args.resources)
        tag_lists(root, TAGGED_EVERY)
        certificate = make_certificate(Path(tmp))
        os.environ.update({"SSL_CERT_FILE": str(certificate[0]), "CK_AE_BUSINESS_UNIT": UNIT, TOKEN_VARIABLE: TOKEN})
        server = Server(BusinessUnit(TOKEN, UNIT), certificate)
        server.unit.latency = 0
        try:
            use_server(root, server.url)
            furnish(server.unit, root)
            bench(root, server.unit)
        finally:
            server.stop()


if __name__ == "__main__":
    main()
