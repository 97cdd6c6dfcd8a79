"""The prospect ``render`` shows an email for: a persona's sample, a file of field values, or both.

A prospect file holds field values and may name a persona (``persona: cmo``), whose sample
gives the fields the file leaves out. Values are checked against the declared fields; an
undeclared field name passes here, for the renderer to refuse with a suggestion.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from campaignkit.errors import UserError
from campaignkit.workspace.addresses import resolve
from campaignkit.workspace.documents import load_file
from campaignkit.workspace.model import Resource, Workspace, plain
from campaignkit.workspace.values import misfits


@dataclass(frozen=True)
class ChosenProspect:
    """Field values to render for (None: the sample made from the fields' examples and defaults), and who it is."""

    values: dict[str, Any] | None
    described: str


def prospect_for(workspace: Workspace, email: Resource, persona: str | None, path: Path | None) -> ChosenProspect:
    """The prospect for ``render``: the file at ``path`` over the sample of ``persona`` (or of the persona the
    file names); with neither, the sample of the first persona ``email`` is written for that has one."""
    given = load_prospect(path, workspace) if path else {}
    named = given.pop("persona", None)
    persona = persona or named
    if persona is None and path is None:
        persona = next((p for p in email.data.get("personas") or () if _sample(workspace.get(p))), None)
    if persona is None:
        return ChosenProspect(given if path else None, str(path) if path else "a sample made from the fields' examples")
    chosen = resolve(workspace, str(persona), "persona")
    sample = _sample(chosen)
    if sample is None:
        raise UserError(f"{chosen.address} has no sample to render for; give it one (docs/format.md) or use --prospect")
    described = f"{path} over {chosen.address}" if path else f"{chosen.address}'s sample"
    return ChosenProspect({**sample, **given}, described)


def _sample(persona: Resource | None) -> dict[str, Any] | None:
    sample = persona.data.get("sample") if persona is not None else None
    return plain(sample) if isinstance(sample, dict) else None


def load_prospect(path: Path, workspace: Workspace) -> dict[str, Any]:
    """The field values in the YAML or JSON file ``path`` (and the persona it names, under ``persona``); a
    ``UserError`` names the first problem: a file that does not read, holds anything but one mapping, or gives
    a field a value that does not fit it."""
    documents, problems = load_file(path, str(path))
    if problems:
        first = problems[0]
        raise UserError(f"{first.position}: {first.message}")
    if len(documents) != 1 or not isinstance(documents[0].data, dict):
        raise UserError(f"{path} must hold one mapping of field names to values, e.g. first_name: Aiko")
    prospect: dict[str, Any] = plain(documents[0].data)
    for name, problem in misfits(workspace, prospect):
        raise UserError(f"{path}: {name}: {problem}")
    return prospect
