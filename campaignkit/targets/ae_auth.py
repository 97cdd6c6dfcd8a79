"""Signing in to Account Engagement as Salesforce users do: where the access token comes from, and a new one.

A token source is chosen by which secrets the environment holds (``token_source``):

- ``CK_AE_ACCESS_TOKEN``: a token pasted by hand, sent as is; it overrides the others and cannot be renewed;
- ``CK_AE_PRIVATE_KEY``: the OAuth 2.0 JWT bearer flow, for CI: an assertion signed with the connected
  app's private key (``iss`` its consumer key, ``sub`` the user, ``aud`` the login URL, ``exp`` within
  the 3 minutes Salesforce allows) is exchanged for a token;
- ``CK_AE_REFRESH_TOKEN``: the refresh-token flow, for people (``CK_AE_CLIENT_SECRET`` if the app asks).

Each secret may instead be in a file that ``<VARIABLE>_FILE`` names, outside the workspace (whose files
get committed). Secrets live only in these objects, never in a repr or a message; the tokens issued stay
in ``BearerAuth``'s headers. The API client sends every request through ``BearerAuth``, which asks the
token endpoint once on first use and once more when the API answers 401. This module knows the token
endpoint, not the API's collections (that is ``ae_client``).
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Generator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import httpx
import jwt
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
from cryptography.hazmat.primitives.serialization import load_pem_private_key

from campaignkit.errors import UserError
from campaignkit.targets.base import TargetError

ACCESS_TOKEN = "CK_AE_ACCESS_TOKEN"
PRIVATE_KEY = "CK_AE_PRIVATE_KEY"
REFRESH_TOKEN = "CK_AE_REFRESH_TOKEN"
CLIENT_SECRET = "CK_AE_CLIENT_SECRET"
#: The suffix of the variable that names a file holding the secret instead.
FILE = "_FILE"
DEFAULT_LOGIN_URL = "https://login.salesforce.com"
SANDBOX_LOGIN_URL = "https://test.salesforce.com"
TOKEN_PATH = "/services/oauth2/token"
JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"
#: How long a signed assertion is valid: Salesforce refuses one that expires more than 3 minutes ahead.
ASSERTION_SECONDS = 180
#: The API's "access_token is invalid, unknown, or malformed": expired, or without the pardot_api scope.
INVALID_TOKEN = 184
PARDOT_SCOPE = ("add 'Manage Pardot services (pardot_api)' to the connected app's Selected OAuth Scopes "
                "(Setup > App Manager > the app > Edit)")


class TokenSource(Protocol):
    """Where the ``Authorization`` header's token comes from."""

    #: The token as a message names it, e.g. "the token in CK_AE_ACCESS_TOKEN".
    described: str
    #: What error 184 means for this source and what to do, once a renewed token was refused too.
    if_refused: str

    def token(self) -> str:
        """The token to send, asked for on first use."""
        ...

    def refresh(self, refused: str) -> str | None:
        """A token to send instead of ``refused``; None when this source cannot renew it."""
        ...


class BearerAuth(httpx.Auth):
    """``Authorization: Bearer`` on every request; a 401 renews the token once and sends the request again."""

    def __init__(self, tokens: TokenSource) -> None:
        self.tokens = tokens

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        token = self.tokens.token()
        request.headers["Authorization"] = f"Bearer {token}"
        response = yield request
        renewed = self.tokens.refresh(token) if response.status_code == 401 else None
        if renewed is not None:
            request.headers["Authorization"] = f"Bearer {renewed}"
            yield request


def refusal(tokens: TokenSource, code: int | None, message: str) -> str:
    """What to say when the API answers 401 to ``tokens``' token (renewed once already, where it can be)."""
    if code == INVALID_TOKEN:
        return f"Account Engagement refused {tokens.described} (error {code}: {message}): {tokens.if_refused}"
    return (f"Account Engagement refused the credentials ({message}); check {tokens.described} "
            "and the environment's business_unit_id")


class StaticToken:
    """A token pasted into ``CK_AE_ACCESS_TOKEN``: sent as is, never renewed."""

    described = f"the token in {ACCESS_TOKEN}"
    if_refused = (f"it has expired, or the connected app that issued it lacks the pardot_api scope; put a new "
                  f"token there, or unset {ACCESS_TOKEN} to sign in with the connected app")

    def __init__(self, token: str) -> None:
        self._token = token

    def token(self) -> str:
        return self._token

    def refresh(self, refused: str) -> str | None:
        return None


