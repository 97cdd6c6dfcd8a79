"""The resource a person names on the command line, as ``KIND.NAME`` or just ``NAME``.

Every command that acts on one resource of a kind (``render`` an email, ``graph``
or ``simulate`` a program) finds it here, so each accepts both forms and refuses
a wrong name with the same message: what the name is instead, the closest name
(in the form it was given) and the names the workspace has.
"""

from __future__ import annotations

from campaignkit.diagnostics import closest, did_you_mean
from campaignkit.errors import UserError
from campaignkit.workspace.model import Resource, Workspace

#: Up to this many names are listed when none matches; beyond, the message gives their number.
LISTED_NAMES = 10


def resolve(workspace: Workspace, given: str, kind: str) -> Resource:
    """The resource of ``kind`` that ``given`` names (``KIND.NAME`` or ``NAME``); else a ``UserError`` saying why."""
    for address in (given, f"{kind}.{given}"):
        resource = workspace.get(address)
        if resource is not None and resource.kind == kind:
            return resource
    other = workspace.get(given)
    if other is not None:
        raise UserError(f"{given} is {_a(other.kind)}, not {_a(kind)}: give {_a(kind)} ({kind}.NAME or NAME)")
    raise UserError(_not_found(workspace, given, kind))


def _not_found(workspace: Workspace, given: str, kind: str) -> str:
    names = sorted(resource.name for resource in workspace.of_kind(kind))
    if not names:
        return f"no {kind} named {given}: the workspace declares no {kind}"
    prefix = f"{kind}."
    wanted = given.removeprefix(prefix)
    # A short name like "welcome" is rarely close enough for difflib, but is part of the full name.
    suggestion = closest(wanted, names) or next((name for name in names if wanted in name), None)
    if suggestion is not None and given.startswith(prefix):
        suggestion = prefix + suggestion
    known = (f"the {kind}s are: {', '.join(names)}" if len(names) <= LISTED_NAMES
             else f"the workspace has {len(names):,} {kind}s")
    return f"no {kind} named {given}{did_you_mean(suggestion)}; {known}"


def _a(kind: str) -> str:
    return f"an {kind}" if kind[0] in "aeiou" else f"a {kind}"
