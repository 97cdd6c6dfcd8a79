"""plan, apply, refresh, import, state and force-unlock, run as a user runs them, on a real workspace."""

from __future__ import annotations

import hashlib
import json
import os
import pty
import select
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from campaignkit.cli import main


@pytest.fixture
def run(small_workspace, monkeypatch):
    """Runs a campaignkit command in the small workspace; returns (exit code, stdout, stderr)."""
    monkeypatch.chdir(small_workspace)

    def invoke(*args: str, stdin: str | None = None):
        result = CliRunner().invoke(main, list(args), input=stdin, catch_exceptions=False)
        return result.exit_code, result.stdout, result.stderr

    return invoke


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def target_rows(root: Path, environment: str = "sandbox") -> list[tuple[str, str, str]]:
    with sqlite3.connect(root / ".campaignkit" / f"{environment}.target.db") as db:
        return db.execute("SELECT kind, name, id FROM ck_objects ORDER BY kind, name").fetchall()


def test_plan_apply_plan_again_shows_no_changes(run, small_workspace):
    code, out, _ = run("plan", "--detailed-exitcode")
    assert code == 2 and out.startswith("Plan: 7 to add, 0 to change, 0 to destroy.")
    code, out, _ = run("apply", "--auto-approve")
    assert code == 0, out
    assert "Apply complete! Resources: 7 added, 0 changed, 0 destroyed." in out
    assert len(target_rows(small_workspace)) == 7
    code, out, _ = run("plan", "--detailed-exitcode")
    assert (code, out.splitlines()[0]) == (0, "No changes. The target matches the files.")


def test_changing_a_subject_plans_one_update_showing_only_the_subject(run, small_workspace):
    run("apply", "--auto-approve")
    edit(small_workspace / "emails.yaml", "subject: Welcome to Acme Conf", "subject: Welcome aboard")
    code, out, _ = run("plan", "--detailed-exitcode")
    assert code == 2
    assert out.splitlines()[0] == "Plan: 0 to add, 1 to change, 0 to destroy."
    details = [line.strip() for line in out.splitlines()[4:-1] if line.strip()]
    assert details == ["~ email.2026-email-welcome-email  (update in place)",
                       '~ subject: "Welcome to Acme Conf" -> "Welcome aboard"']


def test_renaming_a_list_with_moved_from_keeps_the_object(run, small_workspace):
    run("apply", "--auto-approve")
    [list_id] = [i for k, n, i in target_rows(small_workspace) if n == "global-suppression-list"]
    edit(small_workspace / "lists.yaml", "name: global-suppression-list",
         "name: global-optout-list\nmoved_from: list.global-suppression-list")
    edit(small_workspace / "programs.yaml", "list.global-suppression-list", "list.global-optout-list")
    code, out, _ = run("plan")
    assert "Plan: 0 to add, 2 to change, 0 to destroy." in out
    assert "moved from list.global-suppression-list" in out
    assert run("apply", "--auto-approve")[0] == 0
    assert ("list", "global-optout-list", list_id) in target_rows(small_workspace)
    _, out, _ = run("state", "list")
    assert "list.global-optout-list" in out and "list.global-suppression-list" not in out


def test_deleting_a_protected_program_is_refused(run, small_workspace):
    assert run("apply", "--auto-approve", "--env", "production")[0] == 0
    (small_workspace / "programs.yaml").unlink()
    code, out, err = run("plan", "--env", "production")
    assert code == 1
    assert "program.2026-nurture-welcome-program (environment 'production' protects 'program.*')" in err
    assert len(err.strip().splitlines()) == 1


