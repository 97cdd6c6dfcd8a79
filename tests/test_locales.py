"""Emails in several languages, end to end through the command line on the example workspace."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from campaignkit.workspace.loading import load_workspace
from campaignkit.workspace.locales import version_for
from tests.workspaces import edit, run

EXAMPLE = Path(__file__).resolve().parent.parent / "campaigns"
WELCOME = "2026-event-acme-conf-welcome-email"
JA_SUBJECT = "Acme Conference の Acme ブースにお越しいただきありがとうございました"
KO_SUBJECT = "Acme Conference의 Acme 부스를 찾아 주셔서 감사합니다"


@pytest.fixture
def root(tmp_path):
    copy = tmp_path / "campaigns"
    shutil.copytree(EXAMPLE, copy, ignore=shutil.ignore_patterns(".campaignkit"))
    return copy


def line_of(path: Path, text: str) -> int:
    return next(n for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if text in line)


def test_render_shows_every_locale_of_the_welcome_email(root):
    code, out = run(root, "render", WELCOME)
    assert code == 0, out
    assert [line.split()[-1] for line in out.splitlines() if line.startswith("Locale:")] == ["en", "ja", "ko"]
    assert f"Subject:   {JA_SUBJECT}" in out and f"Subject:   {KO_SUBJECT}" in out
    html = (root / ".campaignkit" / "render" / f"{WELCOME}-ja.html").read_text(encoding="utf-8")
    assert "抽選へのご応募を受け付けました" in html and "配信停止" in html


def test_render_locale_renders_that_locale_only(root):
    code, out = run(root, "render", WELCOME, "--locale", "ko")
    assert code == 0, out
    assert out.startswith(f"Subject:   {KO_SUBJECT}\n")
    assert "Locale:" not in out


def test_render_an_unknown_locale_is_one_line_naming_the_emails_locales(root):
    code, out = run(root, "render", WELCOME, "--locale", "fr")
    assert code == 1
    assert out == f"Error: email.{WELCOME} is not in locale fr; its locales are en, ja, ko\n"


@pytest.mark.parametrize(("language", "subject"), [("ja", JA_SUBJECT), ("ko", KO_SUBJECT),
                                                   ("en", "Thanks for visiting us at Acme Conference")])
def test_the_prospects_language_picks_the_version(root, language, subject):
    (root / "prospect.yaml").write_text(f"first_name: Yuna\ncompany: Contoso\nlanguage: {language}\n")
    code, out = run(root, "render", WELCOME, "--prospect", str(root / "prospect.yaml"))
    assert code == 0, out
    assert out.startswith(f"Subject:   {subject}\n")


@pytest.mark.parametrize("language", ["fr", "", None, 3])
def test_a_language_the_email_is_not_in_gets_the_emails_own_version(root, language):
    workspace, _ = load_workspace(root)
    email = workspace.get(f"email.{WELCOME}")
    assert version_for(email, {"language": language}, workspace.resources) is email
    assert version_for(email, {"language": " ja "}, workspace.resources).name == f"{WELCOME}-ja"


def test_a_subject_over_the_limit_in_one_locale_points_at_that_locales_subject(root):
    emails = root / "emails.yaml"
    edit(emails, f"subject: {JA_SUBJECT}", "subject: " + "とても長い件名です" * 12)
    code, out = run(root, "validate")
    assert code == 1
    assert f"emails.yaml:{line_of(emails, 'とても長い件名です')}:14: CK431 error: the subject is 108 characters" in out


def test_a_locale_without_an_unsubscribe_link_is_an_error_in_its_template(root):
    edit(root / "templates" / "acme-conf-welcome.ko.mjml", '{% include "templates/partials/footer.ko.mjml" %}', "")
    code, out = run(root, "validate")
    assert code == 1
    assert "templates/acme-conf-welcome.ko.mjml:6:3: CK423 error: no unsubscribe link" in out


def test_a_message_a_locale_leaves_untranslated_is_a_warning_at_the_locale(root):
    emails = root / "emails.yaml"
    edit(emails, "    template: templates/acme-conf-welcome.ko.mjml\n", "")
    code, out = run(root, "validate")
    assert code == 0, out
    assert (f"emails.yaml:{line_of(emails, '  ko:')}:3: CK434 warning: email.{WELCOME}: locale ko has no template "
            "of its own, so its readers get the email's; add template: ... under locales.ko") in out


def test_locales_picked_by_an_undeclared_field_are_an_error(root):
    edit(root / "emails.yaml", "# Prospects whose", "language_field: preferred_language\n# Prospects whose")
    code, out = run(root, "validate")
    assert code == 1
    assert "CK435 error: email.2026-event-acme-conf-welcome-email: its locales are picked by the field " \
           "preferred_language, which is not declared" in out


def test_the_new_checks_are_explained(root):
    for code in ("CK434", "CK435", "CK436"):
        status, out = run(root, "explain", code)
        assert status == 0 and "Use instead:" in out


def test_plan_and_apply_make_one_email_template_per_locale_and_then_nothing(root):
    code, out = run(root, "plan")
    assert code == 0, out
    for suffix in ("", "-ja", "-ko"):
        assert f"+ email.{WELCOME}{suffix}  (create)" in out
    assert f'+ subject: "{JA_SUBJECT}"' in out
    code, out = run(root, "apply", "--auto-approve")
    assert code == 0, out
    code, out = run(root, "plan", "--detailed-exitcode")
    assert code == 0, out


def test_a_translation_is_named_by_the_convention_with_the_locale_as_suffix_and_not_checked_against_it(root):
    code, out = run(root, "validate")
    assert code == 0, out
    assert "CK301" not in out


def test_the_preview_has_a_page_for_every_locale(root, tmp_path):
    code, out = run(root, "preview", "--out", str(tmp_path / "site"))
    assert code == 0, out
    index = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    for suffix, words in (("", "your drawing entry is in"), ("-ja", "抽選へのご応募を受け付けました"),
                          ("-ko", "경품 추첨 응모가 완료되었습니다")):
        assert f"emails/{WELCOME}{suffix}.html" in index
        assert words in (tmp_path / "site" / "emails" / f"{WELCOME}{suffix}.html").read_text(encoding="utf-8")


def test_a_locale_whose_name_another_email_has_is_an_error(root):
    emails = root / "emails.yaml"
    edit(emails, "name: 2026-event-acme-conf-reminder-email", f"name: {WELCOME}-ko")
    code, out = run(root, "validate")
    assert code == 1
    assert (f"emails.yaml:{line_of(emails, '  ko:')}:3: CK436 error: email.{WELCOME}: locale ko is deployed as "
            f"email.{WELCOME}-ko, which is declared at emails.yaml:{line_of(emails, f'name: {WELCOME}-ko')}:7") in out
