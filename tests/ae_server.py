"""A local stand-in for Account Engagement API v5, written from Salesforce's published pages.

What it serves is a table, kept as data here (``COLLECTIONS``, ``ERRORS``,
``PAGING``, ``LIMITS``), each row with the page it follows; ``markdown()``
renders it into ``docs/account-engagement.md``. The server refuses what the
pages do not allow: a path or collection they do not list, an operation a
collection does not document, a read without ``fields``, a field a query
cannot return, a body field that is read-only or unknown, a value outside a
documented enum, a ``limit`` above 1,000, and a sixth request while five run
(error 66). It never looks at campaignkit: a client that misreads the pages
fails here as it would on a business unit.

It serves HTTPS with a self-signed certificate for 127.0.0.1; clients trust it
through ``SSL_CERT_FILE``. Switches for tests, none of them part of the API:
``page_size`` (pages shorter than the ``limit`` asked, to exercise paging),
``throttle`` (answer that many requests with error 66, as when another
integration holds the account's five slots), ``calls_left`` (the daily limit),
``hold`` (keep requests open until released, to put five in flight at once),
``refused_actions`` (as for a user without the ability), ``after_api_create``
(step in between making an object and answering for it), and ``latency``.
Tests play "a change in the UI" with ``create``, ``edit``, ``remove``, ``tag``
and ``untag``, which bypass the API, and read what the business unit holds
with ``objects`` and ``tags_of``. Every request is recorded in ``requests``,
and ``rows_for`` names the table rows that allowed it.
"""

from __future__ import annotations

import json
import ssl
import subprocess
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

GUIDE = "https://developer.salesforce.com/docs/marketing/pardot/guide/"
OVERVIEW = f"{GUIDE}version5overview.html"
AUTHENTICATION = f"{GUIDE}authentication.html"
ERROR_CODES = f"{GUIDE}error-codes.html"
LIST_PAGE = f"{GUIDE}list-v5.html"
CUSTOM_FIELD_PAGE = f"{GUIDE}custom-field-v5.html"
EMAIL_TEMPLATE_PAGE = f"{GUIDE}email-template-v5.html"
TAG_PAGE = f"{GUIDE}tag-v5.html"
TAGGED_OBJECT_PAGE = f"{GUIDE}tagged-object-v5.html"
FOLDER_PAGE = f"{GUIDE}folder-v5.html"
CAMPAIGN_PAGE = f"{GUIDE}campaign-v5.html"
PROGRAM_PAGE = f"{GUIDE}engagement-studio-program-v5.html"
FORM_HANDLER_PAGE = f"{GUIDE}form-handler-v5.html"
FORM_HANDLER_FIELD_PAGE = f"{GUIDE}form-handler-field-v5.html"
FORM_PAGE = f"{GUIDE}form-v5.html"
FORM_FIELD_PAGE = f"{GUIDE}form-field-v5.html"
LAYOUT_TEMPLATE_PAGE = f"{GUIDE}layout-template-v5.html"
DYNAMIC_CONTENT_PAGE = f"{GUIDE}dynamic-content-v5.html"
VARIATION_PAGE = f"{GUIDE}dynamic-content-variation.html"
PROSPECT_PAGE = f"{GUIDE}prospect-v5.html"
#: The public OpenAPI description of part of v5: request bodies and the fields each object returns.
OPENAPI = ("https://github.com/ballerina-platform/openapi-connectors/blob/main/openapi/salesforce.pardot/"
           "openapi.yaml")
#: The fields of every v5 object, read by a program from the pages' tables (which fields are read-only, and
#: enums the pages give in a section of their own).
PAGE_TABLES = ("https://github.com/amp-labs/connectors/blob/main/providers/salesforce/internal/pardot/"
               "schemas.json")
#: A v5 answer quoted in Salesforce's API documentation repository (an unsupported method, error 60).
OBSERVED_V5_ERROR = "https://github.com/pardot/api-docs/issues/234"

PREFIX = "/api/v5/objects/"


@dataclass(frozen=True)
class Collection:
    """One collection under ``/api/v5/objects/``: what it does and which fields it has, as its page says."""

    path: str
    source: str
    #: Of query, read, create, update, delete, addTag, removeTag.
    operations: tuple[str, ...]
    #: Field -> JSON type (string, integer, boolean, array) of every field a read or query may ask for.
    readable: Mapping[str, str]
    #: The fields a create or update body may carry; the others are read-only.
    writable: frozenset[str] = frozenset()
    #: Fields a create must carry.
    required: frozenset[str] = frozenset()
    #: Readable fields a query (a collection GET) cannot return; a read of one object can.
    unqueryable: frozenset[str] = frozenset()
    #: Field -> the values it may take.
    enums: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    #: Query parameters that filter a query, besides the shared ones (``PAGING``).
    filters: frozenset[str] = frozenset()
    #: Where a row needs a second source: field -> page.
    also: Mapping[str, str] = field(default_factory=dict)
    #: The ``objectType`` its objects have in ``tagged-objects``: a collection has addTag and removeTag
    #: exactly when the tagged-object page names one for it.
    tagged_as: str | None = None

    def __post_init__(self) -> None:
        if ("addTag" in self.operations) != (self.tagged_as in OBJECT_TYPES):
            raise ValueError(f"{self.path}: addTag and removeTag need an objectType that tagged-objects lists")


