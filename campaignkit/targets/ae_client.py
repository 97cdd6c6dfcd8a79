"""HTTP calls to Account Engagement API v5, behaving as the API asks of its clients.

At most five requests run at once (the API's concurrency limit); error 66
(too many concurrent requests, e.g. from another integration) is retried with
bounded exponential backoff; error 122 (daily limit used up) stops every
further call at once, since no retry can succeed before tomorrow. Collections
are read a page of 1,000 at a time, following ``nextPageUrl`` (or the same
query with ``nextPageToken``); reads and writes name the ``fields`` they want
back. A 404 means "no such object" only when the API says so (error 109, for
an object's own URL); any other 404 is a path the API does not have, an error
naming the URL, so that a wrong address is never read as an object deleted.

The access token travels only in the ``Authorization`` header, which
``ae_auth.BearerAuth`` sets (and renews once on a 401): no message raised here
contains it. This module knows collections and JSON, not campaignkit's objects
(that is ``ae_mapping``).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import httpx

from campaignkit.targets.ae_auth import BearerAuth, StaticToken, TokenSource, refusal
from campaignkit.targets.base import ObjectNotFound, TargetError

#: Production business units; developer orgs and sandboxes are on ``SANDBOX_URL``.
PRODUCTION_URL = "https://pi.pardot.com"
SANDBOX_URL = "https://pi.demo.pardot.com"
MAX_CONCURRENT = 5
PAGE_SIZE = 1000
THROTTLED = 66
DAILY_LIMIT = 122
#: The answer for an id that a collection does not have; any other 404 is a path the API lacks.
RECORD_NOT_FOUND = 109
#: An access token that is invalid, expired or without the ``pardot_api`` scope.
BAD_TOKEN = 184
#: The first wait after error 66; each retry waits twice as long as the one before.
BACKOFF_SECONDS = 0.5
RETRIES = 5


class DailyLimitReached(TargetError):
    """The business unit's API calls for today are used up."""


