"""How plans and apply results read: text for people, Terraform-shaped JSON, markdown for pull requests."""

from __future__ import annotations

import json
import re
import sqlite3
from dataclasses import replace

from campaignkit.plan import Action, Change, Plan, Received
from campaignkit.views.email_diff import GAP, as_html, as_text, word_diff
from campaignkit.views.plan import apply_text, plan_json, plan_text
from campaignkit.views.plan_comment import MARKDOWN_LIMIT, plan_comments, plan_markdown


def test_text_starts_with_the_summary_and_shows_only_the_changed_field(rig):
    rig.apply()
    rig.edit("emails.yaml", "subject: Welcome to Acme Conf", "subject: Welcome aboard")
    text = plan_text(rig.plan()).plain
    lines = text.splitlines()
    assert lines[0] == "Plan: 0 to add, 1 to change, 0 to destroy."
    assert lines[1] == "Environment: sandbox (target local)"
    assert lines[2] == ""  # the local target counts no API calls: no line about them
    assert lines[-1] == "Plan: 0 to add, 1 to change, 0 to destroy. Environment: sandbox."  # again, once scrolled
    assert "~ email.2026-email-welcome-email  (update in place)" in text
    assert '~ subject: "Welcome to Acme Conf" -> "Welcome aboard"' in text
    assert "preheader" not in text and "html_body" not in text


def test_a_changed_email_body_is_a_unified_diff(rig):
    rig.apply()
    rig.edit("templates/welcome.mjml", "Your ticket is attached.", "Your ticket is in the app.")
    text = plan_text(rig.plan()).plain
    assert "~ html_body:" in text
    assert "- " + "        <mj-text>Welcome to Acme Conf. Your ticket is attached.</mj-text>" in text
    assert "+ " + "        <mj-text>Welcome to Acme Conf. Your ticket is in the app.</mj-text>" in text
    assert "@@ " in text


def test_a_changed_text_part_is_diffed_word_by_word_before_the_html(rig):
    rig.apply()
    rig.edit("templates/welcome.mjml", "Your ticket is attached.", "Your ticket is in the app.")
    text = plan_text(rig.plan()).plain
    assert "~ text_body (word by word: [-removed-]{+added+}):" in text
    assert "Welcome to Acme Conf. Your ticket is [-attached.-]{+in the app.+}" in text
    assert text.index("text_body") < text.index("html_body")  # what readers see, then the source


def test_a_destroyed_list_shows_what_it_was_and_how_many_members_the_target_counts(rig):
    rig.edit("lists.yaml", "---\n", "---\nkind: list\nname: 2026-web-old-list\ntype: static\n"
             "description: Old leads\n---\n")
    rig.apply()
    with sqlite3.connect(rig.target.path) as db:
        (list_id,) = db.execute("SELECT id FROM ck_objects WHERE name = '2026-web-old-list'").fetchone()
        db.execute("INSERT INTO ck_list_members (list_id, prospect_id) VALUES (?, 7), (?, 8)", (list_id, list_id))
    rig.edit("lists.yaml", "kind: list\nname: 2026-web-old-list\ntype: static\ndescription: Old leads\n---\n", "")
    plan = rig.plan()
    text = plan_text(plan).plain
    assert '- description: "Old leads"' in text and "! members: 2" in text
    assert "members: 2" in plan_markdown(plan)
    unknown = replace(plan, changes=tuple(replace(c, list_size=None) for c in plan.changes))
    assert "! members: not known to the target" in plan_text(unknown).plain  # a target that does not count them


def test_no_changes_says_so(rig):
    rig.apply()
    assert plan_text(rig.plan()).plain.splitlines()[0] == "No changes. The target matches the files."


def test_drift_is_listed_apart_before_the_changes(rig):
    rig.apply()
    with sqlite3.connect(rig.target.path) as db:
        db.execute("UPDATE ck_objects SET attributes = json_set(attributes, '$.subject', 'From the UI') "
                   "WHERE name = '2026-email-welcome-email'")
    rig.edit("lists.yaml", "People who registered", "People registered")
    text = plan_text(rig.plan()).plain
    drift_at = text.index("Objects changed outside campaignkit")
    changes_at = text.index("campaignkit will:")
    assert drift_at < text.index('subject: "Welcome to Acme Conf" -> "From the UI"') < changes_at
    assert text.index('subject: "From the UI" -> "Welcome to Acme Conf"') > changes_at


def test_creates_show_their_fields_and_long_text_briefly(rig):
    text = plan_text(rig.plan()).plain
    assert "+ list.2026-event-acme-conf-list  (create)" in text
    assert '+ type: "static"' in text
    assert re.search(r"\+ html_body: \(11 lines, \d{3} characters\)", text)


