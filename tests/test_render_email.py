"""Rendering an email for a prospect: merge values and defaults, inbox text, includes, the text part, failures."""

from __future__ import annotations

from pathlib import Path

import pytest

from campaignkit.errors import UserError
from campaignkit.emails import (
    BUILTIN_URLS,
    EmailContext,
    check_email,
    render_bodies,
    render_email,
    sample_prospect,
    workers,
)
from campaignkit.emails.rendering import render_inline
from campaignkit.workspace.loading import load_workspace
from tests.workspaces import FIELDS, write_workspace

FIELDS_WITH_EXAMPLES = FIELDS.replace("default: there\n", "default: there\nexample: Molly\n") + (
    "---\nkind: field\nname: job_title\ntype: text\n")
EMAIL = """\
kind: email
name: 2026-email-test-email
subject: "{{ first_name }}, your ticket"
preheader: "What comes next at {{ industry }} day"
from: {name: Acme, address: news@acme.example}
template: templates/mail.mjml
text: auto
"""
TEMPLATE = """\
<mjml>
  <mj-body>
    {% include "templates/partials/header.mjml" %}
    <mj-section>
      <mj-column>
        <mj-text>Hello {{ first_name }}, dear {{ job_title | default("marketing leader") }}.</mj-text>
        <mj-button href="https://acme.example/ticket?id={{ employees }}">Get your ticket</mj-button>
      </mj-column>
    </mj-section>
    <mj-include path="templates/partials/footer.mjml" />
  </mj-body>
</mjml>
"""
HEADER = "<mj-section><mj-column><mj-text>Acme News for {{ first_name }}</mj-text></mj-column></mj-section>\n"
FOOTER = ('<mj-section><mj-column><mj-text><a href="{{ unsubscribe_url }}">Unsubscribe</a> {{ company_address }}'
          "</mj-text></mj-column></mj-section>\n")


@pytest.fixture
def workspace(tmp_path: Path):
    def make(template: str = TEMPLATE, email: str = EMAIL, files: dict[str, str] | None = None):
        root = write_workspace(tmp_path / "ws", {
            "fields.yaml": FIELDS_WITH_EXAMPLES, "emails.yaml": email, "templates/mail.mjml": template,
            "templates/partials/header.mjml": HEADER, "templates/partials/footer.mjml": FOOTER, **(files or {})})
        loaded, _ = load_workspace(root)
        return EmailContext.of(loaded), loaded.get("email.2026-email-test-email")
    return make


def test_renders_subject_preheader_html_and_text_for_the_sample_prospect(workspace):
    context, email = workspace()
    rendered = render_email(context, email)
    assert rendered.subject == "Molly, your ticket"
    assert rendered.preheader == "What comes next at Software day"
    assert "<title>Molly, your ticket</title>" in rendered.html
    assert "What comes next at Software day" in rendered.html  # the hidden preview text
    assert "Acme News for Molly" in rendered.html  # Jinja include
    assert BUILTIN_URLS["unsubscribe_url"] in rendered.html  # mj-include, rendered with the same values
    assert "Hello Molly, dear marketing leader." in rendered.text
    assert "Get your ticket (https://acme.example/ticket?id=10)" in rendered.text
    assert f"Unsubscribe ({BUILTIN_URLS['unsubscribe_url']}) Acme Inc, 1-2-3 Shibuya, Tokyo" in rendered.text
    assert "What comes next" not in rendered.text


def test_sample_prospect_uses_examples_then_defaults(workspace):
    context, _ = workspace()
    assert sample_prospect(context) == {"first_name": "Molly", "industry": "Software", "employees": 10}


@pytest.mark.parametrize("value", ["", "   ", None])
def test_an_empty_field_renders_its_default(workspace, value):
    context, email = workspace()
    rendered = render_email(context, email, {"first_name": value, "job_title": ""})
    assert rendered.subject == "there, your ticket"
    assert "Hello there, dear marketing leader." in rendered.text


def test_a_prospect_value_is_merged_and_escaped(workspace):
    context, email = workspace()
    rendered = render_email(context, email, {"first_name": "<b>Ann</b>", "job_title": "CMO"})
    assert "Hello &lt;b&gt;Ann&lt;/b&gt;, dear CMO." in rendered.html
    assert rendered.subject == "<b>Ann</b>, your ticket"  # the subject is plain text, not HTML


def test_a_prospect_with_an_undeclared_field_is_refused(workspace):
    context, email = workspace()
    with pytest.raises(UserError, match="'frist_name' that no field declares.*did you mean 'first_name'"):
        render_email(context, email, {"frist_name": "Ann"})


def test_a_template_that_does_not_render_is_a_user_error_naming_the_line(workspace):
    context, email = workspace(TEMPLATE.replace("{{ first_name }}, dear", "{{ ''.__class__ }}, dear"))
    with pytest.raises(UserError, match=r"templates/mail.mjml:6:\d+: the sandbox refused"):
        render_email(context, email)


def test_a_missing_include_is_a_user_error(workspace):
    context, email = workspace(TEMPLATE.replace("partials/header", "partials/headr"))
    with pytest.raises(UserError, match="templates/partials/headr.mjml' does not exist"):
        render_email(context, email)


