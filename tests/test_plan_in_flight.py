"""Prospects in flight: what a plan that changes a program's steps says about the prospects on them."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from campaignkit.plan import InFlight, load_plan, save_plan
from campaignkit.plan.in_flight import attach_in_flight, prospects_in_flight
from campaignkit.views.plan import plan_json, plan_markdown, plan_text

APPLIED = {"start": "welcome", "steps": {
    "welcome": {"send_email": "email.a", "next": "opened"},
    "opened": {"trigger": "email_opened", "email": "email.a", "within": "3d", "yes": "done", "no": "reminder"},
    "reminder": {"send_email": "email.b", "next": "pause"},
    "pause": {"wait": "2d", "next": "done"},
    "done": {"end": True}}}


def _edited(**steps: dict | None) -> dict:
    edited = {name: step for name, step in {**APPLIED["steps"], **steps}.items() if step is not None}
    return {**APPLIED, "steps": edited}


def test_prospects_on_a_deleted_step_move_on_to_where_its_branches_lead_now() -> None:
    after = _edited(reminder=None, pause=None, opened={**APPLIED["steps"]["opened"], "no": "done"})
    found = {i.step: i for i in prospects_in_flight(APPLIED, after, {"pause": 332.6, "opened": 180.2})}
    assert found["pause"] == InFlight("pause", "moved on", "will move on to done", 333)
    assert found["reminder"].outcome == "moved on" and found["reminder"].waiting == 0
    rerouted = "will leave it by the new branches (no: reminder -> done); those past it are not affected"
    assert found["opened"] == InFlight("opened", "re-routed", rerouted, 180)
    assert "welcome" not in found and "done" not in found  # unchanged steps say nothing


def test_an_edited_step_leaves_the_prospects_past_it_alone() -> None:
    [item] = prospects_in_flight(APPLIED, _edited(pause={"wait": "5d", "next": "done"}))
    assert item == InFlight("pause", "unaffected", "will take the edited step; those past it are not affected")


def _delete_the_reminder(rig) -> None:
    rig.apply()
    rig.edit("programs.yaml", "no: reminder}", "no: done}")
    rig.edit("programs.yaml", "  reminder: {send_email: email.2026-email-reminder-email, next: done}\n", "")


def test_the_plan_reports_say_what_happens_to_the_prospects_in_flight(rig, tmp_path: Path) -> None:
    _delete_the_reminder(rig)
    plan = rig.plan()
    text = plan_text(plan).plain
    assert "in flight, reminder (moved on): none expected waiting on it; any there will move on to done" in text
    opened = next(line for line in text.splitlines() if "in flight, opened (re-routed)" in line)
    waiting = int(opened.split("about ")[1].split(" prospects")[0].replace(",", ""))
    assert 100 < waiting < 333  # 10,000 prospects over 90 days, those who do not open waiting 3 days
    assert "10,000 prospects entering over 90 days" in text
    [program] = [c for c in json.loads(plan_json(plan))["resource_changes"] if c["type"] == "program"]
    assert {"step": "opened", "outcome": "re-routed", "waiting": waiting}.items() <= \
        program["campaignkit"]["in_flight"][0].items()
    assert "in flight, reminder (moved on)" in plan_markdown(plan)
    save_plan(plan, tmp_path / "plan.json")
    assert load_plan(tmp_path / "plan.json") == plan


def test_a_plan_that_changes_no_step_says_nothing_of_prospects(rig) -> None:
    rig.apply()
    rig.edit("programs.yaml", "hours: \"09:00-17:00\"", "hours: \"08:00-18:00\"")
    assert "in flight" not in plan_text(rig.plan()).plain


def test_a_program_whose_applied_steps_are_not_known_is_left_alone(rig) -> None:
    _delete_the_reminder(rig)
    plan = rig.plan()
    unknown = replace(plan, changes=tuple(replace(c, before={"name": c.name}, in_flight=()) for c in plan.changes))
    assert all(not c.in_flight for c in attach_in_flight(unknown, rig.workspace()).changes)