def test_a_saved_plan_applies_exactly_and_a_stale_one_is_refused(run, small_workspace, tmp_path):
    saved, stale = tmp_path / "first.plan", tmp_path / "stale.plan.gz"
    code, out, _ = run("plan", "--out", str(saved))
    assert code == 0 and f"campaignkit apply {saved}" in out
    run("plan", "--out", str(stale))
    code, out, _ = run("apply", str(saved))
    assert code == 0 and "7 added" in out
    code, _, err = run("apply", str(stale))
    assert code == 1
    assert err.strip() == ("Error: the saved plan is stale: it was made when the state was empty, and since then "
                           "state was written (serial 7); run 'campaignkit plan' again")
    edit(small_workspace / "emails.yaml", "subject: Welcome to Acme Conf", "subject: Welcome aboard")
    run("plan", "--out", str(saved))
    run("apply", "--auto-approve")
    code, _, err = run("apply", str(saved))
    assert code == 1 and "stale: the state changed since it was made (serial 7, now 8)" in err


def test_apply_without_a_terminal_needs_auto_approve(run):
    code, out, err = run("apply")
    assert code == 1
    assert "Plan: 7 to add" in out
    assert "pass --auto-approve" in err


def _run_on_a_terminal(root: Path, args: list[str], answer: str) -> tuple[int, str]:
    """Runs campaignkit with a pseudo-terminal as stdin and stdout, typing ``answer`` at the prompt."""
    primary, secondary = pty.openpty()
    process = subprocess.Popen([sys.executable, "-m", "campaignkit", *args], cwd=root, stdin=secondary,
                               stdout=secondary, stderr=secondary, close_fds=True)
    os.close(secondary)
    output = b""
    answered = False
    while True:
        ready, _, _ = select.select([primary], [], [], 30)
        if not ready:
            process.kill()
            break
        try:
            chunk = os.read(primary, 65536)
        except OSError:  # the other side closed: the process ended
            break
        if not chunk:
            break
        output += chunk
        if not answered and b"Only 'yes' will be accepted" in output:
            os.write(primary, answer.encode() + b"\n")
            answered = True
    os.close(primary)
    return process.wait(), output.decode(errors="replace")


def test_end_of_input_at_the_prompt_cancels_the_apply_in_one_line(small_workspace):
    code, output = _run_on_a_terminal(small_workspace, ["apply"], "\x04")  # Ctrl-D: end of input
    assert code == 1 and "Error: apply cancelled; nothing was changed" in output
    assert "Aborted!" not in output


def test_apply_on_a_terminal_asks_and_only_yes_applies(small_workspace):
    code, output = _run_on_a_terminal(small_workspace, ["apply"], "no")
    assert code == 1 and "apply cancelled; nothing was changed" in output
    assert not (small_workspace / ".campaignkit" / "sandbox.target.db").exists() or not target_rows(small_workspace)
    code, output = _run_on_a_terminal(small_workspace, ["apply"], "yes")
    assert code == 0, output
    assert "Apply complete! Resources: 7 added" in output
    assert len(target_rows(small_workspace)) == 7


def test_plan_json_and_markdown(run):
    code, out, _ = run("plan", "--format", "json")
    document = json.loads(out)
    assert document["format_version"] == "1.6" and len(document["resource_changes"]) == 7
    code, out, _ = run("plan", "--format", "markdown")
    assert out.startswith("### campaignkit plan for `sandbox`") and "| Create | 7 |" in out


def test_plan_target_limits_the_plan_and_warns_that_it_is_partial(run):
    _, out, _ = run("plan", "--target", "list.global-suppression-list")
    lines = out.splitlines()
    assert lines[0] == "Plan: 1 to add, 0 to change, 0 to destroy."
    assert lines[-3].startswith("Warning: Resource targeting is in effect (--target "
                                "list.global-suppression-list): this plan covers only those addresses")
    assert lines[-1] == "Plan: 1 to add, 0 to change, 0 to destroy. Environment: sandbox."
    _, out, _ = run("plan", "--format", "json", "--target", "list.global-suppression-list")
    document = json.loads(out)
    assert (document["complete"], document["targets"]) == (False, ["list.global-suppression-list"])
    _, out, _ = run("plan")
    assert "Resource targeting" not in out


