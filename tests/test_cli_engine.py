"""``campaignkit test`` and ``campaignkit simulate`` end to end on a copy of the example workspace."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from campaignkit.cli import main
from tests.workspaces import copy_example, invoke

EXAMPLE = Path(__file__).resolve().parent.parent / "campaigns"


@pytest.fixture()
def workspace(tmp_path: Path) -> Path:
    return copy_example(tmp_path / "ws")


def with_test_file(workspace: Path, text: str, *args: str):
    """``invoke`` after writing ``text`` as the workspace's test file ``tests/zz.yaml``."""
    (workspace / "tests" / "zz.yaml").write_text(text, encoding="utf-8")
    return invoke(workspace, *args)


def assert_passes(workspace: Path, text: str, pattern: str) -> None:
    """The test file ``text`` passes when run alone."""
    result = with_test_file(workspace, text, "test", pattern)
    assert result.exit_code == 0, result.output


def test_test_passes_on_the_example_and_ends_with_the_summary_line(workspace: Path) -> None:
    result = invoke(workspace, "test")
    assert result.exit_code == 0, result.output
    last = result.output.strip().splitlines()[-1]
    assert last.endswith(" passed, 0 failed")


def test_the_engagement_studio_example_is_valid_and_its_tests_pass(tmp_path: Path) -> None:
    example = tmp_path / "engagement-studio"
    shutil.copytree(EXAMPLE.parent / "examples" / "engagement-studio", example,
                    ignore=shutil.ignore_patterns(".campaignkit"))
    assert invoke(example, "validate").exit_code == 0
    result = invoke(example, "test")
    assert result.exit_code == 0, result.output
    assert result.output.strip().splitlines()[-1] == "10 passed, 0 failed"


def test_test_pattern_selects_tests_by_name(workspace: Path) -> None:
    result = invoke(workspace, "test", "saturday")
    assert result.output.strip().splitlines()[-1] == "1 passed, 0 failed"


def test_a_failing_test_exits_1_with_file_and_line(workspace: Path) -> None:
    result = with_test_file(workspace, "name: wrong\nprogram: program.2026-nurture-welcome-program\n"
                            "expect: {mql: true}\n", "test", "wrong")
    assert result.exit_code == 1
    assert "FAIL tests/zz.yaml:1 wrong" in result.output and "mql at the end: expected true, got false" in result.output
    assert result.output.strip().splitlines()[-1] == "0 passed, 1 failed"


def test_a_broken_test_file_is_reported_and_exits_1(workspace: Path) -> None:
    result = with_test_file(workspace, "name: broken\nprogram: program.nope\n", "test", "broken")
    assert result.exit_code == 1 and "CK801" in result.output


def test_simulate_json_is_deterministic(workspace: Path) -> None:
    args = ("simulate", "program.2026-nurture-welcome-program", "--prospects", "2000", "--days", "20",
            "--seed", "9", "--format", "json")
    first, second = invoke(workspace, *args), invoke(workspace, *args)
    assert first.exit_code == 0, first.output
    assert json.loads(first.output) == json.loads(second.output)
    assert json.loads(first.output)["prospects"] == 2000


def test_simulate_text_shows_the_funnel_emails_and_mqls(workspace: Path) -> None:
    result = invoke(workspace, "simulate", "2026-nurture-three-week-program", "--prospects", "1000")
    assert result.exit_code == 0, result.output
    assert "Funnel" in result.output and "Emails sent" in result.output and "MQLs:" in result.output


def test_simulate_a_paused_program_says_so_and_sends_nothing(workspace: Path) -> None:
    _edit(workspace / "programs" / "welcome.yaml", "status: running", "status: paused")
    result = invoke(workspace, "simulate", "2026-nurture-welcome-program", "--prospects", "1000")
    assert result.exit_code == 0, result.output
    assert "The program is paused (status: paused): no one moves until it is resumed." in result.output
    data = json.loads(invoke(workspace, "simulate", "2026-nurture-welcome-program", "--format", "json").output)
    assert data["emails"] == {} and all(row["entered"] == 0 for row in data["funnel"])


