"""HTTP calls to Account Engagement API v5, behaving as the API asks of its clients.

At most five requests run at once (the API's concurrency limit); error 66
(too many concurrent requests, e.g. from another integration) is retried with
bounded exponential backoff; error 122 (daily limit used up) stops every
further call at once, since no retry can succeed before tomorrow. Collections
are read page by page with ``nextPageToken``.

The access token travels only in the ``Authorization`` header, which
``ae_auth.BearerAuth`` sets (and renews once on a 401): no message raised here
contains it. This module knows collections and JSON, not campaignkit's objects
(that is ``ae_mapping``).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx

from campaignkit.targets.ae_auth import BearerAuth, StaticToken, TokenSource, refusal
from campaignkit.targets.base import ObjectNotFound, TargetError

MAX_CONCURRENT = 5
PAGE_SIZE = 1000
THROTTLED = 66
DAILY_LIMIT = 122
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
        self._http = httpx.Client(base_url=f"{base_url.rstrip('/')}/api/v5/objects/", timeout=timeout_seconds,
                                  auth=BearerAuth(self._tokens), headers={"Pardot-Business-Unit-Id": business_unit_id})
        self._slots = threading.BoundedSemaphore(MAX_CONCURRENT)
        self._limit_reached = False

    def get_all(self, collection: str, fields: tuple[str, ...]) -> Iterator[dict[str, Any]]:
        """Every object of ``collection`` with ``fields`` (and ``id``), page after page."""
        params: dict[str, str | int] = {"fields": ",".join(("id", *fields)), "limit": PAGE_SIZE}
        while True:
            page = self._call("GET", collection, params=params)
            yield from page.get("values") or []
            token = page.get("nextPageToken")
            if not token:
                return
            params = {**params, "nextPageToken": token}

    def check(self, collection: str) -> None:
        """Reads one object of ``collection``: the smallest call that proves the address and credentials work."""
        self._call("GET", collection, params={"fields": "id", "limit": 1})

    def get(self, collection: str, object_id: str, fields: tuple[str, ...]) -> dict[str, Any] | None:
        try:
            return self._call("GET", f"{collection}/{object_id}", params={"fields": ",".join(("id", *fields))})
        except ObjectNotFound:
            return None

    def create(self, collection: str, body: dict[str, Any]) -> dict[str, Any]:
        return self._call("POST", collection, json=body)

    def update(self, collection: str, object_id: str, body: dict[str, Any]) -> dict[str, Any]:
        return self._call("PATCH", f"{collection}/{object_id}", json=body)

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
            raise self._failure(method, path, response.status_code, code, message)
        raise AssertionError("unreachable: the last attempt returns or raises")

    def _send(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        try:
            return self._http.request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            # httpx messages name the URL, never the headers, so the token stays out.
            raise TargetError(f"Account Engagement did not answer {method} {path}: {exc}; check the "
                              "environment's base_url and the network") from None

    def _failure(self, method: str, path: str, status: int, code: int | None, message: str) -> TargetError:
        if code == DAILY_LIMIT:
            self._limit_reached = True
            return DailyLimitReached(_DAILY_LIMIT_MESSAGE)
        if status == 404:
            return ObjectNotFound(f"Account Engagement has no {path}: {message}")
        if status == 401:
            return TargetError(refusal(self._tokens, code, message))
        if code == THROTTLED:
            return TargetError(f"Account Engagement stayed too busy for {method} {path} after "
                               f"{RETRIES} retries (error 66); apply again later")
        return TargetError(f"Account Engagement refused {method} {path}: error {code}: {message}")


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


def _error(response: httpx.Response) -> tuple[int | None, str]:
    """The API's ``{"code": n, "message": ...}``, or what can be said of a body that is not one."""
    try:
        body = response.json()
        return int(body["code"]), str(body.get("message", ""))
    except (ValueError, KeyError, TypeError):
        return None, f"HTTP {response.status_code} {response.reason_phrase}"
