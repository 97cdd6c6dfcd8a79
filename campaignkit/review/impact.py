"""The impact of a change on the funnel: the simulation run on the files before and after it.

For every program a change can move (a changed program; every running program
when scoring or grading changes; the programs whose recipients are a changed
list), the same population (the same seed: synthetic prospects from the
personas, or the prospects file ``simulation.impact.prospects`` names) runs
through the program as state holds it and as the files declare it. The
difference is what a reviewer reads: emails sent per email, prospects reaching
each step, MQLs by week.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

from campaignkit.engine.populations import population_for
from campaignkit.engine.simulate import Report, simulate
from campaignkit.engine.world import World
from campaignkit.plan import Action, Change
from campaignkit.plan.diff import field_changes
from campaignkit.workspace.model import Resource, Workspace, plain

DEFAULTS = {"prospects": 10_000, "days": 90, "seed": 1}
#: Fields that name, describe and file an object: changing them moves no prospect.
_LABELS = frozenset({"name", "title", "description", "tags", "folder", "campaign", "lifecycle"})
#: The kinds whose change moves prospects through programs.
IMPACT_KINDS = frozenset({"program", "scoring", "grading", "list"})


@dataclass(frozen=True)
class ProgramImpact:
    """One program's simulation before and after the plan (``before`` None: the program is new)."""

    program: str
    because: tuple[str, ...]
    before: Report | None
    after: Report

    def as_json(self) -> dict[str, Any]:
        before = _summary(self.before) if self.before else None
        after = _summary(self.after)
        return {"program": self.program, "because": list(self.because), "before": before, "after": after,
                "mql_difference": after["mqls"] - (before["mqls"] if before else 0)}


@dataclass(frozen=True)
class Impact:
    prospects: int
    days: int
    seed: int
    programs: tuple[ProgramImpact, ...]

    def as_json(self) -> dict[str, Any]:
        return {"prospects": self.prospects, "days": self.days, "seed": self.seed,
                "programs": [p.as_json() for p in self.programs]}


def _summary(report: Report) -> dict[str, Any]:
    weekly = [sum(report.funnel.mqls[day:day + 7]) for day in range(0, report.days, 7)]
    return {"mqls": sum(weekly), "mqls_by_week": weekly,
            "emails": {email: sum(days) for email, days in sorted(report.funnel.sends.items())},
            "steps": {step: report.funnel.entries.get(step, 0) for step in report.kinds}}


def affected(changes: Iterable[Change], workspace: Workspace) -> dict[str, list[str]]:
    """The programs whose funnel ``changes`` can move, each with the addresses that move it."""
    programs = {p.address: plain(p.data) for p in workspace.of_kind("program")}
    moved: dict[str, list[str]] = {}
    for change in changes:
        if change.kind == "program" and change.after is not None:
            moved.setdefault(change.address, []).append(change.address)
        elif change.kind in ("scoring", "grading"):
            for address, program in programs.items():
                if program.get("status") == "running":
                    moved.setdefault(address, []).append(change.address)
        elif change.kind == "list":
            for address, program in programs.items():
                recipients = program.get("recipients") or {}
                if change.address in (*recipients.get("include", ()), *recipients.get("exclude", ())):
                    moved.setdefault(address, []).append(change.address)
    return {program: list(dict.fromkeys(because)) for program, because in moved.items()}


def impact_of(changes: tuple[Change, ...], workspace: Workspace) -> Impact | None:
    """The impact of ``changes``; None when none of them moves a program. A create changes nothing that
    was there: a new program or a first scoring model has no "before" to compare with."""
    moved = affected((c for c in changes if c.kind in IMPACT_KINDS and c.action is not Action.CREATE
                      and _moves_prospects(c)), workspace)
    if not moved:
        return None
    settings = {**DEFAULTS, **plain((workspace.config.data.get("simulation") or {}).get("impact") or {})}
    after_world = World.from_workspace(workspace)
    before_world = World.from_workspace(_before(workspace, changes))
    days, seed, given = int(settings["days"]), int(settings["seed"]), str(settings["prospects"])
    if not given.isdigit():
        given = str(workspace.root / given)  # a prospects file, named from the workspace
    results = []
    for program, because in sorted(moved.items()):
        before = (_run(before_world, program, given, days, seed) if program in before_world.programs else None)
        results.append(ProgramImpact(program, tuple(because), before, _run(after_world, program, given, days, seed)))
    return Impact(results[0].after.prospects, days, seed, tuple(results))


def impact_between(base: Workspace, workspace: Workspace) -> Impact | None:
    """The impact of what the files change since ``base``, an earlier version of them (``preview --base``):
    each program, scoring, grading or list declared in both and declared differently, as an update."""
    changes = []
    for address, resource in workspace.resources.items():
        old = base.resources.get(address)
        if resource.kind in IMPACT_KINDS and old is not None and old.attributes != resource.attributes:
            changes.append(Change(address, resource.kind, resource.name, Action.UPDATE, old.attributes,
                                  resource.attributes, field_changes(old.attributes, resource.attributes)))
    return impact_of(tuple(changes), workspace)


def _moves_prospects(change: Change) -> bool:
    """Whether ``change`` touches more than how the object is named and filed (a list's title moves no one)."""
    return change.action is not Action.UPDATE or any(f.top not in _LABELS for f in change.fields)


def _run(world: World, program: str, given: str, days: int, seed: int) -> Report:
    return simulate(world, program, population_for(world, program, given, seed), days, seed)


def _before(workspace: Workspace, changes: Iterable[Change]) -> Workspace:
    """``workspace`` with each changed resource as state holds it (and without those the plan creates)."""
    resources = dict(workspace.resources)
    for change in changes:
        current = resources.get(change.address)
        if change.before is None:
            resources.pop(change.address, None)
        elif current is not None or change.kind in IMPACT_KINDS:
            position = current.position if current else workspace.config.position
            resources[change.address] = Resource(change.kind, change.name,
                                                 {"kind": change.kind, "name": change.name, **change.before}, position)
    return replace(workspace, resources=resources)
