"""Prospects in flight: what a change to a program does to the prospects already in it.

Engagement Studio moves the prospects waiting on a deleted step on to the next
step, and an edit does not touch the prospects already past the edited step
(docs/engine.md cites the pages). For each changed or deleted step of a
program a plan updates, this says which happens, and estimates how many
prospects wait on the step: the applied version of the program is simulated
with ``simulate``'s default population entering evenly over its default days.
It reads nothing and writes nothing.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from campaignkit.engine.graph import BRANCH_KEYS, Graph, graph_of
from campaignkit.engine.simulate import in_flight, simulate, synthetic_population
from campaignkit.engine.world import World
from campaignkit.plan.changes import Action, InFlight, Plan
from campaignkit.workspace.model import Workspace

#: The population the estimates assume: ``simulate``'s defaults, entering evenly over the days.
PROSPECTS, DAYS, SEED = 10_000, 90, 1


def attach_in_flight(plan: Plan, workspace: Workspace) -> Plan:
    """``plan`` with, on each program update that changes steps, what happens to the prospects on them."""
    updates = [c for c in plan.changes if c.kind == "program" and c.action is Action.UPDATE
               and _steps_change(c.before or {}, c.after or {})]
    if not updates:
        return plan
    world = World.from_workspace(workspace)
    found = {c.address: prospects_in_flight(c.before or {}, c.after or {}, _waiting(world, c.address, c.before or {}))
             for c in updates}
    return dataclasses.replace(plan, changes=tuple(dataclasses.replace(c, in_flight=found[c.address])
                                                   if c.address in found else c for c in plan.changes))


def _steps_change(before: dict[str, Any], after: dict[str, Any]) -> bool:
    """Whether both sides have steps (a target may not say what it holds) and they differ."""
    steps = before.get("steps"), after.get("steps")
    return all(isinstance(side, dict) for side in steps) and steps[0] != steps[1] \
        and isinstance(before.get("recipients"), dict)


def prospects_in_flight(before: dict[str, Any], after: dict[str, Any],
                        waiting: Mapping[str, float] | None = None) -> tuple[InFlight, ...]:
    """For each step of ``before`` that ``after`` deletes or changes: what happens to its prospects,
    with ``waiting`` (prospects on each step) as the estimate where given."""
    old, new = graph_of(before), graph_of(after)
    found = []
    for name, step in old.steps.items():
        if new.steps.get(name) == step:
            continue
        outcome, detail = _fate(old, new, name)
        found.append(InFlight(name, outcome, detail, None if waiting is None else round(waiting.get(name, 0.0))))
    return tuple(found)


def _fate(old: Graph, new: Graph, name: str) -> tuple[str, str]:
    if name not in new.steps:
        following = _following(old, new, name)
        return "moved on", f"will move on to {following or 'the step that follows it now'}"
    rerouted = [f"{key}: {old.steps[name].get(key)} -> {new.steps[name].get(key)}" for key in BRANCH_KEYS
                if old.steps[name].get(key) != new.steps[name].get(key)]
    if rerouted:
        return "re-routed", f"will leave it by the new branches ({', '.join(rerouted)}); those past it are not affected"
    return "unaffected", "will take the edited step; those past it are not affected"


def _following(old: Graph, new: Graph, name: str) -> str | None:
    """The step that follows a deleted one: where the branches into it lead now, else where it led."""
    rewired = _rewired(old, new, name, frozenset())
    led = {target for target in old.successors(name) if target in new.steps}
    candidates = rewired if len(rewired) == 1 else led
    return next(iter(candidates)) if len(candidates) == 1 else None


def _rewired(old: Graph, new: Graph, name: str, seen: frozenset[str]) -> set[str]:
    """Where the branches that led into ``name`` lead now; through deleted steps before it, to theirs."""
    found: set[str] = set()
    for source, key, target in old.branches():
        if target != name or source in seen:
            continue
        if source not in new.steps:
            found |= _rewired(old, new, source, seen | {name})
        elif new.steps[source].get(key) not in (None, name):
            found.add(new.steps[source][key])
    return found


def _waiting(world: World, address: str, applied: dict[str, Any]) -> dict[str, float]:
    """Prospects waiting on each step of the applied program at any moment, simulated as running."""
    program = {k: v for k, v in applied.items() if k != "status"}
    world = dataclasses.replace(world, programs={**world.programs, address: program})
    population = synthetic_population(world, address, PROSPECTS, SEED)
    return in_flight(simulate(world, address, population, DAYS, SEED))
