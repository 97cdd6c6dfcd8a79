"""``validate`` on files written to break it: each problem is a diagnostic, the report stays a valid
document in every format, and the command ends with 1, never a traceback."""

from __future__ import annotations

import json
import os
import re
import resource
import shutil
import subprocess
import sys

import pytest
from click.testing import CliRunner

from campaignkit.cli import main
from campaignkit.diagnostics import MAX_PER_FILE
from campaignkit.workspace.loading import load_workspace
from tests.ae_workspace import EXAMPLE
from tests.workspaces import CONFIG, PROGRAM, write_workspace

FORMATS = ("text", "json", "github", "sarif")


def validate(root, fmt="text"):
    result = CliRunner().invoke(main, ["--chdir", str(root), "validate", "--format", fmt])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    if fmt in ("json", "sarif"):
        json.loads(result.output)
    return result.output


@pytest.mark.parametrize("value, message", [
    ("!!seq {a: 1}", "a value tagged !!seq must be a list, not a mapping"),
    ("!!map [1]", "a value tagged !!map must be a mapping, not a list"),
    ("!!int [1]", "a value tagged !!int must be a single value, not a list"),
    ("!!float x", "this value cannot be read as !!float"),
    ("!!int abc", "this value cannot be read as !!int"),
    ("!!bool maybe", "this value cannot be read as !!bool"),
    ("!!binary aGk=", "!!binary makes none of them"),
    ("!!set {a}", "!!set makes none of them"),
    ("1" * 5000, "a number of 5,000 digits is longer than campaign files may hold (4,300 digits)"),
])
def test_a_value_its_tag_cannot_make_is_a_diagnostic_at_the_value(tmp_path, value, message):
    root = write_workspace(tmp_path, {"extra.yaml": f"kind: campaign\nname: 2026-web-x-campaign\nstage: {value}\n"
                                                    "---\nkind: campaign\nname: 2026-web-y-campaign\nstage: capture\n"})
    workspace, diagnostics = load_workspace(root)
    [found] = diagnostics
    assert (found.code, found.position.line, found.position.column) == ("CK001", 3, 8)
    assert message in found.message
    assert "campaign.2026-web-y-campaign" in workspace.resources  # the next document is still read
    for fmt in FORMATS:
        validate(root, fmt)


@pytest.mark.parametrize("program_edit", [
    ("schedule: {", "schedule: 09:30\nx: {"),
    ("steps:\n", "steps: 5\nx:\n"),
])
def test_a_test_of_a_program_that_breaks_its_schema_is_checked_without_a_crash(tmp_path, program_edit):
    test = "name: welcome\nprogram: program.2026-nurture-welcome-program\nexpect: {status: ended}\n"
    root = write_workspace(tmp_path, {"program.yaml": PROGRAM.replace(*program_edit), "tests/welcome.yaml": test})
    for fmt in FORMATS:
        assert "program.yaml" in validate(root, fmt)


def test_a_file_reports_at_most_100_problems_and_counts_the_rest(tmp_path):
    keys = "".join(f"unknown{n:03}: x\n" for n in range(150))
    campaign = "kind: campaign\nname: 2026-web-{}-campaign\nstage: capture\n"
    root = write_workspace(tmp_path, {"extra.yaml": campaign.format("x") + keys,
                                      "other.yaml": campaign.format("y") + "x: 1\n"})
    report = json.loads(validate(root, "json"))
    extra = [d for d in report["diagnostics"] if d["range"]["filename"] == "extra.yaml"]
    assert [d["code"] for d in extra] == ["CK101"] * 100 + ["CK010"]
    assert extra[-1]["summary"].startswith("50 more problems in this file are not shown (50 errors, 0 warnings)")
    assert extra[-1]["range"]["start"]["line"] == 104  # where the first one not shown is
    assert [d["code"] for d in report["diagnostics"] if d["range"]["filename"] == "other.yaml"] == ["CK101"]
    assert validate(root).splitlines()[-1] == "102 errors, 0 warnings."


def test_a_secret_written_in_the_settings_is_refused_without_being_shown(tmp_path):
    config = CONFIG.replace("    state: sqlite:.campaignkit/sandbox.db\n", (
        '    state: "postgresql://ck:hunter2pw@db.example/ck x"\n'
        "    settings: {access_token: sk-live-4f9a, client_secret: 's3cr3t-value', base_url: https://pi.pardot.com}\n"))
    root = write_workspace(tmp_path, {"campaignkit.yaml": config})
    for fmt in FORMATS:
        output = validate(root, fmt)
        assert "access_token" in output and "client_secret" in output and "state" in output
        assert not {"sk-live", "4f9a", "s3cr3t", "hunter2"} & set(re.findall(r"[\w-]+", output)), output
    text = validate(root)
    assert "settings: {access_token: ************, client_secret: **************, base_url: https://pi.pardot.com}" \
        in [line.strip() for line in text.splitlines()]
    result = CliRunner().invoke(main, ["--chdir", str(root), "plan"])
    assert result.exit_code == 1 and "hunter2" not in result.output and "sk-live" not in result.output


