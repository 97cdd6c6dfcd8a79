"""State in PostgreSQL (``postgresql://`` URLs): one shared state for a team and its CI.

The lock is a session-level advisory lock keyed on a hash of the environment's
key, taken on a connection of its own that lives as long as the operation: if
the process dies, PostgreSQL ends the session and the lock goes with it, so
nothing is ever stuck. The holder's description is kept in ``ck_lock`` only so
that a second process can say who it is waiting for.
"""

from __future__ import annotations

import hashlib
import threading
from contextlib import contextmanager
from typing import Iterator
from urllib.parse import urlsplit, urlunsplit

import psycopg

from campaignkit.errors import UserError
from campaignkit.state.lock import LockInfo
from campaignkit.state.sql import SqlStore

#: Advisory-lock key that serialises creating the tables (``CREATE TABLE IF NOT
#: EXISTS`` is not safe against a concurrent twin in PostgreSQL).
_SCHEMA_LOCK_KEY = 0x636B_7363_6865_6D61  # "ckschema" in ASCII
_CONNECT_TIMEOUT_S = 10


class PostgresStore(SqlStore):
    placeholder = "%s"
    autoincrement = "BIGSERIAL PRIMARY KEY"

    def __init__(self, url: str, key: str) -> None:
        self.url = url
        self.key = key
        self.location = redact(url)
        self._connection = self._connect()
        self._lock_connection: psycopg.Connection | None = None
        self._mutex = threading.Lock()
        self._ensure_schema()

    def _connect(self) -> psycopg.Connection:
        try:
            return psycopg.connect(self.url, autocommit=True, connect_timeout=_CONNECT_TIMEOUT_S)
        except psycopg.Error as exc:
            reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise UserError(f"cannot connect to the state database {self.location}: {reason}") from None

    @contextmanager
    def _transaction(self) -> Iterator[psycopg.Cursor]:
        with self._mutex:
            try:
                with self._connection.transaction(), self._connection.cursor() as cursor:
                    yield cursor
            except psycopg.Error as exc:
                raise UserError(f"state database {self.location}: {str(exc).strip()}") from None

    def _before_schema(self, cur: psycopg.Cursor) -> None:
        cur.execute("SELECT pg_advisory_xact_lock(%s)", (_SCHEMA_LOCK_KEY,))

    def _has_table(self, cur: psycopg.Cursor, name: str) -> bool:
        cur.execute("SELECT to_regclass(%s) IS NOT NULL", (name,))
        return bool(cur.fetchone()[0])

    def _try_lock(self, wanted: LockInfo) -> LockInfo | None:
        if self._lock_connection is None:
            self._lock_connection = self._connect()
        taken = self._lock_connection.execute("SELECT pg_try_advisory_lock(%s)", (self._lock_key(),)).fetchone()[0]
        if not taken:
            return self._holder() or LockInfo("(unknown)", "another session", "an operation", "(unknown)")
        with self._transaction() as cur:
            cur.execute("INSERT INTO ck_lock (env, lock_id, holder, operation, since) VALUES (%s, %s, %s, %s, %s) "
                        "ON CONFLICT (env) DO UPDATE SET lock_id = excluded.lock_id, holder = excluded.holder, "
                        "operation = excluded.operation, since = excluded.since",
                        (self.key, wanted.lock_id, wanted.holder, wanted.operation, wanted.since))
        return None

    def _unlock(self, held: LockInfo) -> None:
        with self._transaction() as cur:
            cur.execute("DELETE FROM ck_lock WHERE env = %s AND lock_id = %s", (self.key, held.lock_id))
        if self._lock_connection is not None:
            # Released here, synchronously: closing alone ends the session a moment later, and a
            # process that locks right after this one would find the lock still taken.
            self._lock_connection.execute("SELECT pg_advisory_unlock(%s)", (self._lock_key(),))
        self._close_lock_connection()

    def _holder(self) -> LockInfo | None:
        with self._transaction() as cur:
            cur.execute("SELECT lock_id, holder, operation, since FROM ck_lock WHERE env = %s", (self.key,))
            row = cur.fetchone()
        return LockInfo(*row) if row else None

    def _lock_key(self) -> int:
        digest = hashlib.sha256(f"campaignkit:{self.key}".encode()).digest()
        return int.from_bytes(digest[:8], "big", signed=True)

    def force_unlock(self, lock_id: str) -> LockInfo:
        holder = self._holder()
        raise UserError(
            f"PostgreSQL releases the lock on {self.key} by itself when the holder's session ends; "
            + (f"stop {holder.holder} ({holder.operation} since {holder.since}) and it is free"
               if holder else "there is nothing to unlock")
        )

    def _close_lock_connection(self) -> None:
        if self._lock_connection is not None:
            self._lock_connection.close()  # ends the session, and with it the advisory lock
            self._lock_connection = None

    def close(self) -> None:
        self._close_lock_connection()
        self._connection.close()


def redact(url: str) -> str:
    """``url`` without its password, for messages and history."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))
