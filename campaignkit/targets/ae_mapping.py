"""How campaignkit's objects map onto Account Engagement API v5 objects, field by field.

Each kind the API can write has a ``Mapping``: its collection (as the v5
pages name it: ``lists``, ``custom-fields``, ``email-templates``,
``form-handlers``, ``forms``, ``dynamic-contents``), the body
sent for the fields being set, and the object read back in campaignkit's
shape. Only the fields listed here travel; everything else about an object
either has no place in Account Engagement (an email's personas, a field's
example) or has no API and is a manual field (a dynamic list's rules). Tags
are not in the body: they are set by actions on the object (``ae_tags``),
under the ``objectType`` that ``tagged_as`` names. A list's or an email's
``folder`` and ``campaign`` travel as ids: the target turns names into ids
before ``body`` and ids into names after ``from_remote`` (``ae_places``).

A custom field's ``api_name`` (``Product_Interest__c``) is sent as its
``fieldId`` without ``__c``; the platform derives ``apiFieldId`` from it, and
that is what is read back. A form handler's fields are objects of their own
(``synced``), written after the handler (``ae_form_fields``). An email's bodies are not queryable: a query
returns an email without them (``unqueryable``), a read of one email with them.

Pure functions over dictionaries: no HTTP, no state.
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Mapping as Map
from dataclasses import dataclass, field
from typing import Any

from campaignkit.targets.base import CONTENT_DIGEST, Content, content_digest

Attributes = dict[str, Any]
#: The attribute holding an object's tags, set and read apart from its body.
TAGS = "tags"
#: (campaignkit name, attributes, content) -> API body with every mapped field.
ToRemote = Callable[[str, Attributes, Content | None], dict[str, Any]]
#: API object -> (attributes in campaignkit's shape, content it holds).
FromRemote = Callable[[dict[str, Any]], tuple[Attributes, Content | None]]


@dataclass(frozen=True)
class Mapping:
    collection: str
    #: The API object's field that holds the object's identity (what ``find_by_name`` matches).
    key: str
    #: campaignkit attribute -> the API fields it sets.
    fields: Map[str, tuple[str, ...]]
    #: API fields every body carries besides the mapped ones (the object's name, a fixed type).
    always: tuple[str, ...]
    to_remote: ToRemote
    from_remote: FromRemote
    #: The ``objectType`` of the object's ``tagged-objects``; ``None``: v5 names none, so tags are set by hand.
    tagged_as: str | None
    #: Attributes with no API: setting one is a manual step.
    manual: frozenset[str]
    #: Attributes that cannot change in place: the object is deleted and created again.
    replace: frozenset[str] = frozenset()
    #: Attribute values every object the API creates has (a list is static), though no body sets them.
    created_with: Map[str, Any] = field(default_factory=dict)
    #: API fields a query cannot return (only a read of one object does).
    unqueryable: frozenset[str] = frozenset()
    #: Attributes held by objects of their own, written by calls of their own after the body (a form
    #: handler's fields): read back and compared, never in the body.
    synced: frozenset[str] = frozenset()
    #: Attributes the API sets when it creates an object but cannot change afterwards (the object has no
    #: update): a create sends them, a change to one is a manual step.
    set_on_create: frozenset[str] = frozenset()
    #: Attribute values a create sends when the files give none (a form's layout template).
    defaults: Map[str, Any] = field(default_factory=dict)
    #: False: the API cannot delete the object (dynamic content); a delete is a manual step.
    deletable: bool = True

    @property
    def manual_fields(self) -> frozenset[str]:
        """Attributes whose changes a person makes: those without an API, and those set only on create."""
        return self.manual | self.set_on_create

    @property
    def read_fields(self) -> frozenset[str]:
        return frozenset({*self.fields, *self.synced, *((TAGS,) if self.tagged_as else ())})

    @property
    def api_fields(self) -> tuple[str, ...]:
        """What a read of one object asks for."""
        return tuple(sorted({self.key, *self.always, *(f for fs in self.fields.values() for f in fs)}))

    @property
    def query_fields(self) -> tuple[str, ...]:
        """What a query of the collection asks for: every field a query can return."""
        return tuple(f for f in self.api_fields if f not in self.unqueryable)

    @property
    def unread_in_query(self) -> frozenset[str]:
        """The attributes a query cannot see, all their API fields being unqueryable (an email's bodies)."""
        return frozenset(a for a, api in self.fields.items() if set(api) <= self.unqueryable)

    def patches(self, changed: frozenset[str]) -> bool:
        """Whether setting ``changed`` (``name``: a rename) needs the object's PATCH; tags alone do not, and an
        object without an update (``set_on_create``) never gets one."""
        patched = self.fields.keys() - self.set_on_create
        return bool(changed & patched) or ("name" in changed and "name" in self.always and bool(patched))

    def body(self, name: str, attributes: Attributes, content: Content | None,
             changed: frozenset[str] | None = None) -> dict[str, Any]:
        """The API body setting ``changed`` attributes (a create: all those set) and the fixed fields."""
        full = self.to_remote(name, attributes, content)
        wanted = set(self.always)
        for attribute, api_fields in self.fields.items():
            if changed is None or attribute in changed:
                wanted.update(api_fields)
        # A create leaves out what is not set (no folder: the uncategorized one); an update sends it, to clear it.
        return {k: v for k, v in full.items() if k in wanted and (changed is not None or v is not None)}


def _placed_to(a: Attributes) -> dict[str, Any]:
    """The folder and campaign ids (``a`` holds ids there, not names), ``None`` for the default place."""
    return {"folderId": a.get("folder"), "campaignId": a.get("campaign")}


def _placed_from(v: dict[str, Any]) -> Attributes:
    return {"folder": v.get("folderId"), "campaign": v.get("campaignId")}


#: campaignkit attribute -> API field, for the folder and campaign of lists and emails.
_PLACED_FIELDS = {"folder": ("folderId",), "campaign": ("campaignId",)}


def _present(values: Attributes) -> Attributes:
    """Attributes without the empty values Account Engagement returns for what was never set."""
    return {k: v for k, v in values.items() if v not in (None, "", False, [], {})}


# Lists ---------------------------------------------------------------------------------------------------------

def _list_to(name: str, a: Attributes, content: Content | None) -> dict[str, Any]:
    return {"name": name, "title": a.get("title", ""), "description": a.get("description", ""),
            "isPublic": bool(a.get("public", False)), **_placed_to(a)}


def _list_from(v: dict[str, Any]) -> tuple[Attributes, Content | None]:
    return _present({"title": v.get("title"), "description": v.get("description"),
                     "public": bool(v.get("isPublic")), **_placed_from(v)}), None


LIST = Mapping("lists", "name",
               {"title": ("title",), "description": ("description",), "public": ("isPublic",), **_PLACED_FIELDS},
               ("name",), _list_to, _list_from, tagged_as="list", manual=frozenset({"type", "match", "rules"}),
               created_with={"type": "static"})  # ``isDynamic`` is read-only: the API makes static lists

# Custom fields -------------------------------------------------------------------------------------------------

#: campaignkit field type -> Account Engagement custom field type.
FIELD_TYPES = {"text": "Text", "textarea": "Textarea", "number": "Number", "date": "Date", "email": "Text",
               "enum": "Dropdown", "multi_enum": "Multi-Select", "bool": "Checkbox", "hidden": "Hidden"}
_FIELD_TYPES_BACK = {v: k for k, v in FIELD_TYPES.items() if k != "email"}


#: What the platform appends to a custom field's ``fieldId`` to make its ``apiFieldId``.
CUSTOM_SUFFIX = "__c"


def _field_to(name: str, a: Attributes, content: Content | None) -> dict[str, Any]:
    api_name = str(a.get("api_name", name))
    return {"name": a.get("label", name), "fieldId": api_name.removesuffix(CUSTOM_SUFFIX),
            "type": FIELD_TYPES.get(str(a.get("type")), "Text")}


def _field_from(v: dict[str, Any]) -> tuple[Attributes, Content | None]:
    return _present({"label": v.get("name"), "api_name": v.get("apiFieldId"),
                     "type": _FIELD_TYPES_BACK.get(str(v.get("type")), v.get("type"))}), None


FIELD = Mapping("custom-fields", "apiFieldId", {"label": ("name",), "api_name": ("fieldId",), "type": ("type",)},
                (), _field_to, _field_from, tagged_as="custom-field", manual=frozenset({"values"}),
                replace=frozenset({"api_name", "type"}))

# Email templates -----------------------------------------------------------------------------------------------

def _email_to(name: str, a: Attributes, content: Content | None) -> dict[str, Any]:
    sender = a.get("from") or {}
    body: dict[str, Any] = {
        "name": name, "subject": a.get("subject", ""), "type": "htmlAndText",
        "senderOptions": [{"type": "general_user", "name": sender.get("name", ""),
                           "address": sender.get("address", "")}],
        "replyToOptions": [{"type": "general_address", "address": a["reply_to"]}] if a.get("reply_to") else [],
        **_placed_to(a),
    }
    if content is not None:
        body.update(htmlMessage=content.get("html_body", ""), textMessage=content.get("text_body", ""))
    return body


def _email_from(v: dict[str, Any]) -> tuple[Attributes, Content | None]:
    """The email as read; its bodies and their digest only when they were read (a query has none)."""
    sender = (v.get("senderOptions") or [{}])[0]
    reply_to = (v.get("replyToOptions") or [{}])[0]
    attributes = _present({"subject": v.get("subject"), "reply_to": reply_to.get("address"), **_placed_from(v),
                           "from": _present({"name": sender.get("name"), "address": sender.get("address")})})
    if not _BODIES & v.keys():
        return attributes, None
    content = {"html_body": v.get("htmlMessage") or "", "text_body": v.get("textMessage") or ""}
    return {**attributes, CONTENT_DIGEST: content_digest(content)}, content


_BODIES = frozenset({"htmlMessage", "textMessage"})

EMAIL = Mapping("email-templates", "name",
                {"subject": ("subject",), "from": ("senderOptions",), "reply_to": ("replyToOptions",),
                 CONTENT_DIGEST: tuple(sorted(_BODIES)), **_PLACED_FIELDS},
                ("name", "type"), _email_to, _email_from, tagged_as="email-template", manual=frozenset(),
                unqueryable=_BODIES)

# Form handlers -------------------------------------------------------------------------------------------------

#: The attribute holding a form handler's fields, synced as ``form-handler-fields`` (``ae_form_fields``).
HANDLER_FIELDS = "fields"


def _handler_to(name: str, a: Attributes, content: Content | None) -> dict[str, Any]:
    return {"name": name, "successLocation": a.get("success_url"), "errorLocation": a.get("error_url"),
            "isDataForwarded": bool(a.get("forward_data", False)), "isCookieless": bool(a.get("kiosk", False)),
            "isAlwaysEmail": bool(a.get("always_email", False)), **_placed_to(a)}


def _handler_from(v: dict[str, Any]) -> tuple[Attributes, Content | None]:
    return _present({"success_url": v.get("successLocation"), "error_url": v.get("errorLocation"),
                     "forward_data": bool(v.get("isDataForwarded")), "kiosk": bool(v.get("isCookieless")),
                     "always_email": bool(v.get("isAlwaysEmail")), **_placed_from(v)}), None


# Completion actions have no API; nor have a form handler's tags, whose objectType tagged-objects does not list.
FORM_HANDLER = Mapping("form-handlers", "name",
                       {"success_url": ("successLocation",), "error_url": ("errorLocation",),
                        "forward_data": ("isDataForwarded",), "kiosk": ("isCookieless",),
                        "always_email": ("isAlwaysEmail",), **_PLACED_FIELDS},
                       ("name",), _handler_to, _handler_from, tagged_as=None,
                       manual=frozenset({"completion_actions", TAGS}), synced=frozenset({HANDLER_FIELDS}))

# Forms ---------------------------------------------------------------------------------------------------------

#: The layout template a form is created with when its file names none: the one every business unit
#: starts with (campaignkit's choice; the form page makes a layout template required on create).
DEFAULT_LAYOUT_TEMPLATE = "Standard"


def _form_to(name: str, a: Attributes, content: Content | None) -> dict[str, Any]:
    return {"name": name, "submitButtonText": a.get("submit_label"), "redirectLocation": a.get("thank_you_url"),
            "layoutTemplateId": a.get("layout_template"), **_placed_to(a)}


def _form_from(v: dict[str, Any]) -> tuple[Attributes, Content | None]:
    return _present({"submit_label": v.get("submitButtonText"), "thank_you_url": v.get("redirectLocation"),
                     "layout_template": v.get("layoutTemplateId"), **_placed_from(v)}), None


_FORM_SETTINGS = {"submit_label": ("submitButtonText",), "thank_you_url": ("redirectLocation",),
                  "layout_template": ("layoutTemplateId",), **_PLACED_FIELDS}
# The form page lists create, delete and tags but no update (so a rename too is a manual step); its fields can
# be created (form-fields) but not changed or deleted, its title has no field, and completion actions have no API.
FORM = Mapping("forms", "name", _FORM_SETTINGS, ("name",), _form_to, _form_from, tagged_as="form",
               manual=frozenset({"title", "fields", "completion_actions"}),
               set_on_create=frozenset({*_FORM_SETTINGS, "name"}),
               defaults={"layout_template": DEFAULT_LAYOUT_TEMPLATE})

# Dynamic content ------------------------------------------------------------------------------------------------

#: The attribute holding dynamic content's variations, created as ``dynamic-content-variations`` (``ae_variations``).
VARIATIONS = "variations"


def _dynamic_to(name: str, a: Attributes, content: Content | None) -> dict[str, Any]:
    """``a["field"]`` is the prospect field's API name here: the target resolves it first, as it does folders."""
    return {"name": name, "basedOnProspectApiFieldId": a.get("field"), "baseContent": a.get("default", ""),
            "folderId": a.get("folder")}


def _dynamic_from(v: dict[str, Any]) -> tuple[Attributes, Content | None]:
    return _present({"field": v.get("basedOnProspectApiFieldId"), "default": v.get("baseContent"),
                     "folder": v.get("folderId")}), None


_DYNAMIC_SETTINGS = {"field": ("basedOnProspectApiFieldId",), "default": ("baseContent",), "folder": ("folderId",)}
# The dynamic content and variation pages list create, read, query (and tags for the first), no update and no
# delete: everything is sent on create, and every later change, a rename and a delete are manual steps.
DYNAMIC_CONTENT = Mapping("dynamic-contents", "name", _DYNAMIC_SETTINGS, ("name",), _dynamic_to, _dynamic_from,
                          tagged_as="dynamic-content", manual=frozenset(), synced=frozenset({VARIATIONS}),
                          set_on_create=frozenset({*_DYNAMIC_SETTINGS, VARIATIONS, "name"}), deletable=False)

MAPPINGS = {"list": LIST, "field": FIELD, "email": EMAIL, "form_handler": FORM_HANDLER, "form": FORM,
            "dynamic_content": DYNAMIC_CONTENT}
