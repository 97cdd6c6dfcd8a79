"""The text ``campaignkit simulate`` prints: the funnel per step, emails per day, MQLs per week.

Days with no sends are left out of the email lines so that a 90-day run
still fits a terminal; ``--format json`` has every day.
"""

from __future__ import annotations

from datetime import timedelta

from campaignkit.engine.simulate import Report

_COLUMNS = ("entered", "yes", "no", "not_sent", "stopped", "waiting")


def simulation_text(report: Report) -> str:
    data = report.as_json()
    lines = [f"{report.program}: {report.prospects:,} prospects, {report.days} days from {_start(report)}, "
             f"seed {report.seed} ({report.cohorts:,} cohorts)", "", "Funnel"]
    if report.paused:
        lines[1:1] = ["", "The program is paused (status: paused): no one moves until it is resumed."]
    width = max(len("step"), *(len(row["step"]) for row in data["funnel"]))
    lines.append(f"  {'step':<{width}}  {'kind':<7}" + "".join(f"{c.replace('_', ' '):>10}" for c in _COLUMNS))
    for row in data["funnel"]:
        lines.append(f"  {row['step']:<{width}}  {row['kind']:<7}" + "".join(f"{row[c]:>10,}" for c in _COLUMNS))
    lines += ["", "Emails sent (day: count; day 0 is the start)"]
    for email, sends in data["emails"].items():
        days = ", ".join(f"d{day} {count:,}" for day, count in enumerate(sends["per_day"]) if count)
        lines.append(f"  {email}  total {sends['total']:,}: {days}")
    if not data["emails"]:
        lines.append("  none")
    lines += ["", f"MQLs: {data['mqls']['total']:,} in all"]
    cumulative = data["mqls"]["cumulative"]
    weeks = [(week, cumulative[min(len(cumulative), (week + 1) * 7) - 1]) for week in range((report.days + 6) // 7)]
    lines.append("  " + ", ".join(f"week {week + 1}: {total:,}" for week, total in weeks))
    end = (report.start + timedelta(days=report.days)).astimezone(report.clock)
    lines.append(f"  (by {end:%Y-%m-%d}; waiting = still in the step at the end)")
    return "\n".join(lines)


def _start(report: Report) -> str:
    """The start on the program's clock, and in UTC when that is another."""
    if str(report.clock) == "UTC":
        return f"{report.start:%Y-%m-%d %H:%M} UTC"
    return f"{report.start.astimezone(report.clock):%Y-%m-%d %H:%M} {report.clock} ({report.start:%H:%M} UTC)"
