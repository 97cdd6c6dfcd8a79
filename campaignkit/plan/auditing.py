"""Auditing a business unit: what to clean up before (or while) it comes under campaignkit.

"Once you have chosen a naming convention, update all existing assets; first
re-check the prospects' email addresses for matching or duplicate records." The
audit reads everything the target holds, managed or not, and counts: names
that break the naming convention, custom fields that emails merge without a
default (a recipient with the field empty reads "Dear ,"), lists that nothing
uses, programs that send to lists the business unit no longer has, and email
addresses held by more than one prospect. Every read takes whole collections
(pages of 1,000 on Account Engagement); an email's bodies, which no query
returns, are read one by one, and only from a target that merges its own tags.
It writes nothing, to the target or to state.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from campaignkit.checks.naming import KindPattern, kind_patterns
from campaignkit.plan.adopt_locales import translations
from campaignkit.plan.adopt_names import propose
from campaignkit.plan.adopting import held_objects
from campaignkit.targets import RemoteObject, Target, merge_language
from campaignkit.targets.base import ReadsProspects
from campaignkit.workspace.model import KINDS, Environment, Workspace, values_below

#: How many examples each finding shows.
EXAMPLES = 5
#: A merge field without a fallback: ``{{ name }}``, ``{{Recipient.Name}}``, ``{{{Recipient.Name}}}``, ``%%name%%``.
_MERGES = (re.compile(r"\{\{\s*([A-Za-z_]\w*)\s*\}\}"), re.compile(r"\{\{\{?Recipient\.(\w+)\}?\}\}"),
           re.compile(r"%%(\w+)%%"))
#: HML's fallback: a tag inside ``{{#if X}}...{{else}}`` is merged only when the field has a value.
_GUARDED = re.compile(r"\{\{#if\s+Recipient\.(\w+)\s*\}\}")


@dataclass(frozen=True)
class Finding:
    """One thing the audit looks for: how many it found, and the first few."""

    check: str
    title: str
    count: int
    examples: tuple[str, ...]


@dataclass(frozen=True)
class Audit:
    target: str
    environment: str
    #: Objects read, by kind.
    objects: dict[str, int]
    prospects: int | None
    findings: tuple[Finding, ...]
    #: What could not be read, and so was not audited.
    notes: tuple[str, ...] = ()


@dataclass
class _Held:
    """What the target holds, read once for every check."""

    by_kind: dict[str, list[RemoteObject]] = field(default_factory=lambda: defaultdict(list))
    notes: list[str] = field(default_factory=list)


def audit(workspace: Workspace, environment: Environment, target: Target, examples: int = EXAMPLES) -> Audit:
    """The audit of ``environment``'s target."""
    target.check()
    held = _read(target, environment)
    prospects = _duplicates(target, examples) if isinstance(target, ReadsProspects) else None
    if prospects is None:
        held.notes.append(f"the {target.name} target has no prospects to read: duplicates not audited")
    findings = (
        _naming(workspace, held, examples),
        _missing_defaults(held, examples),
        _unused_lists(held, examples),
        _missing_lists(held, examples),
        *((prospects[0],) if prospects else ()),
    )
    return Audit(target.name, environment.name, {k: len(v) for k, v in sorted(held.by_kind.items())},
                 prospects[1] if prospects else None, findings, tuple(held.notes))


def _read(target: Target, environment: Environment) -> _Held:
    held = _Held()
    bodies = merge_language(environment) is not None  # a target that merges its own tags holds them in the bodies
    for kind in KINDS:
        listed = held_objects(target, kind, held.notes)
        if kind == "email" and bodies:
            listed = [o if o.content is not None else target.read(kind, o.id) or o for o in listed]
        if listed or target.capabilities(kind).api:
            held.by_kind[kind] = listed
    return held


def _finding(check: str, title: str, found: Sequence[str], examples: int) -> Finding:
    return Finding(check, title, len(found), tuple(found[:examples]))


def _shown(obj: RemoteObject) -> str:
    return f"{obj.kind} '{obj.name}' (id {obj.id})"


