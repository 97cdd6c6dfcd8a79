"""What a target is: the place declared objects live, and what it can do with each kind.

A target stores objects under ids it assigns (as a platform does) and declares,
per kind, what it can do: create, update and delete through its API; which
fields it can only *replace* (delete and create again, as when a platform
cannot change a field's type); which fields or kinds have no API at all, whose
changes the plan shows as ``manual`` with the steps a person must take; and
which fields it can read back for ``refresh``.

The planner reads the capabilities; ``apply`` calls the operations. A target
never touches state and never decides what to change.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from campaignkit.errors import TargetError as TargetError  # part of the target interface

#: The rendered body of an email, as a platform stores it. Bodies travel to the
#: target with the change that sets them; everywhere else (desired objects,
#: state, refresh) an email carries only their digest, ``CONTENT_DIGEST``.
CONTENT_FIELDS = ("html_body", "text_body")
CONTENT_DIGEST = "content_sha256"

Content = Mapping[str, str]


def content_digest(content: Content) -> str:
    """The digest of an email's bodies: what plans compare and state records."""
    digest = hashlib.sha256()
    for body in CONTENT_FIELDS:
        digest.update(content.get(body, "").encode() + b"\0")
    return digest.hexdigest()


@dataclass(frozen=True)
class RemoteObject:
    """An object as the target holds it, with the attributes in campaignkit's shape.

    An email's ``attributes`` carry ``CONTENT_DIGEST`` computed from the bodies
    the target holds; ``content`` holds the bodies themselves when the target
    read them (``read`` does, ``list`` need not).
    """

    kind: str
    name: str
    id: str
    attributes: dict[str, Any]
    content: Content | None = None
    #: Readable attributes this reading could not see (Account Engagement's queries do not return an
    #: email's bodies): ``refresh`` keeps what state says of them rather than call them removed.
    unread: frozenset[str] = frozenset()
    #: When the object was created (ISO 8601), if the target says: what ``adopt`` dates a name by.
    created: str = ""


@dataclass(frozen=True)
class KindCapabilities:
    """What a target can do with one kind of object."""

    #: False: the target has no API for the kind; every change to it is manual.
    api: bool = True
    #: Fields that cannot change in place: changing one deletes and re-creates the object.
    replace_fields: frozenset[str] = frozenset()
    #: Fields without an API (e.g. a dynamic list's rules): changing one is manual.
    manual_fields: frozenset[str] = frozenset()
    #: Fields ``refresh`` can read back and compare; ``None`` means all of them.
    read_fields: frozenset[str] | None = None
    #: Values every object the API creates has already (Account Engagement makes every list static):
    #: a create that asks for one of them leaves a person nothing to set for that field.
    created_with: Mapping[str, Any] = field(default_factory=dict)
    #: Manual fields the API sets when it creates an object, though it cannot change them afterwards
    #: (Account Engagement's forms have no update): a create leaves a person nothing to set for them.
    set_on_create: frozenset[str] = frozenset()
    #: False where the target knows an object by another key and takes its name from the files (Account
    #: Engagement's custom fields, by API name): a name changed in the files changes nothing there.
    names_held: bool = True
    #: False: the target cannot delete the kind's objects (Account Engagement's dynamic content); a delete is manual.
    deletable: bool = True


@dataclass(frozen=True)
class ManualChange:
    """A change a person must make in the platform's UI, as the target describes it."""

    action: str  # create, update, delete
    kind: str
    name: str
    fields: tuple[str, ...]
    attributes: dict[str, Any]
    #: The name the object has in the platform when the change renames it ("" otherwise): where a person finds it.
    renamed_from: str = ""


#: The attribute holding a program's declared status: ``running`` or ``paused``, or absent (not managed).
PROGRAM_STATUS = "status"
#: A program's declared status -> the statuses read from a platform that fulfil it. A program
#: starting up is on its way to running; a draft, never started, sends nothing, as a paused one.
PROGRAM_STATUSES = {"running": frozenset({"running", "starting"}), "paused": frozenset({"paused", "draft"})}


@dataclass(frozen=True)
class ProgramReading:
    """A program as a platform that cannot change programs still lets one read it: who it sends to, and whether."""

    id: str
    name: str
    #: Target ids of the recipient lists and of the suppression lists.
    recipient_list_ids: tuple[str, ...]
    suppression_list_ids: tuple[str, ...]
    #: The platform's status, lowercased: draft, scheduled, starting, running or paused ("" if it gave none).
    status: str

    def fulfils(self, declared: str) -> bool:
        """Whether the status read is what ``declared`` asks for; an unknown status is not contradicted."""
        return not self.status or self.status in PROGRAM_STATUSES.get(declared, frozenset({declared}))

    @property
    def as_declared(self) -> str:
        """The status in the files' words (a draft is ``paused``), or as read when neither word fits (``scheduled``).

        Drift then shows only the statuses the files may declare, so that a reviewer, and a
        policy reading the plan JSON, compare like with like.
        """
        return next((declared for declared, read in PROGRAM_STATUSES.items() if self.status in read), self.status)


