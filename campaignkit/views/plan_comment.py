"""The plan as pull-request comments: risk first, identical changes once, under GitHub's limit.

A reviewer must see what can hurt before what cannot: destroys, replaces and
steps done by hand come first, then updates, then creates, and the address of
every destroy, replace and manual step is listed whatever else is cut.
Changes that are the same (a shared footer edited in 600 emails) are shown
once, with their addresses folded. An email is shown as its readers see it: the
subject and preheader as each persona's sample prospect gets them beside the templates,
the visible text diffed word by word, and the HTML source diff folded under it.
Each changed program's diagram marks the steps added, changed and removed.

A comment never passes ``limit`` characters (GitHub refuses more than 65,536):
what does not fit is cut, from the least risky end, with a note that counts
what is not shown by action and says where the whole plan is; or, with
``plan_comments``, the plan is split into numbered parts that each fit, as
Atlantis does. Formatting only: nothing here decides what to change.
"""

from __future__ import annotations

import html
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from campaignkit.plan import Action, Change, Plan
from campaignkit.plan.findings import compare
from campaignkit.plan.renames import rename_hints
from campaignkit.review import Review
from campaignkit.state import Finding
from campaignkit.views.diagram import diagram_of, to_mermaid
from campaignkit.views.email_diff import GAP, WordLine, as_html, as_text, visible_text, word_diff
from campaignkit.views.plan import (
    SYMBOLS,
    Line,
    calls_line,
    change_lines,
    describe,
    field_lines,
    rename_notes,
    targeting_note,
)
from campaignkit.views.review import review_markdown

MARKDOWN_LIMIT = 65_000
#: Sections in the order a reviewer should read them; the addresses in ``_ALWAYS_LISTED`` are never cut.
_SECTIONS = {"drift": "Changed outside campaignkit (drift)", "destroy": "Destroy", "replace": "Replace",
             "manual": "By hand", "update": "Update", "create": "Create"}
_ALWAYS_LISTED = frozenset({"destroy", "replace", "manual"})
_GROUPED = frozenset({"update", "create"})
_INBOX_FIELDS = (("subject", "Subject"), ("preheader", "Preheader"))
_NOUNS = {Action.DELETE: "destroy", Action.REPLACE: "replace", Action.UPDATE: "update", Action.CREATE: "create"}
#: Room kept for the note that says what was cut, and for a part's heading.
_NOTE_ROOM = 600
#: Whose values an email's body shows: the plan renders it once, not for each persona.
_MERGED = ", merge fields filled in for the sample prospect (or in the target's merge language)"
#: Lines of an email's visible text (a new one's, or the changed lines) shown; the rest are counted.
_TEXT_LINES = 40


@dataclass(frozen=True)
class Provenance:
    """What the comment says about where the plan comes from: the commit (short hash, and whether files
    had uncommitted changes), when it was planned, and where the whole plan is kept when a comment is cut."""

    commit: str = ""
    dirty: bool = False
    planned_at: datetime | None = None
    full_plan: str = ""


@dataclass
class _Entry:
    """One line of the comment's index (a change, or identical changes), and its folded details."""

    section: str
    changes: tuple[Change, ...]
    index: list[str]
    blocks: list[list[str]] = field(default_factory=list)


def plan_markdown(plan: Plan, limit: int = MARKDOWN_LIMIT, made: Provenance | None = None,
                  review: Review | None = None) -> str:
    """The plan as one pull-request comment of at most ``limit`` characters, cut if it must be, with its
    ``review`` (approvals, policies, impact) if given."""
    made = made or Provenance()
    return _cut(_head(plan, made, "", review), _entries(plan), limit, made)


def plan_comments(plan: Plan, limit: int = MARKDOWN_LIMIT, made: Provenance | None = None,
                  review: Review | None = None) -> list[str]:
    """The plan as numbered comments ("part 1 of 3"), each of at most ``limit`` characters, nothing left out."""
    made = made or Provenance()
    chunks = _chunks(_entries(plan), limit - _NOTE_ROOM)
    parts: list[list[tuple[str, str]]] = [[]]
    used = len(_head(plan, made, "part 1 of 1", review))
    for section, text in chunks:
        if parts[-1] and used + len(text) + 1 > limit - _NOTE_ROOM:
            parts.append([])
            used = _NOTE_ROOM // 2
        parts[-1].append((section, text))
        used += len(text) + 1
    total = len(parts)
    return [_part(plan, made, number, total, part, review) for number, part in enumerate(parts, 1)]


