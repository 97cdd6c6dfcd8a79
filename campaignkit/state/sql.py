"""The state tables and the queries on them, shared by the SQLite and PostgreSQL stores.

Both databases speak the same SQL for everything state needs (upserts with
``ON CONFLICT``, ``RETURNING``), so the queries are written once with ``?``
placeholders; a store for a driver that uses ``%s`` sets ``placeholder``. The
subclasses supply the connection, transactions, the table definitions that
differ (the history id) and the lock. Every row carries ``env``, the store's
key, so that one database can hold many environments. An email's check
findings live in a table of their own, ``ck_checks``: created by ``CREATE TABLE
IF NOT EXISTS`` like the others, it needs no migration, a store written before
it reads as "nothing recorded", and versions that do not know it ignore it.
Queries only: no decisions about what to change, and no SQL built from user
input.
"""

from __future__ import annotations

import json
from abc import abstractmethod
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from typing import Any

from campaignkit.state.audit import now
from campaignkit.state.base import (
    SCHEMA_VERSION,
    Finding,
    HistoryEntry,
    State,
    StateEntry,
    StateFormatError,
    StateStore,
    newer_schema_error,
)

#: The marker table: a database with it is ours.
SCHEMA_TABLE = "ck_schema"

#: The tables every state has had since its first version: without one, what was applied is lost.
_STATE_TABLES = ("ck_meta", "ck_resources")
_TABLES = (
    "CREATE TABLE IF NOT EXISTS ck_schema (version INTEGER NOT NULL)",
    "CREATE TABLE IF NOT EXISTS ck_meta (env TEXT PRIMARY KEY, lineage TEXT NOT NULL, serial BIGINT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS ck_resources (env TEXT NOT NULL, address TEXT NOT NULL, kind TEXT NOT NULL, "
    "name TEXT NOT NULL, target_id TEXT NOT NULL, attributes TEXT NOT NULL, hash TEXT NOT NULL, "
    "depends_on TEXT NOT NULL, protected INTEGER NOT NULL, PRIMARY KEY (env, address))",
    "CREATE TABLE IF NOT EXISTS ck_checks (env TEXT NOT NULL, address TEXT NOT NULL, findings TEXT NOT NULL, "
    "PRIMARY KEY (env, address))",
    "CREATE TABLE IF NOT EXISTS ck_pending (env TEXT NOT NULL, address TEXT NOT NULL, since TEXT NOT NULL, "
    "PRIMARY KEY (env, address))",
    "CREATE TABLE IF NOT EXISTS ck_history (id {autoincrement}, env TEXT NOT NULL, operation TEXT NOT NULL, "
    "started TEXT NOT NULL, finished TEXT, who TEXT NOT NULL, git_commit TEXT NOT NULL, plan_hash TEXT NOT NULL, "
    "result TEXT NOT NULL, summary TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS ck_lock (env TEXT PRIMARY KEY, lock_id TEXT NOT NULL, holder TEXT NOT NULL, "
    "operation TEXT NOT NULL, since TEXT NOT NULL)",
)

_UPSERT = (
    "INSERT INTO ck_resources (env, address, kind, name, target_id, attributes, hash, depends_on, protected) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (env, address) DO UPDATE SET kind = excluded.kind, "
    "name = excluded.name, target_id = excluded.target_id, attributes = excluded.attributes, "
    "hash = excluded.hash, depends_on = excluded.depends_on, protected = excluded.protected"
)
_UPSERT_CHECKS = (
    "INSERT INTO ck_checks (env, address, findings) VALUES (?, ?, ?) "
    "ON CONFLICT (env, address) DO UPDATE SET findings = excluded.findings"
)
_SELECT_ENTRIES = (
    "SELECT r.address, r.kind, r.name, r.target_id, r.attributes, r.hash, r.depends_on, r.protected, c.findings "
    "FROM ck_resources r LEFT JOIN ck_checks c ON c.env = r.env AND c.address = r.address WHERE r.env = ?"
)


