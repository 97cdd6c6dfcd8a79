"""Targets: where declared objects live. ``open_target`` picks one by the environment's ``target``.

Each target module provides a factory ``(environment, workspace root) ->
Target``; they are imported only when used, so that a workspace that never
talks to Account Engagement never loads its HTTP client. A target that sends
emails itself also says which merge language an environment's emails are sent
in (``merge_language``), which the checks and the plan hand to the email
package: adding a platform touches this package only.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module

from campaignkit.diagnostics import closest, did_you_mean
from campaignkit.emails.merge import LanguageOf, MergeLanguage
from campaignkit.errors import UserError
from campaignkit.targets import ae_merge
from campaignkit.targets.base import (
    PROGRAM_STATUS,
    AppliedState,
    CallCount,
    CountsCalls,
    CountsListMembers,
    KindCapabilities,
    ManualChange,
    ObjectNotFound,
    ProgramReading,
    ReadsPrograms,
    ReadsProspects,
    RemembersStates,
    RemoteObject,
    Sending,
    Target,
    TargetError,
)
from campaignkit.workspace.model import Environment, Workspace


@dataclass(frozen=True)
class TargetType:
    """A platform an environment may name as its ``target``."""

    #: "module:function" that opens one, given the environment and the workspace.
    factory: str
    #: The merge language an environment that deploys to it sends emails in, getting them with its
    #: merge tags (a business unit may speak an older one); None: it holds emails as rendered for the
    #: sample prospect.
    merge_language: LanguageOf | None = None


#: Target name -> its type.
TARGET_TYPES = {
    "local": TargetType("campaignkit.targets.local:open_local"),
    "account-engagement": TargetType("campaignkit.targets.account_engagement:open_target", ae_merge.language_of),
}


def open_target(environment: Environment, workspace: Workspace) -> Target:
    """The target ``environment`` applies to (a target may need the loaded files: field names, tags)."""
    known = TARGET_TYPES.get(environment.target)
    if known is None:
        suggestion = closest(environment.target, TARGET_TYPES)
        raise UserError(f"environment '{environment.name}' names an unknown target '{environment.target}'"
                        f"{did_you_mean(suggestion)}; targets are {', '.join(sorted(TARGET_TYPES))}")
    module, factory = known.factory.split(":")
    return getattr(import_module(module), factory)(environment, workspace)


def merge_language(environment: Environment) -> MergeLanguage | None:
    """The merge language ``environment`` sends emails in; None when its target merges nothing itself
    (or is unknown, which ``open_target`` reports)."""
    known = TARGET_TYPES.get(environment.target)
    return known.merge_language(environment) if known is not None and known.merge_language is not None else None


__all__ = [
    "AppliedState",
    "CallCount",
    "CountsCalls",
    "CountsListMembers",
    "KindCapabilities",
    "ManualChange",
    "ObjectNotFound",
    "PROGRAM_STATUS",
    "ProgramReading",
    "ReadsPrograms",
    "ReadsProspects",
    "RemembersStates",
    "RemoteObject",
    "Sending",
    "TARGET_TYPES",
    "Target",
    "TargetError",
    "TargetType",
    "merge_language",
    "open_target",
]
