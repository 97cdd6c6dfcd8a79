"""An email's check findings on a plan: this version's, the applied version's, and which changed.

Apply records each email's findings in state, so that the next plan can tell a
reviewer which checks a change broke and which it fixed. Findings are compared
by code, severity and message, never by line: lines shift with unrelated
edits. The checks themselves are ``render``'s, and their results for the emails
a plan changes usually come from ``validate``'s cache; this module attaches them
to those changes.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, replace

from campaignkit.diagnostics import Diagnostic
from campaignkit.plan.changes import Action, Change, Plan
from campaignkit.state import Finding, State
from campaignkit.targets import merge_language
from campaignkit.workspace.model import Workspace


@dataclass(frozen=True)
class ChecksDiff:
    """How the findings of an email's new version differ from those of the applied one."""

    added: tuple[Finding, ...]
    fixed: tuple[Finding, ...]
    unchanged: int


def findings_of(diagnostics: Iterable[Diagnostic]) -> tuple[Finding, ...]:
    """``diagnostics`` as findings, sorted, each saying where it is now."""
    return tuple(sorted(Finding(d.code, d.severity.value, d.message, f"{d.position.path}:{d.position.line}")
                        for d in diagnostics))


def compare(before: Iterable[Finding], after: Iterable[Finding]) -> ChecksDiff:
    """Added and fixed findings; counted as multisets, since one message can be found twice."""
    old, new = Counter(before), Counter(after)
    return ChecksDiff(added=tuple(sorted((new - old).elements())), fixed=tuple(sorted((old - new).elements())),
                      unchanged=sum((old & new).values()))


def attach_findings(plan: Plan, workspace: Workspace, state: State) -> Plan:
    """``plan`` with the findings of each email it creates or changes, now and as state recorded them."""
    checked = [c for c in plan.changes if c.kind == "email" and c.action is not Action.DELETE]
    if not checked:
        return plan
    from campaignkit.emails.workers import check_emails  # rendering is only loaded when an email changed

    found = check_emails(workspace, [workspace.resources[c.address] for c in checked], merge_language).result()
    now = {c.address: findings_of(diagnostics) for c, diagnostics in zip(checked, found, strict=True)}
    return replace(plan, changes=tuple(_with_findings(c, now, state) for c in plan.changes))


def _with_findings(change: Change, now: dict[str, tuple[Finding, ...]], state: State) -> Change:
    if change.address not in now:
        return change
    prior = None if change.action is Action.CREATE else state.entries.get(change.previous_address or change.address)
    return replace(change, checks=now[change.address], checks_before=prior.checks if prior else None)
