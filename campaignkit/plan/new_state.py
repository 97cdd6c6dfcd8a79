"""Whether an empty state is new, or a state that was lost.

An empty state is taken for a new one only where no state ever applied: a
state file deleted after an apply would otherwise plan every object again, and
its creates would fail half-way. Two signs tell that one did: the target
remembers a state of this environment (targets that keep such a mark,
``RemembersStates``: the local target), or it already holds objects under
names the files declare (any target: Account Engagement keeps no mark, but a
business unit holding the files' objects was applied to, or built by hand, and
either way they must be imported, not created). ``--new-state`` on the command
line says the user knows and starts over. Apply and import leave the mark once
they write state.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from campaignkit.errors import UserError
from campaignkit.plan.desired import Desired
from campaignkit.state import State, StateStore
from campaignkit.state.audit import now
from campaignkit.targets import AppliedState, RemembersStates, Target
from campaignkit.workspace.model import Resource, Workspace

#: How many of the objects found are named in the message.
_NAMED = 3


def refuse_lost_state(state: State, store: StateStore, target: Target, workspace: Workspace) -> None:
    """Raises a one-line ``UserError`` when ``state`` is empty but the target shows that a state applied to it."""
    if not state.empty:
        return
    sign = _remembered(store, target) or _declared_held(target, workspace)
    if sign:
        raise UserError(f"state at {state.location} is empty, but {sign}: restore the state that applied (a "
                        "backup), or pass --new-state to start a new one and bring the objects under management "
                        "with 'campaignkit import ADDRESS ID'")


def remember_state(target: Target, store: StateStore, lineage: str) -> None:
    """Marks ``target`` as applied to from the state of ``store`` (where the target keeps such marks)."""
    if isinstance(target, RemembersStates):
        target.remember_state(AppliedState(store.key, lineage, store.location, now()))


def _remembered(store: StateStore, target: Target) -> str:
    """What the target remembers of a state of this environment, or ""."""
    if not isinstance(target, RemembersStates):
        return ""
    applied = [a for a in target.applied_states() if a.key == store.key]
    if not applied:
        return ""
    last = applied[-1]
    return (f"the {target.name} target was applied to from this environment's state (lineage {last.lineage}, "
            f"kept at {last.location}, since {last.since})")


def declared_names(target: Target, declared: Iterable[Resource | Desired]) -> dict[str, set[str]]:
    """Kind -> the names the files declare that the target would hold through its API: what an empty
    state is checked against (``Target.names``), kind by kind."""
    names: dict[str, set[str]] = defaultdict(set)
    for item in declared:
        if target.holds(item.kind, item.attributes) and target.capabilities(item.kind).api:
            names[item.kind].add(item.name)
    return names


def _declared_held(target: Target, workspace: Workspace) -> str:
    """The objects the files declare that the target already holds, by name, or ""."""
    names = declared_names(target, workspace.resources.values())
    if not names:
        return ""
    target.check()
    held = sorted(f"{kind}.{name}" for kind in sorted(names) for name in target.names(kind) & names[kind])
    if not held:
        return ""
    more = f" and {len(held) - _NAMED} more" if len(held) > _NAMED else ""
    return (f"the {target.name} target already holds {len(held)} object(s) the files declare "
            f"({', '.join(held[:_NAMED])}{more})")
