"""``teams``, ``approvals`` and ``policies`` of campaignkit.yaml, as typed values.

Who may approve what is part of what the user wrote, like environments: this
module only reads it (the schema has checked its shape, and ``checks.review``
its names); matching rules to changes is ``review.approvals``' job.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from campaignkit.workspace.model import Config, plain

#: Enforcement levels, from Terraform Cloud's policy sets: a warning, a block a named approver lifts, a block.
ADVISORY, SOFT, HARD = "advisory", "soft-mandatory", "hard-mandatory"
LEVELS = (ADVISORY, SOFT, HARD)
#: What a rule's ``action`` may name: the plan's actions as a reviewer says them.
ACTIONS = ("create", "update", "destroy", "manual")


@dataclass(frozen=True)
class Rule:
    """One approval rule: the changes it matches and who must approve them."""

    name: str
    addresses: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    actions: tuple[str, ...] = ()
    fields: tuple[str, ...] = ()
    environments: tuple[str, ...] = ()
    #: ``any_of`` (one approval from any of ``approvers``) or ``each_of`` (one from every one of them).
    mode: str = "any_of"
    #: ``team.NAME`` or ``@handle``.
    approvers: tuple[str, ...] = ()
    index: int = 0


@dataclass(frozen=True)
class PolicySetting:
    """A built-in policy's level and who may override it (when soft-mandatory); ``off`` switches it off."""

    enforcement: str
    override_by: tuple[str, ...] = ()
    off: bool = False


@dataclass(frozen=True)
class ReviewConfig:
    teams: dict[str, tuple[str, ...]]
    rules: tuple[Rule, ...]
    builtin: dict[str, PolicySetting]

    @classmethod
    def of(cls, config: Config) -> ReviewConfig:
        data = plain(config.data)
        teams = {str(name): tuple(str(m) for m in members or ())
                 for name, members in (data.get("teams") or {}).items()}
        rules = tuple(_rule(index, raw) for index, raw in enumerate(data.get("approvals") or ()))
        settings = (data.get("policies") or {}).get("builtin") or {}
        builtin = {str(name): _setting(raw) for name, raw in settings.items()}
        return cls(teams, rules, builtin)

    @property
    def handles(self) -> tuple[str, ...]:
        """Every member of every team, once."""
        return tuple(dict.fromkeys(m for members in self.teams.values() for m in members))

    def members(self, approver: str) -> tuple[str, ...]:
        """The handles that can give ``approver``'s approval: a team's members, or the one ``@handle``."""
        if approver.startswith("team."):
            return self.teams.get(approver[5:], ())
        return (approver.lstrip("@"),)


def _listed(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    return tuple(str(v) for v in value) if isinstance(value, list) else (str(value),)


def _rule(index: int, raw: dict[str, Any]) -> Rule:
    match = raw.get("match") or {}
    approvers = raw.get("approvers") or {}
    mode = "each_of" if "each_of" in approvers else "any_of"
    return Rule(name=str(raw.get("name") or f"approvals[{index}]"), addresses=_listed(match.get("address")),
                kinds=_listed(match.get("kind")), actions=_listed(match.get("action")),
                fields=_listed(match.get("field")), environments=_listed(match.get("environment")),
                mode=mode, approvers=_listed(approvers.get(mode)), index=index)


def _setting(raw: Any) -> PolicySetting:
    """``off``/``false``, a level, or ``{enforcement: LEVEL, override_by: [...]}``."""
    if raw in (False, "off"):
        return PolicySetting(HARD, off=True)
    if isinstance(raw, str):
        return PolicySetting(raw)
    raw = raw or {}
    return PolicySetting(str(raw.get("enforcement", HARD)), _listed(raw.get("override_by")),
                         off=raw.get("enabled") is False)
