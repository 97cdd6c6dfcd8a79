"""The Account Engagement target: a business unit changed through API v5, and what a person must do by hand.

Lists, custom fields, email templates and form handlers are created, updated
and deleted through the API (``ae_mapping`` says field by field how), and so
are the tags of the first three (``ae_tags``) and a form handler's fields
(``ae_form_fields``). Forms are created and deleted, and their tags set, but
never changed: the API has no update for them, so a change to a form is a
manual step. Dynamic content is created with its variations (``ae_variations``)
and tags, and neither changed nor deleted: the API has neither, so both are
manual steps. Scoring, grading, programs, campaigns and the fields without an
API (a dynamic list's rules, completion actions, a form's fields) are
``manual``: the plan carries the clicks that make them. A list's or email's folder and campaign
are set by id, found by name in the business unit (``ae_places``). Standard prospect fields exist in every
business unit, and naming conventions and personas live only in the files: the target does not ``hold``
them, so plans leave them out.
Programs cannot be written but can be read: ``programs`` gives ``refresh``
their recipient and suppression lists and their status, to show lists changed
or a program paused in the UI; the plan says which button starts or pauses one.

Prospects are only read, by ``audit``: their email addresses, for those more
than one holds (``prospect_emails``). Every object read carries its
``createdAt``, which ``adopt`` dates a proposed name by.

Every call counts against the business unit's daily limit, so reads take whole
collections a page of 1,000 at a time (``refresh`` never reads one object at a
time), and ``api_calls`` tells the plan how many calls apply will make.

Settings (``environments.<env>.settings``): ``business_unit_id`` (``${VAR}``
takes it from the environment), ``sandbox`` (``true`` for a sandbox or
developer org, on ``https://pi.demo.pardot.com``; production is
``https://pi.pardot.com``) and ``base_url`` (another host, such as a proxy);
``login_url``, ``client_id`` and ``username`` say who signs in where
(``ae_auth``). Secrets are read from the environment or from files outside the
workspace, never from settings (an ``access_token`` setting may name
``${CK_AE_ACCESS_TOKEN}``, and nothing else), and only the HTTP client ever
holds a token.

Writes are not verified by reading back (reads lag writes by up to a
minute): an object written is what was sent, with the id the API gave it.
"""

from __future__ import annotations

import json
import os
import re
import threading
from collections.abc import Iterator, Sequence
from collections.abc import Mapping as Map
from dataclasses import dataclass
from typing import Any

from campaignkit.engine.graph import BRANCH_KEYS, describe
from campaignkit.errors import UserError
from campaignkit.targets.ae_auth import ACCESS_TOKEN as TOKEN_VARIABLE
from campaignkit.targets.ae_auth import token_source
from campaignkit.targets.ae_client import MAX_CONCURRENT, PRODUCTION_URL, SANDBOX_URL, AEClient
from campaignkit.targets.ae_form_fields import COLLECTION as HANDLER_FIELD_COLLECTION
from campaignkit.targets.ae_form_fields import FieldNames, HandlerFields
from campaignkit.targets.ae_form_fields import writes as field_writes
from campaignkit.targets.ae_mapping import HANDLER_FIELDS, LIST, MAPPINGS, TAGS, VARIATIONS, Mapping
from campaignkit.targets.ae_places import PLACES, Places
from campaignkit.targets.ae_tags import TAGGED_OBJECTS, Tags, of_type
from campaignkit.targets.ae_variations import Variations
from campaignkit.targets.base import (
    PROGRAM_STATUS,
    CallCount,
    Content,
    KindCapabilities,
    ManualChange,
    ProgramReading,
    RemoteObject,
    Sending,
    TargetError,
)
from campaignkit.workspace.model import Environment, Workspace

#: Engagement Studio programs: read-only in API v5.
PROGRAMS = "engagement-studio-programs"
#: Prospects: read only by ``audit``, for the email addresses more than one of them holds.
PROSPECTS = "prospects"
#: When an object was made: every v5 object carries it (read-only), and ``adopt`` dates a name by it.
CREATED = "createdAt"
_VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


