"""Policies on a plan: the built-in ones and the workspace's Rego files, each with an enforcement level.

Every policy reads the same document, the plan JSON's fields that policies need
(``review.review.policy_input``), so a built-in policy is what a user could
have written in Rego. A policy's verdict is its messages: none, it passes.
Advisory messages are warnings; a failing soft-mandatory policy blocks unless
one of the approvers it names (any team member when it names none) approves;
a failing hard-mandatory policy blocks.

The built-in policies are documented as checks are (What it does / Why is this
bad? / Example / Use instead); ``docs/policies.md`` repeats them.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass
from typing import Any

from campaignkit.workspace.rego import PolicyError, PolicyFile, query
from campaignkit.workspace.review_config import ADVISORY, HARD, LEVELS, SOFT, PolicySetting, ReviewConfig

Document = dict[str, Any]
BuiltinFunction = Callable[[Document], Iterator[str]]


@dataclass(frozen=True)
class Verdict:
    """What one policy says of a plan: ``messages`` (none: it passes) at ``level``."""

    policy: str
    source: str
    level: str
    messages: tuple[str, ...]
    override_by: tuple[str, ...] = ()

    @property
    def passed(self) -> bool:
        return not self.messages

    def blocks(self, review: ReviewConfig, approved_by: Collection[str]) -> bool:
        """Whether this verdict stops apply, given the approvals ``approved_by`` (handles)."""
        if self.passed or self.level == ADVISORY:
            return False
        return self.level == HARD or not self.overridden(review, approved_by)

    def overridden(self, review: ReviewConfig, approved_by: Collection[str]) -> bool:
        handles = {a.lstrip("@") for a in approved_by}
        allowed = {m for a in self.override_by for m in review.members(a)} if self.override_by else set(review.handles)
        return bool(handles & allowed)

    def as_json(self) -> dict[str, Any]:
        return {"policy": self.policy, "source": self.source, "enforcement": self.level, "passed": self.passed,
                "messages": list(self.messages), "override_by": list(self.override_by)}


@dataclass(frozen=True)
class Builtin:
    name: str
    level: str
    function: BuiltinFunction

    @property
    def doc(self) -> str:
        return inspect.getdoc(self.function) or ""


BUILTINS: dict[str, Builtin] = {}


def builtin(name: str, level: str) -> Callable[[BuiltinFunction], BuiltinFunction]:
    """Registers a built-in policy under ``name`` with its default enforcement level."""

    def register(function: BuiltinFunction) -> BuiltinFunction:
        BUILTINS[name] = Builtin(name, level, function)
        return function

    return register


def _changes(document: Document, kind: str) -> Iterator[dict[str, Any]]:
    return (c for c in document.get("resource_changes", ()) if c["type"] == kind)


@builtin("static-list-destroy", HARD)
def static_list_destroy(document: Document) -> Iterator[str]:
    """No destroy of a static list that has members.

    What it does: fails a plan that destroys (or replaces) a static list, unless the target says
    the list is empty (`list_size: 0`); a target that does not count members counts as "may have some".
    Why is this bad? A static list's members were put there by forms, programs and imports; the
    platform cannot rebuild it, so destroying it loses them for good.
    Example: deleting the `list.2026-event-acme-conf-list` document, or changing its `type`.
    Use instead: keep the list (mark it `lifecycle: {prevent_destroy: true}`), or rename it with
    `moved_from`; empty it on the platform first if it really must go.
    """
    for change in _changes(document, "list"):
        facts, size = change["campaignkit"], change["campaignkit"].get("list_size")
        if "delete" in change["change"]["actions"] and facts.get("list_type") == "static" and size != 0:
            members = f"its {size} members" if size else "its members (the target does not say how many)"
            yield f"{change['address']} is a static list: destroying it loses {members}"


@builtin("running-program-tested", SOFT)
def running_program_tested(document: Document) -> Iterator[str]:
    """No change to a running program's steps without a campaign test that reaches each changed step.

    What it does: for an applied program with `status: running` whose steps change, fails for every
    changed step (still in the program) that no test in `tests/` reaches.
    Why is this bad? Prospects are in the program now; a step nobody has played through is
    tested on them.
    Example: a new `demo_followup` step in the running three-week nurture, and no test whose
    prospect's path goes through it.
    Use instead: add a campaign test whose prospect reaches the step (`expect: {path: [...]}`).
    """
    for change in _changes(document, "program"):
        facts = change["campaignkit"]
        after_steps = (change["change"]["after"] or {}).get("steps") or {}
        if not facts.get("running") or change["change"]["before"] is None:
            continue
        for step, tests in (facts.get("tests_reaching") or {}).items():
            if step in after_steps and not tests:
                yield f"{change['address']}: step '{step}' changes in a running program and no campaign test reaches it"


@builtin("email-checks-worse", SOFT)
def email_checks_worse(document: Document) -> Iterator[str]:
    """No email change that adds an error or a warning.

    What it does: fails for every check finding an update of an email adds, compared with the
    findings state recorded for the applied version (a new email has nothing to compare with).
    Why is this bad? A change that makes an email worse (a missing text part, an unreadable
    subject) reaches every recipient of every program that sends it.
    Example: a template edit that drops the unsubscribe link's text part.
    Use instead: fix what `campaignkit validate` reports for the email before it ships.
    """
    for change in _changes(document, "email"):
        for finding in change["campaignkit"].get("checks_added") or ():
            yield f"{change['address']}: adds {finding['severity']} {finding['code']}: {finding['message']}"


@builtin("scoring-impact", SOFT)
def scoring_impact(document: Document) -> Iterator[str]:
    """No scoring or grading change that moves the funnel without an approver who has seen its impact.

    What it does: for a change to existing scoring, grading, or a program step that reads or sets
    a score or grade, fails when the plan has no impact report for it, or when the report shows
    the MQLs or the prospects reaching a step changing; the messages give the differences.
    Why is this bad? A threshold or a point value decides who sales calls; moving it changes
    the pipeline for weeks, and only the simulation shows how much.
    Example: the three-week nurture's `qualify` step asking `{score: {gte: 30}}` where it asked 100
    (223 more prospects reach `handoff` in the simulation), or the scoring model's `mql: {score: 30}`.
    Use instead: have one of the policy's `override_by` approvers sign off on the impact
    (`campaignkit approvals check --approved-by …`), or leave the funnel as it was.
    """
    impact = document.get("impact") or {}
    for change in document.get("resource_changes", ()):
        scoring = change["type"] in ("scoring", "grading") or bool(change["campaignkit"].get("scoring_steps"))
        if not scoring or change["change"]["actions"] == ["create"]:
            continue
        reports = [p for p in impact.get("programs", ()) if change["address"] in p["because"]]
        if not reports:
            yield f"{change['address']}: a scoring or grading change without an impact report (no program to simulate)"
        for report in reports:
            moved = _moved(report)
            where = "" if report["program"] == change["address"] else f" in {report['program']}"
            if moved:
                yield f"{change['address']}: over {impact['days']} days{where}, {moved}; an approver must sign off"


def _moved(report: dict[str, Any]) -> str:
    """What an impact report shows moving: MQLs, then the steps whose count changes ("" when nothing does)."""
    before = report["before"] or {"mqls": 0, "steps": {}}
    after = report["after"]
    steps = [f"{step} {before['steps'].get(step, 0)} -> {count}" for step, count in after["steps"].items()
             if before["steps"].get(step, 0) != count]
    if not steps and not report["mql_difference"]:
        return ""
    mqls = f"MQLs {before['mqls']} -> {after['mqls']} ({report['mql_difference']:+d})"
    return f"{mqls}; prospects reaching {', '.join(steps)}" if steps else mqls


def evaluate(document: Document, review: ReviewConfig, files: list[PolicyFile]) -> tuple[Verdict, ...]:
    """Every policy's verdict on ``document``: the built-ins not switched off, then the Rego files."""
    verdicts = []
    for name, policy in BUILTINS.items():
        setting = review.builtin.get(name, PolicySetting(policy.level))
        if not setting.off:
            verdicts.append(Verdict(name, "built-in", setting.enforcement, tuple(policy.function(document)),
                                    setting.override_by))
    for file in files:
        verdicts.extend(_rego_verdicts(file, document))
    return tuple(verdicts)


