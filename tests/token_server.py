"""A local stand-in for Salesforce's OAuth 2.0 token endpoint, ``POST /services/oauth2/token``, on 127.0.0.1.

It grants the two flows as Salesforce's help pages describe them ("OAuth 2.0 JWT Bearer Flow for
Server-to-Server Integration", "OAuth 2.0 Refresh Token Flow for Renewed Sessions"):

- ``grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer`` with ``assertion``: a JWT signed RS256 by
  the private key of the certificate uploaded to the connected app (``public_key`` here), ``iss`` the
  consumer key, ``sub`` a user allowed to use the app, ``aud`` the login URL (this server's ``url``),
  and ``exp`` not past and at most 3 minutes ahead;
- ``grant_type=refresh_token`` with ``client_id``, ``refresh_token`` and, when the app requires one,
  ``client_secret``; with ``rotate`` on, each answer carries a new refresh token and the old one stops
  working.

An answer is ``{"access_token": ..., "instance_url": ..., "token_type": "Bearer", ...}``; a refusal is
HTTP 400 ``{"error": ..., "error_description": ...}``. Each token issued is appended to ``issued`` and
handed to ``on_issue`` (a test gives the API stand-in the token to accept). It serves HTTPS with the
certificate a test makes with ``ae_server.make_certificate``. It is a test fixture, not Salesforce.
"""

from __future__ import annotations

import json
import secrets
import ssl
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import jwt

TOKEN_PATH = "/services/oauth2/token"
JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"
#: How far ahead an assertion may expire.
MOST_SECONDS_AHEAD = 180


class Refused(Exception):
    """An OAuth error: ``error`` and ``error_description``."""

    def __init__(self, error: str, description: str) -> None:
        super().__init__(description)
        self.error, self.description = error, description


class ConnectedApp:
    """What Salesforce knows of the connected app and its users, and what tests read back."""

    def __init__(self, client_id: str, public_key: str, username: str, *, client_secret: str | None = None,
                 refresh_token: str | None = None) -> None:
        self.client_id, self.public_key, self.username = client_id, public_key, username
        self.client_secret = client_secret
        self.refresh_tokens = {refresh_token} if refresh_token else set()
        self.rotate = False
        self.issued: list[str] = []
        #: The grant types asked for, in order.
        self.grants: list[str] = []
        self.on_issue: Callable[[str], None] = lambda token: None
        self.lock = threading.Lock()

    def grant(self, form: dict[str, str], audience: str) -> dict[str, Any]:
        grant_type = form.get("grant_type", "")
        with self.lock:
            self.grants.append(grant_type)
        if grant_type == JWT_BEARER:
            self._check_assertion(form.get("assertion", ""), audience)
            return self._issue()
        if grant_type == "refresh_token":
            return self._refresh(form)
        raise Refused("unsupported_grant_type", "grant type not supported")

    def _check_assertion(self, assertion: str, audience: str) -> None:
        try:
            claims = jwt.decode(assertion, self.public_key, algorithms=["RS256"], audience=audience,
                                options={"require": ["iss", "sub", "aud", "exp"]})
        except jwt.InvalidAudienceError:
            raise Refused("invalid_grant", "audience is invalid") from None
        except jwt.ExpiredSignatureError:
            raise Refused("invalid_grant", "expired authorization code") from None
        except jwt.PyJWTError:
            raise Refused("invalid_grant", "invalid assertion") from None
        if claims["exp"] > time.time() + MOST_SECONDS_AHEAD:
            raise Refused("invalid_grant", "expiration of the assertion is more than 3 minutes ahead")
        if claims["iss"] != self.client_id:
            raise Refused("invalid_client_id", "client identifier invalid")
        if claims["sub"] != self.username:
            raise Refused("invalid_grant", "user hasn't approved this consumer")

    def _refresh(self, form: dict[str, str]) -> dict[str, Any]:
        if form.get("client_id") != self.client_id:
            raise Refused("invalid_client_id", "client identifier invalid")
        if self.client_secret is not None and form.get("client_secret") != self.client_secret:
            raise Refused("invalid_client", "invalid client credentials")
        with self.lock:
            if form.get("refresh_token") not in self.refresh_tokens:
                raise Refused("invalid_grant", "expired access/refresh token")
            if not self.rotate:
                return self._issue()
            self.refresh_tokens = {"5Aep" + secrets.token_urlsafe(24)}
            return {**self._issue(), "refresh_token": next(iter(self.refresh_tokens))}

    def _issue(self) -> dict[str, Any]:
        token = "00Dxx0000001gPL!AR" + secrets.token_urlsafe(32)
        self.issued.append(token)
        self.on_issue(token)
        return {"access_token": token, "instance_url": "https://acme.my.salesforce.com", "token_type": "Bearer",
                "scope": "pardot_api api", "id": "https://login.salesforce.com/id/00Dxx/005xx",
                "issued_at": str(int(time.time() * 1000))}


class TokenServer:
    """The token endpoint, serving HTTPS from a thread until ``stop``."""

    def __init__(self, app: ConnectedApp, certificate: tuple[Path, Path]) -> None:
        self.app = app
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.httpd.daemon_threads = True
        tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        tls.load_cert_chain(*certificate)
        self.httpd.socket = tls.wrap_socket(self.httpd.socket, server_side=True)
        #: The login URL, and so the audience assertions must name.
        self.url = f"https://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True).start()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def _handler(server: TokenServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            if self.path != TOKEN_PATH:
                self._send(404, {"error": "not_found", "error_description": f"no {self.path}"})
                return
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
            form = {name: values[0] for name, values in parse_qs(raw).items()}
            try:
                self._send(200, server.app.grant(form, server.url))
            except Refused as refused:
                self._send(400, {"error": refused.error, "error_description": refused.description})

        def log_message(self, format: str, *args: Any) -> None:
            pass  # keep test output clean

        def _send(self, status: int, body: dict[str, Any]) -> None:
            raw = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

    return Handler
