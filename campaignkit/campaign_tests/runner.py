"""Running one campaign test through the engine and comparing what happened with what it expects.

A test is run once per expectation, up to that expectation's time (or the
end), because the engine is deterministic and a fresh run is simpler and
safer than snapshots. Runs use the engine's ``Run`` exactly as ``simulate``
does; the only difference is the responder, which plays the test's events.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo
from typing import Any

from campaignkit.campaign_tests.cases import PROSPECT_KEYS, TestCase
from campaignkit.engine.activity import Event, apply_event
from campaignkit.engine.conditions import is_member
from campaignkit.engine.durations import parse_duration
from campaignkit.engine.grading import grade_of
from campaignkit.engine.program import NOT_ENDED_PHASES, OUTSIDE_PHASES, STOPPED, Run
from campaignkit.engine.prospect import Prospect
from campaignkit.engine.scoring import begin, decay
from campaignkit.engine.times import show
from campaignkit.engine.world import World

DEFAULT_UNTIL = "90d"
_TARGET_KEYS = ("email", "form", "page", "file", "list")


@dataclass(frozen=True)
class Taken:
    """One step the prospect took: when it reached it and what came of it."""

    step: str
    at: datetime
    outcome: str = ""


@dataclass
class Trace:
    """The recorder of a test run: every step and every email, in order."""

    zone: tzinfo
    steps: list[Taken] = field(default_factory=list)
    emails: list[tuple[str, datetime]] = field(default_factory=list)

    def entered(self, run: Run, step: str, at: datetime) -> None:
        self.steps.append(Taken(step, at))

    def left(self, run: Run, step: str, at: datetime, outcome: str) -> None:
        entered = self.steps.pop()
        timing = f" at {show(at, self.zone)}" if at != entered.at else ""
        self.steps.append(Taken(step, entered.at, outcome + timing))

    def sent(self, run: Run, email: str, at: datetime) -> None:
        self.emails.append((email, at))

    @property
    def path(self) -> list[Taken]:
        return [t for t in self.steps if not t.outcome.startswith("stopped")]


@dataclass(frozen=True)
class Mismatch:
    """One expectation that did not hold; ``rows`` compare sequences item by item."""

    what: str
    expected: str
    actual: str
    rows: tuple[tuple[bool, str, str, str], ...] = ()


@dataclass(frozen=True)
class Outcome:
    """What the prospect's state and trace were at one moment."""

    prospect: Prospect
    trace: Trace
    status: str
    at: datetime


@dataclass(frozen=True)
class Result:
    case: TestCase
    mismatches: tuple[tuple[str, Mismatch], ...]

    @property
    def passed(self) -> bool:
        return not self.mismatches


def run_test(world: World, case: TestCase) -> Result:
    """Runs ``case`` and compares each of its expectations."""
    expects = case.data.get("expect", [])
    found: list[tuple[str, Mismatch]] = []
    for expect in expects if isinstance(expects, list) else [expects]:
        until = case.time(expect.get("at", case.data.get("until", DEFAULT_UNTIL)))
        outcome = play(world, case, until)
        label = f"at {show(until, case.zone)}" if "at" in expect else "at the end"
        found.extend((label, m) for m in compare(world, case, expect, outcome))
    return Result(case, tuple(found))


def play(world: World, case: TestCase, until: datetime) -> Outcome:
    """The prospect's way through the test up to ``until``."""
    prospect = initial_prospect(world, case)
    events, after_send = _events(case)
    trace = Trace(case.zone)
    if case.program is None:
        begin(world, prospect, case.start)
        for event in (e for e in events if e.at <= until):
            decay(world, prospect, event.at)
            apply_event(world, prospect, event)
        decay(world, prospect, until)
        return Outcome(prospect, trace, "not entered", until)
    run = Run(world, case.program, prospect, case.start, trace, events, _responder(after_send))
    run.advance(until)
    decay(world, prospect, until)
    return Outcome(prospect, trace, _status(run.phase), until)


def initial_prospect(world: World, case: TestCase) -> Prospect:
    given: dict[str, Any] = case.data.get("prospect") or {}
    persona = world.personas.get(given.get("persona", ""), {})
    fields = {**persona.get("sample", {}), **{k: v for k, v in given.items() if k not in PROSPECT_KEYS}}
    lists = set(given["lists"]) if "lists" in given else _default_lists(world, case)
    prospect = Prospect(fields=fields, score=given.get("score", 0), lists=lists, tags=set(given.get("tags", ())),
                        opted_out=given.get("opted_out", False), pinned_grade=given.get("grade"))
    return prospect


def _default_lists(world: World, case: TestCase) -> set[str]:
    """A program test's prospect starts on the program's first recipient list, if it is static."""
    if "program" not in case.data or case.program is None:
        return set()
    first = world.programs[case.program]["recipients"]["include"][0]
    return set() if world.lists.get(first, {}).get("type") == "dynamic" else {first}


def _events(case: TestCase) -> tuple[list[Event], list[tuple[str, timedelta, Event]]]:
    """Events with a time, and events that happen a while after an email is sent."""
    timed: list[Event] = []
    if "form" in case.data:
        timed.append(Event(case.start, "form_submitted", case.data["form"]))
    after_send: list[tuple[str, timedelta, Event]] = []
    for raw in case.data.get("events", ()):
        target = next((raw[k] for k in _TARGET_KEYS if k in raw), "")
        at = case.start if "after" in raw else case.time(raw["at"])
        event = Event(at, raw["type"], target, raw.get("link", ""))
        if "after" in raw:
            after_send.append((raw["email"], parse_duration(raw["after"]), event))
        else:
            timed.append(event)
    return timed, after_send


