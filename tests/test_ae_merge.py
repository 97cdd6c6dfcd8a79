"""Emails in Account Engagement's merge language, and CK440 for what that language cannot say."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from campaignkit.cli import main
from campaignkit.diagnostics import Diagnostic
from campaignkit.emails import EmailContext, check_email
from campaignkit.emails.merge import MergeLanguage
from campaignkit.emails.platform_merge import platform_values, render_for_platform
from campaignkit.plan import plan_workspace
from campaignkit.state import open_store
from campaignkit.targets import merge_language, open_target
from campaignkit.targets.account_engagement import TOKEN_VARIABLE
from campaignkit.targets.ae_merge import HANDLEBARS, VARIABLE_TAGS
from campaignkit.workspace.loading import load_workspace
from campaignkit.workspace.model import Resource, Workspace
from tests.workspaces import CONFIG, FIELDS, write_workspace

AE_CONFIG = CONFIG.replace("vars:", """\
  production:
    target: account-engagement
    state: sqlite:.campaignkit/production.db
    settings: {business_unit_id: "0Uv000000000001AAA"}
vars:""")
#: Two business units: production on HML, legacy still on PML.
TWO_UNITS_CONFIG = AE_CONFIG.replace("vars:", """\
  legacy:
    target: account-engagement
    state: sqlite:.campaignkit/legacy.db
    settings: {business_unit_id: "0Uv000000000002AAA", base_url: "https://127.0.0.1:9", merge_language: pml}
vars:""")
MORE_FIELDS = FIELDS + """\
---
kind: field
name: job_title
type: text
api_name: jobTitle
default: your team
---
kind: field
name: interest
type: text
api_name: Product_Interest__c
custom: true
default: automation
---
kind: field
name: department
type: text
api_name: department
"""
EMAIL = """\
kind: email
name: 2026-email-test-email
subject: "Welcome, {{ first_name }}"
from: {name: Acme, address: news@acme.example}
template: templates/mail.mjml
text: auto
"""
FOOTER = ('<mj-section><mj-column><mj-text><a href="{{ unsubscribe_url }}">Unsubscribe</a> '
          '<a href="{{ preferences_url }}">Preferences</a> <a href="{{ view_online_url }}">Online</a> '
          '{{ company_address }}</mj-text></mj-column></mj-section>')


def page(content: str) -> str:
    return (f"<mjml>\n<mj-body>\n<mj-section>\n<mj-column>\n{content}\n</mj-column>\n</mj-section>\n"
            f"{FOOTER}\n</mj-body>\n</mjml>\n")


def load(tmp_path: Path, template: str, config: str = AE_CONFIG, email: str = EMAIL):
    root = write_workspace(tmp_path / "ws", {"campaignkit.yaml": config, "fields.yaml": MORE_FIELDS,
                                             "emails.yaml": email, "templates/mail.mjml": template})
    workspace, diagnostics = load_workspace(root)
    assert workspace is not None, diagnostics
    return workspace, workspace.get("email.2026-email-test-email")


def render(tmp_path: Path, template: str, email: str = EMAIL, language: MergeLanguage = HANDLEBARS):
    """``email`` as it reaches Account Engagement, in ``language``."""
    workspace, resource = load(tmp_path, template, email=email)
    return render_for_platform(EmailContext.of(workspace), resource, platform_values(workspace, language))


def ck440(workspace: Workspace, email: Resource) -> list[Diagnostic]:
    """What CK440 finds in ``email``, its workspace's environments deploying to the targets campaignkit knows."""
    return [d for d in check_email(EmailContext.of(workspace, merge_language), email) if d.code == "CK440"]


def hml(expression: str, fallback: str) -> str:
    return f"{{{{#if {expression}}}}}{{{{{expression}}}}}{{{{else}}}}{fallback}{{{{/if}}}}"


def test_each_kind_of_name_becomes_its_account_engagement_tag(tmp_path):
    rendered = render(tmp_path, page("<mj-text>Hi {{ department }}</mj-text>"))
    assert "Hi {{Recipient.Department}}" in rendered.html  # no default anywhere: the bare tag
    assert 'href="{{{Unsubscribe}}}"' in rendered.html
    assert 'href="{{{EmailPreferenceCenter}}}"' in rendered.html
    assert 'href="{{View_Online}}"' in rendered.html
    assert "Acme Inc, 1-2-3 Shibuya, Tokyo" in rendered.html  # a var is its value
    assert "{{Recipient.Department}}" in rendered.text


