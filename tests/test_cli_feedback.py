"""What a designer-developer sees in the inner loop: messages that say what to do, all problems at once,
names that fit, help, version and completion, the plan's environment and simulate's warnings."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from campaignkit.cli import main
from tests.workspaces import copy_example, invoke

EXAMPLE = Path(__file__).resolve().parent.parent / "campaigns"


@pytest.fixture()
def workspace(tmp_path: Path) -> Path:
    return copy_example(tmp_path / "ws")


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def problems(output: str) -> list[str]:
    """The diagnostic lines of a text report, without the source lines and carets under them."""
    return [line for line in output.splitlines() if re.match(r"\S+:\d+:\d+: CK", line)]


def test_a_tab_is_reported_at_its_line_and_the_files_resources_are_not_undeclared(workspace: Path) -> None:
    edit(workspace / "lists.yaml", "type: static", "\ttype: static")
    result = invoke(workspace, "validate")
    assert result.exit_code == 1
    assert problems(result.output) == ["lists.yaml:8:1: CK001 error: tabs cannot indent YAML; use spaces"]


def test_an_unknown_key_does_not_hide_the_resources_other_problems(workspace: Path) -> None:
    edit(workspace / "lists.yaml", "type: static", "type: static\nfolderr: Lists")
    edit(workspace / "lists.yaml", "campaign: campaign.2026-capture-tablet-drawing-campaign",
         "campaign: campaign.2026-capture-tablet-drawing-campain")
    codes = [line.split()[1] for line in problems(invoke(workspace, "validate").output)]
    assert codes == ["CK101", "CK202"]


@pytest.mark.parametrize(("wrong", "code"), [
    ("tags: [events]\ntype: static\npublic: yes", "CK103"),        # YAML 1.2 reads yes as text, not a boolean
    ("tags: events\ntype: static", "CK103"),                       # a field of the wrong type
    ("tags: [events]\ntype: static\nmatch: al", "CK104"),          # a value the field does not allow
    ("tags: [events]\ntype: static\nmoved_from: List.x", "CK105"),  # a value off the field's pattern
])
def test_a_wrong_value_does_not_hide_the_resources_other_problems(workspace: Path, wrong: str, code: str) -> None:
    edit(workspace / "lists.yaml", "tags: [events]\ntype: static", wrong)
    edit(workspace / "lists.yaml", "campaign: campaign.2026-capture-tablet-drawing-campaign",
         "campaign: campaign.2026-capture-tablet-drawing-campain")
    codes = [line.split()[1] for line in problems(invoke(workspace, "validate").output)]
    assert codes == [code, "CK202"]


def test_a_problem_in_a_resources_shape_still_stops_its_other_checks(workspace: Path) -> None:
    edit(workspace / "lists.yaml", "tags: [events]\ntype: static\n", "tags: [events]\n")
    edit(workspace / "lists.yaml", "campaign: campaign.2026-capture-tablet-drawing-campaign",
         "campaign: campaign.2026-capture-tablet-drawing-campain")
    codes = [line.split()[1] for line in problems(invoke(workspace, "validate").output)]
    assert codes == ["CK102"]


def test_a_name_off_the_convention_gets_a_name_that_fits(workspace: Path) -> None:
    edit(workspace / "emails.yaml", "name: 2026-web-pricing-follow-up-email", "name: pricing-follow-up-wbe-2026")
    lines = [line for line in problems(invoke(workspace, "validate").output) if "CK301" in line]
    assert len(lines) == 1 and lines[0].endswith("a name that fits: 2026-web-pricing-follow-up-email")


def test_json_diagnostics_carry_the_fitting_name_as_the_suggestion(workspace: Path) -> None:
    edit(workspace / "emails.yaml", "name: 2026-web-trial-welcome-email", "name: 2026-trial-welcome-web-email")
    output = invoke(workspace, "validate", "--format", "json").output
    assert '"suggestion": "2026-web-trial-welcome-email"' in output


def test_version_has_a_short_option() -> None:
    result = CliRunner().invoke(main, ["-V"])
    assert result.exit_code == 0 and result.output.startswith("campaignkit, version ")


def test_top_level_help_gives_whole_sentences() -> None:
    output = CliRunner().invoke(main, ["--help"], terminal_width=80).output
    words = " ".join(output.split())
    assert ("explain Print the documentation of a check code (e.g. CK202) or a built-in policy, or list all "
            "codes.") in words
    assert "validate Check every file of the workspace: schema, references, naming, emails, programs." in words


def test_completion_offers_the_workspaces_addresses(workspace: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(workspace)
    monkeypatch.setenv("_CAMPAIGNKIT_COMPLETE", "bash_complete")
    monkeypatch.setenv("COMP_WORDS", "campaignkit render 2026-web-tr")
    monkeypatch.setenv("COMP_CWORD", "2")
    result = CliRunner().invoke(main, [], prog_name="campaignkit")
    assert result.output.split() == ["plain,2026-web-trial-welcome-email"]
    monkeypatch.setenv("COMP_WORDS", "campaignkit plan --target list.evergreen-all-sup")
    monkeypatch.setenv("COMP_CWORD", "3")
    result = CliRunner().invoke(main, [], prog_name="campaignkit")
    assert result.output.split() == ["plain,list.evergreen-all-suppression-list"]


def test_completion_outside_a_workspace_offers_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("_CAMPAIGNKIT_COMPLETE", "bash_complete")
    monkeypatch.setenv("COMP_WORDS", "campaignkit graph ")
    monkeypatch.setenv("COMP_CWORD", "2")
    result = CliRunner().invoke(main, [], prog_name="campaignkit")
    assert result.exit_code == 0 and result.output.strip() == ""


def test_simulate_warns_when_shares_are_rescaled(workspace: Path) -> None:
    edit(workspace / "personas.yaml", "share: 0.15", "share: 0.05")
    result = invoke(workspace, "simulate", "2026-nurture-welcome-program", "--prospects", "100")
    assert result.exit_code == 0
    assert "Warning: the personas' shares sum to 0.9, not 1: each was divided by 0.9" in result.stderr


def test_simulate_warns_when_no_persona_gives_a_sample(workspace: Path) -> None:
    path = workspace / "personas.yaml"
    path.write_text(re.sub(r"\nsample:\n(?:  .*\n)+", "\n", path.read_text(encoding="utf-8")), encoding="utf-8")
    result = invoke(workspace, "simulate", "2026-nurture-welcome-program", "--prospects", "100")
    assert result.exit_code == 0, result.output
    assert "Warning: no persona has a sample: every simulated prospect is the fields' examples" in result.stderr


def test_a_token_no_word_fits_takes_the_value_the_other_names_use_most(workspace: Path) -> None:
    edit(workspace / "emails.yaml", "name: 2026-web-trial-welcome-email", "name: trial-welcome-web")
    lines = [line for line in problems(invoke(workspace, "validate").output) if "CK301" in line]
    assert len(lines) == 1 and lines[0].endswith("a name that fits: 2026-web-trial-welcome-email")