def test_simulate_unknown_program_is_a_one_line_error(workspace: Path) -> None:
    result = invoke(workspace, "simulate", "program.2026-nurture-welcom-program")
    assert result.exit_code == 1 and "did you mean 'program.2026-nurture-welcome-program'" in result.output


def test_a_pattern_that_matches_no_test_is_an_error_with_a_suggestion(workspace: Path) -> None:
    result = invoke(workspace, "test", "saturdy")
    assert result.exit_code == 1 and not isinstance(result.exception, (ValueError, TypeError))
    assert "no test matches 'saturdy' (did you mean 'saturday'?)" in result.output
    result = invoke(workspace, "test", "nomatch")
    assert result.exit_code == 1 and "no test matches 'nomatch'; the tests are '" in result.output


def test_a_workspace_without_tests_says_so_and_passes(workspace: Path) -> None:
    shutil.rmtree(workspace / "tests")
    result = invoke(workspace, "test")
    assert result.exit_code == 0 and "No campaign tests to run" in result.output
    assert invoke(workspace, "test", "welcome").exit_code == 1


@pytest.mark.parametrize("command", ["validate", "test"])
def test_an_impossible_start_is_a_diagnostic_not_a_traceback(workspace: Path, command: str) -> None:
    result = with_test_file(workspace, (
        'name: bad\nprogram: program.2026-nurture-welcome-program\nstart: "2026-02-30 10:00"\n'
        "until: 99999999d\nexpect: {status: ended}\n"
    ), command)
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.output
    assert "tests/zz.yaml:3:8: CK804 error: '2026-02-30 10:00' is not a date and time" in result.output
    assert "tests/zz.yaml:4:8: CK804 error: '99999999d' is more than 3650d after the start" in result.output


def test_simulate_a_ragged_csv_is_a_one_line_error(workspace: Path) -> None:
    (workspace / "s.csv").write_text("first_name,company\nAda\n", encoding="utf-8")
    result = invoke(workspace, "simulate", "2026-nurture-welcome-program", "--prospects", str(workspace / "s.csv"))
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    assert result.output.strip().endswith("s.csv:2: 1 value for 2 columns (first_name, company): no value for company")


def test_simulate_a_prospects_file_that_does_not_exist_says_so(workspace: Path) -> None:
    result = invoke(workspace, "simulate", "2026-nurture-welcome-program", "--prospects", str(workspace / "no.csv"))
    assert result.exit_code == 1
    assert f"--prospects: {workspace / 'no.csv'} does not exist" in result.output


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


WELCOME_EMAIL = "email.2026-event-acme-conf-welcome-email"


def test_a_window_lasts_the_same_elapsed_time_whatever_zone_the_test_is_written_in(workspace: Path) -> None:
    program = workspace / "programs" / "welcome.yaml"
    _edit(program, "schedule: {days: [mon, tue, wed, thu, fri], hours: 09:00-17:00, timezone: Asia/Tokyo}",
          "schedule: {hours: \"00:00-24:00\", timezone: America/New_York}")
    _edit(program, "within: 3d", "within: 3h")
    opened = f"type: email_opened, email: {WELCOME_EMAIL}"
    (workspace / "tests" / "dst.yaml").write_text(
        # the night the clocks go forward: the open comes 2h30 after the send, inside the 3h window
        "name: dst - New York time\nprogram: program.2026-nurture-welcome-program\n"
        f'start: "2026-03-08 00:30"\nevents: [{{at: "2026-03-08 04:00", {opened}}}]\n'
        "expect: {path: [welcome, opened, clicked, qualify, to_nurture, done]}\n---\n"
        "name: dst - the same moments in UTC\nprogram: program.2026-nurture-welcome-program\n"
        f'start: "2026-03-08 05:30"\nprospect: {{timezone: UTC}}\nevents: [{{at: "2026-03-08 08:00", {opened}}}]\n'
        "expect: {path: [welcome, opened, clicked, qualify, to_nurture, done]}\n", encoding="utf-8")
    result = invoke(workspace, "test", "dst")
    assert result.output.strip().splitlines()[-1] == "2 passed, 0 failed", result.output