@dataclass(frozen=True)
class _Place:
    """Where a kind is changed in Account Engagement's UI, and the button that opens an object for editing."""

    section: str
    edit: str = "click Edit"
    #: How an object is created, ``{name}`` being its name.
    new: str = "click + Add and name it '{name}'"


_UI_PLACES = {
    "list": _Place("Marketing > Segmentation > Lists"),
    "field": _Place("Account Engagement Settings > Object and Field Configuration > Prospect Fields"),
    "email": _Place("Content > Email Templates"),
    "campaign": _Place("Salesforce > Campaigns (Account Engagement reads campaigns; its API cannot write them)",
                       new="click New and name it '{name}'"),
    "program": _Place("Automation > Engagement Studio", edit="click Build"),
    "form": _Place("Content > Forms", edit="click Edit and go to Completion Actions",
                   new="click + Add Form, name it '{name}' and go to Completion Actions"),
    "form_handler": _Place("Content > Form Handlers", edit="click Edit and go to Completion Actions"),
    "dynamic_content": _Place("Content > Dynamic Content"),
    "scoring": _Place("Account Engagement Settings > Automation Settings > Scoring Rules"),
    "grading": _Place("Account Engagement Settings > Automation Settings > Profiles"),
}
#: Change action -> a program's declared status -> the button that makes it so (a status is no field to fill in).
_STATUS_BUTTONS = {
    "create": {"running": "click Start",
               "paused": "leave it unstarted (a program never started sends nothing, as a paused one)"},
    "update": {"running": "click Resume (Start if it has never run)", "paused": "click Pause"},
}
#: Kinds that live only in campaignkit's files: nothing to do in the business unit.
_WORKSPACE_ONLY = frozenset({"naming", "persona"})


