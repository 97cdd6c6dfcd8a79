"""Dynamic content's variations, through API v5's ``dynamic-content-variations``.

A variation is an object of its own, belonging to one dynamic content
(``dynamicContentId``): an ``operator``, the value compared with
(``value1``; ``value2`` too for ``between``) and the ``content`` shown. The
page documents create, read and query, and neither update nor delete, so
variations are written once, after the dynamic content they belong to, and
every later change is a manual step. They are read in one query of the whole
collection (a page of 1,000 at a time; the page documents no filter by
dynamic content) and grouped, once for the target's life.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

from campaignkit.targets.ae_client import AEClient
from campaignkit.targets.ae_form_fields import number

COLLECTION = "dynamic-content-variations"
OWNER = "dynamicContentId"
#: The operator a variation has when the files name none.
DEFAULT_OPERATOR = "is"
_FIELDS = ("operator", "value1", "value2", "content")

Entry = Mapping[str, Any]
Body = dict[str, Any]


def body(entry: Entry) -> Body:
    """A declared variation (``{value: Japan, content: ...}``) as the API object's fields."""
    sent: Body = {"operator": str(entry.get("operator", DEFAULT_OPERATOR)), "value1": str(entry["value"]),
                  "content": str(entry.get("content", ""))}
    if entry.get("to") is not None:
        sent["value2"] = str(entry["to"])
    return sent


def entry(read: Body) -> dict[str, Any]:
    """A variation as read, in the files' shape (the default operator left out, as the files leave it)."""
    shown: dict[str, Any] = {}
    if read.get("operator") and read["operator"] != DEFAULT_OPERATOR:
        shown["operator"] = read["operator"]
    shown["value"] = read.get("value1") or ""
    if read.get("value2"):
        shown["to"] = read["value2"]
    shown["content"] = read.get("content") or ""
    return shown


class Variations:
    """Every dynamic content's variations, read in one query on first use and kept in step with what is created."""

    def __init__(self, client: AEClient) -> None:
        self._client = client
        self._lock = threading.Lock()  # apply runs up to five changes at once
        self._by_owner: dict[str, list[Body]] | None = None

    def of(self, content_id: str) -> list[dict[str, Any]]:
        """The variations of the dynamic content, in the files' shape, in the order they were made."""
        with self._lock:
            if self._by_owner is None:
                grouped: dict[str, list[Body]] = defaultdict(list)
                for read in self._client.get_all(COLLECTION, (OWNER, *_FIELDS)):
                    grouped[str(read.get(OWNER))].append(read)
                self._by_owner = dict(grouped)
            found = self._by_owner.get(content_id, [])
        return [entry(read) for read in sorted(found, key=lambda read: int(read.get("id") or 0))]

    def create(self, content_id: str, entries: Sequence[Entry]) -> None:
        """Makes the variations of a dynamic content just created: one POST each, in the files' order."""
        made = [self._client.create(COLLECTION, {**body(e), OWNER: number(content_id)}, _FIELDS) for e in entries]
        with self._lock:
            if self._by_owner is not None:
                self._by_owner[content_id] = [{**m, OWNER: content_id} for m in made]