def test_a_field_with_a_default_never_merges_blank_in_account_engagement(tmp_path):
    rendered = render(tmp_path, page("<mj-text>Hi {{ first_name | default('friend') }} of {{ job_title }}, "
                                     "about {{ interest }}</mj-text>"))
    # The declared default mail-merge value, as in previews; the template's 'friend' gives way to it.
    assert (f"Hi {hml('Recipient.FirstName', 'there')} of {hml('Recipient.JobTitle', 'your team')}, "
            f"about {hml('Recipient.Product_Interest__c', 'automation')}") in rendered.html
    assert "friend" not in rendered.html
    assert rendered.subject == f"Welcome, {hml('Recipient.FirstName', 'there')}"
    assert hml("Recipient.FirstName", "there") in rendered.text


def test_a_template_fallback_is_escaped_for_html_and_kept_as_written_in_text(tmp_path):
    email = EMAIL.replace("{{ first_name }}", "{{ department | default('R&D <team>') }}")
    rendered = render(tmp_path, page("<mj-text>Dear {{ department | default('R&D <team>') }}</mj-text>"), email)
    assert f"Dear {hml('Recipient.Department', 'R&amp;D &lt;team&gt;')}" in rendered.html
    assert f"Dear {hml('Recipient.Department', 'R&D <team>')}" in rendered.text
    assert rendered.subject == f"Welcome, {hml('Recipient.Department', 'R&D <team>')}"


def test_an_empty_fallback_leaves_the_bare_tag(tmp_path):
    rendered = render(tmp_path, page("<mj-text>Dear {{ department | default('') }}</mj-text>"))
    assert "Dear {{Recipient.Department}}</div>" in rendered.html


INEXPRESSIBLE = [
    ("<mj-text>{% if first_name %}Hi{% endif %}</mj-text>", "tested in a condition"),
    ("<mj-text>{% for c in first_name %}{{ c }}{% endfor %}</mj-text>", "looped over"),
    ("<mj-text>Hi {{ first_name | upper }}</mj-text>", "filter 'upper'"),
    ("<mj-text>{{ employees * 2 }} seats</mj-text>", "computed with"),
    ("<mj-text>{{ 'big' if employees > 100 else 'small' }}</mj-text>", "tested in a condition"),
]


@pytest.mark.parametrize("content, how", INEXPRESSIBLE)
def test_a_construct_account_engagement_cannot_say_is_an_error_at_its_line(tmp_path, content, how):
    workspace, email = load(tmp_path, page(content))
    found = ck440(workspace, email)
    assert len(found) == 1, found
    assert how in found[0].message
    assert found[0].position.path == "templates/mail.mjml"
    assert found[0].position.line == 5


@pytest.mark.parametrize("content", [
    "<mj-text>Hi {{ first_name }} and {{ first_name | default('there') }}</mj-text>",
    "<mj-text>{% set name = 'Molly' %}{% if name %}{{ name | upper }}{% endif %}</mj-text>",
    "<mj-text>{% if company_address %}{{ company_address | upper }}{% endif %}</mj-text>",
    "<mj-text>{{ 'Hi ' ~ first_name ~ '!' }} {{ first_name if company_address else 'there' }}</mj-text>",
])
def test_plain_merge_fields_and_vars_anywhere_are_fine(tmp_path, content):
    workspace, email = load(tmp_path, page(content))
    assert ck440(workspace, email) == []


def test_without_an_account_engagement_environment_nothing_is_reported(tmp_path):
    workspace, email = load(tmp_path, page(INEXPRESSIBLE[0][0]), config=CONFIG)
    assert ck440(workspace, email) == []


