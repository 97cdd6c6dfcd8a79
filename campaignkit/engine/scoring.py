"""Scoring (interest): points per activity, decay after inactivity, and the MQL threshold.

Every change to a score goes through ``add_points`` so that the moment a
prospect first becomes an MQL is recorded where it happens.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from campaignkit.engine.comparisons import grade_passes
from campaignkit.engine.grading import grade_of
from campaignkit.engine.prospect import Prospect
from campaignkit.engine.world import World

#: The scoring activity each trigger event counts as.
SCORED_AS = {"email_opened": "email_open", "email_clicked": "email_click", "form_submitted": "form_submission",
             "page_viewed": "page_view", "file_downloaded": "file_download"}


def score_activity(world: World, prospect: Prospect, kind: str, target: str, now: datetime) -> None:
    """Adds the points for one activity; only the first open of an email counts, as in Account Engagement."""
    if kind == "email_opened" and prospect.did(kind, target, datetime.min.replace(tzinfo=now.tzinfo), now):
        return
    prospect.last_active, prospect.decays = now, 0
    add_points(world, prospect, world.points.get(SCORED_AS[kind], 0), now)


def add_points(world: World, prospect: Prospect, points: int, now: datetime) -> None:
    prospect.score += points
    note_mql(world, prospect, now)


def begin(world: World, prospect: Prospect, start: datetime) -> None:
    """The prospect's state at the start of a run counts from the start: a prospect that is already
    an MQL is one from now, and one that has done nothing yet has been inactive since now (so
    that decay reaches a silent prospect as it does one that was active once)."""
    if prospect.last_active is None:
        prospect.last_active = start
    note_mql(world, prospect, start)


def note_mql(world: World, prospect: Prospect, now: datetime) -> None:
    """Records when the prospect first meets the MQL threshold (score and grade)."""
    if prospect.mql_at is None and is_mql(world, prospect):
        prospect.mql_at = now


def is_mql(world: World, prospect: Prospect) -> bool:
    mql = world.mql
    return prospect.score >= mql["score"] and ("grade" not in mql or grade_passes({"gte": mql["grade"]},
                                                                                  grade_of(world, prospect)))


def decay(world: World, prospect: Prospect, now: datetime) -> None:
    """Takes off the decay points for every full inactive period up to ``now``, never below zero.

    Decay is a repeating rule ("inactive 30 days: -20"), so each further
    period of silence takes off the points again; an activity restarts the count.
    Silence counts from the start of the run for a prospect that has done nothing
    yet (``begin`` sets ``last_active``): otherwise one page view would cost a
    prospect more points than never showing up at all.
    """
    if not world.decay or prospect.last_active is None:
        return
    period = timedelta(days=world.decay["after_days_inactive"])
    due = int((now - prospect.last_active) / period)
    while prospect.decays < due:
        prospect.decays += 1
        prospect.score = max(0, prospect.score + world.decay["points"]) if prospect.score > 0 else prospect.score
