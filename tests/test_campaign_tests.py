"""Campaign test files: checked like the rest of the workspace, run against the engine, failures explained."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from campaignkit.campaign_tests.cases import load_tests, matching, no_match, select_tests
from campaignkit.campaign_tests.runner import run_test
from campaignkit.cli import main
from campaignkit.engine.world import World
from campaignkit.errors import UserError
from campaignkit.views.campaign_tests import campaign_test_text
from campaignkit.workspace.loading import load_workspace
from tests.workspaces import copy_example

EXAMPLE = Path(__file__).resolve().parent.parent / "campaigns"
#: The example of Engagement Studio's behaviours, each test written from a Salesforce page.
ENGAGEMENT_STUDIO = EXAMPLE.parent / "examples" / "engagement-studio"


@pytest.fixture()
def workspace_dir(tmp_path: Path) -> Path:
    target = copy_example(tmp_path / "ws")
    shutil.rmtree(target / "tests")
    (target / "tests").mkdir()
    return target


def checked_cases(root: Path, text: str):
    (root / "tests" / "t.yaml").write_text(text, encoding="utf-8")
    workspace, _ = load_workspace(root)
    cases, diagnostics = load_tests(workspace)
    return World.from_workspace(workspace), cases, diagnostics


@pytest.mark.parametrize("example", [EXAMPLE, ENGAGEMENT_STUDIO], ids=["campaigns", "engagement-studio"])
def test_every_example_test_passes(example: Path) -> None:
    workspace, _ = load_workspace(example)
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


def test_a_prospect_value_that_does_not_fit_its_field_is_a_diagnostic_at_its_line(workspace_dir: Path) -> None:
    _, cases, diagnostics = checked_cases(workspace_dir, """\
name: wrong values
program: program.2026-nurture-welcome-program
prospect:
  industry: Bananas
  first_name: Ada
expect:
  path: [welcome]
""")
    assert cases == []
    assert [(d.code, d.position.line) for d in diagnostics] == [("CK803", 4)]
    assert diagnostics[0].message.startswith("prospect: industry: 'Bananas' is not one of Technology")


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
    text = campaign_test_text(result)
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


@pytest.mark.parametrize("start, why", [("2026-02-30 10:00", "day is out of range for month"),
                                        ("2026-13-01 10:00", "month must be in 1..12"),
                                        ("2026-03-02 24:00", "hour must be in 0..23"),
                                        ("0001-01-01 00:00", "give a year from 1900 to 2999")])
def test_a_start_that_is_no_date_is_a_diagnostic_at_its_line(workspace_dir: Path, start: str, why: str) -> None:
    _, cases, diagnostics = checked_cases(workspace_dir, f"""\
name: impossible start
program: program.2026-nurture-welcome-program
start: "{start}"
expect: {{status: ended}}
""")
    assert cases == []
    assert [(d.code, d.position.line) for d in diagnostics] == [("CK804", 3)]
    assert f"'{start}'" in diagnostics[0].message and why in diagnostics[0].message


def test_a_bad_start_does_not_hide_the_other_bad_times(workspace_dir: Path) -> None:
    _, _, diagnostics = checked_cases(workspace_dir, """\
name: two bad times
program: program.2026-nurture-welcome-program
start: "2026-02-30 10:00"
expect: {status: ended, at: "3d 25:00"}
""")
    assert [(d.code, d.position.line) for d in diagnostics] == [("CK804", 3), ("CK804", 4)]


def test_times_past_the_end_of_dates_or_longer_than_a_run_are_diagnostics(workspace_dir: Path) -> None:
    _, cases, diagnostics = checked_cases(workspace_dir, """\
name: forever
program: program.2026-nurture-welcome-program
until: 99999999d
events:
  - {at: 9999999999w, type: opted_out}
  - {after: 9999999999w, type: email_opened, email: email.2026-event-acme-conf-welcome-email}
  - {after: 3651d, type: email_opened, email: email.2026-event-acme-conf-welcome-email}
expect: {at: "9999-12-31 23:00", status: ended}
""")
    assert cases == []
    assert [(d.code, d.position.line) for d in diagnostics] == [("CK804", line) for line in (3, 5, 6, 7, 8)]
    assert "'99999999d' is more than 3650d after the start" in diagnostics[0].message
    assert "past the year 9999" in diagnostics[1].message


def test_a_run_of_ten_years_is_allowed(workspace_dir: Path) -> None:
    _, cases, diagnostics = checked_cases(workspace_dir, "name: long\nprogram: program.2026-nurture-welcome-program\n"
                                                         "until: 3650d\nexpect: {status: ended}\n")
    assert not diagnostics and len(cases) == 1


def test_a_pattern_selects_by_words_and_a_typo_gets_a_suggestion_or_the_names() -> None:
    workspace, _ = load_workspace(EXAMPLE)
    cases, _ = load_tests(workspace)
    saturday = [c.name for c in cases if "saturday" in c.name.casefold()]
    assert saturday and [c.name for c in matching(cases, "SATURDAY")] == saturday
    assert matching(cases, "nomatch") == []
    assert no_match(cases, "saturdy") == "no test matches 'saturdy' (did you mean 'saturday'?)"
    listed = no_match(cases, "nomatch", shown=2)
    assert f"'{cases[0].name}', '{cases[1].name}' and {len(cases) - 2} more" in listed
    assert "the workspace has no campaign tests" in no_match([], "x")


def test_selecting_tests_with_a_pattern_that_selects_none_is_an_error() -> None:
    workspace, _ = load_workspace(EXAMPLE)
    cases, _ = load_tests(workspace)
    assert select_tests(cases, "SATURDAY") == matching(cases, "saturday") != []
    with pytest.raises(UserError, match=r"^no test matches 'saturdy' \(did you mean 'saturday'\?\)$"):
        select_tests(cases, "saturdy")


def validate(root: Path):
    return CliRunner().invoke(main, ["--chdir", str(root), "validate"])


def test_a_test_that_expects_nothing_is_an_error_at_validate(workspace_dir: Path) -> None:
    (workspace_dir / "tests" / "t.yaml").write_text("""\