def test_json_has_terraforms_plan_shape(rig):
    rig.apply()
    rig.edit("lists.yaml", "name: global-suppression-list",
             "name: global-optout-list\nmoved_from: list.global-suppression-list")
    rig.edit("programs.yaml", "list.global-suppression-list", "list.global-optout-list")
    rig.edit("fields.yaml", "type: text", "type: email")
    (rig.root / "emails.yaml").write_text((rig.root / "emails.yaml").read_text().split("---")[0])
    rig.edit("programs.yaml", "reminder: {send_email: email.2026-email-reminder-email, next: done}",
             "reminder: {wait: 1d, next: done}")
    document = json.loads(plan_json(rig.plan()))
    assert document["format_version"] == "1.6"
    assert (document["complete"], document["targets"]) == (True, [])
    assert "api_calls" not in document["summary"]  # the local target does not ration calls
    by_address = {c["address"]: c for c in document["resource_changes"]}
    assert {a: c["change"]["actions"] for a, c in by_address.items()} == {
        "list.global-optout-list": ["update"],
        "field.first_name": ["delete", "create"],
        "program.2026-nurture-welcome-program": ["update"],
        "email.2026-email-reminder-email": ["delete"],
    }
    moved = by_address["list.global-optout-list"]
    assert moved["previous_address"] == "list.global-suppression-list"
    assert (moved["type"], moved["name"], moved["mode"]) == ("list", "global-optout-list", "managed")
    assert moved["change"]["before"]["name"] == "global-suppression-list"
    assert moved["change"]["after"] == {"name": "global-optout-list", "type": "static"}
    replaced = by_address["field.first_name"]
    assert replaced["change"]["replace_paths"] == [["type"]]
    assert replaced["action_reason"] == "replace_because_cannot_update"
    assert by_address["email.2026-email-reminder-email"]["change"]["after"] is None
    assert document["summary"] == {"add": 1, "change": 2, "destroy": 2, "manual": 0, "drift": 0}


def test_json_lists_drift_under_resource_drift(rig):
    rig.apply()
    with sqlite3.connect(rig.target.path) as db:
        db.execute("DELETE FROM ck_objects WHERE name = 'global-suppression-list'")
    document = json.loads(plan_json(rig.plan()))
    [drift] = document["resource_drift"]
    assert drift["address"] == "list.global-suppression-list"
    assert drift["change"]["actions"] == ["delete"] and drift["change"]["after"] is None


def test_markdown_has_a_summary_table_and_folded_details(rig):
    rig.apply()
    rig.edit("emails.yaml", "subject: Welcome to Acme Conf", "subject: Welcome aboard")
    text = plan_markdown(rig.plan())
    assert "**Plan: 0 to add, 1 to change, 0 to destroy.**" in text
    assert "| Update | 1 |" in text
    assert "<details><summary>~ <code>email.2026-email-welcome-email</code> update in place</summary>" in text
    assert '! subject: "Welcome to Acme Conf" -> "Welcome aboard"' in text
    assert text.count("```") % 2 == 0


def test_markdown_shows_a_changed_emails_subject_and_preheader_before_and_after(rig):
    rig.apply()
    rig.edit("emails.yaml", "subject: Welcome to Acme Conf", "subject: Welcome | aboard <now>")
    text = plan_markdown(rig.plan())
    assert "<summary>as readers see <code>email.2026-email-welcome-email</code></summary>" in text
    assert "| Subject | Welcome to Acme Conf | Welcome &#124; aboard &lt;now&gt; |" in text
    assert "| Preheader | Your ticket and what comes next | unchanged |" in text
    assert "reminder-email</code></summary>" not in text


def test_markdown_shows_new_emails_and_their_check_findings(rig):
    rig.edit("emails.yaml", "preheader: Your ticket and what comes next\n", "")
    text = plan_markdown(rig.plan())
    assert "| Subject | (new) | Welcome to Acme Conf |" in text
    assert "| Preheader | (new) | (none) |" in text
    welcome = text.split("as readers see <code>email.2026-email-welcome-email", 1)[1].split("</details>")[0]
    assert "Checks now: 1 finding." in welcome
    assert "- warning CK432: the email has no preheader" in welcome
    reminder = text.split("as readers see <code>email.2026-email-reminder-email", 1)[1].split("</details>")[0]
    assert "Checks now: no check findings." in reminder


def test_markdown_has_no_inbox_view_for_other_changes(rig):
    rig.apply()
    rig.edit("lists.yaml", "People who registered", "People registered")
    assert "as readers see" not in plan_markdown(rig.plan())


