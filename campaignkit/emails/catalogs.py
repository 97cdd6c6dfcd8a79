"""Message catalogs: the gettext ``.po`` file an email's version takes its text from.

An email that names a ``catalog`` is rendered, in each of its locales, with that locale's
catalog (``workspace.locales.catalog_file``) behind ``{% trans %}`` and ``_()``: the render's
values carry ``gettext`` and its kin, which Jinja's i18n extension looks up when the template
runs, so one compiled template serves every locale. Catalogs are read through the template
files' reader (the one that hashes what an email reads) and parsed with Babel once per
context. A message without a translation, or marked fuzzy, says the template's own text.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from io import BytesIO, StringIO
from typing import TYPE_CHECKING, Any

from campaignkit.emails.context import EmailContext
from campaignkit.workspace.locales import catalog_file, locale_of
from campaignkit.workspace.model import Resource
from campaignkit.workspace.template_paths import TemplateMissing, TemplatePathError

if TYPE_CHECKING:
    from babel.messages.catalog import Catalog

#: The callables Jinja's i18n extension looks up when a template runs.
GETTEXT_NAMES = ("gettext", "ngettext", "pgettext", "npgettext")


@dataclass(frozen=True)
class MessageCatalog:
    """One locale's catalog: its messages (None when the file is not there) or why it cannot be read."""

    path: str
    catalog: Catalog | None = None
    problem: str | None = None
    problem_line: int = 1

    def translated(self, message: str | tuple[str | None, ...]) -> bool:
        """Whether the catalog gives ``message`` (a msgid, or singular and plural) a translation in use."""
        if self.catalog is None:
            return False
        singular = message if isinstance(message, str) else message[0]
        found = self.catalog.get(singular) if singular else None
        if found is None or found.fuzzy:
            return False
        strings = found.string if isinstance(found.string, tuple) else (found.string,)
        return bool(strings) and all(strings)

    def gettext_values(self) -> dict[str, Any]:
        """``gettext`` and its kin for a render, as Babel's translations compiled from the catalog give them."""
        from babel.messages.mofile import write_mo
        from babel.support import Translations

        compiled = BytesIO()
        if self.catalog is not None:
            write_mo(compiled, self.catalog)
        compiled.seek(0)
        translations = Translations(compiled) if self.catalog is not None else Translations()
        return {name: getattr(translations, name) for name in GETTEXT_NAMES}


def catalog_of(context: EmailContext, email: Resource) -> MessageCatalog | None:
    """The catalog of ``email``'s locale, read and parsed once per context; None if it names no catalog."""
    path = catalog_file(email)
    if path is None:
        return None
    return context.derived("catalog", path, lambda: _read(context, path, locale_of(email)))


def _read(context: EmailContext, path: str, locale: str) -> MessageCatalog:
    from babel.messages.pofile import PoFileError, read_po

    text = context.files.source(path)
    if isinstance(text, TemplateMissing):
        return MessageCatalog(path)
    if isinstance(text, TemplatePathError):
        return MessageCatalog(path, problem=str(text))
    try:
        return MessageCatalog(path, read_po(StringIO(text), abort_invalid=True))
    except PoFileError as exc:
        reason = str(exc).rsplit(" on ", 1)[0].lower()  # Babel ends its message with the line's index
        return MessageCatalog(path, problem=f"not a gettext catalog: {reason}: {exc.line.strip()!r}",
                              problem_line=exc.lineno + 1)
    except ValueError as exc:  # a header Babel cannot make sense of (a plural form, a charset)
        return MessageCatalog(path, problem=f"not a gettext catalog: {exc}")


def messages(source: str, environment: Any) -> Iterator[tuple[int, str | tuple[str | None, ...]]]:
    """The messages a template's source asks a catalog for (``{% trans %}``, ``_()``, ``gettext()``...),
    each with its line; none when the source does not parse (its syntax error is reported elsewhere)."""
    from jinja2 import TemplateSyntaxError

    try:
        for line, _function, message in environment.extract_translations(source):
            yield line, message
    except TemplateSyntaxError:
        return