def test_a_renamed_workspace_warns_that_state_is_kept_under_the_old_name(run, small_workspace):
    assert run("apply", "--auto-approve")[0] == 0
    edit(small_workspace / "campaignkit.yaml", "workspace: acme", "workspace: acme-renamed")
    warning = (f"Warning: {small_workspace / '.campaignkit' / 'sandbox.db'} has no state for environment "
               "'sandbox' of workspace 'acme-renamed', but has it for workspace 'acme': if campaignkit.yaml's "
               "workspace: was renamed, put back 'workspace: acme', or every object is planned as new.\n")
    code, _, err = run("plan")  # the target holds the objects under the old name's state: not a new state
    assert code == 1 and err.startswith(warning) and "already holds 7 object(s) the files declare" in err
    code, out, err = run("plan", "--new-state")
    assert code == 0 and out.startswith("Plan: 7 to add") and err == warning
    assert "put back 'workspace: acme'" in run("apply", "--auto-approve", "--new-state")[2]
    assert run("plan")[2] == ""  # once this workspace has state of its own, nothing to warn about


def test_refresh_records_changes_made_in_the_ui_and_plan_sets_them_back(run, small_workspace):
    run("apply", "--auto-approve")
    with sqlite3.connect(small_workspace / ".campaignkit" / "sandbox.target.db") as db:
        db.execute("UPDATE ck_objects SET attributes = json_set(attributes, '$.subject', 'From the UI') "
                   "WHERE name = '2026-email-welcome-email'")
    code, out, _ = run("refresh")
    assert code == 0
    assert '~ subject: "Welcome to Acme Conf" -> "From the UI"' in out and "Recorded 1 change" in out
    _, out, _ = run("state", "show", "email.2026-email-welcome-email")
    assert json.loads(out)["attributes"]["subject"] == "From the UI"
    code, out, _ = run("plan", "--detailed-exitcode")
    assert code == 2 and '~ subject: "From the UI" -> "Welcome to Acme Conf"' in out
    assert "Objects changed outside campaignkit" not in out  # recorded by refresh, so no longer drift
    _, out, _ = run("refresh")
    assert out.startswith("No drift")
    _, out, _ = run("state", "history")
    assert [line.split()[2] for line in out.splitlines()] == ["apply", "refresh"]


def test_import_adopts_an_object_made_in_the_ui(run, small_workspace):
    run("apply", "--auto-approve", "--target", "field.first_name")
    with sqlite3.connect(small_workspace / ".campaignkit" / "sandbox.target.db") as db:
        made = db.execute("INSERT INTO ck_objects (kind, name, attributes, created, updated) VALUES "
                          "('list', 'global-suppression-list', '{\"type\": \"static\", \"title\": \"UI\"}', "
                          "'now', 'now')").lastrowid
    code, out, err = run("apply", "--auto-approve", "--target", "list.global-suppression-list")
    assert code == 1 and "already exists" in out
    code, out, _ = run("import", "list.global-suppression-list", str(made))
    assert code == 0 and f"Imported list.global-suppression-list (id {made}" in out
    _, out, _ = run("plan", "--target", "list.global-suppression-list")
    assert out.splitlines()[0] == "Plan: 0 to add, 1 to change, 0 to destroy."
    assert '- title: "UI"' in out
    code, _, err = run("import", "list.global-suppression-list", str(made))
    assert code == 1 and "already managed" in err
    for written in (f"0{made}", f" {made}"):  # the same object, however its id is written
        code, _, err = run("import", "list.2026-event-acme-conf-list", written)
        assert code == 1 and f"list id {made} is already managed as list.global-suppression-list" in err, err
    code, _, err = run("import", "list.2026-event-acme-conf-list", "99999")
    assert code == 1 and "no list with id 99999" in err
    code, _, err = run("import", "list.nope", "1")
    assert code == 1 and "no resource list.nope in the files" in err


