"""Planning: what changes a user sees for what they edited, in which order, and what is refused."""

from __future__ import annotations

import json
import sqlite3

import pytest
from click.testing import CliRunner

from benchmarks.generate import generate, name
from campaignkit.cli import main
from campaignkit.errors import UserError
from campaignkit.plan import Action, ProtectedError


def actions(plan) -> dict[str, str]:
    return {c.address: c.action.value for c in plan.changes}


def test_a_first_plan_creates_everything_with_what_is_used_first(rig):
    plan = rig.plan()
    assert set(actions(plan).values()) == {"create"}
    assert len(plan.changes) == 7
    order = [c.address for c in plan.changes]
    program = order.index("program.2026-nurture-welcome-program")
    for used in ("list.2026-event-acme-conf-list", "list.global-suppression-list",
                 "email.2026-email-welcome-email", "email.2026-email-reminder-email"):
        assert order.index(used) < program
    assert plan.summary == "Plan: 7 to add, 0 to change, 0 to destroy."
    assert plan.state_empty and plan.lineage


def test_after_apply_a_plan_has_no_changes(rig):
    assert rig.apply().ok
    plan = rig.plan()
    assert plan.changes == () and plan.drift == ()


def test_changing_a_subject_is_one_update_of_the_subject_only(rig):
    rig.apply()
    rig.edit("emails.yaml", "subject: Welcome to Acme Conf", "subject: Welcome aboard")
    plan = rig.plan()
    [change] = plan.changes
    assert (change.address, change.action) == ("email.2026-email-welcome-email", Action.UPDATE)
    assert [(f.path, f.before, f.after) for f in change.fields] == [
        ("subject", "Welcome to Acme Conf", "Welcome aboard")]
    assert plan.summary == "Plan: 0 to add, 1 to change, 0 to destroy."


def test_nested_changes_are_named_by_their_path(rig):
    rig.apply()
    rig.edit("programs.yaml", 'hours: "09:00-17:00"', 'hours: "10:00-16:00"')
    [change] = rig.plan().changes
    assert [f.path for f in change.fields] == ["schedule.hours"]


def test_removed_objects_are_deleted_users_before_what_they_use(rig):
    rig.apply()
    (rig.root / "programs.yaml").unlink()
    (rig.root / "emails.yaml").unlink()
    plan = rig.plan()
    assert actions(plan) == {"program.2026-nurture-welcome-program": "delete",
                             "email.2026-email-welcome-email": "delete",
                             "email.2026-email-reminder-email": "delete"}
    assert plan.changes[0].address == "program.2026-nurture-welcome-program"
    assert plan.summary == "Plan: 0 to add, 0 to change, 3 to destroy."


def test_moved_from_renames_without_destroy_and_create(rig):
    rig.apply()
    old_id = rig.store.read().entries["list.global-suppression-list"].target_id
    rig.edit("lists.yaml", "name: global-suppression-list",
             "name: global-optout-list\nmoved_from: list.global-suppression-list")
    rig.edit("programs.yaml", "list.global-suppression-list", "list.global-optout-list")
    plan = rig.plan()
    assert actions(plan) == {"list.global-optout-list": "update", "program.2026-nurture-welcome-program": "update"}
    renamed = plan.changes[0]
    assert renamed.previous_address == "list.global-suppression-list" and renamed.target_id == old_id
    assert [(f.path, f.before, f.after) for f in renamed.fields] == [
        ("name", "global-suppression-list", "global-optout-list")]
    assert rig.apply(plan).ok
    entries = rig.store.read().entries
    assert "list.global-suppression-list" not in entries
    assert entries["list.global-optout-list"].target_id == old_id
    assert ("list", "global-optout-list") in [(k, n) for k, n, _ in rig.target_rows()]
    assert rig.plan().changes == ()


def test_a_misspelt_moved_from_is_refused_rather_than_a_destroy_and_create(rig):
    rig.apply()
    rig.edit("lists.yaml", "name: global-suppression-list",
             "name: global-optout-list\nmoved_from: list.global-supression-list")
    rig.edit("programs.yaml", "list.global-suppression-list", "list.global-optout-list")
    with pytest.raises(UserError, match=r"^lists.yaml:8:13: list.global-optout-list has "
                                        r"moved_from: list.global-supression-list, which state does not hold "
                                        r"\(did you mean 'list.global-suppression-list'\?\); as written, the plan "
                                        r"would destroy list.global-suppression-list"):
        rig.plan()


