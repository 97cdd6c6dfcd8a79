"""The local target: a SQLite database that holds applied objects as a platform would.

It is the default target, so that plan and apply work on a fresh machine with
nothing else running. Like a platform it assigns ids, refuses two objects of
one kind with the same name, cannot change a field's or a list's ``type`` in
place, and can be edited behind campaignkit's back (a test, or a person with
``sqlite3``, playing "a change in the UI") for ``refresh`` to find. An email's
rendered bodies sit in columns of their own; its attributes carry their digest,
which a trigger clears when a body is edited without it, so such an edit shows
as drift. Its prospects (``ck_prospects``: an id and an email address) and
the members of its lists (``ck_list_members``: a list's id and a prospect's id)
are only ever added behind campaignkit's back; ``audit`` reads the prospects,
and a plan counts the members of the lists it changes. Like a
platform, it reads back an email's bodies but not the files they were rendered
from (``template``, ``text``): those are the workspace's to say, so that
``adopt`` can write an email's bodies as a template of its own. It remembers
every state that applied to it (``RemembersStates``), so that a state deleted
afterwards is not taken for a new one. Reads of a database not made yet find
nothing and make nothing: ``plan`` on a fresh workspace leaves no file behind.

Settings (``environments.<env>.settings``): ``database`` (default
``.campaignkit/<env>.target.db``, relative to the workspace) and
``manual_kinds``, kinds to treat as having no API, to rehearse a platform like
Account Engagement whose scoring and program steps are changed by hand.

SQLite takes one writer at a time, so the target runs operations one after
another (``max_parallelism = 1``): threads would only queue on its lock.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

from campaignkit.state.audit import now
from campaignkit.state.sqlite_file import open_sqlite, write_transaction
from campaignkit.targets.base import (
    CONTENT_DIGEST,
    AppliedState,
    Content,
    KindCapabilities,
    ManualChange,
    ObjectNotFound,
    RemoteObject,
    TargetError,
    content_digest,
)
from campaignkit.workspace.model import Environment, Workspace

_TABLE = "ck_objects"
_PROSPECTS = "ck_prospects"
_MEMBERS = "ck_list_members"
#: Prospects read per query, as Account Engagement pages them.
PAGE = 1000
_SCHEMA = (
    f"CREATE TABLE IF NOT EXISTS {_TABLE} (id INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL, "
    "name TEXT NOT NULL, attributes TEXT NOT NULL, html_body TEXT, text_body TEXT, content_sha256 TEXT, "
    "created TEXT NOT NULL, updated TEXT NOT NULL, UNIQUE (kind, name))",
    # An edit of a body that does not also set its digest (any SQLite client: "a change in the UI")
    # clears the digest, so the next read computes it from the body again. Reads need not hash
    # every body, yet no edit goes unseen.
    f"CREATE TRIGGER IF NOT EXISTS ck_objects_body_edited AFTER UPDATE OF html_body, text_body ON {_TABLE} "
    f"WHEN NEW.content_sha256 IS OLD.content_sha256 "
    f"BEGIN UPDATE {_TABLE} SET content_sha256 = NULL WHERE id = NEW.id; END",
    # Prospects: campaignkit never writes them (forms, imports and the UI do), only ``audit`` reads them.
    f"CREATE TABLE IF NOT EXISTS {_PROSPECTS} (id INTEGER PRIMARY KEY AUTOINCREMENT, email TEXT NOT NULL, "
    "attributes TEXT NOT NULL DEFAULT '{}')",
    # List members, as forms, imports and the UI add them: a plan counts them for the lists it changes.
    f"CREATE TABLE IF NOT EXISTS {_MEMBERS} (list_id INTEGER NOT NULL, prospect_id INTEGER NOT NULL, "
    "PRIMARY KEY (list_id, prospect_id))",
    # Every state that applied here: a state found empty where its environment's mark is was lost.
    "CREATE TABLE IF NOT EXISTS ck_states (key TEXT NOT NULL, lineage TEXT NOT NULL, location TEXT NOT NULL, "
    "since TEXT NOT NULL, PRIMARY KEY (key, lineage))",
)
#: Columns of a read: the bodies and their digest.
_READ = "kind, name, id, attributes, created, content_sha256, html_body, text_body"
#: Columns of a listing: the bodies only where their digest must be computed again.
_LIST = ("kind, name, id, attributes, created, content_sha256, CASE WHEN content_sha256 IS NULL THEN html_body END, "
         "CASE WHEN content_sha256 IS NULL THEN text_body END")
#: The largest id SQLite can hold (a signed 64-bit integer).
_MAX_ID = 2**63 - 1
#: Fields a platform fixes when the object is created.
_REPLACE_FIELDS = {"field": frozenset({"type"}), "list": frozenset({"type"})}
#: Attributes a reading does not show, per kind: where a platform's email came from is no part of it.
_UNREAD = {"email": frozenset({"template", "text"})}


class LocalTarget:
    name = "local"
    max_parallelism = 1

    def __init__(self, path: Path, manual_kinds: frozenset[str] = frozenset()) -> None:
        self.path = path
        self.manual_kinds = manual_kinds
        self._opened: sqlite3.Connection | None = None
        self._mutex = threading.Lock()

    @property
    def _connection(self) -> sqlite3.Connection:
        """The database, opened (and made) at first use: a command that fails before it reads
        the target, for a missing setting or a locked state, leaves no database behind."""
        with self._mutex:
            if self._opened is None:
                connection = open_sqlite(self.path, _TABLE, "local target database")
                for statement in _SCHEMA:
                    connection.execute(statement)
                self._opened = connection
            return self._opened

    def capabilities(self, kind: str) -> KindCapabilities:
        return KindCapabilities(api=kind not in self.manual_kinds,
                                replace_fields=_REPLACE_FIELDS.get(kind, frozenset()))

    def holds(self, kind: str, attributes: dict[str, Any]) -> bool:
        return True  # a rehearsal keeps every object, to show what a platform would be sent

    def check(self) -> None:
        """Nothing to reach: the database is a file, opened (and made) when first read or written."""

    def create(self, kind: str, name: str, attributes: dict[str, Any], content: Content | None) -> RemoteObject:
        stamp = now()
        with self._transaction() as cur:
            try:
                cur.execute(f"INSERT INTO {_TABLE} (kind, name, attributes, html_body, text_body, content_sha256, "
                            "created, updated) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                            (kind, name, _dump(attributes), *_bodies(content), stamp, stamp))
            except sqlite3.IntegrityError as exc:
                existing = _find(cur, kind, name)
                if existing is None:  # refused by a rule added to the database (a trigger), not for the name
                    raise TargetError(f"local target database {self.path} refused the {kind}: {exc}") from None
                raise TargetError(f"a {kind} called '{name}' already exists on the local target (id {existing.id}); "
                                  f"adopt it with 'campaignkit import {kind}.{name} {existing.id}'") from None
            return _written(cur, kind, str(cur.lastrowid))

    def update(self, kind: str, object_id: str, name: str, attributes: dict[str, Any],
               changed: frozenset[str], content: Content | None) -> RemoteObject:
        with self._transaction() as cur:
            current = _get(cur, kind, object_id)
            if current is None:
                raise ObjectNotFound(f"{kind} id {object_id} is no longer on the local target; "
                                     "run 'campaignkit plan' again to re-create it")
            merged = {k: v for k, v in current.attributes.items() if k not in changed}
            merged.update({k: attributes[k] for k in changed if k in attributes})
            try:
                cur.execute(f"UPDATE {_TABLE} SET name = ?, attributes = ?, updated = ? WHERE id = ?",
                            (name, _dump(merged), now(), int(object_id)))
            except sqlite3.IntegrityError:
                raise TargetError(f"cannot rename {kind} id {object_id} to '{name}': "
                                  "another object of that kind has the name") from None
            if content is not None:
                cur.execute(f"UPDATE {_TABLE} SET html_body = ?, text_body = ?, content_sha256 = ? WHERE id = ?",
                            (*_bodies(content), int(object_id)))
            return _written(cur, kind, object_id)

    def delete(self, kind: str, object_id: str) -> None:
        with self._transaction() as cur:
            cur.execute(f"DELETE FROM {_TABLE} WHERE kind = ? AND id = ?", (kind, _int_id(object_id)))
            if cur.rowcount == 0:
                raise ObjectNotFound(f"{kind} id {object_id} is not on the local target")
            if kind == "list":  # a deleted list's members go with it, as on a platform
                cur.execute(f"DELETE FROM {_MEMBERS} WHERE list_id = ?", (int(object_id),))

    def read(self, kind: str, object_id: str) -> RemoteObject | None:
        with self._transaction() as cur:
            return _get(cur, kind, object_id)

    def list(self, kind: str) -> Sequence[RemoteObject]:
        with self._transaction() as cur:
            cur.execute(f"SELECT {_LIST} FROM {_TABLE} WHERE kind = ?", (kind,))
            return [_object(row, with_content=False) for row in cur.fetchall()]

    def find_by_name(self, kind: str, name: str) -> RemoteObject | None:
        with self._transaction() as cur:
            return _find(cur, kind, name)

    def prospect_emails(self) -> Iterator[tuple[str, str]]:
        """Every prospect's id and email address, a page at a time (a business unit holds millions)."""
        if self._unmade():
            return
        last = -_MAX_ID - 1
        while True:
            with self._transaction() as cur:
                cur.execute(f"SELECT id, email FROM {_PROSPECTS} WHERE id > ? ORDER BY id LIMIT ?", (last, PAGE))
                page = cur.fetchall()
            yield from ((str(prospect_id), email) for prospect_id, email in page)
            if len(page) < PAGE:
                return
            last = page[-1][0]

    def list_size(self, object_id: str) -> int | None:
        """The rows of ``ck_list_members`` for the list (none: the list is empty)."""
        if self._unmade():
            return None
        with self._transaction() as cur:
            cur.execute(f"SELECT COUNT(*) FROM {_MEMBERS} WHERE list_id = ?", (_int_id(object_id),))
            return int(cur.fetchone()[0])

    def names(self, kind: str) -> frozenset[str]:
        if self._unmade():
            return frozenset()
        with self._transaction() as cur:
            cur.execute(f"SELECT name FROM {_TABLE} WHERE kind = ?", (kind,))
            return frozenset(row[0] for row in cur.fetchall())

    def applied_states(self) -> Sequence[AppliedState]:
        if self._unmade():
            return []
        with self._transaction() as cur:
            cur.execute("SELECT key, lineage, location, since FROM ck_states ORDER BY since, key")
            return [AppliedState(*row) for row in cur.fetchall()]

    def remember_state(self, applied: AppliedState) -> None:
        with self._transaction() as cur:
            cur.execute("INSERT INTO ck_states (key, lineage, location, since) VALUES (?, ?, ?, ?) "
                        "ON CONFLICT (key, lineage) DO NOTHING", (applied.key, applied.lineage, applied.location,
                                                                   applied.since))

    def manual_instructions(self, change: ManualChange) -> str:
        fields = f" (fields: {', '.join(change.fields)})" if change.fields else ""
        return (f"{change.action} the {change.kind} '{change.name}'{fields} by hand: this environment's "
                f"settings list '{change.kind}' under manual_kinds")

    def close(self) -> None:
        if self._opened is not None:
            self._opened.close()

    def _unmade(self) -> bool:
        """Whether the database was never made: it holds nothing, and reading it must not make it."""
        return self._opened is None and not self.path.exists()

    def _transaction(self) -> AbstractContextManager[sqlite3.Cursor]:
        return write_transaction(self._connection, self._mutex,
                                 lambda exc: TargetError(f"local target database {self.path}: {exc}"))