def test_a_clock_time_that_does_not_exist_or_happens_twice_is_ck804(workspace: Path) -> None:
    result = with_test_file(workspace, (
        "name: dst\nprogram: program.2026-nurture-welcome-program\nprospect: {timezone: America/New_York}\n"
        'start: "2026-03-08 02:30"\nevents: [{at: "2026-11-01 01:30", type: opted_out}]\n'
        "expect: {status: ended}\n"
    ), "validate")
    assert result.exit_code == 1
    assert ("tests/zz.yaml:4:8: CK804 error: '2026-03-08 02:30' does not exist in America/New_York: the clocks skip "
            "that hour") in result.output
    assert "tests/zz.yaml:5:15: CK804 error: '2026-11-01 01:30' happens twice in America/New_York" in result.output


def test_a_held_send_stopped_and_resumed_is_in_the_path_once(workspace: Path) -> None:
    conference = "list.2026-event-acme-conf-list"
    assert_passes(workspace, (
        "name: held - removed while the Saturday welcome waits for Monday, put back on Tuesday\n"
        'program: program.2026-nurture-welcome-program\nstart: "2026-03-07 10:00"\n'
        f'events:\n  - {{at: "2026-03-08 10:00", type: removed_from_list, list: {conference}}}\n'
        f'  - {{at: "2026-03-10 10:00", type: added_to_list, list: {conference}}}\n'
        "expect: {path: [welcome, opened, reminder, reminder_opened, done], status: ended}\n"
    ), "held")


def test_decay_reaches_a_prospect_silent_since_the_start(workspace: Path) -> None:
    assert_passes(workspace, (
        "name: decay - silent for 90 days from a score of 60\nprogram: program.2026-nurture-welcome-program\n"
        "prospect: {persona: persona.marketing_specialist, score: 60}\n"
        "expect: [{at: 59d, score: 40}, {at: 60d, score: 20}, {score: 0}]\n"
    ), "decay")


def test_operational_email_goes_to_a_prospect_that_opted_out(tmp_path: Path) -> None:
    assert CliRunner().invoke(main, ["init", str(tmp_path / "ws")]).exit_code == 0
    workspace = tmp_path / "ws"
    _edit(workspace / "emails.yaml", "template: templates/follow-up.mjml\n",
          "template: templates/follow-up.mjml\noperational: true\n")
    # A suppression list of opt-outs would take the prospect out of the program altogether.
    _edit(workspace / "programs" / "welcome.yaml", "  exclude: [list.evergreen-email-suppression-list]\n", "")
    assert_passes(workspace, (
        "name: operational - opted out after the welcome, still gets the follow-up\n"
        "program: program.2026-nurture-welcome-program\nevents: [{at: 1h, type: opted_out}]\n"
        "expect: {emails: [email.2026-email-welcome-email, email.2026-email-follow-up-email]}\n"
    ), "operational")


@pytest.mark.parametrize("prospects, message", [
    ("/dev/null", "/dev/null has no prospects"),
    ("-5", "--prospects -5: needs at least 1 prospect"),
    ("99999999999999999999", "--prospects 99999999999999999999: simulate at most 1,000,000 prospects"),
])
def test_simulate_a_bad_prospects_value_is_a_one_line_error(workspace: Path, prospects: str, message: str) -> None:
    result = invoke(workspace, "simulate", "2026-nurture-welcome-program", "--prospects", prospects)
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    assert message in result.output and len(result.output.strip().splitlines()) == 1


def test_simulate_starts_when_a_test_does_on_the_program_s_clock(workspace: Path) -> None:
    _edit(workspace / "programs" / "welcome.yaml", "timezone: Asia/Tokyo", "timezone: America/New_York")
    result = invoke(workspace, "simulate", "2026-nurture-welcome-program", "--prospects", "10", "--format", "json")
    assert json.loads(result.output)["start"] == "2026-03-02T15:00:00+00:00"  # Monday 10:00 in New York
    text = invoke(workspace, "simulate", "2026-nurture-welcome-program", "--prospects", "10").output
    assert "90 days from 2026-03-02 10:00 America/New_York (15:00 UTC)" in text.splitlines()[0]
