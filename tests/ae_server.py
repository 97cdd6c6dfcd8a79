"""A local stand-in for Account Engagement API v5: the documented subset, on 127.0.0.1.

It speaks ``/api/v5/objects/{lists,customFields,emailTemplates,tags}[/{id}]``:
GET (with the required ``fields`` parameter; collections in pages with
``nextPageToken``), POST to create, PATCH to change only the fields sent and
DELETE; and the read-only ``engagement-studio-programs``, ``folders`` and
``campaigns``, which answer anything but GET with error 1 (HTTP 405). Lists,
custom fields and email templates take ``POST .../{id}/do/addTag`` and
``.../do/removeTag`` with ``{"tagId": n}``, recorded in the read-only
``tagged-objects`` (``tagId``, ``objectType``, ``objectId``). Every request
must carry ``Authorization: Bearer <token>`` and
``Pardot-Business-Unit-Id``. Errors are ``{"code": n, "message": ...}``: 66
when more than five requests run at once (or when a test asks for it with
``throttle``), 122 once the daily limit a test set with ``calls_left`` is used
up. Names are unique per collection, as the real business unit insists.
It serves HTTPS with a self-signed certificate for 127.0.0.1 (workspaces
accept only https:// API hosts); clients trust it through ``SSL_CERT_FILE``.

Tests play "a change in the UI" with ``edit``, ``tag`` and ``untag`` (and
``create`` for what only the UI makes, such as a program with its ``status``
and list ids; ``edit`` then pauses it), read what the business unit holds with
``objects`` and ``tags_of``, refuse an action (as to a user without the
ability) by adding its name to ``refused_actions``, and step in between making
an object and answering for it with ``after_api_create``. It is a test fixture,
not a model of every endpoint.
"""

from __future__ import annotations

import json
import ssl
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Callable
from urllib.parse import parse_qs, urlsplit

PREFIX = "/api/v5/objects/"
#: Collection -> fields a client may write (everything else is read-only).
WRITABLE = {
    "lists": {"name", "title", "description", "isPublic", "folderId", "campaignId"},
    "customFields": {"name", "fieldId", "type", "isRequired", "isRecordMultipleResponses"},
    "emailTemplates": {"name", "subject", "htmlMessage", "textMessage", "type", "senderOptions",
                       "replyToOptions", "folderId", "campaignId", "isOneToOneEmail", "isAutoResponderEmail"},
    "tags": {"name"},
}
#: Collections the API only reads: only the UI (a test's ``create``) makes them.
READ_ONLY = frozenset({"engagement-studio-programs", "folders", "campaigns", "tagged-objects"})
#: Collection -> the ``objectType`` its objects have in ``tagged-objects``.
TAGGABLE = {"lists": "List", "customFields": "CustomField", "emailTemplates": "EmailTemplate"}
TAG_ACTIONS = frozenset({"addTag", "removeTag"})
#: The field unique within a collection: folders of the same name live under different parents.
UNIQUE = {"folders": "path"}
MAX_CONCURRENT = 5
DEFAULT_PAGE = 200


