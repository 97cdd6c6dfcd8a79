"""State: what was last applied to each environment, and the lock that guards it.

``open_store`` turns an environment's ``state`` URL into a store:
``sqlite:RELATIVE/PATH.db`` (relative to the workspace root; the default is
``sqlite:.campaignkit/<environment>.db``), ``sqlite:/ABSOLUTE/PATH.db`` or
``sqlite:~/PATH.db`` (in the home folder), or ``postgresql://user@host/db``.
The store's key is ``workspace/environment``.
"""

from __future__ import annotations

from pathlib import Path

from campaignkit.errors import UserError
from campaignkit.state.base import (
    Finding,
    HistoryEntry,
    State,
    StateEntry,
    StateFormatError,
    StateStore,
    StateUnavailable,
)
from campaignkit.state.entries import entry_for, forget
from campaignkit.state.history import Ending, applied_commit, history_entry
from campaignkit.state.lock import LockHeld, LockInfo
from campaignkit.workspace.model import Environment

_POSTGRES_SCHEMES = ("postgresql://", "postgres://")


def open_store(environment: Environment, root: Path, workspace: str) -> StateStore:
    """The store of ``environment`` in the workspace at ``root`` named ``workspace``."""
    url = environment.state or f"sqlite:.campaignkit/{environment.name}.db"
    return open_url(url, root, f"{workspace or root.name}/{environment.name}")


def open_url(url: str, root: Path, key: str) -> StateStore:
    """The store at ``url`` for the environment ``key``."""
    if url.startswith("sqlite:"):
        from campaignkit.state.sqlite import SqliteStore

        path = Path(url.removeprefix("sqlite:")).expanduser()
        if str(path) == ":memory:":
            raise UserError("state URL 'sqlite::memory:' would forget the state at once: give a file, "
                            "sqlite:PATH (relative to the workspace)")
        return SqliteStore(path if path.is_absolute() else root / path, key)
    if url.startswith(_POSTGRES_SCHEMES):
        from campaignkit.state.postgres import PostgresStore

        return PostgresStore(url, key)
    raise UserError(f"state URL '{url}' is not supported: use sqlite:PATH (relative to the workspace) "
                    "or postgresql://USER@HOST/DATABASE")


__all__ = [
    "Ending",
    "applied_commit",
    "Finding",
    "HistoryEntry",
    "LockHeld",
    "LockInfo",
    "State",
    "StateEntry",
    "StateFormatError",
    "StateStore",
    "StateUnavailable",
    "entry_for",
    "forget",
    "history_entry",
    "open_store",
    "open_url",
]
