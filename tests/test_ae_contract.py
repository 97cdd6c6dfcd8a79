"""The published v5 contract: the stand-in server refuses what the pages do not allow, and the
account-engagement target sends only what they list (every request it makes is in the server's table).
"""

from __future__ import annotations

import threading
from pathlib import Path

import httpx
import pytest

from campaignkit.errors import UserError
from campaignkit.targets import ObjectNotFound, TargetError
from campaignkit.targets.account_engagement import api_url
from campaignkit.targets.ae_client import AEClient
from campaignkit.workspace.loading import load_workspace
from campaignkit.workspace.model import Environment
from tests.ae_server import COLLECTIONS, MAX_CONCURRENT, Server, markdown, rows_for
from tests.ae_workspace import TOKEN, UNIT, names, run

DOCS = Path(__file__).resolve().parent.parent / "docs" / "account-engagement.md"


def api(server: Server) -> httpx.Client:
    """A client that speaks to the server directly (it trusts the certificate through SSL_CERT_FILE)."""
    return httpx.Client(base_url=f"{server.url}/api/v5/objects/",
                        headers={"Authorization": f"Bearer {TOKEN}", "Pardot-Business-Unit-Id": UNIT})


def refused(response: httpx.Response) -> tuple[int, int]:
    return response.status_code, response.json()["code"]


# The server refuses what the pages do not allow ---------------------------------------------------------------

def test_an_unknown_collection_is_a_404_without_an_api_error(server):
    with api(server) as client:
        for path in ("customFields", "emailTemplates", "programs"):
            response = client.get(path, params={"fields": "id"})
            assert response.status_code == 404 and response.text == "Not Found", path
        missing = client.get("lists/999", params={"fields": "id"})
    assert refused(missing) == (404, 109)  # a documented collection without that object


def test_reads_need_fields_and_get_only_the_fields_asked_for(server):
    folder = server.unit.create("folders", {"name": "Events", "path": "/Lists/Events"})
    with api(server) as client:
        assert refused(client.get("folders")) == (400, 13)
        assert client.get("folders", params={"fields": "path"}).json()["values"] == [
            {"id": folder["id"], "path": "/Lists/Events"}]
        assert refused(client.get("folders", params={"fields": "path,color"})) == (400, 51)
        # A query cannot return an email's bodies; a read of one email can.
        assert refused(client.get("email-templates", params={"fields": "name,htmlMessage"})) == (400, 51)


@pytest.mark.parametrize("field", ["apiFieldId", "id", "createdAt"])
def test_a_read_only_field_in_a_body_is_refused(server, field):
    body = {"name": "Interest", "fieldId": "Interest", "type": "Text", field: "x"}
    with api(server) as client:
        assert refused(client.post("custom-fields", json=body)) == (400, 154)
    assert server.unit.objects("custom-fields") == []


def test_values_outside_a_documented_enum_are_refused(server):
    with api(server) as client:
        assert refused(client.post("custom-fields", json={"name": "I", "fieldId": "I", "type": "text"})) == (400, 154)
        # tagged-objects' objectType is lowercase and hyphenated.
        for object_type in ("List", "EmailTemplate", "CustomField"):
            query = {"fields": "tagId", "objectType": object_type}
            assert refused(client.get("tagged-objects", params=query)) == (400, 51)
        assert client.get("tagged-objects", params={"fields": "tagId", "objectType": "email-template"}).is_success


def test_form_handlers_and_their_fields_take_only_what_their_pages_list(server):
    handler = {"name": "Drawing", "folderId": 1, "campaignId": 2, "isCookieless": True,
               "successLocation": "https://www.acme.example/thanks"}
    field = {"name": "email", "dataFormat": "email", "prospectApiFieldId": "email", "isRequired": True}
    with api(server) as client:
        assert refused(client.post("form-handlers", json={"name": "Drawing"})) == (400, 153)
        assert refused(client.post("form-handlers", json={**handler, "embedCode": "<form>"})) == (400, 154)
        made = client.post("form-handlers", params={"fields": "id"}, json=handler).json()
        assert refused(client.post("form-handler-fields", json=field)) == (400, 153)  # whose field?
        field["formHandlerId"] = made["id"]
        assert refused(client.post("form-handler-fields", json={**field, "dataFormat": "phone"})) == (400, 154)
        assert client.post("form-handler-fields", json=field).is_success
        assert refused(client.post(f"form-handler-fields/{made['id']}/do/addTag", json={"tagId": 1})) == (404, 2)
    assert [f["formHandlerId"] for f in server.unit.objects("form-handler-fields")] == [made["id"]]


