"""Approval rules matched to a plan's changes, and approvals given checked against them.

A rule matches a change when every key of its ``match`` does (address and field
patterns as ``fnmatch``, kinds, actions, environments). ``any_of`` rules need one
approval from any approver they name, ``each_of`` rules one from each; a team's
approval is any member's.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path

from campaignkit.plan import Action, Change
from campaignkit.workspace.model import Workspace
from campaignkit.workspace.review_config import ReviewConfig, Rule


@dataclass(frozen=True)
class Requirement:
    """What one rule asks of a plan: approvals from ``approvers`` (``mode`` any_of/each_of) for ``addresses``."""

    rule: str
    mode: str
    approvers: tuple[str, ...]
    addresses: tuple[str, ...]

    def wanting(self, review: ReviewConfig, approved_by: Collection[str]) -> tuple[str, ...]:
        """The approvers whose approval is still missing (all of them for an unmet any_of)."""
        given = [a for a in self.approvers if set(review.members(a)) & set(approved_by)]
        if self.mode == "any_of":
            return () if given else self.approvers
        return tuple(a for a in self.approvers if a not in given)

    def describe(self, review: ReviewConfig) -> str:
        """``one of team.x (@a, @b)`` or ``each of …``, for the plan and for ``approvals check``."""
        named = ", ".join(_with_members(a, review) for a in self.approvers)
        return f"{'one of' if self.mode == 'any_of' else 'each of'} {named}"


def _with_members(approver: str, review: ReviewConfig) -> str:
    if not approver.startswith("team."):
        return approver
    return f"{approver} ({', '.join('@' + m for m in review.members(approver)) or 'no members'})"


def change_actions(change: Change) -> frozenset[str]:
    """The rule actions ``change`` counts as: a replace both destroys and creates."""
    actions = {Action.CREATE: {"create"}, Action.UPDATE: {"update"}, Action.DELETE: {"destroy"},
               Action.REPLACE: {"destroy", "create"}}[change.action]
    return frozenset(actions | ({"manual"} if change.needs_person else set()))


def matches(rule: Rule, change: Change, environment: str) -> bool:
    """Whether every key of ``rule``'s ``match`` holds for ``change`` in ``environment``."""
    paths = [f.path for f in change.fields] or ["*"]
    return ((not rule.addresses or any(fnmatchcase(change.address, p) for p in rule.addresses))
            and (not rule.kinds or change.kind in rule.kinds)
            and (not rule.actions or bool(change_actions(change) & set(rule.actions)))
            and (not rule.fields or any(fnmatchcase(path, p) for path in paths for p in rule.fields))
            and (not rule.environments or environment in rule.environments))


def requirements(review: ReviewConfig, changes: Iterable[Change], environment: str) -> tuple[Requirement, ...]:
    """Each rule that matches some change, with the changes it matches, in rule order."""
    changes = tuple(changes)
    found = []
    for rule in review.rules:
        addresses = tuple(c.address for c in changes if matches(rule, c, environment))
        if addresses:
            found.append(Requirement(rule.name, rule.mode, rule.approvers, addresses))
    return tuple(found)


def missing(review: ReviewConfig, needed: Iterable[Requirement], approved_by: Collection[str]) -> list[str]:
    """One line per requirement not met by ``approved_by`` (handles, with or without @)."""
    handles = {a.lstrip("@") for a in approved_by}
    return [f"{r.rule} ({', '.join(r.addresses)}): {r.describe(review)}"
            for r in needed if r.wanting(review, handles)]


def codeowners(workspace: Workspace) -> str:
    """The file-level part of the rules as a CODEOWNERS file: each rule's approvers own the files that
    declare what its address and kind patterns match (CODEOWNERS cannot say actions, fields or environments)."""
    review = ReviewConfig.of(workspace.config)
    prefix = _prefix(workspace.root)
    lines = ["# Written by 'campaignkit codeowners' from the approvals rules in campaignkit.yaml.",
             "# Later lines win, as in CODEOWNERS; rules that match by action, field or environment",
             "# are only enforced by 'campaignkit approvals check'."]
    for rule in review.rules:
        files = sorted({resource.position.path for resource in workspace.resources.values()
                        if (not rule.addresses or any(fnmatchcase(resource.address, p) for p in rule.addresses))
                        and (not rule.kinds or resource.kind in rule.kinds)})
        owners = " ".join(dict.fromkeys(f"@{m}" for a in rule.approvers for m in review.members(a)))
        if files and owners:
            lines += ["", f"# {rule.name}", *(f"/{prefix}{_relative(path, workspace.root)} {owners}" for path in files)]
    return "\n".join(lines) + "\n"


def _prefix(root: Path) -> str:
    """The workspace's folder inside its git repository (``campaigns/``), or "" at its root."""
    for parent in (root, *root.parents):
        if (parent / ".git").exists():
            relative = root.relative_to(parent).as_posix()
            return "" if relative == "." else f"{relative}/"
    return ""


def _relative(path: str, root: Path) -> str:
    candidate = Path(path)
    return (candidate.relative_to(root) if candidate.is_absolute() else candidate).as_posix()
