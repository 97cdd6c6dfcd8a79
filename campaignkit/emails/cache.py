"""A content-addressed cache of check results in ``.campaignkit/cache/``.

Rendering and checking an email is the most expensive part of ``validate``;
its result depends only on the email's attributes, the templates and the
fields and vars, so it is stored under a hash of exactly those and reused
until one of them changes. The cache is an optimisation: when it cannot be
read or written (a read-only checkout, a corrupt file) it is ignored, never
reported, and results are computed afresh.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import Any

from campaignkit import __version__


def digest(*parts: Any) -> str:
    """A stable hash of ``parts`` (plus the campaignkit version and its code).

    The parts are plain data as loaded (strings, numbers, lists, dicts) and positions,
    hashed by their ``repr``, which is cheaper than JSON, and every email's cache key
    is one. A mapping hashes in its order, so the same keys written in another order are
    another key: a miss, never a wrong hit.
    """
    return hashlib.sha256(repr((__version__, _code(), parts)).encode()).hexdigest()


@lru_cache(maxsize=1)
def _code() -> str:
    """The size and time of every module of campaignkit: results checked by other code are not reused.

    The version alone is not enough where the code changes under one version (a
    checkout being worked on); sizes and times are cheap to read, contents are not.
    """
    stamps = []
    for folder, _, files in os.walk(os.path.dirname(__file__)):
        for name in files:
            if name.endswith(".py"):
                info = os.stat(os.path.join(folder, name))
                stamps.append((folder, name, info.st_size, info.st_mtime_ns))
    return hashlib.sha256(repr(sorted(stamps)).encode()).hexdigest()


class ResultCache:
    """Results by key in one JSON file; entries not used in a run are dropped on save."""

    def __init__(self, root: Path, name: str) -> None:
        self.path = root / ".campaignkit" / "cache" / f"{name}.json"
        self._old = self._read()
        self._used: dict[str, Any] = {}

    def _read(self) -> dict[str, Any]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def get(self, key: str) -> Any | None:
        value = self._old.get(key)
        if value is not None:
            self._used[key] = value
        return value

    def put(self, key: str, value: Any) -> None:
        self._used[key] = value

    def save(self) -> None:
        if self._used == self._old:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=self.path.parent, prefix=".tmp-")
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                json.dump(self._used, out, ensure_ascii=False)
            os.replace(temporary, self.path)
        except OSError:
            pass  # a cache that cannot be written only costs time