def test_the_platform_derives_apifieldid_from_fieldid(server):
    with api(server) as client:
        made = client.post("custom-fields", params={"fields": "fieldId,apiFieldId"},
                           json={"name": "Interest", "fieldId": "Product_Interest", "type": "Dropdown"}).json()
    assert (made["fieldId"], made["apiFieldId"]) == ("Product_Interest", "Product_Interest__c")


def test_pages_carry_a_token_and_a_url_and_limit_is_at_most_1000(server):
    for n in range(5):
        server.unit.create("folders", {"name": f"f{n}", "path": f"/f{n}"})
    with api(server) as client:
        first = client.get("folders", params={"fields": "name", "limit": 1000}).json()
        second = client.get(first["nextPageUrl"]).json()
        assert refused(client.get("folders", params={"fields": "name", "limit": 1001})) == (400, 23)
    assert len(first["values"]) == 4 and first["nextPageToken"]  # the server's page here is shorter
    assert [v["name"] for v in second["values"]] == ["f4"] and second["nextPageUrl"] is None


def test_an_operation_a_page_does_not_list_is_refused(server):
    with api(server) as client:
        assert refused(client.post("folders", json={"name": "x"})) == (405, 60)
        assert refused(client.delete("tagged-objects/1")) == (405, 60)


def test_a_sixth_request_at_once_gets_error_66(server):
    server.unit.hold.clear()  # requests wait at the server, each counted as running
    answers: list[int] = []
    with api(server) as client:
        held = [threading.Thread(target=lambda: answers.append(client.get("lists", params={"fields": "id"})
                                                                .status_code)) for _ in range(MAX_CONCURRENT)]
        for thread in held:
            thread.start()
        while server.unit.active < MAX_CONCURRENT:
            threading.Event().wait(0.01)
        sixth = client.get("lists", params={"fields": "id"})
        server.unit.hold.set()
        for thread in held:
            thread.join()
    assert refused(sixth) == (429, 66)
    assert answers == [200] * MAX_CONCURRENT


def test_a_token_without_the_pardot_api_scope_gets_184(server):
    server.unit.scopes = set()
    with api(server) as client:
        assert refused(client.get("lists", params={"fields": "id"})) == (401, 184)


# The target follows the contract ------------------------------------------------------------------------------

def test_campaigns_applied_to_the_documented_server_leaves_nothing_to_send(workspace, server):
    """Done when: every list, custom field, email template, form and dynamic content is created, with the
    declared tags, and the next plan shows nothing to send and no drift."""
    code, out = run("apply", "--auto-approve")
    assert code == 0, out
    declared, _ = load_workspace(workspace)
    assert names(server, "lists") == sorted(r.name for r in declared.of_kind("list"))
    assert names(server, "email-templates") == sorted(r.name for r in declared.of_kind("email"))
    assert names(server, "forms") == sorted(r.name for r in declared.of_kind("form"))
    custom = [r for r in declared.of_kind("field") if r.attributes.get("custom")]
    assert sorted(o["apiFieldId"] for o in server.unit.objects("custom-fields")) == sorted(
        r.attributes["api_name"] for r in custom)
    assert names(server, "dynamic-contents") == sorted(r.name for r in declared.of_kind("dynamic_content"))
    assert len(server.unit.objects("dynamic-content-variations")) == sum(
        len(r.attributes["variations"]) for r in declared.of_kind("dynamic_content"))
    collections = {"list": "lists", "email": "email-templates", "field": "custom-fields", "form": "forms",
                   "dynamic_content": "dynamic-contents"}
    tagged = [r for kind in collections for r in declared.of_kind(kind) if r.attributes.get("tags")]
    assert {r.kind for r in tagged} >= {"list", "form", "dynamic_content"}, "the example workspace declares tags"
    for resource in tagged:
        name = resource.attributes["label"] if resource.kind == "field" else resource.name
        assert server.unit.tags_of(collections[resource.kind], name) == sorted(resource.attributes["tags"])
    code, out = run("plan", "--detailed-exitcode")
    assert code == 0 and out.startswith("No changes."), out
    code, out = run("refresh")
    assert code == 0 and "No drift" in out, out