def _part(plan: Plan, made: Provenance, number: int, total: int, chunks: list[tuple[str, str]],
          review: Review | None) -> str:
    label = f"part {number} of {total}" if total > 1 else ""
    if number == 1:
        lines = [_head(plan, made, label, review)]
    else:
        lines = [f"### campaignkit plan for `{plan.environment}`, {label}", ""]
        section, text = chunks[0]
        if section and not text.startswith("#### "):
            lines += [f"#### {_SECTIONS[section]} (continued)", ""]
    return "\n".join([*lines, *(text for _, text in chunks)]).rstrip() + "\n"


def _head(plan: Plan, made: Provenance, part: str, review: Review | None = None) -> str:
    title = f"### campaignkit plan for `{plan.environment}`" + (f", {part}" if part else "")
    head = [title, ""]
    origin = _origin(made)
    if origin:
        head += [origin, ""]
    head += [f"**{plan.summary if plan.changes else 'No changes. The target matches the files.'}**", ""]
    if plan.targets:
        head += [f"> {targeting_note(plan)}", ""]
    head += ["| Action | Count |", "|---|---:|",
             *(f"| {label} | {count} |" for label, count in (
                 ("Destroy", plan.count(Action.DELETE)), ("Replace", plan.count(Action.REPLACE)),
                 ("By hand (manual)", plan.manual), ("Update", plan.count(Action.UPDATE)),
                 ("Create", plan.count(Action.CREATE)), ("Changed outside campaignkit (drift)", len(plan.drift)))), ""]
    calls = calls_line(plan)
    if calls:
        head += [calls, ""]
    if review is not None:
        head += review_markdown(review)
    return "\n".join(head)


def _origin(made: Provenance) -> str:
    """"Planned at 2026-12-07 15:20 UTC from commit `abc1234` (with uncommitted changes)."."""
    words = []
    if made.planned_at is not None:
        words.append(f"at {made.planned_at.strftime('%Y-%m-%d %H:%M %Z').strip()}")
    if made.commit:
        words.append(f"from commit `{made.commit}`" + (" with uncommitted changes" if made.dirty else ""))
    return f"Planned {' '.join(words)}." if words else ""


# --- What the comment holds, in the order it is read -------------------------------------------

def _entries(plan: Plan) -> list[_Entry]:
    """Drift, then each section's entries: identical changes grouped, a likely rename beside its destroy."""
    notes = rename_notes(plan)
    renamed = {hint.destroyed: hint.created for hint in rename_hints(plan.changes)}
    creates = {c.address: c for c in plan.changes if c.address in renamed.values()}
    entries = [_Entry("drift", (), [f"- `{d.address}`: {d.action}d on the target", ""],
                      [_details(f"drift: <code>{d.address}</code> {d.action}d on the target", field_lines(d.fields))])
               for d in plan.drift]
    by_section: dict[str, list[list[Change]]] = {section: [] for section in _SECTIONS}
    groups: dict[tuple[Any, ...], list[Change]] = {}
    for change in plan.changes:
        section = _section(change)
        if change.address in creates:
            continue  # shown beside the destroy it looks like a rename of
        if section in _GROUPED:
            key = _likeness(change)
            if key not in groups:
                groups[key] = []
                by_section[section].append(groups[key])
            groups[key].append(change)
        else:
            by_section[section].append([change])
    for section, members in by_section.items():
        for same in sorted(members, key=lambda m: -len(m)) if section in _GROUPED else members:
            entries.append(_entry(section, same, notes))
            if same[0].address in renamed:
                entries.append(_entry(section, [creates[renamed[same[0].address]]], notes))
    return entries


def _section(change: Change) -> str:
    if change.action is Action.DELETE:
        return "destroy"
    if change.action is Action.REPLACE:
        return "replace"
    return "manual" if change.needs_person else _NOUNS[change.action]


def _likeness(change: Change) -> tuple[Any, ...]:
    """What must be equal for two changes to be shown as one: their changed lines, not the context around them."""
    changed = tuple((line.sign, line.text) for line in change_lines(change) if line.sign not in " @")
    words = tuple(as_text(line) for line in _text_diff(change))
    inbox = (*(_inbox_row(label, key, change) for key, label in _INBOX_FIELDS), *_received_lines(change)) \
        if any((change.before or {}).get(key) != (change.after or {}).get(key) for key, _ in _INBOX_FIELDS) else ()
    return change.kind, change.action, describe(change), changed, words, inbox, tuple(_checks_lines(change))


