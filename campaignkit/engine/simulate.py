"""Running a population through a program: the funnel per step, emails per day, MQLs over time.

Prospects are advanced in cohorts: every group of identical prospects is one
engine ``Run`` with a count, and a cohort splits only where behaviour differs
(after an email: who opts out, who opens and when, who clicks, who converts).
The step semantics are the engine's, the same functions ``campaignkit test``
runs, so simulation and tests cannot disagree about what a program does.
Randomness comes from one ``random.Random(seed)``: the same seed gives the same
result. Nothing here prints; ``cli.engine_commands`` does.
"""

from __future__ import annotations

import csv
import itertools
import math
import random
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any

from campaignkit.diagnostics import closest, did_you_mean
from campaignkit.engine.activity import Event
from campaignkit.engine.comparisons import field_matches
from campaignkit.engine.conditions import ACTIVITY_TARGET
from campaignkit.engine.durations import parse_duration
from campaignkit.engine.graph import EMAIL_TRIGGERS, graph_of, step_kind
from campaignkit.engine.program import Run
from campaignkit.engine.prospect import Prospect
from campaignkit.engine.schedule import Schedule
from campaignkit.engine.times import DEFAULT_START, parse_absolute
from campaignkit.engine.world import World
from campaignkit.errors import UserError
from campaignkit.workspace.model import mappings_below
from campaignkit.workspace.values import misfit

FORMAT_VERSION = "1.0"
#: Rates for an email the workspace's ``simulation`` section says nothing about.
DEFAULT_RATES = {"open_rate": 0.25, "click_rate": 0.1, "form_rate": 0.1, "unsubscribe_rate": 0.003}
#: When openers open, after the send: most within the hour, some that evening, a few days later.
OPEN_DELAYS = ((timedelta(hours=1), 0.6), (timedelta(hours=8), 0.25), (timedelta(days=2), 0.15))
CLICK_AFTER_OPEN = timedelta(minutes=5)
CONVERT_AFTER_CLICK = timedelta(minutes=15)
UNSUBSCRIBE_AFTER = timedelta(hours=1)
CSV_LIST_SEPARATOR = ";"
#: The largest synthetic population: a larger one gives the same shares in the funnel, and its
#: counts would no longer fit the columns of the text report.
MAX_PROSPECTS = 1_000_000


@dataclass(frozen=True)
class Cohort:
    count: int
    prospect: Prospect