def test_every_request_the_target_makes_is_in_the_table_with_its_source(workspace, server):
    retag = workspace / "lists.yaml"
    assert run("apply", "--auto-approve")[0] == 0
    retag.write_text(retag.read_text().replace("tags: [events]", "tags: [trade-shows]", 1))
    server.unit.tag("email-templates", "2026-web-trial-welcome-email", "added-by-hand")
    for command in (["refresh"], ["plan"], ["apply", "--auto-approve"]):
        assert run(*command)[0] == 0
    requests = server.unit.requests
    rows = [row for request in requests for row in rows_for(request)]  # LookupError: one outside the table
    assert rows and all(row.source.startswith("https://") for row in rows)
    reached = {request.parts[0] for request in requests}
    assert reached >= {"lists", "custom-fields", "email-templates", "forms", "tags", "tagged-objects", "folders",
                       "campaigns", "layout-templates", "engagement-studio-programs", "dynamic-contents",
                       "dynamic-content-variations"}
    sent = {(r.method, r.parts[2]) for r in requests}
    assert {("POST", "addTag"), ("POST", "removeTag"), ("POST", None), ("GET", None)} <= sent
    assert {r.query["objectType"] for r in requests if "objectType" in r.query} == {
        "list", "email-template", "custom-field", "form", "dynamic-content"}


def test_a_wrong_path_is_an_error_naming_the_url_never_an_object_gone(server):
    wrong = AEClient(f"{server.url}/wrong", TOKEN, UNIT)
    with pytest.raises(TargetError, match=rf"no API at GET {server.url}/wrong/api/v5/objects/lists/5") as raised:
        wrong.read("lists", "5", ("name",))
    assert not isinstance(raised.value, ObjectNotFound)
    with pytest.raises(TargetError, match="no API at DELETE") as raised:
        wrong.delete("customFields", "5")
    assert not isinstance(raised.value, ObjectNotFound)
    wrong.close()
    right = AEClient(server.url, TOKEN, UNIT)
    assert right.read("lists", "5", ("name",)) is None  # a documented collection without that object
    with pytest.raises(ObjectNotFound):
        right.delete("lists", "5")
    right.close()


def test_a_wrong_base_url_stops_the_plan_naming_the_url(workspace, server):
    config = workspace / "campaignkit.yaml"
    config.write_text(config.read_text().replace(server.url, f"{server.url}/pardot"))
    code, out = run("plan")
    assert code == 1 and f"no API at GET {server.url}/pardot/api/v5/objects/lists" in out, out
    assert run("state", "list") == (0, "")


def test_a_token_without_the_scope_is_told_so(workspace, server):
    server.unit.scopes = set()
    code, out = run("plan")
    assert code == 1 and "pardot_api scope" in out and TOKEN not in out, out


def test_production_and_sandbox_hosts_are_a_setting():
    def environment(**settings: object) -> Environment:
        return Environment("production", "account-engagement", settings={"business_unit_id": UNIT, **settings})

    assert api_url(environment()) == "https://pi.pardot.com"
    assert api_url(environment(sandbox=False)) == "https://pi.pardot.com"
    assert api_url(environment(sandbox=True)) == "https://pi.demo.pardot.com"
    assert api_url(environment(sandbox=True, base_url="https://proxy.acme.example")) == "https://proxy.acme.example"
    with pytest.raises(UserError, match="settings.sandbox is true .* or false"):
        api_url(environment(sandbox="yes"))


def test_a_change_of_tags_alone_sends_no_patch(workspace, server):
    code, out = run("apply", "--auto-approve")
    assert code == 0, out
    lists = workspace / "lists.yaml"
    lists.write_text(lists.read_text().replace("tags: [events]", "tags: [events, trade-shows]", 1))
    server.unit.requests.clear()
    code, out = run("apply", "--auto-approve")
    assert code == 0, out
    assert [r.method for r in server.unit.requests if r.method in ("PATCH", "POST") and r.parts[2] is None] == [
        "POST"]  # the new tag itself; the list is not patched
    assert server.unit.tags_of("lists", "2026-event-acme-conf-list") == ["events", "trade-shows"]


def test_the_table_is_in_the_docs_with_its_pages():
    text = DOCS.read_text()
    assert markdown() in text, "regenerate the table: python -m tests.ae_server"
    for collection in COLLECTIONS.values():
        assert collection.source in text
