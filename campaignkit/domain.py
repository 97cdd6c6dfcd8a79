"""Facts of the domain that checks and the engine share: grades, activities, stages.

Values follow Account Engagement's defaults; nothing here
reads files or decides anything about a particular workspace.
"""

from __future__ import annotations

#: Best first; one third of a letter apart. A prospect starts at D.
GRADES = ("A+", "A", "A-", "B+", "B", "B-", "C+", "C", "C-", "D+", "D", "D-", "F")
START_GRADE = "D"

#: Activities that scoring rules can give points for, with Account Engagement's defaults.
DEFAULT_POINTS = {
    "page_view": 1,
    "email_open": 0,
    "email_click": 3,
    "form_submission": 50,
    "form_error": -5,
    "form_handler_submission": 50,
    "landing_page_submission": 50,
    "landing_page_error": -5,
    "file_download": 3,
    "custom_redirect_click": 3,
    "site_search": 3,
    "visitor_session": 3,
    "webinar_registered": 0,
    "webinar_attended": 0,
    "event_registered": 0,
    "event_attended": 0,
    "opportunity_created": 50,
    "opportunity_won": 0,
    "opportunity_lost": -100,
}
ACTIVITIES = tuple(DEFAULT_POINTS)

LIFECYCLE_STAGES = ("attract", "capture", "nurture", "convert", "expand")

FIELD_TYPES = ("text", "number", "date", "enum", "bool", "email")


def grade_rank(grade: str) -> int:
    """0 for A+, 12 for F: lower is better."""
    return GRADES.index(grade)
