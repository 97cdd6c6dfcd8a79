"""Emails in several languages: each translation an email declares becomes an email of its own.

An email's ``locales`` maps a locale (``ja``, ``ko``, ``pt_BR``) to what differs in that
language: its ``subject``, ``preheader``, ``template`` and ``text``. Each becomes an email
named ``<name>-<locale>`` (``pt_BR`` gives ``-pt-br``), the rest taken from the email, so
that validate, render, plan, apply and the preview treat every language as the email it is
on the target: one template per locale. The email itself is its ``locale`` (default ``en``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from campaignkit.workspace.documents import position_of
from campaignkit.workspace.model import Resource

#: What a translation may change; everything else is the email's.
TRANSLATED_KEYS = ("subject", "preheader", "template", "text")
#: The locale of an email that does not say.
DEFAULT_LOCALE = "en"
#: The prospect field that holds a prospect's language, unless the email names another.
DEFAULT_LANGUAGE_FIELD = "language"


def translations(email: Resource) -> Iterator[Resource]:
    """One email per locale ``email`` declares, named with the locale as suffix."""
    locales = email.data.get("locales")
    if email.kind != "email" or not isinstance(locales, dict):
        return
    shared = {k: v for k, v in email.data.items() if k not in ("locales", "locale", "moved_from")}
    for locale, translated in locales.items():
        if not isinstance(translated, dict):
            continue
        data: dict[str, Any] = shared | {"name": translated_name(email.name, str(locale))}
        data |= {k: v for k, v in translated.items() if k in TRANSLATED_KEYS}
        yield Resource("email", data["name"], data, position_of(email.data, ("locales", locale), email.position),
                       translates=email.name)


def translated_name(name: str, locale: str) -> str:
    """The name of the ``locale`` version of email ``name``: ``welcome-email`` and ``ja`` make ``welcome-email-ja``."""
    return f"{name}-{locale.lower().replace('_', '-')}"


def locale_of(email: Resource) -> str:
    """The locale an email is written in: the suffix of a translation, else its own ``locale``."""
    if email.translates is not None:
        return email.name.removeprefix(email.translates + "-")
    return str(email.data.get("locale") or DEFAULT_LOCALE)


def version_for(email: Resource, prospect: dict[str, Any], resources: dict[str, Resource]) -> Resource:
    """The version of ``email`` a prospect gets: the one in their language, else ``email`` itself."""
    field = str(email.data.get("language_field") or DEFAULT_LANGUAGE_FIELD)
    language = prospect.get(field)
    if not isinstance(language, str) or not language.strip():
        return email
    version = resources.get(f"email.{translated_name(email.name, language.strip())}")
    return version if version is not None and version.translates == email.name else email