def test_moved_from_an_address_still_declared_is_refused(rig):
    rig.apply()
    rig.edit("lists.yaml", "for Acme Conf\n", "for Acme Conf\nmoved_from: list.global-suppression-list\n")
    with pytest.raises(UserError, match=r"^lists.yaml:5:13: .*still declared"):
        rig.plan()


def test_two_resources_moved_from_one_address_are_refused_pointing_at_both(rig):
    rig.apply()
    rig.edit("lists.yaml", "name: global-suppression-list", "name: global-optout-list\n"
             "moved_from: list.global-suppression-list\ntype: static\n---\nkind: list\nname: global-optout-2-list\n"
             "moved_from: list.global-suppression-list")
    rig.edit("programs.yaml", "list.global-suppression-list", "list.global-optout-list")
    with pytest.raises(UserError, match=r"^lists.yaml:13:13: list.global-optout-2-list has moved_from: "
                                        r"list.global-suppression-list, and so has list.global-optout-list at "
                                        r"lists.yaml:8:13"):
        rig.plan()


def test_deleting_an_object_with_prevent_destroy_is_refused_even_after_the_file_is_gone(rig):
    rig.edit("programs.yaml", "start: welcome", "start: welcome\nlifecycle: {prevent_destroy: true}")
    rig.apply()
    (rig.root / "programs.yaml").unlink()
    with pytest.raises(ProtectedError, match=r"program.2026-nurture-welcome-program \(lifecycle.prevent_destroy\)"):
        rig.plan()


def test_turning_prevent_destroy_on_is_recorded_so_a_later_delete_is_refused(rig):
    rig.apply()
    rig.edit("programs.yaml", "start: welcome", "start: welcome\nlifecycle: {prevent_destroy: true}")
    [change] = rig.plan().changes
    assert [(f.path, f.before, f.after) for f in change.fields] == [("lifecycle.prevent_destroy", False, True)]
    rig.apply()
    assert rig.target_rows() and rig.plan().changes == ()
    (rig.root / "programs.yaml").unlink()
    with pytest.raises(ProtectedError):
        rig.plan()


def test_the_environments_protect_patterns_refuse_deletes(make_rig):
    production = make_rig("production")
    production.apply()
    (production.root / "programs.yaml").unlink()
    with pytest.raises(ProtectedError, match="environment 'production' protects 'program.\\*'"):
        production.plan()


def test_a_field_the_target_cannot_change_in_place_is_a_replace(rig):
    rig.apply()
    rig.edit("fields.yaml", "type: text", "type: email")
    [change] = rig.plan().changes
    assert change.action is Action.REPLACE and change.replace_fields == ("type",)
    plan = rig.plan()
    assert plan.summary == "Plan: 1 to add, 0 to change, 1 to destroy."


def test_a_replace_of_a_protected_object_is_refused(rig):
    rig.edit("lists.yaml", "description: People", "lifecycle: {prevent_destroy: true}\ndescription: People")
    rig.apply()
    rig.edit("lists.yaml", "type: static\nlifecycle", "type: dynamic\nmatch: all\nrules: []\nlifecycle")
    with pytest.raises(ProtectedError, match="list.2026-event-acme-conf-list"):
        rig.plan()


def test_ignore_changes_leaves_a_field_alone(rig):
    rig.edit("emails.yaml", "text: auto\n---", "text: auto\nlifecycle: {ignore_changes: [subject]}\n---")
    rig.apply()
    rig.edit("emails.yaml", "subject: Welcome to Acme Conf", "subject: Welcome aboard")
    assert rig.plan().changes == ()


