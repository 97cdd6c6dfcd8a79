"""Plans and apply results for people and machines: text, Terraform-shaped JSON, markdown.

Text is for a terminal (coloured there, plain when piped): the summary and
the environment first (and again last: a long plan scrolls),
then drift found by refresh apart from the changes the files ask for, then
each address with only its changed fields, long text (an email's HTML) as a
unified diff, and an email's text part word by word. JSON follows Terraform's plan JSON (documented in
``docs/plan-json.md``) so that policy tools written for Terraform plans read
it; the Markdown pull-request comment is ``plan_comment``'s. A destroy that
looks like a rename (``plan.renames``) says so, in both.

Formatting only: nothing here decides what to change.
"""

from __future__ import annotations

import dataclasses
import difflib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import groupby
from operator import attrgetter
from os.path import commonprefix
from typing import Any

from rich.text import Text

from campaignkit import __version__
from campaignkit.plan import Action, Change, Drift, FieldChange, Plan
from campaignkit.plan.apply import ApplyReport, Outcome, Status
from campaignkit.plan.diff import flatten
from campaignkit.plan.findings import compare
from campaignkit.plan.in_flight import DAYS, PROSPECTS
from campaignkit.plan.renames import rename_hints
from campaignkit.review import Review
from campaignkit.state import Finding
from campaignkit.targets.base import CONTENT_DIGEST, CONTENT_FIELDS
from campaignkit.views.email_diff import GAP, as_text, word_diff
from campaignkit.views.review import review_text

FORMATS = ("text", "json", "markdown")
JSON_FORMAT_VERSION = "1.6"
#: The body a reader of the text part sees: diffed word by word, not line by line.
TEXT_PART = "text_body"
#: Strings longer than this, or with line breaks, are shown as a unified diff.
LONG_TEXT = 100
#: Diff lines wider than this are cut to what changed: MJML writes HTML lines many thousands of characters long.
WIDE_LINE = 160
_AROUND = 60

SYMBOLS = {Action.CREATE: "+", Action.UPDATE: "~", Action.REPLACE: "-/+", Action.DELETE: "-"}
_STYLE = {Action.CREATE: "green", Action.UPDATE: "yellow", Action.REPLACE: "magenta", Action.DELETE: "red"}
_WHAT = {Action.CREATE: "create", Action.UPDATE: "update in place", Action.REPLACE: "replace",
         Action.DELETE: "destroy"}
_TERRAFORM_ACTIONS = {Action.CREATE: ["create"], Action.UPDATE: ["update"], Action.REPLACE: ["delete", "create"],
                      Action.DELETE: ["delete"]}
_LINE_STYLE = {"+": "green", "-": "red", "~": "yellow", "@": "cyan", " ": "", "!": "bold"}


@dataclass(frozen=True)
class Line:
    """One detail line: ``sign`` is + (added), - (removed), ~ (changed), @ (diff hunk), space or ! (note)."""

    sign: str
    text: str


def plan_text(plan: Plan, review: Review | None = None) -> Text:
    """The plan for a terminal, with its ``review`` if given; ``.plain`` is the same without colour."""
    out = Text()
    out.append(plan.summary if plan.changes else "No changes. The target matches the files.", style="bold")
    out.append(f"\nEnvironment: {plan.environment} (target {plan.target})\n")
    calls = calls_line(plan)
    if calls:
        out.append(f"{calls}\n")
    if plan.drift:
        out.append("\n")
        out.append_text(drift_text(plan.drift))
    if plan.changes:
        out.append("\ncampaignkit will:\n", style="bold")
        hints = rename_notes(plan)
        for change in plan.changes:
            hint = [Line("!", hints[change.address])] if change.address in hints else []
            _append_entry(out, SYMBOLS[change.action], _STYLE[change.action], change.address, describe(change),
                          [*change_lines(change), *hint])
    if not plan.refreshed:
        out.append("\nThe target was not read (--no-refresh): changes made outside campaignkit are not shown.\n")
    if plan.targets:
        out.append(f"\n{targeting_note(plan)}\n", style="bold yellow")
    if review is not None:
        out.append_text(review_text(review, [c.address for c in plan.changes]))
    if plan.changes:  # a long plan's first line has scrolled away by the time it ends
        out.append(f"\n{plan.summary} Environment: {plan.environment}.\n", style="bold")
    out.rstrip()
    return out


def calls_line(plan: Plan) -> str:
    """How many API calls apply will make, for a target that counts them and a plan apply would act on."""
    calls = plan.api_calls
    if calls is None or not plan.needs_apply:
        return ""
    return (f"Apply will make {calls.total} API call{'s' if calls.total != 1 else ''} to {plan.target} "
            f"({calls.writes} to write, {calls.reads} to read).")