def _naming(workspace: Workspace, held: _Held, examples: int) -> Finding:
    declared = workspace.of_kind("naming")
    convention = declared[0].attributes if declared else next((o.attributes for o in held.by_kind["naming"]), None)
    rules: dict[str, KindPattern] = kind_patterns(convention) if convention else {}
    if not rules:
        held.notes.append("no naming convention in the files or on the target: names not audited")
    translated = translations(held.by_kind.get("email", ()))  # named after their email, as the files name them
    found = [f"{_shown(o)}: {propose(kind, o.name, o.id, o.attributes, o.created, rule, ())}"
             for kind in KINDS if (rule := rules.get(kind))
             for o in held.by_kind.get(kind, ()) if not rule.fits(o.name) and o.id not in translated]
    return _finding("naming", "names that break the naming convention (with a name that fits)", found, examples)


def _missing_defaults(held: _Held, examples: int) -> Finding:
    """Custom fields without a default that an email merges without a fallback."""
    fields = [f for f in held.by_kind.get("field", ())
              if f.attributes.get("custom") and not f.attributes.get("default")]
    merged_by: dict[str, list[str]] = defaultdict(list)
    for email in held.by_kind.get("email", ()):
        for name in _unguarded_merges(email):
            merged_by[name].append(email.name)
    found = []
    for custom in fields:
        emails = sorted({e for name in _merge_names(custom) for e in merged_by.get(name, ())})
        if emails:
            found.append(f"{_shown(custom)}, merged by {', '.join(emails[:3])}{' ...' if len(emails) > 3 else ''}")
    return _finding("missing-default", "custom fields that emails merge without a default", found, examples)


def _merge_names(custom: RemoteObject) -> set[str]:
    """The names a field is merged by: its name, its API name (HML) and its API name without ``__c`` (PML)."""
    api_name = str(custom.attributes.get("api_name") or "")
    return {custom.name, api_name, api_name.removesuffix("__c")} - {""}


def _unguarded_merges(email: RemoteObject) -> set[str]:
    texts = [str(email.attributes.get(key) or "") for key in ("subject", "preheader")]
    texts += list((email.content or {}).values())
    found: set[str] = set()
    for text in texts:
        guarded = set(_GUARDED.findall(text))
        for pattern in _MERGES:
            found.update(name for name in pattern.findall(text) if name not in guarded)
    return found


def _references(held: _Held) -> set[str]:
    """Every list address other objects refer to, and the list ids programs read by id send to."""
    found: set[str] = set()
    for objects in held.by_kind.values():
        for obj in objects:
            found.update(v for v in values_below(obj.attributes) if isinstance(v, str) and v.startswith("list."))
    for program in held.by_kind.get("program", ()):
        recipients = program.attributes.get("recipients") or {}
        found.update(str(i) for key in ("include", "exclude") for i in recipients.get(key) or ())
    return found


def _unused_lists(held: _Held, examples: int) -> Finding:
    used = _references(held)
    found = [_shown(o) for o in held.by_kind.get("list", ()) if f"list.{o.name}" not in used and o.id not in used]
    return _finding("unused-list", "lists no program, form, email or other list uses", found, examples)


def _missing_lists(held: _Held, examples: int) -> Finding:
    lists = held.by_kind.get("list", ())
    known = {f"list.{o.name}" for o in lists} | {o.id for o in lists}
    found = []
    for program in held.by_kind.get("program", ()):
        recipients = program.attributes.get("recipients") or {}
        missing = [a if str(a).startswith("list.") else f"list id {a}"
                   for key in ("include", "exclude") for a in recipients.get(key) or () if a not in known]
        if missing:
            found.append(f"{_shown(program)}: {', '.join(missing)}")
    return _finding("missing-list", "programs that send to (or suppress) lists the target does not hold", found,
                    examples)


def _duplicates(target: ReadsProspects, examples: int) -> tuple[Finding, int]:
    """Email addresses held by more than one prospect (compared without case), and how many prospects were read."""
    by_address: dict[str, list[str]] = defaultdict(list)
    count = 0
    for prospect_id, email in target.prospect_emails():
        count += 1
        if email:
            by_address[email.strip().lower()].append(prospect_id)
    found = [f"{address}: prospects {', '.join(ids)}" for address, ids in sorted(by_address.items()) if len(ids) > 1]
    return _finding("duplicate-prospects", "email addresses held by more than one prospect", found, examples), count

