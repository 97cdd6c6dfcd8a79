"""``campaignkit fmt``: one layout for every campaign file, comments, anchors and Japanese text kept."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from campaignkit.cli import main
from campaignkit.workspace.layout import Unformattable, formatted
from tests.workspaces import copy_example

EXAMPLE = Path(__file__).resolve().parent.parent / "campaigns"
ROOT = Path(__file__).resolve().parent.parent

EMAIL = """\
# yaml-language-server: $schema=../schemas/email.json
# 日本のお客様への最初のメール
kind: email
template: templates/welcome-ja.mjml   # 本文はここ
name: 2026-email-welcome-ja-email
subject: 'ようこそ、{{ first_name }}さん'
from: {name: "Acme 株式会社", address: 'hello@acme.example'}
tags:
- japan   # 日本
description: "年: 2026"
"""


def test_keys_follow_the_schema_and_comments_and_japanese_stay() -> None:
    assert formatted(EMAIL) == """\
# yaml-language-server: $schema=../schemas/email.json
# 日本のお客様への最初のメール
kind: email
name: 2026-email-welcome-ja-email
description: "年: 2026"
tags:
  - japan # 日本
subject: ようこそ、{{ first_name }}さん
from: {name: Acme 株式会社, address: hello@acme.example}
template: templates/welcome-ja.mjml   # 本文はここ
"""


def test_the_layout_is_stable() -> None:
    once = formatted(EMAIL)
    assert formatted(once) == once


def test_anchors_and_aliases_stay_and_step_keys_follow_their_kind_of_step() -> None:
    text = """\
kind: program
name: p
schedule: {days: [mon], hours: "09:00-17:00", timezone: Asia/Tokyo}
start: a
steps:
  b: &last
    end: true
  a: {next: b, send_email: email.x}
  w: {next: b, wait: 3d}
  c: *last
recipients: {include: [list.a]}
"""
    assert formatted(text) == """\
kind: program
name: p
recipients: {include: [list.a]}
schedule: {days: [mon], hours: 09:00-17:00, timezone: Asia/Tokyo}
start: a
steps:
  b: &last
    end: true
  a: {send_email: email.x, next: b}
  w: {wait: 3d, next: b}
  c: *last
"""


def test_strings_that_would_read_as_something_else_keep_their_quotes() -> None:
    text = 'kind: field\nname: code\ntype: text\nexample: "2026"\ndefault: "true"\ndescription: "a: b"\n'
    assert formatted(text) == 'kind: field\nname: code\ndescription: "a: b"\ntype: text\ndefault: "true"\n' \
                              'example: "2026"\n'


def test_several_documents_keep_their_separators() -> None:
    text = "kind: list\ntype: static\nname: a\n---\n# the second\nkind: list\ntype: static\nname: b\n"
    assert formatted(text) == "kind: list\nname: a\ntype: static\n---\n# the second\nkind: list\nname: b\ntype: static\n"


def test_text_that_is_not_yaml_is_refused() -> None:
    with pytest.raises(Unformattable):
        formatted("kind: list\nname: [a\n")


@pytest.fixture()
def workspace(tmp_path: Path) -> Path:
    return copy_example(tmp_path / "ws")


def fmt(workspace: Path, *args: str):
    return CliRunner().invoke(main, ["--chdir", str(workspace), "fmt", *args])


def test_check_lists_what_would_change_and_changes_nothing(workspace: Path) -> None:
    (workspace / "lists.yaml").write_text("kind: list\ntype: static\nname: evergreen-all-a-list\n", encoding="utf-8")
    before = (workspace / "lists.yaml").read_text(encoding="utf-8")
    result = fmt(workspace, "--check", "lists.yaml")
    assert (result.exit_code, result.output) == (1, "would reformat lists.yaml\n")
    assert (workspace / "lists.yaml").read_text(encoding="utf-8") == before


@pytest.mark.parametrize("example", ["campaigns", "examples/engagement-studio"])
def test_the_shipped_example_workspaces_are_already_formatted(example: str) -> None:
    result = fmt(ROOT / example, "--check")
    assert result.exit_code == 0 and "already formatted" in result.output, result.output


def test_a_step_says_what_it_is_for_before_what_it_does() -> None:
    text = "kind: program\nname: p\nsteps:\n  a: {next: b, wait: 3d, description: Give them time.}\n"
    assert "  a: {description: Give them time., wait: 3d, next: b}\n" in formatted(text)


def test_fmt_lays_out_the_whole_workspace_once_and_it_still_validates(workspace: Path) -> None:
    lists = workspace / "lists.yaml"
    lists.write_text(lists.read_text(encoding="utf-8").replace("tags: [events]", "tags:\n- events", 1),
                     encoding="utf-8")
    first = fmt(workspace)
    assert first.exit_code == 0 and "reformatted lists.yaml" in first.output
    again = fmt(workspace, "--check")
    assert (again.exit_code, again.output) == (0, "18 files already formatted\n")
    validated = CliRunner().invoke(main, ["--chdir", str(workspace), "validate"])
    assert validated.exit_code == 0, validated.output
    tested = CliRunner().invoke(main, ["--chdir", str(workspace), "test"])
    assert tested.exit_code == 0, tested.output


def test_a_file_that_is_not_yaml_is_reported_and_left_alone(workspace: Path) -> None:
    (workspace / "lists.yaml").write_text("kind: list\nname: [a\n", encoding="utf-8")
    result = fmt(workspace)
    assert result.exit_code == 1
    assert re.search(r"^lists.yaml: not formatted: ", result.stderr, re.MULTILINE)
    assert (workspace / "lists.yaml").read_text(encoding="utf-8") == "kind: list\nname: [a\n"


def test_named_files_outside_a_workspace_are_left_alone(workspace: Path, tmp_path: Path) -> None:
    other = tmp_path / "workflow.yml"
    other.write_text("on: {push: {branches: ['main']}}\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["fmt", "--check", str(other)])
    assert result.exit_code == 0 and other.read_text(encoding="utf-8") == "on: {push: {branches: ['main']}}\n"


def test_the_pre_commit_hook_runs_fmt_on_yaml_files() -> None:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    hook = next(h for h in hooks if h["id"] == "campaignkit-fmt")
    assert hook["entry"] == "campaignkit fmt" and hook.get("pass_filenames", True) is True
    assert re.search(hook["files"], "emails/welcome.yaml") and not re.search(hook["files"], "templates/a.mjml")


def test_the_workspace_init_writes_is_already_formatted(tmp_path: Path) -> None:
    assert CliRunner().invoke(main, ["init", str(tmp_path / "new")]).exit_code == 0
    result = fmt(tmp_path / "new", "--check")
    assert result.exit_code == 0, result.output
