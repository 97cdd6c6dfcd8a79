"""Emails in several languages: each translation an email declares becomes an email of its own.

An email's ``locales`` maps a locale (``ja``, ``ko``, ``pt_BR``) to what differs in that
language: its ``subject``, ``preheader``, ``template`` and ``text``. Each becomes an email
named ``<name>-<locale>`` (``pt_BR`` gives ``-pt-br``), the rest taken from the email, so
that validate, render, plan, apply and the preview treat every language as the email it is
on the target: one template per locale. The email itself is its ``locale`` (default ``en``).
An email that names a ``catalog`` takes its text, in each version, from that locale's gettext
catalog (``catalog_file``) wherever its templates say ``{% trans %}`` or ``_()``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from campaignkit.errors import UserError
from campaignkit.workspace.documents import LocatedDict, position_of
from campaignkit.workspace.model import Resource

#: What a translation may change; everything else is the email's.
TRANSLATED_KEYS = ("subject", "preheader", "template", "text")
#: The locale of an email that does not say.
DEFAULT_LOCALE = "en"
#: The prospect field that holds a prospect's language, unless the email names another.
DEFAULT_LANGUAGE_FIELD = "language"
#: The folder below the workspace root that holds the message catalogs, one folder per locale.
CATALOG_FOLDER = "locales"
#: Keys of an email that its translations do not take over.
_NOT_SHARED = ("locales", "locale", "moved_from")


def translations(email: Resource) -> Iterator[Resource]:
    """One email per locale ``email`` declares, named with the locale as suffix."""
    locales = email.data.get("locales")
    if email.kind != "email" or not email.name or not isinstance(locales, dict):
        return
    for locale, translated in locales.items():
        if isinstance(translated, dict):
            name = translated_name(email.name, str(locale))
            yield Resource("email", name, _translated_data(email.data, str(locale), name),
                           position_of(email.data, ("locales", locale), email.position), translates=email.name)


def _translated_data(data: dict[str, Any], locale: str, name: str) -> dict[str, Any]:
    """The email's data with the translation's keys in place, each still knowing its line in the file."""
    translated = data["locales"][locale]
    keys = [k for k in data if k not in _NOT_SHARED] + [k for k in translated if k in TRANSLATED_KEYS and k not in data]
    sources: dict[str, Any] = {k: translated if k in TRANSLATED_KEYS and k in translated else data for k in keys}
    values = {k: sources[k][k] for k in keys} | {"name": name}
    if not isinstance(data, LocatedDict):
        return values
    merged = LocatedDict(values)
    merged.source, merged.line, merged.column = data.source, data.line, data.column
    locale_key = data["locales"].key_position(locale)
    places = [(locale_key, locale_key) if k == "name" else (sources[k].key_position(k), sources[k].value_position(k))
              for k in keys]
    merged.marks = [n for pair in places for p in pair for n in (p.line, p.column)]
    return merged


def catalog_file(email: Resource) -> str | None:
    """The gettext catalog ``email`` takes its text from in its locale, if it names a ``catalog``:
    ``locales/<locale>/LC_MESSAGES/<catalog>.po``, the layout gettext and Babel use."""
    domain = email.data.get("catalog")
    if email.kind != "email" or not isinstance(domain, str) or not domain:
        return None
    return f"{CATALOG_FOLDER}/{gettext_locale(locale_of(email))}/LC_MESSAGES/{domain}.po"


def gettext_locale(locale: str) -> str:
    """A locale as gettext names its folder: ``pt-br`` and ``pt_BR`` are ``pt_BR``, ``zh-hant`` is ``zh_Hant``."""
    language, *rest = locale.replace("-", "_").split("_")
    return "_".join([language.lower(), *(part.title() if len(part) == 4 else part.upper() for part in rest)])


def translated_name(name: str, locale: str) -> str:
    """The name of the ``locale`` version of email ``name``: ``welcome-email`` and ``ja`` make ``welcome-email-ja``."""
    return f"{name}-{_suffix(locale)}"


def _suffix(locale: str) -> str:
    """A locale as names and comparisons write it: ``pt_BR`` is ``pt-br``."""
    return locale.lower().replace("_", "-")


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


def versions(email: Resource, resources: dict[str, Resource]) -> list[Resource]:
    """The email ``email`` is or translates, then its versions in the other languages it declares."""
    original = resources.get(f"email.{email.translates}", email) if email.translates else email
    return [original] + [r for r in resources.values() if r.translates == original.name]


def in_locale(email: Resource, locale: str, resources: dict[str, Resource]) -> Resource:
    """The version of ``email`` in ``locale``; a ``UserError`` naming the email's locales if it has none."""
    found = [v for v in versions(email, resources) if _suffix(locale_of(v)) == _suffix(locale)]
    if not found:
        known = ", ".join(locale_of(v) for v in versions(email, resources))
        raise UserError(f"{email.address} is not in locale {locale}; its locales are {known}")
    return found[0]


def to_render(email: Resource, resources: dict[str, Resource], locale: str | None,
              prospect: dict[str, Any] | None) -> list[Resource]:
    """The language versions of ``email`` that ``render`` shows: the one asked for, the prospect's, or every one."""
    if locale is not None:
        return [in_locale(email, locale, resources)]
    if email.translates is not None:
        return [email]
    return [version_for(email, prospect, resources)] if prospect is not None else versions(email, resources)