#: ``objectType`` of a tagged object: lowercase and hyphenated.
OBJECT_TYPES = ("list", "email-template", "custom-field", "prospect", "form", "dynamic-content")
_TIMESTAMPS = {"createdAt": "string", "updatedAt": "string", "createdById": "integer", "updatedById": "integer"}
_SENDER_TYPES = ("general_user", "specific_user", "account_owner", "prospect_custom_field", "account_custom_field")
_REPLY_TO_TYPES = ("general_address", "specific_user", "account_owner", "prospect_custom_field",
                   "account_custom_field")

COLLECTIONS: dict[str, Collection] = {c.path: c for c in (
    Collection(
        "lists", LIST_PAGE, ("query", "read", "create", "update", "delete", "addTag", "removeTag"),
        {"id": "integer", "name": "string", "title": "string", "description": "string", "isPublic": "boolean",
         "isDynamic": "boolean", "isDeleted": "boolean", "isSalesforceVisible": "boolean", "folderId": "integer",
         "campaignId": "integer", **_TIMESTAMPS},
        writable=frozenset({"name", "title", "description", "isPublic", "folderId", "campaignId"}),
        required=frozenset({"name"}), also={"writable": OPENAPI}, tagged_as="list"),
    Collection(
        "custom-fields", CUSTOM_FIELD_PAGE, ("query", "read", "create", "update", "delete", "addTag", "removeTag"),
        {"id": "integer", "name": "string", "fieldId": "string", "apiFieldId": "string", "type": "string",
         "isRecordMultipleResponses": "boolean", "salesforceId": "string", "isUseValues": "boolean",
         "isAnalyticsSynced": "boolean", "isRequired": "boolean", **_TIMESTAMPS},
        writable=frozenset({"name", "fieldId", "type", "isRecordMultipleResponses", "salesforceId", "isUseValues",
                            "valuesPrefill", "isRequired"}),
        required=frozenset({"name", "fieldId", "type"}),
        enums={"type": ("Text", "Number", "Date", "Radio Button", "Checkbox", "Dropdown", "Textarea",
                        "Multi-Select", "Hidden", "CRM User")},
        also={"writable": OPENAPI}, tagged_as="custom-field"),
    Collection(
        "email-templates", EMAIL_TEMPLATE_PAGE,
        ("query", "read", "create", "update", "delete", "addTag", "removeTag"),
        {"id": "integer", "name": "string", "subject": "string", "isOneToOneEmail": "boolean",
         "isAutoResponderEmail": "boolean", "isDripEmail": "boolean", "isListEmail": "boolean",
         "textMessage": "string", "htmlMessage": "string", "senderOptions": "array", "replyToOptions": "array",
         "type": "string", "trackerDomainId": "integer", "folderId": "integer", "campaignId": "integer",
         "isDeleted": "boolean", **_TIMESTAMPS},
        writable=frozenset({"name", "subject", "isOneToOneEmail", "isAutoResponderEmail", "isDripEmail",
                            "isListEmail", "textMessage", "htmlMessage", "senderOptions", "replyToOptions", "type",
                            "trackerDomainId", "folderId", "campaignId"}),
        required=frozenset({"name", "subject"}),
        unqueryable=frozenset({"htmlMessage", "textMessage"}),
        enums={"type": ("html", "text", "htmlAndText"), "senderOptions.type": _SENDER_TYPES[:3],
               "replyToOptions.type": _REPLY_TO_TYPES[:3]}, tagged_as="email-template"),
    Collection(
        "tags", TAG_PAGE, ("query", "read", "create", "update", "delete"),
        {"id": "integer", "name": "string", "objectCount": "integer", **_TIMESTAMPS},
        writable=frozenset({"name"}), required=frozenset({"name"})),
    Collection(
        "tagged-objects", TAGGED_OBJECT_PAGE, ("query", "read"),
        {"id": "integer", "tagId": "integer", "objectType": "string", "objectId": "integer",
         "objectName": "string", "createdAt": "string", "createdById": "integer"},
        enums={"objectType": OBJECT_TYPES}, filters=frozenset({"tagId", "objectType", "objectId"})),
    Collection(
        "folders", FOLDER_PAGE, ("query", "read"),
        {"id": "integer", "name": "string", "parentFolderId": "integer", "path": "string",
         "usePermissions": "boolean", **_TIMESTAMPS}, also={"readable": OPENAPI}),
    Collection(
        "campaigns", CAMPAIGN_PAGE, ("query", "read"),
        {"id": "integer", "name": "string", "folderId": "integer", "cost": "integer",
         "parentCampaignId": "integer", "isDeleted": "boolean", "salesforceId": "string", **_TIMESTAMPS}),
    Collection(
        "engagement-studio-programs", PROGRAM_PAGE, ("query", "read"),
        {"id": "integer", "name": "string", "status": "string", "recipientListIds": "array",
         "suppressionListIds": "array", "folderId": "integer", "campaignId": "integer", **_TIMESTAMPS},
        enums={"status": ("draft", "scheduled", "starting", "running", "paused")}),
    Collection(
        "form-handlers", FORM_HANDLER_PAGE, ("query", "read", "create", "update", "delete"),
        {"id": "integer", "name": "string", "folderId": "integer", "campaignId": "integer",
         "trackerDomainId": "integer", "isDataForwarded": "boolean", "successLocation": "string",
         "errorLocation": "string", "isAlwaysEmail": "boolean", "isCookieless": "boolean", "salesforceId": "string",
         "embedCode": "string", "isDeleted": "boolean", **_TIMESTAMPS},
        writable=frozenset({"name", "folderId", "campaignId", "trackerDomainId", "isDataForwarded",
                            "successLocation", "errorLocation", "isAlwaysEmail", "isCookieless"}),
        required=frozenset({"name", "folderId", "campaignId"})),
    Collection(
        "form-handler-fields", FORM_HANDLER_FIELD_PAGE, ("query", "read", "create", "update", "delete"),
        {"id": "integer", "name": "string", "formHandlerId": "integer", "dataFormat": "string",
         "prospectApiFieldId": "string", "isRequired": "boolean", "isMaintainInitialValue": "boolean",
         "errorMessage": "string", **_TIMESTAMPS},
        writable=frozenset({"name", "formHandlerId", "dataFormat", "prospectApiFieldId", "isRequired",
                            "isMaintainInitialValue", "errorMessage"}),
        required=frozenset({"name", "formHandlerId", "dataFormat", "prospectApiFieldId"}),
        enums={"dataFormat": ("text", "number", "email", "email not from isps and free email providers",
                              "email with valid mail server")}),
    Collection(
        "forms", FORM_PAGE, ("query", "read", "create", "delete", "addTag", "removeTag"),
        {"id": "integer", "name": "string", "campaignId": "integer", "layoutTemplateId": "integer",
         "folderId": "integer", "trackerDomainId": "integer", "submitButtonText": "string",
         "beforeFormContent": "string", "afterFormContent": "string", "thankYouContent": "string",
         "thankYouCode": "string", "isAlwaysDisplay": "boolean", "redirectLocation": "string",
         "isUseRedirectLocation": "boolean", "fontSize": "string", "fontFamily": "string", "fontColor": "string",
         "labelAlignment": "string", "radioAlignment": "string", "checkboxAlignment": "string",
         "requiredCharacter": "string", "isCookieless": "boolean", "showNotProspect": "boolean",
         "isCaptchaEnabled": "boolean", "embedCode": "string", "salesforceId": "string", "isDeleted": "boolean",
         **_TIMESTAMPS},
        writable=frozenset({"name", "campaignId", "layoutTemplateId", "folderId", "trackerDomainId",
                            "submitButtonText", "beforeFormContent", "afterFormContent", "thankYouContent",
                            "thankYouCode", "isAlwaysDisplay", "redirectLocation", "fontSize", "fontFamily",
                            "fontColor", "labelAlignment", "radioAlignment", "checkboxAlignment",
                            "requiredCharacter", "isCookieless", "showNotProspect", "isCaptchaEnabled"}),
        required=frozenset({"name", "campaignId", "layoutTemplateId"}),
        enums={"fontSize": ("default", "8pt", "10pt", "12pt", "14pt", "18pt", "24pt", "36pt"),
               "labelAlignment": ("default", "above", "left"),
               "checkboxAlignment": ("default", "horizontal", "stacked")}, tagged_as="form"),
    Collection(
        "form-fields", FORM_FIELD_PAGE, ("query", "read", "create"),
        {"id": "integer", "formId": "integer", "prospectApiFieldId": "string", "type": "string",
         "dataFormat": "string", "label": "string", **_TIMESTAMPS},
        writable=frozenset({"formId", "prospectApiFieldId", "type", "dataFormat", "label"}),
        required=frozenset({"formId", "prospectApiFieldId", "type", "dataFormat"})),
    Collection(
        "layout-templates", LAYOUT_TEMPLATE_PAGE, ("query", "read", "create", "update", "delete"),
        {"id": "integer", "name": "string", "layoutContent": "string", "formContent": "string",
         "siteSearchContent": "string", "isIncludeDefaultCss": "boolean", "folderId": "integer",
         "isDeleted": "boolean", **_TIMESTAMPS},
        writable=frozenset({"name", "layoutContent", "formContent", "siteSearchContent", "isIncludeDefaultCss",
                            "folderId"}),
        required=frozenset({"name", "layoutContent"}), also={"readable": OPENAPI}),
    Collection(
        "dynamic-contents", DYNAMIC_CONTENT_PAGE, ("query", "read", "create", "addTag", "removeTag"),
        {"id": "integer", "name": "string", "basedOnProspectApiFieldId": "string", "baseContent": "string",
         "folderId": "integer", "trackerDomainId": "integer", "basedOn": "string", "embedCode": "string",
         "embedUrl": "string", "tagReplacementLanguage": "string", "isDeleted": "boolean", **_TIMESTAMPS},
        writable=frozenset({"name", "basedOnProspectApiFieldId", "baseContent", "folderId", "trackerDomainId"}),
        required=frozenset({"name", "basedOnProspectApiFieldId"}),
        enums={"basedOn": ("default", "custom", "grade", "score"),
               "tagReplacementLanguage": ("pml", "hml", "undetermined")},
        also={"writable": PAGE_TABLES, "enums": PAGE_TABLES}, tagged_as="dynamic-content"),
    Collection(
        "prospects", PROSPECT_PAGE, ("query", "read", "create", "update", "delete", "addTag", "removeTag"),
        {"id": "integer", "email": "string", "firstName": "string", "lastName": "string", "company": "string",
         "isDoNotEmail": "boolean", "isDeleted": "boolean", **_TIMESTAMPS},
        writable=frozenset({"email", "firstName", "lastName", "company", "isDoNotEmail"}),
        required=frozenset({"email"}), also={"readable": PAGE_TABLES, "writable": PAGE_TABLES},
        tagged_as="prospect"),
    Collection(
        "dynamic-content-variations", VARIATION_PAGE, ("query", "read", "create"),
        {"id": "integer", "dynamicContentId": "integer", "operator": "string", "value1": "string",
         "value2": "string", "content": "string", "comparison": "string"},
        writable=frozenset({"dynamicContentId", "operator", "value1", "value2", "content"}),
        required=frozenset({"dynamicContentId", "operator", "value1"}),
        enums={"operator": ("is", "contains", "between", "less-than", "less-than-or-equal", "greater-than",
                            "greater-than-or-equal")},
        also={"readable": PAGE_TABLES, "enums": PAGE_TABLES}),
)}


