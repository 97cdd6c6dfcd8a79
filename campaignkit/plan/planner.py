"""Making a plan: desired objects against state (as refresh found it on the target).

For every address the planner decides create, update (field by field),
replace (the target cannot change a field in place), delete, or nothing; and
whether a person must do it by hand because the target has no API for it. It
honours ``moved_from`` (a rename, not a destroy and create; where the target holds
references by id, a rename is no change to the objects that refer to it),
``lifecycle.ignore_changes``, and protection: a plan that would destroy an
object with ``lifecycle.prevent_destroy`` (as recorded when it was applied, so
deleting the file does not lift it) or matched by the environment's
``protect`` patterns is refused. Objects the target does not hold (a standard
field every account has) are left out: apply would have nothing to do for them.
It reads nothing and writes nothing.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import replace
from fnmatch import fnmatchcase

from campaignkit.diagnostics import Position, closest, did_you_mean
from campaignkit.errors import UserError
from campaignkit.plan.changes import Action, Change, Drift, Plan
from campaignkit.plan.desired import Desired, object_hash
from campaignkit.plan.diff import FieldChange, field_changes, flatten, keep_ignored
from campaignkit.plan.new_state import declared_names
from campaignkit.plan.order import order
from campaignkit.plan.references import renamed
from campaignkit.state import State, StateEntry
from campaignkit.targets import CallCount, CountsCalls, KindCapabilities, ManualChange, Sending, Target
from campaignkit.workspace.model import Environment


class ProtectedError(UserError):
    """The plan would destroy protected objects."""


def make_plan(
    desired: dict[str, Desired],
    state: State,
    target: Target,
    environment: Environment,
    *,
    drift: tuple[Drift, ...] = (),
    only: Sequence[str] = (),
    workspace_hash: str = "",
    refreshed: bool = True,
) -> Plan:
    """The plan that brings ``state`` to ``desired``; ``only`` limits it to addresses and their dependencies."""
    moves = _moves(desired, state)
    changes: dict[str, Change] = {}
    for address, wanted in desired.items():
        prior = state.entries.get(moves.get(address, address))
        change = _create(wanted) if prior is None else _update(wanted, prior, moves, target)
        if change is not None:
            changes[address] = change
    moved_away = set(moves.values())
    for address, entry in state.entries.items():
        if address not in desired and address not in moved_away:
            changes[address] = _delete(entry)
    changes = {a: _with_capabilities(c, target) for a, c in _select(changes, desired, state, only).items()
               if _held(c, target)}
    _refuse_protected(changes.values(), environment)
    ordered = order(changes, state)
    return Plan(
        environment=environment.name,
        target=target.name,
        changes=ordered,
        drift=drift,
        lineage=state.lineage or str(uuid.uuid4()),
        serial=state.serial,
        state_empty=state.empty,
        workspace_hash=workspace_hash,
        refreshed=refreshed,
        targets=tuple(only),
        state_location=state.location,
        api_calls=_api_calls(ordered, target, declared_names(target, desired.values()) if state.empty else {}),
    )


def _api_calls(changes: Iterable[Change], target: Target, listed: Iterable[str]) -> CallCount | None:
    """The calls apply will make, where the target counts them: what the changes send through its API, and
    on an empty state the names of the ``listed`` kinds read first (``new_state``)."""
    if not isinstance(target, CountsCalls):
        return None
    sending = [Sending(c.action.value, c.kind, c.sent_fields if c.action is Action.UPDATE
                       else frozenset(c.after or ()) - frozenset(c.manual_fields), c.before, c.after)
               for c in changes if not c.manual and (c.action is not Action.UPDATE or c.sent_fields)]
    return target.api_calls([*sending, *(Sending("list", kind, frozenset(), None, None) for kind in sorted(listed))])


def _moves(desired: dict[str, Desired], state: State) -> dict[str, str]:
    """New address -> the address in state it was renamed from, for renames not yet applied."""
    moves: dict[str, str] = {}
    for address, wanted in desired.items():
        old = wanted.moved_from
        if not old or old == address:
            continue
        at = wanted.moved_from_at
        if old.split(".", 1)[0] != wanted.kind:
            raise _located(at, f"{address} has moved_from: {old}, another kind; a rename keeps the kind")
        if old in desired:
            raise _located(at, f"{address} has moved_from: {old}, but {old} is still declared; remove one of them")
        if old not in state.entries:
            _check_not_misspelt(wanted, desired, state)
            continue  # already renamed, or never applied: nothing to move
        if address in state.entries:
            raise _located(at, f"cannot move {old} to {address}: state has both; remove the one that should go "
                               f"with 'campaignkit state rm ADDRESS'")
        first = next((desired[a] for a, o in moves.items() if o == old), None)
        if first is not None:
            also = f" at {first.moved_from_at}" if first.moved_from_at else ""
            raise _located(at, f"{address} has moved_from: {old}, and so has {first.address}{also}; "
                               "one object can move to one address: remove one of them")
        moves[address] = old
    return moves


def _located(position: Position | None, message: str) -> UserError:
    """An error about a key in the files, starting ``path:line:column:`` as diagnostics do."""
    return UserError(f"{position}: {message}" if position else message)


def _check_not_misspelt(wanted: Desired, desired: dict[str, Desired], state: State) -> None:
    """Refuses a ``moved_from`` that state does not hold when it is close to an object the plan would destroy.

    A misspelt ``moved_from`` is otherwise silently a destroy and a create, and a destroyed
    list loses its members on the target.
    """
    address, old = wanted.address, wanted.moved_from or ""
    if address in state.entries:
        return  # the rename was applied already
    kind = old.split(".", 1)[0]
    doomed = [a for a in state.entries if a not in desired and a.split(".", 1)[0] == kind]
    suggestion = closest(old, doomed)
    if suggestion:
        raise _located(wanted.moved_from_at, f"{address} has moved_from: {old}, which state does not hold"
                                             f"{did_you_mean(suggestion)}; as written, the plan would destroy "
                                             f"{suggestion} and create {address}")


def _create(wanted: Desired) -> Change:
    fields = tuple(FieldChange(path, None, value) for path, value in flatten(wanted.attributes).items())
    return Change(wanted.address, wanted.kind, wanted.name, Action.CREATE, None, wanted.attributes, fields,
                  hash=object_hash(wanted.name, wanted.attributes), depends_on=wanted.depends_on,
                  protected=wanted.lifecycle.prevent_destroy)


def _update(wanted: Desired, prior: StateEntry, moves: dict[str, str], target: Target) -> Change | None:
    moved_from = moves.get(wanted.address)
    prior = _references_renamed(prior, moves, target)
    protect = wanted.lifecycle.prevent_destroy
    if prior.attributes == wanted.attributes and prior.name == wanted.name and prior.protected == protect:
        return None  # the common case, decided without walking the fields
    after = keep_ignored(wanted.attributes, prior.attributes, wanted.lifecycle.ignore_changes)
    fields = field_changes(prior.attributes, after)
    if prior.name != wanted.name:
        fields = (FieldChange("name", prior.name, wanted.name), *fields)
    if prior.protected != protect:
        # Only state changes, but it must: deleting the file later must still be refused.
        fields = (*fields, FieldChange("lifecycle.prevent_destroy", prior.protected, protect))
    if not fields:
        return None
    replaced = sorted({f.top for f in fields} & target.capabilities(wanted.kind).replace_fields)
    return Change(wanted.address, wanted.kind, wanted.name, Action.REPLACE if replaced else Action.UPDATE,
                  prior.attributes, after, fields, target_id=prior.target_id, previous_address=moved_from,
                  hash=object_hash(wanted.name, after), depends_on=wanted.depends_on, protected=protect,
                  replace_fields=tuple(replaced))


def _references_renamed(prior: StateEntry, moves: dict[str, str], target: Target) -> StateEntry:
    """``prior`` with its references through the planned renames, where the target holds them by id: a rename
    of what it refers to changes nothing there (``plan.references``)."""
    if not moves or not target.capabilities(prior.kind).references_by_id:
        return prior
    return replace(prior, attributes=renamed(prior.attributes, {old: new for new, old in moves.items()}))


def _delete(entry: StateEntry) -> Change:
    return Change(entry.address, entry.kind, entry.name, Action.DELETE, entry.attributes, None,
                  target_id=entry.target_id, depends_on=entry.depends_on, protected=entry.protected)


def _with_capabilities(change: Change, target: Target) -> Change:
    """``change`` marked manual where the target has no API for it, with the target's instructions."""
    touched = _touched(change)
    if change.action is Action.UPDATE and not touched and not _renamed(change):
        return change  # only a lifecycle flag changed: state records it, the target is not involved
    capabilities = target.capabilities(change.kind)
    if not capabilities.api or (change.action is Action.DELETE and not capabilities.deletable):
        return _manual(change, target, tuple(sorted(touched)), whole=True)
    # A rename is an attribute like the others where the target cannot send it (a form has no update).
    touched |= frozenset({"name"}) & capabilities.manual_fields if _renamed(change) else frozenset()
    manual_fields = tuple(sorted(f for f in touched & capabilities.manual_fields
                                 if not _created_so(change, f, capabilities)))
    if not manual_fields:
        return change
    sent = (touched | ({"name"} if _renamed(change) else set())) - set(manual_fields)
    return _manual(change, target, manual_fields, whole=change.action is Action.UPDATE and not sent)


