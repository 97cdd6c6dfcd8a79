"""adopt and audit against the stand-in Account Engagement server, filled with a business unit built by clicking."""

from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner

from campaignkit.cli import main
from tests.ae_workspace import run

#: The postal address the workspace declares (``vars.company_address``), which every email carries.
ADDRESS = "Acme Inc., 1-2-3 Shibuya, Shibuya-ku, Tokyo 150-0002, Japan"


@pytest.fixture
def messy(workspace, server):
    """A business unit of names in no convention (some Japanese), a list tagged and in nested folders, an unused
    list, a custom field an email merges without a fallback, a draft program that sends to a list and
    suppresses one deleted since, and prospects of which some share an email address (one in another case);
    the workspace holds only its naming convention."""
    for path in workspace.rglob("*.yaml"):
        if path.name not in ("campaignkit.yaml", "naming.yaml"):
            path.unlink()
    config = workspace / "campaignkit.yaml"
    config.write_text(re.sub(r"(?ms)^simulation:.*", "", config.read_text()))
    unit = server.unit
    fair = unit.create("lists", {"name": "展示会 2024 来場者", "title": "展示会 2024 来場者", "isDynamic": False})
    folder = unit.create("folders", {"name": "2023", "path": "/Lists/Webinars/2023"})
    old = unit.create("lists", {"name": "Webinar Attendees (old)", "title": "Webinar attendees", "isDynamic": False,
                                "folderId": folder["id"], "createdAt": "2023-04-18T10:12:00-04:00"})
    tag = unit.create("tags", {"name": "ウェビナー"})
    unit.create("tagged-objects", {"tagId": tag["id"], "objectType": "list", "objectId": old["id"],
                                   "objectName": old["name"]})
    newsletter = unit.create("lists", {"name": "2026-email-newsletter-list", "title": "Newsletter",
                                       "isDynamic": False})
    field = unit.create("custom-fields", {"name": "Industry Focus", "fieldId": "Industry_Focus", "type": "Text"})
    unit.create("email-templates", {
        "name": "Industry newsletter", "subject": "News for {{Recipient.FirstName}}", "type": "htmlAndText",
        "htmlMessage": "<p>Hi {{#if Recipient.FirstName}}{{Recipient.FirstName}}{{else}}there &amp; all{{/if}}, "
                       f"news for {{{{Recipient.Industry_Focus__c}}}}.</p><p>{ADDRESS} · "
                       "<a href=\"{{{Unsubscribe}}}\">Unsubscribe</a> · {{Sender.FullName}}</p>",
        "textMessage": f"Hi %%first_name%%, news for %%Industry_Focus%%.\n\n{ADDRESS}\nUnsubscribe: %%unsubscribe%%"})
    program = unit.create("engagement-studio-programs", {"name": "Spring Nurture JP", "status": "draft",
                                                         "createdAt": "2025-02-03T09:00:00+09:00",
                                                         "recipientListIds": [fair["id"]],
                                                         "suppressionListIds": [99999]})
    prospects = [unit.create("prospects", {"email": email, "firstName": first})["id"] for email, first in (
        ("aiko.tanaka@example.jp", "Aiko"), ("ken@example.com", "Ken"), ("Aiko.Tanaka@Example.jp", "愛子"),
        ("mia@example.com", "Mia"), ("sam@example.com", "Sam"), ("ken@example.com", "Kenji"),
        ("lee@example.com", "Lee"), ("aiko.tanaka@example.jp", "Aiko"), ("noah@example.com", "Noah"))]
    return workspace, {"prospects": prospects, "fair": fair["id"], "old": old["id"], "newsletter": newsletter["id"], "field": field["id"],
                       "program": program["id"]}


def test_adopt_writes_a_valid_workspace_whose_first_plan_only_renames(messy):
    workspace, ids = messy
    code, out = run("adopt")
    assert code == 0, out
    fair = f"2024-all-id-{ids['fair']}-list"
    assert f"list.{fair}: id {ids['fair']}, renamed from '展示会 2024 来場者'" in out
    assert f"list.2026-email-newsletter-list: id {ids['newsletter']}\n" in out
    assert f"field.industry_focus_c: id {ids['field']}\n" in out
    assert (f"program 'Spring Nurture JP' (id {ids['program']}): list id(s) 99999 in its exclude lists are not on the target "
            "and are left out") in out
    assert "program.2025-nurture-spring-jp-program: written as a stub" in out
    program = (workspace / "adopted" / "programs" / "2025-nurture-spring-jp-program.yaml").read_text()
    assert "description: 'ADOPTED AS A STUB: " in program and "status: paused" in program
    lists = (workspace / "adopted" / "lists.yaml").read_text()
    assert "folder: Lists/Webinars/2023\ntags:\n- ウェビナー\nmoved_from: list.webinar-attendees-old" in lists
    validated = CliRunner().invoke(main, ["validate"])
    assert validated.exit_code == 0, validated.stdout
    planned = CliRunner().invoke(main, ["plan", "--format", "json", "--env", "production"])
    changes = {c["address"]: c for c in json.loads(planned.stdout)["resource_changes"]}
    assert sorted(changes) == ["email.2026-all-industry-newsletter-email", "list.2023-webinar-attendees-old-list",
                               f"list.{fair}", "program.2025-nurture-spring-jp-program"]
    assert all(c["change"]["actions"] == ["update"] and c["previous_address"] for c in changes.values())
    # Only renames, but for two things the business unit holds that the files cannot: a suppression list it no
    # longer has (taken off by hand), and PML in the text part of an email on HML (sent in HML). The program's
    # lists are held by id, so the list renamed under it is no change to it.
    assert {a: c["campaignkit"]["changed_paths"] for a, c in changes.items()} == {
        "email.2026-all-industry-newsletter-email": ["name", "content_sha256"],
        "list.2023-webinar-attendees-old-list": ["name"], f"list.{fair}": ["name"],
        "program.2025-nurture-spring-jp-program": ["name", "recipients.exclude"]}
    assert "Objects changed outside campaignkit" not in run("plan")[1]


