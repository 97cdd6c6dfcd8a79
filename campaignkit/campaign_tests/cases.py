"""Loading and checking campaign test files (``tests/*.yaml``): one test per YAML document.

Each document is checked against ``schemas/test.json`` and then against the
workspace: every address must exist, every step in a path must be a step of
the program, every prospect key must be a field, every time must read (a real
date, and a run of at most ten years), every test must expect something, and
no two tests may share a name. Tests with errors are not run; their
diagnostics say why, at the file and line. ``select_tests`` picks the tests a name
pattern selects, and refuses a pattern that selects none.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from campaignkit.diagnostics import Diagnostic, Position, closest, did_you_mean, error, warning
from campaignkit.engine.schedule import known_time_zone
from campaignkit.engine.times import DEFAULT_START, TooFar, parse_absolute, parse_time
from campaignkit.errors import UserError
from campaignkit.workspace.documents import Document, key_position_of, load_file, position_of
from campaignkit.workspace.model import ADDRESS, Workspace, plain
from campaignkit.workspace.schema import schema_diagnostics
from campaignkit.workspace.values import misfits

TESTS_FOLDER = "tests"
#: How long one test may run (and how late its ``after`` events may come), as ``simulate --days`` at most.
MAX_RUN = timedelta(days=3650)
#: The years a test's times may fall in: the engine turns them into UTC and adds waits to them, and
#: Python's dates end at year 1 and 9999; a marketing program runs in neither.
START_YEARS = range(1900, 3000)
#: Keys of ``prospect`` that are not field names.
PROSPECT_KEYS = frozenset({"persona", "score", "grade", "lists", "tags", "opted_out", "timezone"})
_Container = TypeVar("_Container", dict, list)


@dataclass(frozen=True)
class TestCase:
    """One campaign test, checked and ready to run."""

    __test__ = False  # not a pytest test class

    name: str
    position: Position
    data: dict[str, Any]
    zone: tzinfo
    start: datetime
    program: str | None

    def time(self, text: str) -> datetime:
        return parse_time(text, self.start)


def test_files(root: Path) -> list[Path]:
    """The test files of ``tests/``; hidden ones (an editor's swap or backup) are no one's tests."""
    folder = root / TESTS_FOLDER
    return sorted(p for p in folder.glob("*.y*ml")
                  if p.suffix in (".yaml", ".yml") and not p.name.startswith(".")) if folder.is_dir() else []


def load_tests(workspace: Workspace) -> tuple[list[TestCase], list[Diagnostic]]:
    """Every test of the workspace, and the diagnostics of the files and tests that are wrong."""
    cases: list[TestCase] = []
    diagnostics: list[Diagnostic] = []
    documents: list[Document] = []
    for path in test_files(workspace.root):
        loaded, problems = load_file(path, path.relative_to(workspace.root).as_posix(), workspace.root)
        diagnostics.extend(problems)
        documents.extend(loaded)
    for document in documents:
        case, problems = _check(workspace, document)
        diagnostics.extend(problems)
        if case is not None:
            cases.append(case)
    diagnostics.extend(_same_names(documents))
    return cases, sorted(diagnostics, key=Diagnostic.sort_key)


def select_tests(cases: list[TestCase], pattern: str) -> list[TestCase]:
    """The tests ``pattern`` selects (``matching``); a ``UserError`` saying why (``no_match``) when it selects none."""
    selected = matching(cases, pattern)
    if not selected:
        raise UserError(no_match(cases, pattern))
    return selected


def matching(cases: list[TestCase], pattern: str) -> list[TestCase]:
    """The tests whose name matches ``pattern``: a glob, or else a word or words anywhere in the name."""
    glob = pattern if any(c in pattern for c in "*?[") else f"*{pattern}*"
    return [c for c in cases if fnmatch.fnmatch(c.name.casefold(), glob.casefold())]


def no_match(cases: list[TestCase], pattern: str, shown: int = 10) -> str:
    """Why ``pattern`` selects nothing, with the words it may be a typo of or else the test names.

    A pattern that selects no test is an error, not a green run: in CI a typo
    would otherwise pass without testing anything.
    """
    if not cases:
        return f"no test matches '{pattern}': the workspace has no campaign tests ({TESTS_FOLDER}/*.yaml)"
    # A typo is of the words of a name: compare the pattern with every run of as many words.
    size = len(pattern.split())
    candidates = {" ".join(words[i:i + size]) for words in (c.name.casefold().split() for c in cases)
                  for i in range(len(words) - size + 1)}
    # Stricter than ``closest``: a short pattern is too near too many short words ('nomatch', 'not').
    suggestion = None if any(ch in pattern for ch in "*?[") else \
        closest(pattern.casefold(), sorted(candidates), cutoff=0.8)
    if suggestion:
        return f"no test matches '{pattern}'{did_you_mean(suggestion)}"
    names = [f"'{c.name}'" for c in cases[:shown]]
    more = f" and {len(cases) - shown} more" if len(cases) > shown else ""
    return f"no test matches '{pattern}'; the tests are {', '.join(names)}{more}"


def _check(workspace: Workspace, document: Document) -> tuple[TestCase | None, list[Diagnostic]]:
    problems = schema_diagnostics("test", document.data, document.position)
    if problems:
        return None, problems
    data = document.data
    program = _program_of(workspace, data)
    problems = [*_unknown_references(workspace, data, document.position),
                *_unknown_fields(workspace, data, document.position),
                *_checks_nothing(data, document.position)]
    zone = _zone(workspace, data, program, document.position, problems)
    start, start_problems = _start(data, zone, document.position)
    problems.extend(_bad_times(data, start, document.position))
    problems.extend(_unknown_steps(workspace, data, program, document.position))
    problems.extend(_dynamic_lists_given(workspace, data, document.position))
    problems.extend(start_problems)
    if any(p.is_error for p in problems):
        return None, problems
    return TestCase(data["name"], document.position, plain(data), zone, start, program), problems


def _same_names(documents: list[Document]) -> Iterator[Diagnostic]:
    """Tests named like an earlier one (in any file, in any case): a name pattern cannot pick one of them alone."""
    first: dict[str, Position] = {}
    for document in documents:
        name = document.data.get("name") if isinstance(document.data, dict) else None
        if not isinstance(name, str):
            continue  # the schema reports it
        where = position_of(document.data, ("name",), document.position)
        seen = first.setdefault(name.casefold(), where)
        if seen != where:
            yield warning("CK807", f"the test at {seen.path}:{seen.line} has this name too: give each test its own "
                          "name, so that `campaignkit test PATTERN` can select it", where)


def _checks_nothing(data: dict[str, Any], where: Position) -> Iterator[Diagnostic]:
    """A test without ``expect``, or an expectation with only a time: it would pass whatever the program does."""
    if "expect" not in data:
        yield error("CK806", "the test checks nothing: add what must hold under expect, e.g. expect: {status: ended}",
                    where)
    for base, expect in _expects(data):
        if set(expect) == {"at"}:
            yield error("CK806", f"the expectation at {expect['at']} checks nothing: add what must hold then, "
                        "e.g. status: waiting", position_of(data, base, where))


def _program_of(workspace: Workspace, data: dict[str, Any]) -> str | None:
    """The program a test runs: its own, or the one its form adds the prospect to."""
    if "program" in data:
        return data["program"]
    actions = _value_of(workspace, data["form"], "completion_actions", list)
    added = (a["add_to_program"] for a in actions if isinstance(a, dict) and "add_to_program" in a)
    return next((program for program in added if isinstance(program, str)), None)


def _value_of(workspace: Workspace, address: str | None, key: str, kind: type[_Container]) -> _Container:
    """The value of ``key`` in the resource at ``address``, if it is a ``kind``; else an empty one.

    A test may name a resource that breaks its schema (reported at the resource), whose
    values can be anything: a ``schedule: 09:30`` is text, not a mapping.
    """
    resource = workspace.get(address) if address else None
    value = resource.data.get(key) if resource else None
    return value if isinstance(value, kind) else kind()


def _walk(value: Any, path: tuple[str | int, ...] = ()) -> Iterator[tuple[Any, tuple[str | int, ...]]]:
    yield value, path
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, item in items:
        yield from _walk(item, (*path, key))


def _unknown_references(workspace: Workspace, data: Any, start: Position) -> Iterator[Diagnostic]:
    crm = {"user": workspace.config.users, "queue": workspace.config.queues}
    for value, path in _walk(data):
        match = ADDRESS.match(value) if isinstance(value, str) and path and path[-1] != "name" else None
        if not match:
            continue
        kind, name = match.groups()
        known = [f"{kind}.{n}" for n in crm[kind]] if kind in crm else \
            [a for a in workspace.resources if a.startswith(kind + ".")]
        if value not in known and name not in workspace.unread_words:  # a file that did not load may declare it
            suggestion = closest(value, known)
            yield error("CK801", f"{value} does not exist in the workspace{did_you_mean(suggestion)}",
                        position_of(data, path, start), suggestion=suggestion)


#: Field values a test gives: their path in the file, their name in messages, the values, and the keys
#: beside them that are not fields.
_FieldValues = tuple[tuple[str | int, ...], str, Any, frozenset[str]]


def _unknown_fields(workspace: Workspace, data: dict[str, Any], start: Position) -> Iterator[Diagnostic]:
    """Prospect and ``expect.fields`` keys that are not fields, and values that do not fit their field (CK803)."""
    fields = {r.name for r in workspace.of_kind("field")}
    given = [(("prospect",), "prospect", data.get("prospect") or {}, PROSPECT_KEYS)]
    expected: list[_FieldValues] = [((*base, "fields"), "expect.fields", expect.get("fields", {}), frozenset())
                                    for base, expect in _expects(data)]
    for path, label, values, other_keys in [*given, *expected]:
        for key in values:
            if key not in other_keys and key not in fields:
                suggestion = closest(key, [*fields, *other_keys])
                yield error("CK803", f"{label}: '{key}' is not a field of the workspace{did_you_mean(suggestion)}",
                            key_position_of(data, (*path, key), start), suggestion=suggestion)
        for key, problem in misfits(workspace, values):
            yield error("CK803", f"{label}: {key}: {problem}", position_of(data, (*path, key), start))


def _zone(workspace: Workspace, data: dict[str, Any], program: str | None, start: Position,
          problems: list[Diagnostic]) -> tzinfo:
    """The time zone the test's times are written in: the prospect's, the program's, or UTC."""
    own = (data.get("prospect") or {}).get("timezone")
    name = own or _value_of(workspace, program, "schedule", dict).get("timezone")
    if isinstance(name, str) and known_time_zone(name):
        return ZoneInfo(name)
    if own:  # the program's own time zone is CK509's to report, at the program
        problems.append(error("CK804", f"'{own}' is not an IANA time zone like Asia/Tokyo or America/New_York",
                              position_of(data, ("prospect", "timezone"), start)))
    return UTC


def _start(data: dict[str, Any], zone: tzinfo, where: Position) -> tuple[datetime, list[Diagnostic]]:
    """The test's start, or the default start and a CK804 when it does not read.

    The other times are still checked against the default start, so that one
    ``validate`` shows every problem of the test at once.
    """
    text = data.get("start", DEFAULT_START)
    try:
        start = parse_absolute(text, zone)
    except ValueError as exc:
        message = str(exc)
    else:
        message = _unclear_moment(text, start)
        if not message:
            return start, []
    return parse_absolute(DEFAULT_START, zone), [error("CK804", message, position_of(data, ("start",), where))]


def _unclear_moment(text: Any, moment: datetime) -> str:
    """Why a time names no moment a test can run at, else "": a year outside ``START_YEARS``, or a
    clock time (``2026-03-08 02:30``, ``2d 01:30``) that the clocks of its time zone skip when
    daylight saving time starts or show twice when it ends (the engine runs in UTC)."""
    if moment.year not in START_YEARS:
        return f"'{text}' is not a time a test can run at: give a year from {START_YEARS[0]} to {START_YEARS[-1]}"
    if ":" not in str(text):
        return ""  # a duration from the start (``3h``) is a moment whatever the clocks do
    zone, wall = moment.tzinfo, moment.replace(tzinfo=None)
    if moment.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != wall:
        return f"'{text}' does not exist in {zone}: the clocks skip that hour when daylight saving time starts; " \
               "give a time outside it"
    if moment.replace(fold=1).utcoffset() != moment.utcoffset():
        return f"'{text}' happens twice in {zone}: the clocks go back over that hour when daylight saving time " \
               "ends; give a time outside it"
    return ""


def _expects(data: dict[str, Any]) -> Iterator[tuple[tuple[str | int, ...], dict[str, Any]]]:
    """Each expectation with its path in the document: ``expect`` is a mapping or a list of them."""
    expect = data.get("expect", [])
    if isinstance(expect, list):
        yield from ((("expect", index), item) for index, item in enumerate(expect))
    else:
        yield ("expect",), expect


def _time_paths(data: dict[str, Any]) -> Iterator[tuple[tuple[str | int, ...], bool]]:
    """Where the test writes a time, and whether that time ends a run (or, for ``after``, lengthens it)."""
    if "until" in data:
        yield ("until",), True
    for index, event in enumerate(data.get("events", ())):
        if "at" in event:
            yield ("events", index, "at"), False
        if "after" in event:  # a duration like 2h, which reads as a time relative to the start
            yield ("events", index, "after"), True
    for base, expect in _expects(data):
        if "at" in expect:
            yield (*base, "at"), True
        for item_index, item in enumerate(expect.get("emails", ())):
            if isinstance(item, dict) and "at" in item:
                yield (*base, "emails", item_index, "at"), False
        told: list[tuple[tuple[str | int, ...], Any]] = [
            ((key, index), item) for key in ("notified", "tasks") for index, item in enumerate(expect.get(key, ()))]
        told += [(("assigned_to",), expect["assigned_to"])] if "assigned_to" in expect else []
        for at, item in told:
            for when in ("at", "within") if isinstance(item, dict) else ():
                if when in item:
                    yield (*base, *at, when), False


def _bad_times(data: dict[str, Any], start: datetime, where: Position) -> Iterator[Diagnostic]:
    too_long = f"is more than {MAX_RUN.days}d after the start: a test runs for at most {MAX_RUN.days}d (10 years)"
    for path, ends_run in _time_paths(data):
        value: Any = data
        for key in path:
            value = value[key]
        try:
            moment = parse_time(value, start)
            message = f"'{value}' {too_long}" if ends_run and moment - start > MAX_RUN else \
                _unclear_moment(value, moment)
        except TooFar as exc:  # past year 9999: for a run's end, the limit that matters is MAX_RUN
            message = f"'{value}' {too_long}" if ends_run else str(exc)
        except ValueError as exc:
            message = str(exc)
        if message:
            yield error("CK804", message, position_of(data, path, where))


def _unknown_steps(workspace: Workspace, data: dict[str, Any], program: str | None,
                   where: Position) -> Iterator[Diagnostic]:
    resource = workspace.get(program) if program else None
    if workspace.get(data.get("program") or data["form"]) is None or (program and resource is None):
        return  # CK801 reports the unknown address; its steps cannot be known
    steps = list(_value_of(workspace, program, "steps", dict))
    for base, expect in _expects(data):
        for step_index, step in enumerate(expect.get("path", ())):
            if step not in steps:
                suggestion = closest(step, steps)
                owner = program or "the test (it runs no program)"
                yield error("CK802", f"'{step}' is not a step of {owner}{did_you_mean(suggestion)}",
                            position_of(data, (*base, "path", step_index), where), suggestion=suggestion)


def _dynamic_lists_given(workspace: Workspace, data: dict[str, Any], where: Position) -> Iterator[Diagnostic]:
    for index, address in enumerate((data.get("prospect") or {}).get("lists", ())):
        resource = workspace.get(address)
        if resource is not None and resource.data.get("type") == "dynamic":
            yield warning("CK805", f"{address} is dynamic: its rules decide who is on it, so the prospect "
                          "stays on it for the whole test; give the prospect the fields or events that match instead",
                          position_of(data, ("prospect", "lists", index), where))