class Problem(Exception):
    """An API error: the HTTP status and the body's code and message."""

    def __init__(self, status: int, code: int, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


class BusinessUnit:
    """What the server holds, and the switches tests turn."""

    def __init__(self, token: str, business_unit_id: str, page_size: int = DEFAULT_PAGE) -> None:
        self.token = token
        self.business_unit_id = business_unit_id
        self.page_size = page_size
        self.collections: dict[str, dict[int, dict[str, Any]]] = {name: {} for name in [*WRITABLE, *READ_ONLY]}
        self.lock = threading.Lock()
        self.next_id = 1000
        self.active = 0
        self.most_concurrent = 0
        #: Requests to answer with code 66 before serving again.
        self.throttle = 0
        #: Calls left today; ``None``: no limit.
        self.calls_left: int | None = None
        self.requests: list[tuple[str, str]] = []
        #: Seconds each request takes, so that concurrent clients overlap as on a real server.
        self.latency = 0.005
        #: ``do/`` actions answered with an error, as for a user without the ability.
        self.refused_actions: set[str] = set()
        #: Called after an object is created through the API and before the client is answered.
        self.after_api_create: Callable[[], None] | None = None

    def objects(self, collection: str) -> list[dict[str, Any]]:
        with self.lock:
            return [dict(obj) for obj in self.collections[collection].values()]

    def edit(self, collection: str, name: str, **values: Any) -> None:
        """Changes an object as a person in the UI would, bypassing the API."""
        with self.lock:
            obj = next(o for o in self.collections[collection].values() if o["name"] == name)
            obj.update(values)

    def tag(self, collection: str, name: str, tag: str) -> None:
        """Adds a tag (made if need be) to an object, as in the UI."""
        tag_id = next((i for i, t in self.collections["tags"].items() if t["name"] == tag), None)
        if tag_id is None:
            tag_id = self.create("tags", {"name": tag})["id"]
        self.act(collection, self._id_of(collection, name), "addTag", {"tagId": tag_id})

    def untag(self, collection: str, name: str, tag: str) -> None:
        tag_id = next(i for i, t in self.collections["tags"].items() if t["name"] == tag)
        self.act(collection, self._id_of(collection, name), "removeTag", {"tagId": tag_id})

    def tags_of(self, collection: str, name: str) -> list[str]:
        object_id = self._id_of(collection, name)
        with self.lock:
            return sorted(self.collections["tags"][t["tagId"]]["name"]
                          for t in self.collections["tagged-objects"].values()
                          if t["objectType"] == TAGGABLE[collection] and t["objectId"] == object_id)

    def act(self, collection: str, object_id: int, action: str, body: dict[str, Any]) -> None:
        """``do/addTag`` or ``do/removeTag`` on an object."""
        if collection not in TAGGABLE or action not in TAG_ACTIONS:
            raise Problem(404, 1, f"Unknown action {action} on {collection}")
        if action in self.refused_actions:
            raise Problem(403, 7, "Invalid action: the user lacks the ability Marketing > Segmentation > Tags")
        with self.lock:
            self._get(collection, object_id)
            tag_id = body.get("tagId")
            if tag_id not in self.collections["tags"]:
                raise Problem(400, 3, f"Invalid ID: no tags object with id {tag_id}")
            tagged = self.collections["tagged-objects"]
            found = [i for i, t in tagged.items() if t["tagId"] == tag_id and t["objectId"] == object_id
                     and t["objectType"] == TAGGABLE[collection]]
            if action == "removeTag":
                for i in found:
                    del tagged[i]
            elif not found:
                self.next_id += 1
                tagged[self.next_id] = {"id": self.next_id, "tagId": tag_id, "objectType": TAGGABLE[collection],
                                        "objectId": object_id}

    def _id_of(self, collection: str, name: str) -> int:
        with self.lock:
            return next(i for i, o in self.collections[collection].items() if o["name"] == name)

    def remove(self, collection: str, name: str) -> None:
        with self.lock:
            found = next(i for i, o in self.collections[collection].items() if o["name"] == name)
            del self.collections[collection][found]

    def create(self, collection: str, body: dict[str, Any]) -> dict[str, Any]:
        with self.lock:
            _check_name(self.collections[collection], collection, body, None)
            self.next_id += 1
            obj = {**body, "id": self.next_id}
            if collection == "lists":
                obj.setdefault("isDynamic", False)
            self.collections[collection][self.next_id] = obj
            return dict(obj)

    def update(self, collection: str, object_id: int, body: dict[str, Any]) -> dict[str, Any]:
        with self.lock:
            obj = self._get(collection, object_id)
            if "name" in body:
                _check_name(self.collections[collection], collection, body, object_id)
            obj.update(body)
            return dict(obj)

    def delete(self, collection: str, object_id: int) -> None:
        with self.lock:
            self._get(collection, object_id)
            del self.collections[collection][object_id]

    def get(self, collection: str, object_id: int) -> dict[str, Any]:
        with self.lock:
            return dict(self._get(collection, object_id))

    def page(self, collection: str, start: int, size: int) -> tuple[list[dict[str, Any]], int | None]:
        with self.lock:
            ordered = [dict(o) for _, o in sorted(self.collections[collection].items())]
        end = start + size
        return ordered[start:end], end if end < len(ordered) else None

    def _get(self, collection: str, object_id: int) -> dict[str, Any]:
        obj = self.collections[collection].get(object_id)
        if obj is None:
            raise Problem(404, 3, f"Invalid ID: no {collection} object with id {object_id}")
        return obj


def _check_name(objects: dict[int, dict[str, Any]], collection: str, body: dict[str, Any],
                own_id: int | None) -> None:
    if not body.get("name"):
        raise Problem(400, 54, "Required field missing: name")
    key = UNIQUE.get(collection, "name")
    if any(o.get(key) == body.get(key) and i != own_id for i, o in objects.items()):
        raise Problem(400, 62, f"An object with the {key} '{body.get(key)}' already exists")


def make_handler(unit: BusinessUnit) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self._serve(self._get)

        def do_POST(self) -> None:
            self._serve(self._post)

        def do_PATCH(self) -> None:
            self._serve(lambda collection, object_id, query:
                        unit.update(collection, _required_id(object_id), self._body(collection)))

        def do_DELETE(self) -> None:
            self._serve(lambda collection, object_id, query: unit.delete(collection, _required_id(object_id)))

        def log_message(self, format: str, *args: Any) -> None:
            pass  # keep test output clean

        def _serve(self, answer: Any) -> None:
            with unit.lock:
                unit.active += 1
                unit.most_concurrent = max(unit.most_concurrent, unit.active)
                unit.requests.append((self.command, self.path))
            try:
                time.sleep(unit.latency)
                collection, object_id, query = self._admit()
                result = answer(collection, object_id, query)
                self._send(200 if result is not None else 204, result)
            except Problem as problem:
                self._send(problem.status, {"code": problem.code, "message": problem.message})
            finally:
                with unit.lock:
                    unit.active -= 1

        def _admit(self) -> tuple[str, int | None, dict[str, list[str]]]:
            """Checks the headers and the limits, then parses the path."""
            if self.headers.get("Authorization") != f"Bearer {unit.token}":
                raise Problem(401, 184, "access_token is invalid, unknown, or malformed")
            if self.headers.get("Pardot-Business-Unit-Id") != unit.business_unit_id:
                raise Problem(401, 181, "Pardot-Business-Unit-Id header is missing or invalid")
            with unit.lock:
                if unit.active > MAX_CONCURRENT or unit.throttle > 0:
                    unit.throttle = max(0, unit.throttle - 1)
                    raise Problem(429, 66, "The account has too many concurrent requests")
                if unit.calls_left is not None:
                    if unit.calls_left <= 0:
                        raise Problem(429, 122, "Daily API rate limit met")
                    unit.calls_left -= 1
            parts = urlsplit(self.path)
            if not parts.path.startswith(PREFIX):
                raise Problem(404, 1, f"Unknown path {parts.path}")
            collection, _, rest = parts.path[len(PREFIX):].partition("/")
            if collection not in unit.collections:
                raise Problem(404, 1, f"Unknown object {collection}")
            if collection in READ_ONLY and self.command != "GET":
                raise Problem(405, 1, f"{self.command} is not supported: {collection} is read-only")
            rest, _, self.action = rest.partition("/do/")
            if rest and not rest.isdigit():
                raise Problem(400, 3, f"Invalid ID: {rest}")
            return collection, int(rest) if rest else None, parse_qs(parts.query)

        def _post(self, collection: str, object_id: int | None, query: dict[str, list[str]]) -> None | dict[str, Any]:
            if not self.action:
                created = unit.create(collection, self._body(collection))
                if unit.after_api_create is not None:
                    unit.after_api_create()
                return created
            unit.act(collection, _required_id(object_id), self.action, self._json())
            return None

        def _get(self, collection: str, object_id: int | None, query: dict[str, list[str]]) -> dict[str, Any]:
            if "fields" not in query:
                raise Problem(400, 54, "Required parameter missing: fields")
            fields = {"id", *query["fields"][0].split(",")}
            if object_id is not None:
                return _only(unit.get(collection, object_id), fields)
            start = int(query.get("nextPageToken", ["0"])[0])
            size = min(int(query.get("limit", [str(unit.page_size)])[0]), 1000, unit.page_size)
            values, following = unit.page(collection, start, size)
            return {"values": [_only(v, fields) for v in values],
                    "nextPageToken": None if following is None else str(following)}

        def _json(self) -> dict[str, Any]:
            return json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")

        def _body(self, collection: str) -> dict[str, Any]:
            """The fields of an object to create or change, all of which must be writable."""
            body = self._json()
            refused = sorted(set(body) - WRITABLE[collection])
            if refused:
                raise Problem(400, 48, f"Fields not writable: {', '.join(refused)}")
            return body

        def _send(self, status: int, body: Any) -> None:
            raw = b"" if body is None else json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

    return Handler


def _required_id(object_id: int | None) -> int:
    if object_id is None:
        raise Problem(405, 1, "An object id is required")
    return object_id


def _only(obj: dict[str, Any], fields: set[str]) -> dict[str, Any]:
    return {k: v for k, v in obj.items() if k in fields}


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
        self.httpd.shutdown()
        self.httpd.server_close()
