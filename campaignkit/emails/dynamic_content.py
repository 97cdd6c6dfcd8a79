"""Which of a dynamic content's variations a prospect gets, as ``render`` shows it.

A prospect gets the first variation whose condition its value of the content's
field meets, else the default content. ``is`` and ``contains`` compare text
ignoring case; the other operators compare numbers when both sides are numbers,
and text otherwise (``between`` includes both bounds).
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from campaignkit.workspace.model import Resource

FIELD_PREFIX = "field."
_ORDERED: dict[str, Callable[[Any, Any], bool]] = {
    "less-than": operator.lt, "less-than-or-equal": operator.le,
    "greater-than": operator.gt, "greater-than-or-equal": operator.ge,
}


@dataclass(frozen=True)
class Shown:
    """What a prospect sees: the content, and which variation it is (None: the default)."""

    content: str
    variation: Mapping[str, Any] | None


def field_of(resource: Resource) -> str:
    """The name of the prospect field ``resource`` varies by (``country`` for ``field.country``)."""
    return str(resource.attributes.get("field", "")).removeprefix(FIELD_PREFIX)


def shown(resource: Resource, values: Mapping[str, Any]) -> Shown:
    """The content a prospect with merge ``values`` (field name -> value) gets."""
    value = values.get(field_of(resource))
    for variation in resource.attributes.get("variations") or ():
        if meets(value, variation):
            return Shown(str(variation.get("content", "")), variation)
    return Shown(str(resource.attributes.get("default", "")), None)


def meets(value: Any, variation: Mapping[str, Any]) -> bool:
    """Whether a prospect's ``value`` meets ``variation``'s condition."""
    how = str(variation.get("operator", "is"))
    if value is None or value == "":
        return False
    if how == "is":
        return str(value).casefold() == str(variation.get("value", "")).casefold()
    if how == "contains":
        return str(variation.get("value", "")).casefold() in str(value).casefold()
    low, compared = _comparable(value, variation.get("value"))
    if how == "between":
        high, compared = _comparable(value, variation.get("to"))
        return _ORDERED["greater-than-or-equal"](compared, low) and _ORDERED["less-than-or-equal"](compared, high)
    return _ORDERED[how](compared, low)


def _comparable(value: Any, bound: Any) -> tuple[Any, Any]:
    """``bound`` and ``value`` as numbers when both are, else as text: (bound, value)."""
    try:
        return float(str(bound)), float(str(value))
    except ValueError:
        return str(bound).casefold(), str(value).casefold()
