"""Which template files each email reads, found by following the names templates give, without compiling.

Cached check results, cached email bodies and saved plans depend on exactly
these files, and on the message catalog an email takes its text from. Keyed on
them, editing one email's template re-checks and re-renders that email alone,
and a file no email reads (a plan saved as ``plan.txt``, the output of
``render`` or ``preview``) changes nothing. The
names are found with a regular expression, not by compiling each template:
a name it cannot see (an include that is not a quoted string) is an error
of the email's own, whatever the files say.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from pathlib import Path

from campaignkit.workspace.locales import catalog_file
from campaignkit.workspace.model import Resource
from campaignkit.workspace.template_paths import TemplatePathError, normalise, read_template

#: How templates name other templates: Jinja's include, import and from, and MJML's mj-include,
#: each with the text it starts with.
_NAMING = (
    ("{%", re.compile(r"""\{%[-+]?\s*(?:include|import|from)\s+(["'])(?P<name>.+?)\1""")),
    ("<mj-include", re.compile(r"""<mj-include\b[^>]*?\bpath\s*=\s*(["'])(?P<name>.+?)\1""")),
)
#: The digest of a template that cannot be read.
UNREADABLE = ""
#: The digest of a message catalog that is not there: the email's text is its templates' own.
NO_CATALOG = "-"


class TemplateReads:
    """The templates the emails of one workspace read, each read and hashed once.

    Rendering reads its templates here too (``TemplateFiles.source``), so that a file is
    read once per command and what is rendered is what was hashed.
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self._texts: dict[str, str | TemplatePathError] = {}
        self._files: dict[str, tuple[str, tuple[str, ...]]] = {}  # name -> (digest, names it reads)

    def text(self, name: str) -> str | TemplatePathError:
        """The text of the template file ``name``, or why it cannot be read."""
        key = normalise(name)
        if key not in self._texts:
            try:
                self._texts[key] = read_template(self.root, name)
            except TemplatePathError as problem:
                self._texts[key] = problem
        return self._texts[key]

    def of(self, email: Resource) -> dict[str, str]:
        """Every template ``email`` reads, by normalised name, with the SHA-256 of its text.

        A file that cannot be read (missing, outside the workspace, not text) has the
        digest ``UNREADABLE``.
        """
        pending = [value for key in ("template", "text")
                   if isinstance(value := email.data.get(key), str) and value != "auto"]
        found: dict[str, str] = {}
        while pending:
            name = normalise(pending.pop())
            if name not in found:
                found[name], named = self.file(name)
                pending.extend(named)
        catalog = catalog_file(email)
        if catalog is not None:
            found[catalog] = self.file(catalog)[0] or NO_CATALOG
        return found

    def file(self, name: str) -> tuple[str, tuple[str, ...]]:
        """The SHA-256 of the normalised ``name``'s text (``UNREADABLE`` if none) and the names it gives others."""
        if name not in self._files:
            text = self.text(name)
            self._files[name] = ((UNREADABLE, ()) if isinstance(text, TemplatePathError)
                                 else (hashlib.sha256(text.encode()).hexdigest(), tuple(_named(text))))
        return self._files[name]


def _named(text: str) -> Iterator[str]:
    """The names ``text`` gives other templates.

    Matched only where a tag opens: a regular expression tried at every character
    takes ten times as long, and every email's templates are read on every run.
    """
    for opening, pattern in _NAMING:
        at = text.find(opening)
        while at != -1:
            match = pattern.match(text, at)
            if match:
                yield match.group("name")
            at = text.find(opening, at + 1)
