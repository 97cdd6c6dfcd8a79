"""Shared fixtures: a real PostgreSQL server for the state tests, state URLs for both stores, and
(from ``ae_workspace``) the example workspace against the stand-in Account Engagement server.

The PostgreSQL server is started once per test session (once per xdist worker)
from the binaries of Debian's ``postgresql`` package, in a temporary folder,
on a free port of 127.0.0.1; every test that asks for it gets a database of
its own. PostgreSQL refuses to run as root, so as root the server runs as the
``postgres`` user.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

import psycopg
import pytest

#: The stand-in Account Engagement server and the example workspace applied to it.
pytest_plugins = ["tests.ae_workspace"]


@dataclass(frozen=True)
class PostgresServer:
    host: str
    port: int

    def url(self, database: str) -> str:
        return f"postgresql://postgres@{self.host}:{self.port}/{database}"

    def new_database(self) -> str:
        """The URL of a new, empty database on the server."""
        name = f"ck_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(self.url("postgres"), autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)


def _postgres_bin() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3]))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    if initdb:
        return Path(initdb).resolve().parent
    pytest.fail("PostgreSQL server binaries (initdb, pg_ctl) not found: install Debian's 'postgresql' package "
                "(apt-get install postgresql); the PostgreSQL state store is tested against a real server",
                pytrace=False)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _as_postgres(command: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """A PostgreSQL server of its own for this test session, stopped at the end."""
    bin_dir = _postgres_bin()
    base = Path(tempfile.mkdtemp(prefix="ck-pg-"))
    if os.geteuid() == 0:
        shutil.chown(base, "postgres")
    data, log = base / "data", base / "server.log"
    subprocess.run(_as_postgres([str(bin_dir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust",
                                 "--no-sync", "-E", "UTF8"]), check=True, capture_output=True)
    port = _free_port()
    options = f"-p {port} -k {base} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off"
    started = subprocess.run(_as_postgres([str(bin_dir / "pg_ctl"), "-D", str(data), "-o", options,
                                           "-l", str(log), "-w", "start"]), capture_output=True, text=True)
    if started.returncode != 0:
        pytest.fail(f"PostgreSQL did not start: {started.stderr}\n{log.read_text() if log.exists() else ''}")
    try:
        yield PostgresServer("127.0.0.1", port)
    finally:
        subprocess.run(_as_postgres([str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]),
                       capture_output=True)
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def postgres_url(postgres_server: PostgresServer) -> str:
    """The URL of a fresh database on the session's PostgreSQL server."""
    return postgres_server.new_database()


@pytest.fixture(params=["sqlite", "postgresql"])
def state_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A state URL for each store: every test that uses it runs against SQLite and PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:{tmp_path / 'state.db'}"
    return request.getfixturevalue("postgres_url")



#: A small workspace for plan and apply tests: fields, lists, two emails and a program that uses them.
SMALL_WORKSPACE = {
    "campaignkit.yaml": """\
workspace: acme
default_environment: sandbox
environments:
  sandbox:
    target: local
  production:
    target: local
    protect: ["program.*"]
vars:
  company_address: "Acme Inc, 1-2-3 Shibuya, Tokyo"
""",
    "fields.yaml": """\
kind: field
name: first_name
type: text
default: Friend
---
kind: field
name: industry
type: enum
values: [software, retail]
default: software
""",
    "lists.yaml": """\
kind: list
name: 2026-event-acme-conf-list
type: static
description: People who registered for Acme Conf
---
kind: list
name: global-suppression-list
type: static
""",
    "emails.yaml": """\
kind: email
name: 2026-email-welcome-email
subject: Welcome to Acme Conf
preheader: Your ticket and what comes next
from: {name: Acme Events, address: events@acme.example}
template: templates/welcome.mjml
text: auto
---
kind: email
name: 2026-email-reminder-email
subject: Acme Conf starts soon
preheader: Three days to go
from: {name: Acme Events, address: events@acme.example}
template: templates/reminder.mjml
text: auto
""",
    "programs.yaml": """\
kind: program
name: 2026-nurture-welcome-program
recipients: {include: [list.2026-event-acme-conf-list], exclude: [list.global-suppression-list]}
schedule: {days: [mon, tue, wed, thu, fri], hours: "09:00-17:00", timezone: Asia/Tokyo}
start: welcome
steps:
  welcome:  {send_email: email.2026-email-welcome-email, next: opened}
  opened:   {trigger: email_opened, email: email.2026-email-welcome-email, within: 3d, yes: done, no: reminder}
  reminder: {send_email: email.2026-email-reminder-email, next: done}
  done:     {end: true}
""",
    "templates/welcome.mjml": """\
<mjml>
  <mj-body>
    <mj-section>
      <mj-column>
        <mj-text>Hello {{ first_name }},</mj-text>
        <mj-text>Welcome to Acme Conf. Your ticket is attached.</mj-text>
        <mj-text><a href="{{ unsubscribe_url }}">Unsubscribe</a> {{ company_address }}</mj-text>
      </mj-column>
    </mj-section>
  </mj-body>
</mjml>
""",
    "templates/reminder.mjml": """\
<mjml>
  <mj-body>
    <mj-section>
      <mj-column>
        <mj-text>Hello {{ first_name }},</mj-text>
        <mj-text>Acme Conf starts in three days.</mj-text>
        <mj-text><a href="{{ unsubscribe_url }}">Unsubscribe</a> {{ company_address }}</mj-text>
      </mj-column>
    </mj-section>
  </mj-body>
</mjml>
""",
}


