"""Destroys that look like renames: a create of the same kind with near-identical content.

Renaming a resource without ``moved_from`` plans a destroy and a create, and a
destroyed list loses its members on the target. The planner cannot know a
rename that was not declared, so reports only point at the likely ones and say
how to declare them. Reading only: nothing here changes a plan.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Any

from campaignkit.plan.changes import Action, Change

#: How alike (difflib's ratio of the attributes as JSON) a destroyed and a created object must be.
LIKENESS = 0.9
#: Comparisons per kind beyond which only exact copies are paired: a first plan of thousands of creates
#: against a few destroys stays quick.
_MOST_PAIRS = 20_000


@dataclass(frozen=True)
class RenameHint:
    """``created`` looks like ``destroyed`` renamed: ``moved_from: destroyed`` on it would keep the object."""

    destroyed: str
    created: str


def rename_hints(changes: Sequence[Change]) -> tuple[RenameHint, ...]:
    """Each destroy paired with at most one create of its kind whose attributes are near-identical."""
    hints: list[RenameHint] = []
    destroys = [c for c in changes if c.action is Action.DELETE and c.before is not None]
    for kind in dict.fromkeys(c.kind for c in destroys):
        gone = [c for c in destroys if c.kind == kind]
        created = {c.address: _text(c.after) for c in changes
                   if c.action is Action.CREATE and c.kind == kind and c.after is not None}
        exact_only = len(gone) * len(created) > _MOST_PAIRS
        for destroyed in gone:
            match = _likeliest(_text(destroyed.before), created, exact_only)
            if match is not None:
                hints.append(RenameHint(destroyed.address, match))
                del created[match]
    return tuple(hints)


def _likeliest(was: str, created: dict[str, str], exact_only: bool) -> str | None:
    """The address in ``created`` whose text is likest ``was``, if alike enough."""
    best, best_ratio = None, LIKENESS
    for address, now in created.items():
        if now == was:
            return address
        if exact_only:
            continue
        matcher = SequenceMatcher(None, was, now, autojunk=False)
        if matcher.real_quick_ratio() >= best_ratio and matcher.quick_ratio() >= best_ratio \
                and (ratio := matcher.ratio()) >= best_ratio:
            best, best_ratio = address, ratio
    return best


def _text(attributes: dict[str, Any] | None) -> str:
    """The attributes as canonical JSON: what "near-identical" compares."""
    return json.dumps(attributes or {}, sort_keys=True, ensure_ascii=False, default=str)
