"""A program's steps as a graph: what kind each step is, where it leads and what it does in words.

Shared by the program checks, the diagrams, the engine and the targets that
have a person build a program by hand, so that all of them agree on what a
step is and say it alike. It reads the step mappings as written
(``schemas/program.json``) and never reports problems itself.
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
        may be at once when it happened before, unless the trigger waits its full time.
        """
        instant: dict[str, list[str]] = {}
        for name, key, target in self.branches():
            step = self.steps[name]
            window = step_kind(step) == "trigger" and lasts(step.get("within"))
            waits = (key == "next" and "wait" in step and lasts(step["wait"])) or \
                (window and (key == "no" or (key == "yes" and step.get("full_wait") is True)))
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


# --- Steps in words ------------------------------------------------------------------------------

#: Comparison keys of score, grade and field conditions, as people write them.
_OPERATORS = {"gt": ">", "gte": "≥", "lt": "<", "lte": "≤", "eq": "=", "ne": "≠", "in": "in", "not_in": "not in",
              "contains": "contains", "starts_with": "starts with", "is_empty": "is empty",
              "is_not_empty": "is not empty"}
#: Keys of a step that say where it goes or why it exists, not what it does.
_NOT_DETAIL = frozenset({*BRANCH_KEYS, "description", "trigger", "rule", "within", "full_wait", "conditions", "end"})
#: How an action or condition reads before its value, where the value (an address) already says what it is.
_VERBS = {"add_to_list": "add to", "remove_from_list": "remove from", "add_to_campaign": "add to",
          "assign": "assign to", "on_list": "on", "not_on_list": "not on"}


def describe(step: dict[str, Any]) -> list[str]:
    """What a step does, in a line or a few, as a reviewer would say it."""
    kind = step_kind(step)
    if kind == "end":
        return ["end"]
    if kind == "trigger":
        return _trigger(step)
    if kind == "rule":
        return _rule(step)
    action = step_action(step)
    on_date = f" on {step['on_date']}" if action == "send_email" and step.get("on_date") else ""
    return [_action(action, step[action]) + on_date] if action else ["(no action)"]


def _words(key: str) -> str:
    return key.replace("_", " ")


def _action(action: str, value: Any) -> str:
    if action == "send_email":
        return f"✉ send {value}"
    if action == "adjust_score":
        return f"adjust score {value:+d}" if isinstance(value, int) else f"adjust score {value}"
    if action == "set_field" and isinstance(value, dict):
        return f"set {value.get('field')} = {value.get('value')}"
    if action == "create_task" and isinstance(value, dict):
        extra = ", ".join(f"{_words(k)} {v}" for k, v in value.items() if k != "subject")
        return f"create task: {value.get('subject')}" + (f" ({extra})" if extra else "")
    return f"{_VERBS.get(action, _words(action))} {_plain(value)}"


def _trigger(step: dict[str, Any]) -> list[str]:
    details = [_plain(v) for k, v in step.items() if k not in _NOT_DETAIL]
    wait = "wait the full" if step.get("full_wait") is True else "within"
    within = [f"{wait} {step['within']}"] if step.get("within") else []
    return [f"{_words(str(step['trigger']))}?", *details, *within]


def _rule(step: dict[str, Any]) -> list[str]:
    rule = str(step.get("rule"))
    if rule in ("all", "any"):
        conditions = [c for c in step.get("conditions") or () if isinstance(c, dict)]
        return [f"{rule} of:", *(f"• {condition(c)}" for c in conditions)]
    return [condition(_as_condition(rule, step)) + "?"]


def _as_condition(rule: str, step: dict[str, Any]) -> dict[str, Any]:
    """A single-rule step written as the equivalent condition, so both read alike."""
    if rule in ("score", "grade"):
        return {rule: {k: v for k, v in step.items() if k in _OPERATORS}}
    if rule == "on_list":
        return {"on_list": step.get("list")}
    if rule == "has_tag":
        return {"has_tag": step.get("tag")}
    if rule == "opted_out":
        return {"opted_out": True}
    return {k: v for k, v in step.items() if k in ("field", "op", "value", "values")}


def condition(cond: dict[str, Any]) -> str:
    """One rule condition in words: ``score ≥ 100``, ``on list.x``, ``email opened email.y within 21d``."""
    for key in ("score", "grade"):
        if isinstance(cond.get(key), dict):
            return " and ".join(f"{key} {_OPERATORS.get(op, op)} {v}" for op, v in cond[key].items())
    if "field" in cond:
        value = cond.get("values", cond.get("value", ""))
        return f"{cond['field']} {_OPERATORS.get(str(cond.get('op', 'eq')), cond.get('op'))} {_plain(value)}".rstrip()
    if "opted_out" in cond:
        return "opted out" if cond["opted_out"] else "not opted out"
    if "activity" in cond:
        rest = " ".join(_plain(v) for k, v in cond.items() if k not in ("activity", "within"))
        within = f" within {cond['within']}" if cond.get("within") else ""
        return f"{_words(str(cond['activity']))} {rest}".rstrip() + within
    return " ".join(f"{_VERBS.get(k, _words(k))} {_plain(v)}" for k, v in cond.items())


def _plain(value: Any) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{_words(str(k))} {_plain(v)}" for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return ", ".join(_plain(v) for v in value)
    return str(value)
