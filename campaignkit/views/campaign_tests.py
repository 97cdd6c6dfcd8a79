"""The text ``campaignkit test`` prints: one line per test, expected against actual for failures.

Sequences (emails, path) are shown item by item so that the first step where
the program went another way stands out; the last line is always
``N passed, M failed``, which CI logs and people look for.
"""

from __future__ import annotations

from campaignkit.campaign_tests.runner import Mismatch, Result


def campaign_test_text(result: Result) -> str:
    case = result.case
    where = f"{case.position.path}:{case.position.line}"
    if result.passed:
        return f"PASS {where} {case.name}"
    lines = [f"FAIL {where} {case.name}"]
    for label, mismatch in result.mismatches:
        lines.extend(_mismatch(label, mismatch))
    return "\n".join(lines)


def _mismatch(label: str, mismatch: Mismatch) -> list[str]:
    if not mismatch.rows:
        return [f"  {mismatch.what} {label}: expected {mismatch.expected}, got {mismatch.actual}"]
    lines = [f"  {mismatch.what} {label}: expected {mismatch.expected}, got {mismatch.actual}"]
    width = max(len("expected"), *(len(row[1]) for row in mismatch.rows))
    actual_width = max(len("actual"), *(len(row[2]) for row in mismatch.rows))
    lines.append(f"        {'#':>3}  {'expected':<{width}}  {'actual':<{actual_width}}  when / outcome")
    for index, (ok, expected, actual, note) in enumerate(mismatch.rows, 1):
        mark = "   " if ok else "  ✗"
        lines.append(f"    {mark}{index:>3}  {expected:<{width}}  {actual:<{actual_width}}  {note}".rstrip())
    return lines


def summary(results: list[Result]) -> str:
    failed = sum(not r.passed for r in results)
    return f"{len(results) - failed} passed, {failed} failed"
