"""Scoring checks: activity names, points and an MQL threshold that can be reached.

Grade letters and criterion weights are enumerations in the schemas, so a
wrong grade or weight is reported there (CK104) with the closest valid one.
"""

from __future__ import annotations

from collections.abc import Iterator

from campaignkit.checks import Scope, check
from campaignkit.diagnostics import Diagnostic, closest, did_you_mean, error
from campaignkit.domain import ACTIVITIES


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


@check("CK703")
def one_scoring_and_one_grading(scope: Scope) -> Iterator[Diagnostic]:
    """More than one scoring model or grading profile.

    What it does: reports every `scoring` and every `grading` resource after the first of its kind.
    Why is this bad? A business unit scores every prospect with one model, and campaignkit grades
    every prospect with one profile: a second one would be silently ignored by `test` and
    `simulate`, and would fight the first on the target.
    Use instead: one `scoring` and one `grading` resource; put all activities and criteria in them.
    """
    for kind, what in (("scoring", "scoring model"), ("grading", "grading profile")):
        declared = scope.of_kind(kind)
        for extra in declared[1:]:
            yield error("CK703", f"only one {what} is allowed; the first is {declared[0].address} at "
                        f"{declared[0].position.path}:{declared[0].position.line}", extra.position_of("name"))
