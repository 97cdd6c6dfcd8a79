"""Email checks: every email renders, merges only declared names and passes the content rules.

The work is done by ``campaignkit.emails``; this module runs it for each
email, on the processes ``validate`` started for them (``email_process``) or on
workers forked here, and caches each email's result under a hash of everything
it depends on (``render.checking.CachedCheck``), because rendering is the most
expensive step of ``validate``.
"""

from __future__ import annotations

from typing import Callable, Iterable, Iterator, Mapping, Sequence

from campaignkit.emails.cache import ResultCache, digest
from campaignkit.checks import Scope, check
from campaignkit.emails.processes import EmailChecker
from campaignkit.diagnostics import Diagnostic, from_record
from campaignkit.workspace.model import Resource, Workspace
from campaignkit.emails.merge import MergeLanguage, MergeModel


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
    results = start_checking(scope.workspace, scope.of_kind("email"), scope.merge_languages, scope.email_checker)

    def collected() -> Iterator[Diagnostic]:
        for found in results():
            yield from found

    return collected()


def checked_emails(workspace: Workspace, emails: Sequence[Resource], merge_languages: Mapping[str, MergeLanguage]
                   ) -> list[list[Diagnostic]]:
    """Each email's CK4xx diagnostics, from the cache where an identical email was checked before.

    ``plan`` asks for the emails it changes after ``validate`` has checked them all, so
    there they come from the cache.
    """
    return start_checking(workspace, emails, merge_languages)()


def start_checking(workspace: Workspace, emails: Sequence[Resource], merge_languages: Mapping[str, MergeLanguage],
                   checker: EmailChecker | None = None) -> Callable[[], list[list[Diagnostic]]]:
    """Starts ``checked_emails`` and returns what waits for its results: on ``checker``'s
    processes when given (see ``email_process``), else on worker processes forked now.

    The workers also work out the cache keys and look them up, so that a warm run's
    hashing of templates runs on every core while ``validate`` runs its other checks.
    """
    if not emails:
        return lambda: []
    cache = ResultCache(workspace.root, "emails")
    merge = MergeModel.of(workspace, merge_languages)
    inputs = digest(workspace.config.vars,
                    [field.attributes | {"name": field.name} for field in workspace.of_kind("field")],
                    sorted(language.name for language in merge.languages))
    if checker is not None:
        fresh = checker.check(merge, inputs, emails)
    else:
        from campaignkit.emails.checking import CachedCheck
        from campaignkit.emails.context import EmailContext
        from campaignkit.emails.parallel import start_emails

        fresh = start_emails(CachedCheck(workspace.template_reads, inputs, cache),
                             EmailContext.of(workspace, merge_languages), emails)

    def collect() -> list[list[Diagnostic]]:
        results = []
        for key, records in fresh():
            cache.put(key, records)
            results.append([from_record(record) for record in records])
        cache.save()
        return results

    return collect
