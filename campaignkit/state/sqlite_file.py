"""Opening a SQLite file that campaignkit owns, without harming one it does not.

Used by the SQLite state store and by the local target. A path given by
mistake may point at a corrupt file or at some other program's database: both
are looked at read-only first and refused with a message naming the file,
which is left exactly as it was. An empty file (truncated, or emptied by hand)
and a file in a folder that does not exist (a mistyped path) are refused too:
either would otherwise be taken for a new, empty database, and every object
planned again. Only a missing file in an existing folder or in campaignkit's own
``.campaignkit`` folder, or one that already has our marker table, is opened for
writing.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from campaignkit.errors import UserError

#: The folder campaignkit keeps its own files in, made when missing.
OWN_FOLDER = ".campaignkit"
#: How long a writer waits for another connection's transaction (SQLite's own lock).
BUSY_TIMEOUT_MS = 30_000


def open_sqlite(path: Path, marker_table: str, what: str) -> sqlite3.Connection:
    """A connection to ``path`` in autocommit mode with WAL, or a ``UserError``.

    ``marker_table`` is a table every database we write has; ``what`` says what
    the file should be ("state database", "local target database").
    """
    _refuse_foreign(path, marker_table, what)
    if not path.parent.is_dir() and path.parent.name != OWN_FOLDER:
        raise UserError(f"{what} {path}: the folder {path.parent} does not exist; check the path in "
                        "campaignkit.yaml (campaignkit makes only its own .campaignkit folder)")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # Connections are shared with worker threads behind the owner's own lock.
        connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        # WAL with synchronous=NORMAL: each transaction is durable against a
        # killed process (only a power cut may lose the last ones) and commits
        # cost no fsync, which is what lets every change be its own transaction.
        connection.execute("PRAGMA journal_mode = WAL")
        connection.execute("PRAGMA synchronous = NORMAL")
    except (OSError, sqlite3.Error) as exc:
        raise UserError(f"cannot open {what} {path}: {exc}") from None
    return connection


def _refuse_foreign(path: Path, marker_table: str, what: str) -> None:
    if not path.exists():
        return
    if not path.is_file():
        raise UserError(f"{what} {path} is not a file")
    if path.stat().st_size == 0:
        raise UserError(f"{what} {path} is empty (0 bytes), so it cannot say what it held; restore it from a "
                        "backup, or delete it if it was never used")
    try:
        probe = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            tables = {row[0] for row in probe.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        finally:
            probe.close()
    except sqlite3.Error as exc:
        raise UserError(f"{path} is not a campaignkit {what} ({exc}); the file was left untouched: "
                        "move it away or point the environment at another file") from None
    if tables and marker_table not in tables:
        listed = ", ".join(sorted(tables)[:5])
        raise UserError(f"{path} is a SQLite database of something else (tables: {listed}), not a campaignkit "
                        f"{what}; the file was left untouched: point the environment at another file")


@contextmanager
def write_transaction(connection: sqlite3.Connection, mutex: threading.Lock,
                      failure: Callable[[sqlite3.Error], Exception]) -> Iterator[sqlite3.Cursor]:
    """One ``BEGIN IMMEDIATE`` transaction, rolled back on any error.

    SQLite errors come out as ``failure(error)``, the caller's own expected
    failure type, so that a locked or broken file is one clear line.
    """
    with mutex:
        cursor = connection.cursor()
        try:
            cursor.execute("BEGIN IMMEDIATE")
            yield cursor
            cursor.execute("COMMIT")
        except BaseException as exc:
            if connection.in_transaction:
                connection.rollback()
            if isinstance(exc, sqlite3.Error):
                raise failure(exc) from None
            raise