def _entry(section: str, same: list[Change], notes: dict[str, str]) -> _Entry:
    first = same[0]
    note = f" ({notes[first.address]})" if first.address in notes else ""
    if len(same) == 1:
        return _Entry(section, (first,), [f"- `{first.address}`: {describe(first)}{note}", ""], _blocks(first))
    kind = f"{first.kind}s"
    members = ", ".join(f"`{c.address}`" for c in same)
    return _Entry(section, tuple(same),
                  [f"- **the same change to {len(same)} {kind}** ({describe(first)}): `{first.address}` and "
                   f"{len(same) - 1} more, shown once below", ""],
                  [[f"<details><summary>the {len(same)} {kind}</summary>", "", members, "", "</details>", ""],
                   *_blocks(first)])


def _blocks(change: Change) -> list[list[str]]:
    source = _details(f"{SYMBOLS[change.action]} <code>{change.address}</code> {describe(change)}",
                      change_lines(change))
    if change.kind == "email" and change.after is not None:
        return [_as_readers_see(change), source]
    return [source, *_program_diagram(change)]


def _program_diagram(change: Change) -> list[list[str]]:
    """For a program that is created or changed, its step graph as Mermaid (which GitHub draws), changes marked."""
    if change.kind != "program" or not change.after or "steps" not in change.after:
        return []
    before = change.before if change.action is not Action.CREATE else None
    mermaid = to_mermaid(diagram_of(change.name, change.after, before)).splitlines()
    marked = " (added, changed and removed steps marked)" if before is not None else ""
    return [[f"<details><summary>diagram of <code>{change.address}</code> after this change{marked}</summary>",
             "", "```mermaid", *mermaid, "```", "", "</details>", ""]]


# --- An email as its readers see it ------------------------------------------------------------

def _as_readers_see(change: Change) -> list[str]:
    """The inbox (templates, and as each persona gets them), the visible text's changes, the checks."""
    rendered = "| As the sample prospect gets it " if change.inbox is not None and not change.received else ""
    lines = [f"<details open><summary>as readers see <code>{change.address}</code></summary>", "",
             f"| | Before | After {rendered}|", "|---|---|---|" + ("---|" if rendered else ""),
             *(_inbox_row(label, key, change) for key, label in _INBOX_FIELDS), "", *_received_lines(change),
             *_text_lines(change), *_checks_lines(change), "</details>", ""]
    return lines


def _inbox_row(label: str, key: str, change: Change) -> str:
    before, after = change.before, change.after or {}
    rendered = f" {_cell(change.inbox.get(key))} |" if change.inbox is not None and not change.received else ""
    if before is None:
        return f"| {label} | (new) | {_cell(after.get(key))} |{rendered}"
    now = "unchanged" if before.get(key) == after.get(key) else _cell(after.get(key))
    return f"| {label} | {_cell(before.get(key))} | {now} |{rendered}"


def _received_lines(change: Change) -> list[str]:
    """One row per persona the email is written for: its subject and preheader as that persona gets them."""
    if not change.received:
        return []
    return ["| As received by | Subject | Preheader |", "|---|---|---|",
            *(f"| {_cell(r.persona)} | {_cell(r.subject)} | {_cell(r.preheader)} |" if not r.problem
              else f"| {_cell(r.persona)} | does not render: {_cell(r.problem)} | |" for r in change.received), ""]


def _text_diff(change: Change) -> list[WordLine]:
    """The visible text's changed lines, word by word; empty when the bodies did not change or are unknown."""
    if change.content is None or change.content_before is None:
        return []
    return word_diff(visible_text(change.content_before.get("html_body", "")),
                     visible_text(change.content.get("html_body", "")))


