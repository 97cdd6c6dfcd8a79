"""Checks: every rule ``validate`` applies, each a small function registered with its code.

A check takes a ``Scope`` and yields ``Diagnostic`` values; it never raises
for bad input and never prints. Its docstring follows one shape (what it
does, why it matters, an example, what to write instead) because
``campaignkit explain CODE`` prints it, and ``campaignkit explain`` lists
every code with its first line.

Schema checks run first; the semantic checks then see only the resources
whose shape is right (``Scope.well_formed``: no schema problem but unknown keys),
so that they can trust field types and one mistake is not reported twice. A
resource whose only other problems are refused values of single fields (a wrong
enum value, type or pattern) is checked further without those fields.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from functools import cached_property
from graphlib import CycleError, TopologicalSorter
from pathlib import Path
from typing import TYPE_CHECKING

from campaignkit.diagnostics import Diagnostic, Position, bounded, error
from campaignkit.workspace.model import Resource, Workspace

if TYPE_CHECKING:
    from campaignkit.emails.merge import LanguageOf
    from campaignkit.engine.graph import Graph


@dataclass(frozen=True)
class Scope:
    """What a semantic check looks at: the workspace and its well-formed resources."""

    workspace: Workspace
    well_formed: tuple[Resource, ...]
    #: The merge language each environment sends emails in (given by the caller, which knows the targets):
    #: emails bound for one are checked for what its tags cannot say.
    language_of: LanguageOf | None = None

    def of_kind(self, kind: str) -> list[Resource]:
        return self._by_kind.get(kind, [])

    @cached_property
    def _by_kind(self) -> dict[str, list[Resource]]:
        grouped: dict[str, list[Resource]] = {}
        for resource in self.well_formed:
            grouped.setdefault(resource.kind, []).append(resource)
        return grouped

    @cached_property
    def graphs(self) -> dict[str, Graph]:
        """Each well-formed program's step graph, built once for all program checks."""
        from campaignkit.engine.graph import graph_of

        return {program.address: graph_of(program.data) for program in self.of_kind("program")}


CheckFunction = Callable[[Scope], Iterable[Diagnostic]]

#: Schema codes that leave a resource's shape as the semantic checks expect it (an unknown key is
#: only ignored by them): such a resource is checked further, so that all its problems show in one run.
SHAPE_KEPT = frozenset({"CK101"})


def cycles(graph: Mapping[str, Collection[str]]) -> Iterator[list[str]]:
    """Loops of ``graph`` (node -> the nodes it needs), each node in at most one: the nodes of a
    loop found are set aside and the rest looked at again, so that every separate loop is
    reported at once. A node on a loop needs another and is needed by one, so the others are
    left out first: of a workspace's resources, most."""
    needed = {node for needs in graph.values() for node in needs}
    graph = {node: needs for node, needs in graph.items() if needs and node in needed}
    while True:
        try:
            TopologicalSorter(graph).prepare()
            return
        except CycleError as exc:
            cycle = exc.args[1]
            yield cycle
            looped = set(cycle)
            graph = {node: [d for d in needs if d not in looped] for node, needs in graph.items() if node not in looped}


@dataclass(frozen=True)
class Check:
    """A registered check."""

    code: str
    function: CheckFunction

    @property
    def doc(self) -> str:
        return inspect.getdoc(self.function) or ""

    @property
    def summary(self) -> str:
        return self.doc.splitlines()[0] if self.doc else ""


REGISTRY: dict[str, Check] = {}


def check(code: str) -> Callable[[CheckFunction], CheckFunction]:
    """Registers a semantic check under ``code``."""

    def register(function: CheckFunction) -> CheckFunction:
        if code in REGISTRY:
            raise ValueError(f"check code {code} registered twice")
        REGISTRY[code] = Check(code, function)
        return function

    return register


#: Codes reported outside the registered functions (loading, schema), with their docs.
DOCUMENTED: dict[str, str] = {}


def document(code: str, doc: str) -> None:
    """Records the documentation of a code that no registered function reports."""
    DOCUMENTED[code] = inspect.cleandoc(doc)


def explain(code: str) -> str | None:
    """The documentation of ``code``, or None if there is no such check."""
    return _documentation().get(code.upper())


