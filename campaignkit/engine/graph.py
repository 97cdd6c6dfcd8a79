"""A program's steps as a graph: what kind each step is and where it leads.

Shared by the program checks, the diagrams and the engine, so that all three
agree on what a step is. It reads the step mappings as written (``schemas/program.json``)
and never reports problems itself.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from functools import cached_property
from typing import Any

from campaignkit.engine.durations import parse_duration

ACTIONS = (
    "send_email",
    "add_to_list",
    "remove_from_list",
    "adjust_score",
    "set_field",
    "add_tag",
    "remove_tag",
    "assign",
    "notify",
    "create_task",
    "add_to_campaign",
    "wait",
)
TRIGGERS = ("email_opened", "email_clicked", "form_submitted", "page_viewed", "file_downloaded")
EMAIL_TRIGGERS = ("email_opened", "email_clicked")
RULES = ("score", "grade", "field", "on_list", "has_tag", "opted_out")
BRANCH_KEYS = ("next", "yes", "no")
MAX_CONDITIONS = 5
MAX_STEPS = 300
_NOTHING = timedelta(0)


def step_kind(step: dict[str, Any]) -> str:
    """``action``, ``trigger``, ``rule`` or ``end``."""
    if step.get("end"):
        return "end"
    if "trigger" in step:
        return "trigger"
    if "rule" in step:
        return "rule"
    return "action"


def step_action(step: dict[str, Any]) -> str | None:
    """The action key of an action step (``send_email``, ``wait``, ...)."""
    return next((key for key in ACTIONS if key in step), None)


def lasts(duration: Any) -> bool:
    """Whether ``duration`` (``3d``) is longer than nothing; one that does not read counts as a wait,
    since the schema reports it."""
    try:
        return parse_duration(duration) > _NOTHING
    except ValueError:
        return True


@dataclass(frozen=True)
class Graph:
    start: str
    steps: dict[str, dict[str, Any]]

    def successors(self, name: str) -> list[str]:
        return self._successors.get(name, [])

    def branches(self) -> Iterator[tuple[str, str, str]]:
        """(step, branch key, target) for every branch of every step."""
        return iter(self._branches)

    @cached_property  # every program check walks the branches, some from every step
    def _branches(self) -> list[tuple[str, str, str]]:
        return [(name, key, step[key]) for name, step in self.steps.items() for key in BRANCH_KEYS
                if isinstance(step.get(key), str)]

    @cached_property
    def _successors(self) -> dict[str, list[str]]:
        found: dict[str, list[str]] = {}
        for name, _, target in self._branches:
            found.setdefault(name, []).append(target)
        return found

    def instant_branches(self) -> dict[str, list[str]]:
        """Each step's branches that a prospect may take at the moment it reaches the step.

        Time passes only after a wait of some length and on a trigger's ``no``, taken when
        its window closes; a trigger's ``yes`` is taken as soon as the event happens, which
        may be at once when it happened before.
        """
        instant: dict[str, list[str]] = {}
        for name, key, target in self.branches():
            step = self.steps[name]
            waits = (key == "next" and "wait" in step and lasts(step["wait"])) or \
                (key == "no" and step_kind(step) == "trigger" and lasts(step.get("within")))
            if not waits and target in self.steps:
                instant.setdefault(name, []).append(target)
        return instant

    def ends(self) -> set[str]:
        return {name for name, step in self.steps.items() if step_kind(step) == "end"}

    def reachable_from(self, start: str) -> set[str]:
        return set(self._breadth_first(start))

    def _breadth_first(self, start: str) -> list[str]:
        """The steps reachable from ``start``, nearest first."""
        order, seen = [start], {start}
        for name in order:
            for target in self.successors(name):
                if target in self.steps and target not in seen:
                    seen.add(target)
                    order.append(target)
        return order

    def reaching(self, targets: set[str]) -> set[str]:
        """Every step from which some path leads to one of ``targets``."""
        seen, todo = set(targets), list(targets)
        while todo:
            for source in self._predecessors.get(todo.pop(), ()):
                if source not in seen:
                    seen.add(source)
                    todo.append(source)
        return seen

    @cached_property
    def _predecessors(self) -> dict[str, list[str]]:
        predecessors: dict[str, list[str]] = {}
        for source, _, target in self.branches():
            predecessors.setdefault(target, []).append(source)
        return predecessors

    def sent_before(self, step: str, email: str) -> bool:
        """Whether every path from start to ``step`` sends ``email`` before it (true of a step no path reaches).

        That is: no path from start reaches ``step`` without passing a step that sends it,
        so a search from start that stops at those steps never gets there.
        """
        if step == self.start:
            return False
        order, seen = [self.start], {self.start}
        for name in order:
            if self.sends(name) == email:
                continue  # every path on from here has sent it
            for target in self.successors(name):
                if target == step:
                    return False
                if target in self.steps and target not in seen:
                    seen.add(target)
                    order.append(target)
        return True

    def sends(self, name: str) -> str | None:
        value = self.steps.get(name, {}).get("send_email")
        return value if isinstance(value, str) else None

    def email_triggers(self) -> Iterator[tuple[str, str]]:
        for name, step in self.steps.items():
            if step.get("trigger") in EMAIL_TRIGGERS and isinstance(step.get("email"), str):
                yield name, step["email"]

    def condition_counts(self) -> Iterator[tuple[str, int]]:
        for name, step in self.steps.items():
            if step_kind(step) == "rule":
                conditions = step.get("conditions")
                yield name, len(conditions) if isinstance(conditions, list) else 1


def graph_of(program: dict[str, Any]) -> Graph:
    steps = program.get("steps") or {}
    return Graph(str(program.get("start", "")), {str(k): v for k, v in steps.items() if isinstance(v, dict)})