def _text_lines(change: Change) -> list[str]:
    if change.content is None:
        return []
    if change.action is Action.CREATE:
        text = [line for line in visible_text(change.content.get("html_body", "")).splitlines() if line.strip()]
        more = [f"<p>… ({len(text) - _TEXT_LINES} more lines)</p>"] if len(text) > _TEXT_LINES else []
        return [f"The text readers see{_MERGED}:", "", "<blockquote>",
                *(f"<p>{html.escape(line)}</p>" for line in text[:_TEXT_LINES]), *more, "</blockquote>", ""]
    if change.content_before is None:
        return ["The target could not say what it holds now: the text readers see is not compared.", ""]
    diff = _text_diff(change)
    if not diff:
        return ["The text readers see is unchanged (only the HTML source changed).", ""]
    more = [f"<p>… ({len(diff) - _TEXT_LINES} more changed lines: see the source diff)</p>"] \
        if len(diff) > _TEXT_LINES else []
    return [f"What readers see, word by word (<del>removed</del>, <ins>added</ins>){_MERGED}:", "", "<blockquote>",
            *(f"<p>{as_html(line) if line[0].text != GAP else GAP}</p>" for line in diff[:_TEXT_LINES]), *more,
            "</blockquote>", ""]


def _cell(value: Any) -> str:
    """A value as a table cell: HTML and the column bar escaped, so a subject cannot break the table."""
    return "(none)" if value in (None, "") else html.escape(str(value)).replace("|", "&#124;")


def _checks_lines(change: Change) -> list[str]:
    """The findings added and fixed since the applied version; all of them when its findings are unknown.

    Errors stop a plan, so findings here are warnings. Nothing when not checked.
    """
    findings = change.checks
    if findings is None:
        return []
    if change.checks_before is None:
        why = ("a new email" if change.action is Action.CREATE
               else "the applied version's findings were not recorded (it was applied before campaignkit kept them)")
        return [f"Checks: {why}; the findings of this version follow.", "", *_findings_lines(findings)]
    diff = compare(change.checks_before, findings)
    if not (diff.added or diff.fixed or diff.unchanged):
        return ["Checks: no findings, before or after.", ""]
    return [f"Checks: {_count(diff.added, 'added')}, {_count(diff.fixed, 'fixed')}, unchanged: {diff.unchanged}.",
            "", *(f"- added: {_finding(f)}" for f in diff.added), *(f"- fixed: {_finding(f)}" for f in diff.fixed),
            *([""] if diff.added or diff.fixed else [])]


def _count(findings: tuple[Finding, ...], what: str) -> str:
    return f"{len(findings) or 'none'} {what}"


def _findings_lines(findings: tuple[Finding, ...]) -> list[str]:
    if not findings:
        return ["Checks now: no check findings.", ""]
    return [f"Checks now: {len(findings)} finding{'s' if len(findings) > 1 else ''}.", "",
            *(f"- {_finding(f)}" for f in findings), ""]


def _finding(finding: Finding) -> str:
    where = f" ({finding.at})" if finding.at else ""
    return f"{finding.severity} {finding.code}: {_cell(finding.message)}{where}"


def _details(summary: str, lines: list[Line]) -> list[str]:
    body = [("! " if line.sign == "~" else f"{line.sign} ") + line.text if line.sign != "@" else line.text
            for line in lines]
    fence = "`" * max(3, 1 + max((_longest_backticks(t) for t in body), default=0))
    return [f"<details><summary>{summary}</summary>", "", f"{fence}diff", *body, fence, "", "</details>", ""]


def _longest_backticks(text: str) -> int:
    longest = run = 0
    for char in text:
        run = run + 1 if char == "`" else 0
        longest = max(longest, run)
    return longest


# --- Fitting the limit -------------------------------------------------------------------------

def _cut(head: str, entries: list[_Entry], limit: int, made: Provenance) -> str:
    """``head`` and the entries that fit in ``limit``: every index line of the sections always listed, then
    the others' index lines in order, then details in order; a note counts what is not shown."""
    room = limit - len(head) - _NOTE_ROOM - sum(len(_heading(s)) + 1 for s in _SECTIONS)
    listed, room = _listed(entries, room)
    shown: list[list[str]] = [[] for _ in entries]
    whole = [not entry.blocks for entry in entries]
    for number, entry in enumerate(entries):
        if listed[number] and room > 0:
            whole[number], room = _fill(entry.blocks, shown[number], room)
    body = _sections((entry.section, [*entry.index, *shown[n]]) for n, entry in enumerate(entries) if listed[n])
    note = _cut_note(entries, listed, whole, limit, made)
    return "\n".join([head, *body, *([note] if note else [])]).rstrip() + "\n"


def _listed(entries: list[_Entry], room: int) -> tuple[list[bool], int]:
    """Which entries' index lines are shown: those always listed, then the others in order while they fit."""
    listed = [e.section in _ALWAYS_LISTED for e in entries]
    room -= sum(_size(e.index) for e, always in zip(entries, listed, strict=True) if always)
    for number, entry in enumerate(entries):
        if not listed[number]:
            if _size(entry.index) > room:
                break
            listed[number] = True
            room -= _size(entry.index)
    return listed, room