def _rego_verdicts(policy: PolicyFile, document: Document) -> list[Verdict]:
    """A Rego file's ``deny`` at its ``enforcement`` (hard-mandatory unless it says), its ``warn`` as advisory."""
    try:
        values = query(policy, document)
    except PolicyError as failure:
        return [Verdict(policy.name, policy.path, HARD, (f"the policy failed: {failure} ({failure.position})",))]
    level = str(values.get("enforcement", HARD))
    if level not in LEVELS:
        return [Verdict(policy.name, policy.path, HARD,
                        (f"enforcement is '{level}'; it is one of {', '.join(LEVELS)}",))]
    override = values.get("override_by") or ()
    verdicts = [Verdict(policy.name, policy.path, level, _messages(values.get("deny")),
                        tuple(str(a) for a in ([override] if isinstance(override, str) else override)))]
    warnings = _messages(values.get("warn"))
    if warnings:
        verdicts.append(Verdict(f"{policy.name} (warn)", policy.path, ADVISORY, warnings))
    return verdicts


def _messages(value: Any) -> tuple[str, ...]:
    """A Rego set (a list, or an object of ``msg: true`` in older syntax) as sorted messages."""
    if isinstance(value, dict):
        value = [k for k, v in value.items() if v]
    return tuple(sorted(str(v) for v in value or ()))