@dataclass
class Funnel:
    """The recorder of a simulation: counts per step, sends per email per day, MQLs per day, and the
    time prospects spend on each step (``dwell``, in prospect-days), from which ``in_flight`` estimates
    how many wait on a step at any moment."""

    start: datetime
    days: int
    entries: dict[str, int] = field(default_factory=dict)
    outcomes: dict[str, dict[str, int]] = field(default_factory=dict)
    waiting: dict[str, int] = field(default_factory=dict)
    sends: dict[str, list[int]] = field(default_factory=dict)
    mqls: list[int] = field(default_factory=list)
    dwell: dict[str, float] = field(default_factory=dict)
    #: The step each run is on and since when, by the run's id, between entering and leaving it.
    _on: dict[int, tuple[str, datetime]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.mqls = [0] * self.days

    @property
    def until(self) -> datetime:
        return self.start + timedelta(days=self.days)

    def day(self, at: datetime) -> int:
        return min(self.days - 1, max(0, (at - self.start) // timedelta(days=1)))

    def entered(self, run: Run, step: str, at: datetime) -> None:
        self.entries[step] = self.entries.get(step, 0) + run.count
        self._on[id(run)] = (step, at)

    def left(self, run: Run, step: str, at: datetime, outcome: str) -> None:
        branch = outcome if outcome in ("yes", "no") else "not sent" if outcome.startswith("not sent") else \
            "stopped" if outcome.startswith("stopped") else "done"
        counts = self.outcomes.setdefault(step, {})
        counts[branch] = counts.get(branch, 0) + run.count
        _, since = self._on.pop(id(run), (step, at))
        # A wait step is left as it starts: its prospects stay on it for the wait, or to the end of the run.
        until = min(at + parse_duration(outcome[5:]), self.until) if outcome.startswith("wait ") else at
        self._spend(run, step, since, until)

    def _spend(self, run: Run, step: str, since: datetime, until: datetime) -> None:
        if until > since:
            self.dwell[step] = self.dwell.get(step, 0.0) + run.count * ((until - since) / timedelta(days=1))

    def sent(self, run: Run, email: str, at: datetime) -> None:
        self.sends.setdefault(email, [0] * self.days)[self.day(at)] += run.count

    def finish(self, run: Run) -> None:
        if id(run) in self._on:  # still in a trigger window or a held send
            step, since = self._on.pop(id(run))
            self._spend(run, step, since, self.until)
        if run.waiting_at:
            self.waiting[run.waiting_at] = self.waiting.get(run.waiting_at, 0) + run.count
        if run.prospect.mql_at is not None:
            self.mqls[self.day(run.prospect.mql_at)] += run.count


@dataclass(frozen=True)
class Report:
    program: str
    prospects: int
    days: int
    seed: int
    start: datetime
    funnel: Funnel
    kinds: dict[str, str]
    cohorts: int
    clock: tzinfo = UTC  # the program's time zone, to show its moments in
    #: The program has ``status: paused``: nothing moves in it (docs/engine.md, Paused programs).
    paused: bool = False

    def as_json(self) -> dict[str, Any]:
        """The documented ``simulate --format json`` shape (docs/engine.md)."""
        cumulative = [sum(self.funnel.mqls[: i + 1]) for i in range(self.days)]
        return {
            "format_version": FORMAT_VERSION,
            "program": self.program,
            "prospects": self.prospects,
            "days": self.days,
            "seed": self.seed,
            "start": self.start.isoformat(),
            "funnel": [self.step_row(step) for step in self.kinds],
            "emails": {email: {"total": sum(days), "per_day": days}
                       for email, days in sorted(self.funnel.sends.items())},
            "mqls": {"total": cumulative[-1] if cumulative else 0, "per_day": self.funnel.mqls,
                     "cumulative": cumulative},
        }

    def step_row(self, step: str) -> dict[str, Any]:
        outcomes = self.funnel.outcomes.get(step, {})
        return {"step": step, "kind": self.kinds[step], "entered": self.funnel.entries.get(step, 0),
                "yes": outcomes.get("yes", 0), "no": outcomes.get("no", 0), "not_sent": outcomes.get("not sent", 0),
                "stopped": outcomes.get("stopped", 0), "waiting": self.funnel.waiting.get(step, 0)}


def simulate(world: World, program: str, population: list[Cohort], days: int, seed: int,
             start: datetime | None = None, progress: Callable[[int], None] = lambda done: None) -> Report:
    """Runs ``population`` through ``program`` for ``days`` days from ``start`` (by default
    ``default_start``); the report's moments are in UTC, as the engine keeps them."""
    start = (start or default_start(world, program)).astimezone(UTC)
    rng = random.Random(seed)
    funnel = Funnel(start, days)
    until = start + timedelta(days=days)
    responder = _Responder(world, program, rng)
    pending = [Run(world, program, cohort.prospect, start, funnel, count=cohort.count) for cohort in population]
    for run in pending:
        run.responder = responder
    cohorts = len(pending)
    while pending:
        run = pending.pop()
        run.advance(until)
        if run.forks:
            cohorts += len(run.forks)
            pending.extend(run.forks)
            run.forks = []
        funnel.finish(run)
        progress(run.count)
    graph = graph_of(world.programs[program])
    kinds = {name: step_kind(graph.steps[name]) for name in _in_order(graph)}
    return Report(program, sum(c.count for c in population), days, seed, start, funnel, kinds, cohorts,
                  _clock(world, program), world.programs[program].get("status") == "paused")


def in_flight(report: Report) -> dict[str, float]:
    """How many prospects wait on each step at any moment, when the report's population enters evenly
    over its days: the time they spend on the step over the length of the run (Little's law)."""
    return {step: days / report.days for step, days in report.funnel.dwell.items()}


def default_start(world: World, program: str) -> datetime:
    """When a simulation starts: where a campaign test starts by default, Monday 2026-03-02 10:00,
    on the program's clock (its schedule's time zone, else UTC), so that ``simulate`` and ``test``
    run a program from the same moment: a Monday morning, inside the usual business hours."""
    return parse_absolute(DEFAULT_START, _clock(world, program))


def _clock(world: World, program: str) -> tzinfo:
    """The program's time zone: its schedule's, else UTC."""
    schedule = Schedule.of(world.programs[program])
    return schedule.zone if schedule else UTC


def _in_order(graph) -> list[str]:
    """Steps in the order a reader meets them: breadth first from start, then any unreachable ones."""
    order, todo = [], [graph.start]
    while todo:
        name = todo.pop(0)
        if name in graph.steps and name not in order:
            order.append(name)
            todo.extend(graph.successors(name))
    return order + [name for name in graph.steps if name not in order]


class _Responder:
    """Splits a cohort after each email by what its prospects do, drawn from the email's rates."""

    def __init__(self, world: World, program: str, rng: random.Random) -> None:
        self.rng = rng
        self.rates = _rates(world)
        self.shares: dict[str, list[tuple[float, list[tuple[timedelta, str, str]]]]] = {}
        steps = graph_of(world.programs[program]).steps.values()
        # A converting clicker does every non-email thing the program listens for.
        self.conversions = sorted({(s["trigger"], s[ACTIVITY_TARGET[s["trigger"]]]) for s in steps
                                   if s.get("trigger") and s["trigger"] not in EMAIL_TRIGGERS})

    def __call__(self, run: Run, email: str, at: datetime) -> None:
        if email not in self.shares:
            self.shares[email] = self._shares(self.rates(email))
        shares = self.shares[email]
        counts = multinomial(self.rng, run.count, [share for share, _ in shares])
        kept = False
        for count, (_, events) in zip(counts, shares, strict=True):
            if count == 0:
                continue
            resolved = [Event(at + delay, kind, target or email) for delay, kind, target in events]
            if not kept:
                kept = True
                run.count = count
                run.add_events(resolved)
            else:
                run.forks.append(run.fork(count, resolved))

    def _shares(self, r: dict[str, float]) -> list[tuple[float, list[tuple[timedelta, str, str]]]]:
        stay = 1 - r["unsubscribe_rate"]
        shares = [(stay * (1 - r["open_rate"]), []),
                  (r["unsubscribe_rate"], [(UNSUBSCRIBE_AFTER, "opted_out", "-")])]
        for delay, weight in OPEN_DELAYS:
            opened = stay * r["open_rate"] * weight
            click = delay + CLICK_AFTER_OPEN
            converted = [(click + CONVERT_AFTER_CLICK, kind, target) for kind, target in self.conversions]
            shares.append((opened * (1 - r["click_rate"]), [(delay, "email_opened", "")]))
            shares.append((opened * r["click_rate"] * (1 - r["form_rate"]), [(click, "email_clicked", "")]))
            if converted:
                shares.append((opened * r["click_rate"] * r["form_rate"], [(click, "email_clicked", ""), *converted]))
        return shares


def _rates(world: World) -> Callable[[str], dict[str, float]]:
    section = world.simulation
    defaults = {**DEFAULT_RATES, **section.get("defaults", {})}
    per_email = {email: {**defaults, **rates} for email, rates in section.get("emails", {}).items()}
    return lambda email: per_email.get(email, defaults)


# --- randomness -----------------------------------------------------------------------------------

def multinomial(rng: random.Random, n: int, shares: list[float]) -> list[int]:
    """``n`` split into len(shares) counts with the given probabilities (summing to 1)."""
    if n == 1:  # one prospect: one categorical draw instead of a binomial per category
        u, counts = rng.random(), [0] * len(shares)
        counts[next((i for i, c in enumerate(itertools.accumulate(shares)) if u < c), len(shares) - 1)] = 1
        return counts
    counts, remaining, rest = [], n, 1.0
    for share in shares[:-1]:
        k = binomial(rng, remaining, min(1.0, share / rest)) if rest > 0 else 0
        counts.append(k)
        remaining, rest = remaining - k, rest - share
    return [*counts, remaining]


def binomial(rng: random.Random, n: int, p: float) -> int:
    """A binomial draw: exact by inversion when the mean is small, else the normal approximation.

    Python 3.11 has no ``binomialvariate``; a cohort of 100,000 needs no more
    than this, and both branches cost O(1) to O(30) steps.
    """
    if n <= 0 or p <= 0:
        return 0
    if p >= 1:
        return n
    if p > 0.5:
        return n - binomial(rng, n, 1 - p)
    mean = n * p
    if mean >= 30:
        return min(n, max(0, round(rng.gauss(mean, math.sqrt(mean * (1 - p))))))
    term = (1 - p) ** n
    u, k, total = rng.random(), 0, term
    while u > total and k < n:
        term *= (n - k) / (k + 1) * p / (1 - p)
        k += 1
        total += term
    return k


# --- populations ----------------------------------------------------------------------------------

def synthetic_population(world: World, program: str, size: int, rng_seed: int) -> list[Cohort]:
    """``size`` prospects drawn from the personas' shares, each like its persona's sample.

    Fields the sample leaves out take the field's ``example`` (or default). With
    no personas, every prospect is the field examples. All start on the
    program's recipient lists: simulate shows what the program does to the
    people who enter it.
    """
    personas = [p for p in world.personas.values() if p.get("sample")] or [{"sample": {}, "share": 1}]
    shares = [p.get("share", 0) for p in personas]
    if sum(shares) <= 0:
        shares = [1.0] * len(personas)
    total = sum(shares)
    counts = multinomial(random.Random(rng_seed), size, [s / total for s in shares])
    base = {k: v for k, v in world.field_defaults.items() if v is not None}
    lists = set(world.programs[program]["recipients"]["include"])
    return [Cohort(count, Prospect(fields={**base, **persona["sample"]}, lists=set(lists)))
            for count, persona in zip(counts, personas, strict=True) if count]


def csv_population(world: World, program: str, path: Path) -> list[Cohort]:
    """Prospects from a CSV file: one column per field (by field name), plus optional
    ``score``, ``opted_out``, ``tags`` and ``lists`` (both ``;``-separated).

    Rows that agree on everything the engine reads form one cohort: a field matters
    only through the answers of the rules that test it, so two addresses that every
    rule answers alike are the same to the program (and a first name no rule tests
    does not matter at all).
    """
    columns, rows = _read_csv(path)
    if not rows:
        raise UserError(f"{path} has no prospects (a header row and one row per prospect)")
    known = set(world.field_defaults) | {"score", "opted_out", "tags", "lists"}
    unknown = [c for c in columns if c not in known]
    if unknown:
        raise UserError(f"{path}: column '{unknown[0]}' is not a field{did_you_mean(closest(unknown[0], known))}")
    answers = _Answers(world)
    grouped: dict[tuple, tuple[dict[str, Any], int]] = {}
    already_read: dict[tuple[str, str], Any] = {}
    for line, text in rows:
        row = _typed_row(world, text, f"{path}:{line}", already_read)
        key = tuple(sorted((name, answers(name, value)) for name, value in row.items() if value != ""))
        first, count = grouped.get(key, (row, 0))
        grouped[key] = (first, count + 1)
    recipients = set(world.programs[program]["recipients"]["include"])
    return [Cohort(count, _csv_prospect(dict(row), recipients)) for row, count in grouped.values()]


def _read_csv(path: Path) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """The header and the rows of a prospects CSV, each with its line; a row with more or fewer
    values than the header has columns is a ``UserError`` that names its line, since its values
    cannot be matched to fields."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            columns = list(reader.fieldnames or ())
            rows = []
            for row in reader:
                if None in row or None in row.values():
                    raise UserError(_ragged(path, reader.line_num, columns, row))
                rows.append((reader.line_num, row))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise UserError(f"cannot read {path}: {exc}") from None
    return columns, rows


def _typed_row(world: World, row: dict[str, str], where: str, known: dict[tuple[str, str], Any]) -> dict[str, Any]:
    """A CSV row with each value read as its column says (``_typed_value``); ``known`` keeps the
    values already read by column and text, since a large CSV repeats them."""
    typed: dict[str, Any] = {}
    for column, text in row.items():
        if (column, text) not in known:
            known[column, text] = _typed_value(world, column, text, where)
        typed[column] = known[column, text]
    return typed


def _typed_value(world: World, column: str, text: str, where: str) -> Any:
    """One CSV value read as its field's type: a number field's ``500`` is the number 500
    (``employees >= 200``), a text field's ``01234`` stays text. A value that does not fit its
    field (``many`` employees, a country not among an enum's values) is a ``UserError`` at its
    line, as it would be in a campaign test's prospect."""
    if column == "score":
        if not re.fullmatch(r"\s*-?\d+\s*", text or "0"):
            raise UserError(f"{where}: score: {text!r} is not a whole number")
        return int(text or "0")
    if column == "opted_out":
        if text.strip().lower() not in ("", "true", "false"):
            raise UserError(f"{where}: opted_out: {text!r} is not true or false")
        return text.strip().lower() == "true"
    if column == "lists":
        lists = frozenset(_split(text))
        unknown = sorted(lists.difference(world.lists))
        if unknown:
            raise UserError(f"{where}: lists: {unknown[0]} is not a list of the workspace"
                            f"{did_you_mean(closest(unknown[0], world.lists))}")
        return lists
    field = world.fields.get(column)
    if field is None:
        return text
    value = _typed(field.get("type", "text"), text)
    problem = misfit(field, value) if text != "" else None
    if problem:
        raise UserError(f"{where}: {column}: {problem}")
    return value


def _typed(field_type: str, text: str) -> Any:
    """``text`` as a value of a field of ``field_type``; as it is where it is not one (``misfit`` says so)."""
    if field_type == "number":
        for number in (int, float):
            try:
                return number(text)
            except ValueError:
                pass
    elif field_type == "bool" and text.strip().lower() in ("true", "false"):
        return text.strip().lower() == "true"
    return text


def _ragged(path: Path, line: int, columns: list[str], row: dict[str | None, Any]) -> str:
    """What is wrong with a row whose values do not line up with the header (``csv.DictReader``
    files the values past the last column under ``None`` and gives missing columns ``None``)."""
    extra = row.get(None) or []
    given = sum(value is not None for key, value in row.items() if key is not None) + len(extra)
    plural = lambda n, word: f"{n} {word}{'' if n == 1 else 's'}"  # noqa: E731
    where = f"{path}:{line}: {plural(given, 'value')} for {plural(len(columns), 'column')} ({', '.join(columns)})"
    if extra:
        return f"{where}: {', '.join(repr(value) for value in extra)} {'has' if len(extra) == 1 else 'have'} no column"
    return f"{where}: no value for {', '.join(c for c in columns if row.get(c) is None)}"


class _Answers:
    """What the rules of a workspace answer about one CSV value: all that a prospect's field changes.

    The tests are those of program steps, dynamic lists and grading criteria; a column
    that is not a field (``score``, ``tags``, ...) is state, and counts as written.
    """

    def __init__(self, world: World) -> None:
        self._tests: dict[str, list[dict[str, Any]]] = {}
        for value in mappings_below([world.programs, world.lists, world.criteria]):
            if isinstance(value.get("field"), str) and "op" in value:
                self._tests.setdefault(value["field"].split(".", 1)[1], []).append(value)
        self._fields = set(world.field_defaults)
        self._known: dict[tuple[str, str], object] = {}

    def __call__(self, column: str, value: Any) -> object:
        if column not in self._fields:
            return value
        key = (column, value)
        if key not in self._known:
            self._known[key] = tuple(field_matches(test["op"], value, test.get("value"), test.get("values"))
                                     for test in self._tests.get(column, ()))
        return self._known[key]


def _csv_prospect(row: dict[str, Any], recipients: set[str]) -> Prospect:
    """The prospect of a typed row: on the program's recipient lists and the lists it names."""
    score, opted_out = row.pop("score", 0), row.pop("opted_out", False)
    tags, lists = _split(row.pop("tags", "")), row.pop("lists", frozenset()) | recipients
    return Prospect(fields=row, lists=set(lists), score=score, opted_out=opted_out, tags=tags)


def _split(text: str) -> set[str]:
    """The ``;``-separated values of a CSV cell."""
    return {value.strip() for value in text.split(CSV_LIST_SEPARATOR) if value.strip()}
