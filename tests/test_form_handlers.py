"""Form handlers: declared, checked, planned and applied like every kind."""

from __future__ import annotations

import json

from click.testing import CliRunner

from campaignkit.cli import main
from tests.workspaces import write_workspace

HANDLER = """\
kind: form_handler
name: 2026-event-acme-conf-drawing-form-handler
campaign: campaign.2026-event-acme-conf-campaign
success_url: https://www.acme.example/conference/thanks
error_url: https://www.acme.example/conference/drawing
kiosk: true
fields:
  - {field: field.first_name, required: true, error_message: Tell us your first name}
  - {field: field.employees, input: team_size, format: number}
completion_actions:
  - add_to_list: list.2026-event-acme-conf-list
"""


def run(root, *args):
    return CliRunner().invoke(main, ["--chdir", str(root), *args])


def changes(plan_json: str) -> dict[str, list[str]]:
    return {c["address"]: c["change"]["actions"] for c in json.loads(plan_json)["resource_changes"]}


def test_a_form_handler_is_a_valid_resource(tmp_path):
    result = run(write_workspace(tmp_path, {"handler.yaml": HANDLER}), "validate")
    assert result.exit_code == 0, result.output


def test_a_form_handler_field_must_be_declared(tmp_path):
    broken = HANDLER.replace("field.employees", "field.employes")
    result = run(write_workspace(tmp_path, {"handler.yaml": broken}), "validate")
    assert result.exit_code == 1
    assert "CK202" in result.output and "field.employes is not declared (did you mean 'field.employees'?)" \
        in result.output


def test_a_form_handler_field_format_is_one_the_platform_knows(tmp_path):
    broken = HANDLER.replace("format: number", "format: phone")
    result = run(write_workspace(tmp_path, {"handler.yaml": broken}), "validate")
    assert result.exit_code == 1
    assert "handler.yaml:9:" in result.output


def test_a_form_handler_is_planned_and_applied_to_the_local_target(tmp_path):
    root = write_workspace(tmp_path, {"handler.yaml": HANDLER})
    planned = run(root, "plan", "--format", "json")
    assert planned.exit_code == 0, planned.output
    assert changes(planned.output)["form_handler.2026-event-acme-conf-drawing-form-handler"] == ["create"]
    assert run(root, "apply", "--auto-approve").exit_code == 0
    again = run(root, "plan", "--format", "json")
    assert "form_handler.2026-event-acme-conf-drawing-form-handler" not in changes(again.output)
