"""Saved plans: what ``plan --out`` writes, and when ``apply FILE`` refuses it."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from campaignkit.errors import UserError
from campaignkit.plan import check_applicable, check_plan_path, load_plan, save_plan, workspace_hash


def fits(rig, plan) -> None:
    check_applicable(plan, rig.store.read(), rig.environment.name, workspace_hash(rig.workspace()))


@pytest.mark.parametrize("name", ["plan.json", "plan.json.gz"])
def test_a_saved_plan_reads_back_the_same(rig, tmp_path, name):
    plan = rig.plan()
    save_plan(plan, tmp_path / name)
    assert load_plan(tmp_path / name) == plan
    assert (tmp_path / name).read_bytes()[:2] == (b"\x1f\x8b" if name.endswith(".gz") else b'{"')


def test_a_saved_targeted_plan_stays_marked_as_partial(rig, tmp_path):
    plan = rig.plan(only=["list.global-suppression-list"])
    save_plan(plan, tmp_path / "plan.json")
    assert load_plan(tmp_path / "plan.json").targets == ("list.global-suppression-list",)


def test_a_fresh_plan_fits(rig):
    rig.apply()
    rig.edit("emails.yaml", "subject: Welcome to Acme Conf", "subject: Welcome aboard")
    fits(rig, rig.plan())


def test_a_plan_goes_stale_when_state_changes(rig):
    rig.apply()
    rig.edit("emails.yaml", "subject: Welcome to Acme Conf", "subject: Welcome aboard")
    plan = rig.plan()
    rig.apply()
    with pytest.raises(UserError, match=r"stale: the state changed since it was made \(serial 7, now 8\)"):
        fits(rig, plan)


def test_a_plan_made_on_an_empty_state_goes_stale_when_someone_applies_first(rig):
    plan = rig.plan()
    rig.apply()  # another plan, applied before this one
    with pytest.raises(UserError, match="made when the state was empty"):
        fits(rig, plan)


def test_a_plan_goes_stale_when_the_files_change(rig):
    plan = rig.plan()
    rig.edit("templates/welcome.mjml", "Your ticket is attached.", "Your ticket is in the app.")
    with pytest.raises(UserError, match="workspace files changed"):
        fits(rig, plan)


def test_a_change_to_a_partial_no_resource_names_makes_a_plan_stale(rig):
    (rig.root / "templates" / "partials").mkdir()
    (rig.root / "templates" / "partials" / "footer.mjml").write_text("<mj-text>Footer</mj-text>")
    welcome = rig.root / "templates" / "welcome.mjml"
    welcome.write_text(welcome.read_text().replace("</mj-column>",
                                                   '{% include "templates/partials/footer.mjml" %}</mj-column>', 1))
    plan = rig.plan()
    (rig.root / "templates" / "partials" / "footer.mjml").write_text("<mj-text>New footer</mj-text>")
    with pytest.raises(UserError, match="workspace files changed"):
        fits(rig, plan)


def test_files_no_plan_reads_do_not_make_a_plan_stale(rig):
    plan = rig.plan()
    (rig.root / "README.md").write_text("notes")
    (rig.root / "logo.png").write_bytes(b"\x89PNG")
    (rig.root / ".campaignkit" / "preview").mkdir(parents=True)
    (rig.root / ".campaignkit" / "preview" / "index.html").write_text("<html></html>")
    (rig.root / "plan.txt").write_text("Plan: 9 to add, 0 to change, 0 to destroy.")  # plan > plan.txt
    (rig.root / "rendered").mkdir()
    (rig.root / "rendered" / "2026-email-welcome-email.html").write_text("<html></html>")  # render --out
    (rig.root / "templates" / "unused.mjml").write_text("<mjml></mjml>")
    fits(rig, plan)


def test_a_plan_for_another_environment_is_refused(rig, make_rig):
    plan = make_rig("production").plan()
    with pytest.raises(UserError, match="made for environment 'production', not 'sandbox'; apply it with --env"):
        fits(rig, plan)


def test_a_plan_of_another_state_is_refused(rig, make_rig):
    production = make_rig("production")
    production.apply()
    rig.apply()
    plan = production.plan()
    stale = replace(plan, environment="sandbox")
    with pytest.raises(UserError, match="belongs to another state"):
        fits(rig, stale)


@pytest.mark.parametrize("content, message", [
    (b"\x00\x01 binary", "not a saved campaignkit plan"),
    (b'{"format_version": "1.2", "resource_changes": []}', "not a saved campaignkit plan"),
    (json.dumps({"format": "campaignkit-plan", "format_version": 99, "campaignkit_version": "9.0"}).encode(),
     "plan format 99"),
    (json.dumps({"format": "campaignkit-plan", "format_version": 1}).encode(), "plan format 1"),
    (json.dumps({"format": "campaignkit-plan", "format_version": 2}).encode(), "changed after it was saved"),
])
def test_files_that_are_not_plans_are_refused_in_one_line(tmp_path, content, message):
    path = tmp_path / "plan.json"
    path.write_bytes(content)
    with pytest.raises(UserError, match=message):
        load_plan(path)


@pytest.mark.parametrize("name", ["plan.yaml", "plan.yml"])
def test_a_plan_is_not_saved_under_a_name_the_workspace_would_read(tmp_path, name):
    with pytest.raises(UserError, match="save it as plan.ckplan"):
        check_plan_path(tmp_path / name)
    check_plan_path(tmp_path / "plan.ckplan")
    check_plan_path(tmp_path / "plan.yaml.gz")


def test_a_missing_plan_file_is_one_line(tmp_path):
    with pytest.raises(UserError, match="cannot read the plan file"):
        load_plan(tmp_path / "nope.json")


def test_a_saved_plan_carries_the_findings_apply_records(rig, tmp_path):
    rig.edit("emails.yaml", "preheader: Your ticket and what comes next\n", "")
    save_plan(rig.plan(), tmp_path / "plan.json")
    rig.apply(load_plan(tmp_path / "plan.json"))
    checks = rig.store.read().entries["email.2026-email-welcome-email"].checks
    assert [f.code for f in checks] == ["CK432"]


def test_a_saved_plan_edited_by_hand_is_refused(rig, tmp_path):
    save_plan(rig.plan(), tmp_path / "plan.json")
    saved = json.loads((tmp_path / "plan.json").read_text())
    saved["changes"][0]["action"] = "delete"
    (tmp_path / "plan.json").write_text(json.dumps(saved))
    with pytest.raises(UserError, match="changed after it was saved"):
        load_plan(tmp_path / "plan.json")


def test_a_plan_made_on_an_empty_state_does_not_apply_to_an_empty_state_elsewhere(rig):
    plan = rig.plan()
    elsewhere = replace(rig.store.read(), location="/another/checkout/.campaignkit/sandbox.db")
    with pytest.raises(UserError, match="made for the state at .*, not /another/checkout"):
        check_applicable(plan, elsewhere, rig.environment.name, workspace_hash(rig.workspace()))
    fits(rig, plan)
