"""Emails: MJML templates with Jinja2 merge fields, checked statically and rendered for a prospect.

The public surface for ``validate``, ``render``, ``preview`` and ``plan``:

- ``EmailContext.of(workspace)``: built once per workspace and reused for every email;
- ``check_email(context, email)``: every CK4xx diagnostic of one email;
- ``check_emails(workspace, emails, language_of)``: the same for many, on every core and cached (``workers``);
- ``render_bodies(render, context, emails)``: many emails rendered on every core (``workers``);
- ``render_email(context, email, prospect=None)``: its subject, preheader, HTML and text;
- ``sample_prospect(context)``: the prospect used when none is given;
- ``EMAIL_CHECKS`` and ``email_check_docs()``: the checks by code, for ``explain``;
- ``MergeLanguage``: how a platform that sends emails itself merges them, given for each environment by
  its target (``EmailContext.of(workspace, language_of)``), so that this package names no target;
- ``blockers.render_blockers(diagnostics, email)``: the errors that stop one email from rendering.

Nothing here prints or writes files; problems come back as diagnostics or, from
``render_email``, as a ``UserError``. These names are loaded when first used, so
that importing one module of the package (the merge model, the template paths)
does not import Jinja and MJML: ``validate`` checks its emails in processes of
their own, and the command's process never needs them.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

#: Each public name and the module it is defined in.
_DEFINED_IN = {
    "BUILTIN_URLS": "campaignkit.emails.merge",
    "EMAIL_CHECKS": "campaignkit.emails.checking",
    "EmailContext": "campaignkit.emails.context",
    "MergeLanguage": "campaignkit.emails.merge",
    "RenderedEmail": "campaignkit.emails.rendering",
    "check_email": "campaignkit.emails.checking",
    "check_emails": "campaignkit.emails.workers",
    "email_check_docs": "campaignkit.emails.checking",
    "render_bodies": "campaignkit.emails.workers",
    "render_email": "campaignkit.emails.rendering",
    "sample_prospect": "campaignkit.emails.checking",
}
__all__ = sorted(_DEFINED_IN)


def __getattr__(name: str) -> Any:
    if name not in _DEFINED_IN:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(_DEFINED_IN[name]), name)


if TYPE_CHECKING:  # ``name as name``: the package exports it
    from campaignkit.emails.checking import EMAIL_CHECKS as EMAIL_CHECKS
    from campaignkit.emails.checking import check_email as check_email
    from campaignkit.emails.checking import email_check_docs as email_check_docs
    from campaignkit.emails.checking import sample_prospect as sample_prospect
    from campaignkit.emails.context import EmailContext as EmailContext
    from campaignkit.emails.merge import BUILTIN_URLS as BUILTIN_URLS
    from campaignkit.emails.merge import MergeLanguage as MergeLanguage
    from campaignkit.emails.rendering import RenderedEmail as RenderedEmail
    from campaignkit.emails.rendering import render_email as render_email
    from campaignkit.emails.workers import check_emails as check_emails
    from campaignkit.emails.workers import render_bodies as render_bodies