@dataclass(frozen=True)
class ApiError:
    """A documented error: ``{"code": n, "message": ...}`` with the HTTP status it comes with."""

    status: int
    code: int
    message: str
    #: When the server answers with it.
    when: str
    source: str


ERRORS: dict[str, ApiError] = {
    "too_busy": ApiError(429, 66, "You have exceeded your concurrent request limit.  Please wait, before trying "
                         "again", "a sixth request while five run for the account", ERROR_CODES),
    "daily_limit": ApiError(429, 122, "Daily API rate limit met", "the business unit's calls for today are used",
                            ERROR_CODES),
    "bad_token": ApiError(401, 184, "access_token is invalid, unknown, or malformed",
                          "a token that is not valid, or lacks the pardot_api scope", ERROR_CODES),
    "no_business_unit": ApiError(400, 181, "A required header is missing: Pardot-Business-Unit-Id header not "
                                 "found on request.", "no Pardot-Business-Unit-Id header", AUTHENTICATION),
    "access_denied": ApiError(403, 49, "Access Denied", "a user without the ability the request needs, or a "
                              "business unit the token's user cannot use", ERROR_CODES),
    "not_found": ApiError(404, 109, "The requested record was not found.",
                          "a documented collection has no object with that id", ERROR_CODES),
    "method": ApiError(405, 60, "Invalid HTTP request method",
                       "an operation the collection's page does not list", OBSERVED_V5_ERROR),
    "action": ApiError(404, 2, "Invalid action", "a do/ action the collection's page does not list", ERROR_CODES),
    "missing_parameter": ApiError(400, 13, "One or more required parameters are missing",
                                  "a read or query without fields", OVERVIEW),
    "parameter": ApiError(400, 51, "Invalid parameter", "fields naming a field the object lacks or one a query "
                          "cannot return, or a filter outside its enum", ERROR_CODES),
    "query_parameter": ApiError(400, 5, "Invalid query parameters", "a query parameter the pages do not list",
                                ERROR_CODES),
    "limit": ApiError(400, 23, "Invalid value specified for limit", "limit not between 1 and 1000", OVERVIEW),
    "missing_property": ApiError(400, 153, "Missing required property in request",
                                 "a create without a required field", ERROR_CODES),
    "property": ApiError(400, 154, "Invalid property in request",
                         "a body field that is read-only or unknown, of the wrong type, or outside its enum",
                         ERROR_CODES),
    "json": ApiError(400, 150, "Input needs to be valid JSON", "a body that is not a JSON object", ERROR_CODES),
    "id": ApiError(400, 16, "Invalid ID", "an id that is not a number, or a tagId of no tag", ERROR_CODES),
}


