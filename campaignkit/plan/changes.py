"""A plan as data: the changes apply would make, the drift refresh found, and what it is bound to.

A plan is a value: it can be printed (``plan_report``), saved to a file and
read back (``plan.saved``) and applied (``apply``). It is bound to the state it
was made against (``lineage`` and ``serial``) and to the files it was made
from (``workspace_hash``), so that a saved plan applied later does exactly what
the reviewer read, or nothing. Data only: making, printing and applying
plans live elsewhere.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum
from typing import Any

from campaignkit.plan.diff import FieldChange
from campaignkit.state import Finding
from campaignkit.targets.base import CallCount, Content


@dataclass(frozen=True)
class InFlight:
    """What a change to a program does to the prospects on one of its steps (``plan.in_flight``).

    ``outcome`` is ``moved on`` (the step is deleted), ``re-routed`` (it leads elsewhere now) or
    ``unaffected`` (only its settings change); ``waiting`` estimates how many prospects wait on it.
    """

    step: str
    outcome: str
    detail: str
    waiting: int | None = None


@dataclass(frozen=True)
class Received:
    """An email's subject and preheader as one persona's sample prospect gets them, or why they did not render."""

    persona: str
    subject: str = ""
    preheader: str = ""
    problem: str = ""


class Action(str, Enum):
    CREATE = "create"
    UPDATE = "update"
    REPLACE = "replace"  # delete, then create: the target cannot change a field in place
    DELETE = "delete"


@dataclass(frozen=True)
class Change:
    """One object's change. ``before`` is what the target holds, ``after`` what it will hold."""

    address: str
    kind: str
    name: str
    action: Action
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    #: The fields that change (for a create: every field), with ``name`` first on a rename.
    fields: tuple[FieldChange, ...] = ()
    target_id: str = ""
    #: The address the object had in state when this is a ``moved_from`` rename.
    previous_address: str | None = None
    #: Digest of ``name`` and ``after``, recorded in state when the change is done.
    hash: str = ""
    depends_on: tuple[str, ...] = ()
    protected: bool = False
    #: Fields whose change makes this a replace.
    replace_fields: tuple[str, ...] = ()
    #: True: the target has no API for this change; apply records it and a person does it.
    manual: bool = False
    #: Fields a person must set by hand even though the rest goes through the API.
    manual_fields: tuple[str, ...] = ()
    #: The steps a person takes for the manual part, worded by the target.
    instructions: str = ""
    #: Addresses of changes in the same plan that must finish before this one starts.
    wait_for: tuple[str, ...] = ()
    #: An email's rendered bodies, when this change sends them; and those the target held, for the diff.
    content: Content | None = None
    content_before: Content | None = None
    #: The email's subject and preheader as the sample prospect gets them (or in the target's merge
    #: language), rendered with ``content``: what an inbox shows, beside the templates in ``after``.
    inbox: Content | None = None
    #: The subject and preheader as each persona the email is written for gets them (``Received``).
    received: tuple[Received, ...] = ()
    #: An email's check findings in this version (recorded in state on apply), and those state recorded
    #: for the applied version; None: not checked, or nothing recorded (a new email, older state).
    #: Not part of ``fields``: a check's wording changing does not change the email.
    checks: tuple[Finding, ...] | None = None
    checks_before: tuple[Finding, ...] | None = None
    #: For a program whose steps change: what happens to the prospects on each changed or deleted step.
    in_flight: tuple[InFlight, ...] = ()
    #: For a list already on the target: its members as the target counted them when the plan was made;
    #: None where the target does not count them.
    list_size: int | None = None

    @property
    def needs_person(self) -> bool:
        return self.manual or bool(self.manual_fields)

    @property
    def attribute_fields(self) -> frozenset[str]:
        """Top-level attributes the target must change (not the name, not lifecycle flags)."""
        return frozenset(f.top for f in self.fields if f.top not in _NOT_ATTRIBUTES)

    @property
    def sent_fields(self) -> frozenset[str]:
        """What an update sets through the target's API: the attributes not set by hand, and ``name``
        when it renames the object, unless a person must (a form). Empty: only state records the change."""
        renamed = frozenset({"name"}) if any(f.path == "name" for f in self.fields) else frozenset()
        return (self.attribute_fields | renamed) - frozenset(self.manual_fields)


#: Paths in ``Change.fields`` that are not attributes sent to the target.
_NOT_ATTRIBUTES = frozenset({"name", "lifecycle"})


@dataclass(frozen=True)
class Drift:
    """A difference refresh found between state and the target: a change made outside campaignkit."""

    address: str
    kind: str
    name: str
    #: ``update`` (changed in the platform) or ``delete`` (gone from it).
    action: str
    before: dict[str, Any]
    after: dict[str, Any] | None
    fields: tuple[FieldChange, ...] = ()
    #: The name the object has on the target now.
    remote_name: str = ""


def count_changes(changes: Iterable[Change], *actions: Action) -> int:
    """How many of ``changes`` do one of ``actions`` on the target: a change made wholly by hand
    (``manual``) adds, changes or destroys nothing there."""
    return sum(1 for c in changes if c.action in actions and not c.manual)


@dataclass(frozen=True)
class Plan:
    environment: str
    target: str
    changes: tuple[Change, ...]
    drift: tuple[Drift, ...]
    #: The state's lineage, or a fresh one reserved for a plan made on an empty state.
    lineage: str
    serial: int
    state_empty: bool
    workspace_hash: str
    #: Whether the target was read (refresh) before planning.
    refreshed: bool = True
    #: The ``--target`` addresses the plan is limited to (with what they depend on); empty: the whole workspace.
    targets: tuple[str, ...] = ()
    #: Where the state it was made from is kept (``State.location``).
    state_location: str = ""
    #: The API calls apply will make, for a target that counts them (``CountsCalls``); None: not counted.
    api_calls: CallCount | None = None

    def count(self, *actions: Action) -> int:
        return count_changes(self.changes, *actions)

    @property
    def to_add(self) -> int:
        return self.count(Action.CREATE, Action.REPLACE)

    @property
    def to_change(self) -> int:
        return self.count(Action.UPDATE)

    @property
    def to_destroy(self) -> int:
        return self.count(Action.DELETE, Action.REPLACE)

    @property
    def manual(self) -> int:
        return sum(1 for c in self.changes if c.needs_person)

    @property
    def has_changes(self) -> bool:
        return bool(self.changes)

    @property
    def needs_apply(self) -> bool:
        """Whether applying would write anything: a change, or drift that state must record even when
        the files ask for no change."""
        return self.has_changes or bool(self.drift)

    @property
    def summary(self) -> str:
        """Terraform's one line: "Plan: 3 to add, 1 to change, 0 to destroy." plus manual steps."""
        manual = f" {self.manual} manual (to do by hand)." if self.manual else ""
        return f"Plan: {self.to_add} to add, {self.to_change} to change, {self.to_destroy} to destroy.{manual}"
