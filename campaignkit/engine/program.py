"""Walking one prospect (or one cohort of identical prospects) through a program in simulated time.

A ``Run`` interleaves two clocks: the program's next due moment (a step to
take, a held send, a wait or a trigger window that closes) and the prospect's
own events. At equal times the prospect's event comes first, so an open at
the very moment a window closes still counts. What happens is told to a
``Recorder``; what the prospect does after an email is asked of a
``Responder`` (a test's written events, or a simulation's sampled cohorts),
which is the only place where ``test`` and ``simulate`` differ.

The rules follow Salesforce's Engagement Studio documentation, each cited in
docs/engine.md: a prospect taken off the recipient lists or put on a
suppression list leaves the program at the next moment the program would move
it, and goes on from there when it is back; a paused program holds every wait.
"""

from __future__ import annotations

import bisect
import functools
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any, Protocol

from campaignkit.engine.activity import PAUSES, Event, apply_event, set_field
from campaignkit.engine.conditions import ACTIVITY_TARGET, is_member, rule_holds
from campaignkit.engine.durations import parse_duration
from campaignkit.engine.graph import EMAIL_TRIGGERS, graph_of, step_action, step_kind
from campaignkit.engine.prospect import Prospect
from campaignkit.engine.schedule import Schedule
from campaignkit.engine.scoring import add_points, begin, decay
from campaignkit.engine.times import parse_absolute
from campaignkit.engine.world import World
from campaignkit.errors import UserError

#: How long after leaving a program a prospect may re-enter when ``reentry.after`` is not given.
DEFAULT_REENTRY_AFTER = timedelta(days=1)
#: A program that takes this many steps at one moment is looping without time passing.
MAX_STEPS_AT_ONE_MOMENT = 10_000

# Phases of a run. OUTSIDE: about to try to enter; NOT_ENTERED: not on the recipients (or suppressed)
# when it tried, waiting for an event that puts it there; STOPPED: left the recipient lists mid-way.
OUTSIDE, NOT_ENTERED, STEP, TRIGGER, STOPPED, REENTRY, ENDED = (
    "outside", "not entered", "step", "trigger", "stopped", "reentry", "ended")
OUTSIDE_PHASES = (OUTSIDE, NOT_ENTERED)
#: Phases in which the prospect is still inside the program.
NOT_ENDED_PHASES = (STEP, TRIGGER)


class Recorder(Protocol):
    def entered(self, run: Run, step: str, at: datetime) -> None: ...

    def left(self, run: Run, step: str, at: datetime, outcome: str) -> None: ...

    def sent(self, run: Run, email: str, at: datetime) -> None: ...


Responder = Callable[["Run", str, datetime], None]


def _no_response(run: Run, email: str, at: datetime) -> None:
    """A prospect that does nothing after an email unless its events say so."""


