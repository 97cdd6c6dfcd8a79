"""Which of a workspace's errors stop one email from rendering (``render``), and which leave it alone.

An email renders from its own declaration, its template, the workspace settings and
whatever templates it includes, so an error in any of those stops it; an error in
a list or a program elsewhere does not. Only chooses; checking is ``checks``' work.
"""

from __future__ import annotations

from collections.abc import Iterable

from campaignkit.diagnostics import Diagnostic
from campaignkit.workspace.loading import CONFIG_FILE
from campaignkit.workspace.model import Resource

#: Template files an email may include: an error in any of them may be in what it renders.
_TEMPLATE_FILES = (".mjml", ".html", ".txt")


def render_blockers(diagnostics: Iterable[Diagnostic], email: Resource) -> list[Diagnostic]:
    """The errors among ``diagnostics`` that stop ``email`` from rendering, in their order."""
    own = (email.position.path, str(email.data.get("template", "")), CONFIG_FILE)
    return [d for d in diagnostics
            if d.is_error and (d.position.path in own or d.position.path.endswith(_TEMPLATE_FILES))]