def test_markdown_never_exceeds_the_limit_and_says_it_was_cut(rig):
    huge = "".join(f"<mj-text>Paragraph {i} of a very long email body.</mj-text>\n" for i in range(4000))
    rig.edit("templates/welcome.mjml", "<mj-text>Hello {{ first_name }},</mj-text>", huge)
    rig.edit("templates/reminder.mjml", "<mj-text>Hello {{ first_name }},</mj-text>", huge)
    plan = rig.plan()
    rig.apply(plan)
    rig.edit("templates/welcome.mjml", "Paragraph 1 ", "Paragraph one ")
    rig.edit("templates/reminder.mjml", "Paragraph", "Section")
    text = plan_markdown(rig.plan())
    assert len(text) <= MARKDOWN_LIMIT
    assert "This comment is cut to stay under 65,000 characters; not shown: the details of 2 updates." in text
    assert text.count("<details") == text.count("</details>")


def test_markdown_shows_an_inbox_view_whole_or_not_at_all(rig):
    plan = rig.plan()
    for limit in range(1_500, 8_000, 100):
        text = plan_markdown(plan, limit)
        assert len(text) <= limit
        assert text.count("as readers see") == text.count("| Preheader |") == text.count("Checks now:")
        assert text.count("<details") == text.count("</details>")


def test_a_change_inside_a_wide_line_shows_the_change_not_the_whole_line(rig):
    filler = "and more words that stay the same " * 30
    rig.edit("templates/welcome.mjml", "Your ticket is attached.", f"Your ticket is attached. {filler}END")
    rig.apply()
    rig.edit("templates/welcome.mjml", "attached. and more", "in the app. and more")
    text = plan_text(rig.plan()).plain
    removed = next(line for line in text.splitlines() if line.strip().startswith("- ") and "attached" in line)
    added = next(line for line in text.splitlines() if line.strip().startswith("+ ") and "in the app" in line)
    assert removed.rstrip().endswith("…") and added.rstrip().endswith("…")
    assert "END" not in removed and len(added) < len(filler) / 2


def test_markdown_narrows_one_enormous_line(rig):
    rig.apply()
    rig.edit("templates/welcome.mjml", "Your ticket is attached.", "x" * 200_000)
    text = plan_markdown(rig.plan())
    assert len(text) <= MARKDOWN_LIMIT and "x" * 100 in text
    assert max(len(line) for line in text.splitlines()) < 1_000


def test_apply_text_names_failures_and_what_was_not_tried(rig):
    rig.target.create("list", "global-suppression-list", {}, None)  # someone made this list in the UI already
    text = apply_text(rig.apply()).plain
    assert text.splitlines()[0] == "Apply failed: 5 added, 0 changed, 0 destroyed; 1 failed, 1 not tried."
    assert "list.global-suppression-list (create): a list called 'global-suppression-list' already exists" in text
    assert "Not tried" in text and "program.2026-nurture-welcome-program (create)" in text
    assert "run 'campaignkit plan' to see what is left" in text


WELCOME = "email.2026-email-welcome-email"
NO_PREHEADER = ("preheader: Your ticket and what comes next\n", "")
#: Enough text for the rendered HTML to pass 80 KB (a CK426 warning) and stay under Gmail's 102 KB.
BIG_BODY = ("Your ticket is attached.", "Your ticket is attached. " + "All the talks in one place. " * 3_000)


def _inbox_view(text: str, address: str = WELCOME) -> str:
    return text.split(f"as readers see <code>{address}", 1)[1].split("</details>")[0]


def test_markdown_shows_the_checks_a_change_added_and_fixed(rig):
    rig.edit("emails.yaml", *NO_PREHEADER)
    rig.apply()
    rig.edit("emails.yaml", "subject: Welcome to Acme Conf\n", "subject: Welcome to Acme Conf\npreheader: See you\n")
    rig.edit("templates/welcome.mjml", *BIG_BODY)
    welcome = _inbox_view(plan_markdown(rig.plan(), limit=10_000_000))
    assert "Checks: 1 added, 1 fixed, unchanged: 0." in welcome
    assert re.search(r"^- added: warning CK426: .* \(templates/welcome.mjml:\d+\)$", welcome, re.M)
    assert re.search(r"^- fixed: warning CK432: the email has no preheader", welcome, re.M)


def test_markdown_says_the_checks_are_unchanged_when_only_the_subject_changed(rig):
    rig.edit("emails.yaml", *NO_PREHEADER)
    rig.apply()
    rig.edit("emails.yaml", "subject: Welcome to Acme Conf", "subject: Welcome aboard")
    welcome = _inbox_view(plan_markdown(rig.plan()))
    assert "Checks: none added, none fixed, unchanged: 1." in welcome
    assert "- added" not in welcome and "- fixed" not in welcome


