"""Who holds an environment's lock, and the message a second process sees.

Only one plan-with-refresh or apply may run per environment at a time. The
stores keep the lock (a row in SQLite, an advisory lock in PostgreSQL); this
module describes a holder, tells whether it is gone, and words the refusal. A
lock is broken only where its holder ran on this machine and its process is
gone: one held from another machine may be a slow process there, so
``force-unlock`` is left to a person.
"""

from __future__ import annotations

import os
import re
import socket
import uuid
import warnings
from dataclasses import dataclass
from pathlib import Path

from campaignkit.errors import UserError
from campaignkit.state.audit import current_user, now


@dataclass(frozen=True)
class LockInfo:
    lock_id: str
    holder: str
    operation: str
    since: str


def new_lock(operation: str) -> LockInfo:
    holder = f"{current_user()}@{socket.gethostname()} pid {os.getpid()}"
    return LockInfo(str(uuid.uuid4()), holder, operation, now())


#: How ``new_lock`` names a holder: who, on which machine, which process.
_HOLDER = re.compile(r"@(?P<host>[^@\s]+) pid (?P<pid>\d+)$")


def holder_is_gone(holder: LockInfo) -> bool:
    """Whether the lock's holder ran on this machine and its process has ended (or never reaped)."""
    found = _HOLDER.search(holder.holder)
    if found is None or found["host"] != socket.gethostname():
        return False
    pid = int(found["pid"])
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # someone else's process, alive
        return False
    return _ended(pid)


def _ended(pid: int) -> bool:
    """A process that exited but was not yet reaped by its parent holds nothing either."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except (OSError, IndexError):
        return False
    return state in ("Z", "X")


class LockTakenOver(UserWarning):
    """A lock left by a process that has ended on this machine was taken over."""


def warn_taken_over(key: str, holder: LockInfo) -> None:
    warnings.warn(LockTakenOver(
        f"took over the lock on {key} left by {holder.holder} ({holder.operation} since {holder.since}, lock id "
        f"{holder.lock_id}): that process has ended; its history entry is marked interrupted"), stacklevel=3)


class LockNotReleased(UserWarning):
    """The lock could not be removed (the store cannot be written); the message says how it is freed."""


def warn_not_released(key: str, held: LockInfo, reason: str) -> None:
    warnings.warn(LockNotReleased(
        f"could not release the lock on {key} ({reason}): once this process has ended, the next run on this "
        f"machine takes it over; from another machine, run: campaignkit force-unlock {held.lock_id}"), stacklevel=3)


class LockHeld(UserError):
    """Another process holds the lock; the message says who, doing what, since when."""

    def __init__(self, key: str, holder: LockInfo, waited: float) -> None:
        waited_text = f" after waiting {waited:g}s" if waited else ""
        super().__init__(
            f"state of {key} is locked{waited_text}: {holder.operation} by {holder.holder} since {holder.since} "
            f"(lock id {holder.lock_id}). Wait for it to finish (--lock-timeout SECONDS waits), or, if that "
            f"process is gone, run: campaignkit force-unlock {holder.lock_id}"
        )
        self.holder = holder