def test_ignoring_a_nested_field_leaves_it_alone_and_shows_its_neighbours(small_workspace):
    def campaignkit(*args: str):
        return CliRunner().invoke(main, ["--chdir", str(small_workspace), *args])

    emails = small_workspace / "emails.yaml"
    emails.write_text(emails.read_text().replace("text: auto\n---", "text: auto\nlifecycle: {ignore_changes: [from.name]}\n---"))
    assert campaignkit("apply", "--auto-approve").exit_code == 0
    emails.write_text(emails.read_text().replace("{name: Acme Events, address: events@acme.example}",
                                                 "{name: Acme Team, address: team@acme.example}", 1))
    result = campaignkit("plan")
    assert result.output.startswith("Plan: 0 to add, 1 to change, 0 to destroy.")
    assert '~ from.address: "events@acme.example" -> "team@acme.example"' in result.output
    assert "from.name" not in result.output and "Acme Team" not in result.output


def test_an_ignored_field_that_state_does_not_hold_is_not_added(rig):
    rig.apply()
    rig.edit("lists.yaml", "name: global-suppression-list\ntype: static\n", "name: global-suppression-list\n"
             "type: static\ndescription: Never mailed\nlifecycle: {ignore_changes: [description]}\n")
    assert rig.plan().changes == ()


def test_a_mapping_removed_from_the_files_keeps_its_ignored_field(rig):
    rig.edit("programs.yaml", "steps:", "lifecycle: {ignore_changes: [schedule.hours]}\nsteps:")
    rig.apply()
    rig.edit("programs.yaml", 'schedule: {days: [mon, tue, wed, thu, fri], hours: "09:00-17:00", timezone: Asia/Tokyo}\n',
             "")
    [change] = rig.plan().changes
    assert [(f.path, f.after) for f in change.fields] == [("schedule.days", None), ("schedule.timezone", None)]
    assert change.after["schedule"] == {"hours": "09:00-17:00"}


def test_an_ignored_field_inside_a_mapping_state_does_not_hold_stays_out(rig):
    schedule = 'schedule: {days: [mon, tue, wed, thu, fri], hours: "09:00-17:00", timezone: Asia/Tokyo}\n'
    rig.edit("programs.yaml", schedule, "description: Welcome\nlifecycle: {ignore_changes: [schedule.hours]}\n")
    rig.apply()
    rig.edit("programs.yaml", "description: Welcome\n", "description: Welcome aboard\n")
    [change] = rig.plan().changes
    assert [f.path for f in change.fields] == ["description"]  # no schedule on either side: nothing to leave alone
    rig.edit("programs.yaml", "description: Welcome aboard\n", "description: Welcome\n" + schedule)
    [change] = rig.plan().changes
    assert [f.path for f in change.fields] == ["schedule.days", "schedule.timezone"]
    assert "hours" not in change.after["schedule"]


def test_drift_is_shown_apart_from_the_changes_the_files_ask_for(rig):
    rig.apply()
    with sqlite3.connect(rig.target.path) as db:  # a change "in the UI"
        db.execute("UPDATE ck_objects SET attributes = json_set(attributes, '$.subject', 'Changed in the UI') "
                   "WHERE name = '2026-email-welcome-email'")
        db.execute("DELETE FROM ck_objects WHERE name = 'global-suppression-list'")
    rig.edit("lists.yaml", "People who registered", "People registered")
    plan = rig.plan()
    assert {(d.address, d.action) for d in plan.drift} == {
        ("email.2026-email-welcome-email", "update"), ("list.global-suppression-list", "delete")}
    [subject] = [d for d in plan.drift if d.action == "update"][0].fields
    assert (subject.before, subject.after) == ("Welcome to Acme Conf", "Changed in the UI")
    assert actions(plan) == {"email.2026-email-welcome-email": "update",  # sets the subject back
                             "list.global-suppression-list": "create",  # re-creates what was deleted
                             "list.2026-event-acme-conf-list": "update"}  # what the files changed


def test_without_refresh_drift_is_not_seen(rig):
    rig.apply()
    with sqlite3.connect(rig.target.path) as db:
        db.execute("DELETE FROM ck_objects WHERE name = 'global-suppression-list'")
    plan = rig.plan(refresh_first=False)
    assert plan.changes == () and plan.drift == () and not plan.refreshed


def test_a_plan_needs_apply_for_changes_or_for_drift_alone(rig):
    assert rig.plan().needs_apply
    rig.apply()
    assert not rig.plan().needs_apply
    with sqlite3.connect(rig.target.path) as db:  # a change "in the UI" to a field the files leave alone
        db.execute("UPDATE ck_objects SET attributes = json_set(attributes, '$.description', 'UI text') "
                   "WHERE name = 'global-suppression-list'")
    rig.edit("lists.yaml", "type: static\n", "type: static\nlifecycle: {ignore_changes: [description]}\n")
    plan = rig.plan()
    assert plan.changes == () and plan.drift and plan.needs_apply