class AccountEngagementTarget:
    name = "account-engagement"
    max_parallelism = MAX_CONCURRENT

    def __init__(self, client: AEClient, field_names: dict[str, str],
                 declared_tags: dict[tuple[str, str], list[str]],
                 declared_fields: dict[str, list[dict[str, Any]]],
                 declared_keys: dict[tuple[str, str], frozenset[str]]) -> None:
        self._client = client
        self._places = Places(client)
        self._tags = Tags(client)
        self._handler_fields = HandlerFields(client)
        self._variations = Variations(client)
        #: api_name -> campaignkit name, so that a custom field read back carries the name the files give it.
        self._field_names = field_names
        self._api_names = FieldNames({name: api for api, name in field_names.items()})
        #: (kind, name) -> tags in the order the files give them: the API keeps no order, and a
        #: different order alone must not show as drift.
        self._declared_tags = declared_tags
        #: form handler name -> its fields as the files give them, for the same reason.
        self._declared_fields = declared_fields
        #: (kind, name) -> the attributes the files give, so that a default sent for one they leave out
        #: (a form's layout template) is not read back as drift.
        self._declared_keys = declared_keys
        self._checked = False
        #: kind -> name -> object, read once for the target's life by ``find_by_name``; and what was deleted since.
        self._by_name: dict[str, dict[str, RemoteObject]] = {}
        self._deleted: set[tuple[str, str]] = set()
        self._lock = threading.Lock()

    def capabilities(self, kind: str) -> KindCapabilities:
        mapping = MAPPINGS.get(kind)
        if mapping is None:
            return KindCapabilities(api=False, references_by_id=True)
        return KindCapabilities(replace_fields=mapping.replace, manual_fields=mapping.manual_fields,
                                read_fields=mapping.read_fields, created_with=mapping.created_with,
                                set_on_create=mapping.set_on_create, names_held=mapping.key == "name",
                                deletable=mapping.deletable, references_by_id=True)

    def holds(self, kind: str, attributes: dict[str, Any]) -> bool:
        return kind not in _WORKSPACE_ONLY and not _standard_field(kind, attributes)

    def check(self) -> None:
        if not self._checked:  # once per command: apply checks again after the plan it made
            self._client.check(LIST.collection)
            self._checked = True

    def create(self, kind: str, name: str, attributes: dict[str, Any], content: Content | None) -> RemoteObject:
        mapping = self._mapping(kind)
        if _standard_field(kind, attributes):
            return RemoteObject(kind, name, "", attributes)
        sent = self._places.with_ids({**mapping.defaults, **attributes})
        if VARIATIONS in mapping.synced:  # the prospect field dynamic content varies by, by its API name
            sent["field"] = self._api_names.api(str(attributes.get("field", "")))
        created = self._client.create(mapping.collection, mapping.body(name, sent, content), (mapping.key,))
        if VARIATIONS in mapping.synced:  # before the tags: an object adopted after a refused tag is whole
            self._variations.create(str(created["id"]), attributes.get(VARIATIONS) or ())
        if mapping.tagged_as:
            tags = attributes.get(TAGS) or []
            self._tags.assign(mapping.collection, mapping.tagged_as, str(created["id"]), tags, current=())
        if HANDLER_FIELDS in mapping.synced:
            self._sync_fields(str(created["id"]), attributes, current=())
        return RemoteObject(kind, name, str(created["id"]), attributes, content)

    def update(self, kind: str, object_id: str, name: str, attributes: dict[str, Any],
               changed: frozenset[str], content: Content | None) -> RemoteObject:
        mapping = self._mapping(kind)
        if _standard_field(kind, attributes) or not object_id:
            return RemoteObject(kind, name, object_id, attributes)
        if mapping.patches(changed):
            sent = changed & frozenset(mapping.fields)
            body = mapping.body(name, self._places.with_ids(attributes, sent), content, sent)
            self._client.update(mapping.collection, object_id, body, (mapping.key,))
        if TAGS in changed and mapping.tagged_as:
            self._tags.assign(mapping.collection, mapping.tagged_as, object_id, attributes.get(TAGS) or [])
        if HANDLER_FIELDS in changed & mapping.synced:
            self._sync_fields(object_id, attributes)
        return RemoteObject(kind, name, object_id, attributes, content)

    def delete(self, kind: str, object_id: str) -> None:
        if object_id:  # a standard field: nothing was created
            self._client.delete(self._mapping(kind).collection, object_id)
            with self._lock:
                self._deleted.add((kind, object_id))

    def read(self, kind: str, object_id: str) -> RemoteObject | None:
        mapping = self._mapping(kind)
        found = self._client.read(mapping.collection, object_id, (*mapping.api_fields, CREATED))
        if found is None:
            return None
        return self._remote(kind, mapping, found, self._carried(mapping).get(object_id, []))

    def list(self, kind: str) -> Sequence[RemoteObject]:
        """Every object of ``kind``: one query, a page of 1,000 at a time, and the tags they carry (another)."""
        mapping = self._mapping(kind)
        carried = self._carried(mapping)
        return [self._remote(kind, mapping, v, carried.get(str(v["id"]), []), mapping.unread_in_query)
                for v in self._client.get_all(mapping.collection, (*mapping.query_fields, CREATED))]

    def find_by_name(self, kind: str, name: str) -> RemoteObject | None:
        """The object called ``name``, from one listing of the kind for the target's life (apply asks this
        of every create an interrupted apply left pending); one deleted since is not found."""
        with self._lock:
            if kind not in self._by_name:
                self._by_name[kind] = {obj.name: obj for obj in self.list(kind)}
            found = self._by_name[kind].get(name)
            return None if found is None or (kind, found.id) in self._deleted else found

    def names(self, kind: str) -> frozenset[str]:
        """The names of every object of ``kind``: one query of one field, a page of 1,000 at a time."""
        mapping = self._mapping(kind)
        keys = (str(v.get(mapping.key, "")) for v in self._client.get_all(mapping.collection, (mapping.key,)))
        return frozenset(self._field_names.get(key, key) if kind == "field" else key for key in keys)

    def api_calls(self, changes: Sequence[Sending]) -> CallCount:
        """The calls a new run applying ``changes`` makes: one write per object and per tag added, removed
        or made, and the reads those need, each once (in pages, as many as it took when last read here)."""
        writes, reads, made = 0, {(LIST.collection, "check")}, set()
        for change in changes:
            mapping = MAPPINGS.get(change.kind)
            if mapping is not None and change.action == "list":
                reads.add((mapping.collection, "all"))
                continue
            if mapping is None or _standard_field(change.kind, change.after or change.before or {}):
                continue
            added, removed = _tag_changes(change) if mapping.tagged_as else (set(), set())
            fields, read_fields = self._field_calls(mapping, change)
            writes += _object_writes(mapping, change) + len(added) + len(removed) + fields + _variation_writes(change)
            made |= added
            reads |= _lookups(mapping, change, bool(added or removed)) | read_fields
        known = self._tags.known()
        writes += len(made - known) if known is not None else len(made)
        return CallCount(sum(1 if how == "check" else self._client.pages(collection, _filters(how))
                             for collection, how in reads), writes)

    def _field_calls(self, mapping: Mapping, change: Sending) -> tuple[int, set[tuple[str, str]]]:
        """A form handler's field writes, and the query of every handler's fields an update needs first."""
        if HANDLER_FIELDS not in mapping.synced or change.action == "delete":
            return 0, set()
        if change.action == "update" and HANDLER_FIELDS not in change.fields:
            return 0, set()
        before = [] if change.action != "update" else (change.before or {}).get(HANDLER_FIELDS) or []
        bodies = [[self._api_names.body(e) for e in entries]
                  for entries in (before, (change.after or {}).get(HANDLER_FIELDS) or [])]
        reads = {(HANDLER_FIELD_COLLECTION, "all")} if change.action == "update" else set()
        return field_writes(*bodies), reads

    def programs(self) -> Sequence[ProgramReading]:
        """Every Engagement Studio program of the business unit: its recipient and suppression lists, its status."""
        fields = ("name", "recipientListIds", "suppressionListIds", "status", CREATED)
        return [ProgramReading(str(v["id"]), str(v.get("name") or ""), _ids(v.get("recipientListIds")),
                               _ids(v.get("suppressionListIds")), str(v.get("status") or "").lower(),
                               str(v.get(CREATED) or ""))
                for v in self._client.get_all(PROGRAMS, fields)]

    def prospect_emails(self) -> Iterator[tuple[str, str]]:
        """Every prospect's id and email address, for ``audit``: one query of one field, a page of 1,000 a call."""
        for values in self._client.get_all(PROSPECTS, ("email",)):
            yield str(values["id"]), str(values.get("email") or "")

    def manual_instructions(self, change: ManualChange) -> str:
        place = _UI_PLACES.get(change.kind, _Place(f"the {change.kind}s"))
        switched = change.kind == "program" and PROGRAM_STATUS in change.fields
        edited = tuple(field for field in change.fields if not (switched and field == PROGRAM_STATUS))
        steps = [f"In Account Engagement, go to {place.section}"]
        if change.action == "create" and change.kind not in MAPPINGS:
            steps.append(place.new.format(name=change.name))
        elif edited or change.action == "delete":  # the API created it, or it exists already
            steps.append(f"open '{change.renamed_from or change.name}' and {place.edit}")
        if change.action == "delete":
            return "; ".join([*steps, "delete it and confirm."])
        built = len(steps) > 1  # made or opened for editing, not only started or paused
        if built:
            steps += [*(_setting(change, field) for field in edited), "click Save"]
        button = _status_button(change) if switched else ""
        if button:
            steps.append(f"then {button}" if built else f"open '{change.name}' and {button}")
        elif not built:
            return f"Nothing to do in Account Engagement: campaignkit no longer manages the status of '{change.name}'."
        return "; ".join(steps) + "."

    def close(self) -> None:
        self._client.close()

    def _mapping(self, kind: str) -> Mapping:
        mapping = MAPPINGS.get(kind)
        if mapping is None:
            raise TargetError(f"Account Engagement has no API for {kind}s; make the change by hand as the plan says")
        return mapping

    def _carried(self, mapping: Mapping) -> Map[str, Sequence[str]]:
        """Object id -> the tags it carries; none where tags are set by hand."""
        return self._tags.carried(mapping.tagged_as) if mapping.tagged_as else {}

    def _sync_fields(self, handler_id: str, attributes: dict[str, Any],
                     current: Sequence[dict[str, Any]] | None = None) -> None:
        """Writes a form handler's fields: one call per field that differs from what the handler has."""
        wanted = [self._api_names.body(entry) for entry in attributes.get(HANDLER_FIELDS) or ()]
        self._handler_fields.sync(handler_id, wanted, current)

    def _remote(self, kind: str, mapping: Mapping, values: dict[str, Any], tags: Sequence[str],
                unread: frozenset[str] = frozenset()) -> RemoteObject:
        """The object as read, in campaignkit's shape, carrying ``tags``; ``unread``: attributes not read."""
        attributes, content = mapping.from_remote(values)
        attributes = self._places.with_names(attributes)
        key = str(values.get(mapping.key, ""))
        if kind == "field":
            attributes["custom"] = True
            key = self._field_names.get(key, key)
        if HANDLER_FIELDS in mapping.synced:
            read = self._handler_fields.of(str(values["id"]))
            attributes[HANDLER_FIELDS] = self._api_names.entries(read, self._declared_fields.get(key, []))
        if VARIATIONS in mapping.synced:
            attributes[VARIATIONS] = self._variations.of(str(values["id"]))
            if attributes.get("field"):
                attributes["field"] = self._api_names.reference(str(attributes["field"]))
        for attribute, value in mapping.defaults.items():
            if attributes.get(attribute) == value and attribute not in self._declared_keys.get((kind, key), ()):
                del attributes[attribute]
        if tags:
            declared = self._declared_tags.get((kind, key), [])
            attributes[TAGS] = list(declared) if set(declared) == set(tags) else sorted(tags)
        return RemoteObject(kind, key, str(values["id"]), attributes, content, unread, str(values.get(CREATED) or ""))


