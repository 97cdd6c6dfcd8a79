"""What state is, and what every store (SQLite, PostgreSQL) must do with it.

State records, per environment, what was last applied: for every address the
target's id for the object, its attributes and their hash, and for an email the
check findings of the version applied (for plans to say which checks changed).
``serial`` grows on
every write and ``lineage`` is set once, so that a saved plan can tell whether
the state it was made against is still the state it is applied to.

A store only keeps records; it never decides what to change (``plan``) or talks
to a target (``apply``). Every write is its own transaction, so an apply that
dies half-way keeps everything it finished.
"""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from campaignkit.errors import UserError
from campaignkit.state.lock import LockHeld, LockInfo, new_lock, warn_not_released

#: The layout of the tables this version writes. A store written by a newer
#: version is refused rather than misread.
SCHEMA_VERSION = 1


@dataclass(frozen=True, order=True)
class Finding:
    """One check finding of an applied email, as state records it.

    No line or file: they shift with unrelated edits, and a finding that only
    moved is not new. ``at`` says where it is in the files now, for people; it
    is neither compared nor recorded.
    """

    code: str
    severity: str
    message: str
    at: str = field(default="", compare=False)

    def to_record(self) -> dict[str, str]:
        return {"code": self.code, "severity": self.severity, "message": self.message}

    @classmethod
    def from_record(cls, record: dict[str, str]) -> Finding:
        return cls(record["code"], record["severity"], record["message"], record.get("at", ""))


@dataclass(frozen=True)
class StateEntry:
    """One managed object: where it lives on the target and what was applied."""

    address: str
    kind: str
    name: str
    target_id: str
    attributes: dict[str, Any]
    hash: str
    #: Addresses this object referred to when applied; deletes run in reverse of it.
    depends_on: tuple[str, ...] = ()
    #: ``lifecycle.prevent_destroy`` when applied, so that deleting the file does not lift it.
    protected: bool = False
    #: An email's check findings when applied, sorted; None when not recorded (state from before).
    checks: tuple[Finding, ...] | None = None

    @property
    def held_as(self) -> str:
        """How the target knows the object, for messages: its id, or that it was made by hand and has none."""
        return f"id {self.target_id}" if self.target_id else "made by hand, so no id on the target"


@dataclass(frozen=True)
class State:
    """A snapshot of one environment's state."""

    lineage: str | None
    serial: int
    entries: dict[str, StateEntry] = field(default_factory=dict)
    #: Addresses whose create was started but not recorded as done (an apply
    #: died between asking the target and writing the answer down).
    pending: frozenset[str] = frozenset()
    #: Where the state is kept (a file, a database without its password): a plan made on an empty
    #: state is bound to it, since an empty state elsewhere has no lineage to tell them apart.
    location: str = ""

    @property
    def empty(self) -> bool:
        return self.lineage is None


@dataclass(frozen=True)
class HistoryEntry:
    """One operation that wrote state: an apply, a refresh, an import or a removal."""

    id: int
    operation: str
    started: str
    finished: str | None
    who: str
    git_commit: str
    plan_hash: str
    result: str
    summary: str


class StateStore(ABC):
    """The records of one environment, kept somewhere durable.

    ``key`` names the environment inside the store (``workspace/environment``),
    so several environments and workspaces can share one PostgreSQL database.
    """

    key: str
    #: Where the state lives, as shown to the user (a path or a URL without password).
    location: str

    @abstractmethod
    def read(self) -> State:
        """The current state; an empty one (no lineage) if nothing was ever written."""

    @abstractmethod
    def keys(self) -> list[str]:
        """The key of every environment the store holds state for, sorted (its own, if written, among them)."""

    @property
    def workspace(self) -> str:
        """The workspace whose environment this store's ``key`` names."""
        return self.key.rpartition("/")[0]

    def other_workspaces(self) -> list[str]:
        """The other workspaces the store holds state for under this environment's name, sorted.

        Renaming ``workspace:`` in campaignkit.yaml leaves the state under the old name, so an empty
        state with such a name beside it was most likely left by a rename. Not an error: one
        PostgreSQL store may serve several workspaces.
        """
        environment = self.key.rpartition("/")[2]
        return [key.rpartition("/")[0] for key in self.keys()
                if key != self.key and key.rpartition("/")[2] == environment]

    @abstractmethod
    def begin(self, lineage: str) -> None:
        """Sets the lineage if the state has none yet; a no-op otherwise."""

    @abstractmethod
    def mark_pending(self, addresses: Sequence[str]) -> None:
        """Records that creates of ``addresses`` are about to be sent to the target."""

    @abstractmethod
    def commit(self, puts: Sequence[StateEntry] = (), removes: Sequence[str] = ()) -> None:
        """Writes and removes entries in one transaction and adds one to ``serial``.

        Clears the pending marks of every address touched.
        """

    @abstractmethod
    def start_history(self, operation: str, who: str, git_commit: str, plan_hash: str) -> int:
        """Adds a history row with result ``running`` and returns its id."""

    @abstractmethod
    def finish_history(self, entry_id: int, result: str, summary: str) -> None:
        """Sets the result of a history row."""

    @abstractmethod
    def history(self) -> list[HistoryEntry]:
        """Every history row, oldest first."""

    @abstractmethod
    def holder(self) -> LockInfo | None:
        """Who holds the environment's lock now, doing what and since when; None when it is free."""

    @abstractmethod
    def force_unlock(self, lock_id: str) -> LockInfo:
        """Removes the lock ``lock_id`` left by a process that is gone; returns what it was."""

    @abstractmethod
    def close(self) -> None:
        """Releases connections."""

    @abstractmethod
    def _try_lock(self, wanted: LockInfo) -> LockInfo | None:
        """Takes the lock for ``wanted``; returns ``None`` on success or the current holder."""

    @abstractmethod
    def _unlock(self, held: LockInfo) -> None:
        """Releases a lock this store took."""

    @abstractmethod
    def _mark_interrupted(self) -> None:
        """History rows still ``running`` belong to a process that died: says so."""

    @contextmanager
    def lock(self, operation: str, timeout: float = 0.0, poll: float = 0.2) -> Iterator[LockInfo]:
        """Holds the environment's lock for ``operation``, waiting up to ``timeout`` seconds.

        Raises ``LockHeld`` naming the holder, its operation and since when.
        """
        wanted = new_lock(operation)
        deadline = time.monotonic() + timeout
        while True:
            holder = self._try_lock(wanted)
            if holder is None:
                break
            if time.monotonic() >= deadline:
                raise LockHeld(self.key, holder, timeout)
            time.sleep(min(poll, max(deadline - time.monotonic(), 0.01)))
        try:
            self._mark_interrupted()
            yield wanted
        finally:
            self._release(wanted)

    def _release(self, held: LockInfo) -> None:
        """Releases the lock, or warns when the store cannot be written (a full disk): an error here
        would hide how the operation ended, and a lock whose process has ended is taken over."""
        try:
            self._unlock(held)
        except StateUnavailable as exc:
            warn_not_released(self.key, held, str(exc))

    def __enter__(self) -> StateStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class StateFormatError(UserError):
    """The state exists but cannot be used: corrupt, foreign, or from a newer version."""


class StateUnavailable(UserError):
    """The state database failed a read or a write: a full disk, a read-only file, a lost connection."""


def newer_schema_error(location: str, version: int) -> StateFormatError:
    return StateFormatError(
        f"state at {location} was written by a newer campaignkit (state schema {version}; this version "
        f"reads up to {SCHEMA_VERSION}): upgrade campaignkit to use it"
    )
