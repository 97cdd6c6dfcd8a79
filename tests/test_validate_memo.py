"""validate's memo: an unchanged workspace is answered from the user's cache folder, and any change to
a file it could read (a resource, a test, a template) is checked afresh."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from campaignkit.checks.memo import ValidateMemo, cache_folder
from campaignkit.cli import main
from tests.workspaces import copy_example

EXAMPLE = Path(__file__).resolve().parent.parent / "campaigns"


@pytest.fixture()
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return copy_example(tmp_path / "ws")


def validate(workspace: Path, *args: str):
    return CliRunner().invoke(main, ["--chdir", str(workspace), "validate", *args])


def age(path: Path) -> None:
    """Makes ``path`` look written a minute ago, as a file is by the time it is validated again."""
    old = path.stat().st_mtime - 60
    os.utime(path, (old, old))


def test_the_memo_is_kept_in_the_users_cache_folder_as_json(workspace: Path, tmp_path: Path) -> None:
    assert validate(workspace).exit_code == 0
    assert cache_folder() == tmp_path / "cache" / "campaignkit"
    [entry] = (cache_folder() / "validate").iterdir()
    assert json.loads(entry.read_text(encoding="utf-8"))["diagnostics"] == []
    assert not (workspace / ".campaignkit" / "validate").exists()


def test_an_unchanged_workspace_gives_the_same_report_from_the_memo(workspace: Path) -> None:
    (workspace / "lists.yaml").write_text((workspace / "lists.yaml").read_text().replace(
        "campaign: campaign.2026-capture-tablet-drawing-campaign", "campaign: campaign.2026-capture-x-campaign"))
    first = validate(workspace, "--format", "json")
    assert ValidateMemo(workspace.resolve()).get() is not None
    again = validate(workspace, "--format", "json")
    assert (again.exit_code, again.output) == (first.exit_code, first.output) == (1, first.output)


@pytest.mark.parametrize("edited", ["lists.yaml", "tests/welcome.yaml", "templates/acme-conf-welcome.mjml", "campaignkit.yaml"])
def test_editing_any_file_it_reads_checks_the_workspace_again(workspace: Path, edited: str) -> None:
    for path in workspace.rglob("*"):
        if path.is_file():
            age(path)
    assert validate(workspace).exit_code == 0
    assert ValidateMemo(workspace.resolve()).get() == []
    path = workspace / edited
    path.write_text(path.read_text(encoding="utf-8") + "{{\n", encoding="utf-8")
    assert ValidateMemo(workspace.resolve()).get() is None
    assert validate(workspace).exit_code == 1


def test_a_file_rewritten_in_the_same_clock_tick_is_hashed_again(workspace: Path) -> None:
    path = workspace / "lists.yaml"
    text = path.read_text(encoding="utf-8")
    assert validate(workspace).exit_code == 0
    stamp = path.stat()
    path.write_text(text.replace("type: static", "type: statik", 1), encoding="utf-8")  # same size
    os.utime(path, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))  # and the same modification time
    assert validate(workspace).exit_code == 1


def test_a_memo_that_does_not_read_is_ignored(workspace: Path) -> None:
    assert validate(workspace).exit_code == 0
    [entry] = (cache_folder() / "validate").iterdir()
    entry.write_text("not json", encoding="utf-8")
    assert validate(workspace).exit_code == 0
    for broken in ('{"key": 1, "stamps": [], "diagnostics": 3}', '{"stamps": {"lists.yaml": 7}, "diagnostics": []}'):
        entry.write_text(broken, encoding="utf-8")
        assert validate(workspace).exit_code == 0