def test_refreshing_state_records_the_drift_as_one_refresh_in_history(rig):
    from campaignkit.plan.refresh import refresh_state

    rig.apply()
    assert refresh_state(rig.store, rig.target)[1] == () and rig.store.history()[-1].operation == "apply"
    with sqlite3.connect(rig.target.path) as db:
        db.execute("DELETE FROM ck_objects WHERE name = 'global-suppression-list'")
    before, drift = refresh_state(rig.store, rig.target, who="cindy", git_commit="abc")
    assert "list.global-suppression-list" in before.entries
    assert [(d.address, d.action) for d in drift] == [("list.global-suppression-list", "delete")]
    assert "list.global-suppression-list" not in rig.store.read().entries
    row = rig.store.history()[-1]
    assert (row.operation, row.who, row.git_commit, row.summary) == (
        "refresh", "cindy", "abc", "1 object(s) changed outside campaignkit")


def test_target_limits_the_plan_to_an_address_and_what_it_uses(rig):
    plan = rig.plan(only=["program.2026-nurture-welcome-program"])
    assert "field.first_name" not in actions(plan)
    assert set(actions(plan)) == {"program.2026-nurture-welcome-program", "list.2026-event-acme-conf-list",
                                  "list.global-suppression-list", "email.2026-email-welcome-email",
                                  "email.2026-email-reminder-email"}


def test_target_with_an_unknown_address_suggests_the_closest(rig):
    with pytest.raises(UserError, match="did you mean 'field.first_name'"):
        rig.plan(only=["field.first_nme"])


def test_kinds_without_an_api_are_manual_changes_with_instructions(small_workspace, make_rig):
    config = small_workspace / "campaignkit.yaml"
    config.write_text(config.read_text().replace("  production:\n    target: local\n",
                                                 "  production:\n    target: local\n"
                                                 "    settings: {manual_kinds: [program]}\n"))
    from campaignkit.checks import check_workspace
    from campaignkit.targets import merge_language

    _, diagnostics = check_workspace(small_workspace, merge_language)
    assert [d.message for d in diagnostics if d.is_error] == []  # valid as documented
    manual = make_rig("production")
    plan = manual.plan()
    [program] = [c for c in plan.changes if c.kind == "program"]
    assert program.manual and "by hand" in program.instructions
    assert plan.summary == "Plan: 6 to add, 0 to change, 0 to destroy. 1 manual (to do by hand)."
    report = manual.apply(plan)
    assert report.ok and [o.change.address for o in report.manual] == [program.address]
    assert "program" not in [kind for kind, _, _ in manual.target_rows()]
    assert manual.plan().changes == ()


def test_an_email_body_change_is_planned_with_its_old_and_new_text(rig):
    rig.apply()
    rig.edit("templates/welcome.mjml", "Your ticket is attached.", "Your ticket is in the app.")
    [change] = rig.plan().changes
    assert [f.path for f in change.fields] == ["content_sha256"]
    assert "Your ticket is attached." in change.content_before["html_body"]
    assert "Your ticket is in the app." in change.content["html_body"]


def test_plans_are_json_serialisable_values(rig):
    plan = rig.plan()
    json.dumps([c.after for c in plan.changes])


def test_an_email_body_edited_in_the_ui_is_drift_and_is_set_back(rig):
    rig.apply()
    with sqlite3.connect(rig.target.path) as db:
        db.execute("UPDATE ck_objects SET html_body = 'edited in the UI' WHERE name = '2026-email-welcome-email'")
    plan = rig.plan()
    [drift] = plan.drift
    assert [f.path for f in drift.fields] == ["content_sha256"]
    [change] = plan.changes
    assert change.content_before["html_body"] == "edited in the UI"
    assert rig.apply(plan).ok
    assert rig.plan().changes == ()


