"""Checks: every rule ``validate`` applies, each a small function registered with its code.

A check takes a ``Scope`` and yields ``Diagnostic`` values; it never raises
for bad input and never prints. Its docstring follows one shape (what it
does, why it matters, an example, what to write instead) because
``campaignkit explain CODE`` prints it, and ``campaignkit explain`` lists
every code with its first line.

Schema checks run first; the semantic checks then see only the resources
whose shape is right (``Scope.sound``), so that they can trust field types
and one mistake is not reported twice.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass, field
from functools import cached_property
from graphlib import CycleError, TopologicalSorter
from typing import TYPE_CHECKING, Callable, Collection, Iterable, Iterator, Mapping

from campaignkit.collector import collector_paused
from campaignkit.diagnostics import Diagnostic
from campaignkit.workspace.model import Resource, Workspace
from campaignkit.engine.graph import Graph, graph_of

if TYPE_CHECKING:
    from campaignkit.emails.merge import MergeLanguage
    from campaignkit.emails.processes import EmailChecker


@dataclass(frozen=True)
class Scope:
    """What a semantic check looks at: the workspace and its well-formed resources."""

    workspace: Workspace
    sound: tuple[Resource, ...]
    #: The merge language of each target that sends emails in one, by target name (given by the caller,
    #: which knows the targets): emails bound for one are checked for what its tags cannot say.
    merge_languages: Mapping[str, MergeLanguage] = field(default_factory=dict)
    email_checker: EmailChecker | None = None  # the processes started to check the emails, if any

    def of_kind(self, kind: str) -> list[Resource]:
        return self._by_kind.get(kind, [])

    @cached_property
    def _by_kind(self) -> dict[str, list[Resource]]:
        grouped: dict[str, list[Resource]] = {}
        for resource in self.sound:
            grouped.setdefault(resource.kind, []).append(resource)
        return grouped

    @cached_property
    def graphs(self) -> dict[str, Graph]:
        """Each sound program's step graph, built once for all program checks."""
        return {program.address: graph_of(program.data) for program in self.of_kind("program")}


CheckFunction = Callable[[Scope], Iterable[Diagnostic]]


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
    """A registered check; a ``background`` one starts its work when called and is collected last."""

    code: str
    function: CheckFunction
    background: bool = False

    @property
    def doc(self) -> str:
        return inspect.getdoc(self.function) or ""

    @property
    def summary(self) -> str:
        return self.doc.splitlines()[0] if self.doc else ""


REGISTRY: dict[str, Check] = {}


def check(code: str, background: bool = False) -> Callable[[CheckFunction], CheckFunction]:
    """Registers a semantic check under ``code``.

    A ``background`` check starts its work (on other processes) when it is called and
    returns an iterable that waits for it: it is called before the other checks and
    read after them, so that both run at once.
    """

    def register(function: CheckFunction) -> CheckFunction:
        if code in REGISTRY:
            raise ValueError(f"check code {code} registered twice")
        REGISTRY[code] = Check(code, function, background)
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
    started = [registered.function(scope) for registered in REGISTRY.values() if registered.background]
    for registered in REGISTRY.values():
        if not registered.background:
            yield from registered.function(scope)
    for found in started:
        yield from found


def _load_checks() -> None:
    """Imports the modules whose checks register themselves (once)."""
    from campaignkit.checks import (  # noqa: F401
        campaigns,
        emails,
        fields,
        lists,
        loading,
        naming,
        programs,
        references,
        scoring,
        test_files,
    )


def validate(workspace: Workspace, merge_languages: Mapping[str, MergeLanguage],
             email_checker: EmailChecker | None = None) -> list[Diagnostic]:
    """Every schema and semantic diagnostic for a loaded workspace, in file order (the emails
    checked by ``email_checker``'s processes, when they were started); ``merge_languages`` as in ``Scope``."""
    from campaignkit.workspace.schema import CONFIG_SCHEMA, schema_diagnostics

    config = workspace.config
    with collector_paused(kept=True):  # the checks cache much (references, graphs) and make no cycles
        diagnostics = schema_diagnostics(CONFIG_SCHEMA, config.data, config.position)
        sound: list[Resource] = []
        for resource in workspace.documents:
            problems = schema_diagnostics(resource.kind, resource.data, resource.position)
            diagnostics.extend(problems)
            if not problems:
                sound.append(resource)
        diagnostics.extend(run_semantic(Scope(workspace, tuple(sound), merge_languages, email_checker)))
    return sorted(diagnostics, key=Diagnostic.sort_key)


def check_workspace(root, merge_languages: Mapping[str, MergeLanguage]) -> tuple[Workspace, list[Diagnostic]]:
    """Loads the workspace at ``root`` and validates it: what ``validate`` reports."""
    from campaignkit.emails.processes import EmailChecker
    from campaignkit.workspace.loading import load_workspace

    email_checker = EmailChecker.start(root)  # they read the templates while the workspace loads
    try:
        workspace, diagnostics = load_workspace(root)
        diagnostics.extend(validate(workspace, merge_languages, email_checker))
    finally:
        if email_checker is not None:
            email_checker.stop()
    # A problem in a partial that many emails include is found once per email: report it once.
    return workspace, sorted(dict.fromkeys(diagnostics), key=Diagnostic.sort_key)