class SqlStore(StateStore):
    """State kept in the ``ck_*`` tables of a SQL database."""

    placeholder = "?"
    #: The column definition of an auto-numbered primary key in this database.
    autoincrement = "INTEGER PRIMARY KEY AUTOINCREMENT"

    @abstractmethod
    def _transaction(self) -> AbstractContextManager[Any]:
        """A cursor inside one transaction: committed on success, rolled back on error."""

    def _sql(self, query: str) -> str:
        return query if self.placeholder == "?" else query.replace("?", self.placeholder)

    def _ensure_schema(self) -> None:
        """Creates the tables on first use; refuses, before touching anything, tables of a newer version."""
        with self._transaction() as cur:
            self._before_schema(cur)
            version = None
            if self._has_table(cur, SCHEMA_TABLE):
                cur.execute("SELECT MAX(version) FROM ck_schema")
                version = cur.fetchone()[0]
            if version is not None and version > SCHEMA_VERSION:
                raise newer_schema_error(self.location, version)
            missing = [name for name in _STATE_TABLES if version is not None and not self._has_table(cur, name)]
            if missing:
                raise StateFormatError(f"state at {self.location} is damaged: its table {missing[0]} is missing, "
                                       "so it cannot say what was applied; restore it from a backup (campaignkit "
                                       "never takes a damaged state for an empty one)")
            for ddl in _TABLES:
                cur.execute(ddl.format(autoincrement=self.autoincrement))
            if version is None:
                cur.execute(self._sql("INSERT INTO ck_schema (version) VALUES (?)"), (SCHEMA_VERSION,))

    @abstractmethod
    def _has_table(self, cur: Any, name: str) -> bool:
        """Whether the database has a table called ``name``."""

    def _before_schema(self, cur: Any) -> None:
        """Hook for serialising concurrent schema creation where the database needs it."""

    def read(self) -> State:
        with self._transaction() as cur:
            cur.execute(self._sql("SELECT lineage, serial FROM ck_meta WHERE env = ?"), (self.key,))
            meta = cur.fetchone()
            cur.execute(self._sql(_SELECT_ENTRIES), (self.key,))
            entries = {row[0]: _entry(row, self.location) for row in cur.fetchall()}
            cur.execute(self._sql("SELECT address FROM ck_pending WHERE env = ?"), (self.key,))
            pending = frozenset(row[0] for row in cur.fetchall())
        if meta is None:
            return State(None, 0, entries, pending, self.location)
        return State(meta[0], int(meta[1]), entries, pending, self.location)

    def keys(self) -> list[str]:
        with self._transaction() as cur:
            cur.execute("SELECT env FROM ck_meta ORDER BY env")
            return [row[0] for row in cur.fetchall()]

    def begin(self, lineage: str) -> None:
        with self._transaction() as cur:
            cur.execute(self._sql("INSERT INTO ck_meta (env, lineage, serial) VALUES (?, ?, 0) "
                                  "ON CONFLICT (env) DO NOTHING"), (self.key, lineage))

    def mark_pending(self, addresses: Sequence[str]) -> None:
        if not addresses:
            return
        since = now()
        with self._transaction() as cur:
            cur.executemany(self._sql("INSERT INTO ck_pending (env, address, since) VALUES (?, ?, ?) "
                                      "ON CONFLICT (env, address) DO NOTHING"),
                            [(self.key, address, since) for address in addresses])

    def commit(self, puts: Sequence[StateEntry] = (), removes: Sequence[str] = ()) -> None:
        with self._transaction() as cur:
            cur.execute(self._sql("UPDATE ck_meta SET serial = serial + 1 WHERE env = ?"), (self.key,))
            if cur.rowcount != 1:
                raise RuntimeError(f"commit to {self.key} before begin(): no lineage yet")
            if puts:
                cur.executemany(self._sql(_UPSERT), [_row(self.key, entry) for entry in puts])
            touched = [(self.key, address) for address in [*removes, *(e.address for e in puts)]]
            if removes:
                cur.executemany(self._sql("DELETE FROM ck_resources WHERE env = ? AND address = ?"),
                                [(self.key, address) for address in removes])
            self._write_checks(cur, puts, removes)
            cur.executemany(self._sql("DELETE FROM ck_pending WHERE env = ? AND address = ?"), touched)

    def _write_checks(self, cur: Any, puts: Sequence[StateEntry], removes: Sequence[str]) -> None:
        """Records the findings of ``puts``; an entry without findings must not keep the old version's."""
        recorded = [(self.key, e.address, _findings_json(e.checks)) for e in puts if e.checks is not None]
        dropped = [(self.key, a) for a in [*removes, *(e.address for e in puts if e.checks is None)]]
        if recorded:
            cur.executemany(self._sql(_UPSERT_CHECKS), recorded)
        if dropped:
            cur.executemany(self._sql("DELETE FROM ck_checks WHERE env = ? AND address = ?"), dropped)

    def start_history(self, operation: str, who: str, git_commit: str, plan_hash: str) -> int:
        with self._transaction() as cur:
            cur.execute(self._sql("INSERT INTO ck_history (env, operation, started, who, git_commit, plan_hash, "
                                  "result, summary) VALUES (?, ?, ?, ?, ?, ?, 'running', '') RETURNING id"),
                        (self.key, operation, now(), who, git_commit, plan_hash))
            return int(cur.fetchone()[0])

    def finish_history(self, entry_id: int, result: str, summary: str) -> None:
        with self._transaction() as cur:
            cur.execute(self._sql("UPDATE ck_history SET finished = ?, result = ?, summary = ? WHERE id = ?"),
                        (now(), result, summary, entry_id))

    def history(self) -> list[HistoryEntry]:
        with self._transaction() as cur:
            cur.execute(self._sql("SELECT id, operation, started, finished, who, git_commit, plan_hash, result, "
                                  "summary FROM ck_history WHERE env = ? ORDER BY id"), (self.key,))
            return [HistoryEntry(*row) for row in cur.fetchall()]

    def _mark_interrupted(self) -> None:
        with self._transaction() as cur:
            cur.execute(self._sql("UPDATE ck_history SET result = 'interrupted', summary = ? "
                                  "WHERE env = ? AND result = 'running'"),
                        ("the process stopped before it finished; the state keeps what it completed", self.key))


