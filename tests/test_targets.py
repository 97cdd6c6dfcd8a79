"""A platform is added as a target type: its merge language reaches checks and plans, the email package unchanged."""

from __future__ import annotations

from pathlib import Path
from typing import Mapping

import pytest

from campaignkit.checks import validate
from campaignkit.plan import plan_workspace
from campaignkit.state import open_store
from campaignkit.targets import TARGET_TYPES, Target, TargetType, merge_language, open_target
from campaignkit.targets.local import open_local
from campaignkit.workspace.loading import load_workspace
from campaignkit.workspace.model import Environment, Resource, Workspace
from tests.test_ae_merge import EMAIL, MORE_FIELDS, page
from tests.workspaces import CONFIG, write_workspace

PLATFORM = "star-platform"


class StarMergeLanguage:
    """A merge language unlike Account Engagement's: ``*|FIRST_NAME|*``, and ``*|IF:...|*`` for a fallback."""

    name = "Star merge tags"
    fallbacks = True
    links: Mapping[str, str] = {"unsubscribe_url": "*|UNSUB|*", "preferences_url": "*|UPDATE_PROFILE|*",
                                "view_online_url": "*|ARCHIVE|*"}

    def expression(self, field: Resource) -> str:
        return field.name.upper()

    def tag(self, expression: str, fallback: str) -> str:
        tag = f"*|{expression}|*"
        return f"*|IF:{expression}|*{tag}*|ELSE:|*{fallback}*|END:IF|*" if fallback else tag


def open_star(environment: Environment, workspace: Workspace) -> Target:
    """The platform, played by a local database."""
    return open_local(environment, workspace)


def star_language(environment: Environment) -> StarMergeLanguage:
    """Every environment on the platform speaks its one merge language."""
    return StarMergeLanguage()


@pytest.fixture(autouse=True)
def star_platform(monkeypatch):
    """The platform registered as a target type, as its module would be."""
    monkeypatch.setitem(TARGET_TYPES, PLATFORM, TargetType(f"{__name__}:open_star", star_language))


def workspace(tmp_path: Path, content: str) -> Workspace:
    """A workspace with one email, whose ``star`` environment deploys to the platform."""
    config = CONFIG.replace("vars:", f"  star:\n    target: {PLATFORM}\n    state: sqlite:.campaignkit/star.db\nvars:")
    root = write_workspace(tmp_path / "ws", {"campaignkit.yaml": config, "fields.yaml": MORE_FIELDS,
                                             "emails.yaml": EMAIL, "templates/mail.mjml": page(content)})
    loaded, diagnostics = load_workspace(root)
    assert loaded is not None, diagnostics
    return loaded


def test_its_merge_language_is_what_ck440_speaks_of(tmp_path):
    found = [d for d in validate(workspace(tmp_path, "<mj-text>Hi {{ first_name | upper }}</mj-text>"),
                                 merge_language) if d.code == "CK440"]
    assert [d.message for d in found] == [
        "'first_name' is passed to the filter 'upper', which Star merge tags (environment 'star') cannot say; "
        "print it plainly as {{ first_name }}"]


def test_its_plan_sends_the_email_with_its_tags(tmp_path):
    loaded = workspace(tmp_path, "<mj-text>Hi {{ first_name }} of {{ department }}</mj-text>")
    environment = loaded.config.environment("star")
    store, target = open_store(environment, loaded.root, "acme"), open_target(environment, loaded)
    try:
        plan = plan_workspace(loaded, environment, store.read(), target)
    finally:
        store.close()
        target.close()
    [email] = [change for change in plan.changes if change.kind == "email"]
    assert "Hi *|IF:FIRST_NAME|**|FIRST_NAME|**|ELSE:|*there*|END:IF|* of *|DEPARTMENT|*" in email.content["html_body"]
    assert 'href="*|UNSUB|*"' in email.content["html_body"]
    assert email.after["subject"] == "Welcome, *|IF:FIRST_NAME|**|FIRST_NAME|**|ELSE:|*there*|END:IF|*"