@dataclass(frozen=True)
class Rule:
    """A documented rule that is not a collection or an error."""

    subject: str
    rule: str
    source: str


PAGING = (
    Rule("fields", "required on every read and query: a comma-separated list; only those fields (and id) "
         "come back. Create and update URLs take it too, and answer with those fields", OVERVIEW),
    Rule("limit", "1 to 1,000 objects a page; 200 when not given", OVERVIEW),
    Rule("nextPageToken, nextPageUrl", "a page that is not the last carries both; the next page is "
         "nextPageUrl, or the same query with nextPageToken", OVERVIEW),
    Rule("orderBy", "a query may sort by a field", OPENAPI),
)
LIMITS = (
    Rule("hosts", "https://pi.pardot.com for production; https://pi.demo.pardot.com for developer orgs and "
         "sandboxes", AUTHENTICATION),
    Rule("headers", "Authorization: Bearer <Salesforce OAuth access token> and Pardot-Business-Unit-Id: 0Uv...",
         AUTHENTICATION),
    Rule("paths", "/api/v5/objects/<collection>[/<id>[/do/<action>]]; any other path is HTTP 404 with no API "
         "error body", OVERVIEW),
    Rule("concurrency", "5 requests at once per account; error 66 above that", ERROR_CODES),
    Rule("addTag, removeTag", "POST .../<id>/do/addTag or removeTag with {\"tagId\": n}", CUSTOM_FIELD_PAGE),
    Rule("custom fields", "fieldId is the API name chosen, without __c; the platform derives apiFieldId "
         "(fieldId + __c), which is read-only", CUSTOM_FIELD_PAGE),
    Rule("lists", "the API makes static lists (isDynamic is read-only)", LIST_PAGE),
    Rule("form handler fields", "each field belongs to one form handler (formHandlerId) and maps to a prospect "
         "field by prospectApiFieldId: a standard field's name (firstName), a custom field's with __c",
         FORM_HANDLER_FIELD_PAGE),
    Rule("form handler tags", "the form handler page lists no addTag or removeTag, and tagged-objects no "
         "objectType for form handlers", FORM_HANDLER_PAGE),
    Rule("forms", "create (name, campaignId and layoutTemplateId required), read, query, delete, addTag and "
         "removeTag; the page lists no update, so a form cannot be changed through the API", FORM_PAGE),
    Rule("form fields", "create (formId, prospectApiFieldId, type and dataFormat required), read and query; the "
         "page lists no update and no delete", FORM_FIELD_PAGE),
    Rule("dynamic content", "create (name, unique, and basedOnProspectApiFieldId: a standard field's name, a custom "
         "field's with __c), read, query, addTag and removeTag; the page lists no update and no delete",
         DYNAMIC_CONTENT_PAGE),
    Rule("dynamic content variations", "create (dynamicContentId, operator and value1; value2 too for between), "
         "read and query; the page lists no update and no delete", VARIATION_PAGE),
)
SHARED_QUERY = frozenset({"fields", "limit", "nextPageToken", "orderBy"})
MAX_CONCURRENT = 5
MAX_LIMIT = 1000
DEFAULT_LIMIT = 200


