"""State in a SQLite file in the workspace: the default store, needing nothing installed.

The lock is a row in ``ck_lock`` written inside an immediate transaction, so
two processes cannot both see the lock free and take it. A row left by a killed
process of this machine is taken over, with a warning; one left from another
machine stays until ``force-unlock`` removes it: SQLite cannot tell a dead
holder there from a slow one on a network drive.
"""

from __future__ import annotations

import sqlite3
import threading
from contextlib import AbstractContextManager
from pathlib import Path

from campaignkit.errors import UserError
from campaignkit.state.base import StateUnavailable
from campaignkit.state.lock import LockInfo, holder_is_gone, warn_taken_over
from campaignkit.state.sql import SCHEMA_TABLE, SqlStore
from campaignkit.state.sqlite_file import open_sqlite, write_transaction


class SqliteStore(SqlStore):
    def __init__(self, path: Path, key: str) -> None:
        self.path = path
        self.key = key
        self.location = str(path)
        self._connection = open_sqlite(path, SCHEMA_TABLE, "state database")
        self._mutex = threading.Lock()
        self._ensure_schema()

    def _transaction(self) -> AbstractContextManager[sqlite3.Cursor]:
        return write_transaction(self._connection, self._mutex,
                                 lambda exc: StateUnavailable(f"state database {self.path}: {exc}"))

    def _has_table(self, cur: sqlite3.Cursor, name: str) -> bool:
        cur.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,))
        return cur.fetchone() is not None

    def _try_lock(self, wanted: LockInfo) -> LockInfo | None:
        with self._transaction() as cur:
            holder = _holder(cur, self.key)
            if holder is not None and not holder_is_gone(holder):
                return holder
            if holder is not None:
                cur.execute("DELETE FROM ck_lock WHERE env = ? AND lock_id = ?", (self.key, holder.lock_id))
                warn_taken_over(self.key, holder)
            cur.execute("INSERT INTO ck_lock (env, lock_id, holder, operation, since) VALUES (?, ?, ?, ?, ?)",
                        (self.key, wanted.lock_id, wanted.holder, wanted.operation, wanted.since))
        return None

    def _unlock(self, held: LockInfo) -> None:
        with self._transaction() as cur:
            cur.execute("DELETE FROM ck_lock WHERE env = ? AND lock_id = ?", (self.key, held.lock_id))

    def holder(self) -> LockInfo | None:
        with self._transaction() as cur:
            return _holder(cur, self.key)

    def force_unlock(self, lock_id: str) -> LockInfo:
        with self._transaction() as cur:
            holder = _holder(cur, self.key)
            if holder is None:
                raise UserError(f"state of {self.key} is not locked; nothing to unlock")
            if holder.lock_id != lock_id:
                raise UserError(f"the lock on {self.key} has id {holder.lock_id} ({holder.operation} by "
                                f"{holder.holder} since {holder.since}), not {lock_id}; nothing was unlocked")
            cur.execute("DELETE FROM ck_lock WHERE env = ? AND lock_id = ?", (self.key, lock_id))
        return holder

    def close(self) -> None:
        self._connection.close()


def _holder(cur: sqlite3.Cursor, key: str) -> LockInfo | None:
    cur.execute("SELECT lock_id, holder, operation, since FROM ck_lock WHERE env = ?", (key,))
    row = cur.fetchone()
    return LockInfo(*row) if row else None
