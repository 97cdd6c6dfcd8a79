"""Program checks: an Engagement Studio program's step graph is sound before it runs.

Engagement Studio lets a program be started with unreachable steps, branches
that lead nowhere and triggers that wait for an email nobody sent; it only
shows when prospects get stuck. These checks find all of that from the files.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from zoneinfo import available_timezones

from campaignkit.checks import Scope, check, cycles
from campaignkit.diagnostics import Diagnostic, closest, did_you_mean, error
from campaignkit.engine.graph import MAX_CONDITIONS, MAX_STEPS, Graph, lasts
from campaignkit.engine.schedule import business_hours, known_time_zone
from campaignkit.workspace.model import Resource


def _programs(scope: Scope) -> Iterator[tuple[Resource, Graph]]:
    for program in scope.of_kind("program"):
        yield program, scope.graphs[program.address]


@check("CK501")
def start_step_exists(scope: Scope) -> Iterator[Diagnostic]:
    """The program's `start` names no step.

    What it does: checks that `start` is one of the program's steps.
    Why is this bad? Prospects would enter the program and go nowhere.
    Example: `start: welcom` with a step named `welcome`.
    Use instead: `start: welcome`.
    """
    for program, graph in _programs(scope):
        if graph.start not in graph.steps:
            suggestion = closest(str(graph.start), graph.steps)
            yield error("CK501", f"{program.address}: start step '{graph.start}' does not exist"
                        f"{did_you_mean(suggestion)}", program.position_of("start"), suggestion=suggestion)


@check("CK502")
def branches_lead_to_steps(scope: Scope) -> Iterator[Diagnostic]:
    """A `next`, `yes` or `no` names no step.

    What it does: checks every branch of every step against the program's step names.
    Why is this bad? A branch to nowhere is a path that never ends: prospects stop there.
    Example: `next: reminedr` with a step named `reminder`.
    Use instead: `next: reminder`.
    """
    for program, graph in _programs(scope):
        for step, branch, target in graph.branches():
            if target not in graph.steps:
                suggestion = closest(str(target), graph.steps)
                yield error("CK502", f"{program.address}: step '{step}' goes {branch} to '{target}', which is not a "
                            f"step{did_you_mean(suggestion)}", program.position_of("steps", step, branch),
                            suggestion=suggestion)


@check("CK503")
def steps_are_reachable(scope: Scope) -> Iterator[Diagnostic]:
    """A step cannot be reached from `start`.

    What it does: reports steps that no path from the start step leads to.
    Why is this bad? The step never runs; usually a branch points at the wrong step.
    Example: a `reminder` step that no `next`, `yes` or `no` names.
    Use instead: connect it, or delete it.
    """
    for program, graph in _programs(scope):
        if graph.start not in graph.steps:
            continue
        reachable = graph.reachable_from(graph.start)
        for step in graph.steps:
            if step not in reachable:
                yield error("CK503", f"{program.address}: step '{step}' cannot be reached from start step "
                            f"'{graph.start}'", program.position_of("steps", step))


@check("CK504")
def no_cycle_without_wait(scope: Scope) -> Iterator[Diagnostic]:
    """A cycle of steps has no wait in it, or a program re-enters with no time between.

    What it does: reports loops in the step graph that a prospect can go round without time
    passing: time passes after a `wait` of some length and on a trigger's `no` branch, when its
    window closes, but not on a trigger's `yes`, which is taken as soon as the event happens
    (at once, when it happened before). Also reports `reentry: {after: 0m}`.
    Why is this bad? A prospect in such a loop would run it endlessly in one instant: the same
    email sent again and again, or the program stuck.
    Example: `check: {rule: score, gte: 100, yes: done, no: check}`, or a trigger whose `yes`
    leads back to it.
    Use instead: put a `wait: 7d` step in the loop.
    """
    for program, graph in _programs(scope):
        for cycle in cycles(graph.instant_branches()):
            yield error("CK504", f"{program.address}: steps {' -> '.join(cycle)} form a loop that takes no time "
                        "(no wait, or a trigger's yes); add a wait step to the loop",
                        program.position_of("steps", cycle[0]))
        reentry = program.data.get("reentry") or {}
        if reentry.get("allowed") and "after" in reentry and not lasts(reentry["after"]):
            yield error("CK504", f"{program.address}: re-entry after {reentry['after']} would run the program "
                        "again in the same instant; give a time such as 1d", program.position_of("reentry", "after"))


@check("CK505")
def every_path_ends(scope: Scope) -> Iterator[Diagnostic]:
    """From some step no path leads to an end step.

    What it does: reports reachable steps from which prospects can never reach an `end` step.
    Why is this bad? Prospects there circle forever and the program never finishes for them.
    Example: a nurture loop `wait -> send -> wait` with no exit.
    Use instead: give the loop a rule or trigger whose branch leads to an end step.
    """
    for program, graph in _programs(scope):
        dangling = any(t not in graph.steps for _, _, t in graph.branches())
        if graph.start not in graph.steps or dangling:
            continue  # CK501/CK502 already say where the path breaks
        finishing = graph.reaching(graph.ends())
        for step in sorted(graph.reachable_from(graph.start) - finishing):
            yield error("CK505", f"{program.address}: no path from step '{step}' reaches an end step",
                            program.position_of("steps", step))


@check("CK506")
def trigger_follows_its_send(scope: Scope) -> Iterator[Diagnostic]:
    """A trigger listens for an email that is not sent before it on every path.

    What it does: for every `email_opened` or `email_clicked` trigger, checks that each path from
    start to the trigger sends that email first.
    Why is this bad? Engagement Studio's triggers do not share settings with the send before
    them; a trigger on an email the prospect never received waits out its whole window and
    always says no.
    Example: `opened: {trigger: email_opened, email: email.x, ...}` reached by a path that skips
    the step sending `email.x`.
    Use instead: send the email on every path into the trigger, or listen for the email that
    was sent.
    """
    for program, graph in _programs(scope):
        if graph.start not in graph.steps:
            continue
        for step, email in graph.email_triggers():
            if not graph.sent_before(step, email):
                yield error("CK506", f"{program.address}: trigger '{step}' listens for {email}, which is not sent "
                            "on every path before it", program.position_of("steps", step, "email"))


@check("CK507")
def rule_conditions_limit(scope: Scope) -> Iterator[Diagnostic]:
    """A rule step has more than 5 conditions.

    What it does: counts the conditions of each rule step.
    Why is this bad? Engagement Studio allows at most 5 conditions per rule; the program could
    not be built on the platform.
    Use instead: split the rule into two consecutive rule steps.
    """
    for program, graph in _programs(scope):
        for step, count in graph.condition_counts():
            if count > MAX_CONDITIONS:
                yield error("CK507", f"{program.address}: rule step '{step}' has {count} conditions; at most "
                            f"{MAX_CONDITIONS} are allowed, so split it in two", program.position_of("steps", step))


@check("CK508")
def program_size_limit(scope: Scope) -> Iterator[Diagnostic]:
    """A program has 300 steps or more.

    What it does: counts a program's steps.
    Why is this bad? Account Engagement recommends programs under 300 steps; larger ones are slow
    to load and impossible to review.
    Use instead: split the program in two, handing prospects over with `add_to_list`.
    """
    for program, graph in _programs(scope):
        if len(graph.steps) >= MAX_STEPS:
            yield error("CK508", f"{program.address} has {len(graph.steps)} steps; keep programs under {MAX_STEPS}",
                        program.position_of("steps"))


@check("CK509")
def schedule_can_send(scope: Scope) -> Iterator[Diagnostic]:
    """The schedule's time zone is unknown, or its business hours close before they open.

    What it does: looks the `timezone` up in the IANA time zone database, and checks that
    `hours` open before they close on the same day.
    Why is this bad? A program whose schedule never allows a send holds every email forever,
    and an unknown time zone cannot be run at all; Account Engagement's own sending window is
    within one day.
    Example: `timezone: Europe/Berln`, or `hours: "22:00-06:00"`.
    Use instead: `timezone: Europe/Berlin`; `hours: "09:00-17:00"`.
    """
    for program in scope.of_kind("program"):
        schedule = program.data.get("schedule") or {}
        zone = schedule.get("timezone")
        if isinstance(zone, str) and not known_time_zone(zone):
            suggestion = closest(zone, available_timezones())
            yield error("CK509", f"{program.address}: '{zone}' is not a time zone{did_you_mean(suggestion)}; "
                        "use an IANA name such as Asia/Tokyo or UTC", program.position_of("schedule", "timezone"),
                        suggestion=suggestion)
        opens, closes = business_hours(schedule)
        if closes <= opens:
            yield error("CK509", f"{program.address}: business hours {opens}-{closes} close before they open, so "
                        "no email would ever be sent; hours are within one day, like \"09:00-17:00\"",
                        program.position_of("schedule", "hours"))


@check("CK510")
def send_date_exists(scope: Scope) -> Iterator[Diagnostic]:
    """A send's `on_date` names a day the calendar does not have.

    What it does: reads the date of each `send_email` step with `on_date`.
    Why is this bad? A send on 30 February would never go out: `test` and `simulate` could not
    run the program, and Engagement Studio would not take the date.
    Example: `on_date: "2026-02-30 09:00"`.
    Use instead: a real day, like `on_date: "2026-03-02 09:00"`.
    """
    for program, graph in _programs(scope):
        for step, body in graph.steps.items():
            text = body.get("on_date")
            if not isinstance(text, str):
                continue  # absent, or the schema reports it
            try:
                date.fromisoformat(text.strip()[:10])
            except ValueError:
                yield error("CK510", f"{program.address}: step '{step}' sends on '{text}', which is not a day of the "
                            "calendar; give a real date like 2026-03-02", program.position_of("steps", step, "on_date"))
