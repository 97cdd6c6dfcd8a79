"""Checking emails: every CK4xx diagnostic of one email, of many on every core, and cached.

Importing this module registers the checks (``rules_*``).
"""

from __future__ import annotations

from typing import Any

from campaignkit.diagnostics import Diagnostic, bounded, to_record
from campaignkit.emails.cache import ResultCache, digest
from campaignkit.emails.context import EmailContext
from campaignkit.emails.rules import catalogs, content, mjml  # noqa: F401 - they register the checks
from campaignkit.emails.rules import templates as template_rules  # noqa: F401 - it registers the checks too
from campaignkit.emails.rules.analysis import facts_of_email
from campaignkit.emails.rules.registry import EMAIL_CHECKS, email_check_docs
from campaignkit.workspace.model import Resource
from campaignkit.workspace.template_reads import UNREADABLE, TemplateReads


def check_email(context: EmailContext, email: Resource) -> list[Diagnostic]:
    """Every problem of ``email``: its templates, merge names, MJML, content and rendering."""
    facts = facts_of_email(context, email)
    diagnostics = [d for check in EMAIL_CHECKS.values() for d in check(facts)]
    # At most MAX_PER_FILE for each file, and a count of the rest: a broken partial that many emails include
    # would otherwise be cached, sent between processes and sorted once per email, thousands of problems each.
    return bounded(sorted(dict.fromkeys(diagnostics), key=Diagnostic.sort_key))


def sample_prospect(context: EmailContext) -> dict[str, Any]:
    """The prospect ``render_email`` uses when given none: field examples, else defaults."""
    return context.merge.sample_prospect()


class CachedCheck:
    """``check_email`` as records, from ``cache`` where it holds the email's key; returns (key, records).

    ``inputs`` is the hash of what every email's checks read: the workspace's fields and vars,
    and the merge languages its emails are sent in.
    """

    def __init__(self, reads: TemplateReads, inputs: str, cache: ResultCache) -> None:
        self.reads = reads
        self.inputs = inputs
        self.cache = cache

    def __call__(self, context: EmailContext, email: Resource) -> tuple[str, list]:
        key = self.key(context, email)
        records = self.cache.get(key)
        if records is None:
            records = [to_record(d) for d in check_email(context, email)]
        return key, records

    def key(self, context: EmailContext, email: Resource) -> str:
        """A hash of everything the email's checks read.

        That is its own templates, not all of them, so that editing one template re-checks
        only the emails that read it. An email that reads a file that cannot be read is
        told the closest existing name, so its key names every template file there is.
        """
        templates = self.reads.of(email)
        others = context.files.template_files() if UNREADABLE in templates.values() else None
        # Positions are part of the result, so where the document's keys stand is part of the key.
        return digest(self.inputs, email.address, email.attributes, email.position,
                      getattr(email.data, "marks", None), templates, others)


__all__ = ["EMAIL_CHECKS", "CachedCheck", "check_email", "email_check_docs", "sample_prospect"]
