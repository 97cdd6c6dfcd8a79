"""Conditions over a prospect: the one vocabulary of dynamic lists, rule steps and grading.

A condition is a mapping as the schemas define it (``{field, op, value}``,
``{score: {gte: 100}}``, ``{grade: {gte: B-}}``, ``{on_list}``, ``{not_on_list}``,
``{has_tag}``, ``{opted_out}``, ``{activity, ..., within}``). Evaluating one
never changes the prospect.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from campaignkit.engine.comparisons import compare, field_matches, grade_passes
from campaignkit.engine.durations import parse_duration
from campaignkit.engine.grading import grade_of
from campaignkit.engine.prospect import Prospect
from campaignkit.engine.world import World

#: The key of an activity condition that names what the activity was done to.
ACTIVITY_TARGET = {"email_opened": "email", "email_clicked": "email", "form_submitted": "form",
                   "page_viewed": "page", "file_downloaded": "file"}
_FOREVER = timedelta(days=365 * 100)


def holds(world: World, prospect: Prospect, condition: dict[str, Any], now: datetime,
          seen: frozenset[str] = frozenset()) -> bool:
    """Whether ``condition`` holds for ``prospect`` at ``now``."""
    if "field" in condition:
        name = condition["field"].split(".", 1)[1]
        return field_matches(condition["op"], prospect.fields.get(name), condition.get("value"),
                             condition.get("values"))
    if "score" in condition:
        return compare(condition["score"], prospect.score)
    if "grade" in condition:
        return grade_passes(condition["grade"], grade_of(world, prospect))
    if "on_list" in condition:
        return is_member(world, prospect, condition["on_list"], now, seen)
    if "not_on_list" in condition:
        return not is_member(world, prospect, condition["not_on_list"], now, seen)
    if "has_tag" in condition:
        return condition["has_tag"] in prospect.tags
    if "opted_out" in condition:
        return prospect.opted_out == bool(condition["opted_out"])
    return _did_activity(prospect, condition, now)


def _did_activity(prospect: Prospect, condition: dict[str, Any], now: datetime) -> bool:
    kind = condition["activity"]
    window = parse_duration(condition["within"]) if "within" in condition else _FOREVER
    target = condition.get(ACTIVITY_TARGET[kind])
    return prospect.did(kind, target, now - window, now) is not None


def is_member(world: World, prospect: Prospect, address: str, now: datetime,
              seen: frozenset[str] = frozenset()) -> bool:
    """Whether the prospect is on a list at ``now``.

    Static lists hold whoever was added; dynamic lists hold whoever matches
    their rules now. A prospect placed on a dynamic list by hand (how a
    simulation puts its population on the recipient lists) stays on it. A
    list whose rules refer back to itself counts as not matching on the loop.
    """
    if address in prospect.lists:
        return True
    definition = world.lists.get(address)
    if definition is None or definition.get("type") != "dynamic" or address in seen:
        return False
    results = (holds(world, prospect, rule, now, seen | {address}) for rule in definition.get("rules", ()))
    return any(results) if definition.get("match") == "any" else all(results)


def rule_condition(step: dict[str, Any]) -> dict[str, Any]:
    """The condition a single-condition rule step tests, in the vocabulary above."""
    rule = step["rule"]
    comparisons = {op: step[op] for op in ("gt", "gte", "lt", "lte", "eq") if op in step}
    conditions: dict[str, Callable[[], dict[str, Any]]] = {
        "score": lambda: {"score": comparisons},
        "grade": lambda: {"grade": comparisons},
        "field": lambda: {k: step[k] for k in ("field", "op", "value", "values") if k in step},
        "on_list": lambda: {"on_list": step["list"]},
        "has_tag": lambda: {"has_tag": step["tag"]},
        "opted_out": lambda: {"opted_out": True},
    }
    return conditions[rule]()


def rule_holds(world: World, prospect: Prospect, step: dict[str, Any], now: datetime) -> bool:
    """A rule step's answer: yes (True) or no."""
    if step["rule"] in ("all", "any"):
        results = (holds(world, prospect, c, now) for c in step["conditions"])
        return all(results) if step["rule"] == "all" else any(results)
    return holds(world, prospect, rule_condition(step), now)
