"""Email checks: every email renders, merges only declared names and passes the content rules.

The work is done by ``campaignkit.render``; this module runs it for each
email, makes its codes (CK4xx) known to ``explain``, and caches each email's
result under a hash of everything it depends on, because rendering is the
most expensive step of ``validate``.
"""

from __future__ import annotations

from typing import Iterator, Sequence

from campaignkit.cache import ResultCache, digest
from campaignkit.checks import DOCUMENTED, Scope, check
from campaignkit.diagnostics import Diagnostic, from_record, to_record
from campaignkit.model import Resource, Workspace
from campaignkit.render import EmailContext, check_emails, email_check_docs

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
    for found in checked_emails(scope.workspace, scope.of_kind("email")):
        yield from found


def checked_emails(workspace: Workspace, emails: Sequence[Resource]) -> list[list[Diagnostic]]:
    """Each email's CK4xx diagnostics, from the cache where an identical email was checked before.

    ``plan`` asks for the emails it changes after ``validate`` has checked them all, so
    there they come from the cache.
    """
    if not emails:
        return []
    inputs = digest(
        workspace.templates_digest,
        workspace.config.vars,
        [field.attributes | {"name": field.name} for field in workspace.of_kind("field")],
    )
    cache = ResultCache(workspace.root, "emails")
    # Positions are part of the result, so where the document's keys stand is part of the key.
    keys = [digest(inputs, email.address, email.attributes, email.position, getattr(email.data, "marks", None))
            for email in emails]
    results = [cache.get(key) for key in keys]
    missing = [index for index, result in enumerate(results) if result is None]
    if missing:
        fresh = check_emails(EmailContext(workspace), [emails[index] for index in missing])
        for index, found in zip(missing, fresh):
            results[index] = [to_record(d) for d in found]
            cache.put(keys[index], results[index])
    cache.save()
    return [[from_record(record) for record in records] for records in results]