class Problem(Exception):
    """An answer other than success: a documented error, or a path the API does not have."""

    def __init__(self, error: ApiError | None) -> None:
        super().__init__(error.message if error else "Not Found")
        self.error = error
        self.status = error.status if error else 404


def refuse(name: str) -> Problem:
    return Problem(ERRORS[name])


@dataclass(frozen=True)
class Request:
    """One request as it reached the server."""

    method: str
    path: str
    query: dict[str, str]
    body: Any

    @property
    def parts(self) -> tuple[str, str | None, str | None]:
        """(collection, id, action) of a path under ``PREFIX``."""
        collection, _, rest = self.path[len(PREFIX):].partition("/")
        object_id, _, action = rest.partition("/do/")
        return collection, object_id or None, action or None


class BusinessUnit:
    """What the server holds, and the switches tests turn."""

    def __init__(self, token: str, business_unit_id: str, page_size: int = MAX_LIMIT) -> None:
        self.token = token
        self.business_unit_id = business_unit_id
        self.page_size = page_size
        self.scopes = {"pardot_api"}
        self.objects_by: dict[str, dict[int, dict[str, Any]]] = {path: {} for path in COLLECTIONS}
        self.lock = threading.Lock()
        self.next_id = 1000
        self.active = 0
        self.most_concurrent = 0
        self.throttle = 0
        self.calls_left: int | None = None
        self.requests: list[Request] = []
        self.latency = 0.002
        #: Set: requests go on; cleared: each waits, counted as running, until it is set again.
        self.hold = threading.Event()
        self.hold.set()
        self.refused_actions: set[str] = set()
        self.after_api_create: Callable[[], None] | None = None

    # What tests do "in the UI" ------------------------------------------------------------------------------

    def objects(self, collection: str) -> list[dict[str, Any]]:
        with self.lock:
            return [dict(obj) for obj in self.objects_by[collection].values()]

    def create(self, collection: str, values: dict[str, Any]) -> dict[str, Any]:
        """Makes an object as the UI would (folders, campaigns, programs: the API cannot)."""
        _check_enums(COLLECTIONS[collection], values)
        with self.lock:
            return dict(self._insert(collection, values))

    def edit(self, collection: str, name: str | int, /, **values: Any) -> None:
        _check_enums(COLLECTIONS[collection], values)
        with self.lock:
            self._named(collection, name).update(values)

    def remove(self, collection: str, name: str) -> None:
        with self.lock:
            del self.objects_by[collection][self._named(collection, name)["id"]]

    def tag(self, collection: str, name: str, tag: str) -> None:
        with self.lock:
            tag_id = next((i for i, t in self.objects_by["tags"].items() if t["name"] == tag), None)
            if tag_id is None:
                tag_id = self._insert("tags", {"name": tag})["id"]
            self._tag(collection, self._named(collection, name)["id"], "addTag", tag_id)

    def untag(self, collection: str, name: str, tag: str) -> None:
        with self.lock:
            tag_id = next(i for i, t in self.objects_by["tags"].items() if t["name"] == tag)
            self._tag(collection, self._named(collection, name)["id"], "removeTag", tag_id)

    def tags_of(self, collection: str, name: str) -> list[str]:
        with self.lock:
            object_id = self._named(collection, name)["id"]
            return sorted(self.objects_by["tags"][t["tagId"]]["name"]
                          for t in self.objects_by["tagged-objects"].values()
                          if t["objectType"] == _OBJECT_TYPE[collection] and t["objectId"] == object_id)

    # The API ------------------------------------------------------------------------------------------------

    def answer(self, request: Request, base_url: str) -> tuple[int, Any]:
        collection, object_id, action = request.parts
        served = COLLECTIONS.get(collection)
        if not request.path.startswith(PREFIX) or served is None:
            raise Problem(None)
        number = _number(object_id) if object_id is not None else None
        if action is not None:
            return self._act(served, request, number, action)
        operation = _operation(request.method, number is not None)
        if operation not in served.operations:
            raise refuse("method")
        if operation == "query":
            return 200, self._query(served, request, base_url)
        fields = _fields(served, request.query, required=operation == "read", in_query=False)
        _check_query(request.query, frozenset({"fields"}))
        with self.lock:
            if operation == "delete":
                del self.objects_by[served.path][self._found(served.path, number)["id"]]
                return 204, None
            if operation == "read":
                return 200, _only(self._found(served.path, number), fields)
            body = _body(served, request.body, create=operation == "create")
            made = self._insert(served.path, body) if number is None else self._update(served.path, number, body)
        if operation == "create" and self.after_api_create is not None:
            self.after_api_create()
        return 200, _only(made, fields)

    def _query(self, served: Collection, request: Request, base_url: str) -> dict[str, Any]:
        _check_query(request.query, SHARED_QUERY | served.filters)
        fields = _fields(served, request.query, required=True, in_query=True)
        limit = _limit(request.query.get("limit"))
        start = _number(request.query.get("nextPageToken", "0"))
        filters = {k: v for k, v in request.query.items() if k in served.filters}
        _check_enums(served, filters, "parameter")
        with self.lock:
            matching = [dict(o) for _, o in sorted(self.objects_by[served.path].items())
                        if all(str(o.get(k)) == v for k, v in filters.items())]
        end = start + min(limit, self.page_size)
        page: dict[str, Any] = {"values": [_only(o, fields) for o in matching[start:end]],
                                "nextPageToken": None, "nextPageUrl": None}
        if end < len(matching):
            following = {**request.query, "nextPageToken": str(end)}
            page.update(nextPageToken=str(end), nextPageUrl=f"{base_url}{request.path}?{urlencode(following)}")
        return page

    def _act(self, served: Collection, request: Request, number: int | None, action: str) -> tuple[int, None]:
        if request.method != "POST" or number is None or action not in served.operations:
            raise refuse("action")
        if action in self.refused_actions:
            raise refuse("access_denied")
        body = request.body
        if not isinstance(body, dict) or set(body) != {"tagId"}:
            raise refuse("missing_property" if isinstance(body, dict) and "tagId" not in body else "property")
        with self.lock:
            self._found(served.path, number)
            if body["tagId"] not in self.objects_by["tags"]:
                raise refuse("id")
            self._tag(served.path, number, action, body["tagId"])
        return 204, None

    def _insert(self, collection: str, values: dict[str, Any]) -> dict[str, Any]:
        self.next_id += 1
        stamp = {"createdAt": _now()} if "createdAt" in COLLECTIONS[collection].readable else {}
        made = _derived(collection, {**stamp, **_DEFAULTS.get(collection, {}), **values, "id": self.next_id})
        self.objects_by[collection][self.next_id] = made
        return made

    def _update(self, collection: str, number: int, values: dict[str, Any]) -> dict[str, Any]:
        found = self._found(collection, number)
        found.update(_derived(collection, {**found, **values}))
        return found

    def _found(self, collection: str, number: int | None) -> dict[str, Any]:
        found = self.objects_by[collection].get(number or 0)
        if found is None:
            raise refuse("not_found")
        return found

    def _named(self, collection: str, name: str | int) -> dict[str, Any]:
        """The object called ``name``; an int is an object's id (a dynamic content variation has no name)."""
        if isinstance(name, int):
            return self.objects_by[collection][name]
        return next(o for o in self.objects_by[collection].values() if o.get("name") == name)

    def _tag(self, collection: str, object_id: int, action: str, tag_id: int) -> None:
        tagged = self.objects_by["tagged-objects"]
        kind = _OBJECT_TYPE[collection]
        found = [i for i, t in tagged.items()
                 if (t["tagId"], t["objectType"], t["objectId"]) == (tag_id, kind, object_id)]
        if action == "removeTag":
            for i in found:
                del tagged[i]
        elif not found:
            self._insert("tagged-objects", {"tagId": tag_id, "objectType": kind, "objectId": object_id})


