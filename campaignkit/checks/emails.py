"""Email checks: every email renders, merges only declared names and passes the content rules.

The work is done by ``campaignkit.render``; this module runs it for each
email, makes its codes (CK4xx) known to ``explain``, and caches each email's
result under a hash of everything it depends on, because rendering is the
most expensive step of ``validate``.
"""

from __future__ import annotations

from typing import Callable, Iterable, Iterator, Sequence

from campaignkit.cache import ResultCache, digest
from campaignkit.checks import DOCUMENTED, Scope, check
from campaignkit.diagnostics import Diagnostic, from_record, to_record
from campaignkit.model import Resource, Workspace
from campaignkit.render import EmailContext, check_email, email_check_docs
from campaignkit.render.parallel import start_emails
from campaignkit.render.paths import template_files
from campaignkit.render.reads import UNREADABLE

DOCUMENTED.update(email_check_docs())


@check("CK400", background=True)
def emails_render_and_pass_content_checks(scope: Scope) -> Iterable[Diagnostic]:
    """Runs every email check (CK401 and up) on every email.

    What it does: renders each email for a sample prospect made from field examples and
    defaults, and reports each problem under its own code: merge fields, sandbox escapes,
    MJML structure, images, links, compliance, size, inbox text and the text part.
    Why is this bad? Emails are where mistakes are public: "Dear ," from an empty field, a
    broken layout, a missing unsubscribe link.
    Use instead: see `campaignkit explain CK4xx` for each check.
    """
    results = start_checking(scope.workspace, scope.of_kind("email"))

    def collected() -> Iterator[Diagnostic]:
        for found in results():
            yield from found

    return collected()


def checked_emails(workspace: Workspace, emails: Sequence[Resource]) -> list[list[Diagnostic]]:
    """Each email's CK4xx diagnostics, from the cache where an identical email was checked before.

    ``plan`` asks for the emails it changes after ``validate`` has checked them all, so
    there they come from the cache.
    """
    return start_checking(workspace, emails)()


def start_checking(workspace: Workspace, emails: Sequence[Resource]) -> Callable[[], list[list[Diagnostic]]]:
    """Starts ``checked_emails`` (on the worker processes) and returns what waits for its results.

    On a first run nothing is cached: every email is started at once, and the cache keys
    are worked out while the workers check them.
    """
    if not emails:
        return lambda: []
    cache = ResultCache(workspace.root, "emails")
    keys = None if cache.empty else _keys(workspace, emails)
    results = [None] * len(emails) if keys is None else [cache.get(key) for key in keys]
    missing = [index for index, result in enumerate(results) if result is None]
    fresh = start_emails(check_email, EmailContext(workspace), [emails[index] for index in missing])

    def collect() -> list[list[Diagnostic]]:
        ready = keys or _keys(workspace, emails)
        for index, found in zip(missing, fresh()):
            results[index] = [to_record(d) for d in found]
            cache.put(ready[index], results[index])
        cache.save()
        return [[from_record(record) for record in records] for records in results]

    return collect


def _keys(workspace: Workspace, emails: Sequence[Resource]) -> list[str]:
    """Each email's cache key: a hash of everything its checks read.

    That is its own templates, not all of them, so that editing one template re-checks
    only the emails that read it. An email that reads a file that cannot be read is
    told the closest existing name, so its key names every template file there is.
    """
    inputs = digest(workspace.config.vars,
                    [field.attributes | {"name": field.name} for field in workspace.of_kind("field")])
    reads = workspace.template_reads
    keys = []
    for email in emails:
        templates = reads.of(email)
        others = template_files(workspace.root) if UNREADABLE in templates.values() else None
        # Positions are part of the result, so where the document's keys stand is part of the key.
        keys.append(digest(inputs, email.address, email.attributes, email.position,
                           getattr(email.data, "marks", None), templates, others))
    return keys
