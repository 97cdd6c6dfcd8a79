"""The account-engagement target, used as a user would: the example workspace against a local API v5 server."""

from __future__ import annotations

import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from campaignkit.cli import main
from campaignkit.errors import UserError
from campaignkit.targets import ManualChange, TargetError, open_target
from campaignkit.targets.account_engagement import PROGRAMS, TOKEN_VARIABLE
from campaignkit.targets.ae_client import AEClient
from campaignkit.targets.ae_mapping import EMAIL, FIELD, LIST
from campaignkit.targets.base import CONTENT_DIGEST, content_digest
from campaignkit.workspace.loading import load_workspace
from campaignkit.workspace.model import Environment
from tests.ae_server import Server
from tests.ae_workspace import EXAMPLE, TOKEN, UNIT, names, run

TRIAL_EMAIL = "2026-web-pricing-follow-up-email"


def test_apply_fills_an_empty_business_unit_and_a_second_plan_is_empty(workspace, server):
    code, out = run("plan")
    assert code == 0, out
    assert "list.2026-event-acme-conf-list" in out
    code, out = run("apply", "--auto-approve")
    assert code == 0, out
    assert len(names(server, "lists")) == 11
    # One email template per locale: the welcome email is in English, Japanese and Korean.
    assert len(names(server, "email-templates")) == 13
    assert {"2026-event-acme-conf-welcome-email-ja", "2026-event-acme-conf-welcome-email-ko"} <= set(
        names(server, "email-templates"))
    # Only the custom fields are created: the standard ones are in every business unit.
    fields = server.unit.objects("custom-fields")
    assert sorted(o["apiFieldId"] for o in fields) == [
        "Language__c", "Lead_Status__c", "Product_Interest__c", "Tablet_Drawing_Opt_In__c", "Trial_Status__c"]
    # The API name is chosen without __c; the platform adds it.
    assert sorted(o["fieldId"] for o in fields) == ["Language", "Lead_Status", "Product_Interest",
                                                    "Tablet_Drawing_Opt_In", "Trial_Status"]
    assert server.unit.most_concurrent <= 5
    code, out = run("plan", "--detailed-exitcode")
    assert code == 0, out


def test_the_plan_counts_what_apply_makes_leaving_out_what_the_business_unit_has_already(workspace, server):
    code, out = run("plan")
    # 11 lists, 13 emails (one per locale), the 5 custom fields, the 2 forms and the dynamic content; no
    # standard field, naming convention or persona.
    assert out.splitlines()[0] == "Plan: 32 to add, 0 to change, 0 to destroy. 23 manual (to do by hand)."
    assert not re.search(r"(?m)^ +\+ (field\.(email|first_name|company)|naming\.|persona\.)", out), out
    # The API makes every list static: only a dynamic list has its type set by hand.
    assert "+ list.2026-web-trial-list  (create)\n" in out
    assert "+ list.evergreen-all-cmo-list  (create; match, rules, type by hand)" in out
    assert 'set type to "static"' not in out
    code, out = run("apply", "--auto-approve")
    assert code == 0, out
    assert "Apply complete! Resources: 32 added, 0 changed, 0 destroyed. 23 manual (recorded; to do by hand)." in out


def test_an_object_imported_as_the_files_declare_it_plans_nothing(workspace, server):
    assert run("apply", "--auto-approve")[0] == 0
    email = "2026-web-trial-welcome-email"
    assert run("state", "rm", "list.2026-web-trial-list", f"email.{email}")[0] == 0
    assert run("import", "list.2026-web-trial-list", str(list_id(server, "2026-web-trial-list")))[0] == 0
    email_id = next(o["id"] for o in server.unit.objects("email-templates") if o["name"] == email)
    assert run("import", f"email.{email}", str(email_id))[0] == 0
    code, out = run("plan", "--detailed-exitcode")
    assert code == 0 and out.startswith("No changes."), out


def test_state_rm_and_import_of_a_program_made_by_hand_say_it_has_no_id(workspace, server):
    assert run("apply", "--auto-approve")[0] == 0
    program = "program.2026-nurture-welcome-program"
    code, out = run("import", program, "5")
    assert code == 1 and f"{program} is already managed (made by hand, so no id on the target)" in out, out
    code, out = run("state", "rm", program)
    assert code == 0 and "(made by hand, so no id on the target)" in out and "(id )" not in out, out