name: vacuous
program: program.2026-nurture-welcome-program
---
name: only a time
program: program.2026-nurture-welcome-program
expect:
  - {at: 3d}
  - {status: ended}
""", encoding="utf-8")
    result = validate(workspace_dir)
    assert result.exit_code == 1
    assert "tests/t.yaml:1:1: CK806 error: the test checks nothing: add what must hold under expect" in result.output
    assert "tests/t.yaml:7:5: CK806 error: the expectation at 3d checks nothing" in result.output


def test_two_tests_of_one_name_in_different_files_are_a_warning_at_the_second(workspace_dir: Path) -> None:
    test = "name: {}\nprogram: program.2026-nurture-welcome-program\nexpect: {{status: ended}}\n"
    (workspace_dir / "tests" / "a.yaml").write_text(test.format("Silent prospect"), encoding="utf-8")
    (workspace_dir / "tests" / "b.yaml").write_text("# the same again\n" + test.format("silent prospect"),
                                                    encoding="utf-8")
    result = validate(workspace_dir)
    assert result.exit_code == 0, result.output
    assert ("tests/b.yaml:2:7: CK807 warning: the test at tests/a.yaml:1 has this name too: give each test its own "
            "name") in result.output


def test_expected_fields_are_checked_at_their_own_key(workspace_dir: Path) -> None:
    _, cases, diagnostics = checked_cases(workspace_dir, """\
name: expected fields
program: program.2026-nurture-welcome-program
expect:
  - at: 1d
    fields:
      first_name: Ada
      first_nam: Ada
  - fields: {employees: "1200", department: Marketting}
""")
    assert cases == []
    found = [(d.code, d.position.line, d.position.column, d.message) for d in diagnostics]
    assert found == [
        ("CK803", 7, 7, "expect.fields: 'first_nam' is not a field of the workspace (did you mean 'first_name'?)"),
        ("CK803", 8, 25, "expect.fields: employees: '1200' is not a valid number"),
        ("CK803", 8, 45, "expect.fields: department: 'Marketting' is not one of Marketing, Sales, IT, Finance, "
                         "Operations, Executive, Other"),
    ]


def test_every_problem_of_a_test_is_reported_at_once(workspace_dir: Path) -> None:
    _, cases, diagnostics = checked_cases(workspace_dir, """\
name: many problems
program: program.2026-nurture-welcome-program
prospect: {job_titel: CMO, lists: [list.evergreen-all-cmo-list, list.nope]}
events: [{at: 1h, type: email_opened, email: email.nope}]
until: 99999d
expect: {path: [welcome, opend]}
---
name: a step of an unknown program is not reported
program: program.nope
expect: {path: [welcome]}
""")
    assert cases == []
    assert [(d.code, d.position.line) for d in diagnostics] == [
        ("CK803", 3), ("CK805", 3), ("CK801", 3), ("CK801", 4), ("CK804", 5), ("CK802", 6), ("CK801", 9)]


def test_a_failure_prints_text_quoted_and_an_empty_field_as_empty(workspace_dir: Path) -> None:
    (workspace_dir / "tests" / "t.yaml").write_text("""\
name: wrong fields
program: program.2026-nurture-welcome-program
expect: {fields: {first_name: Bob, country: japan, employees: 1200}, status: waiting}
""", encoding="utf-8")
    result = CliRunner().invoke(main, ["--chdir", str(workspace_dir), "test"])
    assert result.exit_code == 1
    assert ("fields at the end: expected first_name='Bob', country='japan', employees=1200, "
            "got first_name=(empty), country=(empty), employees=(empty)") in result.output
    assert "status at the end: expected 'waiting', got 'ended'" in result.output


def test_a_duration_is_elapsed_time_across_a_daylight_saving_change() -> None:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from campaignkit.engine.times import parse_time

    new_york = ZoneInfo("America/New_York")
    start = datetime(2026, 3, 8, 0, 30, tzinfo=new_york)  # 05:30 UTC; the clocks skip 02:00-03:00
    assert parse_time("3h", start) == datetime(2026, 3, 8, 4, 30, tzinfo=new_york)
    assert parse_time("2d 10:00", start) == datetime(2026, 3, 10, 10, 0, tzinfo=new_york)  # a clock time stays one
