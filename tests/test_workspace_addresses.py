"""resolve: the resource a person names as KIND.NAME or NAME, or a message that says what to give."""

from __future__ import annotations

from pathlib import Path

import pytest

from campaignkit.errors import UserError
from campaignkit.workspace.addresses import LISTED_NAMES, resolve
from campaignkit.workspace.loading import load_workspace
from campaignkit.workspace.model import Workspace

PROGRAMS = ("2026-nurture-welcome-program", "2026-web-pricing-follow-up-program")


def workspace_of(tmp_path: Path, *documents: tuple[str, str]) -> Workspace:
    (tmp_path / "campaignkit.yaml").write_text("workspace: acme\nenvironments:\n  sandbox: {target: local}\n")
    (tmp_path / "resources.yaml").write_text("---\n".join(f"kind: {kind}\nname: {name}\n" for kind, name in documents))
    workspace, _ = load_workspace(tmp_path)
    return workspace


@pytest.fixture
def workspace(tmp_path: Path) -> Workspace:
    return workspace_of(tmp_path, *(("program", name) for name in PROGRAMS), ("list", "2026-web-trial-list"),
                        ("email", "2026-nurture-reengage-email"))


def refusal(workspace: Workspace, given: str, kind: str) -> str:
    with pytest.raises(UserError) as refused:
        resolve(workspace, given, kind)
    return str(refused.value)


@pytest.mark.parametrize("given", ["program.2026-nurture-welcome-program", "2026-nurture-welcome-program"])
def test_a_resource_is_found_by_its_address_or_its_name(workspace, given):
    assert resolve(workspace, given, "program").address == "program.2026-nurture-welcome-program"


def test_a_resource_of_another_kind_is_named_as_what_it_is(workspace):
    assert refusal(workspace, "list.2026-web-trial-list", "program") == (
        "list.2026-web-trial-list is a list, not a program: give a program (program.NAME or NAME)")
    assert refusal(workspace, "program.2026-nurture-welcome-program", "email") == (
        "program.2026-nurture-welcome-program is a program, not an email: give an email (email.NAME or NAME)")


def test_a_misspelt_name_gets_the_closest_in_the_form_it_was_given_and_the_names_there_are(workspace):
    names = ", ".join(PROGRAMS)
    assert refusal(workspace, "2026-nurture-welcom-program", "program") == (
        f"no program named 2026-nurture-welcom-program (did you mean '2026-nurture-welcome-program'?); "
        f"the programs are: {names}")
    assert refusal(workspace, "program.2026-nurture-welcom-program", "program") == (
        f"no program named program.2026-nurture-welcom-program (did you mean 'program.2026-nurture-welcome-program'?); "
        f"the programs are: {names}")


def test_a_short_word_of_the_name_is_enough_for_a_suggestion(workspace):
    assert "no program named pricing (did you mean '2026-web-pricing-follow-up-program'?)" in \
        refusal(workspace, "pricing", "program")


def test_many_names_are_counted_rather_than_listed(tmp_path):
    many = workspace_of(tmp_path, *(("email", f"email-{i:02d}") for i in range(LISTED_NAMES + 1)))
    assert refusal(many, "nothing-like-it", "email") == (
        f"no email named nothing-like-it; the workspace has {LISTED_NAMES + 1} emails")


def test_a_workspace_without_the_kind_says_so(tmp_path):
    empty = workspace_of(tmp_path, ("list", "2026-web-trial-list"))
    assert refusal(empty, "welcome", "program") == "no program named welcome: the workspace declares no program"