def test_an_unreachable_base_url_stops_plan_and_apply_before_anything_is_recorded(workspace, server):
    config = workspace / "campaignkit.yaml"
    config.write_text(config.read_text().replace(server.url, "https://127.0.0.1:1"))
    for command in (["plan"], ["apply", "--auto-approve"]):
        code, out = run(*command)
        assert code == 1, out
        assert out.startswith("Error: Account Engagement did not answer GET lists") and "base_url" in out, out
        assert len(out.strip().splitlines()) == 1
    assert run("state", "list") == (0, "")
    assert "No history" in run("state", "history")[1]


def test_apply_lists_what_must_be_done_by_hand_with_the_clicks(workspace, server):
    code, out = run("plan")
    assert "Engagement Studio" in out and "Scoring Rules" in out
    assert "Completion Actions" in out


def test_fields_are_mapped_as_documented(workspace, server):
    assert run("apply", "--auto-approve")[0] == 0
    newsletter = next(o for o in server.unit.objects("lists") if o["name"] == "evergreen-email-newsletter-list")
    assert (newsletter["title"], newsletter["isPublic"]) == ("Acme Monthly", True)
    interest = next(o for o in server.unit.objects("custom-fields") if o["apiFieldId"] == "Product_Interest__c")
    assert (interest["name"], interest["type"]) == ("Product Interest", "Dropdown")
    welcome = next(o for o in server.unit.objects("email-templates")
                   if o["name"] == "2026-event-acme-conf-welcome-email")
    assert welcome["subject"] == "Thanks for visiting us at Acme Conference"
    assert welcome["senderOptions"][0] == {"type": "general_user", "name": "Cindy at Acme",
                                           "address": "cindy@acme.example"}
    assert welcome["replyToOptions"][0]["address"] == "events@acme.example"
    assert "<html" in welcome["htmlMessage"].lower() and welcome["textMessage"]


def test_mappings_round_trip_what_they_send():
    email = {"subject": "Hi", "from": {"name": "Sam", "address": "sam@acme.example"}, "reply_to": "r@acme.example",
             "preheader": "not in Account Engagement"}
    bodies = {"html_body": "<p>Hi</p>", "text_body": "Hi"}
    attributes, content = EMAIL.from_remote(EMAIL.body("welcome", email, bodies))
    assert attributes == {"subject": "Hi", "from": email["from"], "reply_to": "r@acme.example",
                          CONTENT_DIGEST: content_digest(bodies)}
    assert content == bodies
    assert LIST.from_remote(LIST.body("l", {"title": "T", "public": False, "rules": []}, None)) == ({"title": "T"},
                                                                                                    None)
    assert FIELD.body("trial", {"label": "Trial", "api_name": "Trial__c", "type": "bool"}, None) == {
        "name": "Trial", "fieldId": "Trial", "type": "Checkbox"}
    # An update sends only what changed, and the object's identity.
    assert LIST.body("l", {"title": "T", "description": "D"}, None, frozenset({"description"})) == {
        "name": "l", "description": "D"}


def test_a_change_in_the_ui_shows_as_drift_after_refresh_and_apply_puts_it_back(workspace, server):
    assert run("apply", "--auto-approve")[0] == 0
    server.unit.edit("email-templates", "2026-web-trial-welcome-email", subject="Edited in the UI")
    server.unit.remove("lists", "2026-web-trial-list")
    code, out = run("refresh")
    assert code == 0, out
    assert "Edited in the UI" in out and "2026-web-trial-list" in out
    code, out = run("apply", "--auto-approve")
    assert code == 0, out
    subjects = {o["name"]: o["subject"] for o in server.unit.objects("email-templates")}
    assert subjects["2026-web-trial-welcome-email"] == "Your Acme trial is ready"
    assert "2026-web-trial-list" in names(server, "lists")


def test_an_api_that_stays_busy_fails_the_change_with_a_clear_message(workspace, server, monkeypatch):
    monkeypatch.setattr("campaignkit.targets.ae_client.BACKOFF_SECONDS", 0.001)
    server.unit.throttle = 10_000
    code, out = run("apply", "--auto-approve")
    assert code == 1
    assert "too busy" in out and "error 66" in out


