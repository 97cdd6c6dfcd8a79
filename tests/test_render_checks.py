"""Every email check (CK401-CK433) fires on the mistake it is for, at the template line, and stays quiet otherwise."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.generate import generate
from campaignkit.emails import EMAIL_CHECKS, EmailContext, check_email, check_emails, email_check_docs
from campaignkit.emails import checking, workers
from campaignkit.workspace.loading import load_workspace
from campaignkit.targets import merge_language
from tests.workspaces import FIELDS, write_workspace

TEMPLATE = "templates/mail.mjml"
EMAIL = """\
kind: email
name: 2026-email-test-email
subject: "Welcome, {{ first_name }}"
preheader: Your ticket and what comes next
from: {name: Acme, address: news@acme.example}
template: templates/mail.mjml
text: auto
"""
FOOTER = ('<mj-section><mj-column><mj-text><a href="{{ unsubscribe_url }}">Unsubscribe</a> {{ company_address }}'
          '</mj-text></mj-column></mj-section>')
EXTRA_FIELDS = FIELDS + "---\nkind: field\nname: job_title\ntype: text\nexample: Marketing Manager\n"


def page(content: str, footer: str = FOOTER) -> str:
    """A whole template: ``content`` in a column, then the footer, one element per line."""
    return (f"<mjml>\n<mj-body>\n<mj-section>\n<mj-column>\n{content}\n</mj-column>\n</mj-section>\n"
            f"{footer}\n</mj-body>\n</mjml>\n")


def diagnose(tmp_path: Path, template: str, email: str = EMAIL, files: dict[str, str] | None = None) -> list:
    root = write_workspace(tmp_path / "ws", {"fields.yaml": EXTRA_FIELDS, "emails.yaml": email,
                                             TEMPLATE: template, **(files or {})})
    workspace, _ = load_workspace(root)
    return check_email(EmailContext.of(workspace), workspace.get("email.2026-email-test-email"))


def line_of(text: str, needle: str) -> int:
    return next(number for number, line in enumerate(text.splitlines(), 1) if needle in line)


def test_a_good_email_has_no_diagnostics(tmp_path):
    assert diagnose(tmp_path, page("<mj-text>Hello {{ first_name }}</mj-text>")) == []


# (code, template that fires it, text on the line it points at, a text of the message)
FIRING = [
    ("CK403", page("<mj-text>Hello {{ first_name }</mj-text>"), "{{ first_name }", "Jinja syntax error"),
    ("CK404", page("<mj-text>{{ ''.__class__.__mro__ }}</mj-text>"), "__class__", "'__class__'"),
    ("CK404", page("<mj-text>{{ cycler.__init__.__globals__ }}</mj-text>"), "cycler", "'__init__'"),
    ("CK404", page("<mj-text>{{ first_name | attr('__class__') }}</mj-text>"), "attr(", "'__class__'"),
    ("CK405", page("<mj-text>Hello {{ frist_name }}</mj-text>"), "frist_name", "did you mean 'first_name'"),
    ("CK406", page("<mj-text>Dear {{ job_title }},</mj-text>"), "job_title", "no default mail-merge value"),
    ("CK407", page('<mj-text>{% include "templates/" ~ first_name %}</mj-text>'), "include", "quoted string"),
    ("CK407", '{% extends "templates/base.mjml" %}\n' + page("<mj-text>x</mj-text>"), "extends", "extends"),
    ("CK408", page("<mj-text>{{ employees / 0 }}</mj-text>"), "employees", "ZeroDivisionError"),
    ("CK409", page("<mj-text>{% for i in range(90000) %}{{ first_name * 40 }}{% endfor %}</mj-text>"),
     "<mjml>", "larger than 1,000,000"),
    ("CK410", page("<mj-text>Hello <b>there</mj-text>"), "<b>there", "<b> is not closed"),
    ("CK410", page('<mj-text>Hello</mj-text>\n<mj-image src=https://acme.example/a.png alt="" />'), "mj-image",
     "quote every attribute value"),
    ("CK411", page("<mj-colum>\n<mj-text>Hi</mj-text>\n</mj-colum>"), "<mj-colum>", "did you mean 'mj-column'"),
    ("CK412", page('<mj-button colour="#fff" href="https://acme.example">Go</mj-button>'), "colour",
     "did you mean 'color'"),
    ("CK413", "<mjml>\n<mj-body>\n<mj-text>Direct</mj-text>\n" + FOOTER + "\n</mj-body>\n</mjml>\n", "Direct",
     "cannot be used inside <mj-body>"),
    ("CK420", page('<mj-image src="https://acme.example/a.png" />'), "mj-image", "no alt text"),
    ("CK420", page('<mj-text><img src="https://acme.example/a.png"></mj-text>'), "<img", "no alt text"),
    ("CK421", page('<mj-text><a href="http://acme.example/offer">Offer</a></mj-text>'), "http://",
     "not an absolute https URL"),
    ("CK421", page('<mj-button href="/offer">Go</mj-button>'), "/offer", "not an absolute https URL"),
    ("CK422", page('<mj-button href="javascript:alert(1)">Go</mj-button>'), "javascript", "script"),
    ("CK422", page('<mj-button href="https://localhost:8000/signup">Go</mj-button>'), "localhost", "local"),
    ("CK422", page('<mj-text><a href="https://127.0.0.1/x">x</a></mj-text>'), "127.0.0.1", "local"),
    ("CK422", page('<mj-text><a href="">x</a></mj-text>'), 'href=""', "empty"),
    ("CK423", page("<mj-text>Hi</mj-text>", footer="<mj-section><mj-column><mj-text>{{ company_address }}"
                   "</mj-text></mj-column></mj-section>"), "<mj-body>", "no unsubscribe link"),
    ("CK424", page("<mj-text>Hi</mj-text>", footer='<mj-section><mj-column><mj-text><a href="{{ unsubscribe_url }}">'
                   "Unsubscribe</a></mj-text></mj-column></mj-section>"), "<mj-body>", "no postal address"),
    ("CK425", page("<mj-text>" + "Lorem ipsum dolor sit amet. " * 5500 + "</mj-text>"), "<mj-body>",
     "Gmail clips messages over 102 KB"),
    ("CK426", page("<mj-text>" + "Lorem ipsum dolor sit amet. " * 3100 + "</mj-text>"), "<mj-body>",
     "close to Gmail's 102 KB"),
    ("CK433", page('<mj-image src="https://acme.example/a.png" alt="" />', footer=""), "", "plain-text part is empty"),
]


@pytest.mark.parametrize("code, template, at, message", FIRING, ids=[f"{c[0]}-{i}" for i, c in enumerate(FIRING)])
def test_check_fires_at_the_template_line(tmp_path, code, template, at, message):
    found = [d for d in diagnose(tmp_path, template) if d.code == code]
    assert found, f"{code} did not fire"
    assert message in found[0].message
    if code == "CK433":
        assert found[0].position.path == "emails.yaml"
    else:
        assert (found[0].position.path, found[0].position.line) == (TEMPLATE, line_of(template, at))


QUIET = [
    ("CK404", page("<mj-text>{{ first_name | upper }}</mj-text>")),
    ("CK405", page("<mj-text>{% set greeting = 'Hi' %}{% for item in ['a', 'b'] %}{{ greeting }} {{ item }}"
                   "{{ loop.index }}{% endfor %} {{ view_online_url }}</mj-text>")),
    ("CK406", page('<mj-text>{{ job_title | default("friend") }} {{ job_title or "friend" }}'
                   "{% if job_title %}Dear {{ job_title }}{% endif %} {{ first_name }}</mj-text>")),
    ("CK410", page('<mj-text>Hi<br>there <img src="https://acme.example/a.png" alt=""> &amp; you</mj-text>')),
    ("CK411", page("<mj-text>Hi</mj-text>")),
    ("CK412", page('<mj-text color="#333" css-class="intro" mj-class="big">Hi</mj-text>')),
    ("CK413", page("<mj-raw><!-- kept --></mj-raw><mj-text>Hi</mj-text>")),
    ("CK420", page('<mj-image src="https://acme.example/a.png" alt="" />')),
    ("CK421", page('<mj-text><a href="mailto:hi@acme.example">Mail</a> <a href="tel:+8131234">Call</a></mj-text>')),
    ("CK422", page('<mj-button href="https://acme.example/signup">Go</mj-button>')),
    ("CK425", page("<mj-text>Short</mj-text>")),
    ("CK426", page("<mj-text>Short</mj-text>")),
]


@pytest.mark.parametrize("code, template", QUIET, ids=[c[0] for c in QUIET])
def test_check_stays_quiet_on_correct_templates(tmp_path, code, template):
    assert [d for d in diagnose(tmp_path, template) if d.code == code] == []


def test_missing_template_is_reported_at_the_email(tmp_path):
    found = diagnose(tmp_path, page("<mj-text>x</mj-text>"), email=EMAIL.replace("mail.mjml", "mial.mjml"))
    assert [(d.code, d.position.path, d.position.line) for d in found] == [("CK401", "emails.yaml", 6)]
    assert "does not exist" in found[0].message and found[0].suggestion == TEMPLATE


@pytest.mark.parametrize("include, reason", [
    ("../../etc/passwd", "leaves the workspace"),
    ("/etc/passwd", "absolute path"),
])
def test_includes_outside_the_workspace_are_refused_at_their_line(tmp_path, include, reason):
    template = page(f'<mj-text>Hi</mj-text>\n{{% include "{include}" %}}')
    found = diagnose(tmp_path, template)
    assert [(d.code, d.position.line) for d in found] == [("CK402", line_of(template, "include"))]
    assert reason in found[0].message


def test_mj_include_goes_through_the_same_workspace_rules(tmp_path):
    template = page('<mj-text>Hi</mj-text>\n<mj-include path="../secret.mjml" />')
    found = diagnose(tmp_path, template)
    assert [(d.code, d.position.line) for d in found] == [("CK402", line_of(template, "mj-include"))]


def test_problems_in_partials_point_into_the_partial(tmp_path):
    partial = "<mj-section>\n  <mj-column>\n    <mj-text>{{ frist_name }}</mj-text>\n  </mj-colum>\n</mj-section>\n"
    template = page("<mj-text>Hi</mj-text>").replace("</mj-section>\n", '</mj-section>\n{% include "p/x.mjml" %}\n', 1)
    found = diagnose(tmp_path, template, files={"p/x.mjml": partial})
    assert {(d.code, d.position.path, d.position.line) for d in found} == {
        ("CK405", "p/x.mjml", 3), ("CK410", "p/x.mjml", 4)}


def test_structure_is_checked_through_includes(tmp_path):
    template = '<mjml>\n<mj-body>\n{% include "p/text.mjml" %}\n' + FOOTER + "\n</mj-body>\n</mjml>\n"
    found = diagnose(tmp_path, template, files={"p/text.mjml": "<mj-text>Direct in the body</mj-text>\n"})
    assert [(d.code, d.position.path, d.position.line) for d in found] == [("CK413", "p/text.mjml", 1)]


def test_names_set_by_the_including_template_are_not_merge_fields_in_the_partial(tmp_path):
    template = page("{% set cta = 'Read more' %}{% include \"p/cta.mjml\" %}")
    found = diagnose(tmp_path, template, files={"p/cta.mjml": "<mj-text>{{ cta }}</mj-text>"})
    assert found == []


def test_a_template_that_includes_itself_is_refused(tmp_path):
    template = page('<mj-text>Hi</mj-text>\n{% include "templates/mail.mjml" %}')
    found = diagnose(tmp_path, template)
    assert [(d.code, d.position.line) for d in found] == [("CK407", line_of(template, "include"))]


def test_operational_emails_need_no_unsubscribe_link_or_address(tmp_path):
    template = page("<mj-text>Your receipt</mj-text>", footer="")
    assert {d.code for d in diagnose(tmp_path, template)} == {"CK423", "CK424"}
    assert diagnose(tmp_path, template, email=EMAIL + "operational: true\n") == []


def test_a_missing_address_var_says_to_declare_it(tmp_path):
    root = write_workspace(tmp_path / "ws", {"fields.yaml": EXTRA_FIELDS, "emails.yaml": EMAIL,
                                             TEMPLATE: page("<mj-text>Hi</mj-text>", footer=""),
                                             "campaignkit.yaml": "workspace: acme\nenvironments: {sandbox: {}}\n"})
    workspace, _ = load_workspace(root)
    found = check_email(EmailContext.of(workspace), workspace.get("email.2026-email-test-email"))
    assert any(d.code == "CK424" and "declare vars.company_address" in d.message for d in found)


@pytest.mark.parametrize("change, code, key", [
    ('subject: "Welcome, {{ first_name }}"', "CK430", "subject"),
    ("preheader: Your ticket and what comes next", "CK432", "preheader"),
])
def test_missing_inbox_text_is_reported_at_the_email(tmp_path, change, code, key):
    found = diagnose(tmp_path, page("<mj-text>Hi</mj-text>"), email=EMAIL.replace(change, f"{key}: ''"))
    assert [(d.code, d.position.path, d.position.line) for d in found] == [(code, "emails.yaml", line_of(EMAIL, key))]
    assert found[0].is_error is (code == "CK430")


def test_long_subject_is_measured_as_rendered(tmp_path):
    subject = "x" * 94 + " {{ first_name }}"  # 100 characters with the sample's first_name, "there"
    found = diagnose(tmp_path, page("<mj-text>Hi</mj-text>"), email=EMAIL.replace(
        '"Welcome, {{ first_name }}"', f'"{subject}"'))
    assert [(d.code, d.position.line) for d in found] == [("CK431", 3)]
    assert "is 100 characters" in found[0].message


def test_subject_merge_fields_are_checked(tmp_path):
    found = diagnose(tmp_path, page("<mj-text>Hi</mj-text>"), email=EMAIL.replace("first_name }}", "frist_name }}"))
    assert [(d.code, d.position.path, d.position.line) for d in found] == [("CK405", "emails.yaml", 3)]


def test_every_email_check_is_documented_in_four_parts():
    docs = email_check_docs()
    assert sorted(docs) == sorted(EMAIL_CHECKS) and all(code.startswith("CK4") for code in docs)
    for code, doc in docs.items():
        for part in ("What it does:", "Why is this bad?", "Example:", "Use instead:"):
            assert part in doc, f"{code} lacks '{part}'"


@pytest.mark.parametrize("template, files, code", [
    (page("<mj-text>" + "<div>" * 5000 + "deep" + "</div>" * 5000 + "</mj-text>"), {}, "CK414"),
    (page("<mj-text>" + "{% if first_name %}" * 3000 + "x" + "{% endif %}" * 3000 + "</mj-text>"), {}, "CK403"),
    (page('<mj-text>x</mj-text>\n{% include "p/0.mjml" %}'),
     {f"p/{i}.mjml": f'{{% include "p/{i + 1}.mjml" %}}' for i in range(40)}, "CK407"),
    (page("<mj-text>\ufffd</mj-text>") + "<" * 1000 + "{{" * 100, {}, "CK403"),
    (page("<mj-text>\x00\ufffd</mj-text>") + "<" * 1000 + "{{" * 100, {}, "CK401"),
])
def test_hostile_templates_give_diagnostics_not_crashes(tmp_path, template, files, code):
    assert code in {d.code for d in diagnose(tmp_path, template, files=files)}


def test_a_template_that_is_not_utf8_is_reported(tmp_path):
    root = write_workspace(tmp_path / "ws", {"fields.yaml": EXTRA_FIELDS, "emails.yaml": EMAIL,
                                             TEMPLATE: "<mjml>caf\xe9</mjml>".encode("latin-1")})
    workspace, _ = load_workspace(root)
    found = check_email(EmailContext.of(workspace), workspace.get("email.2026-email-test-email"))
    assert [(d.code, d.position.path) for d in found] == [("CK401", "emails.yaml")]
    assert "not UTF-8" in found[0].message


def test_a_template_with_a_nul_byte_is_reported_with_where_it_is(tmp_path):
    template = page("<mj-text>Hi\n  there\x00</mj-text>")
    root = write_workspace(tmp_path / "ws", {"fields.yaml": EXTRA_FIELDS, "emails.yaml": EMAIL, TEMPLATE: template})
    workspace, _ = load_workspace(root)
    found = check_email(EmailContext.of(workspace), workspace.get("email.2026-email-test-email"))
    assert [(d.code, d.position.path) for d in found] == [("CK401", "emails.yaml")]
    line = template[:template.index("\x00")].count("\n") + 1
    assert f"contains a NUL byte (line {line}, column 8)" in found[0].message


def many_emails(tmp_path: Path, count: int) -> Path:
    """A generated workspace of ``count`` emails on templates of their own, every seventh with an image
    that has no alt text (CK420)."""
    root = generate(tmp_path / "ws", count, {"email": 1.0})
    for n in range(0, count, 7):
        template = root / "templates" / f"email-{n}.mjml"
        template.write_text(template.read_text().replace("<mj-button", '<mj-image src="https://acme.example/a.png" />'
                                                                       "\n      <mj-button"))
    return root


def test_many_emails_are_checked_on_worker_processes_with_the_same_results(tmp_path, monkeypatch):
    """Enough emails to start the worker processes: results in order, as one process finds them."""
    count = 60
    workspace, _ = load_workspace(many_emails(tmp_path, count))
    checked = workspace.of_kind("email")
    monkeypatch.setattr(workers, "usable_cores", lambda: 2)
    checked_here = []  # emails checked in this process (a worker notes them in its own copy)
    check = checking.check_email
    monkeypatch.setattr(checking, "check_email", lambda *args: checked_here.append(args[1].address) or check(*args))
    on_workers = check_emails(workspace, checked, merge_language).result()
    assert checked_here == []
    in_one = [check(EmailContext.of(workspace), email) for email in checked]
    assert on_workers == in_one
    assert [n for n, found in enumerate(on_workers) if [d.code for d in found] == ["CK420"]] == list(range(0, count, 7))
    assert all(found == [] for n, found in enumerate(on_workers) if n % 7)


def test_validate_on_worker_processes_prints_only_its_report(tmp_path):
    """The workers are stopped when their work is done; they die of it quietly, cold run or warm."""
    root = many_emails(tmp_path, 120)
    for _ in range(3):
        result = subprocess.run([sys.executable, "-m", "campaignkit", "validate"], cwd=root, capture_output=True,
                                text=True, timeout=120)
        assert result.returncode == 1 and "CK420" in result.stdout
        assert result.stderr == ""


@pytest.mark.parametrize("text, codes", [
    ("Hi {{ first_name }}.\nUnsubscribe: {{ unsubscribe_url }}\n{{ company_address }}\n", []),
    ("Hi {{ first_name }}.\n{{ company_address }}\n", ["CK423"]),
    ("Hi {{ first_name }}.\nUnsubscribe: {{ unsubscribe_url }}\n", ["CK424"]),
])
def test_a_text_part_of_its_own_needs_the_unsubscribe_link_and_the_address_too(tmp_path, text, codes):
    email = EMAIL.replace("text: auto", "text: templates/mail.txt")
    found = diagnose(tmp_path, page("<mj-text>Hello</mj-text>"), email, files={"templates/mail.txt": text})
    assert [d.code for d in found] == codes
    assert all(d.position.path == "emails.yaml" and "the text part has no" in d.message for d in found)


def test_a_jinja_expression_never_closed_is_one_problem_at_its_column(tmp_path):
    template = page("<mj-text>Hello {{ first_name }}</mj-text>\n<mj-text>From {{ company }</mj-text>")
    found = diagnose(tmp_path, template)
    assert [d.code for d in found] == ["CK403"]  # not also every element after it "never closed"
    line = template.splitlines().index("<mj-text>From {{ company }</mj-text>") + 1
    assert (found[0].position.line, found[0].position.column) == (line, len("<mj-text>From ") + 1)