def _responder(after_send: list[tuple[str, timedelta, Event]]) -> Callable[[Run, str, datetime], None]:
    """Plays each ``after`` event once, after the first send of its email."""
    pending = list(after_send)

    def respond(run: Run, email: str, at: datetime) -> None:
        due = [item for item in pending if item[0] == email]
        for item in due:
            pending.remove(item)
        run.add_events([dataclasses.replace(event, at=at + delay) for _, delay, event in due])

    return respond


def _status(phase: str) -> str:
    if phase in OUTSIDE_PHASES:
        return "not entered"
    if phase == STOPPED:
        return "stopped"
    return "waiting" if phase in NOT_ENDED_PHASES else "ended"


# --- comparing ------------------------------------------------------------------------------------

def compare(world: World, case: TestCase, expect: dict[str, Any], outcome: Outcome) -> list[Mismatch]:
    found = []
    for key, check in _CHECKS.items():
        if key in expect:
            mismatch = check(world, case, expect[key], outcome)
            if mismatch:
                found.append(mismatch)
    return found


def _sequence(what: str, expected: list[tuple[str, str]], actual: list[tuple[str, str, str]]) -> Mismatch | None:
    """Expected (name, time or "") against actual (name, time, note), item by item."""
    rows = []
    for index in range(max(len(expected), len(actual))):
        want = expected[index] if index < len(expected) else ("", "")
        got = actual[index] if index < len(actual) else ("", "", "")
        ok = want[0] == got[0] and (not want[1] or want[1] == got[1])
        wanted = want[0] + (f" at {want[1]}" if want[1] else "")
        rows.append((ok, wanted or "(nothing)", got[0] or "(nothing)", f"{got[1]}  {got[2]}".strip()))
    if all(ok for ok, *_ in rows):
        return None
    return Mismatch(what, f"{len(expected)} item(s)", f"{len(actual)} item(s)", tuple(rows))


def _emails(world: World, case: TestCase, expected: list, outcome: Outcome) -> Mismatch | None:
    wanted = [(e, "") if isinstance(e, str) else (e["email"], show(case.time(e["at"]), case.zone) if "at" in e else "")
              for e in expected]
    actual = [(email, show(at, case.zone), "") for email, at in outcome.trace.emails]
    return _sequence("emails", wanted, actual)


def _path(world: World, case: TestCase, expected: list, outcome: Outcome) -> Mismatch | None:
    actual = [(t.step, show(t.at, case.zone), t.outcome) for t in outcome.trace.path]
    return _sequence("path", [(step, "") for step in expected], actual)


def _value(what: str, getter: Callable[[World, Outcome], Any]) -> Callable[..., Mismatch | None]:
    def check(world: World, case: TestCase, expected: Any, outcome: Outcome) -> Mismatch | None:
        actual = getter(world, outcome)
        return None if actual == expected else Mismatch(what, _text(expected), _text(actual))

    return check


def _text(value: Any) -> str:
    """A value as a user tells it apart: text quoted (the text '1200' is not the number 1200), empty as (empty)."""
    if value is None:
        return "(empty)"
    if isinstance(value, bool):
        return str(value).lower()
    return repr(value) if isinstance(value, str) else str(value)


def _lists(negate: bool) -> Callable[..., Mismatch | None]:
    def check(world: World, case: TestCase, expected: list[str], outcome: Outcome) -> Mismatch | None:
        wrong = [a for a in expected if is_member(world, outcome.prospect, a, outcome.at) == negate]
        if not wrong:
            return None
        verb = "on" if negate else "not on"
        return Mismatch("not_lists" if negate else "lists", ("not on " if negate else "on ") + ", ".join(expected),
                        f"{verb} {', '.join(wrong)}")

    return check


def _tags(world: World, case: TestCase, expected: list[str], outcome: Outcome) -> Mismatch | None:
    missing = [t for t in expected if t not in outcome.prospect.tags]
    if not missing:
        return None
    return Mismatch("tags", ", ".join(expected), ", ".join(sorted(outcome.prospect.tags)) or "no tags")


def _fields(world: World, case: TestCase, expected: dict[str, Any], outcome: Outcome) -> Mismatch | None:
    wrong = {k: outcome.prospect.fields.get(k) for k, v in expected.items() if outcome.prospect.fields.get(k) != v}
    if not wrong:
        return None
    return Mismatch("fields", ", ".join(f"{k}={_text(expected[k])}" for k in wrong),
                    ", ".join(f"{k}={_text(v)}" for k, v in wrong.items()))


_CHECKS: dict[str, Callable[..., Mismatch | None]] = {
    "status": _value("status", lambda w, o: o.status),
    "path": _path,
    "emails": _emails,
    "score": _value("score", lambda w, o: o.prospect.score),
    "grade": _value("grade", lambda w, o: grade_of(w, o.prospect)),
    "mql": _value("mql", lambda w, o: o.prospect.mql_at is not None),
    "lists": _lists(False),
    "not_lists": _lists(True),
    "tags": _tags,
    "fields": _fields,
    "assigned_to": _value("assigned_to", lambda w, o: o.prospect.assigned_to),
    "opted_out": _value("opted_out", lambda w, o: o.prospect.opted_out),
}