@runtime_checkable
class ReadsPrograms(Protocol):
    """A target whose API reads programs though it cannot change them (Account Engagement).

    ``refresh`` compares what it reads with state, so that lists changed or a program
    paused in the platform's UI show as drift even though every change to a program is manual.
    """

    def programs(self) -> Sequence[ProgramReading]: ...


@runtime_checkable
class ReadsProspects(Protocol):
    """A target that holds prospects, read for ``audit`` (email addresses held by more than one prospect)."""

    def prospect_emails(self) -> Iterator[tuple[str, str]]:
        """Every prospect's id and email address, read a page at a time."""
        ...


@runtime_checkable
class CountsListMembers(Protocol):
    """A target that says how many prospects a list holds, so that a plan destroying a static list
    tells one with members from an empty one (the ``static-list-destroy`` policy)."""

    def list_size(self, object_id: str) -> int | None:
        """The members of the list with ``object_id``; None when the target cannot say."""
        ...


@dataclass(frozen=True)
class Sending:
    """A change apply will send to a target, as the target needs it to count the API calls it takes."""

    #: create, update, replace, delete; or list: apply reads the names of the kind's objects
    #: (``Target.names``), as it does on an empty state to tell a new state from a lost one.
    action: str
    kind: str
    #: The top-level attributes set (all of them for a create), with ``name`` when the object is renamed.
    fields: frozenset[str]
    before: Mapping[str, Any] | None
    after: Mapping[str, Any] | None


@dataclass(frozen=True)
class CallCount:
    """API calls: those that read (lookups, paging) and those that write."""

    reads: int
    writes: int

    @property
    def total(self) -> int:
        return self.reads + self.writes


@runtime_checkable
class CountsCalls(Protocol):
    """A target whose API calls are rationed (Account Engagement counts them against a daily limit).

    The plan says how many calls apply will make, so that a reviewer sees what a change costs
    before it is sent, and a large apply can wait for a day with room.
    """

    def api_calls(self, changes: Sequence[Sending]) -> CallCount: ...


@dataclass(frozen=True)
class AppliedState:
    """A state that applied to a target, as the target remembers it."""

    #: The environment the state belongs to (``workspace/environment``, the store's key).
    key: str
    lineage: str
    #: Where the state was kept (a file, a database without its password), for the message that asks for it back.
    location: str
    #: When it first applied here.
    since: str


@runtime_checkable
class RemembersStates(Protocol):
    """A target that keeps a mark of every state that applied to it (the local target, in its database).

    A state found empty where the target remembers one of the same environment was lost, not
    new: planning on it would create everything again.
    """

    def applied_states(self) -> Sequence[AppliedState]: ...

    def remember_state(self, applied: AppliedState) -> None: ...


class ObjectNotFound(TargetError):
    """The object is not (or no longer) on the target."""


class Target(Protocol):
    """A platform campaignkit applies to: the local SQLite target, Account Engagement, ..."""

    name: str
    #: How many operations may run at once (1: one after another).
    max_parallelism: int

    def capabilities(self, kind: str) -> KindCapabilities: ...

    def holds(self, kind: str, attributes: dict[str, Any]) -> bool:
        """Whether the target keeps such an object at all.

        False for one every account has built in (a standard prospect field) or that has no
        place on the platform (a naming convention): there is nothing to create, change or
        delete, so the plan leaves it out rather than count a change that apply would not make.
        """
        ...

    def check(self) -> None:
        """Raises ``TargetError`` if the target cannot be reached or refuses the credentials.

        Called before a plan reads the target and before apply records anything, so that a
        wrong address stops the command in one line rather than failing every change.
        """
        ...

    def create(self, kind: str, name: str, attributes: dict[str, Any], content: Content | None) -> RemoteObject:
        """Creates the object (an email with its ``content``); raises ``TargetError`` if the name is taken."""
        ...

    def update(self, kind: str, object_id: str, name: str, attributes: dict[str, Any],
               changed: frozenset[str], content: Content | None) -> RemoteObject:
        """Sets the ``changed`` top-level fields of the object to the values in ``attributes``.

        ``changed`` holds ``name`` when the object is renamed. ``attributes`` is the
        whole object, so a target whose API needs more than the changed fields can
        send them; ``content`` is given when an email's bodies change.
        """
        ...

    def delete(self, kind: str, object_id: str) -> None:
        """Deletes the object; raises ``ObjectNotFound`` if it is already gone."""
        ...

    def read(self, kind: str, object_id: str) -> RemoteObject | None:
        """The object with that id, or ``None`` if there is none."""
        ...

    def list(self, kind: str) -> Sequence[RemoteObject]:
        """Every object of ``kind`` on the target (what ``refresh`` compares)."""
        ...

    def find_by_name(self, kind: str, name: str) -> RemoteObject | None:
        """The object of ``kind`` called ``name``: how an interrupted create is found again."""
        ...

    def names(self, kind: str) -> frozenset[str]:
        """The name of every object of ``kind`` on the target, read more cheaply than the objects: an empty
        state is new only where the target holds none of the objects the files declare."""
        ...

    def manual_instructions(self, change: ManualChange) -> str:
        """The exact steps a person takes in the platform's UI to make ``change``."""
        ...

    def close(self) -> None: ...
