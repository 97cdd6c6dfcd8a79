"""A state that was lost is refused, never taken for a new one: plan, apply and refresh, run as a user runs them.

A fresh workspace plans and applies with no flag; once a state applied to the
target, the same environment with an empty state (its file deleted) is refused
in one line until the state is restored or ``--new-state`` starts a new one.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from campaignkit.cli import main
from campaignkit.errors import UserError
from campaignkit.plan import refuse_lost_state
from campaignkit.state import open_url
from campaignkit.targets import AppliedState
from campaignkit.targets.local import LocalTarget
from campaignkit.workspace.loading import load_workspace
from tests.ae_workspace import names
from tests.ae_workspace import run as run_ae


@pytest.fixture
def run(small_workspace, monkeypatch):
    """Runs a campaignkit command in the small workspace; returns (exit code, stdout, stderr)."""
    monkeypatch.chdir(small_workspace)

    def invoke(*args: str):
        result = CliRunner().invoke(main, list(args), catch_exceptions=False)
        return result.exit_code, result.stdout, result.stderr

    return invoke


def state_files(root: Path) -> list[Path]:
    return sorted((root / ".campaignkit").glob("sandbox.db*"))


def lose_state(root: Path) -> None:
    for path in state_files(root):
        path.unlink()


def target_digest(root: Path) -> str:
    with sqlite3.connect(root / ".campaignkit" / "sandbox.target.db") as db:
        rows = db.execute("SELECT kind, name, attributes, updated FROM ck_objects ORDER BY id").fetchall()
    return hashlib.sha256(repr(rows).encode()).hexdigest()


def assert_refused(code: int, out: str, err: str) -> None:
    assert code == 1 and out == ""
    [line] = err.splitlines()
    assert line.startswith("Error: state at ") and " is empty, but the local target was applied to" in line
    assert "restore the state" in line and "--new-state" in line and "campaignkit import ADDRESS ID" in line


def test_a_fresh_workspace_plans_and_applies_without_a_flag_and_plan_makes_no_target(run, small_workspace):
    code, out, _ = run("plan")
    assert code == 0 and out.startswith("Plan: 7 to add")
    assert not (small_workspace / ".campaignkit" / "sandbox.target.db").exists()
    code, out, _ = run("apply", "--auto-approve")
    assert code == 0 and "Apply complete! Resources: 7 added" in out


def test_a_deleted_state_is_refused_by_plan_apply_and_refresh_and_the_target_is_left_alone(run, small_workspace):
    assert run("apply", "--auto-approve")[0] == 0
    before = target_digest(small_workspace)
    lose_state(small_workspace)
    for command in (["plan"], ["plan", "--format", "json"], ["apply", "--auto-approve"], ["refresh"]):
        assert_refused(*run(*command))
    assert target_digest(small_workspace) == before


def test_a_restored_state_is_accepted_again(run, small_workspace):
    assert run("apply", "--auto-approve")[0] == 0
    backup = small_workspace / "backup"
    backup.mkdir()
    for path in state_files(small_workspace):
        shutil.copy2(path, backup / path.name)
    lose_state(small_workspace)
    assert run("plan")[0] == 1
    for path in backup.iterdir():
        shutil.copy2(path, small_workspace / ".campaignkit" / path.name)
    code, out, _ = run("plan", "--detailed-exitcode")
    assert (code, out.splitlines()[0]) == (0, "No changes. The target matches the files.")


def test_a_saved_plan_made_on_an_empty_state_is_refused_once_the_target_was_filled_and_the_state_lost(
        run, small_workspace):
    plan_file = small_workspace / "first.ckplan"
    assert run("plan", "--out", str(plan_file))[0] == 0
    assert run("apply", "--auto-approve")[0] == 0  # someone else applied first
    before = target_digest(small_workspace)
    lose_state(small_workspace)
    assert_refused(*run("apply", str(plan_file)))
    assert target_digest(small_workspace) == before


def test_new_state_starts_over_and_import_brings_the_objects_back(run, small_workspace):
    assert run("apply", "--auto-approve")[0] == 0
    with sqlite3.connect(small_workspace / ".campaignkit" / "sandbox.target.db") as db:
        ids = dict(db.execute("SELECT kind || '.' || name, id FROM ck_objects").fetchall())
    lose_state(small_workspace)
    code, out, _ = run("plan", "--new-state")
    assert code == 0 and out.startswith("Plan: 7 to add")
    for address, object_id in sorted(ids.items()):
        code, out, err = run("import", address, str(object_id))
        assert code == 0, err
    code, out, _ = run("plan", "--detailed-exitcode")
    assert (code, out.splitlines()[0]) == (0, "No changes. The target matches the files.")


def test_a_target_without_a_mark_that_holds_the_files_objects_refuses_an_empty_state(run, small_workspace):
    run("apply", "--auto-approve", "--target", "field.first_name")
    lose_state(small_workspace)
    with sqlite3.connect(small_workspace / ".campaignkit" / "sandbox.target.db") as db:
        db.execute("DELETE FROM ck_states")  # as a target written before campaignkit kept marks
    code, out, err = run("plan")
    assert code == 1 and out == ""
    assert "the local target already holds 1 object(s) the files declare (field.first_name)" in err


def test_a_business_unit_holding_the_files_objects_refuses_an_empty_state(workspace, server):
    assert run_ae("apply", "--auto-approve")[0] == 0
    lists = len(names(server, "lists"))
    for path in (workspace / ".campaignkit").glob("production.db*"):
        path.unlink()
    code, out = run_ae("plan")
    assert code == 1 and re.search(r"the account-engagement target already holds \d+ object\(s\) the files declare "
                                   r"\(dynamic_content\.", out), out
    assert "--new-state" in out
    code, out = run_ae("apply", "--auto-approve")
    assert code == 1 and len(names(server, "lists")) == lists


def test_only_a_mark_of_this_environment_s_state_counts(small_workspace):
    workspace, _ = load_workspace(small_workspace)
    target = LocalTarget(small_workspace / "shared.target.db")
    with open_url("sqlite:state.db", small_workspace, "acme/sandbox") as store:
        target.remember_state(AppliedState("other-workspace/sandbox", "l-1", "/elsewhere/state.db", "2026-01-01"))
        refuse_lost_state(store.read(), store, target, workspace)  # another workspace shares the target
        target.remember_state(AppliedState("acme/sandbox", "l-2", store.location, "2026-01-02"))
        with pytest.raises(UserError, match="lineage l-2, kept at .*state.db, since 2026-01-02"):
            refuse_lost_state(store.read(), store, target, workspace)
    target.close()
