"""Field-level differences between two versions of an object's attributes.

Nested mappings are compared key by key and named by dotted paths
(``schedule.hours``, ``steps.welcome.next``), so that a plan shows the one
value that changed rather than the whole program; lists are compared whole.
``ignore_changes`` entries name such paths (or a prefix of them). Pure
functions on plain data; nothing here knows about kinds, state or targets.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

#: Tells "absent" from a value of None.
_ABSENT = object()


@dataclass(frozen=True)
class FieldChange:
    """One value that differs; ``None`` on a side means the field is absent there."""

    path: str
    before: Any
    after: Any

    @property
    def top(self) -> str:
        """The top-level attribute this path is in: what a target's update sends."""
        return self.path.split(".", 1)[0]


def flatten(value: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """``value`` as ``{dotted path: leaf}``; an empty mapping is a leaf of its own."""
    flat: dict[str, Any] = {}
    for key, item in value.items():
        path = f"{prefix}{key}"
        if isinstance(item, Mapping) and item:
            flat.update(flatten(item, f"{path}."))
        else:
            flat[path] = item
    return flat


def field_changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> tuple[FieldChange, ...]:
    """Every path whose value differs between ``before`` and ``after``, in path order."""
    old, new = flatten(before), flatten(after)
    return tuple(
        FieldChange(path, old.get(path), new.get(path))
        for path in sorted(old.keys() | new.keys())
        if old.get(path, _ABSENT) != new.get(path, _ABSENT)
    )


def keep_ignored(desired: Mapping[str, Any], prior: Mapping[str, Any], patterns: Iterable[str]) -> dict[str, Any]:
    """``desired`` with each ignored path set back to its value in ``prior``.

    This is what ``lifecycle.ignore_changes`` means: the files may say one
    thing, but what the target holds for those fields is left alone.
    """
    result = copy.deepcopy(dict(desired))
    for pattern in patterns:
        parts = pattern.split(".")
        found, value = _lookup(prior, parts)
        if found:
            _assign(result, parts, copy.deepcopy(value))
        else:
            _remove(result, parts)
    return result


def _lookup(value: Any, parts: list[str]) -> tuple[bool, Any]:
    for part in parts:
        if not isinstance(value, Mapping) or part not in value:
            return False, None
        value = value[part]
    return True, value


def _assign(target: dict[str, Any], parts: list[str], value: Any) -> None:
    for part in parts[:-1]:
        child = target.get(part)
        if not isinstance(child, dict):
            child = target[part] = {}
        target = child
    target[parts[-1]] = value


def _remove(target: dict[str, Any], parts: list[str]) -> None:
    node: Any = target
    for part in parts[:-1]:
        node = node.get(part)
        if not isinstance(node, dict):
            return
    node.pop(parts[-1], None)