def test_throttled_requests_are_retried(workspace, server, monkeypatch):
    monkeypatch.setattr("campaignkit.targets.ae_client.BACKOFF_SECONDS", 0.001)
    server.unit.throttle = 3
    code, out = run("apply", "--auto-approve")
    assert code == 0, out
    assert server.unit.throttle == 0  # three requests were refused with error 66, then retried
    assert len(names(server, "lists")) == 11


def test_daily_limit_stops_the_apply_and_keeps_what_was_done(workspace, server):
    server.unit.calls_left = 10
    code, out = run("apply", "--auto-approve")
    assert code == 1
    assert "daily API limit is used up" in out
    made = len(server.unit.objects("lists") + server.unit.objects("email-templates")
               + server.unit.objects("custom-fields") + server.unit.objects("forms"))
    # Dynamic content is made when its variations are too: one the limit stopped halfway is still to create.
    owners = [v["dynamicContentId"] for v in server.unit.objects("dynamic-content-variations")]
    made += sum(1 for c in server.unit.objects("dynamic-contents") if owners.count(c["id"]) == 2)
    assert 0 < made <= 10
    server.unit.calls_left = None
    code, out = run("plan")
    left = int(re.match(r"Plan: (\d+) to add", out).group(1))
    assert left == 32 - made  # what was created is recorded
    code, out = run("apply", "--auto-approve")
    assert code == 0, out
    assert len(names(server, "lists")) == 11 and len(names(server, "email-templates")) == 13


