"""``campaignkit validate``/``explain`` end to end: formats, exit codes, no tracebacks."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from campaignkit.cli import main
from campaignkit.diagnostics import Position, error
from campaignkit.views.diagnostics import format_diagnostics
from tests.workspaces import write_workspace

BROKEN = {"extra.yaml": "kind: list\nname: 2026-web-x-list\ntype: static\ntitel: X\n"}


def run(root, *args):
    return CliRunner().invoke(main, ["--chdir", str(root), *args])


def test_clean_workspace_exits_0(tmp_path):
    result = run(write_workspace(tmp_path), "validate")
    assert result.exit_code == 0, result.output
    assert "Success" in result.output


def test_text_format_is_compiler_like_with_source_line_and_caret(tmp_path):
    result = run(write_workspace(tmp_path, BROKEN), "validate")
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0] == "extra.yaml:4:1: CK101 error: unknown key 'titel' in the list (did you mean 'title'?)"
    assert lines[1] == "  titel: X"
    assert lines[2] == "  ^~~~~"  # under the whole key
    assert lines[-1] == "1 error, 0 warnings."
    assert "\x1b[" not in result.output  # no colour when not on a terminal


def test_a_long_source_line_is_cut_around_the_column(tmp_path):
    line = '{kind: list, name: 2026-web-x-list, type: static, title: "' + "a" * 300 + '", titel: X}'
    result = run(write_workspace(tmp_path, {"extra.yaml": line + "\n"}), "validate")
    lines = result.output.splitlines()
    assert lines[0].startswith(f"extra.yaml:1:{line.index('titel') + 1}: CK101 error: unknown key 'titel'")
    shown, caret = lines[1][2:], lines[2][2:]
    assert shown.startswith("...aaa") and shown.endswith("titel: X}") and len(shown) == 123
    assert shown[caret.index("^"):].startswith("titel: X")


def test_an_oversized_file_is_reported_without_printing_it(tmp_path):
    root = write_workspace(tmp_path, {"big.yaml": "title: " + "a" * (6 * 1024 * 1024)})
    result = run(root, "validate")
    assert result.exit_code == 1
    assert result.output.splitlines()[0].startswith("big.yaml:1:1: CK003 error: file is 6.0 MB")
    assert len(result.output) < 500


def test_json_format_follows_terraform_validate(tmp_path):
    result = run(write_workspace(tmp_path, BROKEN), "validate", "--format", "json")
    assert result.exit_code == 1
    document = json.loads(result.output)
    assert document["valid"] is False
    assert document["error_count"] == 1 and document["warning_count"] == 0
    diagnostic = document["diagnostics"][0]
    assert diagnostic["severity"] == "error"
    assert diagnostic["code"] == "CK101"
    assert diagnostic["range"]["filename"] == "extra.yaml"
    assert diagnostic["range"]["start"]["line"] == 4
    assert diagnostic["range"]["start"]["byte"] == len("kind: list\nname: 2026-web-x-list\ntype: static\n")
    # the end is the column after the key, as in Terraform's ranges
    assert diagnostic["range"]["end"]["line"] == 4 and diagnostic["range"]["end"]["column"] == 1 + len("titel")
    assert diagnostic["range"]["end"]["byte"] == diagnostic["range"]["start"]["byte"] + len("titel")


def test_github_format_is_workflow_annotations(tmp_path):
    result = run(write_workspace(tmp_path, BROKEN), "validate", "--format", "github")
    assert result.output.splitlines()[0].startswith(
        "::error file=extra.yaml,line=4,col=1,endLine=4,endColumn=5,title=CK101::unknown key")


def test_github_paths_are_from_the_root_of_the_checkout(tmp_path, monkeypatch):
    root = write_workspace(tmp_path / "repo" / "campaigns", BROKEN)
    monkeypatch.setenv("GITHUB_WORKSPACE", str(tmp_path / "repo"))
    result = run(root, "validate", "--format", "github")
    assert result.output.splitlines()[0].startswith("::error file=campaigns/extra.yaml,line=4,col=1,")


@pytest.mark.parametrize("in_actions", [True, False])
def test_sarif_paths_are_from_the_root_of_the_repository(tmp_path, monkeypatch, in_actions):
    """Code scanning places results by their path in the repository, as GitHub's annotations."""
    repository = tmp_path / "repo"
    root = write_workspace(repository / "campaigns", BROKEN)
    if in_actions:
        monkeypatch.setenv("GITHUB_WORKSPACE", str(repository))
    else:
        monkeypatch.delenv("GITHUB_WORKSPACE", raising=False)
        (repository / ".git").mkdir()
    run_ = json.loads(run(root, "validate", "--format", "sarif").output)["runs"][0]
    location = run_["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert location == {"uri": "campaigns/extra.yaml", "uriBaseId": "%SRCROOT%"}
    assert run_["originalUriBaseIds"]["%SRCROOT%"]["uri"] == repository.resolve().as_uri() + "/"


def test_sarif_format_has_rules_and_results(tmp_path):
    result = run(write_workspace(tmp_path, BROKEN), "validate", "--format", "sarif")
    document = json.loads(result.output)
    assert document["version"] == "2.1.0"
    run_ = document["runs"][0]
    assert [r["id"] for r in run_["tool"]["driver"]["rules"]] == ["CK101"]
    location = run_["results"][0]["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "extra.yaml"
    assert location["region"] == {"startLine": 4, "startColumn": 1, "endLine": 4, "endColumn": 6}


def test_sarif_locations_are_uris(tmp_path):
    result = run(write_workspace(tmp_path, {"my lists été.yaml": BROKEN["extra.yaml"]}), "validate", "--format", "sarif")
    location = json.loads(result.output)["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "my%20lists%20%C3%A9t%C3%A9.yaml"


def test_the_caret_stands_under_the_column_after_tabs_and_wide_characters(tmp_path):
    line = '{kind: list, name: 2026-web-x-list, type: static, title: "\t名前", titel: X}'
    result = run(write_workspace(tmp_path, {"extra.yaml": line + "\n"}), "validate")
    shown, caret = result.output.splitlines()[1:3]
    before = line[:line.index("titel")]
    assert shown == "  " + line
    # a tab under the tab, two blanks under each of the two wide characters, one under '", '
    assert caret == "  " + " " * before.index("\t") + "\t" + " " * 4 + " " * 3 + "^~~~~"


@pytest.mark.parametrize("line, token", [
    ('title: "a \\"quoted\\" title"  # why', '"a \\"quoted\\" title"'),
    ("title: 'it''s here'", "'it''s here'"),
    ("title: two words # and a comment", "two words"),
    ("title: https://example.com/a:b?c=d", "https://example.com/a:b?c=d"),
    ("{title: [x], name: y}", "[x]"),
])
def test_the_range_of_a_diagnostic_spans_what_it_points_at(tmp_path, line, token):
    column = line.index(token) + 1
    assert json_range_width(tmp_path, "lists.yaml", line, column) == (1 if token == "[x]" else len(token))


@pytest.mark.parametrize("token", ["<mj-image", 'href="https://acme.example/a b"', "{{ first_name | upper }}"])
def test_in_a_template_the_range_spans_an_element_an_attribute_or_a_merge_field(tmp_path, token):
    line = '<mj-text>Hi <a href="https://acme.example/a b">{{ first_name | upper }}</a></mj-text><mj-image alt="" />'
    assert json_range_width(tmp_path, "templates/mail.mjml", line, line.index(token) + 1) == len(token)


def json_range_width(root: Path, path: str, line: str, column: int) -> int:
    """How many columns the JSON range of a diagnostic at ``column`` of ``line``, the first line of ``path``, spans."""
    (root / path).parent.mkdir(parents=True, exist_ok=True)
    (root / path).write_text(line + "\n", encoding="utf-8")
    document = json.loads(format_diagnostics([error("CK999", "here", Position(path, 1, column))], root, "json"))
    found = document["diagnostics"][0]["range"]
    assert found["start"]["line"] == found["end"]["line"] == 1
    return found["end"]["column"] - found["start"]["column"]


def test_outside_a_workspace_is_one_line_and_exit_1(tmp_path):
    result = run(tmp_path, "validate")
    assert result.exit_code == 1
    assert result.output.startswith("Error: no campaignkit.yaml")
    assert len(result.output.strip().splitlines()) == 1


def test_broken_inputs_give_diagnostics_and_never_a_traceback(tmp_path):
    bomb = 'a: &a ["x","x","x","x","x","x","x","x","x"]\n' + "".join(
        f"{n}: &{n} [" + ",".join([f"*{p}"] * 9) + "]\n" for p, n in zip("abcdefgh", "bcdefghi"))
    root = write_workspace(tmp_path, {
        "broken.yaml": "kind: list\nname: [unclosed\n",
        "bomb.yaml": bomb,
        "latin.yaml": "kind: list\nname: caf\xe9\n".encode("latin-1"),
        "deep.yaml": "[" * 50000 + "]" * 50000,
    })
    env = {**os.environ, "PYTHONPATH": os.getcwd()}
    result = subprocess.run([sys.executable, "-m", "campaignkit", "validate"], cwd=root, capture_output=True,
                            text=True, env=env, timeout=120)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr + result.stdout
    reported = {line.split(":")[0] for line in result.stdout.splitlines() if ": CK" in line}
    assert reported == {"broken.yaml", "bomb.yaml", "latin.yaml", "deep.yaml"}


def test_explain_prints_the_documentation(tmp_path):
    result = CliRunner().invoke(main, ["explain", "CK503"])
    assert result.exit_code == 0
    assert "What it does" in result.output
    listing = CliRunner().invoke(main, ["explain"])
    assert "CK202" in listing.output
    unknown = CliRunner().invoke(main, ["explain", "CK999"])
    assert unknown.exit_code == 1


def test_validate_checks_campaign_test_files(tmp_path):
    root = write_workspace(tmp_path, {"tests/welcome.yaml": (
        "name: a typo in the path\n"
        "program: program.2026-nurture-welcome-program\n"
        "expect:\n"
        "  path: [tag, wiat, hot, done]\n")})
    result = run(root, "validate")
    assert result.exit_code == 1
    assert result.output.startswith("tests/welcome.yaml:4:")
    assert "CK802" in result.output and "did you mean 'wait'" in result.output


@pytest.mark.parametrize("default, message", [
    ("default_environment: sandbx\n", "2:22: CK008 error: default_environment 'sandbx' is not an environment "
                                      "(did you mean 'sandbox'?)"),
    ("", "1:1: CK008 error: campaignkit.yaml has 2 environments: set default_environment"),
])
def test_the_default_environment_must_be_one_when_there_is_a_choice(tmp_path, default, message):
    from tests.workspaces import CONFIG

    config = CONFIG.replace("default_environment: sandbox\n", "").replace(
        "environments:\n", "environments:\n  production: {target: local}\n")
    root = write_workspace(tmp_path, {"campaignkit.yaml": config.replace("workspace: acme\n",
                                                                         f"workspace: acme\n{default}")})
    result = run(root, "validate")
    assert result.exit_code == 1 and result.output.startswith(f"campaignkit.yaml:{message}"), result.output
    assert run(root, "apply", "--auto-approve").exit_code == 1
    assert not (root / ".campaignkit" / "production.db").exists()


def test_a_workspace_inside_another_is_left_to_itself(tmp_path):
    root = write_workspace(tmp_path)
    inner = write_workspace(root / "other", BROKEN)
    assert run(root, "validate").exit_code == 0
    assert run(inner, "validate").exit_code == 1


def test_the_console_command_flushes_its_report_and_exits_with_the_status(tmp_path):
    """``python -m campaignkit`` skips freeing what it loaded, but not its output: a report far
    larger than a pipe's buffer arrives whole, with exit 1, and a reader that stops early gets
    no complaint on stderr."""
    files = {f"extra{n}.yaml": f"kind: list\nname: 2026-web-x{n}-list\ntype: static\ntitel: X\n" for n in range(800)}
    root = write_workspace(tmp_path, files)
    command = [sys.executable, "-m", "campaignkit", "validate"]
    result = subprocess.run(command, cwd=root, capture_output=True, text=True, timeout=120)
    assert result.returncode == 1 and result.stderr == ""
    assert len(result.stdout) > 65_536
    assert sum(": CK101 error: " in line for line in result.stdout.splitlines()) == 800
    assert result.stdout.rstrip().splitlines()[-1].startswith("800 errors")
    piped = subprocess.run(f"{subprocess.list2cmdline(command)} | head -1", shell=True, cwd=root,
                           capture_output=True, text=True, timeout=120)
    assert piped.stdout.count("\n") == 1 and piped.stderr == ""
    assert subprocess.run([*command[:3], "explain", "CK999"], capture_output=True, text=True).returncode == 1