def _held(change: Change, target: Target) -> bool:
    """Whether the target keeps the object on either side of ``change`` (see ``Target.holds``)."""
    return any(target.holds(change.kind, side) for side in (change.before, change.after) if side is not None)


def _touched(change: Change) -> frozenset[str]:
    """The top-level attributes the target must set for ``change``."""
    if change.action in (Action.CREATE, Action.REPLACE):
        return frozenset(change.after or ())
    return change.attribute_fields


def _created_so(change: Change, field: str, capabilities: KindCapabilities) -> bool:
    """Whether the target creates the object with ``field`` as the change wants it: no step for a person."""
    made = capabilities.created_with
    return change.action in (Action.CREATE, Action.REPLACE) and (
        field in capabilities.set_on_create or (field in made and (change.after or {}).get(field) == made[field]))


def _manual(change: Change, target: Target, fields: tuple[str, ...], whole: bool) -> Change:
    renamed_from = next((str(f.before) for f in change.fields if f.path == "name"), "")
    instructions = target.manual_instructions(ManualChange(change.action.value, change.kind, change.name, fields,
                                                           change.after or change.before or {}, renamed_from))
    return replace(change, manual=whole, manual_fields=() if whole else fields, instructions=instructions)


def _renamed(change: Change) -> bool:
    return any(f.path == "name" for f in change.fields)


