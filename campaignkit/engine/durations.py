"""Durations as campaign files write them: ``15m``, ``3h``, ``2d``, ``1w``.

The JSON Schemas already check the spelling; this module only turns a valid
spelling into a ``timedelta`` and raises ``ValueError`` for anything else.
"""

from __future__ import annotations

import re
from datetime import timedelta
from functools import lru_cache

_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
_DURATION = re.compile(r"^\s*(\d+)\s*([mhdw])\s*$")


@lru_cache(maxsize=1024)
def parse_duration(text: str) -> timedelta:
    """``"3d"`` -> three days."""
    match = _DURATION.match(str(text))
    if not match:
        raise ValueError(f"'{text}' is not a duration like 15m, 3h, 2d or 1w")
    return timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})
