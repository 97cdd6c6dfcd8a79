"""Desired objects: what the files ask each address to be on the target.

Each resource becomes its normalized attributes, plus, for an email, the
digest of the content it renders to (``content_sha256``, see ``content``), so
that a change to a template shows up in the plan even when the YAML did not
change; for a target with a merge language, its subject is in that language.
State keeps the hash of what was applied (``object_hash``) next to the
attributes. Nothing here reads state or the target.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from campaignkit.diagnostics import Position
from campaignkit.plan.content import EmailBodies
from campaignkit.targets.base import CONTENT_DIGEST
from campaignkit.workspace.model import Lifecycle, Resource, Workspace


@dataclass(frozen=True)
class Desired:
    address: str
    kind: str
    name: str
    attributes: dict[str, Any]
    #: Managed addresses this object refers to; they are applied first.
    depends_on: tuple[str, ...]
    lifecycle: Lifecycle
    moved_from: str | None
    #: Where ``moved_from`` is written, for errors about it.
    moved_from_at: Position | None = None


def object_hash(name: str, attributes: dict[str, Any]) -> str:
    """A digest of what the target holds for an object: equal digests, nothing to do."""
    canonical = json.dumps({"name": name, "attributes": attributes}, sort_keys=True, separators=(",", ":"),
                           ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def desired_objects(workspace: Workspace, bodies: EmailBodies) -> dict[str, Desired]:
    """Every resource of ``workspace`` as the object it should be, by address."""
    bodies.prepare(workspace.of_kind("email"))
    return {address: _desired(workspace, resource, bodies) for address, resource in workspace.resources.items()}


def _desired(workspace: Workspace, resource: Resource, bodies: EmailBodies) -> Desired:
    attributes = resource.attributes
    if resource.kind == "email":
        attributes = {**attributes, CONTENT_DIGEST: bodies.digest(resource, attributes)}
        subject = bodies.subject(resource)
        if subject is not None:  # the target stores the subject in its own merge language
            attributes["subject"] = subject
    moved_from_at = resource.position_of("moved_from") if resource.moved_from else None
    return Desired(resource.address, resource.kind, resource.name, attributes,
                   tuple(resource.dependencies(workspace.resources)),
                   resource.lifecycle, resource.moved_from, moved_from_at)
