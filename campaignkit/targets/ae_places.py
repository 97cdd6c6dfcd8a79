"""Folders, campaigns and layout templates: where Account Engagement files an object and how a form looks,
named in the files, by id in the API.

API v5 can set a list's or an email template's ``folderId`` and ``campaignId``
but cannot create folders or campaigns (they are read-only collections); a
form's ``layoutTemplateId`` names a layout template, made in the UI. So the
files name them (``folder: Lists/Events``, ``campaign: campaign.NAME``), and
this module turns names into ids on the way out and ids into names on the way
back, reading each collection at most once per target (one apply, one plan).
A name the business unit does not have is a one-line ``TargetError`` that says
where to create it. It knows collections and names, not how objects are sent
(that is ``ae_mapping``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from campaignkit.targets.ae_client import AEClient, NamedIds
from campaignkit.targets.base import TargetError

CAMPAIGN_PREFIX = "campaign."


@dataclass(frozen=True)
class _Place:
    """One kind of place: its collection, how an object of it is named in the files, and where it is made."""

    collection: str
    fields: tuple[str, ...]
    #: The API object -> the name the files give it.
    name: Callable[[dict[str, Any]], str]
    #: What to do when a name is missing, shown after the name.
    missing: str


PLACES = {
    "folder": _Place("folders", ("path",), lambda v: str(v.get("path") or "").strip("/"),
                     "create the folder in Account Engagement (the API cannot) and apply again"),
    "campaign": _Place("campaigns", ("name",), lambda v: f"{CAMPAIGN_PREFIX}{v.get('name') or ''}",
                       "create the campaign in Salesforce as the plan's manual step says, and apply again"),
    "layout_template": _Place("layout-templates", ("name",), lambda v: str(v.get("name") or ""),
                              "create it in Account Engagement (Content > Layout Templates) or name another "
                              "with layout_template: on the form, and apply again"),
}


class Places:
    """The business unit's folders, campaigns and layout templates, read on first use and kept for the target's life."""

    def __init__(self, client: AEClient) -> None:
        self._ids = {attribute: NamedIds(client, place.collection, place.fields, place.name)
                     for attribute, place in PLACES.items()}

    def with_ids(self, attributes: dict[str, Any], sent: frozenset[str] | None = None) -> dict[str, Any]:
        """``attributes`` with the folder and campaign names being ``sent`` (all: None) replaced by their ids.

        A name missing from the business unit is a ``TargetError``; one not being
        sent is not looked up, so an unrelated change never fails on it.
        """
        resolved = dict(attributes)
        for attribute in PLACES.keys() & attributes.keys() & (attributes.keys() if sent is None else sent):
            resolved[attribute] = self._id(attribute, str(attributes[attribute]))
        return resolved

    def with_names(self, attributes: dict[str, Any]) -> dict[str, Any]:
        """``attributes`` read from the API with each folder and campaign id replaced by its name."""
        named = dict(attributes)
        for attribute in PLACES.keys() & attributes.keys():
            names = self._ids[attribute].names()
            object_id = str(attributes[attribute])
            named[attribute] = names.get(object_id, f"{attribute} id {object_id}")
        return named

    def _id(self, attribute: str, name: str) -> Any:
        found = self._ids[attribute].ids().get(name.strip("/"))
        if found is None:
            raise TargetError(f"the {attribute} '{name}' does not exist in the business unit; "
                              f"{PLACES[attribute].missing}")
        return found
