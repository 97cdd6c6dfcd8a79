"""The history row every operation that writes state opens before its first write and closes when it ends.

Apply, refresh, import and ``state rm`` record themselves the same way, through
``history_entry``: a row opened as ``running``, closed with the result and summary
the operation gives, or as ``failed`` or ``interrupted`` when an error or Ctrl-C
ends it first. A process killed outright cannot close its row, nor can one whose
state cannot be written any more (a full disk); the next lock of the environment
marks it interrupted.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from campaignkit.state.base import StateStore, StateUnavailable

#: The summary of a row whose operation was stopped by Ctrl-C or SIGTERM.
STOPPED = "stopped before it finished; the state keeps what it completed"


@dataclass
class Ending:
    """How the operation ended, as its body says: a success unless it sets another result."""

    result: str = "success"
    summary: str = ""


@contextmanager
def history_entry(store: StateStore, operation: str, who: str, git_commit: str,
                  plan_hash: str = "") -> Iterator[Ending]:
    """A history row of ``store`` around the body, which sets the ``Ending`` yielded; the caller holds the lock.

    An exception closes the row as ``failed`` with its message, and Ctrl-C as
    ``interrupted``; both go on to the caller, even when the row cannot be written.
    """
    row = store.start_history(operation, who, git_commit, plan_hash)
    ending = Ending()
    try:
        yield ending
    except KeyboardInterrupt:
        _close_if_possible(store, row, "interrupted", STOPPED)
        raise
    except Exception as exc:
        _close_if_possible(store, row, "failed", str(exc) or type(exc).__name__)
        raise
    store.finish_history(row, ending.result, ending.summary)


def _close_if_possible(store: StateStore, row: int, result: str, summary: str) -> None:
    """Closes the row of an operation already ending in an error, which a failed write must not hide."""
    try:
        store.finish_history(row, result, summary)
    except StateUnavailable:
        pass  # the row stays 'running' until the next lock marks it interrupted


def applied_commit(store: StateStore) -> str:
    """The git commit the environment's last successful apply was made from ("" when none recorded one).

    What state holds is what that commit declared, unless a later apply failed part-way or
    ``refresh`` recorded changes made outside campaignkit since.
    """
    applied = [row for row in store.history() if row.operation == "apply" and row.result == "success"]
    return applied[-1].git_commit if applied else ""
