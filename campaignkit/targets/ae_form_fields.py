"""A form handler's fields, through API v5's ``form-handler-fields``.

Each field is an object of its own, belonging to one handler
(``formHandlerId``) and filling one prospect field (``prospectApiFieldId``:
the field's ``api_name``, ``firstName`` or ``Product_Interest__c``). The
collection has no filter by handler, so every field of the business unit is
read in one query (a page of 1,000 at a time) and grouped by handler, once for
the target's life; syncing a handler then writes one POST, PATCH or DELETE per
field that differs. Fields are paired with what the files declare by the
prospect field they fill, so renaming an input or making it required is one
PATCH, not a delete and a create.

This module knows fields and ids, not how the handler itself is sent
(``ae_mapping``).
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from campaignkit.targets.ae_client import AEClient

COLLECTION = "form-handler-fields"
HANDLER = "formHandlerId"
PROSPECT_FIELD = "prospectApiFieldId"
FIELD_PREFIX = "field."
#: campaignkit's format -> the field's ``dataFormat``.
FORMATS = {"text": "text", "number": "number", "email": "email",
           "email_not_free": "email not from isps and free email providers",
           "email_with_mail_server": "email with valid mail server"}
_FORMATS_BACK = {v: k for k, v in FORMATS.items()}
#: The API fields compared and written; ``formHandlerId`` is sent on create only.
_COMPARED = ("name", PROSPECT_FIELD, "dataFormat", "isRequired", "isMaintainInitialValue", "errorMessage")

Entry = Mapping[str, Any]
Body = dict[str, Any]


class FieldNames:
    """Prospect field names as the files give them (``first_name``) and as the API does (``firstName``)."""

    def __init__(self, api_names: Mapping[str, str]) -> None:
        #: campaignkit name -> api_name; a field without one is known to the API by its name.
        self._api = dict(api_names)
        self._names = {api: name for name, api in api_names.items()}

    def api(self, reference: str) -> str:
        """The API name of the prospect field ``field.NAME`` (``firstName``, ``Product_Interest__c``)."""
        name = reference.removeprefix(FIELD_PREFIX)
        return self._api.get(name, name)

    def reference(self, api: str) -> str:
        """``field.NAME`` of the prospect field the API calls ``api``."""
        return FIELD_PREFIX + self._names.get(api, api)

    def body(self, entry: Entry) -> Body:
        """A declared field (``{field: field.first_name, required: true}``) as the API object's fields."""
        api = self.api(str(entry["field"]))
        return {"name": entry.get("input", api), PROSPECT_FIELD: api,
                "dataFormat": FORMATS[str(entry.get("format", "text"))],
                "isRequired": bool(entry.get("required", False)),
                "isMaintainInitialValue": bool(entry.get("keep_first_value", False)),
                "errorMessage": str(entry.get("error_message", ""))}

    def entries(self, read: Sequence[Body], declared: Sequence[Entry]) -> list[dict[str, Any]]:
        """Fields as read, in the files' shape and order: a field saying what its declaration says is that
        declaration (defaults written or not), so that neither the API's order nor its defaults are drift."""
        wanted = [self.body(entry) for entry in declared]
        order = {id(body): i for i, body in enumerate(wanted)}
        shown: list[tuple[int, dict[str, Any]]] = []
        for current, body in pair(read, wanted):
            if current is None:
                continue
            same = body is not None and not differences(current, body)
            entry = dict(declared[order[id(body)]]) if same and body is not None else self._entry(current)
            shown.append((order[id(body)] if body is not None else len(wanted), entry))
        return [entry for _, entry in sorted(shown, key=lambda item: item[0])]

    def _entry(self, v: Body) -> dict[str, Any]:
        api = str(v.get(PROSPECT_FIELD) or "")
        entry: dict[str, Any] = {"field": self.reference(api)}
        if v.get("name") and v.get("name") != api:
            entry["input"] = v["name"]
        if v.get("isRequired"):
            entry["required"] = True
        shape = _FORMATS_BACK.get(str(v.get("dataFormat")), v.get("dataFormat"))
        if shape not in (None, "text"):
            entry["format"] = shape
        if v.get("isMaintainInitialValue"):
            entry["keep_first_value"] = True
        if v.get("errorMessage"):
            entry["error_message"] = v["errorMessage"]
        return entry


def pair(current: Iterable[Body], wanted: Iterable[Body]) -> list[tuple[Body | None, Body | None]]:
    """Current and wanted fields paired by the prospect field they fill, in order; a field without a
    partner is paired with ``None`` (to create, or to delete)."""
    pool: dict[str, list[Body]] = defaultdict(list)
    for field in current:
        pool[str(field.get(PROSPECT_FIELD))].append(field)
    pairs: list[tuple[Body | None, Body | None]] = []
    for field in wanted:
        found = pool[str(field[PROSPECT_FIELD])]
        pairs.append((found.pop(0) if found else None, field))
    return pairs + [(field, None) for left in pool.values() for field in left]


def differences(current: Body, wanted: Body) -> Body:
    """The fields of ``wanted`` that ``current`` does not have (an absent message is an empty one)."""
    return {k: wanted[k] for k in _COMPARED if (current.get(k) or _EMPTY[k]) != (wanted[k] or _EMPTY[k])}


_EMPTY: dict[str, Any] = {"name": "", PROSPECT_FIELD: "", "dataFormat": "", "isRequired": False,
                          "isMaintainInitialValue": False, "errorMessage": ""}


def writes(current: Iterable[Body], wanted: Iterable[Body]) -> int:
    """How many calls make ``current`` into ``wanted``: one per field created, changed or deleted."""
    return sum(1 for now, then in pair(current, wanted) if now is None or then is None or differences(now, then))


class HandlerFields:
    """Every form handler's fields, read in one query on first use and kept in step with what is written."""

    def __init__(self, client: AEClient) -> None:
        self._client = client
        self._lock = threading.Lock()  # apply runs up to five changes at once
        self._by_handler: dict[str, list[Body]] | None = None

    def of(self, handler_id: str) -> list[Body]:
        """The fields of the handler, as the API gives them (with ``id``)."""
        with self._lock:
            return list(self._read().get(handler_id, ()))

    def sync(self, handler_id: str, wanted: Sequence[Body], current: Sequence[Body] | None = None) -> None:
        """Makes the handler's fields ``wanted``: a POST, PATCH or DELETE per field that differs.

        ``current``: its fields, when known (none, for a handler just created); otherwise they are read.
        """
        now = self.of(handler_id) if current is None else list(current)
        kept: list[Body] = []
        for field, body in pair(now, wanted):
            if body is None and field is not None:
                self._client.delete(COLLECTION, str(field["id"]))
            elif field is None and body is not None:
                kept.append(self._client.create(COLLECTION, {**body, HANDLER: number(handler_id)}, _COMPARED))
            elif field is not None and body is not None:
                changed = differences(field, body)
                if changed:
                    self._client.update(COLLECTION, str(field["id"]), changed, _COMPARED)
                kept.append({**field, **changed})
        with self._lock:
            if self._by_handler is not None:
                self._by_handler[handler_id] = kept

    def _read(self) -> dict[str, list[Body]]:
        if self._by_handler is None:
            grouped: dict[str, list[Body]] = defaultdict(list)
            for field in self._client.get_all(COLLECTION, (HANDLER, *_COMPARED)):
                grouped[str(field.get(HANDLER))].append(field)
            self._by_handler = dict(grouped)
        return self._by_handler


def number(object_id: str) -> Any:
    """An id as a body sends it: the number the API gave."""
    return int(object_id) if object_id.isdigit() else object_id
