"""Scoring and grading checks: activity names, points, MQL threshold, grades and weights."""

from __future__ import annotations

from typing import Any, Iterator

from campaignkit.checks import Scope, check
from campaignkit.diagnostics import Diagnostic, Position, closest, did_you_mean, error
from campaignkit.domain import ACTIVITIES, GRADES


@check("CK701")
def known_activities(scope: Scope) -> Iterator[Diagnostic]:
    """Scoring names an activity that does not exist.

    What it does: checks every key under `activities` of a scoring resource against the
    activities Account Engagement scores (page_view, email_click, form_submission, ...).
    Why is this bad? Points for an activity that never happens are never given: the model
    silently scores less than the team believes.
    Example: `form_submit: 50`.
    Use instead: `form_submission: 50`.
    """
    for scoring in scope.of_kind("scoring"):
        for activity, points in (scoring.data.get("activities") or {}).items():
            if activity not in ACTIVITIES:
                suggestion = closest(str(activity), ACTIVITIES)
                yield error("CK701", f"{scoring.address}: unknown activity '{activity}'{did_you_mean(suggestion)}",
                            scoring.data["activities"].key_position(activity), suggestion=suggestion)
            elif isinstance(points, bool) or not isinstance(points, int):
                yield error("CK701", f"{scoring.address}: points for {activity} must be a whole number",
                            scoring.position_of("activities", activity))


@check("CK702")
def valid_mql_threshold(scope: Scope) -> Iterator[Diagnostic]:
    """The MQL threshold cannot be reached or is not a threshold.

    What it does: checks that `mql.score` is a positive whole number and that some activity
    gives positive points, and that decay lowers the score after a positive number of days.
    Why is this bad? With no way to reach the threshold no prospect ever becomes an MQL and
    sales hear nothing.
    Example: `mql: {score: 0}` or `decay: {after_days_inactive: 30, points: 20}`.
    Use instead: `mql: {score: 100, grade: B-}` and `decay: {after_days_inactive: 30, points: -20}`.
    """
    for scoring in scope.of_kind("scoring"):
        mql = scoring.data.get("mql") or {}
        score = mql.get("score")
        if score is not None and (isinstance(score, bool) or not isinstance(score, int) or score <= 0):
            yield error("CK702", f"{scoring.address}: mql.score must be a positive whole number",
                        scoring.position_of("mql", "score"))
        positive = [p for p in (scoring.data.get("activities") or {}).values() if isinstance(p, int) and p > 0]
        if isinstance(score, int) and score > 0 and not positive:
            yield error("CK702", f"{scoring.address}: no activity gives positive points, so mql.score {score} "
                        "can never be reached", scoring.position_of("activities"))
        decay = scoring.data.get("decay") or {}
        if isinstance(decay.get("points"), int) and decay["points"] >= 0:
            yield error("CK702", f"{scoring.address}: decay points must be negative (they lower the score of "
                        "inactive prospects)", scoring.position_of("decay", "points"))


def grade_values(scope: Scope) -> Iterator[tuple[str, Any, Position]]:
    """Every grade letter written in the workspace: (address, value, where)."""
    for scoring in scope.of_kind("scoring"):
        if "grade" in (scoring.data.get("mql") or {}):
            yield scoring.address, scoring.data["mql"]["grade"], scoring.position_of("mql", "grade")
    for grading in scope.of_kind("grading"):
        if "start" in grading.data:
            yield grading.address, grading.data["start"], grading.position_of("start")


@check("CK802")
def valid_grades(scope: Scope) -> Iterator[Diagnostic]:
    """A grade is not one of A+ … F.

    What it does: checks grade letters (the MQL grade, a grading profile's start grade) against
    the 13 grades A+, A, A-, B+, B, B-, C+, C, C-, D+, D, D-, F.
    Why is this bad? A threshold on a grade that does not exist never matches.
    Example: `grade: B--` or `grade: E`.
    Use instead: `grade: B-`.
    """
    for address, value, where in grade_values(scope):
        if value not in GRADES:
            suggestion = closest(str(value), GRADES)
            yield error("CK802", f"{address}: '{value}' is not a grade{did_you_mean(suggestion)}; grades are "
                        f"{' '.join(GRADES)}", where, suggestion=suggestion)


@check("CK801")
def criterion_weights(scope: Scope) -> Iterator[Diagnostic]:
    """A grading criterion weighs something other than 1, 2 or 3 thirds of a letter.

    What it does: checks the `weight` of every criterion of a grading profile.
    Why is this bad? Account Engagement grades move one third of a letter at a time; a criterion
    can weigh 1/3, 2/3 or 3/3 of a letter and nothing else.
    Example: `weight: 4`.
    Use instead: `weight: 2` (the default profile's five criteria weigh 2/3 each).
    """
    for grading in scope.of_kind("grading"):
        for index, criterion in enumerate(grading.data.get("criteria") or []):
            weight = criterion.get("weight") if isinstance(criterion, dict) else None
            if weight is not None and (isinstance(weight, bool) or weight not in (1, 2, 3)):
                yield error("CK801", f"{grading.address}: criterion weight {weight!r} must be 1, 2 or 3 "
                            "(thirds of a letter)", grading.position_of("criteria", index, "weight"))
