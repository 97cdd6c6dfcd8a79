"""The times campaign tests are written in: ``3h``, ``2d``, ``2d 10:00``, ``2026-03-04 10:00``.

Relative times count from the test's start; ``2d 10:00`` is ten o'clock on
the day two days after the start day, the way a marketer says "on day two at
ten". Every time is read in the test's time zone.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta, tzinfo

_RELATIVE = re.compile(
    r"^\s*(?:(?P<w>\d+)\s*w)?\s*(?:(?P<d>\d+)\s*d)?\s*(?:(?P<h>\d+)\s*h)?\s*(?:(?P<m>\d+)\s*m)?"
    r"\s*(?:(?P<clock>\d{1,2}:\d{2}))?\s*$"
)
_ABSOLUTE = re.compile(r"^\s*\d{4}-\d{2}-\d{2}[ T]\d{1,2}:\d{2}\s*$")
DEFAULT_START = "2026-03-02 10:00"  # a Monday


class TooFar(ValueError):
    """A relative time that lands past the year 9999, where Python's dates end."""


def parse_absolute(text: str, zone: tzinfo) -> datetime:
    """``2026-03-04 10:00`` in ``zone``; raises ValueError with a message for the user."""
    try:
        return datetime.fromisoformat(text.strip().replace("T", " ")).replace(tzinfo=zone)
    except ValueError as exc:  # datetime's own words ("day is out of range for month") lack the value
        raise ValueError(f"'{text}' is not a date and time like 2026-03-04 10:00: {exc}") from None


def parse_time(text: str, start: datetime) -> datetime:
    """An absolute moment for ``text``; raises ValueError with a message for the user."""
    text = str(text)
    if _ABSOLUTE.match(text):
        assert start.tzinfo is not None, "a test starts in its time zone"
        return parse_absolute(text, start.tzinfo)
    match = _RELATIVE.match(text)
    if not match or not any(match.groupdict().values()):
        raise ValueError(f"'{text}' is not a time like 3h, 2d, 2d 10:00 or 2026-03-04 10:00")
    parts = {k: int(v) for k, v in match.groupdict().items() if v and k != "clock"}
    if match["clock"] and ("h" in parts or "m" in parts):
        raise ValueError(f"'{text}': give either hours and minutes or a clock time, not both")
    try:
        offset = timedelta(weeks=parts.get("w", 0), days=parts.get("d", 0), hours=parts.get("h", 0),
                           minutes=parts.get("m", 0))
        if not match["clock"]:  # a duration is elapsed time, whatever the clocks do in between
            return (start.astimezone(UTC) + offset).astimezone(start.tzinfo)
        day = start.date() + offset
    except OverflowError:  # past the year 9999, where Python's dates end
        raise TooFar(f"'{text}' is too far after the start: it lands past the year 9999") from None
    try:
        clock = time.fromisoformat(match["clock"].zfill(5))
    except ValueError:
        raise ValueError(f"'{text}': {match['clock']} is not a time of day like 09:30 (00:00 to 23:59)") from None
    return datetime.combine(day, clock, start.tzinfo)


def show(at: datetime, zone: tzinfo) -> str:
    """How a moment is printed in test output: in the test's time zone, with the weekday."""
    local = at.astimezone(zone)
    return local.strftime("%a %Y-%m-%d %H:%M")