class Run:
    """One prospect's way through one program; ``count`` identical prospects in a simulation.

    Every moment is kept in UTC, so that a duration (a wait, a trigger's window, the
    time before re-entry) is elapsed time even across a daylight-saving change; the
    program's time zone only judges business hours (``Schedule``) and shows times.
    """

    def __init__(self, world: World, program: str, prospect: Prospect, start: datetime, recorder: Recorder,
                 events: Sequence[Event] = (), responder: Responder = _no_response, count: int = 1) -> None:
        self.world, self.address, self.prospect = world, program, prospect
        self.program: dict[str, Any] = world.programs[program]
        self.graph = graph_of(self.program)
        self.schedule = Schedule.of(self.program)
        self.recorder, self.responder, self.count = recorder, responder, count
        self.events: list[Event] = sorted(events, key=lambda e: e.at)
        self.phase, self.position, self.due = OUTSIDE, self.graph.start, start.astimezone(UTC)
        self.entries = 0
        self.held = False
        #: When the prospect last entered the program: form, page and file triggers hear activity from then on.
        self.entered_at = self.due
        #: The open trigger window, from when it hears activity to when it closes; kept while stopped in it.
        self.since: datetime | None = None
        self.window_end = self.due
        self.in_window = False
        #: When the program was paused, while it is (a program with ``status: paused`` is paused from the start).
        self.paused_since: datetime | None = self.due if self.program.get("status") == "paused" else None
        self.sent_at: dict[str, datetime] = {}
        #: Every email sent to the prospect by this program, in any of its entries.
        self.ever_sent: set[str] = set()
        #: ``_removed_because``'s last answer and its moment: steps taken at one moment ask it again,
        #: and only an event or an action can change it before time passes.
        self.removal: tuple[datetime, str | None] | None = None
        self.forks: list[Run] = []
        begin(self.world, self.prospect, self.due)

    # --- the two clocks -------------------------------------------------------------------------

    def advance(self, until: datetime) -> None:
        """Runs everything due up to and including ``until``.

        A program that ``validate`` accepts takes a bounded number of steps at any one moment;
        one that does not (a loop of zero waits that the checks could not see) is stopped with
        a ``UserError`` rather than left to run for ever.
        """
        moment: datetime | None = None
        steps = 0
        while True:
            moving = self.phase in (OUTSIDE, STEP, TRIGGER, REENTRY) and self.paused_since is None
            due = self.due if moving else None
            event = self.events[0] if self.events else None
            if event is not None and event.at <= until and (due is None or event.at <= due):
                now = event.at
            elif due is not None and due <= until:
                now, event = due, None
            else:
                return
            moment, steps = (moment, steps + 1) if now == moment else (now, 1)
            if steps > MAX_STEPS_AT_ONE_MOMENT:
                when = self._local(now).strftime("%Y-%m-%d %H:%M %Z")
                raise UserError(f"{self.address} goes round step '{self.position}' again and again at {when} "
                                "without time passing: give the loop a wait (see campaignkit explain CK504)")
            if event is not None:
                self._on_event(self.events.pop(0))
            else:
                self._on_due(now)

    def add_events(self, events: list[Event]) -> None:
        for event in events:
            bisect.insort(self.events, event, key=lambda e: e.at)

    def fork(self, count: int, events: list[Event]) -> Run:
        """A copy of this run for ``count`` prospects who will do ``events`` from here on.

        The caller (a simulation's responder) keeps the counts right and collects the copy.
        """
        child = object.__new__(Run)
        child.__dict__.update(self.__dict__)
        child.prospect, child.sent_at, child.forks = self.prospect.copy(), dict(self.sent_at), []
        child.ever_sent = set(self.ever_sent)
        child.events, child.count = list(self.events), count
        child.add_events(events)
        return child

    def _local(self, at: datetime) -> datetime:
        """``at`` on the program's clock (its schedule's time zone, else UTC), to show it."""
        return at.astimezone(self.schedule.zone) if self.schedule else at

    @property
    def waiting_at(self) -> str | None:
        """The step the prospect is in while the program still has something to do."""
        return self.position if self.phase in (STEP, TRIGGER) else None

    def _on_event(self, event: Event) -> None:
        decay(self.world, self.prospect, event.at)
        apply_event(self.world, self.prospect, event)
        self.removal = None
        if event.kind in PAUSES:
            self._pause_or_resume(event)
        if self.paused_since is not None:
            return  # a paused program moves no one; what the prospect did still counts on resume
        if self.phase == TRIGGER:
            self._on_window(event.at)
        elif self.phase in (NOT_ENTERED, STOPPED) and self._removed_because(event.at) is None:
            self.phase, self.due = (OUTSIDE if self.phase == NOT_ENTERED else STEP), event.at

    def _on_due(self, now: datetime) -> None:
        decay(self.world, self.prospect, now)
        if self.phase == TRIGGER:
            self._on_window(now)
        elif self.phase in (OUTSIDE, REENTRY):
            self._enter(now)
        else:
            self._take_step(now)

    def _pause_or_resume(self, event: Event) -> None:
        """A pause holds every wait; the resume adds the paused time to it, so that the prospect
        finishes the rest of its wait (``_on_event`` then looks at what happened meanwhile)."""
        if event.kind == "program_paused":
            self.paused_since = self.paused_since or event.at
        elif self.paused_since is not None:
            paused, self.paused_since = event.at - self.paused_since, None
            self.due, self.window_end = max(self.due + paused, event.at), self.window_end + paused

    # --- entering and leaving -------------------------------------------------------------------

    def _enter(self, now: datetime) -> None:
        if self._removed_because(now):
            self.phase = NOT_ENTERED
            return
        self.entries += 1
        self.sent_at = {}
        self.phase, self.position, self.due, self.entered_at = STEP, self.graph.start, now, now

    def _on_recipients(self, now: datetime) -> bool:
        return any(is_member(self.world, self.prospect, a, now) for a in self.program["recipients"]["include"])

    def _suppressed_by(self, now: datetime) -> str | None:
        return next((a for a in self.program["recipients"].get("exclude", ())
                     if is_member(self.world, self.prospect, a, now)), None)

    def _removed_because(self, now: datetime) -> str | None:
        """Why the prospect may not be in the program now, if it may not: off every recipient list,
        or on a suppression list (Engagement Studio removes both from the program)."""
        if self.removal is None or self.removal[0] != now:
            self.removal = (now, self._why_removed(now))
        return self.removal[1]

    def _why_removed(self, now: datetime) -> str | None:
        if not self._on_recipients(now):
            return "not on a recipient list"
        suppressed = self._suppressed_by(now)
        return suppressed and f"on suppression list {suppressed}"

    def _end(self, now: datetime) -> None:
        reentry = self.program.get("reentry") or {}
        allowed = reentry.get("allowed", False) and self.entries < reentry.get("max_entries", float("inf"))
        self.phase = REENTRY if allowed else ENDED
        if allowed:
            self.due = now + (parse_duration(reentry["after"]) if "after" in reentry else DEFAULT_REENTRY_AFTER)

    # --- steps ----------------------------------------------------------------------------------

    def _take_step(self, now: datetime) -> None:
        name = self.position
        reason = self._removed_because(now)
        if reason:
            self._stop(name, now, reason)
            return
        step = self.graph.steps[name]
        kind = step_kind(step)
        if not self.held:
            self.recorder.entered(self, name, now)
        if kind == "end":
            self.recorder.left(self, name, now, "end")
            self._end(now)
        elif kind == "rule":
            self._leave(now, "yes" if rule_holds(self.world, self.prospect, step, now) else "no")
        elif kind == "trigger" and self.in_window:
            self.phase = TRIGGER  # back in the window it was stopped in, which still ends when it did
            self._on_window(now)
        elif kind == "trigger":
            self._open_window(step, now)
        else:
            self._act(step, now)

    def _stop(self, name: str, now: datetime, reason: str) -> None:
        """Stops at ``name``; a send held for business hours or an open trigger window was already
        entered, and its visit ends here like any other: a resume enters the step afresh, so it is
        taken once."""
        if not self.held and self.phase != TRIGGER:
            self.recorder.entered(self, name, now)
        self.held, self.phase = False, STOPPED
        self.recorder.left(self, name, now, f"stopped: {reason}")

    def _leave(self, now: datetime, branch: str, outcome: str | None = None) -> None:
        step = self.graph.steps[self.position]
        self.recorder.left(self, self.position, now, outcome or branch)
        self.phase, self.position, self.due = STEP, step[branch], now

    def _open_window(self, step: dict[str, Any], now: datetime) -> None:
        email = step.get("email") if step["trigger"] in EMAIL_TRIGGERS else None
        # An email trigger hears the email's activity from its send on; others since the prospect entered.
        self.since = self.sent_at.get(email, now) if email else self.entered_at
        self.phase, self.window_end, self.in_window = TRIGGER, now + parse_duration(step["within"]), True
        self._on_window(now)

    def _on_window(self, now: datetime) -> None:
        """An open window at ``now``: yes as soon as the event has happened (for a ``full_wait``
        trigger, only when the window ends), no when it ends without it. A prospect removed from
        the program stops here instead of moving on."""
        step = self.graph.steps[self.position]
        fired = self._trigger_fired(min(now, self.window_end))
        if now < self.window_end and (step.get("full_wait") or not fired):
            self.due = self.window_end
            return
        reason = self._removed_because(now)
        if reason:
            self._stop(self.position, now, reason)
            return
        self.in_window = False
        self._leave(now, "yes" if fired else "no")

    def _trigger_fired(self, until: datetime) -> bool:
        step = self.graph.steps[self.position]
        target = step.get(ACTIVITY_TARGET[step["trigger"]])
        link = step.get("link") if step["trigger"] == "email_clicked" else None
        assert self.since is not None, "the window is open"
        return self.prospect.did(step["trigger"], target, self.since, until, link) is not None

    def _act(self, step: dict[str, Any], now: datetime) -> None:
        action = step_action(step)
        assert action is not None, "the step is an action step"
        if action == "send_email":
            self._send(step, now)
            return
        if action == "wait":
            self.recorder.left(self, self.position, now, f"wait {step['wait']}")
            self.position, self.due = step["next"], now + parse_duration(step["wait"])
            return
        self._apply(action, step[action], now)
        self._leave(now, "next", "done")

    def _send(self, step: dict[str, Any], now: datetime) -> None:
        email = step["send_email"]
        day = self._send_day(step)
        if day is not None and now < day:  # waits on the step for its date
            self.held, self.due = True, day
            return
        allowed = self.schedule.next_send(now) if self.schedule else now
        if day is not None and self._local(allowed).date() != self._local(day).date():
            self.held = False
            self._leave(now, "next", f"not sent: after its date {step['on_date']}")
            return
        if allowed > now:
            self.held, self.due = True, allowed
            return
        self.held = False
        reason = self._not_sent_because(email)
        if reason:
            self._leave(now, "next", f"not sent: {reason}")
            return
        self.sent_at[email] = now
        self.ever_sent.add(email)
        self.recorder.sent(self, email, now)
        self._leave(now, "next", "sent")
        self.responder(self, email, now)

    def _send_day(self, step: dict[str, Any]) -> datetime | None:
        """When a send ``on_date`` may go first, on the program's clock; None for a send without a date."""
        text = step.get("on_date")
        return None if text is None else _moment(str(text), self.schedule.zone if self.schedule else UTC)

    def _not_sent_because(self, email: str) -> str | None:
        """Why ``email`` may not go to the prospect now, if it may not. A template goes once per prospect
        unless the workspace allows it again (Account Engagement's account setting). Operational
        (transactional) email goes to opted-out prospects, since opting out is about marketing email."""
        if email in self.ever_sent and not self.world.resend_emails:
            return "already sent to this prospect"
        if email in self.world.operational:
            return None
        return "opted out" if self.prospect.opted_out else None

    def _apply(self, action: str | None, value: Any, now: datetime) -> None:
        """The actions that change the prospect; assign, notify, tasks and campaigns only tell the CRM."""
        prospect, self.removal = self.prospect, None
        if action == "add_to_list":
            prospect.lists.add(value)
        elif action == "remove_from_list":
            prospect.lists.discard(value)
        elif action == "adjust_score":
            add_points(self.world, prospect, value, now)
        elif action == "set_field":
            set_field(self.world, prospect, value, now)
        elif action == "add_tag":
            prospect.tags.add(value)
        elif action == "remove_tag":
            prospect.tags.discard(value)
        elif action == "assign":
            prospect.assigned_to = value


@functools.lru_cache(maxsize=256)
def _moment(text: str, zone: tzinfo) -> datetime:
    """``2026-04-01`` (midnight) or ``2026-04-01 09:00`` in ``zone``; the schema checks the form."""
    return parse_absolute(text if " " in text.strip() or "T" in text else f"{text} 00:00", zone)