def targeting_note(plan: Plan) -> str:
    """Terraform's warning for a ``--target`` plan: it may leave out changes the files ask for."""
    return (f"Warning: Resource targeting is in effect (--target {', '.join(plan.targets)}): this plan covers only "
            "those addresses and what they depend on, so other changes the files ask for are not shown. "
            "Plan without --target to see them all.")


def drift_text(drift: Iterable[Drift]) -> Text:
    """Changes made outside campaignkit, as refresh found them."""
    out = Text()
    out.append("Objects changed outside campaignkit (found by refresh):\n", style="bold")
    for found in drift:
        changed = found.action == "update"
        _append_entry(out, "~" if changed else "-", "cyan", found.address,
                      "changed on the target" if changed else "deleted on the target", field_lines(found.fields))
    return out


def _append_entry(out: Text, symbol: str, style: str, address: str, what: str, lines: list[Line]) -> None:
    out.append(f"  {symbol:>3} ", style=f"bold {style}")
    out.append(address, style="bold")
    out.append(f"  ({what})\n")
    for line in lines:
        out.append(f"        {line.sign} {line.text}\n" if line.sign != "@" else f"        {line.text}\n",
                   style=_LINE_STYLE.get(line.sign, ""))


def describe(change: Change) -> str:
    parts = [_WHAT[change.action]]
    if change.previous_address:
        parts.append(f"moved from {change.previous_address}")
    if change.replace_fields:
        parts.append(f"{', '.join(change.replace_fields)} cannot change in place")
    if change.manual:
        parts.append("by hand: the target has no API for it")
    elif change.manual_fields:
        parts.append(f"{', '.join(change.manual_fields)} by hand")
    return "; ".join(parts)


def rename_notes(plan: Plan) -> dict[str, str]:
    """For each destroy and create that look like one renamed object, the line that says so."""
    notes = {}
    for hint in rename_hints(plan.changes):
        notes[hint.destroyed] = f"looks like a rename to {hint.created}: add `moved_from: {hint.destroyed}` to it"
        notes[hint.created] = f"looks like a rename: add `moved_from: {hint.destroyed}`"
    return notes


def change_lines(change: Change) -> list[Line]:
    """The detail lines of ``change``: what changes, field by field; for a destroy, what the object was."""
    if change.action is Action.DELETE:
        lines = field_lines(FieldChange(path, value, None) for path, value in flatten(change.before or {}).items()
                            if path != CONTENT_DIGEST and value is not None)
        if change.kind == "list":  # what a destroy loses
            lines.append(Line("!", "members: not known to the target" if change.list_size is None
                              else f"members: {change.list_size:,}"))
    elif change.content is None:
        lines = field_lines(change.fields)
    else:
        lines = [*field_lines(f for f in change.fields if f.path != CONTENT_DIGEST), *_content_lines(change)]
    if change.instructions:
        lines.append(Line("!", f"To do by hand: {change.instructions}"))
    return lines + _in_flight_lines(change)


def _waiting(count: int | None) -> str:
    if count is None:
        return "prospects waiting on it"
    return f"about {count:,} prospects waiting on it" if count else "none expected waiting on it; any there"


def _in_flight_lines(change: Change) -> list[Line]:
    """What the change does to the prospects on the program's changed and deleted steps (``plan.in_flight``)."""
    lines = [Line("!", f"in flight, {i.step} ({i.outcome}): {_waiting(i.waiting)} {i.detail}")
             for i in change.in_flight]
    if any(i.waiting is not None for i in change.in_flight):
        lines.append(Line("!", f"(estimated by simulating the applied program with {PROSPECTS:,} prospects "
                               f"entering over {DAYS} days)"))
    return lines


def _content_lines(change: Change) -> list[Line]:
    """An email's bodies: their size on a create; on an update, the HTML as a unified diff and the text
    part, which is what a reader sees, word by word."""
    before, after = change.content_before, change.content or {}
    if change.action is Action.UPDATE and before is None:  # the target could not say what it holds
        return field_lines(f for f in change.fields if f.path == CONTENT_DIGEST)
    held = before or {}
    lines: list[Line] = []
    for name in sorted(CONTENT_FIELDS, key=lambda name: name != TEXT_PART):  # what readers see first
        old, new = held.get(name), after.get(name)
        if old == new:
            continue
        if name == TEXT_PART and isinstance(old, str) and isinstance(new, str):
            lines += [Line("~", f"{name} (word by word: [-removed-]{{+added+}}):"),
                      *(Line("@" if words[0].text == GAP else "~", as_text(words)) for words in word_diff(old, new))]
        else:
            lines += field_lines([FieldChange(name, old, new)])
    return lines


