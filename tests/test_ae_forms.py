"""Forms on Account Engagement: created with their settings and tags through ``forms``, deleted, never
changed (the form page has no update, so a change is a manual step), read back for drift; the stand-in
server refuses what the form, form field and form handler pages do not allow; ``validate`` asks for what a
create needs (CK207)."""

from __future__ import annotations

import httpx
import pytest

from click.testing import CliRunner

from campaignkit.cli import main
from tests.ae_server import rows_for
from tests.ae_workspace import TOKEN, UNIT, run

DRAWING = "2026-event-acme-conf-drawing-form"
TRIAL = "2026-web-trial-signup-form"


def api(server) -> httpx.Client:
    return httpx.Client(base_url=f"{server.url}/api/v5/objects/",
                        headers={"Authorization": f"Bearer {TOKEN}", "Pardot-Business-Unit-Id": UNIT})


def refused(response: httpx.Response) -> tuple[int, int]:
    return response.status_code, response.json()["code"]


def ids(server, collection: str, key: str = "name") -> dict[str, int]:
    return {str(o[key]): o["id"] for o in server.unit.objects(collection)}


def form(server, name: str) -> dict:
    return next(o for o in server.unit.objects("forms") if o["name"] == name)


def forms_written(server) -> list[tuple[str, str | None, str | None]]:
    return [(r.method, r.parts[1], r.parts[2]) for r in server.unit.requests
            if r.parts[0] == "forms" and r.method != "GET"]


@pytest.fixture
def tagged(workspace):
    """The example workspace's forms, the drawing form carrying a tag."""
    forms = workspace / "forms.yaml"
    assert "tags: [events]" in forms.read_text()
    return forms


# The server refuses what the pages do not allow ---------------------------------------------------------------

def test_a_form_needs_a_campaign_and_a_layout_template_and_cannot_be_changed(server):
    template = server.unit.create("layout-templates", {"name": "Standard", "layoutContent": "<html></html>"})
    body = {"name": "Drawing", "campaignId": 1, "layoutTemplateId": template["id"], "submitButtonText": "Go"}
    with api(server) as client:
        assert refused(client.post("forms", json={"name": "Drawing", "campaignId": 1})) == (400, 153)
        assert refused(client.post("forms", json={**body, "embedCode": "<iframe>"})) == (400, 154)  # read-only
        assert refused(client.post("forms", json={**body, "fontSize": "11pt"})) == (400, 154)  # outside the enum
        made = client.post("forms", params={"fields": "name"}, json=body).json()
        assert refused(client.patch(f"forms/{made['id']}", json={"submitButtonText": "Enter"})) == (405, 60)
        assert client.delete(f"forms/{made['id']}").status_code == 204


def test_form_fields_can_be_created_but_neither_changed_nor_deleted(server):
    with api(server) as client:
        field = {"formId": 7, "prospectApiFieldId": "email", "dataFormat": "email"}
        assert refused(client.post("form-fields", json=field)) == (400, 153)  # a type is required
        assert refused(client.patch("form-fields/1", json={"label": "Email"})) == (405, 60)
        assert refused(client.delete("form-fields/1")) == (405, 60)


def test_form_handlers_take_no_tags_as_their_page_lists_none(server):
    handler = {"name": "Drawing", "folderId": 1, "campaignId": 2}
    with api(server) as client:
        made = client.post("form-handlers", params={"fields": "id"}, json=handler).json()
        tag = client.post("tags", params={"fields": "id"}, json={"name": "events"}).json()
        assert refused(client.post(f"form-handlers/{made['id']}/do/addTag", json={"tagId": tag["id"]})) == (404, 2)
        assert refused(client.get("tagged-objects", params={"fields": "id", "objectType": "form-handler"})) == (
            400, 51)


# The target follows them --------------------------------------------------------------------------------------

def test_forms_are_created_with_their_settings_and_tags_and_the_next_plan_sends_nothing(tagged, server):
    code, out = run("plan")
    assert f"+ form.{DRAWING}  (create; completion_actions, fields, title by hand)" in out, out
    code, out = run("apply", "--auto-approve")
    assert code == 0, out
    drawing = form(server, DRAWING)
    campaigns, folders, templates = ids(server, "campaigns"), ids(server, "folders", "path"), ids(server, "layout-templates")
    assert drawing["campaignId"] == campaigns["2026-capture-tablet-drawing-campaign"]
    assert drawing["folderId"] == folders["/Forms/Events"]
    assert drawing["layoutTemplateId"] == templates["Standard"]  # none declared: the one every unit has
    assert (drawing["submitButtonText"], drawing["redirectLocation"]) == (
        "Enter the drawing", "https://www.acme.example/conference/thanks")
    assert server.unit.tags_of("forms", DRAWING) == ["events"]
    assert sorted(o["name"] for o in server.unit.objects("forms")) == [DRAWING, TRIAL]
    assert server.unit.objects("form-fields") == []  # fields are a manual step
    assert all(rows_for(r) for r in server.unit.requests)
    code, out = run("plan", "--detailed-exitcode")
    assert code == 0 and out.startswith("No changes."), out
    code, out = run("refresh")
    assert code == 0 and "No drift" in out, out


