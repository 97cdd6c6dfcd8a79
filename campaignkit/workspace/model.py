"""The model: typed resources and workspace settings built from loaded YAML.

A ``Resource`` keeps the mapping it was loaded from (with source positions, see
``load``) so that any check can point at the exact line of any key. The model
does not validate: schema and semantic checks live in ``checks``.
"""

from __future__ import annotations

import re
from collections.abc import Container, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from campaignkit.diagnostics import Position, closest, did_you_mean
from campaignkit.errors import UserError
from campaignkit.workspace.documents import Located, position_of

if TYPE_CHECKING:
    from campaignkit.workspace.template_reads import TemplateReads

KINDS = (
    "naming",
    "persona",
    "field",
    "list",
    "scoring",
    "grading",
    "email",
    "program",
    "form",
    "form_handler",
    "dynamic_content",
    "campaign",
)
#: Keys every resource may have, whatever its kind; not part of its attributes.
META_KEYS = frozenset({"kind", "name", "description", "tags", "lifecycle", "moved_from"})
#: Address prefixes that name things living in the CRM, declared in campaignkit.yaml.
CRM_KINDS = ("user", "queue")
#: Files an email's rendering can read: templates, partials, text parts and included CSS.
TEMPLATE_SUFFIXES = (".mjml", ".html", ".htm", ".txt", ".css", ".j2", ".jinja")
ADDRESS = re.compile(rf"^({'|'.join(KINDS + CRM_KINDS)})\.([A-Za-z0-9_][A-Za-z0-9_.\-]*)$")


@dataclass(frozen=True)
class Lifecycle:
    prevent_destroy: bool = False
    ignore_changes: tuple[str, ...] = ()


@dataclass
class Resource:
    """One resource document: ``kind``, ``name`` and the kind's fields."""

    kind: str
    name: str
    data: dict[str, Any]
    position: Position
    #: For an email's translation (see ``workspace.locales``): the name of the email it translates.
    translates: str | None = None

    @property
    def address(self) -> str:
        return f"{self.kind}.{self.name}"

    @property
    def attributes(self) -> dict[str, Any]:
        """The kind's own fields (plus ``description`` and ``tags``), as plain data."""
        return {k: plain(v) for k, v in self.data.items()
                if k not in ("kind", "name", "lifecycle", "moved_from", "locales", "language_field", "catalog")}

    @property
    def lifecycle(self) -> Lifecycle:
        raw = self.data.get("lifecycle") or {}
        return Lifecycle(bool(raw.get("prevent_destroy", False)), tuple(raw.get("ignore_changes", ()) or ()))

    @property
    def moved_from(self) -> str | None:
        return self.data.get("moved_from")

    def position_of(self, *path: str | int) -> Position:
        """Where the value at ``path`` inside this document starts (the document itself if empty)."""
        return position_of(self.data, path, self.position)

    def references(self) -> Iterator[tuple[str, Position]]:
        """Every ``KIND.NAME`` string in the document, with where it stands."""
        for address, path in self.reference_paths:
            yield address, self.position_of(*path)

    def dependencies(self, declared: Container[str]) -> list[str]:
        """The declared resources a target must hold before this one, by address (sorted).

        A campaign's ``assets`` only group: the assets name the campaign, which the target
        must have first, so the list is no reason to wait for them.
        """
        return sorted({address for address, path in self.reference_paths
                       if address in declared and address != self.address
                       and (self.kind, path[0]) not in _GROUPING})

    @cached_property
    def reference_paths(self) -> tuple[tuple[str, tuple[str | int, ...]], ...]:
        """Every ``KIND.NAME`` string in the document with its path; found once, used by many checks."""
        found: list[tuple[str, tuple[str | int, ...]]] = []
        _find_references(self.data, (), found)
        return tuple(found)


