"""A program's schedule: the days and business hours, in its time zone, when email may go out.

Only sends are held to the schedule; waits, triggers and rules run around the
clock, as they do in Engagement Studio.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def known_time_zone(name: str) -> bool:
    """Whether ``name`` is a time zone of the IANA database (``Asia/Tokyo``, ``UTC``)."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def business_hours(schedule: dict[str, Any]) -> tuple[str, str]:
    """When a schedule's sends may start and when they must stop, as written (``09:00``, ``17:00``)."""
    opens, _, closes = str(schedule.get("hours", "00:00-24:00")).partition("-")
    return opens, closes


@dataclass(frozen=True)
class Schedule:
    zone: ZoneInfo
    days: frozenset[int]
    opens: time
    #: None when sends are allowed until midnight.
    closes: time | None

    @classmethod
    def of(cls, program: dict[str, Any]) -> Schedule | None:
        """The program's schedule, or None when it may send at any time."""
        raw = program.get("schedule")
        if not raw:
            return None
        opens, closes = business_hours(raw)
        return cls(ZoneInfo(raw["timezone"]), frozenset(DAYS.index(d) for d in raw.get("days", DAYS)),
                   time.fromisoformat(opens), None if closes == "24:00" else time.fromisoformat(closes))

    def next_send(self, at: datetime) -> datetime:
        """The first moment at or after ``at`` when the schedule allows a send."""
        local = at.astimezone(self.zone)
        for offset in range(8):
            day = local.date() + timedelta(days=offset)
            if day.weekday() not in self.days:
                continue
            opening = datetime.combine(day, self.opens, self.zone)
            closing = datetime.combine(day + timedelta(days=1), time(0), self.zone) if self.closes is None \
                else datetime.combine(day, self.closes, self.zone)
            if local < closing:
                return max(local, opening).astimezone(at.tzinfo)
        raise ValueError("a schedule allows at least one day")  # the schema requires one
