"""Signing in to Account Engagement as Salesforce users do, run as a user would: the command line against a
local token endpoint (``token_server``) that checks every assertion, and the local API stand-in."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from campaignkit.cli import main
from tests.ae_server import BusinessUnit, Server, make_certificate
from tests.token_server import JWT_BEARER, ConnectedApp, TokenServer

UNIT = "0Uv000000000001AAA"
CLIENT_ID = "3MVG9fake.consumer.key.for.tests"
USERNAME = "ci-campaigns@acme.example"
CLIENT_SECRET = "F4KE-client-secret-8f3e2a"
REFRESH_TOKEN = "5Aep861fake.refresh.token.for.tests"
LISTS = 8


def private_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def pem(key: rsa.RSAPrivateKey) -> str:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption()).decode()


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    return make_certificate(tmp_path_factory.mktemp("tls"))


@pytest.fixture(scope="module")
def key():
    """The connected app's key pair: the private half signs, the public half (its certificate) verifies."""
    return private_key()


@pytest.fixture
def api(certificate, monkeypatch):
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate[0]))
    running = Server(BusinessUnit("no token issued yet", UNIT), certificate)
    yield running
    running.stop()


@pytest.fixture
def app(key, api):
    """The connected app as Salesforce knows it; every token it issues is one the business unit accepts."""
    public = key.public_key().public_bytes(serialization.Encoding.PEM,
                                           serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    connected = ConnectedApp(CLIENT_ID, public, USERNAME, client_secret=CLIENT_SECRET, refresh_token=REFRESH_TOKEN)
    connected.on_issue = accept(api)
    return connected


def accept(api: Server):
    def accepted(token: str) -> None:
        api.unit.token = token
    return accepted


@pytest.fixture
def login(app, certificate):
    running = TokenServer(app, certificate)
    yield running
    running.stop()


@pytest.fixture
def workspace(tmp_path, api, login, monkeypatch):
    """A workspace of a few lists whose production environment signs in at the local token endpoint."""
    root = tmp_path / "campaigns"
    root.mkdir()
    (root / "campaignkit.yaml").write_text(f"""workspace: acme
environments:
  production:
    target: account-engagement
    state: sqlite:.campaignkit/production.db
    settings:
      business_unit_id: "{UNIT}"
      base_url: {api.url}
      login_url: {login.url}
      client_id: "${{CK_AE_CLIENT_ID}}"
      username: {USERNAME}
""")
    (root / "lists.yaml").write_text("---\n".join(
        f"kind: list\nname: list-{i}\ntype: static\ntitle: List {i}\n" for i in range(LISTS)))
    for variable in ("CK_AE_ACCESS_TOKEN", "CK_AE_PRIVATE_KEY_FILE", "CK_AE_REFRESH_TOKEN",
                     "CK_AE_REFRESH_TOKEN_FILE", "CK_AE_CLIENT_SECRET", "CK_AE_CLIENT_SECRET_FILE"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("CK_AE_CLIENT_ID", CLIENT_ID)
    monkeypatch.chdir(root)
    return root


@pytest.fixture
def jwt_env(key, workspace, monkeypatch):
    monkeypatch.setenv("CK_AE_PRIVATE_KEY", pem(key))


@pytest.fixture
def refresh_env(workspace, monkeypatch):
    monkeypatch.setenv("CK_AE_REFRESH_TOKEN", REFRESH_TOKEN)
    monkeypatch.setenv("CK_AE_CLIENT_SECRET", CLIENT_SECRET)


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, [*args, "--env", "production"], catch_exceptions=False)
    return result.exit_code, result.stdout + result.stderr


def lists(api: Server) -> list[str]:
    return sorted(o["name"] for o in api.unit.objects("lists"))


def secrets_in(text: str, app: ConnectedApp, key) -> list[str]:
    """The secrets (or a line of the private key) that ``text`` gives away."""
    lines = [line for line in pem(key).splitlines() if "-----" not in line]
    return [s for s in [CLIENT_SECRET, REFRESH_TOKEN, *app.issued, *lines] if s in text]


def test_ci_signs_in_with_the_jwt_bearer_flow_and_nothing_pasted(jwt_env, app, api):
    code, out = run("apply", "--auto-approve")
    assert code == 0, out
    assert len(lists(api)) == LISTS
    # One signed assertion, accepted for its signature, audience, issuer, subject and expiry.
    assert app.grants == [JWT_BEARER] and len(app.issued) == 1


def test_the_private_key_may_be_a_file_outside_the_workspace_but_not_in_it(key, workspace, app, tmp_path,
                                                                           monkeypatch):
    outside = tmp_path / "secrets" / "connected-app.key"
    outside.parent.mkdir()
    outside.write_text(pem(key))
    monkeypatch.setenv("CK_AE_PRIVATE_KEY_FILE", str(outside))
    code, out = run("plan")
    assert code == 0, out
    inside = workspace / "connected-app.key"
    inside.write_text(pem(key))
    monkeypatch.setenv("CK_AE_PRIVATE_KEY_FILE", str(inside))
    code, out = run("plan")
    assert code == 1 and "inside the workspace" in out, out
    assert len(app.issued) == 1 and secrets_in(out, app, key) == []


def test_an_access_token_that_expires_during_apply_is_renewed_once(jwt_env, app, api):
    def expire_once() -> None:
        if len(app.issued) == 1:
            api.unit.token = "expired"  # the business unit now answers 401 to the token issued first
    api.unit.after_api_create = expire_once
    code, out = run("apply", "--auto-approve")
    assert code == 0, out
    assert len(lists(api)) == LISTS
    # Up to five calls are refused at once, and the token is renewed once for all of them.
    assert len(app.issued) == 2
    code, out = run("plan", "--detailed-exitcode")
    assert code == 0, out


def test_a_person_signs_in_with_a_refresh_token(refresh_env, app, api):
    code, out = run("apply", "--auto-approve")
    assert code == 0, out
    assert app.grants == ["refresh_token"] and len(lists(api)) == LISTS


def test_a_rotated_refresh_token_is_written_back_to_its_file_for_the_next_run(workspace, app, tmp_path, monkeypatch):
    stored = tmp_path / "refresh-token"
    stored.write_text(REFRESH_TOKEN + "\n")
    monkeypatch.setenv("CK_AE_REFRESH_TOKEN_FILE", str(stored))
    monkeypatch.setenv("CK_AE_CLIENT_SECRET", CLIENT_SECRET)
    app.rotate = True
    for _ in range(2):
        code, out = run("plan")
        assert code == 0, out
    assert stored.read_text().strip() in app.refresh_tokens
    assert stored.stat().st_mode & 0o077 == 0  # readable by its owner only


def test_a_sign_in_refused_by_salesforce_is_one_line_without_any_secret(workspace, app, monkeypatch):
    stranger = private_key()  # not the key of the certificate uploaded to the connected app
    monkeypatch.setenv("CK_AE_PRIVATE_KEY", pem(stranger))
    code, out = run("apply", "--auto-approve")
    assert code == 1 and out.startswith("Error: ") and len(out.strip().splitlines()) == 1, out
    assert "invalid_grant: invalid assertion" in out and "certificate" in out
    assert secrets_in(out, app, stranger) == []
    monkeypatch.delenv("CK_AE_PRIVATE_KEY")
    monkeypatch.setenv("CK_AE_REFRESH_TOKEN", REFRESH_TOKEN)
    monkeypatch.setenv("CK_AE_CLIENT_SECRET", "not-the-secret")
    code, out = run("plan")
    assert code == 1 and "invalid_client" in out and "refresh token" in out, out
    assert secrets_in(out, app, stranger) == [] and "not-the-secret" not in out


def test_a_token_without_the_pardot_api_scope_says_what_to_change_in_the_connected_app(jwt_env, app, api, key):
    app.on_issue = lambda token: None  # Salesforce issues tokens that the business unit refuses (error 184)
    code, out = run("plan")
    assert code == 1 and len(out.strip().splitlines()) == 1, out
    assert "error 184" in out and "pardot_api" in out and "Selected OAuth Scopes" in out
    assert len(app.issued) == 2  # the first token and one renewal, then no more
    assert secrets_in(out, app, key) == []


def test_no_secret_reaches_state_plans_history_or_output(jwt_env, app, api, workspace, key, tmp_path):
    outputs = [run("plan", "--out", str(tmp_path / "saved.plan"))[1]]
    outputs.append(run("apply", str(tmp_path / "saved.plan"), "--auto-approve")[1])
    api.unit.edit("lists", "list-1", title="Changed in the UI")
    outputs.append(run("refresh")[1])
    outputs.append(run("state", "list")[1])
    stored = [p.read_bytes().decode(errors="replace") for p in (workspace / ".campaignkit").rglob("*")
              if p.is_file()]
    assert stored and app.issued
    for text in [*outputs, *stored, (tmp_path / "saved.plan").read_bytes().decode(errors="replace")]:
        assert secrets_in(text, app, key) == []


def test_a_pasted_access_token_overrides_signing_in(jwt_env, app, api, monkeypatch):
    monkeypatch.setenv("CK_AE_ACCESS_TOKEN", "pasted-token")
    api.unit.token = "pasted-token"
    code, out = run("plan")
    assert code == 0 and app.grants == [], out
    api.unit.token = "another"  # the pasted token expires: it cannot be renewed, and the message says so
    code, out = run("plan")
    assert code == 1 and "CK_AE_ACCESS_TOKEN" in out and "pardot_api" in out and app.grants == [], out


def test_the_way_to_sign_in_needs_its_settings_and_one_kind_of_secret(key, workspace, monkeypatch):
    code, out = run("plan")
    assert code == 1 and "CK_AE_PRIVATE_KEY" in out and "CK_AE_REFRESH_TOKEN" in out, out
    monkeypatch.setenv("CK_AE_PRIVATE_KEY", pem(key))
    monkeypatch.setenv("CK_AE_REFRESH_TOKEN", REFRESH_TOKEN)
    code, out = run("plan")
    assert code == 1 and "both CK_AE_PRIVATE_KEY and CK_AE_REFRESH_TOKEN" in out, out
    monkeypatch.delenv("CK_AE_REFRESH_TOKEN")
    monkeypatch.setenv("CK_AE_PRIVATE_KEY", "-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----")
    code, out = run("plan")
    assert code == 1 and "does not hold an RSA private key" in out and "not a key" not in out, out
    config = workspace / "campaignkit.yaml"
    config.write_text(config.read_text().replace(f"      username: {USERNAME}\n", ""))
    code, out = run("plan")
    assert code == 1 and "JWT bearer flow and needs settings.username" in out, out


def test_an_unreachable_login_url_is_one_line_naming_it(jwt_env, workspace):
    config = workspace / "campaignkit.yaml"
    config.write_text(re.sub(r"login_url: \S+", "login_url: https://127.0.0.1:1", config.read_text()))
    code, out = run("plan")
    assert code == 1 and "token endpoint https://127.0.0.1:1" in out and "login_url" in out, out
    assert len(out.strip().splitlines()) == 1
