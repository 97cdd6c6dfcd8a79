"""``campaignkit test`` and ``campaignkit simulate`` end to end on a copy of the example workspace."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from campaignkit.cli import main

EXAMPLE = Path(__file__).resolve().parent.parent / "campaigns"


@pytest.fixture()
def workspace(tmp_path: Path) -> Path:
    target = tmp_path / "ws"
    shutil.copytree(EXAMPLE, target, ignore=shutil.ignore_patterns(".campaignkit"))
    return target


def invoke(workspace: Path, *args: str):
    return CliRunner().invoke(main, ["--chdir", str(workspace), *args])


def test_test_passes_on_the_example_and_ends_with_the_summary_line(workspace: Path) -> None:
    result = invoke(workspace, "test")
    assert result.exit_code == 0, result.output
    last = result.output.strip().splitlines()[-1]
    assert last.endswith(" passed, 0 failed")


def test_test_pattern_selects_tests_by_name(workspace: Path) -> None:
    result = invoke(workspace, "test", "saturday")
    assert result.output.strip().splitlines()[-1] == "1 passed, 0 failed"


def test_a_failing_test_exits_1_with_file_and_line(workspace: Path) -> None:
    (workspace / "tests" / "zz.yaml").write_text(
        "name: wrong\nprogram: program.2026-nurture-welcome-program\nexpect: {mql: true}\n", encoding="utf-8")
    result = invoke(workspace, "test", "wrong")
    assert result.exit_code == 1
    assert "FAIL tests/zz.yaml:1 wrong" in result.output and "mql at the end: expected true, got false" in result.output
    assert result.output.strip().splitlines()[-1] == "0 passed, 1 failed"


def test_a_broken_test_file_is_reported_and_exits_1(workspace: Path) -> None:
    (workspace / "tests" / "zz.yaml").write_text("name: broken\nprogram: program.nope\n", encoding="utf-8")
    result = invoke(workspace, "test", "broken")
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
    (workspace / "tests" / "zz.yaml").write_text(
        'name: bad\nprogram: program.2026-nurture-welcome-program\nstart: "2026-02-30 10:00"\n'
        "until: 99999999d\nexpect: {status: ended}\n", encoding="utf-8")
    result = invoke(workspace, command)
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
