"""Adopting: everything a target holds that no state entry manages, written as workspace files and managed.

A business unit built by clicking holds hundreds of objects; declaring each by
hand and importing it one by one is what stops a team from starting. ``adopt``
reads every object of the kinds asked for that state does not manage, writes
each as a resource in the workspace's layout (one file per kind, a program per
file, an email's bodies as an HTML template of its own) and records it in state
as the target holds it, so that the next plan changes nothing but the renames it
proposes: a name
that breaks the naming convention is written as one that fits, with
``moved_from`` the address it is recorded under (see ``adopt_names``).

What the target cannot read is never made up: a program whose steps no API shows
is written as a stub marked as such, with a warning. Files are written before
state, and none is overwritten: a failure part-way leaves files to delete, never
objects that state manages without files, which the next plan would delete.
Emails of a target that merges its own tags (Account Engagement) are not adopted
yet: their tags would have to be turned back into merge fields. The caller holds
the lock.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from campaignkit.checks.naming import KindPattern, kind_patterns
from campaignkit.diagnostics import Position
from campaignkit.emails.text import html_to_text
from campaignkit.errors import UserError
from campaignkit.plan.adopt_names import moved_from, needs_name, propose
from campaignkit.plan.desired import object_hash
from campaignkit.plan.refresh import unmanaged_list
from campaignkit.state import State, StateEntry, StateStore, history_entry
from campaignkit.targets import PROGRAM_STATUS, ReadsPrograms, RemoteObject, Target, TargetError, merge_language
from campaignkit.targets.base import CONTENT_DIGEST, PROGRAM_STATUSES
from campaignkit.workspace.model import KINDS, Environment, Resource, Workspace
from campaignkit.workspace.writing import yaml_documents

#: Where each kind's resources go below the folder written to (a program gets a file of its own).
_FILES = {"naming": "naming.yaml", "persona": "personas.yaml", "field": "fields.yaml", "list": "lists.yaml",
          "scoring": "scoring.yaml", "grading": "grading.yaml", "email": "emails.yaml", "form": "forms.yaml",
          "form_handler": "form_handlers.yaml", "campaign": "campaigns.yaml", "dynamic_content": "content.yaml"}
#: Called as objects are read and written: how many so far, of how many.
Progress = Callable[[int, int], None]
_ON_TARGET = Position("(the target)", 1, 1)
STUB_NOTE = "ADOPTED AS A STUB: the platform's API cannot read this program's steps; copy them from Engagement Studio."


@dataclass(frozen=True)
class AdoptedObject:
    """One object now managed: its address in the files, and the name it has on the target."""

    address: str
    target_id: str
    remote_name: str
    #: The address state records it under until apply renames it (``moved_from``); None if not renamed.
    renamed_from: str | None = None


@dataclass
class Adoption:
    """What ``adopt`` did: the objects, the files written (relative to the workspace), and what it could not do."""

    objects: list[AdoptedObject] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


@dataclass
class _Draft:
    """An object on its way to a resource document and a state entry."""

    remote: RemoteObject
    document: dict[str, Any]
    #: The attributes state records: what the target holds, in the files' words.
    recorded: dict[str, Any]
    address: str
    state_address: str
    files: dict[str, str] = field(default_factory=dict)


def adopt(workspace: Workspace, environment: Environment, store: StateStore, target: Target, *, out: Path,
          kinds: Sequence[str] = (), keep_names: bool = False, progress: Progress | None = None,
          who: str = "", git_commit: str = "") -> Adoption:
    """Writes below ``out`` every unmanaged object of ``kinds`` (all: empty) and records them in ``store``."""
    folder = _inside(workspace.root, out)
    state = store.read()
    adoption = Adoption()
    found = _unmanaged(state, target, _readable_kinds(kinds or KINDS, environment, adoption), adoption, progress)
    rules = _convention(workspace, found)
    drafts = _drafts(workspace, state, target, found, rules, keep_names, folder, adoption)
    if not drafts:
        return adoption
    files = _files(drafts, folder)
    _write(workspace.root, files)
    adoption.files = sorted(files)
    entries = _entries(drafts)
    store.begin(state.lineage or str(uuid.uuid4()))
    with history_entry(store, "adopt", who, git_commit) as ending:
        store.commit(puts=entries)
        ending.summary = f"adopted {len(entries)} object(s) into {folder or '.'}"
    adoption.objects = [AdoptedObject(d.address, d.remote.id, d.remote.name,
                                      d.state_address if d.state_address != d.address else None) for d in drafts]
    return adoption


def _readable_kinds(kinds: Sequence[str], environment: Environment, adoption: Adoption) -> Sequence[str]:
    """``kinds``, less emails where the target merges its own tags: turning them back into merge fields
    is not done yet, and a template full of them would neither validate nor plan as the target holds it."""
    if "email" not in kinds or merge_language(environment) is None:
        return kinds
    adoption.warnings.append(f"emails are not adopted from the {environment.target} target: its merge tags cannot "
                             "be turned back into merge fields yet; declare them and 'campaignkit import' each")
    return [kind for kind in kinds if kind != "email"]


def _inside(root: Path, out: Path) -> str:
    """``out`` relative to the workspace root, in which the files must lie to be read."""
    try:
        relative = out.resolve().relative_to(root.resolve())
    except ValueError:
        raise UserError(f"{out} is not inside the workspace {root}; adopt writes files the workspace reads") from None
    return relative.as_posix() if relative.parts else ""


def _unmanaged(state: State, target: Target, kinds: Sequence[str], adoption: Adoption,
               progress: Progress | None) -> list[RemoteObject]:
    """Every object of ``kinds`` on the target that no state entry holds, an email with its bodies."""
    managed = {(e.kind, e.target_id) for e in state.entries.values() if e.target_id}
    target.check()
    found = [o for kind in kinds for o in held_objects(target, kind, adoption.warnings) if (kind, o.id) not in managed]
    total = len(found)
    for done, obj in enumerate(found, 1):
        if obj.kind == "email" and obj.content is None:
            found[done - 1] = target.read(obj.kind, obj.id) or obj
        if progress is not None:
            progress(done, total)
    return found


def held_objects(target: Target, kind: str, warnings: list[str]) -> list[RemoteObject]:
    """Every object of ``kind`` the target keeps and can read, with what every object it creates has (a static
    list's type); a program of a target that only reads them as read (``program_readings``). Where the kind
    cannot be read, none, with a warning for a kind the target holds (not for one that lives in the files)."""
    capabilities = target.capabilities(kind)
    readings = not capabilities.api and kind == "program" and isinstance(target, ReadsPrograms)
    if not capabilities.api and not readings:
        if target.holds(kind, {}):
            warnings.append(f"the {target.name} target has no API to read {kind}s: they are left out")
        return []
    try:
        listed = program_readings(target) if readings and isinstance(target, ReadsPrograms) else target.list(kind)
    except TargetError as exc:
        warnings.append(f"{kind}s not read: {exc}")
        return []
    return [replace(o, attributes={**capabilities.created_with, **o.attributes}) for o in listed
            if target.holds(kind, o.attributes)]


def program_readings(target: ReadsPrograms) -> list[RemoteObject]:
    """Programs as a platform that cannot change them reads them: their lists (by id, for ``_drafts`` to name)
    and their status, where it is one the files can declare."""
    found = []
    for reading in target.programs():
        attributes: dict[str, Any] = {"recipients": {"include": list(reading.recipient_list_ids),
                                                     "exclude": list(reading.suppression_list_ids)}}
        if reading.as_declared in PROGRAM_STATUSES:
            attributes[PROGRAM_STATUS] = reading.as_declared
        found.append(RemoteObject("program", reading.name, reading.id, attributes))
    return found


def _convention(workspace: Workspace, found: Sequence[RemoteObject]) -> dict[str, KindPattern]:
    """The naming convention the files declare, else the one the target holds and is being adopted."""
    declared = workspace.of_kind("naming")
    if declared:
        return kind_patterns(declared[0].attributes)
    held = next((o for o in found if o.kind == "naming"), None)
    return kind_patterns(held.attributes) if held is not None else {}


def _drafts(workspace: Workspace, state: State, target: Target, found: Sequence[RemoteObject],
            rules: dict[str, KindPattern], keep_names: bool, folder: str, adoption: Adoption) -> list[_Draft]:
    taken = set(workspace.resources) | set(state.entries)
    drafts: list[_Draft] = []
    lists = {e.target_id: e.address for e in state.entries.values() if e.kind == "list" and e.target_id}
    for remote in found:
        unmanaged: dict[str, list[str]] = {}
        if remote.kind == "program" and "steps" not in remote.attributes:
            remote, unmanaged = _named_lists(remote, lists, adoption)
        name = remote.name
        if not keep_names and needs_name(remote.kind, name, rules.get(remote.kind)):
            names = {a.split(".", 1)[1] for a in taken if a.startswith(f"{remote.kind}.")}
            name = propose(remote.kind, name, remote.id, remote.attributes, remote.created, rules.get(remote.kind),
                           names)
        address = f"{remote.kind}.{name}"
        if not target.capabilities(remote.kind).names_held:
            remote = replace(remote, name=name)  # the target will read it back by the name the files give
        state_address = address if name == remote.name else moved_from(remote.kind, remote.name, remote.id)
        if address in workspace.resources or state_address in taken:
            adoption.warnings.append(f"{remote.kind} '{remote.name}' (id {remote.id}) is not adopted: {address} is "
                                     f"declared in the files already; 'campaignkit import {address} {remote.id}'")
            continue
        taken.update({address, state_address})
        drafts.append(_draft(remote, name, address, state_address, folder, adoption))
        for key, labels in unmanaged.items():  # state holds what refresh will read: the plan asks to remove them
            drafts[-1].recorded["recipients"] = {**drafts[-1].recorded["recipients"],
                                                 key: [*drafts[-1].recorded["recipients"].get(key, []), *labels]}
        if remote.kind == "list":
            lists[remote.id] = state_address
    _rewrite_references(drafts)
    return drafts


def _named_lists(program: RemoteObject, lists: dict[str, str], adoption: Adoption
                 ) -> tuple[RemoteObject, dict[str, list[str]]]:
    """A program read by id with its lists by the addresses state records them under, and those the target
    does not hold, as refresh names them: the files leave them out, with a warning (``audit`` counts them)."""
    recipients: dict[str, list[str]] = {}
    unmanaged: dict[str, list[str]] = {}
    for key, ids in program.attributes["recipients"].items():
        missing = [i for i in ids if i not in lists]
        if missing:
            adoption.warnings.append(f"program '{program.name}' (id {program.id}): list id(s) {', '.join(missing)} "
                                     f"in its {key} lists are not on the target and are left out")
            unmanaged[key] = [unmanaged_list(i) for i in missing]
        if named := [lists[i] for i in ids if i in lists]:
            recipients[key] = named
    return replace(program, attributes={**program.attributes, "recipients": recipients}), unmanaged


def _draft(remote: RemoteObject, name: str, address: str, state_address: str, folder: str,
           adoption: Adoption) -> _Draft:
    attributes = {k: v for k, v in remote.attributes.items() if k != CONTENT_DIGEST and k not in remote.unread}
    document: dict[str, Any] = {"kind": remote.kind, "name": name}
    if "description" in attributes:
        document["description"] = attributes.pop("description")
    document.update(attributes)
    if state_address != address:
        document["moved_from"] = state_address
    draft = _Draft(remote, document, {}, address, state_address)
    if remote.kind == "email":
        _email(draft, folder, adoption)
    elif remote.kind == "program" and "steps" not in document:
        _stub_program(draft, adoption)
    draft.recorded = {k: v for k, v in draft.document.items() if k not in ("kind", "name", "moved_from")}
    if CONTENT_DIGEST in remote.attributes:
        draft.recorded[CONTENT_DIGEST] = remote.attributes[CONTENT_DIGEST]
    return draft


def _email(draft: _Draft, folder: str, adoption: Adoption) -> None:
    """The email's bodies as a template of its own (``.html``), and a text template where the text part
    is not what the HTML gives."""
    content = draft.remote.content
    if content is None:
        adoption.warnings.append(f"{draft.address}: the target gave no bodies; its template is left empty")
        content = {}
    name = draft.document["name"]
    base = f"{folder}/templates/{name}" if folder else f"templates/{name}"
    html = content.get("html_body", "")
    text = content.get("text_body", "")
    draft.files[f"{base}.html"] = _as_template(html)
    draft.document["template"] = f"{base}.html"
    if text and text != html_to_text(html):
        draft.files[f"{base}.txt"] = _as_template(text)
        draft.document["text"] = f"{base}.txt"
    else:
        draft.document["text"] = "auto"


def _as_template(body: str) -> str:
    """``body`` as a Jinja template that renders to exactly it."""
    if any(opener in body for opener in ("{{", "{%", "{#")):
        body = "{% raw %}" + body + "{% endraw %}"
    return body + "\n" if body.endswith("\n") else body  # Jinja drops one newline at the end


def _stub_program(draft: _Draft, adoption: Adoption) -> None:
    """A program whose steps cannot be read: what was read, and one end step marked as a stub."""
    draft.document["description"] = STUB_NOTE + (f" {draft.document['description']}"
                                                 if draft.document.get("description") else "")
    draft.document.setdefault("start", "adopted_stub")
    draft.document.setdefault("steps", {"adopted_stub": {"end": True, "description": STUB_NOTE}})
    adoption.warnings.append(f"{draft.address}: written as a stub; its steps cannot be read through the API")


def _rewrite_references(drafts: Sequence[_Draft]) -> None:
    """References to renamed objects, in the files, by their new address (state keeps what the target holds)."""
    renamed = {old: d.address for d in drafts if d.state_address != d.address
               for old in (f"{d.remote.kind}.{d.remote.name}", d.state_address)}
    if not renamed:
        return
    for draft in drafts:
        for key, value in list(draft.document.items()):
            if key not in ("kind", "name", "moved_from", "description"):
                draft.document[key] = _renamed(value, renamed)


def _renamed(value: Any, renamed: dict[str, str]) -> Any:
    if isinstance(value, str):
        return renamed.get(value, value)
    if isinstance(value, list):
        return [_renamed(v, renamed) for v in value]
    if isinstance(value, dict):
        return {k: _renamed(v, renamed) for k, v in value.items()}
    return value


def _files(drafts: Sequence[_Draft], folder: str) -> dict[str, str]:
    """Every file to write, by path relative to the workspace root."""
    prefix = f"{folder}/" if folder else ""
    by_file: dict[str, list[dict[str, Any]]] = defaultdict(list)
    files: dict[str, str] = {}
    for draft in drafts:
        kind, name = draft.remote.kind, draft.document["name"]
        by_file[f"{prefix}programs/{name}.yaml" if kind == "program" else prefix + _FILES[kind]].append(draft.document)
        files.update(draft.files)
    for path, documents in by_file.items():
        files[path] = yaml_documents(documents, "# Adopted from the target by 'campaignkit adopt'.\n")
    return files


def _write(root: Path, files: dict[str, str]) -> None:
    """Writes ``files``, refusing first if any of them is there already."""
    existing = sorted(path for path in files if (root / path).exists())
    if existing:
        raise UserError(f"{existing[0]} exists already ({len(existing)} file(s) would be overwritten); "
                        "adopt into an empty folder with --out DIR")
    for path, text in files.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text, encoding="utf-8")


def _entries(drafts: Sequence[_Draft]) -> list[StateEntry]:
    """The state entries: each object as the target holds it, under the address the files move it from."""
    recorded = {d.state_address for d in drafts}
    entries = []
    for draft in drafts:
        resource = Resource(draft.remote.kind, draft.remote.name, draft.recorded, _ON_TARGET)
        entries.append(StateEntry(draft.state_address, draft.remote.kind, draft.remote.name, draft.remote.id,
                                  draft.recorded, object_hash(draft.remote.name, draft.recorded),
                                  depends_on=tuple(resource.dependencies(recorded))))
    return entries