def open_local(environment: Environment, workspace: Workspace) -> LocalTarget:
    """The local target of ``environment`` in ``workspace``."""
    settings = environment.settings
    path = Path(str(settings.get("database") or f".campaignkit/{environment.name}.target.db"))
    manual = settings.get("manual_kinds") or []
    return LocalTarget(path if path.is_absolute() else workspace.root / path, frozenset(str(k) for k in manual))


def _dump(attributes: dict[str, Any]) -> str:
    """Attributes as stored: without the content digest, which is always computed from the bodies held."""
    return json.dumps({k: v for k, v in attributes.items() if k != CONTENT_DIGEST}, sort_keys=True,
                      separators=(",", ":"))


def _bodies(content: Content | None) -> tuple[str | None, str | None, str | None]:
    """The body columns and their digest for ``content`` (all empty for objects without content)."""
    if content is None:
        return None, None, None
    return content.get("html_body", ""), content.get("text_body", ""), content_digest(content)


def _int_id(object_id: str) -> int:
    try:
        number = int(object_id)
    except ValueError:
        raise ObjectNotFound(f"'{object_id}' is not an id of the local target (ids are numbers)") from None
    # SQLite cannot even compare a number beyond its 64-bit integers (it raises OverflowError).
    if not -_MAX_ID - 1 <= number <= _MAX_ID:
        raise ObjectNotFound(f"'{object_id}' is not an id of the local target "
                             f"(ids are 64-bit integers, from {-_MAX_ID - 1} to {_MAX_ID})")
    return number


