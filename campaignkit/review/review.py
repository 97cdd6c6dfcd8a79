"""``review_plan``: a plan's approvals, facts, impact and policy verdicts, as one value."""

from __future__ import annotations

import os
from collections.abc import Collection
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from campaignkit.errors import UserError
from campaignkit.plan import Action, FieldChange, Plan
from campaignkit.review.approvals import Requirement, missing, requirements
from campaignkit.review.facts import facts_of, steps_reached
from campaignkit.review.impact import Impact, impact_of
from campaignkit.review.policies import Verdict, evaluate
from campaignkit.workspace.model import Workspace
from campaignkit.workspace.rego import policy_files
from campaignkit.workspace.review_config import SOFT, ReviewConfig

#: Set to an ISO 8601 moment to plan "as of" it: for trying a policy that depends on the day.
PLANNED_AT_VARIABLE = "CAMPAIGNKIT_PLANNED_AT"
_TERRAFORM_ACTIONS = {Action.CREATE: ["create"], Action.UPDATE: ["update"], Action.REPLACE: ["delete", "create"],
                      Action.DELETE: ["delete"]}


#: The actions that change an object that was there (a create has nothing to compare with).
_CHANGED = (Action.UPDATE, Action.REPLACE)


@dataclass(frozen=True)
class Review:
    config: ReviewConfig
    planned_at: datetime
    requirements: tuple[Requirement, ...]
    #: Per address: owners, the steps sending an email, a list's size, the tests reaching changed steps.
    facts: dict[str, dict[str, Any]]
    impact: Impact | None
    verdicts: tuple[Verdict, ...]

    def needed_by(self, address: str) -> list[Requirement]:
        return [r for r in self.requirements if address in r.addresses]

    def missing(self, approved_by: Collection[str]) -> list[str]:
        """What ``approved_by`` leaves unmet: approvals rules ask for, and overrides failing policies need."""
        return [*missing(self.config, self.requirements, approved_by), *self.blocking(approved_by)]

    def blocking(self, approved_by: Collection[str]) -> list[str]:
        """The failing mandatory policies that ``approved_by`` does not override, one line each."""
        lines = []
        for verdict in self.verdicts:
            if not verdict.blocks(self.config, approved_by):
                continue
            how = ("no approval overrides it" if verdict.level == "hard-mandatory"
                   else f"override: one of {', '.join(verdict.override_by) or 'any team member'}")
            lines.append(f"policy {verdict.policy} ({verdict.level}; {how}): {'; '.join(verdict.messages)}")
        return lines

    def overrides(self) -> list[tuple[str, str]]:
        """Each failing soft-mandatory policy with who may override it, as the plan's checklist says it."""
        return [(verdict.policy, Requirement(verdict.policy, "any_of", verdict.override_by, ()).describe(self.config)
                 if verdict.override_by else "any team member")
                for verdict in self.verdicts if verdict.level == SOFT and not verdict.passed]

    def top_level(self) -> dict[str, Any]:
        """What the review adds at the top of the plan JSON (``policies`` and ``approvals`` included)."""
        return {**self.moment(), "impact": self.impact.as_json() if self.impact else None,
                "approvals": [{"rule": r.rule, "mode": r.mode, "approvers": list(r.approvers),
                               "addresses": list(r.addresses)} for r in self.requirements],
                "policies": [v.as_json() for v in self.verdicts]}

    def change_facts(self, address: str) -> dict[str, Any]:
        """What the review adds to a change's ``campaignkit`` object in the plan JSON."""
        return {**self.facts.get(address, {}),
                "approvals": [{"rule": r.rule, "mode": r.mode, "approvers": list(r.approvers)}
                              for r in self.needed_by(address)]}

    def moment(self) -> dict[str, str]:
        """When the plan is reviewed, and its weekday (UTC), for policies that depend on the day."""
        return {"planned_at": self.planned_at.isoformat().replace("+00:00", "Z"),
                "weekday": self.planned_at.strftime("%A")}


def review_plan(plan: Plan, workspace: Workspace) -> Review:
    """The review of ``plan``, made from ``workspace`` (the files it was planned from)."""
    config = ReviewConfig.of(workspace.config)
    programs = [c.address for c in plan.changes if c.kind == "program" and c.action in _CHANGED]
    reached = steps_reached(workspace, programs)
    facts = {c.address: facts_of(c, workspace, reached) for c in plan.changes}
    impact = impact_of(plan.changes, workspace)
    unjudged = Review(config, planned_at(), requirements(config, plan.changes, plan.environment), facts, impact, ())
    # The policies read what the review says of the plan (the same fields the plan JSON shows), so they come last.
    verdicts = evaluate(policy_input(plan, unjudged), config, policy_files(workspace.root))
    return replace(unjudged, verdicts=verdicts)


def policy_input(plan: Plan, review: Review) -> dict[str, Any]:
    """The document policies read: the plan JSON's fields that say what changes and the review's facts."""
    return {
        "environment": plan.environment,
        "target": plan.target,
        **review.moment(),
        "impact": review.impact.as_json() if review.impact else None,
        "resource_changes": [
            {"address": c.address, "type": c.kind, "name": c.name,
             "change": {"actions": _TERRAFORM_ACTIONS[c.action], "before": _named(c.before, c.fields, c.name),
                        "after": None if c.after is None else {"name": c.name, **c.after}},
             "campaignkit": {"changed_paths": [f.path for f in c.fields], "manual": c.manual,
                             **review.change_facts(c.address)}}
            for c in plan.changes],
    }


def _named(before: dict[str, Any] | None, fields: tuple[FieldChange, ...], name: str) -> dict[str, Any] | None:
    """``before`` with the name it had, as the plan JSON shows it."""
    if before is None:
        return None
    return {"name": next((f.before for f in fields if f.path == "name"), name), **before}


def planned_at() -> datetime:
    """Now, or the moment ``CAMPAIGNKIT_PLANNED_AT`` gives."""
    given = os.environ.get(PLANNED_AT_VARIABLE)
    if not given:
        return datetime.now(UTC).replace(microsecond=0)
    try:
        moment = datetime.fromisoformat(given)
    except ValueError:
        raise UserError(f"{PLANNED_AT_VARIABLE}={given} is not an ISO 8601 moment such as 2026-12-04T10:00:00Z") \
            from None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC)