def test_emails_merge_tags_become_merge_fields_that_render_the_same_email(messy, tmp_path):
    _, ids = messy
    code, out = run("adopt")
    assert "email.2026-all-industry-newsletter-email: {{Sender.FullName}} kept as written" in out
    assert "its PML tags are written as merge fields, which the first plan sends in HML" in out
    adopted = messy[0] / "adopted"
    template = adopted / "templates" / "2026-all-industry-newsletter-email.html"
    assert template.read_text() == (
        '<p>Hi {{ first_name|default("there & all") }}, news for {{ industry_focus_c|default("") }}.</p>'
        f'<p>{ADDRESS} · <a href="{{{{ unsubscribe_url }}}}{{% raw %}}">Unsubscribe</a> · {{{{Sender.FullName}}}}'
        "</p>{% endraw %}")
    assert (adopted / "templates" / "2026-all-industry-newsletter-email.txt").read_text() == (
        f'Hi {{{{ first_name|default("") }}}}, news for {{{{ industry_focus_c|default("") }}}}.\n\n{ADDRESS}\n'
        "Unsubscribe: {{ unsubscribe_url }}")
    assert 'subject: News for {{ first_name|default("") }}' in (adopted / "emails.yaml").read_text()
    assert "kind: field\nname: first_name\ntype: text\napi_name: firstName\n" in (adopted / "fields.yaml").read_text()
    prospect = tmp_path / "aiko.yaml"
    prospect.write_text("first_name: Aiko\nindustry_focus_c: Retail\n")
    rendered = CliRunner().invoke(main, ["render", "email.2026-all-industry-newsletter-email", "--prospect",
                                         str(prospect), "--out", str(tmp_path / "out")])
    assert rendered.exit_code == 0, rendered.stdout + rendered.stderr
    assert "Subject:   News for Aiko" in rendered.stdout
    html = (tmp_path / "out" / "2026-all-industry-newsletter-email.html").read_text()
    assert html.startswith("<p>Hi Aiko, news for Retail.</p>") and "{{Sender.FullName}}" in html
    assert "Unsubscribe: https://example.invalid/unsubscribe" in (
        tmp_path / "out" / "2026-all-industry-newsletter-email.txt").read_text()


def test_the_renames_applied_leave_nothing_to_change(messy, server):
    run("adopt")
    server.unit.edit("engagement-studio-programs", "Spring Nurture JP", suppressionListIds=[])  # the step by hand
    code, out = run("apply", "--auto-approve")
    assert code == 0, out
    code, out = run("plan", "--detailed-exitcode")
    assert code == 0, out


def test_audit_finds_unused_lists_a_merge_without_a_default_and_a_program_sending_to_a_deleted_list(messy, server):
    _, ids = messy
    code, out = run("audit", "--format", "json")
    assert code == 0, out
    report = json.loads(out)
    assert report["objects"] == {"dynamic_content": 0, "email": 1, "field": 1, "form": 0, "form_handler": 0,
                                 "list": 3, "program": 1}
    found = {f["check"]: (f["count"], f["examples"]) for f in report["findings"]}
    assert found["naming"][0] == 4
    assert f"list '展示会 2024 来場者' (id {ids['fair']}): 2024-all-id-{ids['fair']}-list" in found["naming"][1]
    assert found["unused-list"] == (2, [f"list 'Webinar Attendees (old)' (id {ids['old']})",
                                        f"list '2026-email-newsletter-list' (id {ids['newsletter']})"])
    assert found["missing-list"] == (1, [f"program 'Spring Nurture JP' (id {ids['program']}): list id 99999"])
    assert found["missing-default"] == (1, [f"field 'Industry_Focus__c' (id {ids['field']}), merged by "
                                            "Industry newsletter"])
    assert report["notes"] == [f"the account-engagement target has no API to read {kind}s: they are left out"
                               for kind in ("scoring", "grading", "campaign")]
    first, ken = ids["prospects"][0], ids["prospects"][1]
    assert report["prospects"] == 9
    assert found["duplicate-prospects"] == (2, [f"aiko.tanaka@example.jp: prospects {first}, {first + 2}, {first + 7}",
                                                f"ken@example.com: prospects {ken}, {ken + 4}"])
    reads = [r for r in server.unit.requests if r.path.endswith("/prospects")]
    # One query of one field, a page of 1,000 asked each call; this server gives four a page, so nine take three.
    assert len(reads) == 3 and {(r.query["fields"], r.query["limit"]) for r in reads} == {("id,email", "1000")}