def test_the_subject_is_checked_where_it_is_written(tmp_path):
    root = write_workspace(tmp_path / "ws", {"campaignkit.yaml": AE_CONFIG, "fields.yaml": MORE_FIELDS,
                                             "emails.yaml": EMAIL.replace("{{ first_name }}",
                                                                          "{{ first_name | title }}"),
                                             "templates/mail.mjml": page("<mj-text>Hi</mj-text>")})
    workspace, _ = load_workspace(root)
    found = ck440(workspace, workspace.get("email.2026-email-test-email"))
    assert [(d.position.path, d.position.line) for d in found] == [("emails.yaml", 3)]


def test_each_construct_is_pointed_at_where_its_name_stands_on_the_line(tmp_path):
    content = "<mj-text>{% if first_name %}Hi {{ first_name }}, {{ first_name | upper }}{% endif %}</mj-text>"
    workspace, email = load(tmp_path, page(content))
    found = ck440(workspace, email)
    line = page(content).splitlines()[4]
    test, shout = line.index("first_name") + 1, line.rindex("first_name") + 1
    assert [(d.position.line, d.position.column) for d in found] == [(5, test), (5, shout)]


def test_validate_finds_ck440_once_an_environment_deploys_to_account_engagement(tmp_path):
    """Only the target changes: validate does not answer from what it found when nothing sent in HML."""
    root = write_workspace(tmp_path / "ws", {"fields.yaml": MORE_FIELDS, "emails.yaml": EMAIL,
                                             "templates/mail.mjml": page(INEXPRESSIBLE[2][0])})
    validate = ["--chdir", str(root), "validate"]
    assert CliRunner().invoke(main, validate).exit_code == 0
    (root / "campaignkit.yaml").write_text(AE_CONFIG)
    result = CliRunner().invoke(main, validate)
    assert result.exit_code == 1
    assert "CK440 error: 'first_name' is passed to the filter 'upper', which Account Engagement's HML " \
           "(environment 'production') cannot say" in result.output


def test_each_kind_of_name_becomes_its_pml_variable_tag(tmp_path):
    rendered = render(tmp_path, page("<mj-text>Hi {{ first_name }} of {{ job_title }} in {{ department }}, "
                                     "about {{ interest }}</mj-text>"), language=VARIABLE_TAGS)
    # PML has no fallback: the bare tag, whatever the field's default.
    assert "Hi %%first_name%% of %%job_title%% in %%department%%, about %%Product_Interest%%" in rendered.html
    assert 'href="%%unsubscribe%%"' in rendered.html
    assert 'href="%%email_preference_center%%"' in rendered.html
    assert 'href="%%view_online%%"' in rendered.html
    assert "Acme Inc, 1-2-3 Shibuya, Tokyo" in rendered.html
    assert "%%first_name%%" in rendered.text
    assert rendered.subject == "Welcome, %%first_name%%"