def test_a_text_part_file_is_rendered_as_plain_text(workspace):
    context, email = workspace(email=EMAIL.replace("text: auto", "text: templates/mail.txt"),
                               files={"templates/mail.txt": "Hi {{ first_name }} & co.\n"})
    assert render_email(context, email, {"first_name": "<Ann>"}).text == "Hi <Ann> & co."


def test_the_template_keeps_its_own_title_and_preview(workspace):
    template = TEMPLATE.replace("<mjml>\n", "<mjml>\n<mj-head><mj-title>Own</mj-title><mj-preview>Mine</mj-preview>"
                                           "</mj-head>\n")
    context, email = workspace(template)
    rendered = render_email(context, email)
    assert "<title>Own</title>" in rendered.html and "Mine" in rendered.html
    assert "What comes next" not in rendered.html


def test_partials_are_compiled_once_per_context(workspace):
    context, email = workspace()
    render_email(context, email)
    header = context.files.compiled("templates/partials/header.mjml", True)
    render_email(context, email, {"first_name": "Ann"})
    assert context.files.compiled("templates/partials/header.mjml", True) is header


def test_templates_sharing_their_jinja_render_their_own_text_and_report_their_own_lines(tmp_path):
    failing = "{{ 1 / (employees - employees) if first_name == 'Zed' else '' }}"
    first = TEMPLATE.replace("dear", f"dear {failing}")
    second = first.replace("<mj-section>\n", "<mj-section>\n<!-- a\nlonger\ncomment -->\n", 1).replace(
        "Get your ticket", "Claim your seat")
    root = write_workspace(tmp_path / "ws", {
        "fields.yaml": FIELDS_WITH_EXAMPLES, "templates/mail.mjml": first, "templates/other.mjml": second,
        "emails.yaml": EMAIL + "---\n" + EMAIL.replace("test-email", "other-email").replace("mail.mjml", "other.mjml"),
        "templates/partials/header.mjml": HEADER, "templates/partials/footer.mjml": FOOTER})
    loaded, _ = load_workspace(root)
    context = EmailContext.of(loaded)
    mail, other = loaded.get("email.2026-email-test-email"), loaded.get("email.2026-email-other-email")
    assert "Get your ticket (" in render_email(context, mail).text
    assert "Claim your seat (" in render_email(context, other).text
    with pytest.raises(UserError, match=r"templates/mail.mjml:6:\d+: ZeroDivisionError"):
        render_email(context, mail, {"first_name": "Zed"})
    with pytest.raises(UserError, match=r"templates/other.mjml:9:\d+: ZeroDivisionError"):
        render_email(context, other, {"first_name": "Zed"})


def test_hundreds_of_elements_side_by_side_are_not_nesting(workspace):
    many = "".join(f"<mj-text>Paragraph {n}</mj-text>" for n in range(400))
    context, email = workspace(TEMPLATE.replace("<mj-text>Hello", many + "<mj-text>Hello"))
    assert "Paragraph 399" in render_email(context, email).text


def test_many_emails_on_every_core_give_what_one_gives_in_order(workspace, monkeypatch):
    context, email = workspace(TEMPLATE.replace("{{ first_name }},", "{{ frist_name }},"))
    expected = check_email(context, email)
    assert [d.code for d in expected] == ["CK405"]
    monkeypatch.setattr(workers, "usable_cores", lambda: 2)
    assert render_bodies(check_email, context, [email] * 60).result() == [expected] * 60


@pytest.mark.parametrize("held, shown", [
    ("{% filter upper %}shout{% endfilter %}", "SHOUT"),
    ("{% set word %}quiet{% endset %}{{ word | upper }}", "QUIET"),
    ("{% macro tag() %}label{% endmacro %}{{ tag() | upper }}", "LABEL"),
    ("{% macro box() %}{{ caller() | upper }}{% endmacro %}{% call box() %}inside{% endcall %}", "INSIDE"),
])
def test_text_held_before_it_is_output_renders_as_jinja_renders_it(workspace, held, shown):
    context, email = workspace(TEMPLATE.replace("Hello", held))
    assert f"{shown} Molly, dear marketing leader." in render_email(context, email).text


def test_string_literals_render_as_written_for_each_template_of_one_shape(workspace):
    template = TEMPLATE.replace('default("marketing leader")', 'default("R&D <lead>")')
    context, email = workspace(template)
    assert "dear R&amp;D &lt;lead&gt;." in render_email(context, email).html


def test_a_sample_value_that_looks_like_marked_text_is_merged_as_it_is(workspace):
    fields = FIELDS_WITH_EXAMPLES.replace("example: Molly", 'example: "M\\00\\x01"')
    context, email = workspace(files={"fields.yaml": fields})
    assert render_inline(context, email, "subject", context.sample_values()) == "M\x000\x01, your ticket"


def test_text_repeated_past_the_output_limit_is_refused_for_the_sample_too(workspace):
    long_text = "x" * 100
    context, email = workspace(TEMPLATE.replace("Hello", f"{{% for i in range(20000) %}}{long_text}{{% endfor %}}"))
    assert [d.code for d in check_email(context, email)] == ["CK409"]
