"""The engine's semantics, on the example workspace: schedule, scoring, grading, lists, triggers, stops."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from campaignkit.engine.activity import Event, apply_event
from campaignkit.engine.comparisons import field_matches
from campaignkit.engine.conditions import is_member
from campaignkit.engine.durations import parse_duration
from campaignkit.engine.grading import grade_of
from campaignkit.engine.program import Run
from campaignkit.engine.prospect import Prospect
from campaignkit.engine.schedule import Schedule
from campaignkit.engine.scoring import decay
from campaignkit.engine.world import World
from campaignkit.errors import UserError
from campaignkit.workspace.loading import load_workspace

EXAMPLE = Path(__file__).resolve().parent.parent / "campaigns"
TOKYO = ZoneInfo("Asia/Tokyo")
WELCOME = "program.2026-nurture-welcome-program"
WELCOME_EMAIL = "email.2026-event-acme-conf-welcome-email"
START = datetime(2026, 3, 2, 10, 0, tzinfo=TOKYO)  # Monday
UTC = timezone.utc


@pytest.fixture(scope="module")
def world() -> World:
    workspace, _ = load_workspace(EXAMPLE)
    return World.from_workspace(workspace)


class Trace:
    def __init__(self) -> None:
        self.steps: list[tuple[str, str]] = []
        self.emails: list[tuple[str, datetime]] = []

    def entered(self, run, step, at) -> None:
        pass

    def left(self, run, step, at, outcome) -> None:
        self.steps.append((step, outcome))

    def sent(self, run, email, at) -> None:
        self.emails.append((email, at))


def cmo(world: World) -> Prospect:
    return Prospect(fields=dict(world.personas["persona.cmo"]["sample"]), lists={"list.2026-event-acme-conf-list"})


def run(world: World, prospect: Prospect, events=(), start=START, days=30) -> tuple[Run, Trace]:
    trace = Trace()
    walk = Run(world, WELCOME, prospect, start, trace, list(events))
    walk.advance(start + timedelta(days=days))
    return walk, trace


def test_durations() -> None:
    assert parse_duration("15m") == timedelta(minutes=15)
    assert parse_duration("2w") == timedelta(days=14)
    with pytest.raises(ValueError):
        parse_duration("3 days")


def test_schedule_holds_a_saturday_night_arrival_in_new_york_until_monday_morning_in_tokyo() -> None:
    schedule = Schedule.of({"schedule": {"days": ["mon", "tue", "wed", "thu", "fri"], "hours": "09:00-17:00",
                                         "timezone": "Asia/Tokyo"}})
    saturday_night = datetime(2026, 3, 7, 22, 0, tzinfo=ZoneInfo("America/New_York"))
    assert schedule.next_send(saturday_night) == datetime(2026, 3, 9, 9, 0, tzinfo=TOKYO)
    assert schedule.next_send(START) == START  # inside business hours: no hold


def test_grading_raises_on_match_and_lowers_on_no_match(world: World) -> None:
    assert grade_of(world, cmo(world)) == "A+"  # five matches of 2/3 from D
    assert grade_of(world, Prospect()) == "D"  # every criterion not known: the start grade
    sparse = Prospect(fields={"job_title": "Marketing Manager", "country": "Brazil"})
    assert grade_of(world, sparse) == "D"  # one match (+2/3), one no-match (-2/3), three not known
    assert grade_of(world, Prospect(fields={"country": "Brazil"})) == "F"  # one no-match: D less 2/3
    it = Prospect(fields=dict(world.personas["persona.it_services"]["sample"]))
    assert grade_of(world, it) == "F"  # size and location match (+4/3), three do not (-6/3): D less 2/3


def test_field_operators_ignore_case_and_treat_empty_as_not_matching() -> None:
    assert field_matches("contains", "Chief Marketing Officer", "marketing")
    assert field_matches("in", "retail", values=["Retail"])
    assert not field_matches("gte", None, 200)
    assert field_matches("is_empty", "")


def test_first_open_only_scores_and_a_form_runs_its_completion_actions(world: World) -> None:
    prospect = Prospect()
    apply_event(world, prospect, Event(START, "email_clicked", WELCOME_EMAIL))
    apply_event(world, prospect, Event(START, "form_submitted", "form.2026-web-trial-signup-form"))
    assert prospect.score == 3 + 50 + 25
    assert prospect.fields["trial_status"] == "started" and prospect.assigned_to == "queue.sales"
    assert "list.2026-web-trial-list" in prospect.lists


def test_decay_takes_points_per_inactive_period_but_not_below_zero(world: World) -> None:
    prospect = Prospect(score=30, last_active=START)
    decay(world, prospect, START + timedelta(days=29))
    assert prospect.score == 30
    decay(world, prospect, START + timedelta(days=61))
    assert prospect.score == 0


def test_dynamic_lists_follow_their_rules(world: World) -> None:
    assert is_member(world, cmo(world), "list.evergreen-all-cmo-list", START)  # "Chief Marketing Officer"
    prospect = Prospect(fields={"job_title": "Marketing Manager"})
    assert not is_member(world, prospect, "list.evergreen-all-cmo-list", START)
    prospect.opted_out = True
    assert is_member(world, prospect, "list.evergreen-all-suppression-list", START)


def test_a_trigger_branches_yes_as_soon_as_the_event_happens(world: World) -> None:
    opened = Event(START + timedelta(hours=2), "email_opened", WELCOME_EMAIL)
    walk, trace = run(world, cmo(world), [opened])
    assert trace.steps[1][0] == "opened" and trace.steps[1][1] == "yes"
    assert trace.steps[2] == ("clicked", "no")  # its four-day window closed
    assert walk.phase == "ended"


def test_a_trigger_branches_no_when_its_window_closes(world: World) -> None:
    _, trace = run(world, cmo(world))
    assert [step for step, _ in trace.steps] == ["welcome", "opened", "reminder", "reminder_opened", "done"]
    assert trace.steps[1] == ("opened", "no")


def _unsuppressed(world: World) -> World:
    """The example world with a Welcome program that has no suppression list (so none that holds opt-outs)."""
    welcome = {**world.programs[WELCOME], "recipients": {"include": ["list.2026-event-acme-conf-list"]}}
    return dataclasses.replace(world, programs={**world.programs, WELCOME: welcome})


def test_opted_out_prospects_move_on_without_email(world: World) -> None:
    walk, trace = run(_unsuppressed(world), cmo(world), [Event(START + timedelta(hours=1), "opted_out")])
    assert [email for email, _ in trace.emails] == [WELCOME_EMAIL]
    assert ("reminder", "not sent: opted out") in trace.steps
    assert walk.phase == "ended"


def test_opting_out_onto_a_suppression_list_removes_the_prospect_from_the_program(world: World) -> None:
    walk, trace = run(world, cmo(world), [Event(START + timedelta(hours=1), "opted_out")])
    assert trace.steps[-1] == ("opened", "stopped: on suppression list list.evergreen-all-suppression-list")
    assert walk.phase == "stopped" and [email for email, _ in trace.emails] == [WELCOME_EMAIL]


def test_a_suppressed_prospect_goes_on_at_the_original_time_once_unsuppressed(world: World) -> None:
    competitors = "list.evergreen-all-competitors-list"
    suppressed = Event(START + timedelta(days=1), "added_to_list", competitors)
    early = Event(START + timedelta(days=2), "removed_from_list", competitors)  # before the window closes
    late = Event(START + timedelta(days=4), "removed_from_list", competitors)  # a day after it closed (a Friday)
    _, trace = run(world, cmo(world), [suppressed, early])
    assert trace.steps[1] == ("opened", "no") and trace.emails[1][1] == START + timedelta(days=3)
    _, trace = run(world, cmo(world), [suppressed, late])
    assert trace.emails[1][1] == START + timedelta(days=4)  # the overdue step at once


def test_leaving_the_recipient_list_stops_and_coming_back_resumes(world: World) -> None:
    removed = Event(START + timedelta(days=1), "removed_from_list", "list.2026-event-acme-conf-list")
    walk, trace = run(world, cmo(world), [removed], days=10)
    assert walk.phase == "stopped" and walk.position == "opened"  # when its window closed
    back = Event(START + timedelta(days=12), "added_to_list", "list.2026-event-acme-conf-list")
    walk, trace = run(world, cmo(world), [removed, back], days=30)
    assert walk.phase == "ended" and [e for e, _ in trace.emails][-1] == "email.2026-event-acme-conf-reminder-email"


def test_suppressed_prospects_never_enter(world: World) -> None:
    prospect = cmo(world)
    prospect.lists.add("list.evergreen-all-customers-list")
    walk, trace = run(world, prospect)
    assert walk.phase == "not entered" and trace.emails == []


def test_reentry_only_where_the_program_allows_it(world: World) -> None:
    program = "program.2026-web-pricing-follow-up-program"
    prospect = Prospect(lists={"list.2026-web-pricing-visitors-list"})
    trace = Trace()
    walk = Run(world, program, prospect, START, trace)
    walk.advance(START + timedelta(days=200))
    assert walk.entries == 3  # allowed after 90 days, at most three times
    welcome, _ = run(world, cmo(world), days=200)
    assert welcome.entries == 1


def _with_program(world: World, steps: dict, start: str, timezone: str = "Asia/Tokyo") -> World:
    """The example world with one more program, ``program.extra``, open every hour of every day in ``timezone``."""
    extra = {"recipients": {"include": ["list.2026-event-acme-conf-list"]}, "start": start, "steps": steps,
             "schedule": {"hours": "00:00-24:00", "timezone": timezone}}
    return dataclasses.replace(world, programs={**world.programs, "program.extra": extra})


def _looping(world: World, wait: str) -> World:
    """A program that tags, waits ``wait`` and goes round again."""
    return _with_program(world, {"tag": {"add_tag": "seen", "next": "pause"}, "pause": {"wait": wait, "next": "tag"}},
                         "tag")


def test_a_loop_with_a_wait_runs_for_years(world: World) -> None:
    walk = Run(_looping(world, "1h"), "program.extra", cmo(world), START, Trace())
    walk.advance(START + timedelta(days=3650))  # 87,600 rounds, each at its own moment
    assert walk.waiting_at == "tag"  # after its last wait, due again in an hour


def test_a_loop_without_time_passing_is_stopped_with_a_message(world: World) -> None:
    walk = Run(_looping(world, "0m"), "program.extra", cmo(world), START.astimezone(UTC), Trace())
    with pytest.raises(UserError, match="program.extra goes round step '.*' again and again at 2026-03-02 10:00 JST"):
        walk.advance(START + timedelta(days=1))  # the moment is shown on the program's clock


NEW_YORK = ZoneInfo("America/New_York")
SPRING_FORWARD = datetime(2026, 3, 8, 0, 30, tzinfo=NEW_YORK)  # at 02:00 the clocks go to 03:00


def test_a_window_is_elapsed_time_across_a_daylight_saving_change(world: World) -> None:
    steps = {"welcome": {"send_email": WELCOME_EMAIL, "next": "opened"},
             "opened": {"trigger": "email_opened", "email": WELCOME_EMAIL, "within": "3h", "yes": "done", "no": "done"},
             "done": {"end": True}}
    trace = Trace()
    opened = Event(datetime(2026, 3, 8, 4, 0, tzinfo=NEW_YORK), "email_opened", WELCOME_EMAIL)  # 2h30 after the send
    Run(_with_program(world, steps, "welcome", "America/New_York"), "program.extra", cmo(world), SPRING_FORWARD,
        trace, [opened]).advance(SPRING_FORWARD + timedelta(days=1))
    assert trace.steps[1] == ("opened", "yes")


def test_a_wait_of_a_day_is_24_hours_across_a_daylight_saving_change(world: World) -> None:
    steps = {"pause": {"wait": "1d", "next": "welcome"}, "welcome": {"send_email": WELCOME_EMAIL, "next": "done"},
             "done": {"end": True}}
    trace = Trace()
    Run(_with_program(world, steps, "pause", "America/New_York"), "program.extra", cmo(world), SPRING_FORWARD,
        trace).advance(SPRING_FORWARD + timedelta(days=2))
    [(_, sent)] = trace.emails
    assert sent - SPRING_FORWARD.astimezone(UTC) == timedelta(hours=24)
    assert sent.astimezone(NEW_YORK).hour == 1  # 00:30 EST + 24 h is 01:30 EDT


def test_decay_counts_from_the_start_for_a_prospect_that_does_nothing(world: World) -> None:
    prospect = cmo(world)
    prospect.score = 60
    walk, _ = run(world, prospect, days=90)
    decay(world, walk.prospect, START + timedelta(days=90))
    assert walk.prospect.score == 0  # three silent periods of 30 days at -20


def test_operational_email_goes_to_opted_out_but_not_to_suppressed_prospects(world: World) -> None:
    reminder = "email.2026-event-acme-conf-reminder-email"
    operational = dataclasses.replace(world, operational=frozenset({reminder}))
    opted_out = [Event(START + timedelta(hours=1), "opted_out")]
    _, trace = run(_unsuppressed(operational), cmo(operational), opted_out)
    assert [email for email, _ in trace.emails] == [WELCOME_EMAIL, reminder]
    assert ("reminder", "sent") in trace.steps
    _, trace = run(operational, cmo(operational), opted_out)  # the suppression list holds opt-outs
    assert [email for email, _ in trace.emails] == [WELCOME_EMAIL]
