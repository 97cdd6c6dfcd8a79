"""Refresh: reading the target to find what changed outside campaignkit (drift).

Someone may edit an email's subject in the platform's UI or delete a list
there. Refresh reads every managed object back, compares it with state and
returns the state as the target has it now, with the differences as drift.
The planner then plans against what is really there, and the report shows
drift apart from the changes the files ask for. Kinds the target cannot read
(no API) keep their recorded state.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace

from campaignkit.plan.changes import Drift
from campaignkit.plan.desired import object_hash
from campaignkit.plan.diff import FieldChange, field_changes
from campaignkit.state import State, StateEntry
from campaignkit.targets import KindCapabilities, RemoteObject, Target


def refresh(state: State, target: Target) -> tuple[State, tuple[Drift, ...]]:
    """``state`` as the target holds it now, and the drift found; ``state`` itself is not written."""
    by_kind: dict[str, list[StateEntry]] = defaultdict(list)
    for entry in state.entries.values():
        if entry.target_id:  # manual objects have no id to read back
            by_kind[entry.kind].append(entry)
    entries = dict(state.entries)
    drift: list[Drift] = []
    for kind, kind_entries in sorted(by_kind.items()):
        capabilities = target.capabilities(kind)
        if not capabilities.api:
            continue
        remote = {obj.id: obj for obj in target.list(kind)}
        for entry in kind_entries:
            found = _compare(entry, remote.get(entry.target_id), capabilities)
            if found is None:
                continue
            drift.append(found)
            if found.after is None:
                del entries[entry.address]
            else:
                entries[entry.address] = as_found(entry, found)
    drift.sort(key=lambda d: d.address)
    return replace(state, entries=entries), tuple(drift)


def as_found(entry: StateEntry, drift: Drift) -> StateEntry:
    """``entry`` as the target holds it, according to ``drift`` (an update, not a delete)."""
    assert drift.after is not None, "a deleted object has no state entry"
    return replace(entry, name=drift.remote_name, attributes=drift.after,
                   hash=object_hash(drift.remote_name, drift.after))


def _compare(entry: StateEntry, remote: RemoteObject | None, capabilities: KindCapabilities) -> Drift | None:
    if remote is None:
        return Drift(entry.address, entry.kind, entry.name, "delete", entry.attributes, None)
    if remote.name == entry.name and remote.attributes == entry.attributes:
        return None  # the common case, decided without walking the fields
    readable = capabilities.read_fields
    seen = remote.attributes if readable is None else {k: v for k, v in remote.attributes.items() if k in readable}
    recorded = entry.attributes if readable is None else {k: v for k, v in entry.attributes.items() if k in readable}
    fields = field_changes(recorded, seen)
    if remote.name != entry.name:
        fields = (FieldChange("name", entry.name, remote.name), *fields)
    if not fields:
        return None
    after = seen if readable is None else {**entry.attributes, **seen}
    return Drift(entry.address, entry.kind, entry.name, "update", entry.attributes, after, fields, remote.name)