def _standard_field(kind: str, attributes: Map[str, Any]) -> bool:
    """A prospect field every business unit has: there is nothing to create, change or delete."""
    return kind == "field" and not attributes.get("custom")


def _tag_changes(change: Sending) -> tuple[set[str], set[str]]:
    """The tags ``change`` adds and removes: a create sets them all, an update changes the difference."""
    after = set((change.after or {}).get(TAGS) or ())
    if change.action in ("create", "replace"):
        return after, set()
    if change.action != "update" or TAGS not in change.fields:
        return set(), set()
    before = set((change.before or {}).get(TAGS) or ())
    return after - before, before - after


def _variation_writes(change: Sending) -> int:
    """Dynamic content's variations: one POST each when it is created (they cannot change afterwards)."""
    if change.kind != "dynamic_content" or change.action not in ("create", "replace"):
        return 0
    return len((change.after or {}).get(VARIATIONS) or ())


def _object_writes(mapping: Mapping, change: Sending) -> int:
    """The object's own POST, PATCH or DELETE (both for a replace)."""
    if change.action == "update":
        return int(mapping.patches(change.fields))
    return 2 if change.action == "replace" else 1


def _lookups(mapping: Mapping, change: Sending, tagging: bool) -> set[tuple[str, str]]:
    """The collections apply reads for ``change`` (each once per run): (collection, how) pairs."""
    if change.action == "delete":
        return set()
    after = {**mapping.defaults, **(change.after or {})} if change.action != "update" else change.after or {}
    sent = change.fields if change.action == "update" else frozenset(after)
    reads = {(PLACES[a].collection, "all") for a in PLACES.keys() & sent if after.get(a) is not None}
    if tagging:
        reads.add(("tags", "all"))
    if change.action == "update" and TAGS in change.fields and mapping.tagged_as:
        reads.add((TAGGED_OBJECTS, mapping.tagged_as))
    return reads


