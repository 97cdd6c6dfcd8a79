"""Form handlers on Account Engagement: the handler and its fields created, changed and deleted through
``form-handlers`` and ``form-handler-fields``, read back for drift, counted, and every request in the
stand-in server's table."""

from __future__ import annotations

import pytest

from tests.ae_server import rows_for
from tests.ae_workspace import run
from tests.test_ae_calls import said

NAME = "2026-event-acme-conf-booth-form-handler"
HANDLER = f"""\
kind: form_handler
name: {NAME}
campaign: campaign.2026-capture-tablet-drawing-campaign
folder: Forms/Events
success_url: https://www.acme.example/conference/thanks
error_url: https://www.acme.example/conference/drawing
kiosk: true
fields:
  - {{field: field.email, format: email, required: true, error_message: We need your email}}
  - {{field: field.first_name, required: false}}
  - {{field: field.employees, input: team_size, format: number}}
  - {{field: field.product_interest, keep_first_value: true}}
completion_actions:
  - add_to_list: list.2026-event-acme-conf-list
"""


@pytest.fixture
def handler(workspace, server):
    """The workspace with a form handler in it, filed in the folder of the workspace's drawing form."""
    assert "/Forms/Events" in {f["path"] for f in server.unit.objects("folders")}
    path = workspace / "handlers.yaml"
    path.write_text(HANDLER)
    return path


def fields_sent(server) -> list[tuple[str, str | None]]:
    return [(r.method, r.parts[1]) for r in server.unit.requests if r.parts[0] == "form-handler-fields"
            and r.method != "GET"]


def test_plan_apply_then_nothing_to_send(handler, server):
    code, out = run("apply", "--auto-approve")
    assert code == 0, out
    [made] = server.unit.objects("form-handlers")
    assert (made["name"], made["isCookieless"], made["isDataForwarded"]) == (NAME, True, False)
    assert made["successLocation"] == "https://www.acme.example/conference/thanks"
    fields = sorted(server.unit.objects("form-handler-fields"), key=lambda f: f["id"])
    assert [(f["name"], f["prospectApiFieldId"], f["dataFormat"], f["isRequired"]) for f in fields] == [
        ("email", "email", "email", True), ("firstName", "firstName", "text", False),
        ("team_size", "employees", "number", False), ("Product_Interest__c", "Product_Interest__c", "text", False)]
    assert {f["formHandlerId"] for f in fields} == {made["id"]}
    assert fields[3]["isMaintainInitialValue"] and fields[0]["errorMessage"] == "We need your email"
    code, out = run("plan", "--detailed-exitcode")
    assert code == 0 and out.startswith("No changes."), out
    code, out = run("refresh")
    assert code == 0 and "No drift" in out, out


def test_completion_actions_are_a_manual_step_with_the_clicks(handler):
    code, out = run("plan")
    assert code == 0, out
    assert f"Content > Form Handlers; open '{NAME}' and click Edit and go to Completion Actions; " \
           'set completion_actions to [{"add_to_list": "list.2026-event-acme-conf-list"}]; click Save.' in out, out


def field_id(server, api_name: str) -> str:
    return str(next(f["id"] for f in server.unit.objects("form-handler-fields") if f["prospectApiFieldId"] == api_name))


def test_a_changed_field_is_one_patch_and_a_removed_field_one_delete(handler, server):
    assert run("apply", "--auto-approve")[0] == 0
    employees, interest = field_id(server, "employees"), field_id(server, "Product_Interest__c")
    handler.write_text(HANDLER.replace("input: team_size", "input: company_size")
                       .replace("  - {field: field.product_interest, keep_first_value: true}\n", ""))
    server.unit.requests.clear()
    code, out = run("apply", "--auto-approve")
    assert code == 0, out
    assert sorted(fields_sent(server)) == [("DELETE", interest), ("PATCH", employees)]
    assert [r.body for r in server.unit.requests if r.method == "PATCH"] == [{"name": "company_size"}]
    assert [f["name"] for f in server.unit.objects("form-handler-fields")] == ["email", "firstName", "company_size"]
    assert run("plan", "--detailed-exitcode")[0] == 0


def test_a_field_changed_in_the_ui_is_drift(handler, server):
    assert run("apply", "--auto-approve")[0] == 0
    server.unit.edit("form-handler-fields", "team_size", isRequired=True)
    code, out = run("refresh")
    assert code == 0 and f"form_handler.{NAME}" in out and "required" in out, out


def test_the_plan_counts_the_calls_for_the_fields(handler, server):
    assert run("apply", "--auto-approve")[0] == 0
    handler.write_text(HANDLER.replace("input: team_size", "input: company_size")
                       .replace("  - {field: field.product_interest, keep_first_value: true}\n", ""))
    code, out = run("plan", "--out", "next.ckplan")
    assert code == 0, out
    total, writes, _ = said(out)
    assert writes == 2
    server.unit.requests.clear()
    assert run("apply", "next.ckplan", "--auto-approve")[0] == 0
    assert total == len(server.unit.requests)


def test_every_request_for_form_handlers_is_in_the_table(handler, server):
    assert run("apply", "--auto-approve")[0] == 0
    handler.write_text(HANDLER.replace("kiosk: true", "kiosk: false").replace("input: team_size", "input: size")
                       .replace("  - {field: field.product_interest, keep_first_value: true}\n", ""))
    for command in (["refresh"], ["plan"], ["apply", "--auto-approve"]):
        assert run(*command)[0] == 0
    handler.unlink()
    assert run("apply", "--auto-approve")[0] == 0
    requests = [r for r in server.unit.requests if r.parts[0].startswith("form-handler")]
    rows = [row for request in requests for row in rows_for(request)]  # LookupError: one outside the table
    assert rows and all(row.source.startswith("https://") for row in rows)
    assert {(r.parts[0], r.method) for r in requests} >= {
        ("form-handlers", "POST"), ("form-handlers", "PATCH"), ("form-handlers", "DELETE"),
        ("form-handlers", "GET"), ("form-handler-fields", "POST"), ("form-handler-fields", "PATCH"),
        ("form-handler-fields", "DELETE"), ("form-handler-fields", "GET")}
    assert server.unit.objects("form-handlers") == []