@dataclass(frozen=True)
class Secret:
    """A secret and where it was read, which messages may name: never the value."""

    value: str = field(repr=False)
    #: The variable, or ``VARIABLE_FILE (path)``.
    origin: str
    #: The file it was read from, if any: where a renewed refresh token is written back.
    path: Path | None = None

    def renewed(self, value: str) -> Secret:
        """This secret with a new value, written back to its file for the next run (only owner can read it)."""
        if self.path is not None:
            written = self.path.with_name(f".{self.path.name}.new")
            try:
                with os.fdopen(os.open(written, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as out:
                    out.write(value + "\n")
                os.replace(written, self.path)
            except OSError as exc:
                raise TargetError(f"Salesforce issued a new refresh token (rotation is on) that cannot be "
                                  f"written to {self.path}: {exc.strerror}; the old one is no longer valid: "
                                  "authorize again") from None
        return Secret(value, self.origin, self.path)


def read_secret(variable: str, workspace_root: Path) -> Secret | None:
    """The secret in ``variable``, or in the file ``<variable>_FILE`` names; None when neither is set."""
    value, named = os.environ.get(variable, "").strip(), os.environ.get(variable + FILE, "").strip()
    if value and named:
        raise UserError(f"set {variable} or {variable}{FILE}, not both")
    if value:
        return Secret(value, variable)
    if not named:
        return None
    path = Path(named).expanduser().resolve()
    if path.is_relative_to(workspace_root.resolve()):
        raise UserError(f"{variable}{FILE} names {path}, inside the workspace, whose files get committed: "
                        "keep the secret outside it")
    try:
        return Secret(path.read_text().strip(), f"{variable}{FILE} ({path})", path)
    except OSError as exc:
        raise UserError(f"cannot read {variable}{FILE} ({path}): {exc.strerror}") from None


class Grant(Protocol):
    """What is sent to the token endpoint for a token, and what a refusal means."""

    described: str
    if_refused: str
    #: What to check when the token endpoint says no.
    if_denied: str

    def form(self, audience: str) -> dict[str, str]:
        ...

    def answered(self, body: dict[str, Any]) -> None:
        """Keeps what the token endpoint's answer renews (a rotated refresh token)."""
        ...


class JwtBearer:
    """The JWT bearer flow: an assertion signed with the connected app's private key, for unattended runs."""

    def __init__(self, client_id: str, username: str, key: Secret) -> None:
        self._client_id, self._username = client_id, username
        self._key = _private_key(key)
        self.described = f"the token signed in for {username} with the JWT bearer flow"
        self.if_refused = (f"Salesforce issues tokens, but the connected app lacks the pardot_api scope, or "
                           f"{username} cannot log in to Account Engagement with Salesforce; {PARDOT_SCOPE}")
        self.if_denied = (f"check that client_id is the connected app's consumer key, that the certificate "
                          f"uploaded to it (Use digital signatures) matches {key.origin}, that {username} is "
                          "pre-authorized for the app (its profile or a permission set), and login_url "
                          f"({SANDBOX_LOGIN_URL} for a sandbox)")

    def form(self, audience: str) -> dict[str, str]:
        claims = {"iss": self._client_id, "sub": self._username, "aud": audience,
                  "exp": int(time.time()) + ASSERTION_SECONDS}
        return {"grant_type": JWT_BEARER, "assertion": jwt.encode(claims, self._key, algorithm="RS256")}

    def answered(self, body: dict[str, Any]) -> None:
        """The JWT bearer flow issues no refresh token: each token is signed for anew."""


class RefreshTokenGrant:
    """The refresh-token flow: a refresh token a person got by authorizing the connected app once."""

    described = "the token renewed with the refresh token"
    if_refused = (f"Salesforce issues tokens, but the connected app lacks the pardot_api scope, or the user "
                  f"cannot log in to Account Engagement with Salesforce; {PARDOT_SCOPE}, then authorize again "
                  "for a new refresh token (one keeps the scopes it was issued with)")

    def __init__(self, client_id: str, refresh_token: Secret, client_secret: Secret | None) -> None:
        self._client_id, self._refresh_token, self._client_secret = client_id, refresh_token, client_secret
        self.if_denied = (f"the refresh token in {refresh_token.origin} has expired or was revoked (authorize "
                          "again), or client_id, the client secret or login_url is not the connected app's")

    def form(self, audience: str) -> dict[str, str]:
        form = {"grant_type": "refresh_token", "client_id": self._client_id,
                "refresh_token": self._refresh_token.value}
        if self._client_secret is not None:
            form["client_secret"] = self._client_secret.value
        return form

    def answered(self, body: dict[str, Any]) -> None:
        rotated = body.get("refresh_token")
        if isinstance(rotated, str) and rotated != self._refresh_token.value:
            self._refresh_token = self._refresh_token.renewed(rotated)


class SignIn:
    """Tokens from Salesforce's token endpoint: one on first use, a new one when the API refuses it."""

    def __init__(self, login_url: str, grant: Grant, *, timeout_seconds: float = 30.0) -> None:
        self._audience = login_url.rstrip("/")
        self._endpoint = self._audience + TOKEN_PATH
        self._grant, self._timeout = grant, timeout_seconds
        self.described, self.if_refused = grant.described, grant.if_refused
        #: One request to the token endpoint at a time: five calls refused at once renew the token once.
        self._lock = threading.Lock()
        self._token: str | None = None
        #: Why signing in failed: the calls after it fail alike without asking again.
        self._failure = ""

    def token(self) -> str:
        with self._lock:
            if self._token is None:
                self._token = self._fetch()
            return self._token

    def refresh(self, refused: str) -> str | None:
        with self._lock:
            if self._token == refused:  # else another call renewed it already
                self._token = self._fetch()
            return self._token

    def _fetch(self) -> str:
        if not self._failure:
            try:
                return self._granted()
            except TargetError as exc:
                self._failure = str(exc)
        raise TargetError(self._failure)

    def _granted(self) -> str:
        try:
            response = httpx.post(self._endpoint, data=self._grant.form(self._audience),
                                  headers={"Accept": "application/json"}, timeout=self._timeout)
        except httpx.HTTPError as exc:
            # httpx messages name the URL, never the form, so the secrets stay out.
            raise TargetError(f"Salesforce's token endpoint {self._endpoint} did not answer: {exc}; check the "
                              "environment's login_url and the network") from None
        body = _json(response)
        token = body.get("access_token")
        if not response.is_success or not isinstance(token, str) or not token:
            said = ": ".join(str(body[key]) for key in ("error", "error_description") if body.get(key))
            raise TargetError(f"Salesforce refused to sign in at {self._endpoint} "
                              f"({said or f'HTTP {response.status_code}'}); {self._grant.if_denied}")
        self._grant.answered(body)
        return token


def token_source(environment: str, setting: Callable[[str], str], workspace_root: Path) -> TokenSource:
    """The token source the environment's secrets choose (see the module's docstring).

    ``setting`` gives a setting's value by name ("" if unset), read only when
    the chosen way to sign in needs it: ``login_url``, ``client_id`` (the connected
    app's consumer key) and ``username``, none of them secret.
    """
    pasted = os.environ.get(ACCESS_TOKEN, "").strip()
    if pasted:
        return StaticToken(pasted)
    key, refresh_token = read_secret(PRIVATE_KEY, workspace_root), read_secret(REFRESH_TOKEN, workspace_root)
    if key is not None and refresh_token is not None:
        raise UserError(f"both {key.origin} and {refresh_token.origin} are set: keep the one of the way "
                        "to sign in you mean (the private key for CI, the refresh token for a person)")
    if key is not None:
        client_id, username = _required(environment, setting, "the JWT bearer flow", "client_id", "username")
        grant: Grant = JwtBearer(client_id, username, key)
    elif refresh_token is not None:
        (client_id,) = _required(environment, setting, "the refresh-token flow", "client_id")
        grant = RefreshTokenGrant(client_id, refresh_token, read_secret(CLIENT_SECRET, workspace_root))
    else:
        raise UserError(f"environment '{environment}' has no Account Engagement credentials: set "
                        f"{PRIVATE_KEY} (CI: the JWT bearer flow) or {REFRESH_TOKEN} (a person), each with "
                        f"settings.client_id, or paste a token into {ACCESS_TOKEN}; credentials are never "
                        "read from the workspace's files")
    return SignIn(setting("login_url") or DEFAULT_LOGIN_URL, grant)


def _required(environment: str, setting: Callable[[str], str], flow: str, *names: str) -> list[str]:
    """The values of the settings ``flow`` needs; a UserError naming those missing."""
    values = [setting(name) for name in names]
    missing = [f"settings.{name}" for name, value in zip(names, values, strict=True) if not value]
    if missing:
        raise UserError(f"environment '{environment}' signs in with {flow} and needs {' and '.join(missing)}")
    return values


def _private_key(key: Secret) -> RSAPrivateKey:
    """The RSA key Salesforce verifies RS256 assertions with, read once so that a wrong one stops before any call."""
    try:
        loaded = load_pem_private_key(key.value.encode(), password=None)
    except (ValueError, TypeError):
        loaded = None
    if not isinstance(loaded, RSAPrivateKey):
        raise UserError(f"{key.origin} does not hold an RSA private key in PEM form without a passphrase "
                        "(-----BEGIN PRIVATE KEY----- ...), the key of the certificate uploaded to the connected app")
    return loaded


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}