def test_objects_that_refer_to_each_other_in_a_cycle_cannot_be_ordered(rig):
    (rig.root / "cycle.yaml").write_text(
        "kind: list\nname: a-list\ntype: dynamic\nmatch: all\nrules: [{on_list: list.b-list}]\n---\n"
        "kind: list\nname: b-list\ntype: dynamic\nmatch: all\nrules: [{on_list: list.a-list}]\n")
    with pytest.raises(UserError, match="refer to each other in a cycle.*list.a-list.*list.b-list"):
        rig.plan()


def test_a_campaign_listing_assets_that_name_it_plans_without_a_cycle(tmp_path):
    from tests.workspaces import CAMPAIGN, LISTS, write_workspace

    root = write_workspace(tmp_path, {
        "campaign.yaml": CAMPAIGN + "assets: [list.2026-event-acme-conf-list]\n",
        "lists.yaml": LISTS.replace("name: 2026-event-acme-conf-list\ntype: static\n",
                                    "name: 2026-event-acme-conf-list\ntype: static\n"
                                    "campaign: campaign.2026-event-acme-conf-campaign\n"),
    })
    result = CliRunner().invoke(main, ["--chdir", str(root), "plan", "--format", "json"])
    assert result.exit_code == 0, result.output
    addresses = [c["address"] for c in json.loads(result.output)["resource_changes"]]
    assert addresses.index("campaign.2026-event-acme-conf-campaign") < addresses.index(
        "list.2026-event-acme-conf-list")


def test_a_plan_renders_many_email_bodies_on_worker_processes_as_one_process_does(tmp_path, monkeypatch):
    from campaignkit.emails import workers

    count = 60
    root = generate(tmp_path / "ws", count, {"email": 1.0})

    def planned(cores: int) -> dict:
        monkeypatch.setattr(workers, "usable_cores", lambda: cores)
        for cache in (root / ".campaignkit" / "cache").glob("*.json"):
            cache.unlink()  # every body rendered again
        result = CliRunner().invoke(main, ["--chdir", str(root), "plan", "--format", "json"])
        assert result.exit_code == 0, result.output
        return json.loads(result.output)["resource_changes"]

    import campaignkit.emails

    rendered_here: list[str] = []  # renders in this process; a worker's renders are counted in its own copy
    original = campaignkit.emails.render_email

    def counted(context, email, *args):
        rendered_here.append(email.address)
        return original(context, email, *args)

    monkeypatch.setattr(campaignkit.emails, "render_email", counted)
    on_workers = planned(2)
    assert rendered_here == []
    assert planned(1) == on_workers
    assert len(rendered_here) == count
    digests = {c["address"]: c["change"]["after"]["content_sha256"] for c in on_workers if c["type"] == "email"}
    assert len(digests) == count and len(set(digests.values())) == count


def test_editing_one_template_renders_only_the_emails_that_read_it_again(tmp_path, monkeypatch):
    import campaignkit.emails

    root = generate(tmp_path / "ws", 3, {"email": 1.0})
    assert CliRunner().invoke(main, ["--chdir", str(root), "apply", "--auto-approve"]).exit_code == 0
    rendered: list[str] = []
    original = campaignkit.emails.render_email
    monkeypatch.setattr(campaignkit.emails, "render_email",
                        lambda context, email, *args: rendered.append(email.address) or original(context, email, *args))
    template = root / "templates" / "email-1.mjml"
    template.write_text(template.read_text().replace("offer/1", "offer/one"))
    result = CliRunner().invoke(main, ["--chdir", str(root), "plan"])
    assert result.exit_code == 0 and "1 to change" in result.output, result.output
    assert rendered == [f"email.{name('email', 1)}"]


def test_bodies_with_nothing_left_to_render_make_no_renderer(small_workspace, monkeypatch):
    """Every body cached (or none asked for): the templates' Jinja environments are never made."""
    from campaignkit.emails import EmailContext
    from campaignkit.plan.content import EmailBodies
    from campaignkit.workspace.loading import load_workspace

    made = []
    of = EmailContext.of
    monkeypatch.setattr(EmailContext, "of", classmethod(lambda cls, workspace: made.append(workspace) or of(workspace)))
    workspace, _ = load_workspace(small_workspace)
    bodies = EmailBodies(workspace)
    bodies.render_all([])
    assert made == []
    bodies.render_all(workspace.of_kind("email")[:1])
    assert made == [workspace]
