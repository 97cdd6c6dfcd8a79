"""Emails: MJML templates with Jinja2 merge fields, checked statically and rendered for a prospect.

The public surface for ``validate``, ``render``, ``preview`` and ``plan``:

- ``EmailContext.of(workspace)``: built once per workspace and reused for every email;
- ``check_email(context, email)``: every CK4xx diagnostic of one email;
- ``check_emails(context, emails)``: the same for many, on every core;
- ``render_email(context, email, prospect=None)``: its subject, preheader, HTML and text;
- ``sample_prospect(context)``: the prospect used when none is given;
- ``EMAIL_CHECKS`` and ``email_check_docs()``: the checks by code, for ``explain``.

Nothing here prints or writes files; problems come back as diagnostics or, from
``render_email``, as a ``UserError``.
"""

from __future__ import annotations

from typing import Any, Sequence

from campaignkit.diagnostics import Diagnostic
from campaignkit.model import Resource
from campaignkit.render import rules_content, rules_mjml, rules_templates  # noqa: F401 - they register the checks
from campaignkit.render.analysis import gather
from campaignkit.render.context import EmailContext
from campaignkit.render.merge import BUILTIN_URLS
from campaignkit.render.parallel import map_emails
from campaignkit.render.registry import EMAIL_CHECKS, email_check_docs
from campaignkit.render.rendering import RenderedEmail, render_email


def check_email(context: EmailContext, email: Resource) -> list[Diagnostic]:
    """Every problem of ``email``: its templates, merge names, MJML, content and rendering."""
    facts = gather(context, email)
    diagnostics = [d for check in EMAIL_CHECKS.values() for d in check(facts)]
    return sorted(dict.fromkeys(diagnostics), key=Diagnostic.sort_key)


def check_emails(context: EmailContext, emails: Sequence[Resource], jobs: int | None = None
                 ) -> list[list[Diagnostic]]:
    """``check_email`` for each of ``emails`` (in order), spread over ``jobs`` processes (default: all cores)."""
    return map_emails(check_email, context, emails, jobs)


def sample_prospect(context: EmailContext) -> dict[str, Any]:
    """The prospect ``render_email`` uses when given none: field examples, else defaults."""
    return context.merge.sample_prospect()


__all__ = [
    "BUILTIN_URLS",
    "EMAIL_CHECKS",
    "EmailContext",
    "RenderedEmail",
    "check_email",
    "check_emails",
    "email_check_docs",
    "render_email",
    "sample_prospect",
]
