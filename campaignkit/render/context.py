"""``EmailContext``: what every email of one workspace shares, built once and reused.

The merge model, the two sandboxed Jinja environments (HTML and plain text)
and caches of everything derived from a template file: its source, its Jinja
facts, its compiled template and its parsed markup. Partials such as a shared
footer are read, parsed and compiled once however many emails include them;
the environments load included templates from these caches, never from disk
behind the cache's back. Nothing here reports problems: a file that cannot be
read is cached as its ``TemplatePathError`` for the checks to report.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Hashable, MutableMapping, TypeVar

from jinja2 import BaseLoader, Environment, Template, TemplateNotFound, TemplateSyntaxError

from campaignkit.model import Workspace
from campaignkit.render import markup
from campaignkit.render.jinja_source import Piece, split
from campaignkit.render.merge import MergeModel
from campaignkit.render.paths import TemplatePathError, normalise, read_template, template_files
from campaignkit.render.sandbox import EmailSandbox, make_environment
from campaignkit.render.structure import ParsedFile
from campaignkit.render.template_facts import Analysis, PlacedFacts, ShapeCache, analyse


T = TypeVar("T")
#: The name inline templates (subjects, preheaders, attribute values) are compiled under.
INLINE = "<inline>"


class TemplateRefused(TemplateNotFound):
    """Raised to Jinja for an include the workspace rules refuse; carries the reason."""

    def __init__(self, problem: TemplatePathError) -> None:
        super().__init__(problem.name, str(problem))
        self.problem = problem


@dataclass(frozen=True)
class CompiledTemplate:
    """A template's source, its facts and, when it parses, its compiled form."""

    path: str
    source: str
    analysis: Analysis
    template: Template | None

    @property
    def facts(self) -> PlacedFacts:
        return self.analysis.facts


class _CacheLoader(BaseLoader):
    """Serves ``{% include %}`` and ``{% import %}`` from the context's caches."""

    def __init__(self, context: EmailContext) -> None:
        self.context = context

    def load(self, environment: Environment, name: str, globals: MutableMapping[str, Any] | None = None
             ) -> Template:
        compiled = self.context.compiled(name, html=environment is self.context.html_env)
        if isinstance(compiled, TemplatePathError):
            raise TemplateRefused(compiled)
        if compiled.template is None:
            raise TemplateSyntaxError(compiled.facts.syntax_error or "syntax error", compiled.facts.error_line,
                                      compiled.path, compiled.path)
        return compiled.template


class EmailContext:
    """Shared, cached state for checking and rendering the emails of one workspace."""

    def __init__(self, workspace: Workspace) -> None:
        self.root = workspace.root
        self.merge = MergeModel.of(workspace)
        loader = _CacheLoader(self)
        self.html_env: EmailSandbox = make_environment(loader, html=True)
        self.text_env: EmailSandbox = make_environment(loader, html=False)
        self._sources: dict[str, str | TemplatePathError] = {}
        self._compiled: dict[tuple[str, bool], CompiledTemplate | TemplatePathError] = {}
        self._markup: dict[tuple[str, bool], ParsedFile | None] = {}
        self._inline: dict[tuple[str, bool], CompiledTemplate] = {}
        self._shapes = {True: ShapeCache(), False: ShapeCache()}
        self._split: dict[str, list[Piece]] = {}
        self._derived: dict[tuple[str, Hashable], Any] = {}
        self._sample: dict[str, Any] | None = None
        self._files: list[str] | None = None

    def source(self, name: str) -> str | TemplatePathError:
        """The text of the template file ``name``, or why it cannot be read."""
        key = normalise(name)
        if key not in self._sources:
            try:
                self._sources[key] = read_template(self.root, name)
            except TemplatePathError as problem:
                self._sources[key] = problem
        return self._sources[key]

    def compiled(self, name: str, html: bool) -> CompiledTemplate | TemplatePathError:
        """The template file ``name`` compiled for HTML (autoescaped) or text output."""
        key = (normalise(name), html)
        if key not in self._compiled:
            source = self.source(name)
            if isinstance(source, TemplatePathError):
                self._compiled[key] = source
            else:
                self._compiled[key] = self._compile(key[0], source, self._pieces(key[0], source), html)
        return self._compiled[key]

    def inline(self, text: str, html: bool) -> CompiledTemplate:
        """A template written inline in YAML (a subject, a preheader) or in an attribute."""
        key = (text, html)
        if key not in self._inline:
            self._inline[key] = self._compile(INLINE, text, split(text), html)
        return self._inline[key]

    def markup(self, name: str, html: bool) -> ParsedFile | None:
        """The parsed markup of ``name`` as MJML (or HTML, where included inside an ending tag)."""
        key = (normalise(name), html)
        if key not in self._markup:
            source = self.source(name)
            self._markup[key] = (None if isinstance(source, TemplatePathError)
                                 else ParsedFile(key[0], markup.parse(source, self._pieces(key[0], source), html)))
        return self._markup[key]

    def derived(self, kind: str, key: Hashable, compute: Callable[[], T]) -> T:
        """A value computed from cached files (a file's links, say) once per context."""
        slot = (kind, key)
        if slot not in self._derived:
            self._derived[slot] = compute()
        return self._derived[slot]

    def sample_values(self) -> dict[str, Any]:
        """The merge values of the sample prospect (computed once)."""
        if self._sample is None:
            self._sample = self.merge.values(None)
        return self._sample

    def template_files(self) -> list[str]:
        """Every file below the root that could be a template (for "did you mean" on a missing one)."""
        if self._files is None:
            self._files = template_files(self.root)
        return self._files

    def is_template(self, path: str) -> bool:
        """Whether ``path`` names a template file this context has compiled."""
        return (path, True) in self._compiled or (path, False) in self._compiled

    def _compile(self, name: str, source: str, pieces: list[Piece], html: bool) -> CompiledTemplate:
        environment = self._environment(html)
        analysis = analyse(environment, source, pieces, name, self._shapes[html])
        if analysis.code is None:
            return CompiledTemplate(name, source, analysis, None)
        template = environment.template_class.from_code(environment, analysis.code, environment.make_globals(None))
        return CompiledTemplate(name, source, analysis, template)

    def _environment(self, html: bool) -> EmailSandbox:
        return self.html_env if html else self.text_env

    def _pieces(self, path: str, source: str) -> list[Piece]:
        """The source split into text and Jinja, shared by the markup parser and the compiler."""
        if path not in self._split:
            self._split[path] = split(source)
        return self._split[path]
