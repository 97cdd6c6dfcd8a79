"""The email checks by code: each a small function from an email's facts to its diagnostics.

Codes CK401 to CK499 belong to emails. Each check carries its documentation in
its docstring (what it does, why it matters, an example, what to write
instead); ``email_check_docs`` hands them to ``campaignkit explain``. The
checks themselves live in the ``rules_*`` modules, grouped by what they look at.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from campaignkit.diagnostics import Diagnostic

if TYPE_CHECKING:
    from campaignkit.emails.rules.analysis import EmailFacts

EmailCheck = Callable[["EmailFacts"], Iterable[Diagnostic]]

#: Every email check by its code.
EMAIL_CHECKS: dict[str, EmailCheck] = {}


def email_check(code: str) -> Callable[[EmailCheck], EmailCheck]:
    """Registers an email check under ``code`` (CK4xx)."""

    def register(function: EmailCheck) -> EmailCheck:
        if code in EMAIL_CHECKS:
            raise ValueError(f"email check code {code} registered twice")
        EMAIL_CHECKS[code] = function
        return function

    return register


def email_check_docs() -> dict[str, str]:
    """The documentation of every email check, by code."""
    return {code: inspect.getdoc(function) or "" for code, function in sorted(EMAIL_CHECKS.items())}