def all_codes() -> list[tuple[str, str]]:
    """Every code with the first line of its documentation, in order."""
    return sorted((code, doc.splitlines()[0] if doc else "") for code, doc in _documentation().items())


def _documentation() -> dict[str, str]:
    """Every code's documentation: the registered checks', loading's and the schema's, and the
    email checks' (asked of the renderer only here, so that ``validate`` need not import it)."""
    from campaignkit.emails.checking import email_check_docs

    _load_checks()
    return DOCUMENTED | email_check_docs() | {code: c.doc for code, c in REGISTRY.items()}


def run_semantic(scope: Scope) -> Iterator[Diagnostic]:
    _load_checks()
    for registered in REGISTRY.values():
        yield from registered.function(scope)


def _load_checks() -> None:
    """Imports the modules whose checks register themselves (once)."""
    from campaignkit.checks import (  # noqa: F401
        campaigns,
        emails,
        fields,
        lists,
        loading,
        locales,
        naming,
        placement,
        programs,
        references,
        review,
        scoring,
        test_files,
    )


def validate(workspace: Workspace, language_of: LanguageOf) -> list[Diagnostic]:
    """Every schema and semantic diagnostic for a loaded workspace, in file order; ``language_of``
    as in ``Scope``.

    The emails (CK4xx) are checked on the other cores while the other checks run here.
    """
    from campaignkit.emails.workers import check_emails
    from campaignkit.workspace.schema import CONFIG_SCHEMA, schema_diagnostics, without_refused_fields

    config = workspace.config
    diagnostics = schema_diagnostics(CONFIG_SCHEMA, config.data, config.position)
    well_formed: list[Resource] = []
    for resource in workspace.documents:
        problems = schema_diagnostics(resource.kind, resource.data, resource.position)
        diagnostics.extend(problems)
        if all(problem.code in SHAPE_KEPT for problem in problems):
            well_formed.append(resource)
        elif (rest := without_refused_fields(resource.kind, resource.data)) is not None:
            well_formed.append(replace(resource, data=rest))
    emails = check_emails(workspace, with_translations(workspace, [r for r in well_formed if r.kind == "email"]),
                          language_of)
    diagnostics.extend(run_semantic(Scope(workspace, tuple(well_formed), language_of)))
    diagnostics.extend(found for each in emails.result() for found in each)
    return sorted(diagnostics, key=Diagnostic.sort_key)


def with_translations(workspace: Workspace, emails: list[Resource]) -> list[Resource]:
    """``emails`` and, after each, its versions in the other languages it declares: checked as it is sent."""
    by_email: dict[str, list[Resource]] = {}
    for resource in workspace.of_kind("email"):
        if resource.translates is not None:
            by_email.setdefault(resource.translates, []).append(resource)
    return [each for email in emails for each in (email, *by_email.get(email.name, ()))]


def check_workspace(root: Path, language_of: LanguageOf) -> tuple[Workspace, list[Diagnostic]]:
    """Loads the workspace at ``root`` and validates it: what ``validate`` reports.

    The renderer's processes and the engine are imported here, not with this package, so that a
    ``validate`` answered from its memo (``checks.memo``) does without them."""
    from campaignkit.emails.workers import warm_workers
    from campaignkit.workspace.loading import load_workspace

    with warm_workers(root):  # they read the templates while the workspace loads
        workspace, diagnostics = load_workspace(root)
        diagnostics.extend(validate(workspace, language_of))
    # A problem in a partial that many emails include is found once per email: report it once.
    return workspace, bounded(sorted(dict.fromkeys(diagnostics), key=Diagnostic.sort_key))


def not_checked(reason: str) -> Diagnostic:
    """The one diagnostic of a ``validate`` that could not check the workspace, saying why: so that a
    report meant for a machine is still a document it can read."""
    return error("CK000", reason, Position("."))


def internal_error(failure: Exception) -> Diagnostic:
    """``not_checked`` for a failure of campaignkit's own; its message names the exception's type only,
    as its text may quote a file."""
    return not_checked(f"internal error ({type(failure).__name__}): campaignkit failed on this workspace instead of "
                       "reporting what is wrong with it; please report this, with the traceback printed on stderr")