def test_a_change_to_a_form_is_a_manual_step_and_its_tags_go_through_the_api(tagged, server):
    assert run("apply", "--auto-approve")[0] == 0
    tagged.write_text(tagged.read_text().replace("submit_label: Enter the drawing", "submit_label: Enter now")
                      .replace("tags: [events]", "tags: [events, trade-shows]"))
    code, out = run("plan")
    assert "In Account Engagement, go to Content > Forms; open '2026-event-acme-conf-drawing-form' and click " \
           'Edit and go to Completion Actions; set submit_label to "Enter now"; click Save.' in out, out
    server.unit.requests.clear()
    code, out = run("apply", "--auto-approve")
    assert code == 0, out
    made = ids(server, "tags")["trade-shows"]
    assert forms_written(server) == [("POST", str(form(server, DRAWING)["id"]), "addTag")]
    assert [r.body for r in server.unit.requests if r.parts[2] == "addTag"] == [{"tagId": made}]
    # Until a person makes it, the plan keeps the step: refresh reads the form as it still is.
    code, out = run("plan", "--detailed-exitcode")
    assert code == 2 and 'set submit_label to "Enter now"' in out, out
    server.unit.edit("forms", DRAWING, submitButtonText="Enter now")
    code, out = run("plan", "--detailed-exitcode")
    assert code == 0, out


def test_renaming_a_form_is_a_manual_step_that_sends_nothing(tagged, server):
    assert run("apply", "--auto-approve")[0] == 0
    renamed = "2026-event-acme-conf-tablet-form"
    for path in tagged.parent.rglob("*.yaml"):  # what refers to the form follows it
        path.write_text(path.read_text().replace(f"form.{DRAWING}", f"form.{renamed}"))
    tagged.write_text(tagged.read_text().replace(f"name: {DRAWING}\n", f"name: {renamed}\nmoved_from: form.{DRAWING}\n"))
    code, out = run("plan")
    assert f"In Account Engagement, go to Content > Forms; open '{DRAWING}' and click Edit and go to Completion " \
           f'Actions; set name to "{renamed}"; click Save.' in out, out
    server.unit.requests.clear()
    code, out = run("apply", "--auto-approve")
    assert code == 0, out
    assert forms_written(server) == []  # the form page has no update: nothing to send
    assert form(server, DRAWING)
    # Until a person renames it, refresh reads the old name and the plan keeps the step.
    code, out = run("plan", "--detailed-exitcode")
    assert code == 2 and f'set name to "{renamed}"' in out, out
    server.unit.edit("forms", DRAWING, name=renamed)
    code, out = run("plan", "--detailed-exitcode")
    assert code == 0, out


EXTRA = """\
kind: form
name: 2026-web-contact-form
campaign: campaign.2026-convert-trial-offer-campaign
fields: [{field: field.email, required: true}]
"""


def test_a_form_changed_in_the_ui_is_drift_and_one_removed_from_the_files_is_deleted(workspace, server):
    assert run("apply", "--auto-approve")[0] == 0
    server.unit.edit("forms", TRIAL, redirectLocation="https://www.acme.example/elsewhere")
    code, out = run("refresh")
    assert code == 0 and "https://www.acme.example/elsewhere" in out, out
    extra = workspace / "extra-form.yaml"
    extra.write_text(EXTRA)
    assert run("apply", "--auto-approve")[0] == 0
    made = form(server, "2026-web-contact-form")["id"]
    extra.unlink()
    server.unit.requests.clear()
    code, out = run("apply", "--auto-approve")
    assert code == 0, out
    assert forms_written(server) == [("DELETE", str(made), None)]
    assert sorted(o["name"] for o in server.unit.objects("forms")) == [DRAWING, TRIAL]


def test_a_declared_layout_template_is_sent_and_a_missing_one_is_named(workspace, server):
    forms = workspace / "forms.yaml"
    text = forms.read_text()
    forms.write_text(text.replace("folder: Forms/Web\n", "folder: Forms/Web\nlayout_template: Standard\n")
                     .replace("folder: Forms/Events\n", "folder: Forms/Events\nlayout_template: Booth\n"))
    code, out = run("apply", "--auto-approve")
    assert code == 1
    assert "the layout_template 'Booth' does not exist in the business unit; create it in Account Engagement " \
           "(Content > Layout Templates)" in out, out
    booth = server.unit.create("layout-templates", {"name": "Booth", "layoutContent": "<html></html>"})
    code, out = run("apply", "--auto-approve")
    assert code == 0, out
    assert form(server, DRAWING)["layoutTemplateId"] == booth["id"]
    code, out = run("plan", "--detailed-exitcode")
    assert code == 0, out  # a declared "Standard" is read back as declared


# validate asks for what a create needs ------------------------------------------------------------------------

HANDLER = """\
kind: form_handler
name: 2026-event-acme-conf-booth-form-handler
campaign: campaign.2026-capture-tablet-drawing-campaign
fields:
  - {field: field.email, format: email, required: true}
"""


def validate() -> tuple[int, str]:
    result = CliRunner().invoke(main, ["validate"], catch_exceptions=False)
    return result.exit_code, result.stdout + result.stderr


def test_validate_asks_for_the_folder_a_form_handler_needs_on_account_engagement(workspace):
    (workspace / "handlers.yaml").write_text(HANDLER)
    forms = workspace / "forms.yaml"
    forms.write_text(forms.read_text().replace("campaign: campaign.2026-convert-trial-offer-campaign\n", ""))
    code, out = validate()
    assert code == 1, out
    assert "handlers.yaml:2:7: CK207 error: form_handler.2026-event-acme-conf-booth-form-handler has no folder, " \
           "which account-engagement (environment 'production') requires to create a form_handler" in out, out
    assert f"form.{TRIAL} has no campaign" in out and "add campaign: campaign.NAME" in out, out


def test_validate_asks_nothing_of_a_workspace_without_account_engagement(workspace):
    (workspace / "handlers.yaml").write_text(HANDLER)
    config = workspace / "campaignkit.yaml"
    config.write_text(config.read_text().replace("target: account-engagement", "target: local"))
    code, out = validate()
    assert code == 0 and "CK207" not in out, out