def _filters(how: str) -> dict[str, str] | None:
    """The query filter of a lookup: the tagged objects of one object type, or none (the whole collection)."""
    return None if how == "all" else of_type(how)


def _status_button(change: ManualChange) -> str:
    """The button that gives a program its declared status; "" if the files no longer declare one.

    A status is no field to fill in: the API cannot start or pause a program, and in
    the UI it is a button on the program, which differs for a program never started.
    """
    status = change.attributes.get(PROGRAM_STATUS)
    return _STATUS_BUTTONS["create" if change.action == "create" else "update"].get(str(status), "")


def _ids(values: Any) -> tuple[str, ...]:
    return tuple(str(v) for v in values or ())


def _setting(change: ManualChange, field: str) -> str:
    """What to set ``field`` to; a program's steps one by one, in words, as Engagement Studio's builder
    takes them (a reviewer reads them in ``campaignkit graph`` the same way)."""
    value = change.name if field == "name" else change.attributes.get(field)
    if change.kind == "program" and field == "steps" and isinstance(value, dict) and value:
        return "build the steps (" + "; ".join(_step(name, step) for name, step in value.items()) + ")"
    return f"set {field} to {_shown(value)}"


def _step(name: str, step: Any) -> str:
    """One step: what it does, then where each branch leads (``opened: email opened? ..., yes done``)."""
    if not isinstance(step, dict):
        return f"{name}: {_shown(step)}"
    branches = [f"{key} {step[key]}" for key in BRANCH_KEYS if isinstance(step.get(key), str)]
    return f"{name}: " + ", ".join([" ".join(describe(step)), *branches])


