"""A prospect's state as the engine changes it: fields, score, lists, tags, activity.

One ``Prospect`` stands for one person in a campaign test and for a whole
cohort of identical people in a simulation, which is why copying it must be
cheap and why it holds no count. Grades are not stored: they follow from the
fields through the grading profile (see ``grading``).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class Activity:
    """Something the prospect did: ``kind`` is a trigger name, ``target`` what it was done to,
    ``link`` the link clicked in an email ("" when not told)."""

    at: datetime
    kind: str
    target: str
    link: str = ""


@dataclass
class Prospect:
    fields: dict[str, Any] = field(default_factory=dict)
    score: int = 0
    lists: set[str] = field(default_factory=set)
    tags: set[str] = field(default_factory=set)
    opted_out: bool = False
    activities: list[Activity] = field(default_factory=list)
    #: When the prospect last did something that scores, else when its run started; decay counts from here.
    last_active: datetime | None = None
    #: How many decay periods have been taken off since ``last_active``.
    decays: int = 0
    #: When the prospect first met the MQL threshold, if ever.
    mql_at: datetime | None = None
    assigned_to: str | None = None
    #: A grade set by hand (a campaign test may pin one); None means graded from the fields.
    pinned_grade: str | None = None

    def copy(self) -> Prospect:
        return replace(self, fields=dict(self.fields), lists=set(self.lists), tags=set(self.tags),
                       activities=list(self.activities))

    def did(self, kind: str, target: str | None, since: datetime, until: datetime,
            link: str | None = None) -> datetime | None:
        """When the prospect first did ``kind`` (to ``target``, if given) in [since, until], else None.

        With ``link``, only a click on that link counts, or a click whose link was not told
        (a test event without ``link``, a simulated click): it may have been that one.
        """
        for activity in self.activities:
            if (activity.kind == kind and (target is None or activity.target == target)
                    and (link is None or activity.link in ("", link)) and since <= activity.at <= until):
                return activity.at
        return None
