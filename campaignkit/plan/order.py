"""The order of a plan's changes: what an object refers to is applied before it.

Lists and emails are created or updated before the programs that use them; a
delete waits for every change to an object that referred to the deleted one
(so a program stops using a list before the list goes). Each change gets the
addresses it waits for, which is all ``apply`` needs to run changes in
parallel; the plan lists them in one valid order, alphabetical within a step.
Ordering never adds or drops a change.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from graphlib import CycleError, TopologicalSorter

from campaignkit.errors import UserError
from campaignkit.plan.changes import Action, Change
from campaignkit.state import State


def order(changes: dict[str, Change], state: State) -> tuple[Change, ...]:
    """``changes`` in dependency order, each with its ``wait_for`` filled in."""
    graph = _graph(changes, state)
    sorter: TopologicalSorter[str] = TopologicalSorter(graph)
    try:
        sorter.prepare()
    except CycleError as exc:
        cycle = " -> ".join(exc.args[1])
        raise UserError(f"these objects refer to each other in a cycle, so no order can apply them: {cycle}") from None
    ordered: list[Change] = []
    while sorter.is_active():
        ready = sorted(sorter.get_ready())
        ordered.extend(replace(changes[a], wait_for=tuple(sorted(graph[a]))) for a in ready)
        sorter.done(*ready)
    return tuple(ordered)


def _graph(changes: dict[str, Change], state: State) -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {address: set() for address in changes}
    for address, change in changes.items():
        if change.action is not Action.DELETE:
            graph[address] |= {d for d in change.depends_on
                               if d in changes and changes[d].action is not Action.DELETE}
    referrers = _referrers(state, changes)
    for address, change in changes.items():
        if change.action is Action.DELETE:
            graph[address] |= {r for r in referrers[address] if r in changes and r != address}
    return graph


def _referrers(state: State, changes: dict[str, Change]) -> dict[str, set[str]]:
    """For each address in state, the (change) addresses of the objects that referred to it."""
    renamed = {c.previous_address: c.address for c in changes.values() if c.previous_address}
    referrers: dict[str, set[str]] = defaultdict(set)
    for address, entry in state.entries.items():
        for dependency in entry.depends_on:
            referrers[dependency].add(renamed.get(address, address))
    return referrers
