"""Who holds an environment's lock, and the message a second process sees.

Only one plan-with-refresh or apply may run per environment at a time. The
stores keep the lock (a row in SQLite, an advisory lock in PostgreSQL); this
module describes a holder and words the refusal. A lock is never broken
automatically: a process that looks dead may be a slow one on another machine,
so ``force-unlock`` is left to a person.
"""

from __future__ import annotations

import os
import socket
import uuid
from dataclasses import dataclass

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
