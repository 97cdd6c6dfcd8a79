"""Grading (fit): a prospect's grade from its fields and the grading profile.

The grade is recomputed from the fields whenever it is asked for, rather than
nudged by events, because Account Engagement regrades a prospect against the
whole profile when a field changes: a criterion that matched and stops
matching must take back what it gave. A criterion on an empty field is "not
known" and moves nothing, as Account Engagement's grading guidelines say.
"""

from __future__ import annotations

from campaignkit.domain import GRADES, grade_rank
from campaignkit.engine.comparisons import field_matches
from campaignkit.engine.prospect import Prospect
from campaignkit.engine.world import World


def grade_of(world: World, prospect: Prospect) -> str:
    """Start grade, up one third per weight point for each match, down for each no-match, within A+..F;
    a criterion whose field is empty (not known) leaves the grade alone."""
    if prospect.pinned_grade:
        return prospect.pinned_grade
    rank = grade_rank(world.start_grade)
    for criterion in world.criteria:
        value = prospect.fields.get(criterion["field"].split(".", 1)[1])
        if not known(criterion["op"], value):
            continue
        matched = field_matches(criterion["op"], value, criterion.get("value"), criterion.get("values"))
        rank += -criterion["weight"] if matched else criterion["weight"]
    return GRADES[min(max(rank, 0), len(GRADES) - 1)]


def known(op: str, value: object) -> bool:
    """Whether a criterion can say match or not match: its field has a value, or it asks whether it has one."""
    return op in ("is_empty", "is_not_empty") or value not in (None, "")
