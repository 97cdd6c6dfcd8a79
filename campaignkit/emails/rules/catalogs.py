"""The checks of emails that take their text from message catalogs: every message translated in every locale."""

from __future__ import annotations

from collections.abc import Iterator

from campaignkit.diagnostics import Diagnostic, warning
from campaignkit.emails.rules.analysis import EmailFacts
from campaignkit.emails.rules.registry import email_check
from campaignkit.emails.rules.templates import reported_failure
from campaignkit.workspace.locales import locale_of


@email_check("CK437")
def message_missing_in_a_catalog(facts: EmailFacts) -> Iterator[Diagnostic]:
    """A message an email's templates ask for has no translation in a locale's catalog.

    What it does: for each locale of an email that names a `catalog`, reads
    `locales/<locale>/LC_MESSAGES/<catalog>.po` and checks that every message its templates,
    partials, subject and preheader give to `{% trans %}`, `_()`, `gettext()` or `ngettext()`
    has a translation there that is not empty and not marked fuzzy.
    Why is this bad? A message the catalog does not translate is sent as the template wrote
    it: a Japanese reader gets that sentence in English.
    Example: `{% trans %}See you at the booth{% endtrans %}` with no `msgid "See you at the booth"`
    in `locales/ja/LC_MESSAGES/messages.po`.
    Use instead: add the message with its `msgstr` to the catalog (`pybabel extract` and
    `pybabel update` keep catalogs in step with the templates), or drop the locale.
    """
    catalog = facts.catalog
    if catalog is None or catalog.problem is not None:
        return
    locale = locale_of(facts.email)
    if catalog.catalog is None:
        yield warning("CK437", f"{facts.email.address}: locale {locale} has no catalog {catalog.path}, so its "
                      "readers get every message as the templates write it; write the catalog or drop the locale",
                      facts.email.position)
        return
    for message, where in facts.untranslated:
        yield warning("CK437", f"{message!r} has no translation in {catalog.path}: locale {locale} gets it as "
                      "written; add its msgstr to the catalog", where)


@email_check("CK438")
def catalog_readable(facts: EmailFacts) -> Iterator[Diagnostic]:
    """A locale's message catalog cannot be read.

    What it does: reports a `locales/<locale>/LC_MESSAGES/<catalog>.po` that is not a gettext
    catalog Babel can parse (a broken quote, a `msgstr` without its `msgid`), or not UTF-8 text.
    Why is this bad? The email cannot be rendered in that locale.
    Example: `msgid "Welcome` with its closing quote missing.
    Use instead: fix the line the message names; `msgfmt --check` or `pybabel compile` tell
    the same.
    """
    yield from reported_failure(facts, "CK438")