def test_markdown_lists_every_finding_when_the_applied_versions_were_not_recorded(rig):
    rig.edit("emails.yaml", *NO_PREHEADER)
    rig.apply()
    with sqlite3.connect(rig.store.path) as db:
        db.execute("DELETE FROM ck_checks")  # as in state written before findings were recorded
    rig.edit("emails.yaml", "subject: Welcome to Acme Conf", "subject: Welcome aboard")
    welcome = _inbox_view(plan_markdown(rig.plan()))
    assert "the applied version's findings were not recorded" in welcome
    assert "Checks now: 1 finding." in welcome and "- warning CK432: the email has no preheader" in welcome


def test_markdown_says_a_new_email_has_no_earlier_findings(rig):
    text = plan_markdown(rig.plan())
    assert "Checks: a new email; the findings of this version follow." in _inbox_view(text)
    assert "Checks now: no check findings." in _inbox_view(text)


def test_json_gives_each_changed_emails_checks_added_fixed_and_unchanged(rig):
    rig.edit("emails.yaml", *NO_PREHEADER)
    rig.apply()
    rig.edit("emails.yaml", "subject: Welcome to Acme Conf\n", "subject: Welcome to Acme Conf\npreheader: See you\n")
    rig.edit("templates/welcome.mjml", *BIG_BODY)
    rig.edit("templates/reminder.mjml", "three days", "3 days")
    changes = {c["address"]: c for c in json.loads(plan_json(rig.plan()))["resource_changes"]}
    checks = changes[WELCOME]["campaignkit"]["checks"]
    assert [f["code"] for f in checks["before"]] == ["CK432"] and [f["code"] for f in checks["after"]] == ["CK426"]
    assert [f["code"] for f in checks["added"]] == ["CK426"] and [f["code"] for f in checks["fixed"]] == ["CK432"]
    assert checks["unchanged"] == 0 and set(checks["added"][0]) == {"code", "severity", "message"}
    assert changes["email.2026-email-reminder-email"]["campaignkit"]["checks"] == {
        "before": [], "after": [], "added": [], "fixed": [], "unchanged": 0}


def test_json_checks_are_null_where_nothing_was_recorded_and_absent_for_other_kinds(rig):
    document = json.loads(plan_json(rig.plan()))
    checks = {c["address"]: c["campaignkit"].get("checks") for c in document["resource_changes"]}
    assert checks[WELCOME] == {"before": None, "after": [], "added": None, "fixed": None, "unchanged": None}
    assert checks["list.global-suppression-list"] is None


def test_split_comments_each_fit_and_together_list_every_change(rig):
    plan = rig.plan()
    for limit in (3_000, 6_000, 65_000):
        parts = plan_comments(plan, limit)
        assert all(len(part) <= limit for part in parts)
        assert all(part.count("<details") == part.count("</details>") for part in parts)
        whole = "\n".join(parts)
        assert all(f"`{change.address}`" in whole for change in plan.changes)
        assert (len(parts) > 1) == ("part 1 of" in parts[0])


def test_the_visible_text_is_diffed_word_by_word():
    before = "Hello Aiko,\nYour ticket is attached.\nSee you soon\nAcme Inc\nUnsubscribe (https://x)"
    after = "Hello Aiko,\nYour ticket is in the app.\nSee you soon\nAcme KK\nManage preferences (https://x)"
    lines = [as_text(line) for line in word_diff(before, after)]
    assert lines == ["Your ticket is [-attached.-]{+in the app.+}", GAP, "Acme [-Inc-]{+KK+}",
                     "[-Unsubscribe -]{+Manage preferences +}(https://x)"]
    assert as_html(word_diff("a <b>", "a <i>")[0]) == "a <del>&lt;b&gt;</del><ins>&lt;i&gt;</ins>"


def test_a_persona_whose_subject_does_not_render_says_why_in_its_row():
    change = Change("email.2026-email-x-email", "email", "2026-email-x-email", Action.UPDATE,
                    {"subject": "Hi"}, {"subject": "Hi {{ first_name | nope }}"},
                    received=(Received("cmo (CMO)", problem="no filter named 'nope'"),
                              Received("it_lead", "Hi Alex", "Three days to go")))
    comment = plan_markdown(Plan("sandbox", "local", (change,), (), "lineage", 1, False, "hash"))
    assert "| cmo (CMO) | does not render: no filter named &#x27;nope&#x27; | |" in comment
    assert "| it_lead | Hi Alex | Three days to go |" in comment
