"""Review checks: the approvers that rules and policies name exist, and every policy compiles.

A misspelt team would make a rule that nobody can ever satisfy, found only when
a pull request waits forever; a policy that does not compile would stop every plan.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from campaignkit.checks import Scope, check
from campaignkit.diagnostics import Diagnostic, Position, closest, did_you_mean, error
from campaignkit.workspace.documents import position_of
from campaignkit.workspace.files import Refused, TooLarge
from campaignkit.workspace.rego import compile_error, constant, policy_files
from campaignkit.workspace.review_config import ReviewConfig


@check("CK208")
def unknown_approvers(scope: Scope) -> Iterator[Diagnostic]:
    """An approval rule or a policy names a team or a person that campaignkit.yaml does not declare.

    What it does: reports `team.NAME` entries that are not under `teams:`, and `@handle` entries
    that are not a member of any team, in `approvals[].approvers`, `policies.builtin.*.override_by`
    and the `override_by` of each Rego policy in `policies/` (where its value does not depend on
    the plan: as it reads with an empty `input`; one computed from the plan cannot be known before).
    Why is this bad? Nobody can give that approval, so a change the rule matches waits forever,
    or a policy can never be overridden.
    Example: `approvers: {any_of: [team.marketing-manager]}` when the team is `marketing-managers`.
    Use instead: `approvers: {any_of: [team.marketing-managers]}`, or add the team under `teams:`.
    """
    config = scope.workspace.config
    review = ReviewConfig.of(config)
    teams, people = [f"team.{name}" for name in review.teams], [f"@{handle}" for handle in review.handles]
    named = [(approver, position_of(config.data, path, config.position)) for path, approver in _approvers(config.data)]
    for approver, position in [*named, *_rego_approvers(scope.workspace.root)]:
        if approver in teams or approver in people:
            continue
        candidates = teams if approver.startswith("team.") else people if approver.startswith("@") else teams + people
        suggestion = closest(approver, candidates)
        yield error("CK208", f"{approver} is neither a team declared under teams: in campaignkit.yaml nor a member "
                             f"of one{did_you_mean(suggestion)}", position, suggestion=suggestion)


def _rego_approvers(root: Path) -> Iterator[tuple[str, Position]]:
    """The approvers each Rego policy's ``override_by`` names, where it does not depend on the plan (its value
    with an empty input), at the line that sets it. A file that cannot be read or compiled is CK011's."""
    try:
        policies = policy_files(root)
    except (OSError, Refused, TooLarge):
        return
    for policy in policies:
        if "override_by" not in policy.source or compile_error(policy) is not None:
            continue
        value = constant(policy, "override_by")
        at = _OVERRIDE_BY.search(policy.source)
        position = Position(policy.path, policy.source.count("\n", 0, at.start()) + 1 if at else 1)
        for approver in [value] if isinstance(value, str) else value if isinstance(value, list) else ():
            yield str(approver), position


_OVERRIDE_BY = re.compile(r"^[ \t]*override_by\b", re.MULTILINE)


def _approvers(data: dict) -> Iterator[tuple[list[str | int], str]]:
    """Every approver named in ``approvals`` and ``policies.builtin``, with its path in campaignkit.yaml."""
    for index, rule in enumerate(data.get("approvals") or ()):
        for mode, named in (rule.get("approvers") or {}).items():
            for at, approver in enumerate(named or ()):
                yield ["approvals", index, "approvers", mode, at], str(approver)
    for name, setting in ((data.get("policies") or {}).get("builtin") or {}).items():
        if isinstance(setting, dict):
            for at, approver in enumerate(setting.get("override_by") or ()):
                yield ["policies", "builtin", name, "override_by", at], str(approver)


@check("CK011")
def policy_does_not_compile(scope: Scope) -> Iterator[Diagnostic]:
    """A Rego policy in `policies/` does not compile.

    What it does: compiles every `policies/*.rego` file as `plan` will, and reports the first
    error at its line and column.
    Why is this bad? A policy that does not compile cannot say anything about a plan, so every
    plan that would be checked against it is refused.
    Example: `deny contains msg if { msg := }`.
    Use instead: `deny contains msg if { msg := "why the change is refused" }`.
    """
    root = scope.workspace.root
    try:
        policies = policy_files(root)
    except (OSError, Refused, TooLarge) as failure:
        yield error("CK011", f"the policies cannot be read: {failure}", scope.workspace.config.position)
        return
    for policy in policies:
        problem = compile_error(policy)
        if problem is not None:
            yield error("CK011", f"{policy.path} does not compile: {problem}", problem.position)
