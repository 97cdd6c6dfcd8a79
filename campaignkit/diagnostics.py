"""Diagnostics: every problem campaignkit finds in a workspace, as a value.

Checks return lists of ``Diagnostic`` instead of raising, so that one run of
``validate`` shows every problem at once, each with its code, severity, source
position and, where a name was misspelt, the closest valid one. Printing them
is the job of ``report``; nothing here writes to the terminal. What a diagnostic
must never show is said here too: the value of a setting named like a secret
and the password of a URL, even where they are refused.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import Enum
from itertools import groupby

#: The most diagnostics reported for one file: one broken partial can make thousands (one for each
#: unclosed tag), which would bury every other problem and take long to print.
MAX_PER_FILE = 100

#: What the names of settings that hold secrets have in them (``access_token``, ``client_secret``, ``api_key``),
#: in lower case; each has one of ``_SECRET_WORDS``, which are quicker to look for in a long text.
_SECRET_NAME = re.compile(r"token|secret|passw(?:or)?d|passphrase|credential|(?:api|access|private|signing)_?key")
_SECRET_WORDS = ("token", "secret", "pass", "credential", "key")
_URL_PASSWORD = re.compile(r"(?<=://)(?P<user>[^/\s:@]*):(?P<password>[^@\s/]+)@")


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, order=True)
class Position:
    """A place in a source file. ``line`` and ``column`` are 1-based."""

    path: str
    line: int = 1
    column: int = 1

    def __str__(self) -> str:
        """``path:line:column``, as compilers write a place and editors jump to it."""
        return f"{self.path}:{self.line}:{self.column}"


@dataclass(frozen=True)
class Diagnostic:
    """One problem: a stable ``code`` (``CK`` + number), what is wrong and where."""

    code: str
    severity: Severity
    message: str
    position: Position
    suggestion: str | None = None
    detail: str = ""
    end: Position | None = None
    related: tuple[Position, ...] = field(default_factory=tuple)
    #: For a CK010: how many errors and warnings it stands for (``bounded``); None for any other.
    hidden: tuple[int, int] | None = None

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def sort_key(self) -> tuple:
        return (self.position.path, self.position.line, self.position.column, self.code)


def error(code: str, message: str, position: Position, **extra) -> Diagnostic:
    return Diagnostic(code, Severity.ERROR, message, position, **extra)


def warning(code: str, message: str, position: Position, **extra) -> Diagnostic:
    return Diagnostic(code, Severity.WARNING, message, position, **extra)


def closest(name: str, candidates: Iterable[str], cutoff: float = 0.6) -> str | None:
    """The candidate most like ``name``, if any is close enough (``cutoff``) to be a typo."""
    matches = difflib.get_close_matches(name, list(candidates), n=1, cutoff=cutoff)
    return matches[0] if matches else None


def did_you_mean(suggestion: str | None) -> str:
    """The " (did you mean 'x'?)" tail of a message, or nothing."""
    return f" (did you mean '{suggestion}'?)" if suggestion else ""


def bounded(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    """``diagnostics``, in file order (``sort_key``), with at most ``MAX_PER_FILE`` for each file; in
    place of the rest of a file's, one CK010 that counts them.

    Bounded again, a list keeps its counts: a CK010 already in it (an email's, whose checks were
    bounded on their own) counts with the rest. Emails that include one partial each count the same
    problems of it, so the largest of their counts is taken, not their sum.
    """
    kept: list[Diagnostic] = []
    for _, group in groupby(diagnostics, key=lambda d: d.position.path):
        found = list(group)
        shown = [d for d in found if d.hidden is None]
        counted = [d for d in found if d.hidden is not None]
        kept.extend(shown[:MAX_PER_FILE])
        overflow = shown[MAX_PER_FILE:]
        errors, warnings = max((d.hidden for d in counted if d.hidden), key=sum, default=(0, 0))
        errors += sum(d.is_error for d in overflow)
        warnings += sum(not d.is_error for d in overflow)
        if errors or warnings:
            first = min([d.position for d in counted] + [d.position for d in overflow[:1]])
            kept.append(_more(errors, warnings, first))
    return kept


def _more(errors: int, warnings: int, first: Position) -> Diagnostic:
    """The CK010 that stands for problems not shown, at the first of them: an error if any of them is one."""
    return Diagnostic("CK010", Severity.ERROR if errors else Severity.WARNING,
                      f"{errors + warnings:,} more problems in this file are not shown ({errors:,} errors, "
                      f"{warnings:,} warnings): fix the ones above and validate again",
                      first, hidden=(errors, warnings))


def secret_name(name: object) -> bool:
    """Whether ``name`` is (or, in a longer text, has) the name of a setting that holds a secret,
    whose value is never to be shown."""
    if not isinstance(name, str):
        return False
    lowered = name.lower()
    return any(word in lowered for word in _SECRET_WORDS) and _SECRET_NAME.search(lowered) is not None


def without_passwords(text: str) -> str:
    """``text`` with the password of every URL in it (``scheme://user:PASSWORD@host``) starred out."""
    if "://" not in text:
        return text
    return _URL_PASSWORD.sub(lambda found: f"{found['user']}:{'*' * len(found['password'])}@", text)


def has_errors(diagnostics: Iterable[Diagnostic]) -> bool:
    return any(d.is_error for d in diagnostics)


def to_record(diagnostic: Diagnostic) -> dict:
    """A JSON-ready form of ``diagnostic``, for caches; ``from_record`` reverses it."""
    return {
        "code": diagnostic.code,
        "severity": diagnostic.severity.value,
        "message": diagnostic.message,
        "position": [diagnostic.position.path, diagnostic.position.line, diagnostic.position.column],
        "suggestion": diagnostic.suggestion,
        "detail": diagnostic.detail,
        "end": _place(diagnostic.end) if diagnostic.end else None,
        "related": [_place(position) for position in diagnostic.related],
        "hidden": diagnostic.hidden,
    }


def _place(position: Position) -> list:
    return [position.path, position.line, position.column]


def from_record(record: dict) -> Diagnostic:
    end = record.get("end")
    return Diagnostic(record["code"], Severity(record["severity"]), record["message"],
                      Position(*record["position"]), suggestion=record["suggestion"], detail=record["detail"],
                      end=Position(*end) if end else None,
                      related=tuple(Position(*place) for place in record.get("related") or ()))