def _fill(blocks: list[list[str]], shown: list[str], room: int) -> tuple[bool, int]:
    """Appends to ``shown`` the blocks that fit in ``room``; whether all did, and the room left.

    A diff that does not fit is cut to the room left, and nothing comes after it; a diagram or an
    email's view is whole or not shown, and a smaller block after it may still fit.
    """
    whole = True
    for block in blocks:
        text = "\n".join(block)
        if len(text) + 1 <= room:
            shown.append(text)
            room -= len(text) + 1
            continue
        whole = False
        partial = _cut_block(block, room)
        if partial:
            shown.append(partial)
            return False, 0
    return whole, room


def _size(lines: Sequence[str]) -> int:
    return len("\n".join(lines)) + 1


def _heading(section: str) -> str:
    return f"#### {_SECTIONS[section]}\n"


def _sections(parts: Iterable[tuple[str, list[str]]]) -> list[str]:
    """The parts' lines, each section's heading before its first part."""
    lines: list[str] = []
    current = ""
    for section, part in parts:
        if section != current:
            lines += [_heading(section)]
            current = section
        lines += part
    return lines


def _cut_note(entries: list[_Entry], listed: list[bool], whole: list[bool], limit: int, made: Provenance) -> str:
    unlisted: Counter[str] = Counter()
    undetailed: Counter[str] = Counter()
    for entry, is_listed, is_whole in zip(entries, listed, whole, strict=True):
        for change in entry.changes:
            if not is_listed:
                unlisted[_NOUNS[change.action]] += 1
            elif not is_whole:
                undetailed[_NOUNS[change.action]] += 1
    drift = sum(1 for e, is_listed, is_whole in zip(entries, listed, whole, strict=True)
                if e.section == "drift" and not (is_listed and is_whole))
    if not (unlisted or undetailed or drift):
        return ""
    said = []
    if undetailed:
        said.append(f"the details of {_counted(undetailed)}")
    if unlisted:
        said.append(f"{_counted(unlisted)}, not even listed")
    if drift:
        said.append(f"{drift} drift")
    where = made.full_plan or ("run `campaignkit plan` for all of it, or `campaignkit plan --format markdown "
                               "--split-dir DIR` for comments that hold it all")
    return (f"_This comment is cut to stay under {limit:,} characters; not shown: {'; '.join(said)}. "
            f"The whole plan: {where}._")


def _counted(counts: Counter[str]) -> str:
    order = [noun for noun in _NOUNS.values() if counts[noun]]
    return ", ".join(f"{counts[noun]:,} {noun}{'s' if counts[noun] != 1 else ''}" for noun in order)


def _chunks(entries: list[_Entry], room: int) -> list[tuple[str, str]]:
    """Everything the comments hold, as pieces never split between two comments, each under ``room``."""
    chunks: list[tuple[str, str]] = []
    current = ""
    for entry in entries:
        if entry.section != current:
            chunks.append((entry.section, _heading(entry.section)))
            current = entry.section
        chunks.append((entry.section, "\n".join(entry.index)))
        for block in entry.blocks:
            text = "\n".join(block)
            if len(text) > room:
                text = _cut_block(block, room) or "_(a block too long for a comment is not shown: run `campaignkit " \
                                                  "plan` to see it)_"
            chunks.append((entry.section, text))
    return chunks


def _cut_block(block: list[str], room: int) -> str:
    """The first lines of one long diff block that fit in ``room``, fences closed, or "" if none fit.

    Other blocks (a diagram, an email's inbox view) are whole or not shown:
    half a Mermaid graph or half a table would only mislead.
    """
    if not block[2].endswith("diff"):
        return ""
    opening, body, closing = block[:3], block[3:-4], block[-4:]
    kept: list[str] = []
    used = sum(len(x) + 1 for x in opening + closing) + 60
    for line in body:
        if used + len(line) + 1 > room:
            if room - used > 20:  # a part of one very long line (an HTML body) is still worth showing
                kept.append(line[: room - used - 1] + "…")
            break
        kept.append(line)
        used += len(line) + 1
    if not kept:
        return ""
    if len(kept) < len(body):
        kept.append(f"… ({len(body) - len(kept)} more lines cut)")
    return "\n".join([*opening, *kept, *closing])
