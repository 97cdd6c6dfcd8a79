"""Refresh: reading the target to find what changed outside campaignkit (drift).

Someone may edit an email's subject in the platform's UI or delete a list
there. Refresh reads every managed object back, compares it with state and
returns the state as the target has it now, with the differences as drift.
The planner then plans against what is really there, and the report shows
drift apart from the changes the files ask for. A field the target's listing
cannot show (an email's bodies, on Account Engagement) keeps what state says
of it. Kinds the target cannot read
(no API) keep their recorded state, except programs on a target that can read
them (``ReadsPrograms``): their recipient and suppression lists, and their
status where the files declare one, are compared, found by id or else by
name, and a program not found is left alone (nobody has built it by hand yet).
``refresh_state`` records the drift in state, as the ``refresh`` command does.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from campaignkit.plan.changes import Drift
from campaignkit.plan.desired import object_hash
from campaignkit.plan.diff import FieldChange, field_changes
from campaignkit.state import State, StateEntry, StateStore, history_entry
from campaignkit.targets import (
    PROGRAM_STATUS,
    KindCapabilities,
    ProgramReading,
    ReadsPrograms,
    RemoteObject,
    Target,
)


def refresh(state: State, target: Target) -> tuple[State, tuple[Drift, ...]]:
    """``state`` as the target holds it now, and the drift found; ``state`` itself is not written.

    The target is checked first, even when state holds nothing to read: a wrong address
    must show in the plan, not halfway through the apply.
    """
    target.check()
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
    for found in _program_drift(state, target):
        drift.append(found)
        entries[found.address] = as_found(state.entries[found.address], found)
    drift.sort(key=lambda d: d.address)
    return replace(state, entries=entries), tuple(drift)


def _program_drift(state: State, target: Target) -> list[Drift]:
    """Programs whose lists were changed in the platform, with the lists named as the files name them."""
    programs = [e for e in state.entries.values() if e.kind == "program"]
    if not programs or not isinstance(target, ReadsPrograms):
        return []
    readings = target.programs()
    by_id = {p.id: p for p in readings}
    by_name = {p.name: p for p in readings}
    lists = {e.target_id: e.address for e in state.entries.values() if e.kind == "list" and e.target_id}
    drift: list[Drift] = []
    for entry in programs:
        reading = by_id.get(entry.target_id) if entry.target_id else None
        reading = reading or by_name.get(entry.name)
        if reading is not None and (found := _compare_program(entry, reading, lists)) is not None:
            drift.append(found)
    return drift


def _compare_program(entry: StateEntry, reading: ProgramReading, lists: dict[str, str]) -> Drift | None:
    """Drift in the lists, compared as sets (the platform does not keep the order the files give), and in
    the status where the files declare one."""
    recorded: dict[str, Any] = {"recipients": entry.attributes.get("recipients") or {}}
    seen: dict[str, Any] = {"recipients": _recipients_seen(recorded["recipients"], reading, lists)}
    declared = entry.attributes.get(PROGRAM_STATUS)
    if declared is not None:
        recorded[PROGRAM_STATUS] = declared
        seen[PROGRAM_STATUS] = declared if reading.fulfils(declared) else reading.as_declared
    fields = field_changes(recorded, seen)
    if not fields:
        return None
    after = {**entry.attributes, **seen}
    return Drift(entry.address, entry.kind, entry.name, "update", entry.attributes, after, fields, entry.name)


def _recipients_seen(recorded: dict[str, Any], reading: ProgramReading, lists: dict[str, str]) -> dict[str, Any]:
    """The recipients as read, keeping the recorded order of the lists where the set did not change."""
    seen = dict(recorded)
    for key, ids in (("include", reading.recipient_list_ids), ("exclude", reading.suppression_list_ids)):
        names = [lists.get(i) or unmanaged_list(i) for i in ids]
        if set(names) != set(recorded.get(key) or ()):
            seen[key] = sorted(names)
    return seen


def unmanaged_list(list_id: str) -> str:
    """How a program's list that state does not manage is named, in drift and in state."""
    return f"list id {list_id} (not managed by campaignkit)"


def refresh_state(store: StateStore, target: Target, *, who: str = "", git_commit: str = ""
                  ) -> tuple[State, tuple[Drift, ...]]:
    """Records in ``store`` what changed on ``target`` outside campaignkit, as one ``refresh`` in its history
    (none when nothing changed); returns the state as it was and the drift. The caller holds the lock."""
    state = store.read()
    _, drift = refresh(state, target)
    if drift:
        with history_entry(store, "refresh", who, git_commit) as ending:
            record_drift(drift, state, store)
            ending.summary = f"{len(drift)} object(s) changed outside campaignkit"
    return state, drift


def record_drift(drift: Sequence[Drift], state: State, store: StateStore) -> None:
    """Writes what refresh found into state (``refresh``, and ``apply`` of a refreshed plan)."""
    puts = [as_found(state.entries[d.address], d) for d in drift if d.after is not None and d.address in state.entries]
    removes = [d.address for d in drift if d.after is None and d.address in state.entries]
    if puts or removes:
        store.commit(puts=puts, removes=removes)


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
    readable = _seen(capabilities.read_fields, remote, entry)
    seen = _readable(remote.attributes, readable)
    fields = field_changes(_readable(entry.attributes, readable), seen)
    if remote.name != entry.name:
        fields = (FieldChange("name", entry.name, remote.name), *fields)
    if not fields:
        return None
    after = _with_seen(entry.attributes, seen, readable)
    return Drift(entry.address, entry.kind, entry.name, "update", entry.attributes, after, fields, remote.name)


def _seen(readable: frozenset[str] | None, remote: RemoteObject, entry: StateEntry) -> frozenset[str] | None:
    """The fields this reading of ``remote`` shows: the readable ones, less those it could not see."""
    if not remote.unread:
        return readable
    every = readable if readable is not None else frozenset(remote.attributes) | frozenset(entry.attributes)
    return every - remote.unread


def as_read(known: dict[str, Any], read: dict[str, Any], readable: frozenset[str] | None) -> dict[str, Any]:
    """An object's attributes: the fields the target can read as ``read``, the others as ``known``.

    Nothing can compare a field the target cannot read (an email's preheader, which Account
    Engagement has no place for; a dynamic list's rules), so what state or the files say of
    it stands. A readable field the target no longer has (emptied in the UI) is gone.
    """
    return _with_seen(known, _readable(read, readable), readable)


def _with_seen(known: dict[str, Any], seen: dict[str, Any], readable: frozenset[str] | None) -> dict[str, Any]:
    """``as_read`` for the readable fields already picked out of what was read (``seen``)."""
    if readable is None:
        return dict(seen)
    return {**{k: v for k, v in known.items() if k not in readable}, **seen}


def _readable(attributes: dict[str, Any], readable: frozenset[str] | None) -> dict[str, Any]:
    return attributes if readable is None else {k: v for k, v in attributes.items() if k in readable}
