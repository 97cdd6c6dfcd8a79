"""Tags on lists, email templates and custom fields, through API v5's ``tags`` and ``tagged-objects``.

API v5 documents ``tags`` as a collection a client may create in (``POST
tags`` with a ``name``), ``tagged-objects`` as read-only (``tagId``,
``objectType``, ``objectId``): who carries which tag, queried here by
``objectType`` (``list``, ``email-template``, ``custom-field``), and the
``do/addTag`` and ``do/removeTag`` actions of lists, email templates and
custom fields, each with a body ``{"tagId": n}``. Tag names are what the files
hold; ids are found by name here, read once per target and kept, and a tag the
business unit does not have yet is created.

The declared tags are authoritative for an object campaignkit manages: setting
them removes whatever other tag the object carries, as Terraform does with a
declared set. This module knows tags and ids, not how the rest of an object is
sent (``ae_mapping``).
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from campaignkit.targets.ae_client import AEClient, NamedIds

TAGS = "tags"
TAGGED_OBJECTS = "tagged-objects"


def of_type(object_type: str) -> dict[str, str]:
    """The query filter for the tagged objects of one ``objectType``."""
    return {"objectType": object_type}


class Tags:
    """The business unit's tags by name, and who carries them.

    Who carries which tag is read once per kind of object for the target's life
    (the tagged objects of that ``objectType``, a page of 1,000 at a time) and
    kept in step with the tags this target sets, so that reading many objects
    back does not read the collection again for each.
    """

    def __init__(self, client: AEClient) -> None:
        self._client = client
        self._ids = NamedIds(client, TAGS, ("name",), lambda tag: str(tag.get("name")))
        self._lock = threading.Lock()  # apply runs up to five changes at once
        self._carried: dict[str, dict[str, list[str]]] = {}

    def known(self) -> frozenset[str] | None:
        """The names of the business unit's tags, if they were read; ``None`` if not."""
        return self._ids.known()

    def carried(self, object_type: str) -> dict[str, list[str]]:
        """Object id -> the names of the tags it carries, for every object of ``object_type``, sorted."""
        with self._lock:
            if object_type not in self._carried:
                self._carried[object_type] = self._read(object_type)
            return dict(self._carried[object_type])

    def assign(self, collection: str, object_type: str, object_id: str, wanted: Iterable[str],
               current: Iterable[str] | None = None) -> None:
        """Makes the object carry exactly the ``wanted`` tags: adds the missing ones, removes the others.

        ``current``: the tags it carries, when known (none, for an object just
        created); otherwise they are read, so that a tag added in the UI goes too.
        """
        carries = set(self.carried(object_type).get(object_id, ()) if current is None else current)
        for name in sorted(set(wanted) - carries):
            self._act(collection, object_id, "addTag", self._id(name))
        for name in sorted(carries - set(wanted)):
            tag_id = self._ids.ids().get(name)
            if tag_id is not None:  # a tag deleted since it was read is on no object any more
                self._act(collection, object_id, "removeTag", tag_id)
        with self._lock:
            if object_type in self._carried:
                self._carried[object_type][object_id] = sorted(set(wanted))

    def _read(self, object_type: str) -> dict[str, list[str]]:
        tagged = [(str(t.get("objectId")), str(t.get("tagId")))
                  for t in self._client.get_all(TAGGED_OBJECTS, ("tagId", "objectId"), of_type(object_type))]
        names = self._names({tag_id for _, tag_id in tagged})
        found: dict[str, list[str]] = defaultdict(list)
        for object_id, tag_id in tagged:
            found[object_id].append(names[tag_id])
        return {object_id: sorted(tags) for object_id, tags in found.items()}

    def _act(self, collection: str, object_id: str, action: str, tag_id: Any) -> None:
        self._client.act(collection, object_id, action, {"tagId": tag_id})

    def _id(self, name: str) -> Any:
        """The tag's id, creating the tag when the business unit has none of that name."""
        return self._ids.id_or_make(name, lambda: self._client.create(TAGS, {"name": name}, ("name",))["id"])

    def _names(self, tag_ids: set[str]) -> dict[str, str]:
        """Tag id -> name for ``tag_ids``; the tags are read again if one was made in the UI since."""
        names = self._ids.names()
        if not tag_ids <= names.keys():
            self._ids.forget()
            names = self._ids.names()
        return {i: names.get(i, f"tag id {i}") for i in tag_ids}