def test_state_list_show_rm_and_history(run, small_workspace):
    run("apply", "--auto-approve")
    _, out, _ = run("state", "list")
    assert len(out.splitlines()) == 7 and out.splitlines()[0].startswith("email.2026-email-reminder-email\t")
    code, out, _ = run("state", "show", "list.global-suppression-list")
    assert code == 0 and json.loads(out)["attributes"] == {"type": "static"}
    code, _, err = run("state", "show", "list.global-supression-list")
    assert code == 1 and "did you mean 'list.global-suppression-list'" in err
    code, out, _ = run("state", "rm", "list.global-suppression-list")
    assert code == 0 and "the object stays on the target (id " in out
    assert len(target_rows(small_workspace)) == 7
    code, _, err = run("state", "rm", "list.global-suppression-list")  # declared, so no typo to correct
    assert code == 1 and err == ("Error: list.global-suppression-list is not in the state of environment 'sandbox': "
                                 "campaignkit does not manage it there ('campaignkit state list' shows what it "
                                 "manages)\n")
    _, out, _ = run("state", "history")
    lines = out.splitlines()
    assert len(lines) == 2 and "success" in lines[0] and "state rm" in lines[1]


def test_a_stuck_lock_fails_naming_the_holder_until_force_unlock(run, small_workspace):
    run("apply", "--auto-approve")
    with sqlite3.connect(small_workspace / ".campaignkit" / "sandbox.db") as db:  # left by a killed apply
        db.execute("INSERT INTO ck_lock (env, lock_id, holder, operation, since) VALUES "
                   "('acme/sandbox', 'lock-1', 'dan@ci-runner pid 4242', 'apply', '2026-11-23T10:00:00+00:00')")
    code, _, err = run("plan")
    assert code == 1
    assert ("state of acme/sandbox is locked: apply by dan@ci-runner pid 4242 since 2026-11-23T10:00:00+00:00 "
            "(lock id lock-1)") in err
    code, _, err = run("apply", "--auto-approve", "--lock-timeout", "1s")
    assert code == 1 and "after waiting 1s" in err
    code, out, _ = run("force-unlock", "lock-1")
    assert code == 0 and "Removed lock lock-1 (apply by dan@ci-runner pid 4242" in out
    assert run("plan")[0] == 0


def test_validation_errors_stop_plan_and_apply(run, small_workspace):
    edit(small_workspace / "programs.yaml", "list.global-suppression-list", "list.global-supression-list")
    code, _, err = run("plan")
    assert code == 1
    assert "programs.yaml:3:" in err and "fix them first" in err


def test_an_unknown_environment_is_named(run):
    code, _, err = run("plan", "--env", "producton")
    assert code == 1 and "no environment 'producton'" in err and "did you mean 'production'" in err


def test_a_setting_whose_variable_is_not_set_stops_plan_before_any_state_is_made(run, small_workspace, monkeypatch):
    monkeypatch.delenv("CK_TEST_UNIT", raising=False)
    edit(small_workspace / "campaignkit.yaml", "  production:\n    target: local\n",
         "  production:\n    target: account-engagement\n    settings: {business_unit_id: \"${CK_TEST_UNIT}\"}\n")
    code, _, err = run("plan", "--env", "production")
    assert code == 1 and "needs the environment variable CK_TEST_UNIT" in err
    assert not (small_workspace / ".campaignkit" / "production.db").exists()


def test_a_plan_is_not_saved_as_yaml_where_it_would_be_read_as_resources(run, small_workspace):
    code, _, err = run("plan", "--out", "plan.yaml")
    assert code == 1 and "save it as plan.ckplan" in err
    assert not (small_workspace / "plan.yaml").exists()


