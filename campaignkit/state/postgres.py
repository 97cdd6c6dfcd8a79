"""State in PostgreSQL (``postgresql://`` URLs): one shared state for a team and its CI.

The lock is a session-level advisory lock keyed on a hash of the environment's
key, taken on a connection of its own that lives as long as the operation: if
the process dies, PostgreSQL ends the session and the lock goes with it, so
nothing is ever stuck. The holder's description is kept in ``ck_lock`` only so
that a second process can say who it is waiting for.
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import unquote, urlsplit

import psycopg

from campaignkit.errors import UserError
from campaignkit.state.base import StateUnavailable
from campaignkit.state.lock import LockInfo
from campaignkit.state.sql import SqlStore

#: Advisory-lock key that serialises creating the tables (``CREATE TABLE IF NOT
#: EXISTS`` is not safe against a concurrent twin in PostgreSQL).
_SCHEMA_LOCK_KEY = 0x636B_7363_6865_6D61  # "ckschema" in ASCII
_CONNECT_TIMEOUT_S = 10
#: The holder named when the lock is taken but its row is not written yet.
_UNKNOWN_HOLDER = LockInfo("(unknown)", "another session", "an operation", "(unknown)")


class PostgresStore(SqlStore):
    placeholder = "%s"
    autoincrement = "BIGSERIAL PRIMARY KEY"

    def __init__(self, url: str, key: str) -> None:
        self.url = url
        self.key = key
        self.location = redact(url)
        _check_url(url, self.location)
        self._connection = self._connect()
        self._lock_connection: psycopg.Connection | None = None
        self._mutex = threading.Lock()
        self._ensure_schema()

    def _connect(self) -> psycopg.Connection:
        try:
            return psycopg.connect(self.url, autocommit=True, connect_timeout=_CONNECT_TIMEOUT_S)
        except psycopg.Error as exc:
            reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            reason = _without_passwords(reason, self.url)
            raise UserError(f"cannot connect to the state database {self.location}: {reason}") from None

    @contextmanager
    def _transaction(self) -> Iterator[psycopg.Cursor]:
        with self._mutex:
            try:
                with self._connection.transaction(), self._connection.cursor() as cursor:
                    yield cursor
            except psycopg.Error as exc:
                raise StateUnavailable(f"state database {self.location}: "
                                f"{_without_passwords(str(exc).strip(), self.url)}") from None

    def _before_schema(self, cur: psycopg.Cursor) -> None:
        cur.execute("SELECT pg_advisory_xact_lock(%s)", (_SCHEMA_LOCK_KEY,))

    def _has_table(self, cur: psycopg.Cursor, name: str) -> bool:
        cur.execute("SELECT to_regclass(%s) IS NOT NULL", (name,))
        return bool(_first(cur))

    def _try_lock(self, wanted: LockInfo) -> LockInfo | None:
        if self._lock_connection is None:
            self._lock_connection = self._connect()
        taken = _first(self._lock_connection.execute("SELECT pg_try_advisory_lock(%s)", (self._lock_key(),)))
        if not taken:
            return self._recorded_holder() or _UNKNOWN_HOLDER
        with self._transaction() as cur:
            cur.execute("INSERT INTO ck_lock (env, lock_id, holder, operation, since) VALUES (%s, %s, %s, %s, %s) "
                        "ON CONFLICT (env) DO UPDATE SET lock_id = excluded.lock_id, holder = excluded.holder, "
                        "operation = excluded.operation, since = excluded.since",
                        (self.key, wanted.lock_id, wanted.holder, wanted.operation, wanted.since))
        return None

    def _unlock(self, held: LockInfo) -> None:
        try:
            with self._transaction() as cur:
                cur.execute("DELETE FROM ck_lock WHERE env = %s AND lock_id = %s", (self.key, held.lock_id))
            if self._lock_connection is not None:
                # Released here, synchronously: closing alone ends the session a moment later, and a
                # process that locks right after this one would find the lock still taken.
                self._lock_connection.execute("SELECT pg_advisory_unlock(%s)", (self._lock_key(),))
        finally:
            self._close_lock_connection()  # a row that could not be deleted is no lock without the session

    def holder(self) -> LockInfo | None:
        """The recorded holder while a session holds the advisory lock: a row left by a killed process is no lock."""
        high, low = divmod(self._lock_key() % 2**64, 2**32)  # how pg_locks splits a bigint key
        with self._transaction() as cur:
            cur.execute("SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted "
                        "AND database = (SELECT oid FROM pg_database WHERE datname = current_database()) "
                        "AND classid::bigint = %s AND objid::bigint = %s AND objsubid = 1)", (high, low))
            held = _first(cur)
        return (self._recorded_holder() or _UNKNOWN_HOLDER) if held else None

    def _recorded_holder(self) -> LockInfo | None:
        with self._transaction() as cur:
            cur.execute("SELECT lock_id, holder, operation, since FROM ck_lock WHERE env = %s", (self.key,))
            row = cur.fetchone()
        return LockInfo(*row) if row else None

    def _lock_key(self) -> int:
        digest = hashlib.sha256(f"campaignkit:{self.key}".encode()).digest()
        return int.from_bytes(digest[:8], "big", signed=True)

    def force_unlock(self, lock_id: str) -> LockInfo:
        holder = self._recorded_holder()
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


#: A password given as a query parameter (``?user=ck&password=...``), which libpq accepts too.
_PASSWORD_PARAMETER = re.compile(r"([?&]password=)([^&#]*)", re.IGNORECASE)


def redact(url: str) -> str:
    """``url`` without its passwords (``user:PASSWORD@`` and ``?password=``), for messages and history.

    Works by position rather than by parsing, so that a malformed URL can be
    shown in the message that refuses it without its password.
    """
    start, netloc, tail = _cut(url)
    userinfo, at, host = netloc.rpartition("@")
    if at and ":" in userinfo:
        netloc = f"{userinfo.partition(':')[0]}:***@{host}"
    return start + netloc + _PASSWORD_PARAMETER.sub(r"\1***", tail)


def _cut(url: str) -> tuple[str, str, str]:
    """``url`` as the scheme with ``://``, the part naming user and host, and the path with the rest."""
    scheme, separator, rest = url.partition("://")
    if not separator:
        return "", "", url
    end = min((i for i in map(rest.find, "/?#") if i >= 0), default=len(rest))
    return scheme + separator, rest[:end], rest[end:]


def _check_url(url: str, location: str) -> None:
    """Refuses a URL Python cannot parse (libpq's own message would quote it, password and all)."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises for a port that is not a number from 0 to 65535
    except ValueError as exc:
        raise UserError(f"state URL {location} is malformed ({exc}): write it as "
                        "postgresql://USER[:PASSWORD]@HOST[:PORT]/DATABASE (an IPv6 host in brackets: [::1])") from None


def _without_passwords(text: str, url: str) -> str:
    """``text`` (a driver's message) with the passwords of ``url`` replaced by ``***``."""
    _, netloc, _ = _cut(url)
    userinfo = netloc.rpartition("@")[0]
    secrets = [userinfo.partition(":")[2]] if ":" in userinfo else []
    secrets += [found[2] for found in _PASSWORD_PARAMETER.finditer(url)]
    for secret in sorted({variant for s in secrets for variant in (s, unquote(s)) if variant}, key=len, reverse=True):
        text = text.replace(secret, "***")
    return text


def _first(cur: psycopg.Cursor) -> Any:
    """The first column of the one row a query that always returns one gave."""
    row = cur.fetchone()
    assert row is not None, "the query returns one row"
    return row[0]
