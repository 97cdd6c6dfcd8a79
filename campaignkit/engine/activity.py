"""Events from outside a program and what they do to a prospect: scoring, forms, opt-outs, lists.

An ``Event`` is something the prospect (or someone in the CRM) does at a
moment: opens or clicks an email, submits a form, views a page, downloads a
file, opts out, or is added to or removed from a list. Form submissions run
the form's completion actions here, in their written order.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from campaignkit.engine.prospect import Activity, Prospect
from campaignkit.engine.scoring import add_points, note_mql, score_activity
from campaignkit.engine.world import World

ACTIVITIES = ("email_opened", "email_clicked", "form_submitted", "page_viewed", "file_downloaded")
CHANGES = ("opted_out", "removed_from_list", "added_to_list")
#: Someone pausing the program in Engagement Studio, and resuming it: they change no prospect.
PAUSES = ("program_paused", "program_resumed")
EVENT_TYPES = ACTIVITIES + CHANGES + PAUSES


@dataclass(frozen=True)
class Event:
    """``target`` is the email, form, page, file or list the event is about ("" for opted_out and
    pauses); ``link`` is the link of an email click, "" when not told.

    ``at`` is kept in UTC whatever zone it was written in: aware datetimes that share a
    time zone add and subtract on the wall clock, so a daylight-saving change would
    otherwise lengthen or shorten every duration measured from the event.
    """

    at: datetime
    kind: str
    target: str = ""
    link: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "at", self.at.astimezone(UTC))


def apply_event(world: World, prospect: Prospect, event: Event) -> None:
    if event.kind == "opted_out":
        prospect.opted_out = True
    elif event.kind == "removed_from_list":
        prospect.lists.discard(event.target)
    elif event.kind == "added_to_list":
        prospect.lists.add(event.target)
    elif event.kind in ACTIVITIES:
        record_activity(world, prospect, event.kind, event.target, event.at, event.link)


def record_activity(world: World, prospect: Prospect, kind: str, target: str, at: datetime, link: str = "") -> None:
    """Scores the activity and remembers it; a click proves an open, so it records one if missing."""
    if kind == "email_clicked" and not prospect.did("email_opened", target, datetime.min.replace(tzinfo=at.tzinfo), at):
        record_activity(world, prospect, "email_opened", target, at)
    score_activity(world, prospect, kind, target, at)
    prospect.activities.append(Activity(at, kind, target, link))
    if kind == "form_submitted" and target in world.forms:
        for action in world.forms[target].get("completion_actions", ()):
            complete(world, prospect, action, at)


def complete(world: World, prospect: Prospect, action: dict[str, Any], at: datetime) -> None:
    """One form completion action; notify only tells a person, so it changes nothing here."""
    if "add_to_list" in action:
        prospect.lists.add(action["add_to_list"])
    elif "add_to_program" in action:
        prospect.lists.add(program_entry_list(world, action["add_to_program"]))
    elif "adjust_score" in action:
        add_points(world, prospect, action["adjust_score"], at)
    elif "set_field" in action:
        set_field(world, prospect, action["set_field"], at)
    elif "add_tag" in action:
        prospect.tags.add(action["add_tag"])
    elif "assign" in action:
        prospect.assigned_to = action["assign"]


def program_entry_list(world: World, program: str) -> str:
    """Adding to a program means adding to its first recipient list, as Account Engagement does."""
    return world.programs[program]["recipients"]["include"][0]


def set_field(world: World, prospect: Prospect, change: dict[str, Any], at: datetime) -> None:
    prospect.fields[change["field"].split(".", 1)[1]] = change["value"]
    note_mql(world, prospect, at)  # a field can change the grade