#: References that group rather than use (see ``Resource.dependencies``).
_GROUPING = frozenset({("campaign", "assets")})
_NOT_REFERENCES = frozenset({"kind", "name", "moved_from", "description"})


def _find_references(value: dict | list, path: tuple[str | int, ...],
                     found: list[tuple[str, tuple[str | int, ...]]]) -> None:
    """Appends the ``KIND.NAME`` strings below ``value`` to ``found``, in document order.

    Scalars are looked at in the loop rather than in a call of their own, and a key is
    looked up in ``_NOT_REFERENCES`` only for a value that could be a reference: every
    resource is walked on every run, and most of what it holds are scalars.
    """
    for key, item in value.items() if isinstance(value, dict) else enumerate(value):
        if isinstance(item, str):
            if "." in item and key not in _NOT_REFERENCES and ADDRESS.match(item):
                found.append((item, (*path, key)))
        elif isinstance(item, (dict, list)) and key not in _NOT_REFERENCES:
            _find_references(item, (*path, key), found)


def mappings_below(value: Any) -> Iterator[dict]:
    """Every mapping in ``value`` (lists and tuples of them, mappings in mappings), itself included:
    the rules, criteria and steps that name a field, wherever a kind nests them (in the order
    ``values_below`` finds them)."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, dict):
            yield item
            pending.extend(item.values())
        elif isinstance(item, (list, tuple)):
            pending.extend(item)


def values_below(value: Any) -> Iterator[Any]:
    """``value`` and every mapping, list, tuple and scalar nested in it."""
    pending = [value]
    while pending:
        item = pending.pop()
        yield item
        if isinstance(item, dict):
            pending.extend(item.values())
        elif isinstance(item, (list, tuple)):
            pending.extend(item)


def plain(value: Any) -> Any:
    """``value`` without source positions: plain dicts, lists and scalars."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


@dataclass(frozen=True)
class Environment:
    name: str
    target: str = "local"
    state: str = ""
    protect: tuple[str, ...] = ()
    settings: dict[str, Any] = field(default_factory=dict)


@dataclass
class Config:
    """``campaignkit.yaml``: the workspace's name, environments, vars and CRM names."""

    workspace: str
    default_environment: str
    environments: dict[str, Environment]
    vars: dict[str, Any]
    users: tuple[str, ...]
    queues: tuple[str, ...]
    data: dict[str, Any]
    position: Position
    #: ``.gitignore`` patterns of files and folders that hold no resources.
    exclude: tuple[str, ...] = ()

    def environment(self, name: str | None) -> Environment:
        """The environment ``name`` (None: the default); a ``UserError`` with a suggestion if there is none."""
        if name is not None and name not in self.environments:
            suggestion = closest(name, self.environments)
            raise UserError(f"no environment '{name}' in campaignkit.yaml{did_you_mean(suggestion)}; "
                            f"environments are {', '.join(self.environments)}")
        return self.environments[name or self.default_environment]


@dataclass
class Workspace:
    """A loaded workspace: its settings and its resources by address.

    ``documents`` holds every resource document in file order, duplicates
    included, so that a check can report an address declared twice;
    ``resources`` maps each address to its first declaration.
    """

    root: Path
    config: Config
    resources: dict[str, Resource]
    files: list[Path]
    documents: list[Resource] = field(default_factory=list)
    #: Words of the files that could not be read whole, where undeclared resources may stand.
    unread_words: frozenset[str] = frozenset()

    def of_kind(self, kind: str) -> list[Resource]:
        return [r for r in self.resources.values() if r.kind == kind]

    def get(self, address: str) -> Resource | None:
        return self.resources.get(address)

    @cached_property
    def template_reads(self) -> TemplateReads:
        """The templates each email reads (read once for validate's cache, plan's and a saved plan's)."""
        from campaignkit.workspace.template_reads import TemplateReads

        return TemplateReads(self.root)


__all__ = ["Config", "Environment", "Located", "Resource", "Workspace", "KINDS", "plain"]