def write_files(root: Path, files: dict[str, str]) -> Path:
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


@pytest.fixture
def small_workspace(tmp_path: Path) -> Path:
    """A copy of ``SMALL_WORKSPACE`` in a temporary folder; tests edit its files freely."""
    return write_files(tmp_path / "ws", SMALL_WORKSPACE)


class Rig:
    """A workspace with its state store and local target, for planning and applying in library tests.

    An email's body is its template's source rather than the rendered HTML,
    so that these tests are about planning and applying, not rendering (the
    command-line tests render for real).
    """

    def __init__(self, root: Path, environment: str = "sandbox") -> None:
        from campaignkit.state import open_store
        from campaignkit.targets.local import open_local
        from campaignkit.workspace.loading import load_workspace

        self.root = root
        workspace, _ = load_workspace(root)
        self.environment = workspace.config.environment(environment)
        self.store = open_store(self.environment, root, workspace.config.workspace)
        self.target = open_local(self.environment, workspace)

    def workspace(self):
        from campaignkit.workspace.loading import load_workspace

        workspace, diagnostics = load_workspace(self.root)
        assert not [d for d in diagnostics if d.is_error], diagnostics
        return workspace

    def render(self, resource) -> dict[str, str]:
        source = (self.root / resource.data["template"]).read_text(encoding="utf-8")
        return {"html_body": source, "text_body": source.replace("<mj-text>", "").replace("</mj-text>", "")}

    def plan(self, **options):
        from campaignkit.plan import plan_workspace

        return plan_workspace(self.workspace(), self.environment, self.store.read(), self.target,
                              render=self.render, **options)

    def apply(self, plan=None, **options):
        from campaignkit.plan.apply import apply_plan

        return apply_plan(plan or self.plan(), self.store, self.target, **options)

    def edit(self, relative: str, old: str, new: str) -> None:
        path = self.root / relative
        text = path.read_text(encoding="utf-8")
        assert old in text, f"{old!r} not in {relative}"
        path.write_text(text.replace(old, new), encoding="utf-8")

    def target_rows(self) -> list[tuple]:
        """The local target's objects, as (kind, name, attributes JSON), read straight from its database."""
        import sqlite3

        with sqlite3.connect(self.target.path) as db:
            return db.execute("SELECT kind, name, attributes FROM ck_objects ORDER BY kind, name").fetchall()

    def close(self) -> None:
        self.store.close()
        self.target.close()


@pytest.fixture
def make_rig(small_workspace: Path) -> Iterator[Callable[..., Rig]]:
    """Opens rigs on the small workspace (``make_rig("production")``); closes them after the test."""
    opened: list[Rig] = []

    def make(environment: str = "sandbox") -> Rig:
        opened.append(Rig(small_workspace, environment))
        return opened[-1]

    yield make
    for each in opened:
        each.close()


@pytest.fixture
def rig(make_rig: Callable[..., Rig]) -> Rig:
    """The small workspace's sandbox environment, ready to plan and apply."""
    return make_rig()


def pytest_configure(config: pytest.Config) -> None:
    """Commands that keep results in the user's cache folder (validate's memo) keep them in one of the
    run's own, not in the home folder of whoever runs the suite."""
    os.environ["XDG_CACHE_HOME"] = tempfile.mkdtemp(prefix="ck-test-cache-")