def field_lines(fields: Iterable[FieldChange]) -> list[Line]:
    lines: list[Line] = []
    for field in fields:
        lines.extend(_one_field(field))
    return lines


def _one_field(field: FieldChange) -> list[Line]:
    before, after = field.before, field.after
    if before is None:
        return [Line("+", f"{field.path}: {_brief(after)}")]
    if after is None:
        return [Line("-", f"{field.path}: {_brief(before)}")]
    if isinstance(before, str) and isinstance(after, str) and (_is_long(before) or _is_long(after)):
        return [Line("~", f"{field.path}:"), *_unified(before, after)]
    return [Line("~", f"{field.path}: {_brief(before)} -> {_brief(after)}")]


def _is_long(value: Any) -> bool:
    return isinstance(value, str) and ("\n" in value or len(value) > LONG_TEXT)


def _brief(value: Any) -> str:
    """A value on one line: JSON, or the size of a long text."""
    if _is_long(value):
        return f"({len(value.splitlines())} lines, {len(value):,} characters)"
    return "(none)" if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)


def _unified(before: str, after: str) -> list[Line]:
    diff = difflib.unified_diff(before.splitlines(), after.splitlines(), "before", "after", n=2, lineterm="")
    lines = []
    for raw in diff:
        if raw.startswith(("---", "+++")):
            continue
        sign = "@" if raw.startswith("@@") else raw[:1] or " "
        lines.append(Line(sign, raw if sign == "@" else raw[1:]))
    return _narrowed(lines)


def _narrowed(lines: list[Line]) -> list[Line]:
    """Wide lines cut to a window: a removed line and the added line that replaces it, around what changed."""
    runs = [(sign, list(run)) for sign, run in groupby(lines, key=attrgetter("sign"))]
    narrowed: list[Line] = []
    for index, (sign, run) in enumerate(runs):
        partner: list[Line] = []
        if sign == "-" and index + 1 < len(runs) and runs[index + 1][0] == "+":
            partner = runs[index + 1][1]
        elif sign == "+" and index > 0 and runs[index - 1][0] == "-":
            partner = runs[index - 1][1]
        narrowed.extend(Line(sign, _window(line.text, partner[n].text if n < len(partner) else None))
                        for n, line in enumerate(run))
    return narrowed


def _window(text: str, other: str | None) -> str:
    """``text`` if it is narrow; else the part that differs from ``other`` with some context, or its start."""
    if len(text) <= WIDE_LINE:
        return text
    if other is None:
        return f"{text[:WIDE_LINE]}… ({len(text) - WIDE_LINE:,} more characters)"
    same_start = len(commonprefix([text, other]))
    same_end = min(len(commonprefix([text[::-1], other[::-1]])), min(len(text), len(other)) - same_start)
    start = max(0, same_start - _AROUND)
    end = min(len(text) - same_end + _AROUND, start + 3 * WIDE_LINE, len(text))
    return ("…" if start else "") + text[start:end] + ("…" if end < len(text) else "")


def plan_json(plan: Plan, review: Review | None = None) -> str:
    """The plan in the shape of Terraform's plan JSON (see docs/plan-json.md), with its ``review`` if given."""
    renames: dict[str, dict[str, str]] = {}
    for hint in rename_hints(plan.changes):
        renames[hint.destroyed] = renames[hint.created] = {"moved_from": hint.destroyed, "moved_to": hint.created}
    document = {
        "format_version": JSON_FORMAT_VERSION,
        "campaignkit_version": __version__,
        "timestamp": datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z"),
        "applyable": plan.needs_apply,
        "complete": not plan.targets,  # as Terraform: a targeted plan may leave changes out
        "errored": False,
        "environment": plan.environment,
        "target": plan.target,
        "targets": list(plan.targets),
        "summary": {"add": plan.to_add, "change": plan.to_change, "destroy": plan.to_destroy,
                    "manual": plan.manual, "drift": len(plan.drift),
                    **({} if plan.api_calls is None else {"api_calls": plan.api_calls.total})},
        "resource_changes": (changes := [_json_change(c, plan.target, renames) for c in plan.changes]),
        "resource_drift": [_json_drift(d, plan.target) for d in plan.drift],
        "state": {"lineage": plan.lineage, "serial": plan.serial, "empty": plan.state_empty,
                  "workspace_hash": plan.workspace_hash, "refreshed": plan.refreshed},
    }
    if review is not None:
        document.update(review.top_level())
        for item in changes:
            item["campaignkit"].update(review.change_facts(item["address"]))
    return json.dumps(document, indent=2, ensure_ascii=False)


