"""The workspace's rules, compiled once for running: fields, lists, scoring, grading, forms, programs.

Built from a validated ``Workspace`` (the engine trusts the shapes the
schemas guarantee). A workspace without a scoring model or grading profile
runs with Account Engagement's defaults, so that a small workspace can still
be tested.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from campaignkit.domain import DEFAULT_POINTS, START_GRADE
from campaignkit.workspace.model import Workspace, plain

#: A common MQL starting point when the scoring model names none: score 100 and grade B-.
DEFAULT_MQL = {"score": 100, "grade": "B-"}


@dataclass(frozen=True)
class World:
    field_defaults: dict[str, Any]
    #: Each field's declaration by name (its type and an enum's values), to read prospects from files.
    fields: dict[str, dict[str, Any]]
    lists: dict[str, dict[str, Any]]
    points: dict[str, int]
    decay: dict[str, int] | None
    mql: dict[str, Any]
    start_grade: str
    criteria: tuple[dict[str, Any], ...]
    forms: dict[str, dict[str, Any]]
    programs: dict[str, dict[str, Any]]
    emails: frozenset[str]
    #: The emails marked ``operational: true``: transactional mail, sent regardless of opt-out.
    operational: frozenset[str]
    personas: dict[str, dict[str, Any]]
    #: The ``simulation`` section of campaignkit.yaml (behaviour rates).
    simulation: dict[str, Any]
    #: Whether a program may send a prospect an email template it sent before (Account Engagement's
    #: account setting "Allow email templates to be sent more than once to the same prospect").
    resend_emails: bool = True

    @classmethod
    def from_workspace(cls, workspace: Workspace) -> World:
        def data(kind: str) -> dict[str, dict[str, Any]]:
            return {r.address: plain(r.data) for r in workspace.of_kind(kind)}

        scoring = next(iter(data("scoring").values()), {})
        grading = next(iter(data("grading").values()), {})
        emails = data("email")
        return cls(
            field_defaults={f["name"]: f.get("example", f.get("default")) for f in data("field").values()},
            fields={f["name"]: f for f in data("field").values()},
            lists=data("list"),
            points={**DEFAULT_POINTS, **scoring.get("activities", {})},
            decay=scoring.get("decay"),
            mql=scoring.get("mql", DEFAULT_MQL),
            start_grade=grading.get("start", START_GRADE),
            criteria=tuple(grading.get("criteria", ())),
            forms=data("form"),
            programs=data("program"),
            emails=frozenset(emails),
            operational=frozenset(address for address, email in emails.items() if email.get("operational") is True),
            personas=data("persona"),
            simulation=plain(workspace.config.data.get("simulation") or {}),
            resend_emails=(workspace.config.data.get("engagement_studio") or {}).get("resend_emails", True),
        )