def _get(cur: sqlite3.Cursor, kind: str, object_id: str) -> RemoteObject | None:
    cur.execute(f"SELECT {_READ} FROM {_TABLE} WHERE kind = ? AND id = ?", (kind, _int_id(object_id)))
    row = cur.fetchone()
    return _object(row) if row else None


def _written(cur: sqlite3.Cursor, kind: str, object_id: str) -> RemoteObject:
    """The object just written in this transaction, which is there."""
    written = _get(cur, kind, object_id)
    assert written is not None, "an object written in this transaction is there"
    return written


def _find(cur: sqlite3.Cursor, kind: str, name: str) -> RemoteObject | None:
    cur.execute(f"SELECT {_READ} FROM {_TABLE} WHERE kind = ? AND name = ?", (kind, name))
    row = cur.fetchone()
    return _object(row) if row else None


def _object(row: tuple[Any, ...], with_content: bool = True) -> RemoteObject:
    """A row as a platform would return it, an email with the digest of the bodies it holds."""
    kind, name, object_id, attributes, created, digest, html, text = row
    data = json.loads(attributes)
    content = None if html is None else {"html_body": html, "text_body": text or ""}
    if digest is None and content is not None:  # a body edited behind our back
        digest = content_digest(content)
    if digest is not None:
        data[CONTENT_DIGEST] = digest
    return RemoteObject(kind, name, str(object_id), data, content if with_content else None,
                        _UNREAD.get(kind, frozenset()), created)