#: Collection -> the ``objectType`` its objects have in ``tagged-objects``.
_OBJECT_TYPE = {c.path: c.tagged_as for c in COLLECTIONS.values() if c.tagged_as}
_DEFAULTS = {"lists": {"isDynamic": False}}


def _now() -> str:
    """A ``createdAt``: a DateTime "reported in API user's timezone" (the list membership page), here ISO 8601
    with the server's offset; campaignkit reads only its year."""
    return datetime.now(UTC).astimezone().isoformat(timespec="seconds")


def _derived(collection: str, obj: dict[str, Any]) -> dict[str, Any]:
    """``obj`` with the fields the platform derives: a custom field's ``apiFieldId`` is its ``fieldId`` + ``__c``."""
    if collection == "custom-fields" and obj.get("fieldId"):
        return {**obj, "apiFieldId": f"{obj['fieldId']}__c"}
    return obj


def _operation(method: str, one: bool) -> str:
    by_method = {"GET": "read" if one else "query", "POST": "create" if not one else "post-to-object",
                 "PATCH": "update" if one else "patch-collection", "DELETE": "delete" if one else "delete-all"}
    return by_method.get(method, method.lower())


def _number(text: str | None) -> int:
    if text is None or not text.isdigit():
        raise refuse("id")
    return int(text)