def plan_json(root: Path, environment: str) -> dict:
    result = CliRunner().invoke(main, ["--chdir", str(root), "plan", "--env", environment, "--no-refresh",
                                       "--format", "json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def planned_email(root: Path, environment_name: str):
    """The email change of the library's plan for ``environment_name``, bodies and all."""
    workspace, _ = load_workspace(root)
    environment = workspace.config.environment(environment_name)
    store, target = open_store(environment, root, "acme"), open_target(environment, workspace)
    try:
        plan = plan_workspace(workspace, environment, store.read(), target, refresh_first=False)
    finally:
        store.close()
        target.close()
    [email] = [change for change in plan.changes if change.kind == "email"]
    return email


def test_an_environment_on_pml_plans_its_emails_in_pml_and_one_on_hml_in_hml(tmp_path, monkeypatch):
    monkeypatch.setenv(TOKEN_VARIABLE, "token-never-sent")  # --no-refresh: nothing is asked of the business units
    root = write_workspace(tmp_path / "ws", {
        "campaignkit.yaml": TWO_UNITS_CONFIG, "fields.yaml": MORE_FIELDS, "emails.yaml": EMAIL,
        "templates/mail.mjml": page("<mj-text>Hi {{ first_name }} of {{ interest }}</mj-text>")})

    [legacy] = [c for c in plan_json(root, "legacy")["resource_changes"] if c["type"] == "email"]
    assert legacy["change"]["after"]["subject"] == "Welcome, %%first_name%%"
    [production] = [c for c in plan_json(root, "production")["resource_changes"] if c["type"] == "email"]
    assert production["change"]["after"]["subject"] == f"Welcome, {hml('Recipient.FirstName', 'there')}"
    assert legacy["change"]["after"]["content_sha256"] != production["change"]["after"]["content_sha256"]

    email = planned_email(root, "legacy")
    assert "Hi %%first_name%% of %%Product_Interest%%" in email.content["html_body"]
    assert 'href="%%unsubscribe%%"' in email.content["html_body"]
    assert "%%first_name%%" in email.content["text_body"] and "{{" not in email.content["text_body"]
    email = planned_email(root, "production")
    assert (f"Hi {hml('Recipient.FirstName', 'there')} of {hml('Recipient.Product_Interest__c', 'automation')}"
            in email.content["html_body"])
    assert 'href="{{{Unsubscribe}}}"' in email.content["html_body"]


def test_ck440_names_the_language_of_each_environment_that_cannot_say_it(tmp_path):
    workspace, email = load(tmp_path, page(INEXPRESSIBLE[2][0]), config=TWO_UNITS_CONFIG)
    [found] = ck440(workspace, email)
    assert found.message == ("'first_name' is passed to the filter 'upper', which Account Engagement's HML "
                             "(environment 'production') and Account Engagement's PML (environment 'legacy') "
                             "cannot say; print it plainly as {{ first_name }}")


def test_a_merge_language_the_platform_does_not_have_is_refused_with_the_ones_it_has(tmp_path):
    root = write_workspace(tmp_path / "ws", {"campaignkit.yaml": TWO_UNITS_CONFIG.replace("pml", "pm1"),
                                             "fields.yaml": MORE_FIELDS, "emails.yaml": EMAIL,
                                             "templates/mail.mjml": page("<mj-text>Hi</mj-text>")})
    result = CliRunner().invoke(main, ["--chdir", str(root), "validate"])
    assert result.exit_code == 1
    assert "CK104" in result.output and "merge_language" in result.output and "'pml'" in result.output


def ck441(workspace: Workspace, email: Resource) -> list[Diagnostic]:
    return [d for d in check_email(EmailContext.of(workspace, merge_language), email) if d.code == "CK441"]


def test_a_template_fallback_pml_cannot_carry_is_a_warning_where_it_is_written(tmp_path):
    content = "<mj-text>Dear {{ department | default('team') }}, {{ first_name | default('friend') }}</mj-text>"
    workspace, email = load(tmp_path, page(content), config=TWO_UNITS_CONFIG)
    [found] = ck441(workspace, email)  # first_name declares a default: that one is CK904's, at the field
    assert not found.is_error
    assert found.message.startswith("'department' falls back to 'team' here, which Account Engagement's PML "
                                    "(environment 'legacy') cannot say")
    assert (found.position.path, found.position.line) == ("templates/mail.mjml", 5)
    assert found.position.column == page(content).splitlines()[4].index("department") + 1


def test_hml_carries_the_template_fallback_so_nothing_is_said(tmp_path):
    workspace, email = load(tmp_path, page("<mj-text>Dear {{ department | default('team') }}</mj-text>"))
    assert ck441(workspace, email) == []


def test_a_pml_environment_reminds_that_each_field_default_must_be_set_on_the_platform(tmp_path):
    root = write_workspace(tmp_path / "ws", {"campaignkit.yaml": TWO_UNITS_CONFIG, "fields.yaml": MORE_FIELDS,
                                             "emails.yaml": EMAIL, "templates/mail.mjml": page("<mj-text>Hi</mj-text>")})
    result = CliRunner().invoke(main, ["--chdir", str(root), "validate"])
    assert result.exit_code == 0, result.output  # a reminder, not an error
    reminders = [line for line in result.output.splitlines() if "CK904" in line]
    assert len(reminders) == 5  # first_name, industry, employees, job_title, interest; department has no default
    assert ("fields.yaml:4:10: CK904 warning: field.first_name: the default 'there' cannot travel in Account "
            "Engagement's PML (environment 'legacy'); set it on the platform as the field's default mail merge "
            "value (its API cannot)") in reminders
    (root / "campaignkit.yaml").write_text(AE_CONFIG)
    assert "CK904" not in CliRunner().invoke(main, ["--chdir", str(root), "validate"]).output