def _json_object(name: str, attributes: dict[str, Any] | None) -> dict[str, Any] | None:
    return None if attributes is None else {"name": name, **attributes}


def _json_change(change: Change, target: str, renames: dict[str, dict[str, str]]) -> dict[str, Any]:
    before_name = next((f.before for f in change.fields if f.path == "name"), change.name)
    item: dict[str, Any] = {
        "address": change.address,
        "mode": "managed",
        "type": change.kind,
        "name": change.name,
        "provider_name": f"campaignkit/{target}",
        "change": {
            "actions": _TERRAFORM_ACTIONS[change.action],
            "before": _json_object(before_name, change.before),
            "after": _json_object(change.name, change.after),
            "after_unknown": {},
            "before_sensitive": False,
            "after_sensitive": False,
        },
        "campaignkit": {
            "target_id": change.target_id,
            "changed_paths": [f.path for f in change.fields],
            "manual": change.manual,
            "manual_fields": list(change.manual_fields),
            "instructions": change.instructions,
            "depends_on": list(change.wait_for),
        },
    }
    if change.checks is not None:
        item["campaignkit"]["checks"] = _json_checks(change.checks_before, change.checks)
    if change.in_flight:
        item["campaignkit"]["in_flight"] = [dataclasses.asdict(i) for i in change.in_flight]
    if change.previous_address:
        item["previous_address"] = change.previous_address
    if change.address in renames:
        item["campaignkit"]["looks_like_rename"] = renames[change.address]
    if change.action is Action.REPLACE:
        item["change"]["replace_paths"] = [[field] for field in change.replace_fields]
        item["action_reason"] = "replace_because_cannot_update"
    return item


def _json_checks(before: tuple[Finding, ...] | None, after: tuple[Finding, ...]) -> dict[str, Any]:
    """An email's findings now and as applied; added, fixed and unchanged are null when nothing was recorded."""
    checks: dict[str, Any] = {"before": _json_findings(before), "after": _json_findings(after),
                              "added": None, "fixed": None, "unchanged": None}
    if before is not None:
        diff = compare(before, after)
        checks.update(added=_json_findings(diff.added), fixed=_json_findings(diff.fixed), unchanged=diff.unchanged)
    return checks


def _json_findings(findings: tuple[Finding, ...] | None) -> list[dict[str, str]] | None:
    return None if findings is None else [f.to_record() for f in findings]


def _json_drift(drift: Drift, target: str) -> dict[str, Any]:
    return {
        "address": drift.address,
        "mode": "managed",
        "type": drift.kind,
        "name": drift.name,
        "provider_name": f"campaignkit/{target}",
        "change": {
            "actions": [drift.action],
            "before": _json_object(drift.name, drift.before),
            "after": _json_object(drift.remote_name or drift.name, drift.after),
        },
    }


def outcome_line(outcome: Outcome) -> str:
    """One line per finished change, for logs when there is no terminal for a progress bar."""
    change = outcome.change
    if outcome.status is Status.FAILED:
        return f"{change.address}: {change.action.value} failed: {outcome.error}"
    done = {Action.CREATE: "created", Action.UPDATE: "updated", Action.REPLACE: "replaced",
            Action.DELETE: "destroyed"}[change.action]
    return f"{change.address}: {done}" + (" (recorded; to do by hand)" if change.manual else "")


def apply_text(report: ApplyReport) -> Text:
    """What was applied, what failed and why, what was not tried, and what a person must do."""
    out = Text()
    out.append(report.summary, style="bold green" if report.ok else "bold red")
    out.append("\n")
    failed, skipped = report.of(Status.FAILED), report.of(Status.NOT_TRIED)
    if failed:
        out.append("\nFailed:\n", style="bold red")
        for outcome in failed:
            out.append(f"  {outcome.change.address} ({outcome.change.action.value}): {outcome.error}\n")
    if skipped:
        out.append("\nNot tried (they wait for a failed change, or the apply stopped before them):\n", style="bold")
        for outcome in skipped:
            out.append(f"  {outcome.change.address} ({outcome.change.action.value})\n")
    if report.manual:
        out.append("\nTo do by hand (recorded in state as done):\n", style="bold yellow")
        for outcome in report.manual:
            out.append(f"  {outcome.change.address}: {outcome.change.instructions}\n")
    if not report.ok:
        out.append("\nWhat was applied is recorded in state; run 'campaignkit plan' to see what is left.\n")
    out.rstrip()
    return out