def _select(changes: dict[str, Change], desired: dict[str, Desired], state: State,
            only: Sequence[str]) -> dict[str, Change]:
    """The changes to ``only`` and to everything they depend on (all of them if ``only`` is empty)."""
    if not only:
        return changes
    for address in only:
        if address not in desired and address not in state.entries:
            suggestion = closest(address, [*desired, *state.entries])
            raise UserError(f"--target {address}: no such resource in the files or in state{did_you_mean(suggestion)}")
    wanted: set[str] = set()
    stack = list(only)
    while stack:
        address = stack.pop()
        if address not in wanted:
            wanted.add(address)
            stack.extend(desired[address].depends_on if address in desired else ())
    return {a: c for a, c in changes.items() if a in wanted}


def _refuse_protected(changes: Iterable[Change], environment: Environment) -> None:
    blocked = []
    for change in changes:
        if change.action not in (Action.DELETE, Action.REPLACE):
            continue
        reason = _protection(change, environment)
        if reason:
            blocked.append(f"{change.address} ({reason})")
    if blocked:
        raise ProtectedError(
            f"the plan would destroy protected objects: {', '.join(blocked)}. Keep them in the files, or lift the "
            "protection first (set lifecycle.prevent_destroy: false and apply, or change the environment's "
            "protect patterns)"
        )


def _protection(change: Change, environment: Environment) -> str:
    if change.protected:
        return "lifecycle.prevent_destroy"
    pattern = next((p for p in environment.protect if fnmatchcase(change.address, p)), None)
    return f"environment '{environment.name}' protects '{pattern}'" if pattern else ""