def _shown(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False) if value is not None else "(empty)"


def expand(value: str, setting: str) -> str:
    """``value`` with each ``${VAR}`` replaced from the environment; a missing variable is a UserError."""
    def variable(match: re.Match[str]) -> str:
        found = os.environ.get(match.group(1))
        if found is None:
            raise UserError(f"setting '{setting}' needs the environment variable {match.group(1)}, which is not set")
        return found
    return _VARIABLE.sub(variable, value)


def open_target(environment: Environment, workspace: Workspace) -> AccountEngagementTarget:
    """The business unit that ``environment`` applies to."""
    settings = environment.settings
    unit = expand(str(settings.get("business_unit_id") or ""), "business_unit_id")
    if not unit:
        raise UserError(f"environment '{environment.name}' needs settings.business_unit_id "
                        "(the Account Engagement business unit id, 0Uv...)")
    if settings.get("access_token") not in (None, f"${{{TOKEN_VARIABLE}}}"):
        raise UserError(f"environment '{environment.name}' has an access_token setting: remove it; "
                        f"the token is read from {TOKEN_VARIABLE} only")
    tokens = token_source(environment.name, lambda name: expand(str(settings.get(name) or ""), name), workspace.root)
    return AccountEngagementTarget(AEClient(api_url(environment), tokens, unit), _custom_field_names(workspace),
                                   _declared_tags(workspace), _declared_fields(workspace), _declared_keys(workspace))


def api_url(environment: Environment) -> str:
    """The API host: ``base_url`` if set, else production's or, with ``sandbox: true``, the sandboxes'."""
    sandbox = environment.settings.get("sandbox", False)
    if not isinstance(sandbox, bool):
        raise UserError(f"environment '{environment.name}': settings.sandbox is true (a sandbox or developer "
                        f"org) or false (production), not {json.dumps(sandbox)}")
    default = SANDBOX_URL if sandbox else PRODUCTION_URL
    return expand(str(environment.settings.get("base_url") or default), "base_url")


def _custom_field_names(workspace: Workspace) -> dict[str, str]:
    """api_name -> name of the workspace's fields: how a field read back is named."""
    return {str(r.attributes.get("api_name")): r.name for r in workspace.of_kind("field")
            if r.attributes.get("api_name")}


def _declared_fields(workspace: Workspace) -> dict[str, list[dict[str, Any]]]:
    """Form handler name -> its fields as the files give them, in their order."""
    return {r.name: list(r.attributes.get(HANDLER_FIELDS) or []) for r in workspace.of_kind("form_handler")}


def _declared_keys(workspace: Workspace) -> dict[tuple[str, str], frozenset[str]]:
    """(kind, name) -> the attributes the files give, for the kinds whose creates send defaults."""
    return {(r.kind, r.name): frozenset(r.attributes) for kind, mapping in MAPPINGS.items() if mapping.defaults
            for r in workspace.of_kind(kind)}


def _declared_tags(workspace: Workspace) -> dict[tuple[str, str], list[str]]:
    """(kind, name) -> the tags the files give, in their order, for the kinds that carry tags here."""
    return {(r.kind, r.name): list(r.attributes[TAGS]) for kind in MAPPINGS for r in workspace.of_kind(kind)
            if r.attributes.get(TAGS)}