def _limit(text: str | None) -> int:
    if text is None:
        return DEFAULT_LIMIT
    if not text.isdigit() or not 1 <= int(text) <= MAX_LIMIT:
        raise refuse("limit")
    return int(text)


def _check_query(query: Mapping[str, str], allowed: frozenset[str]) -> None:
    if set(query) - allowed:
        raise refuse("query_parameter")


def _fields(served: Collection, query: Mapping[str, str], *, required: bool, in_query: bool) -> set[str]:
    """The fields asked for, each readable (and queryable, in a query); only ``id`` when none are asked."""
    if "fields" not in query:
        if required:
            raise refuse("missing_parameter")
        return {"id"}
    asked = {f.strip() for f in query["fields"].split(",")}
    if not asked <= served.readable.keys() or (in_query and asked & served.unqueryable):
        raise refuse("parameter")
    return asked | {"id"}


def _body(served: Collection, body: Any, *, create: bool) -> dict[str, Any]:
    """A create or update body: writable fields of the documented types and enums only."""
    if not isinstance(body, dict):
        raise refuse("json")
    if create and not served.required <= {k for k, v in body.items() if v not in (None, "")}:
        raise refuse("missing_property")
    if not set(body) <= served.writable:
        raise refuse("property")
    for name, value in body.items():
        wanted = served.readable.get(name, "string")
        if value is not None and not isinstance(value, _TYPES[wanted]):
            raise refuse("property")
    _check_enums(served, body)
    return body


_TYPES: dict[str, type | tuple[type, ...]] = {"string": str, "integer": int, "boolean": bool, "array": list}


def _check_enums(served: Collection, values: Mapping[str, Any], error: str = "property") -> None:
    """Refuses a value outside its documented enum, in a field or in the ``type`` of an array's items."""
    for name, allowed in served.enums.items():
        top, _, inner = name.partition(".")
        if top not in values or values[top] is None:
            continue
        found = [item.get(inner) for item in values[top]] if inner else [values[top]]
        if any(value not in allowed for value in found):
            raise refuse(error)


def _only(obj: dict[str, Any], fields: set[str]) -> dict[str, Any]:
    return {k: v for k, v in obj.items() if k in fields}


# The table, for people and for tests --------------------------------------------------------------------------

def rows_for(request: Request) -> list[Rule]:
    """The table rows that allow ``request``, each with its source; raises ``LookupError`` for anything else.

    A test records the requests a target makes and asks this of each: every path, field and
    enum value the target sends must be in the table.
    """
    collection, object_id, action = request.parts
    served = COLLECTIONS.get(collection) if request.path.startswith(PREFIX) else None
    if served is None:
        raise LookupError(f"{request.method} {request.path}: no such collection in the table")
    operation = action or _operation(request.method, object_id is not None)
    if operation not in served.operations:
        raise LookupError(f"{request.method} {request.path}: {collection} does not document {operation}")
    rows = [Rule(f"{collection} {operation}", "documented operation", served.source)]
    asked = [f for f in request.query.get("fields", "").split(",") if f]
    rows += [_field_row(served, name, "readable") for name in asked]
    rows += [_query_row(served, name) for name in request.query if name != "fields"]
    if isinstance(request.body, dict) and action is None:
        rows += [_field_row(served, name, "writable") for name in request.body]
    elif action is not None:
        if request.body is None or set(request.body) != {"tagId"}:
            raise LookupError(f"{request.method} {request.path}: the body of {action} is {{\"tagId\": n}}")
        rows.append(next(r for r in LIMITS if action in r.subject))
    rows += _enum_rows(served, {**(request.body if isinstance(request.body, dict) else {}), **request.query})
    return rows


def _field_row(served: Collection, name: str, how: str) -> Rule:
    known = served.readable if how == "readable" else served.writable
    if name not in known:
        raise LookupError(f"{served.path}.{name} is not {how} in the table")
    return Rule(f"{served.path}.{name}", how, served.also.get(how, served.source))


