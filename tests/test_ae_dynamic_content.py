"""Dynamic content on Account Engagement: created with its variations and tags through dynamic-contents and
dynamic-content-variations; neither page documents an update or a delete, so every later change, and a
delete, is a manual step; the stand-in server refuses what the pages do not allow. The local target
creates, updates and deletes it as a platform would."""

from __future__ import annotations

import httpx
from click.testing import CliRunner

from campaignkit.cli import main
from tests.ae_server import rows_for
from tests.ae_workspace import TOKEN, UNIT, run

GREETING = "2026-web-greeting-dynamic-content"


def api(server) -> httpx.Client:
    return httpx.Client(base_url=f"{server.url}/api/v5/objects/",
                        headers={"Authorization": f"Bearer {TOKEN}", "Pardot-Business-Unit-Id": UNIT})


def written(server) -> list[tuple[str, str]]:
    return [(r.method, r.path) for r in server.unit.requests if r.method != "GET"]


def test_the_pages_allow_create_and_read_but_neither_update_nor_delete(server):
    with api(server) as client:
        made = client.post("dynamic-contents", params={"fields": "id"},
                           json={"name": "Greeting", "basedOnProspectApiFieldId": "country", "baseContent": "Hi"})
        assert made.status_code == 200, made.text
        content_id = made.json()["id"]
        for method in ("PATCH", "DELETE"):
            assert client.request(method, f"dynamic-contents/{content_id}").json()["code"] == 60
        variation = {"dynamicContentId": content_id, "operator": "equals", "value1": "Japan", "content": "Hello"}
        assert client.post("dynamic-content-variations", params={"fields": "id"}, json=variation).json()["code"] == 154
        variation["operator"] = "is"
        made = client.post("dynamic-content-variations", params={"fields": "id"}, json=variation)
        assert made.status_code == 200, made.text
        assert client.delete(f"dynamic-content-variations/{made.json()['id']}").json()["code"] == 60
        no_field = client.post("dynamic-contents", params={"fields": "id"}, json={"name": "No field"})
        assert no_field.json()["code"] == 153


def test_it_is_created_with_its_variations_as_the_pages_describe(workspace, server):
    code, out = run("apply", "--auto-approve")
    assert code == 0, out
    (content,) = server.unit.objects("dynamic-contents")
    assert (content["name"], content["basedOnProspectApiFieldId"]) == (GREETING, "country")
    assert content["baseContent"].startswith("<p>Welcome to Acme.")
    variations = server.unit.objects("dynamic-content-variations")
    assert [(v["dynamicContentId"], v["operator"], v["value1"]) for v in variations] == [
        (content["id"], "is", "Japan"), (content["id"], "is", "France")]
    assert server.unit.tags_of("dynamic-contents", GREETING) == ["web"]
    assert all(rows_for(r) for r in server.unit.requests)


def test_a_change_and_a_delete_are_manual_steps_that_send_nothing(workspace, server):
    assert run("apply", "--auto-approve")[0] == 0
    content = workspace / "content.yaml"
    content.write_text(content.read_text().replace("value: France", "value: Belgium"))
    code, out = run("plan")
    assert "In Account Engagement, go to Content > Dynamic Content; open '2026-web-greeting-dynamic-content' and " \
           "click Edit; set variations to" in out and '"value": "Belgium"' in out, out
    server.unit.requests.clear()
    assert run("apply", "--auto-approve")[0] == 0
    assert written(server) == []
    content.unlink()
    code, out = run("plan")
    assert "open '2026-web-greeting-dynamic-content' and click Edit; delete it and confirm." in out, out
    assert run("apply", "--auto-approve")[0] == 0
    assert written(server) == [] and len(server.unit.objects("dynamic-contents")) == 1


def test_a_variation_changed_in_the_ui_is_drift(workspace, server):
    assert run("apply", "--auto-approve")[0] == 0
    first = server.unit.objects("dynamic-content-variations")[0]["id"]
    server.unit.edit("dynamic-content-variations", first, content="<p>Changed by hand</p>")
    code, out = run("refresh")
    assert code == 0 and "Changed by hand" in out, out


def test_the_local_target_creates_updates_and_deletes_it(workspace):
    def sandbox(*args: str) -> str:
        result = CliRunner().invoke(main, [*args, "--env", "sandbox"])
        assert result.exit_code == 0, result.output
        return result.output

    assert "+ dynamic_content.2026-web-greeting-dynamic-content" in sandbox("apply", "--auto-approve")
    content = workspace / "content.yaml"
    content.write_text(content.read_text().replace("value: France", "value: Belgium"))
    out = sandbox("plan")
    assert "~ dynamic_content.2026-web-greeting-dynamic-content" in out and "by hand" not in out, out
    sandbox("apply", "--auto-approve")
    content.unlink()
    assert "- dynamic_content.2026-web-greeting-dynamic-content" in sandbox("apply", "--auto-approve")
    assert sandbox("plan").startswith("No changes.")
