"""References that follow renames: an attribute value with every renamed address replaced by the new one.

A target that holds references by id (Account Engagement: a program's lists,
an email's campaign) sees nothing change when a referenced object is renamed.
The planner compares such an object's references through the renames it plans,
and apply records them under the new addresses once the renames are done, so a
rename alone never shows as a change to the objects that name it.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from campaignkit.plan.desired import object_hash
from campaignkit.state import StateStore
from campaignkit.targets import Target


def renamed(value: Any, renames: dict[str, str]) -> Any:
    """``value`` with each string that is an old address in ``renames`` replaced by its new address."""
    if isinstance(value, str):
        return renames.get(value, value)
    if isinstance(value, list):
        return [renamed(v, renames) for v in value]
    if isinstance(value, dict):
        return {k: renamed(v, renames) for k, v in value.items()}
    return value


def follow_renames(store: StateStore, target: Target, renames: dict[str, str]) -> None:
    """Records, after an apply, the references of objects the target holds by id under the new addresses of
    the objects renamed (``renames``: old address -> new); one read and one write of state, if any."""
    if not renames:
        return
    puts = []
    for entry in store.read().entries.values():
        if not target.capabilities(entry.kind).references_by_id:
            continue
        attributes = renamed(entry.attributes, renames)
        depends_on = tuple(sorted(renames.get(a, a) for a in entry.depends_on))
        if attributes != entry.attributes or depends_on != entry.depends_on:
            puts.append(replace(entry, attributes=attributes, depends_on=depends_on,
                                hash=object_hash(entry.name, attributes)))
    if puts:
        store.commit(puts=puts)