def test_a_corrupt_state_file_is_one_clear_line_and_left_untouched(run, small_workspace):
    state = small_workspace / ".campaignkit" / "sandbox.db"
    state.parent.mkdir()
    state.write_text("not a database\n" * 200)
    before = hashlib.sha256(state.read_bytes()).hexdigest()
    code, _, err = run("plan")
    assert code == 1 and err.startswith(f"Error: {state} is not a campaignkit state database")
    assert "left untouched" in err and len(err.strip().splitlines()) == 1
    assert hashlib.sha256(state.read_bytes()).hexdigest() == before
    assert sorted(p.name for p in state.parent.iterdir() if p.name.startswith("sandbox")) == ["sandbox.db"]


def test_a_foreign_sqlite_state_file_is_refused(run, small_workspace):
    config = small_workspace / "campaignkit.yaml"
    other = small_workspace / "crm.db"
    with sqlite3.connect(other) as db:
        db.execute("CREATE TABLE contacts (id INTEGER)")
    edit(config, "  sandbox:\n    target: local\n", "  sandbox:\n    target: local\n    state: sqlite:crm.db\n")
    code, _, err = run("plan")
    assert code == 1 and "database of something else (tables: contacts)" in err


def test_state_in_postgresql(run, small_workspace, postgres_url):
    edit(small_workspace / "campaignkit.yaml", "  sandbox:\n    target: local\n",
         f"  sandbox:\n    target: local\n    state: {postgres_url}\n")
    assert run("apply", "--auto-approve")[0] == 0
    code, out, _ = run("plan", "--detailed-exitcode")
    assert code == 0 and out.startswith("No changes")
    assert not (small_workspace / ".campaignkit" / "sandbox.db").exists()
    _, out, _ = run("state", "history")
    assert "success" in out


def test_markdown_plan_shows_the_checks_an_applied_email_change_fixed(run, small_workspace):
    emails = small_workspace / "emails.yaml"
    emails.write_text(emails.read_text().replace("preheader: Your ticket and what comes next\n", ""))
    assert run("apply", "--auto-approve")[0] == 0
    emails.write_text(emails.read_text().replace("subject: Welcome to Acme Conf\n",
                                                 "subject: Welcome to Acme Conf\npreheader: See you there\n"))
    code, out, _ = run("plan", "--format", "markdown")
    assert code == 0 and "Checks: none added, 1 fixed, unchanged: 0." in out
    assert "- fixed: warning CK432: the email has no preheader" in out


def test_a_row_of_state_that_is_not_valid_json_is_one_clear_line(run, small_workspace):
    assert run("apply", "--auto-approve")[0] == 0
    state = small_workspace / ".campaignkit" / "sandbox.db"
    with sqlite3.connect(state) as db:
        db.execute("UPDATE ck_resources SET attributes = '{bad' WHERE address = 'list.global-suppression-list'")
    for command in (["plan"], ["state", "list"], ["state", "show", "list.global-suppression-list"]):
        code, _, err = run(*command)
        assert code == 1, command
        assert err.startswith(f"Error: {state} is not a valid campaignkit state: the attributes recorded for "
                              "list.global-suppression-list are not valid JSON")
        assert len(err.strip().splitlines()) == 1


def test_import_of_an_id_beyond_the_local_targets_range_is_refused(run):
    code, _, err = run("import", "list.global-suppression-list", "99999999999999999999999")
    assert code == 1
    assert err == ("Error: '99999999999999999999999' is not an id of the local target (ids are 64-bit integers, "
                   "from -9223372036854775808 to 9223372036854775807)\n")


def test_a_malformed_postgres_state_url_is_one_clear_line(run, small_workspace):
    edit(small_workspace / "campaignkit.yaml", "  sandbox:\n    target: local\n",
         "  sandbox:\n    target: local\n    state: postgresql://ck:s3cret@[::1/ck\n")
    for command in (["plan"], ["state", "list"]):
        code, _, err = run(*command)
        assert code == 1 and err.startswith("Error: state URL postgresql://ck:***@[::1/ck is malformed")
        assert "s3cret" not in err and len(err.strip().splitlines()) == 1

