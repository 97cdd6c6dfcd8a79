"""The CI recipes teams copy: every campaignkit command in them parses, and the workflow does what docs/ci.md says."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import click
import pytest
import yaml

from campaignkit.cli import main

ROOT = Path(__file__).resolve().parent.parent
_YAML_BLOCK = re.compile(r"^```yaml\n(.*?)^```", re.S | re.M)
_SHELL_OPERATORS = {">", ">>", "||", "&&", "|", "2>&1"}


def workflow() -> dict:
    """The GitHub Actions workflow of docs/ci.md: the YAML block that has ``jobs``."""
    blocks = [yaml.safe_load(block) for block in _YAML_BLOCK.findall((ROOT / "docs" / "ci.md").read_text())]
    return next(block for block in blocks if isinstance(block, dict) and "jobs" in block)


def campaignkit_calls(document: dict) -> list[list[str]]:
    """The arguments of every ``campaignkit`` command line in the workflow's ``run`` steps."""
    calls = []
    for job in document["jobs"].values():
        for step in job["steps"]:
            script = str(step.get("run", "")).replace("\\\n", " ")  # continued lines are one command
            for line in script.splitlines():
                if line.strip().startswith("campaignkit "):
                    calls.append(_until_operator(shlex.split(line, comments=True)[1:]))
    return calls


def _until_operator(words: list[str]) -> list[str]:
    for index, word in enumerate(words):
        if word in _SHELL_OPERATORS:
            return words[:index]
    return words


def test_every_campaignkit_command_in_the_workflow_parses():
    calls = campaignkit_calls(workflow())
    assert {call[0] for call in calls} >= {"validate", "plan", "apply"}
    for call in calls:
        command = main.get_command(click.Context(main), call[0])
        assert command is not None, f"campaignkit {call[0]} does not exist"
        command.make_context(call[0], call[1:])  # raises UsageError on an unknown option or a bad value


def test_the_workflow_validates_with_annotations_plans_on_pull_requests_and_applies_the_saved_plan_on_main():
    document = workflow()
    jobs = document["jobs"]
    triggers = document.get("on", document.get(True))  # PyYAML reads the key `on` as YAML 1.1's true
    assert {"push", "pull_request"} <= set(triggers)
    assert "pull_request" in jobs["plan"]["if"]
    assert "refs/heads/main" in jobs["apply"]["if"]
    calls = campaignkit_calls(document)
    formats = {call[call.index("--format") + 1] for call in calls if call[0] == "validate"}
    assert formats == {"github", "sarif"}
    calls = {call[0]: call for call in calls}
    assert "markdown" in calls["plan"]
    saved = calls["plan"][calls["plan"].index("--out") + 1]
    assert calls["apply"][1] == saved


@pytest.mark.parametrize("option", ["--format", "--out"])
def test_a_misspelt_option_is_caught(option):
    with pytest.raises(click.UsageError):
        main.get_command(click.Context(main), "plan").make_context("plan", [option + "x", "y"])


def test_the_pre_commit_hook_validates_the_workspaces_of_the_files_it_is_given():
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    hook = next(h for h in hooks if h["id"] == "campaignkit-validate")
    assert hook["entry"] == "campaignkit validate-files" and hook.get("pass_filenames", True) is True
    assert hook["require_serial"] is True  # one process: each workspace validated once
    assert re.search(hook["files"], "emails/welcome.yaml") and re.search(hook["files"], "templates/a.mjml")


def test_only_the_steps_that_talk_to_account_engagement_get_the_private_key():
    document = workflow()
    assert "CK_AE_PRIVATE_KEY" not in document["env"]  # not every step, nor any third-party action
    given = [step.get("run", "").split()[1] for job in document["jobs"].values() for step in job["steps"]
             if "CK_AE_PRIVATE_KEY" in step.get("env", {})]
    assert given == ["plan", "apply"]
    assert {"CK_AE_BUSINESS_UNIT", "CK_AE_CLIENT_ID"} <= set(document["env"])
