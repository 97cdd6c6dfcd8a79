"""Prospect values against their fields: what counts as empty, and whether a value fits its field.

One answer for the checks, the campaign tests, ``render --prospect`` and
``simulate``'s CSV populations, so that a value one accepts no other refuses.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator, Mapping
from typing import Any

from campaignkit.workspace.model import Workspace


def is_empty(value: Any) -> bool:
    """Whether a merge value counts as missing: None or blank text (numbers and false do not)."""
    return value is None or (isinstance(value, str) and not value.strip())


def fits_type(field_type: str, value: Any) -> bool:
    """Whether ``value`` is a valid value of a field of ``field_type``."""
    if field_type == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if field_type == "bool":
        return isinstance(value, bool)
    if field_type == "date":
        try:
            datetime.date.fromisoformat(str(value))
        except ValueError:
            return False
        return True
    if field_type == "email":
        return isinstance(value, str) and "@" in value.strip("@")
    return isinstance(value, str)


def misfits(workspace: Workspace, prospect: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    """Each value of ``prospect`` that does not fit its declared field (another type, or not among an
    enum's values), by field name, with what is wrong; empty values and undeclared names pass."""
    fields = {field.name: field for field in workspace.of_kind("field")}
    for name, value in prospect.items():
        if name in fields and not is_empty(value) and (problem := misfit(fields[name].data, value)):
            yield name, problem


def misfit(field: Mapping[str, Any], value: Any) -> str | None:
    """What is wrong with ``value`` for the field declared as ``field`` (its data); None if it fits."""
    field_type = field.get("type", "text")
    if field_type == "enum":
        allowed = field.get("values") or []
        return None if value in allowed else f"{value!r} is not one of {', '.join(map(str, allowed))}"
    return None if fits_type(field_type, value) else f"{value!r} is not a valid {field_type}"
