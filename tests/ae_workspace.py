"""The example workspace applied to the stand-in Account Engagement server: fixtures and helpers.

Tests of the account-engagement target import the fixtures (``certificate``,
``server``, ``workspace``); ``use_server`` and ``furnish`` also serve the
calls benchmark, which points a generated workspace at the same server.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from campaignkit.cli import main
from campaignkit.targets.account_engagement import TOKEN_VARIABLE
from campaignkit.targets.ae_mapping import DEFAULT_LAYOUT_TEMPLATE
from campaignkit.workspace.loading import load_workspace
from tests.ae_server import BusinessUnit, Server, make_certificate

EXAMPLE = Path(__file__).resolve().parent.parent / "campaigns"
TOKEN = "00Dxx0000001gPL!AQ4AQFake.token.value.for.tests"
UNIT = "0Uv000000000001AAA"
ENVIRONMENT = "production"


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    return make_certificate(tmp_path_factory.mktemp("tls"))


@pytest.fixture
def server(certificate, monkeypatch):
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate[0]))
    running = Server(BusinessUnit(TOKEN, UNIT, page_size=4), certificate)
    yield running
    running.stop()


@pytest.fixture
def workspace(tmp_path, server, monkeypatch):
    """The example workspace, its production environment pointed at the local server."""
    root = tmp_path / "campaigns"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns(".campaignkit"))
    use_server(root, server.url)
    monkeypatch.setenv("CK_AE_BUSINESS_UNIT", UNIT)
    monkeypatch.setenv(TOKEN_VARIABLE, TOKEN)
    monkeypatch.chdir(root)
    furnish(server.unit, root)
    return root


def use_server(root: Path, url: str) -> None:
    """Makes the workspace's ``production`` environment apply to the server at ``url``."""
    config = root / "campaignkit.yaml"
    text = re.sub(r"(?m)^  production:\n(?:    .*\n)*", "", config.read_text())
    config.write_text(text.replace("environments:\n", f"""environments:
  {ENVIRONMENT}:
    target: account-engagement
    state: sqlite:.campaignkit/{ENVIRONMENT}.db
    settings:
      business_unit_id: "${{CK_AE_BUSINESS_UNIT}}"
      base_url: {url}
""", 1))


def furnish(unit: BusinessUnit, root: Path) -> None:
    """The folders and campaigns the workspace's lists, emails and forms name, and the layout template every
    business unit starts with, made "in the UI" as the API cannot."""
    workspace, _ = load_workspace(root)
    unit.create("layout-templates", {"name": DEFAULT_LAYOUT_TEMPLATE, "layoutContent": "<html>%%content%%</html>"})
    placed = [r.attributes for kind in ("list", "email", "form", "dynamic_content") for r in workspace.of_kind(kind)]
    for path in sorted({a["folder"] for a in placed if "folder" in a}):
        unit.create("folders", {"name": path.rsplit("/", 1)[-1], "path": f"/{path}"})
    for address in sorted({a["campaign"] for a in placed if "campaign" in a}):
        unit.create("campaigns", {"name": address.removeprefix("campaign.")})


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, [*args, "--env", ENVIRONMENT], catch_exceptions=False)
    return result.exit_code, result.stdout + result.stderr


def names(server: Server, collection: str) -> list[str]:
    return sorted(o["name"] for o in server.unit.objects(collection))