def _entry(row: Sequence[Any], location: str) -> StateEntry:
    """The entry a row records; a row edited by hand into something else is refused, naming the column."""
    address, kind, name, target_id, attributes, digest, depends_on, protected, findings = row
    try:
        attributes = _decode(attributes, address, "attributes", "an object", _is_object)
        depends_on = _decode(depends_on, address, "dependencies", "a list of addresses", _is_addresses)
        records = None if findings is None else _decode(findings, address, "check findings", "a list of findings",
                                                        _is_findings)
    except ValueError as exc:
        raise StateFormatError(f"{location} is not a valid campaignkit state: {exc}; "
                               "restore the state from a backup") from None
    checks = None if records is None else tuple(Finding.from_record(r) for r in records)
    return StateEntry(address, kind, name, target_id, attributes, digest, tuple(depends_on), bool(protected), checks)


def _decode(text: Any, address: str, part: str, expected: str, fits: Callable[[Any], bool]) -> Any:
    """The JSON value of a column, or a ``ValueError`` saying what is wrong with it (the message made
    only then: every row of every read comes through here)."""
    try:
        value = json.loads(text)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"the {part} recorded for {address} are not valid JSON ({exc})") from None
    if not fits(value):
        raise ValueError(f"the {part} recorded for {address} are not {expected}")
    return value


def _is_object(value: Any) -> bool:
    return isinstance(value, dict)


def _is_addresses(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(a, str) for a in value)


def _is_findings(value: Any) -> bool:
    return isinstance(value, list) and all(map(_is_finding, value))


def _is_finding(record: Any) -> bool:
    return isinstance(record, dict) and all(isinstance(record.get(k), str) for k in ("code", "severity", "message"))


def _findings_json(checks: Sequence[Finding]) -> str:
    return json.dumps([f.to_record() for f in sorted(checks)], separators=(",", ":"))


def _row(key: str, entry: StateEntry) -> tuple[Any, ...]:
    return (key, entry.address, entry.kind, entry.name, entry.target_id,
            json.dumps(entry.attributes, sort_keys=True, separators=(",", ":")), entry.hash,
            json.dumps(list(entry.depends_on)), int(entry.protected))