def _query_row(served: Collection, name: str) -> Rule:
    if name in served.filters:
        return Rule(f"{served.path}?{name}", "filter", served.source)
    shared = next((r for r in PAGING if name in r.subject.split(", ")), None)
    if shared is None:
        raise LookupError(f"the query parameter {name} is not in the table")
    return shared


def _enum_rows(served: Collection, values: Mapping[str, Any]) -> list[Rule]:
    try:
        _check_enums(served, values)
    except Problem:
        raise LookupError(f"a value sent to {served.path} is outside its enum in the table: {values}") from None
    return [Rule(f"{served.path}.{name}", "enum: " + ", ".join(allowed), served.also.get("enums", served.source))
            for name, allowed in served.enums.items() if name.partition(".")[0] in values]


def markdown() -> str:
    """The table as ``docs/account-engagement.md`` shows it."""
    lines = ["| collection under `/api/v5/objects/` | operations | fields (read-only unless marked *w*) | "
             "values | page |", "|---|---|---|---|---|"]
    for c in COLLECTIONS.values():
        fields = ", ".join(f"`{n}`" + (" *w*" if n in c.writable else "") + (" (not in queries)"
                           if n in c.unqueryable else "") for n in c.readable)
        values = "; ".join(f"`{n}`: " + ", ".join(f"`{v}`" for v in allowed) for n, allowed in c.enums.items())
        lines.append(f"| `{c.path}` | {', '.join(c.operations)} | {fields} | {values} | {_link(c.source)} |")
    lines += ["", "| error | HTTP | message | when | page |", "|---|---|---|---|---|"]
    lines += [f"| {e.code} | {e.status} | {e.message} | {e.when} | {_link(e.source)} |" for e in ERRORS.values()]
    lines += ["", "| rule | what the pages say | page |", "|---|---|---|"]
    lines += [f"| {r.subject} | {r.rule} | {_link(r.source)} |" for r in (*PAGING, *LIMITS)]
    return "\n".join(lines) + "\n"


def _link(url: str) -> str:
    parts = url.rstrip("/").split("/")
    name = f"{parts[-3]} issue {parts[-1]}" if parts[-2] == "issues" else parts[-1].removesuffix(".html")
    return f"[{name}]({url})"


# HTTP ---------------------------------------------------------------------------------------------------------

def make_handler(unit: BusinessUnit) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self._serve()

        do_POST = do_PATCH = do_DELETE = do_PUT = do_GET

        def log_message(self, format: str, *args: Any) -> None:
            pass  # keep test output clean

        def _serve(self) -> None:
            with unit.lock:
                unit.active += 1
                unit.most_concurrent = max(unit.most_concurrent, unit.active)
                crowded = unit.active > MAX_CONCURRENT
            try:
                request = self._request()
                with unit.lock:
                    unit.requests.append(request)
                if not crowded:
                    unit.hold.wait()
                time.sleep(unit.latency)
                self._admit(crowded)
                answer = unit.answer(request, f"https://{self.headers.get('Host')}")
            except Problem as problem:
                error = problem.error
                answer = (problem.status, {"code": error.code, "message": error.message} if error else None)
            finally:  # the request stops counting before its answer leaves, so the client's next is not a sixth
                with unit.lock:
                    unit.active -= 1
            self._send(*answer)

        def _request(self) -> Request:
            parts = urlsplit(self.path)
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            try:
                body = json.loads(raw) if raw else None
            except ValueError:
                body = raw.decode(errors="replace")
            query = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
            return Request(self.command, parts.path, query, body)

        def _admit(self, crowded: bool) -> None:
            """The headers, the concurrency limit and the daily limit."""
            if self.headers.get("Authorization") != f"Bearer {unit.token}" or "pardot_api" not in unit.scopes:
                raise refuse("bad_token")
            business_unit = self.headers.get("Pardot-Business-Unit-Id")
            if not business_unit:
                raise refuse("no_business_unit")
            if business_unit != unit.business_unit_id:
                raise refuse("access_denied")
            with unit.lock:
                if crowded or unit.throttle > 0:
                    unit.throttle = max(0, unit.throttle - 1)
                    raise refuse("too_busy")
                if unit.calls_left is not None:
                    if unit.calls_left <= 0:
                        raise refuse("daily_limit")
                    unit.calls_left -= 1

        def _send(self, status: int, body: Any) -> None:
            raw = b"Not Found" if status == 404 and body is None else b"" if body is None else json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json" if body is not None else "text/plain")
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

    return Handler


def make_certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate and key for 127.0.0.1, made with the openssl command."""
    cert, key = folder / "ae-server.pem", folder / "ae-server.key"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
                    "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key),
                    "-out", str(cert)], check=True, capture_output=True)
    return cert, key


class Server:
    """The stand-in, serving HTTPS from a thread until ``stop``."""

    def __init__(self, unit: BusinessUnit, certificate: tuple[Path, Path]) -> None:
        self.unit = unit
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(unit))
        self.httpd.daemon_threads = True
        tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        tls.load_cert_chain(*certificate)
        self.httpd.socket = tls.wrap_socket(self.httpd.socket, server_side=True)
        self.url = f"https://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.unit.hold.set()
        self.httpd.shutdown()
        self.httpd.server_close()


if __name__ == "__main__":
    print(markdown(), end="")
