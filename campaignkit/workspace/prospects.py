"""A prospect written in a file (``render --prospect``): field values, checked against the declared fields.

Reads and checks one file; an undeclared field name passes here, for the renderer to
refuse with a suggestion.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from campaignkit.errors import UserError
from campaignkit.workspace.documents import load_file
from campaignkit.workspace.model import Workspace, plain
from campaignkit.workspace.values import misfits


def load_prospect(path: Path, workspace: Workspace) -> dict[str, Any]:
    """The field values in the YAML or JSON file ``path``; a ``UserError`` names the first problem:
    a file that does not read, holds anything but one mapping, or gives a field a value that does not fit it."""
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
