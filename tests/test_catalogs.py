"""Emails that take their text from gettext catalogs, end to end through the command line."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.workspaces import edit, run

EXAMPLE = Path(__file__).resolve().parent.parent / "campaigns"
REMINDER = "2026-event-acme-conf-reminder-email"
JA_SUBJECT = "抽選は金曜日です"
CATALOG = "locales/ja/LC_MESSAGES/messages.po"
PO = f"""\
msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\\n"

msgid "The drawing is on Friday"
msgstr "{JA_SUBJECT}"

#, python-format
msgid "Hi %(name)s, the tablet drawing is on Friday (100%% free)"
msgstr "%(name)s さん、タブレットの抽選は金曜日です（100%% 無料）"

msgid "Get the guide"
msgstr "ガイドを読む"
"""


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """The example workspace with its reminder email in English and Japanese, its text from a catalog."""
    copy = tmp_path / "campaigns"
    shutil.copytree(EXAMPLE, copy, ignore=shutil.ignore_patterns(".campaignkit"))
    edit(copy / "emails.yaml", "subject: The drawing is on Friday (and a guide while you wait)",
         "subject: '{{ _(\"The drawing is on Friday\") }}'")
    edit(copy / "emails.yaml", "template: templates/acme-conf-reminder.mjml\ntext: auto\n",
         "template: templates/acme-conf-reminder.mjml\ntext: auto\ncatalog: messages\nlocales: {ja: {}}\n")
    template = copy / "templates" / "acme-conf-reminder.mjml"
    edit(template, "Hi {{ first_name }}, the tablet drawing is on Friday",
         "{% trans name=first_name %}Hi {{ name }}, the tablet drawing is on Friday (100% free){% endtrans %}")
    edit(template, ">Get the guide<", ">{{ _('Get the guide') }}<")
    (copy / CATALOG).parent.mkdir(parents=True)
    (copy / CATALOG).write_text(PO, encoding="utf-8")
    return copy


def diagnostics(root: Path) -> list[dict]:
    return json.loads(run(root, "validate", "--format", "json")[1])["diagnostics"]


def test_a_catalog_email_validates_and_gettext_is_no_merge_field(root: Path) -> None:
    code, out = run(root, "validate")
    assert code == 0 and "Success!" in out, out
    assert "CK405" not in out and "CK434" not in out


def test_render_locale_takes_the_text_from_the_locales_catalog(root: Path) -> None:
    code, out = run(root, "render", f"email.{REMINDER}", "--locale", "ja")
    assert code == 0, out
    assert out.startswith(f"Subject:   {JA_SUBJECT}\n")
    html = (root / ".campaignkit" / "render" / f"{REMINDER}-ja.html").read_text(encoding="utf-8")
    assert "Molly さん、タブレットの抽選は金曜日です（100% 無料）" in html and "ガイドを読む" in html
    code, out = run(root, "render", f"email.{REMINDER}", "--locale", "en")
    assert code == 0 and out.startswith("Subject:   The drawing is on Friday\n"), out
    html = (root / ".campaignkit" / "render" / f"{REMINDER}.html").read_text(encoding="utf-8")
    assert "Hi Molly, the tablet drawing is on Friday (100% free)" in html


def test_the_prospects_language_picks_the_catalog(root: Path) -> None:
    (root / "prospect.yaml").write_text("first_name: Yuna\ncompany: Contoso\nlanguage: ja\n", encoding="utf-8")
    code, out = run(root, "render", f"email.{REMINDER}", "--prospect", str(root / "prospect.yaml"))
    assert code == 0 and out.startswith(f"Subject:   {JA_SUBJECT}\n"), out


def test_a_message_missing_in_the_catalog_is_a_warning_where_the_template_asks_for_it(root: Path) -> None:
    edit(root / CATALOG, 'msgstr "ガイドを読む"', 'msgstr ""')
    found = [d for d in diagnostics(root) if d["code"] == "CK437"]
    assert [(d["severity"], d["range"]["filename"], d["range"]["start"]["line"]) for d in found] == [
        ("warning", "templates/acme-conf-reminder.mjml", 19)]
    assert "'Get the guide' has no translation in locales/ja/LC_MESSAGES/messages.po" in found[0]["detail"] + \
        found[0]["summary"]


def test_a_locale_without_its_catalog_is_a_warning_at_the_locale(root: Path) -> None:
    (root / CATALOG).unlink()
    found = [d for d in diagnostics(root) if d["code"] == "CK437"]
    assert len(found) == 1 and "has no catalog locales/ja/LC_MESSAGES/messages.po" in found[0]["summary"] + \
        found[0]["detail"]
    assert found[0]["range"]["filename"] == "emails.yaml"


def test_a_catalog_that_does_not_parse_is_an_error(root: Path) -> None:
    edit(root / CATALOG, 'msgid "Get the guide"', 'msgidd "Get the guide"')
    found = [d for d in diagnostics(root) if d["code"] == "CK438"]
    assert [(d["severity"], d["range"]["filename"], d["range"]["start"]["line"]) for d in found] == [
        ("error", CATALOG, 12)]
    code, out = run(root, "render", f"email.{REMINDER}", "--locale", "ja")
    assert (code, out) == (1, f"Error: email.{REMINDER}-ja: {CATALOG}:12:1: not a gettext catalog: unknown or "
                              "misformatted keyword: 'msgidd \"Get the guide\"'\n")


def test_editing_the_catalog_is_seen_by_the_next_validate(root: Path) -> None:
    assert run(root, "validate")[0] == 0
    edit(root / CATALOG, 'msgstr "ガイドを読む"', 'msgstr ""')
    assert [d["code"] for d in diagnostics(root)] == ["CK437"]
    edit(root / CATALOG, 'msgid "Get the guide"\nmsgstr ""', 'msgid "Get the guide"\nmsgstr "ガイド"')
    assert diagnostics(root) == []


def test_the_catalog_checks_are_explained(root: Path) -> None:
    for code, words in (("CK437", "has no translation in a locale's catalog"), ("CK438", "cannot be read")):
        status, out = run(root, "explain", code)
        assert status == 0 and words in out, out