def parsed(output: str, fmt: str) -> list[tuple[str, str]]:
    """The (code, message) of each diagnostic of a report in ``fmt``."""
    if fmt == "json":
        return [(d["code"], d["summary"]) for d in json.loads(output)["diagnostics"]]
    if fmt == "sarif":
        return [(r["ruleId"], r["message"]["text"]) for r in json.loads(output)["runs"][0]["results"]]
    found = [re.match(r"::error .*title=(CK\d+)::(.*)$", line) for line in output.splitlines()[:-1]]
    return [(match[1], match[2]) for match in found if match]


@pytest.mark.parametrize("fmt", ["json", "github", "sarif"])
def test_outside_a_workspace_a_report_for_machines_is_still_a_document(tmp_path, fmt):
    result = CliRunner().invoke(main, ["--chdir", str(tmp_path), "validate", "--format", fmt])
    assert result.exit_code == 1
    [(code, message)] = parsed(result.stdout, fmt)
    assert code == "CK000" and message.startswith("no campaignkit.yaml in")
    assert result.stderr.startswith("Error: no campaignkit.yaml in")


@pytest.mark.parametrize("fmt", ["json", "github", "sarif"])
@pytest.mark.parametrize("start", ["chdir", "option", "extra argument"])
def test_a_command_line_that_fails_before_checking_still_gives_a_document(tmp_path, fmt, start):
    root = write_workspace(tmp_path / "ws")
    args = {"chdir": ["--chdir", str(tmp_path / "missing"), "validate", "--format", fmt],
            "option": ["--chdir", str(root), "validate", "--env", "sandbox", f"--format={fmt}"],
            "extra argument": ["--chdir", str(root), "validate", "--format", fmt, "campaigns"]}[start]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1 and "Traceback" not in result.output
    [(code, message)] = parsed(result.stdout, fmt)
    assert code == "CK000" and result.stderr == f"Error: {message}\n"
    assert {"chdir": "cannot change to", "option": "No such option", "extra argument": "unexpected extra"}[start] \
        in message


@pytest.mark.parametrize("config", ["directory", "named pipe", "link to nowhere", "link to itself", "latin-1", "empty"])
@pytest.mark.parametrize("fmt", ["json", "github", "sarif"])
def test_a_campaignkit_yaml_that_cannot_be_read_still_gives_a_document(tmp_path, config, fmt):
    root = write_workspace(tmp_path / "ws")
    path = root / "campaignkit.yaml"
    path.unlink()
    if config == "directory":
        path.mkdir()
    elif config == "named pipe":
        os.mkfifo(path)
    elif config.startswith("link"):
        os.symlink(tmp_path / "nowhere.yaml" if config == "link to nowhere" else path.name, path)
    else:
        path.write_bytes("workspace: caf\xe9\n".encode("latin-1") if config == "latin-1" else b"")
    result = CliRunner().invoke(main, ["--chdir", str(root), "validate", "--format", fmt])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert parsed(result.stdout, fmt)


@pytest.mark.parametrize("fmt", FORMATS)
def test_an_internal_error_is_a_diagnostic_that_asks_to_be_reported(tmp_path, monkeypatch, fmt):
    def fails(root, merge_languages):
        raise RuntimeError("a bug")

    monkeypatch.setattr("campaignkit.cli.check_commands.remembered_validation", fails)
    result = CliRunner().invoke(main, ["--chdir", str(write_workspace(tmp_path)), "validate", "--format", fmt])
    assert result.exit_code == 1
    assert "Traceback" not in result.stdout and "RuntimeError: a bug" in result.stderr
    if fmt == "text":
        assert result.stdout.startswith(".:1:1: CK000 error: internal error (RuntimeError): ")
        return
    [(code, message)] = parsed(result.stdout, fmt)
    assert code == "CK000" and message.startswith("internal error (RuntimeError)") and "please report" in message


#: Processor seconds ``validate`` of the example workspace may take with a broken shared partial before it
#: is stopped: it takes a few; it took minutes when every email reported each of the partial's problems.
CPU_SECONDS = 60


@pytest.mark.parametrize("footer", ["<mj-section>" * 50_000, "<mj-foo></mj-foo>" * 50_000,
                                    "</mj-section>" * 50_000, "<mj-text><div>" * 50_000],
                         ids=["unclosed", "unknown", "stray", "unclosed in HTML"])
def test_a_broken_partial_every_email_includes_is_reported_once_and_bounded(tmp_path, footer):
    root = tmp_path / "campaigns"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns(".campaignkit"))
    (root / "templates" / "partials" / "footer.mjml").write_text(footer)
    run = subprocess.run([sys.executable, "-m", "campaignkit", "validate", "--format", "json"], cwd=root,
                         capture_output=True, text=True, preexec_fn=_bounded_processor_time)
    assert run.returncode == 1, run.stderr  # killed by the processor limit otherwise
    partial = [d for d in json.loads(run.stdout)["diagnostics"]
               if d["range"]["filename"] == "templates/partials/footer.mjml"]
    assert 1 < len(partial) <= MAX_PER_FILE + 1
    if partial[-1]["code"] == "CK010":
        assert re.match(r"[\d,]+ more problems in this file are not shown", partial[-1]["summary"])


def _bounded_processor_time() -> None:
    resource.setrlimit(resource.RLIMIT_CPU, (CPU_SECONDS, CPU_SECONDS))
