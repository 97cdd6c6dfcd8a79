"""Email checks: every email renders, merges only declared names and passes the content rules.

The work is done by ``campaignkit.render``; this module runs it for each
email and makes its codes (CK4xx) known to ``explain``.
"""

from __future__ import annotations

from typing import Iterator

from campaignkit.checks import DOCUMENTED, Scope, check
from campaignkit.diagnostics import Diagnostic
from campaignkit.render import EmailContext, check_email, email_check_docs

DOCUMENTED.update(email_check_docs())


@check("CK400")
def emails_render_and_pass_content_checks(scope: Scope) -> Iterator[Diagnostic]:
    """Runs every email check (CK401 and up) on every email.

    What it does: renders each email for a sample prospect made from field examples and
    defaults, and reports each problem under its own code: merge fields, sandbox escapes,
    MJML structure, images, links, compliance, size, inbox text and the text part.
    Why is this bad? Emails are where mistakes are public: "Dear ," from an empty field, a
    broken layout, a missing unsubscribe link.
    Use instead: see `campaignkit explain CK4xx` for each check.
    """
    emails = scope.of_kind("email")
    if not emails:
        return
    context = EmailContext(scope.workspace)
    for email in emails:
        yield from check_email(context, email)
