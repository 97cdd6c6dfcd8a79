"""Which files of a workspace hold resources: never hidden ones, never what ``exclude`` names."""

from __future__ import annotations

from click.testing import CliRunner

from campaignkit.cli import main
from campaignkit.workspace.loading import load_workspace
from tests.workspaces import CONFIG, write_workspace

#: Files of other tools that sit beside a workspace at the root of a repository: none is a resource.
OTHER_TOOLS = {
    ".pre-commit-config.yaml": "repos:\n  - repo: https://github.com/acme/campaignkit\n    rev: v0.1.0\n",
    ".github/workflows/campaigns.yml": "name: campaigns\non: [push]\njobs: {}\n",
    ".yamllint.yaml": "extends: default\n",
    "lists/.draft.yaml": "kind: lisst\n",
}
NOT_A_RESOURCE = "kind: lisst\nname: nothing\n"


def validate(root):
    return CliRunner().invoke(main, ["--chdir", str(root), "validate"])


def test_hidden_files_and_folders_are_never_read(tmp_path):
    root = write_workspace(tmp_path, OTHER_TOOLS)
    result = validate(root)
    assert result.exit_code == 0, result.output
    workspace, _ = load_workspace(root)
    assert not [path for path in workspace.files if any(part.startswith(".") for part in path.parts)]


def test_exclude_leaves_out_what_its_gitignore_patterns_match(tmp_path):
    root = write_workspace(tmp_path, {
        "campaignkit.yaml": CONFIG + "exclude: [drafts/, '*.draft.yaml', /archive/old.yaml]\n",
        "drafts/a.yaml": NOT_A_RESOURCE,
        "lists/drafts/b.yaml": NOT_A_RESOURCE,
        "lists/c.draft.yaml": NOT_A_RESOURCE,
        "archive/old.yaml": NOT_A_RESOURCE,
        "lists/archive/old.yaml": NOT_A_RESOURCE,  # /archive/ is at the root only
    })
    result = validate(root)
    assert result.exit_code == 1
    assert [line.split(":")[0] for line in result.output.splitlines() if "CK007" in line] == [
        "lists/archive/old.yaml"]


def test_a_pattern_git_would_not_read_is_an_error_where_it_is_written(tmp_path):
    root = write_workspace(tmp_path, {"campaignkit.yaml": CONFIG + "exclude:\n  - drafts/\n  - '!'\n"})
    result = validate(root)
    assert result.exit_code == 1
    assert result.output.startswith("campaignkit.yaml:14:5: CK008 error: exclude pattern '!' is not a .gitignore")


def test_exclude_is_in_the_schema(tmp_path):
    root = write_workspace(tmp_path, {"campaignkit.yaml": CONFIG + "exclude: drafts/\n"})
    result = validate(root)
    assert result.exit_code == 1 and "CK1" in result.output and "exclude" in result.output


def test_validate_files_checks_once_each_workspace_that_holds_a_file_and_ignores_the_rest(tmp_path):
    write_workspace(tmp_path / "good")
    write_workspace(tmp_path / "teams" / "bad", {"lists/extra.yaml": "kind: list\nname: 2026-web-x-list\ntitel: X\n"})
    (tmp_path / "notes.yaml").write_text("x: [1\n")
    files = ["good/lists.yaml", "teams/bad/lists/extra.yaml", "teams/bad/campaignkit.yaml", "notes.yaml",
             "good/templates/none-such.mjml"]
    result = CliRunner().invoke(main, ["--chdir", str(tmp_path), "validate-files", *files])
    assert result.exit_code == 1
    assert [line for line in result.output.splitlines() if line.startswith("Workspace")] == [
        "Workspace good:", "Workspace teams/bad:"]
    # Paths from where the hook runs, so that an editor or a terminal opens them.
    assert "teams/bad/lists/extra.yaml:3:1: CK101 error: unknown key 'titel'" in result.output
    assert "notes.yaml" not in result.output


def test_validate_files_of_no_workspace_pass(tmp_path):
    (tmp_path / "notes.yaml").write_text("x: [1\n")
    result = CliRunner().invoke(main, ["--chdir", str(tmp_path), "validate-files", "notes.yaml"])
    assert result.exit_code == 0 and result.output == ""


def test_hidden_files_in_tests_are_no_campaign_tests(tmp_path):
    root = write_workspace(tmp_path, {"tests/.welcome.yaml": "name: [\n"})
    result = CliRunner().invoke(main, ["--chdir", str(root), "validate"])
    assert result.exit_code == 0, result.output
