"""How a prospect's values compare: field tests, numbers and grades, as lists, rules and grading read them.

Text compares without regard to case and numbers written as text compare as
numbers, as in Account Engagement. Nothing here knows a prospect or a program.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any

from campaignkit.domain import grade_rank

_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "eq": operator.eq, "ne": operator.ne, "gt": operator.gt, "gte": operator.ge, "lt": operator.lt, "lte": operator.le,
}
def field_matches(op: str, actual: Any, value: Any = None, values: list | None = None) -> bool:
    """Whether a field's value passes ``op``; an empty field fails every test but is_empty and ne."""
    empty = actual is None or actual == ""
    if op in ("is_empty", "is_not_empty"):
        return empty == (op == "is_empty")
    if op in ("in", "not_in"):
        return (not empty and _normal(actual) in {_normal(v) for v in values or ()}) == (op == "in")
    if empty:
        return op == "ne"
    if op == "contains":
        return str(value).casefold() in str(actual).casefold()
    if op == "starts_with":
        return str(actual).casefold().startswith(str(value).casefold())
    try:
        return _COMPARE[op](_comparable(actual, value), _comparable(value, actual))
    except TypeError:
        return False


def _normal(value: Any) -> Any:
    """Text compares without regard to case, as Account Engagement does."""
    return value.casefold() if isinstance(value, str) else value


def _comparable(value: Any, other: Any) -> Any:
    """Numbers written as text (from a CSV, say) compare as numbers against numbers."""
    if isinstance(other, (int, float)) and not isinstance(other, bool) and isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return value
    return _normal(value)


def compare(tests: dict[str, Any], actual: Any) -> bool:
    """``{gte: 100, lt: 200}`` against a number: every test must hold."""
    return all(_COMPARE[op](actual, value) for op, value in tests.items())


def grade_passes(tests: dict[str, Any], grade: str) -> bool:
    """Grade tests where "greater" means a better grade: ``{gte: B-}`` holds for B- and above."""
    return compare({op: -grade_rank(value) for op, value in tests.items()}, -grade_rank(grade))