def test_a_crash_between_post_and_state_write_creates_no_duplicate(workspace, server):
    apply = subprocess.Popen([sys.executable, "-m", "campaignkit", "apply", "--auto-approve", "--env", "production"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    server.unit.after_api_create = apply.kill  # the API made the object; the command dies before it hears so
    assert apply.wait(120) == -signal.SIGKILL
    server.unit.after_api_create = None
    made = [o for c in ("lists", "custom-fields", "email-templates", "dynamic-contents") for o in server.unit.objects(c)]
    assert made  # the API made objects that state does not know
    code, out = run("plan")
    assert code == 0 and "took over the lock" in out  # a killed process's lock is taken over on its machine
    code, out = run("apply", "--auto-approve")
    assert code == 0, out
    assert len(names(server, "lists")) == 11 and len(names(server, "email-templates")) == 13


def test_the_token_appears_nowhere(workspace, server, tmp_path):
    server.unit.token = "another"  # a rejected token: the error names the variable, not the value
    outputs = [run("apply", "--auto-approve")[1]]
    assert "CK_AE_ACCESS_TOKEN" in outputs[-1]
    server.unit.token = TOKEN
    outputs.append(run("plan", "--out", str(tmp_path / "saved.plan"))[1])
    outputs.append(run("apply", str(tmp_path / "saved.plan"), "--auto-approve")[1])
    server.unit.edit("lists", "2026-web-trial-list", title="Changed")
    outputs.append(run("refresh")[1])
    stored = [p.read_bytes() for p in (workspace / ".campaignkit").rglob("*") if p.is_file()]
    assert stored
    for blob in [o.encode() for o in outputs] + stored + [(tmp_path / "saved.plan").read_bytes()]:
        assert TOKEN.encode() not in blob


@pytest.fixture
def target(server, workspace):
    environment = Environment("production", "account-engagement",
                              settings={"business_unit_id": UNIT, "base_url": server.url})
    opened = open_target(environment, load_workspace(workspace)[0])
    yield opened
    opened.close()


def test_listing_follows_every_page_and_reads_one_object(target, server):
    made = [target.create("list", f"list-{i}", {"title": f"List {i}"}, None) for i in range(9)]
    assert sorted(o.name for o in target.list("list")) == sorted(f"list-{i}" for i in range(9))  # pages of 4
    assert target.read("list", made[3].id).attributes == {"title": "List 3"}
    assert target.find_by_name("list", "list-8").id == made[8].id
    target.delete("list", made[3].id)
    assert target.read("list", made[3].id) is None


def test_manual_instructions_give_a_program_s_steps_in_words(target):
    steps = {"welcome": {"send_email": "email.hello", "next": "opened"},
             "opened": {"trigger": "email_opened", "email": "email.hello", "within": "3d", "yes": "done", "no": "done"},
             "done": {"end": True}}
    said = target.manual_instructions(ManualChange("create", "program", "welcome", ("steps",), {"steps": steps}))
    assert ("build the steps (welcome: ✉ send email.hello, next opened; opened: email opened? email.hello "
            "within 3d, yes done, no done; done: end); click Save.") in said
    assert "{" not in said


def test_manual_instructions_say_where_to_click_and_what_to_set(target):
    program = target.manual_instructions(ManualChange("create", "program", "welcome", ("steps",), {"steps": []}))
    assert program == ("In Account Engagement, go to Automation > Engagement Studio; click + Add and name it "
                       "'welcome'; set steps to []; click Save.")
    rules = target.manual_instructions(ManualChange("update", "list", "cmo-list", ("match",), {"match": "any"}))
    assert rules == ("In Account Engagement, go to Marketing > Segmentation > Lists; open 'cmo-list' and "
                     "click Edit; set match to \"any\"; click Save.")
    assert "delete it" in target.manual_instructions(ManualChange("delete", "form", "f", (), {}))


def test_a_program_status_is_a_button_to_click_not_a_field_to_set(target):
    def instructions(action: str, fields: tuple[str, ...], attributes: dict) -> str:
        return target.manual_instructions(ManualChange(action, "program", "welcome", fields, attributes))
    assert instructions("update", ("status",), {"status": "paused"}) == (
        "In Account Engagement, go to Automation > Engagement Studio; open 'welcome' and click Pause.")
    built = instructions("create", ("status", "steps"), {"status": "running", "steps": []})
    assert built == ("In Account Engagement, go to Automation > Engagement Studio; click + Add and name it "
                     "'welcome'; set steps to []; click Save; then click Start.")
    assert instructions("update", ("status", "steps"), {"status": "running", "steps": []}).endswith(
        "click Build; set steps to []; click Save; then click Resume (Start if it has never run).")
    assert "leave it unstarted" in instructions("create", ("status", "steps"), {"status": "paused", "steps": []})
    assert instructions("update", ("status",), {}) == (
        "Nothing to do in Account Engagement: campaignkit no longer manages the status of 'welcome'.")


def test_settings_come_from_the_environment_and_the_token_never_from_files(tmp_path, monkeypatch):
    monkeypatch.delenv("CK_AE_BUSINESS_UNIT", raising=False)
    monkeypatch.setenv(TOKEN_VARIABLE, TOKEN)
    env = Environment("production", "account-engagement", settings={"business_unit_id": "${CK_AE_BUSINESS_UNIT}"})
    empty, _ = load_workspace(tmp_path)
    with pytest.raises(UserError, match="CK_AE_BUSINESS_UNIT"):
        open_target(env, empty)
    literal = Environment("production", "account-engagement",
                          settings={"business_unit_id": UNIT, "access_token": "abc"})
    with pytest.raises(UserError, match="access_token"):
        open_target(literal, empty)
    monkeypatch.delenv(TOKEN_VARIABLE)
    with pytest.raises(UserError, match=TOKEN_VARIABLE):
        open_target(Environment("production", "account-engagement", settings={"business_unit_id": UNIT}), empty)


def test_a_refused_token_during_plan_is_one_line_not_a_traceback(workspace, server):
    assert run("apply", "--auto-approve")[0] == 0
    server.unit.token = "another"  # plan now refreshes what it applied, and is refused
    code, output = run("plan")
    assert code == 1
    assert output.startswith("Error: ") and "CK_AE_ACCESS_TOKEN" in output
    assert "Traceback" not in output and len(output.strip().splitlines()) == 1



def test_emails_arrive_in_account_engagement_merge_language(workspace, server):
    code, out = run("apply", "--auto-approve")
    assert code == 0, out
    templates = {o["name"]: o for o in server.unit.objects("email-templates")}
    welcome = templates["2026-event-acme-conf-welcome-email"]
    # Fields with a default never merge blank: Handlebars' conditional carries the default.
    assert "Hi {{#if Recipient.FirstName}}{{Recipient.FirstName}}{{else}}there{{/if}}," in welcome["htmlMessage"]
    assert ("{{#if Recipient.JobTitle}}{{Recipient.JobTitle}}{{else}}marketing leader{{/if}}"
            in welcome["htmlMessage"])
    assert 'href="{{{Unsubscribe}}}"' in welcome["htmlMessage"]
    assert "{{{EmailPreferenceCenter}}}" in welcome["htmlMessage"]
    assert "Molly" not in welcome["htmlMessage"]  # not the sample prospect's name
    assert "{{Recipient.FirstName}}" in welcome["textMessage"]
    assert templates[TRIAL_EMAIL]["subject"].startswith(
        "A 30-day trial for {{#if Recipient.Company}}{{Recipient.Company}}{{else}}your company{{/if}}")
    # What the business unit holds is what the next plan expects: nothing to do.
    assert run("plan", "--detailed-exitcode")[0] == 0


PRICING_PROGRAM = "2026-web-pricing-follow-up-program"


def build_pricing_program_by_hand(server: Server, status: str) -> dict[str, int]:
    """The pricing follow-up program as the plan says to build it (programs are read-only in the API); list ids."""
    lists = {o["name"]: o["id"] for o in server.unit.objects("lists")}
    server.unit.create(PROGRAMS, {
        "name": PRICING_PROGRAM, "status": status, "recipientListIds": [lists["2026-web-pricing-visitors-list"]],
        "suppressionListIds": [lists["evergreen-all-customers-list"], lists["evergreen-all-suppression-list"]]})
    return lists


def test_a_program_list_changed_in_the_ui_shows_as_drift_with_the_list_names(workspace, server):
    assert run("apply", "--auto-approve")[0] == 0
    lists = build_pricing_program_by_hand(server, "running")
    code, out = run("refresh")
    assert code == 0 and "No drift" in out, out
    server.unit.edit(PROGRAMS, PRICING_PROGRAM, recipientListIds=[lists["2026-web-trial-list"]])
    code, out = run("refresh")
    assert code == 0, out
    assert f"program.{PRICING_PROGRAM}" in out
    assert "list.2026-web-trial-list" in out and "list.2026-web-pricing-visitors-list" in out
    # The next plan puts the declared lists back, by hand.
    code, out = run("plan")
    assert "Automation > Engagement Studio" in out and "list.2026-web-pricing-visitors-list" in out


def test_a_program_paused_in_the_ui_is_drift_and_the_plan_says_to_resume_it(workspace, server):
    assert run("apply", "--auto-approve")[0] == 0
    build_pricing_program_by_hand(server, "starting")  # just started: on its way to running
    code, out = run("refresh")
    assert code == 0 and "No drift" in out, out
    server.unit.edit(PROGRAMS, PRICING_PROGRAM, status="paused")
    code, out = run("refresh")
    assert code == 0, out
    assert f"program.{PRICING_PROGRAM}" in out and 'status: "running" -> "paused"' in out
    code, out = run("plan", "--detailed-exitcode")
    assert code == 2, out
    assert (f"go to Automation > Engagement Studio; open '{PRICING_PROGRAM}' and click Resume "
            "(Start if it has never run).") in out
    assert "set status" not in out  # a button, not a field to fill in
    # Resumed in the UI as the plan said: refresh finds it running again.
    server.unit.edit(PROGRAMS, PRICING_PROGRAM, status="running")
    code, out = run("refresh")
    assert code == 0 and 'status: "paused" -> "running"' in out, out


def test_a_draft_program_counts_as_paused(workspace, server):
    assert run("apply", "--auto-approve")[0] == 0
    build_pricing_program_by_hand(server, "draft")  # built, never started
    code, out = run("refresh")
    assert code == 0, out
    assert 'status: "running" -> "paused"' in out and "draft" not in out


def test_a_program_that_declares_no_status_is_not_compared(workspace, server):
    program = workspace / "programs" / "pricing-follow-up.yaml"
    program.write_text(program.read_text().replace("status: running\n", ""))
    assert run("apply", "--auto-approve")[0] == 0
    build_pricing_program_by_hand(server, "paused")
    code, out = run("refresh")
    assert code == 0 and "No drift" in out, out
    assert run("plan", "--detailed-exitcode")[0] == 0


def test_a_declared_status_is_validated_with_a_suggestion(tmp_path):
    root = tmp_path / "campaigns"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns(".campaignkit"))
    program = root / "programs" / "pricing-follow-up.yaml"
    line = program.read_text().splitlines().index("status: running") + 1
    for status in ("running", "paused"):
        program.write_text(re.sub(r"(?m)^status: .*$", f"status: {status}", program.read_text()))
        result = CliRunner().invoke(main, ["--chdir", str(root), "validate"])
        assert result.exit_code == 0, result.output
    program.write_text(program.read_text().replace("status: paused", "status: pasued"))
    result = CliRunner().invoke(main, ["--chdir", str(root), "validate"])
    assert result.exit_code == 1
    assert f"pricing-follow-up.yaml:{line}" in result.output and "CK104" in result.output
    assert "did you mean 'paused'" in result.output


def test_a_program_not_built_yet_is_no_drift_and_programs_cannot_be_written(workspace, server):
    assert run("apply", "--auto-approve")[0] == 0
    server.unit.create(PROGRAMS, {"name": "someone-elses-program", "recipientListIds": [1]})
    code, out = run("refresh")
    assert code == 0 and "No drift" in out, out
    client = AEClient(server.url, TOKEN, UNIT)
    with pytest.raises(TargetError, match="error 60: Invalid HTTP request method"):
        client.create(PROGRAMS, {"name": "new"}, ("name",))
    client.close()


def test_lists_and_emails_are_filed_in_their_folder_and_campaign_looked_up_once(workspace, server):
    code, out = run("apply", "--auto-approve")
    assert code == 0, out
    folders = {o["path"]: o["id"] for o in server.unit.objects("folders")}
    campaigns = {o["name"]: o["id"] for o in server.unit.objects("campaigns")}
    conf = next(o for o in server.unit.objects("lists") if o["name"] == "2026-event-acme-conf-list")
    assert (conf["folderId"], conf["campaignId"]) == (folders["/Lists/Events"],
                                                      campaigns["2026-capture-tablet-drawing-campaign"])
    welcome = next(o for o in server.unit.objects("email-templates")
                   if o["name"] == "2026-event-acme-conf-welcome-email")
    assert welcome["folderId"] == folders["/Emails/Events"]
    reads = [r for r in server.unit.requests
             if r.method == "GET" and r.path.endswith("/folders") and "nextPageToken" not in r.query]
    assert len(reads) == 1  # folders are read once for the whole apply, however many lists and emails


def test_a_folder_moved_in_the_ui_shows_as_drift_by_its_path(workspace, server):
    assert run("apply", "--auto-approve")[0] == 0
    web = next(o["id"] for o in server.unit.objects("folders") if o["path"] == "/Lists/Web")
    server.unit.edit("lists", "2026-event-acme-conf-list", folderId=web)
    code, out = run("refresh")
    assert code == 0, out
    assert '"Lists/Events" -> "Lists/Web"' in out


def test_a_missing_folder_or_campaign_fails_that_change_naming_it(workspace, server):
    server.unit.remove("folders", "Newsletters")
    server.unit.remove("campaigns", "2026-nurture-three-week-campaign")
    code, out = run("apply", "--auto-approve")
    assert code == 1
    assert "the folder 'Lists/Newsletters' does not exist in the business unit" in out
    assert "the campaign 'campaign.2026-nurture-three-week-campaign' does not exist in the business unit" in out
    assert "Traceback" not in out
    assert "2026-event-acme-conf-list" in names(server, "lists")  # the other changes were made


# Tags -----------------------------------------------------------------------------------------------------------

CONF_LIST = "2026-event-acme-conf-list"


def retag(root: Path, old: str, new: str) -> None:
    """Edits the tags line of the Acme Conference list in the files."""
    lists = root / "lists.yaml"
    lists.write_text(lists.read_text().replace(f"tags: {old}", f"tags: {new}", 1))


def test_apply_tags_objects_through_the_api_and_not_by_hand(workspace, server):
    code, out = run("plan")
    assert code == 0, out
    assert "set tags" not in out and "tags by hand" not in out  # tags are no manual step any more
    assert run("apply", "--auto-approve")[0] == 0
    assert server.unit.tags_of("lists", CONF_LIST) == ["events"]
    assert names(server, "tags") == ["events", "web"]
    assert server.unit.tags_of("lists", "2026-web-trial-list") == []
    assert run("plan", "--detailed-exitcode")[0] == 0


def test_a_tag_change_in_the_files_is_planned_and_applied_by_adding_and_removing(workspace, server):
    assert run("apply", "--auto-approve")[0] == 0
    retag(workspace, "[events]", "[trade-shows, acme-conf]")
    code, out = run("plan", "--detailed-exitcode")
    assert code == 2, out
    assert "tags" in out and "trade-shows" in out
    assert run("apply", "--auto-approve")[0] == 0
    assert server.unit.tags_of("lists", CONF_LIST) == ["acme-conf", "trade-shows"]
    assert f"/api/v5/objects/lists/{list_id(server, CONF_LIST)}/do/removeTag" in [r.path for r in server.unit.requests]
    # The order the files give is no change: the API keeps none.
    assert run("plan", "--detailed-exitcode")[0] == 0


def test_a_plan_reads_who_carries_which_tag_once_per_kind_however_many_emails_changed(workspace, server):
    assert run("apply", "--auto-approve")[0] == 0
    emails = workspace / "emails.yaml"
    emails.write_text(emails.read_text().replace("preheader: ", "preheader: New. "))
    server.unit.requests.clear()
    code, out = run("plan", "--detailed-exitcode")
    assert code == 2, out
    reads = [r.query["objectType"] for r in server.unit.requests
             if r.method == "GET" and r.path.endswith("/tagged-objects") and "nextPageToken" not in r.query]
    assert sorted(reads) == ["custom-field", "dynamic-content", "email-template", "form", "list"]  # each once


def test_tags_changed_in_the_ui_show_as_drift_and_apply_makes_the_declared_set_again(workspace, server):
    assert run("apply", "--auto-approve")[0] == 0
    server.unit.tag("lists", CONF_LIST, "added-by-hand")
    server.unit.tag("lists", "2026-web-trial-list", "trials")
    code, out = run("refresh")
    assert code == 0, out
    assert "added-by-hand" in out and "trials" in out
    code, out = run("apply", "--auto-approve")
    assert code == 0, out
    assert server.unit.tags_of("lists", CONF_LIST) == ["events"]
    assert server.unit.tags_of("lists", "2026-web-trial-list") == []


def test_untagged_in_the_ui_is_drift_too(workspace, server):
    assert run("apply", "--auto-approve")[0] == 0
    server.unit.untag("lists", CONF_LIST, "events")
    code, out = run("refresh")
    assert code == 0 and CONF_LIST in out, out
    assert run("apply", "--auto-approve")[0] == 0
    assert server.unit.tags_of("lists", CONF_LIST) == ["events"]


def test_a_refused_tag_request_is_one_line_and_the_next_apply_finishes_without_duplicates(workspace, server):
    server.unit.refused_actions.add("addTag")
    code, out = run("apply", "--auto-approve")
    assert code == 1
    assert "Traceback" not in out
    assert re.search(r"refused POST lists/\d+/do/addTag: error 49: Access Denied", out), out
    server.unit.refused_actions.clear()
    code, out = run("apply", "--auto-approve")
    assert code == 0, out
    assert names(server, "lists").count(CONF_LIST) == 1
    assert server.unit.tags_of("lists", CONF_LIST) == ["events"]
    assert run("plan", "--detailed-exitcode")[0] == 0


def test_emails_and_custom_fields_carry_their_tags(target, server):
    email = target.create("email", "tagged-email", {"subject": "Hi", "tags": ["b", "a"]},
                          {"html_body": "<p>Hi</p>", "text_body": "Hi"})
    field = target.create("field", "tagged", {"custom": True, "label": "Tagged", "api_name": "Tagged__c",
                                              "type": "text", "tags": ["scoring"]}, None)
    assert server.unit.tags_of("email-templates", "tagged-email") == ["a", "b"]
    assert server.unit.tags_of("custom-fields", "Tagged") == ["scoring"]
    assert target.read("email", email.id).attributes["tags"] == ["a", "b"]
    target.update("field", field.id, "tagged", {"custom": True, "label": "Tagged", "api_name": "Tagged__c",
                                                "type": "text"}, frozenset({"tags"}), None)
    assert server.unit.tags_of("custom-fields", "Tagged") == []
    assert "tags" not in target.read("field", field.id).attributes


def list_id(server: Server, name: str) -> int:
    return next(o["id"] for o in server.unit.objects("lists") if o["name"] == name)
