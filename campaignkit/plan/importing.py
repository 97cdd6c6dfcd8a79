"""Importing: an object that already exists on the target brought under management, as ``terraform import`` does.

The object is read from the target and recorded in state under an address the
files declare; nothing is sent to the target. What the target cannot read back
keeps the files' values, so importing exactly what the files declare plans
nothing. An address or an object that state already manages is refused, so one
object is never managed twice. The caller holds the lock.
"""

from __future__ import annotations

import uuid

from campaignkit.diagnostics import closest, did_you_mean
from campaignkit.errors import UserError
from campaignkit.plan.desired import object_hash
from campaignkit.plan.new_state import remember_state
from campaignkit.plan.refresh import as_read
from campaignkit.state import State, StateEntry, StateStore, history_entry
from campaignkit.targets import Target
from campaignkit.workspace.model import Environment, Resource, Workspace


def import_object(workspace: Workspace, environment: Environment, store: StateStore, target: Target,
                  address: str, object_id: str, *, who: str = "", git_commit: str = "") -> StateEntry:
    """Records in ``store`` the object ``object_id`` of ``target`` as ``address``; returns what state now holds."""
    resource = _declared(workspace, address)
    state = store.read()
    entry = _adopted(resource, state, environment, target, object_id)
    lineage = state.lineage or str(uuid.uuid4())
    store.begin(lineage)
    remember_state(target, store, lineage)
    with history_entry(store, "import", who, git_commit) as ending:
        store.commit(puts=[entry])
        ending.summary = f"imported {address} (id {entry.target_id})"
    return entry


def _declared(workspace: Workspace, address: str) -> Resource:
    resource = workspace.get(address)
    if resource is None:
        suggestion = closest(address, workspace.resources)
        raise UserError(f"no resource {address} in the files{did_you_mean(suggestion)}; declare it, then import")
    return resource


def _adopted(resource: Resource, state: State, environment: Environment, target: Target, object_id: str) -> StateEntry:
    """The state entry for the object as the target holds it, refused if state manages it already."""
    address = resource.address
    if address in state.entries:  # said before asking the target, which may have no API for the kind
        raise UserError(f"{address} is already managed ({state.entries[address].held_as}); "
                        f"'campaignkit state rm {address}' first to import another object")
    remote = target.read(resource.kind, object_id)
    if remote is None:
        raise UserError(f"the {environment.target} target has no {resource.kind} with id {object_id}")
    # The target's own id: "07" and "7" are one object, which must not be managed twice.
    _refuse_managed(state, resource.kind, remote.id)
    # What the target cannot read, nothing can compare: the files' values stand, so an exact import plans nothing.
    attributes = as_read(resource.attributes, remote.attributes, target.capabilities(resource.kind).read_fields)
    return StateEntry(address, resource.kind, remote.name, remote.id, attributes,
                      object_hash(remote.name, attributes), protected=resource.lifecycle.prevent_destroy)


def _refuse_managed(state: State, kind: str, object_id: str) -> None:
    for entry in state.entries.values():
        if entry.kind == kind and entry.target_id == object_id:
            raise UserError(f"{kind} id {object_id} is already managed as {entry.address}")
