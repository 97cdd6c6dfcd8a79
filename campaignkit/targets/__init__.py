"""Targets: where declared objects live. ``open_target`` picks one by the environment's ``target``.

Each target module provides a factory ``(environment, workspace root) ->
Target``; they are imported only when used, so that a workspace that never
talks to Account Engagement never loads its HTTP client.
"""

from __future__ import annotations

from importlib import import_module

from campaignkit.diagnostics import closest, did_you_mean
from campaignkit.errors import UserError
from campaignkit.workspace.model import Environment, Workspace
from campaignkit.targets.base import (
    PROGRAM_STATUS,
    KindCapabilities,
    ManualChange,
    ObjectNotFound,
    ProgramReading,
    ReadsPrograms,
    RemoteObject,
    Target,
    TargetError,
)

#: Target name -> "module:factory".
FACTORIES = {
    "local": "campaignkit.targets.local:open_local",
    "account-engagement": "campaignkit.targets.account_engagement:open_target",
}


def open_target(environment: Environment, workspace: Workspace) -> Target:
    """The target ``environment`` applies to (a target may need the loaded files: field names, tags)."""
    spec = FACTORIES.get(environment.target)
    if spec is None:
        suggestion = closest(environment.target, FACTORIES)
        raise UserError(f"environment '{environment.name}' names an unknown target '{environment.target}'"
                        f"{did_you_mean(suggestion)}; targets are {', '.join(sorted(FACTORIES))}")
    module, factory = spec.split(":")
    return getattr(import_module(module), factory)(environment, workspace)


__all__ = [
    "FACTORIES",
    "KindCapabilities",
    "ManualChange",
    "ObjectNotFound",
    "PROGRAM_STATUS",
    "ProgramReading",
    "ReadsPrograms",
    "RemoteObject",
    "Target",
    "TargetError",
    "open_target",
]