class AEClient:
    """A connection to one business unit."""

    def __init__(self, base_url: str, token: str | TokenSource, business_unit_id: str, *,
                 timeout_seconds: float = 30.0) -> None:
        self._tokens = StaticToken(token) if isinstance(token, str) else token
        self._objects_url = f"{base_url.rstrip('/')}/api/v5/objects/"
        self._http = httpx.Client(base_url=self._objects_url, timeout=timeout_seconds, auth=BearerAuth(self._tokens),
                                  headers={"Pardot-Business-Unit-Id": business_unit_id})
        self._slots = threading.BoundedSemaphore(MAX_CONCURRENT)
        self._limit_reached = False
        self._pages: dict[str, int] = {}

    def get_all(self, collection: str, fields: tuple[str, ...],
                filters: Mapping[str, str] | None = None) -> Iterator[dict[str, Any]]:
        """Every object of ``collection`` matching ``filters``, with ``fields`` (and ``id``), page after page."""
        params: dict[str, str | int] | None = {**(filters or {}), "fields": ",".join(("id", *fields)),
                                                "limit": PAGE_SIZE}
        url, key, pages = collection, _listing(collection, filters), 0
        while True:
            page = self._call("GET", url, params=params)
            pages += 1
            self._pages[key] = pages
            yield from page.get("values") or []
            following, token = page.get("nextPageUrl"), page.get("nextPageToken")
            if not following and not token:
                return
            if isinstance(following, str) and following.startswith(self._objects_url):
                url, params = following, None  # the token goes to this API only, never to another host
            else:
                url, params = collection, {**(params or {}), "nextPageToken": str(token)}

    def pages(self, collection: str, filters: Mapping[str, str] | None = None) -> int:
        """How many calls reading ``collection`` took last time (one, if it was never read)."""
        return self._pages.get(_listing(collection, filters), 1)

    def check(self, collection: str) -> None:
        """Reads one object of ``collection``: the smallest call that proves the address and credentials work."""
        self._call("GET", collection, params={"fields": "id", "limit": 1})

    def read(self, collection: str, object_id: str, fields: tuple[str, ...]) -> dict[str, Any] | None:
        """The object with ``fields`` (and ``id``); ``None`` when the collection has no such object."""
        try:
            return self._call("GET", f"{collection}/{object_id}", params=_fields(fields))
        except ObjectNotFound:
            return None

    def create(self, collection: str, body: dict[str, Any], fields: tuple[str, ...]) -> dict[str, Any]:
        """Creates an object; the answer carries ``fields`` (and ``id``) as the API made them."""
        return self._call("POST", collection, json=body, params=_fields(fields))

    def update(self, collection: str, object_id: str, body: dict[str, Any], fields: tuple[str, ...]) -> dict[str, Any]:
        """Sets the fields in ``body``, and only those."""
        return self._call("PATCH", f"{collection}/{object_id}", json=body, params=_fields(fields))

    def delete(self, collection: str, object_id: str) -> None:
        self._call("DELETE", f"{collection}/{object_id}")

    def act(self, collection: str, object_id: str, action: str, body: dict[str, Any]) -> None:
        """An object's ``do/<action>`` (such as ``addTag``): what API v5 does besides create, update, delete."""
        self._call("POST", f"{collection}/{object_id}/do/{action}", json=body)

    def close(self) -> None:
        self._http.close()

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        """One API call, retried while the API says it is too busy."""
        for attempt in range(RETRIES + 1):
            if self._limit_reached:
                raise DailyLimitReached(_DAILY_LIMIT_MESSAGE)
            with self._slots:
                response = self._send(method, path, **kwargs)
            if response.is_success:
                return response.json() if response.content else None
            code, message = _error(response)
            if code == THROTTLED and attempt < RETRIES:
                time.sleep(BACKOFF_SECONDS * 2 ** attempt)
                continue
            raise self._failure(method, path, response, code, message)
        raise AssertionError("unreachable: the last attempt returns or raises")

    def _send(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        try:
            return self._http.request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            # httpx messages name the URL, never the headers, so the token stays out.
            raise TargetError(f"Account Engagement did not answer {method} {_short(path)}: {exc}; check the "
                              "environment's base_url and the network") from None

    def _failure(self, method: str, path: str, response: httpx.Response, code: int | None,
                 message: str) -> TargetError:
        where = _short(path)
        if code == DAILY_LIMIT:
            self._limit_reached = True
            return DailyLimitReached(_DAILY_LIMIT_MESSAGE)
        if response.status_code == 404 and code == RECORD_NOT_FOUND:
            return ObjectNotFound(f"Account Engagement has no object at {where}: {message}")
        if response.status_code == 404:
            url = response.request.url.copy_with(query=None)
            return TargetError(f"Account Engagement has no API at {method} {url} ({message}): the path or "
                               "collection does not exist; check the environment's base_url")
        if code == BAD_TOKEN or response.status_code == 401:
            return TargetError(refusal(self._tokens, code, message))
        if code == THROTTLED:
            return TargetError(f"Account Engagement stayed too busy for {method} {where} after "
                               f"{RETRIES} retries (error 66); apply again later")
        return TargetError(f"Account Engagement refused {method} {where}: error {code}: {message}")


class NamedIds:
    """A collection's ids by the name the files use, read on first use and kept for the target's life.

    Folders, campaigns and tags are few and change rarely, and apply asks for
    them from up to five threads at once; reads may also lag writes, so an id
    made here is added here rather than read back.
    """

    def __init__(self, client: AEClient, collection: str, fields: tuple[str, ...],
                 name_of: Callable[[dict[str, Any]], str]) -> None:
        self._client, self._collection, self._fields, self._name_of = client, collection, fields, name_of
        self._lock = threading.Lock()
        self._ids: dict[str, Any] | None = None

    def ids(self) -> dict[str, Any]:
        """Name -> id as the API gives it (a number, which is what a body must send)."""
        with self._lock:
            return self._loaded()

    def names(self) -> dict[str, str]:
        """Id (as text) -> name."""
        return {str(object_id): name for name, object_id in self.ids().items()}

    def id_or_make(self, name: str, make: Callable[[], Any]) -> Any:
        """The id of ``name``, made with ``make()`` (which returns the new id) when there is none."""
        with self._lock:
            ids = self._loaded()
            if name not in ids:
                ids[name] = make()
            return ids[name]

    def known(self) -> frozenset[str] | None:
        """The names, if the collection was read; ``None`` if not (nothing is read here)."""
        with self._lock:
            return None if self._ids is None else frozenset(self._ids)

    def forget(self) -> None:
        """Reads the collection again on next use (something was made in the UI since)."""
        with self._lock:
            self._ids = None

    def _loaded(self) -> dict[str, Any]:
        if self._ids is None:
            self._ids = {self._name_of(v): v["id"] for v in self._client.get_all(self._collection, self._fields)}
        return self._ids


_DAILY_LIMIT_MESSAGE = ("the business unit's daily API limit is used up (error 122); what was applied is "
                        "recorded; apply again once the limit resets")


def _fields(fields: tuple[str, ...]) -> dict[str, str]:
    return {"fields": ",".join(("id", *fields))}


def _listing(collection: str, filters: Mapping[str, str] | None) -> str:
    """A key for one query: the collection and its filters."""
    return collection + "".join(f"&{k}={v}" for k, v in sorted((filters or {}).items()))


def _short(path: str) -> str:
    """``path`` as messages name it: relative to ``/api/v5/objects/``, without the query."""
    return path.split("/api/v5/objects/")[-1].split("?")[0]


def _error(response: httpx.Response) -> tuple[int | None, str]:
    """The API's ``{"code": n, "message": ...}``, or what can be said of a body that is not one."""
    try:
        body = response.json()
        return int(body["code"]), str(body.get("message", ""))
    except (ValueError, KeyError, TypeError):
        return None, f"HTTP {response.status_code} {response.reason_phrase}"
