"""Campaign test files: checked like the rest of the workspace, run against the engine, failures explained."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from campaignkit.campaign_tests.cases import load_tests
from campaignkit.campaign_tests.runner import run_test
from campaignkit.campaign_tests.report import render_result
from campaignkit.engine.world import World
from campaignkit.workspace import load_workspace

EXAMPLE = Path(__file__).resolve().parent.parent / "campaigns"


@pytest.fixture()
def workspace_dir(tmp_path: Path) -> Path:
    target = tmp_path / "ws"
    shutil.copytree(EXAMPLE, target, ignore=shutil.ignore_patterns(".campaignkit"))
    shutil.rmtree(target / "tests")
    (target / "tests").mkdir()
    return target


def checked_cases(root: Path, text: str):
    (root / "tests" / "t.yaml").write_text(text, encoding="utf-8")
    workspace, _ = load_workspace(root)
    cases, diagnostics = load_tests(workspace)
    return World.from_workspace(workspace), cases, diagnostics


def test_every_example_test_passes() -> None:
    workspace, _ = load_workspace(EXAMPLE)
    cases, diagnostics = load_tests(workspace)
    world = World.from_workspace(workspace)
    assert not diagnostics
    assert cases and all(run_test(world, case).passed for case in cases)


def test_unknown_steps_emails_and_fields_are_diagnostics_with_suggestions(workspace_dir: Path) -> None:
    _, cases, diagnostics = checked_cases(workspace_dir, """\
name: typos
program: program.2026-nurture-welcome-program
prospect: {job_titel: CMO}
events:
  - {at: 1d, type: email_opened, email: email.2026-event-acme-conf-welcome-emial}
expect:
  path: [welcome, opend]
""")
    assert cases == []
    by_code = {d.code: d for d in diagnostics}
    assert by_code["CK801"].suggestion == "email.2026-event-acme-conf-welcome-email"
    assert by_code["CK801"].position.line == 5
    assert by_code["CK803"].suggestion == "job_title"


def test_unknown_steps_are_found_once_references_are_right(workspace_dir: Path) -> None:
    _, cases, diagnostics = checked_cases(workspace_dir, """\
name: a step typo
program: program.2026-nurture-welcome-program
expect: {path: [welcome, opend]}
""")
    assert [(d.code, d.suggestion, d.position.line) for d in diagnostics] == [("CK802", "opened", 3)]


def test_schema_rejects_unknown_keys(workspace_dir: Path) -> None:
    _, cases, diagnostics = checked_cases(workspace_dir, "name: x\nprogram: program.2026-nurture-welcome-program\n"
                                                    "expect: {emailz: []}\n")
    assert cases == [] and diagnostics and diagnostics[0].position.line == 3


def test_a_failure_shows_expected_against_actual_step_by_step(workspace_dir: Path) -> None:
    world, cases, diagnostics = checked_cases(workspace_dir, """\
name: wrong path
program: program.2026-nurture-welcome-program
expect:
  path: [welcome, opened, clicked]
  score: 5
""")
    result = run_test(world, cases[0])
    text = render_result(result)
    assert not result.passed
    assert text.startswith("FAIL tests/t.yaml:1 wrong path")
    assert "✗" in text and "reminder" in text and "score at the end: expected 5, got 0" in text


def test_times_are_read_in_the_prospects_time_zone(workspace_dir: Path) -> None:
    world, cases, _ = checked_cases(workspace_dir, """\
name: saturday night in New York
program: program.2026-nurture-welcome-program
start: "2026-03-07 22:00"
prospect: {persona: persona.cmo, timezone: America/New_York}
expect:
  emails: [{email: email.2026-event-acme-conf-welcome-email, at: "2026-03-08 20:00"}]
until: 2d
""")
    assert run_test(world, cases[0]).passed


def test_a_form_test_runs_the_program_its_form_adds_to(workspace_dir: Path) -> None:
    world, cases, diagnostics = checked_cases(workspace_dir, """\
name: drawing form
form: form.2026-event-acme-conf-drawing-form
prospect: {persona: persona.marketing_manager}
expect:
  - at: 1h
    tags: [acme-conf-2026]
    lists: [list.2026-event-acme-conf-list]
    fields: {lead_status: nurturing}
    emails: [email.2026-event-acme-conf-welcome-email]
    score: 50
""")
    assert not diagnostics
    assert run_test(world, cases[0]).passed
