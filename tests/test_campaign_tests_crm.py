"""Campaign tests of what the CRM is told: users notified, tasks created and assignments, each at a time
or within one of the start (``expect.notified``, ``expect.tasks``, ``expect.assigned_to``)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from campaignkit.cli import main
from tests.workspaces import copy_example

EXAMPLE = Path(__file__).resolve().parent.parent / "campaigns"

HOT_PROSPECT = """\
name: zz - the rep hears of a hot prospect
program: program.2026-nurture-welcome-program
start: "2026-03-02 10:00"
prospect: {persona: persona.cmo, score: 60}
events:
  - {after: 1h, type: email_opened, email: email.2026-event-acme-conf-welcome-email}
  - {after: 2h, type: email_clicked, email: email.2026-event-acme-conf-welcome-email}
  - {at: "0d 11:30", type: form_submitted, form: form.2026-event-acme-conf-drawing-form}
expect:
"""


@pytest.fixture()
def workspace(tmp_path: Path) -> Path:
    return copy_example(tmp_path / "ws")


def run(workspace: Path, expect: str):
    (workspace / "tests" / "zz.yaml").write_text(HOT_PROSPECT + expect, encoding="utf-8")
    return CliRunner().invoke(main, ["--chdir", str(workspace), "test", "zz"])


def test_notifications_assignments_and_tasks_pass_when_they_happen_in_time(workspace: Path) -> None:
    result = run(workspace, """\
  - at: 1h
    notified: []
    assigned_to: {to: queue.sales, within: 1h}
  - at: 1d
    notified: [user.cindy, {user: user.cindy, at: "2026-03-02 12:00"}]
    assigned_to: {to: queue.sales, within: 2h}
    tasks: []
""")
    assert result.exit_code == 1  # the sales queue only gets the prospect at noon
    assert "assigned_to at Mon 2026-03-02 11:00: expected 1 item(s), got 0 item(s)" in result.output
    assert "notified at Mon 2026-03-02 11:00" not in result.output
    assert "at Tue 2026-03-03 10:00" not in result.output


def test_a_notification_too_late_fails_and_shows_when_it_came(workspace: Path) -> None:
    result = run(workspace, "  notified: [{user: user.cindy, within: 15m}]\n")
    assert result.exit_code == 1
    lines = [line.split() for line in result.output.splitlines()]
    assert ["✗", "1", "user.cindy", "within", "15m", "(nothing)"] in lines
    assert ["user.cindy", "Mon", "2026-03-02", "11:30"] in [line[-4:] for line in lines]


def test_every_expected_notification_needs_one_of_its_own(workspace: Path) -> None:
    result = run(workspace, "  notified: [user.cindy, user.cindy, {user: user.cindy, within: 2h}]\n")
    assert result.exit_code == 1
    assert "notified at the end: expected 3 item(s), got 2 item(s)" in result.output


def test_an_empty_list_expects_no_task(workspace: Path) -> None:
    assert run(workspace, "  tasks: []\n  notified: [{user: user.cindy, within: 2h}]\n").exit_code == 0


def test_an_unknown_user_is_reported_before_running(workspace: Path) -> None:
    result = run(workspace, "  notified: [{user: user.cindi, within: 2h}]\n")
    assert result.exit_code == 1
    assert "CK801 error: user.cindi does not exist in the workspace (did you mean 'user.cindy'?)" in result.output


def test_a_window_that_does_not_read_is_reported(workspace: Path) -> None:
    result = run(workspace, "  tasks: [{subject: Call, within: soon}]\n")
    assert result.exit_code == 1
    assert "CK105 error: 'expect.tasks.0.within' 'soon' does not have the required form" in result.output
