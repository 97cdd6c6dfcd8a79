"""Plan and apply on the workspaces users meet first: the one ``init`` writes, and ``campaigns/``."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from campaignkit.cli import main

EXAMPLE = Path(__file__).resolve().parent.parent / "campaigns"


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def init_workspace(tmp_path, monkeypatch) -> Path:
    root = tmp_path / "ws"
    assert invoke("init", str(root))[0] == 0
    monkeypatch.chdir(root)
    return root


@pytest.fixture
def example_workspace(tmp_path, monkeypatch) -> Path:
    root = tmp_path / "campaigns"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns(".campaignkit"))
    monkeypatch.chdir(root)
    return root


def plan_apply_plan(root: Path) -> None:
    code, out, err = invoke("plan", "--detailed-exitcode")
    assert code == 2, out + err
    assert re.match(r"Plan: \d+ to add, 0 to change, 0 to destroy\.", out)
    code, out, err = invoke("apply", "--auto-approve")
    assert code == 0 and "Apply complete!" in out, out + err
    code, out, _ = invoke("plan", "--detailed-exitcode")
    assert (code, out.splitlines()[0]) == (0, "No changes. The target matches the files.")


def change_first_subject(root: Path) -> str:
    """Edits the subject of the first email declared, and returns its address."""
    for path in sorted(root.rglob("*.yaml")):
        text = path.read_text()
        found = re.search(r"^kind: email\nname: (\S+)\n(?:.*\n)*?subject: .+$", text, flags=re.MULTILINE)
        if found:
            start = found.group(0).rfind("subject:") + found.start()
            end = text.index("\n", start)
            path.write_text(text[:start] + "subject: A subject changed in review" + text[end:])
            return f"email.{found[1]}"
    raise AssertionError("no email in the workspace")


def test_init_workspace_plans_applies_and_then_has_no_changes(init_workspace):
    plan_apply_plan(init_workspace)


def test_example_campaigns_plan_apply_and_one_subject_change(example_workspace):
    plan_apply_plan(example_workspace)
    address = change_first_subject(example_workspace)
    code, out, _ = invoke("plan", "--detailed-exitcode")
    assert code == 2 and out.splitlines()[0] == "Plan: 0 to add, 1 to change, 0 to destroy."
    details = [line.strip() for line in out.splitlines()[4:-1] if line.strip()]
    assert details[0] == f"~ {address}  (update in place)"
    assert [line.split(":")[0] for line in details[1:]] == ["~ subject", "Approvals needed", address]
