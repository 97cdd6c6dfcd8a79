"""Checks of emails in several languages: every locale says every message in its own language."""

from __future__ import annotations

from collections.abc import Iterator

from campaignkit.checks import Scope, check
from campaignkit.diagnostics import Diagnostic, error, warning
from campaignkit.workspace.documents import key_position_of
from campaignkit.workspace.locales import DEFAULT_LANGUAGE_FIELD, translated_name

#: What a locale must translate when the email has it: its subject, preheader, body and own text part.
_MESSAGES = ("subject", "preheader", "template", "text")


@check("CK434")
def message_missing_in_a_locale(scope: Scope) -> Iterator[Diagnostic]:
    """A locale of an email leaves a message in the email's own language.

    What it does: for each locale under an email's `locales`, checks that it gives its own
    `subject`, `template`, and `preheader` and `text` part where the email has them (a
    `text: auto` part follows the template). An email that names a `catalog` takes them from
    the locale's catalog instead (CK437).
    Why is this bad? What a locale leaves out is the email's: a Japanese reader would get the
    English subject or body.
    Example: `locales: {ja: {subject: ようこそ}}` with the body still `templates/welcome.mjml`.
    Use instead: `locales: {ja: {subject: ようこそ, template: templates/welcome.ja.mjml}}`.
    """
    for email in scope.of_kind("email"):
        if email.data.get("catalog"):
            continue  # its locales take their text from the catalog: CK437 checks that
        for locale, translated in (email.data.get("locales") or {}).items():
            for key in _MESSAGES:
                if _needs(email.data.get(key), key) and key not in translated:
                    yield warning("CK434", f"{email.address}: locale {locale} has no {key} of its own, so its "
                                  f"readers get the email's; add {key}: ... under locales.{locale}",
                                  key_position_of(email.data, ("locales", locale), email.position))


def _needs(value: object, key: str) -> bool:
    """Whether an email's ``key`` is a message a locale must translate (``text: auto`` is not)."""
    return value is not None and not (key == "text" and value == "auto")


@check("CK435")
def language_field_declared(scope: Scope) -> Iterator[Diagnostic]:
    """An email with locales picks the language from a field that is not declared.

    What it does: checks that the email's `language_field` (default `language`) is a declared
    field when the email has `locales`.
    Why is this bad? Without the field no prospect has a language, and every prospect gets the
    email's own locale.
    Example: `locales: {ja: ...}` in a workspace with no `language` field.
    Use instead: declare `kind: field`, `name: language`, `type: enum`, `values: [en, ja]`, or name
    the field that holds it with `language_field: preferred_language`.
    """
    fields = {f.name for f in scope.workspace.of_kind("field")}
    for email in scope.of_kind("email"):
        name = email.data.get("language_field", DEFAULT_LANGUAGE_FIELD)
        if email.data.get("locales") and name not in fields:
            yield error("CK435", f"{email.address}: its locales are picked by the field {name}, which is not "
                        f"declared; declare field.{name} or set language_field to the field that holds the "
                        "prospect's language", email.position_of("language_field" if "language_field" in
                                                                  email.data else "locales"))


@check("CK436")
def locale_name_free(scope: Scope) -> Iterator[Diagnostic]:
    """A locale of an email has the name of another email.

    What it does: checks that no declared email already has the name a locale's version takes,
    the email's name with the locale as suffix.
    Why is this bad? The two would be one email template on the target; the declared email wins
    and the locale's version is never deployed.
    Example: `locales: {ja: ...}` on `welcome-email` while `welcome-email-ja` is declared too.
    Use instead: remove or rename the other email, or move its content under `locales.ja`.
    """
    for email in scope.of_kind("email"):
        for locale in email.data.get("locales") or {}:
            name = translated_name(email.name, str(locale))
            taken = scope.workspace.get(f"email.{name}")
            if taken is not None and taken.translates != email.name:
                yield error("CK436", f"{email.address}: locale {locale} is deployed as email.{name}, which is "
                            f"declared at {taken.position_of('name')}; rename one of them",
                            key_position_of(email.data, ("locales", locale), email.position))
