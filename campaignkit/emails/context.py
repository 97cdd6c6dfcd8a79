"""What every email of one workspace shares, built once and reused.

``TemplateFiles``: the two sandboxed Jinja environments (HTML and plain text)
and caches of everything derived from a template file: its source, its Jinja
facts, its compiled template and its parsed markup. The environments load
included templates from these caches, never from disk behind the cache's back.
``EmailContext``: those files with the workspace's merge model, the sample
prospect and what is rendered for it. Nothing here reports problems: a file
that cannot be read is cached as its ``TemplatePathError`` for the checks to
report.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable, Hashable, Mapping, MutableMapping
from dataclasses import dataclass
from functools import cached_property
from types import CodeType
from typing import Any, TypeVar

from jinja2 import BaseLoader, Environment, Template, TemplateNotFound, TemplateSyntaxError

from campaignkit.diagnostics import Position
from campaignkit.emails.markup import parse as markup
from campaignkit.emails.markup.structure import ParsedFile
from campaignkit.emails.merge import LanguageOf, MergeModel
from campaignkit.emails.templates.bounds import MAX_OUTPUT_CHARS
from campaignkit.emails.templates.facts import Analysis, PlacedFacts, ShapeCache, analyse, marked_code
from campaignkit.emails.templates.sandbox import EmailSandbox, OutOfTime, make_environment, render_bounded
from campaignkit.emails.templates.source import MarkedOutput, Piece, jinja_column, split
from campaignkit.workspace.model import Workspace, values_below
from campaignkit.workspace.template_paths import TemplatePathError, normalise, template_files
from campaignkit.workspace.template_reads import TemplateReads

T = TypeVar("T")
#: The name inline templates (subjects, preheaders, attribute values) are compiled under.
INLINE = "<inline>"


class TemplateRefused(TemplateNotFound):
    """Raised to Jinja for an include the workspace rules refuse; carries the reason."""

    def __init__(self, problem: TemplatePathError) -> None:
        super().__init__(problem.name, str(problem))
        self.problem = problem


class TimedOut(OutOfTime):
    """Raised on rendering or including a template file that ran out of time before: where it did."""

    def __init__(self, message: str, position: Position) -> None:
        super().__init__(message)
        self.position = position


@dataclass(frozen=True)
class CompiledTemplate:
    """A template's source, its facts and, when it parses, its compiled form (made when first used)."""

    path: str
    source: str
    analysis: Analysis
    environment: EmailSandbox

    @property
    def facts(self) -> PlacedFacts:
        return self.analysis.facts

    @property
    def parses(self) -> bool:
        return self.analysis.shape.code is not None

    @cached_property
    def template(self) -> Template | None:
        code = self.analysis.code
        return None if code is None else _template(self.environment, code)


class _CacheLoader(BaseLoader):
    """Serves ``{% include %}`` and ``{% import %}`` from the template files' caches."""

    def __init__(self, files: TemplateFiles) -> None:
        self.files = files

    def load(self, environment: Environment, name: str, globals: MutableMapping[str, Any] | None = None
             ) -> Template:
        compiled = self.files.compiled(name, html=environment is self.files.html_env)
        if isinstance(compiled, TemplatePathError):
            raise TemplateRefused(compiled)
        if not compiled.parses:
            raise TemplateSyntaxError(compiled.facts.syntax_error or "syntax error", compiled.facts.error_line,
                                      compiled.path, compiled.path)
        self.files.check_time(compiled.path)
        assert compiled.template is not None
        return compiled.template


class TemplateFiles:
    """What is made from a workspace's template files alone: their text, Jinja (facts and code) and markup.

    It knows nothing of fields and vars, so ``validate`` can make it while the workspace
    is still loading (see ``emails.workers``). Partials such as a shared footer are read,
    parsed and compiled once however many emails include them, and one that runs out of
    time runs out of it once.
    """

    def __init__(self, reads: TemplateReads) -> None:
        self.root = reads.root
        self.reads = reads
        loader = _CacheLoader(self)
        self.html_env: EmailSandbox = make_environment(loader, html=True)
        self.text_env: EmailSandbox = make_environment(loader, html=False)
        self._compiled: dict[tuple[str, bool], CompiledTemplate | TemplatePathError] = {}
        self._markup: dict[tuple[str, bool], ParsedFile | None] = {}
        self._inline: dict[tuple[str, bool], CompiledTemplate] = {}
        self._shapes = {True: ShapeCache(), False: ShapeCache()}
        self._split: tuple[str, list[Piece]] = ("", [])  # the last file split
        self._files: list[str] | None = None
        self._out_of_time: dict[str, TimedOut] = {}  # by template file: the render's time ran out in it

    def source(self, name: str) -> str | TemplatePathError:
        """The text of the template file ``name``, or why it cannot be read."""
        return self.reads.text(name)

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

    def warm(self, name: str) -> None:
        """Makes, for the template file ``name``, what checking an email that reads it asks for first:
        for MJML and text, its hash, its Jinja and its markup, read as an email's body or text part."""
        if name.endswith(".mjml"):
            self.reads.file(name)
            self.compiled(name, True)
            self.markup(name, False)
        elif name.endswith(".txt"):
            self.reads.file(name)
            self.compiled(name, False)

    def template_files(self) -> list[str]:
        """Every file below the root that could be a template (for "did you mean" on a missing one)."""
        if self._files is None:
            self._files = template_files(self.root)
        return self._files

    def render(self, template: Template, values: Mapping[str, Any]) -> str:
        """``template`` rendered with ``values`` within the sandbox's bounds.

        The template file whose line was running when the render's time ran out is
        remembered, and fails at once when it is rendered or included again (``check_time``):
        a shared footer with a slow loop costs the time limit once, not once per email.
        """
        try:
            return render_bounded(template, values)
        except OutOfTime as exc:
            where = self.failing_line(exc)
            if where is not None and not isinstance(exc, TimedOut):
                self._out_of_time.setdefault(where.path, TimedOut(str(exc), where))
            raise

    def check_time(self, path: str) -> None:
        """Raises ``TimedOut`` if the template file ``path`` ran out of a render's time before."""
        found = self._out_of_time.get(path)
        if found is not None:
            raise TimedOut(str(found), found.position)

    def failing_line(self, exc: BaseException) -> Position | None:
        """The template line a render error comes from (Jinja puts template lines in the traceback),
        at its first ``{{`` or ``{%``: the traceback tells the line, and the Jinja on it is what failed.
        None when no template file's line is in the traceback."""
        for frame in reversed(traceback.extract_tb(exc.__traceback__)):
            path = frame.filename
            if ((path, True) in self._compiled or (path, False) in self._compiled) and frame.lineno:
                source = self.source(path)
                lines = source.splitlines() if isinstance(source, str) else []
                return Position(path, frame.lineno,
                                jinja_column(lines[frame.lineno - 1] if frame.lineno <= len(lines) else ""))
        return None

    def _compile(self, name: str, source: str, pieces: list[Piece], html: bool) -> CompiledTemplate:
        environment = self.html_env if html else self.text_env
        return CompiledTemplate(name, source, analyse(environment, source, pieces, name, self._shapes[html]),
                                environment)

    def _pieces(self, path: str, source: str) -> list[Piece]:
        """The source split into text and Jinja, shared by the markup parser and the compiler.

        Only the last file's are kept: the two ask one after the other, and a workspace's
        worth of pieces would be most of the memory its templates take.
        """
        if self._split[0] != path:
            self._split = (path, split(source))
        return self._split[1]


class EmailContext:
    """Shared, cached state for checking and rendering the emails of one workspace: its template
    files and its merge model (the sample prospect and what is rendered for it)."""

    def __init__(self, files: TemplateFiles, merge: MergeModel) -> None:
        self.files = files
        self.merge = merge
        self._derived: dict[tuple[str, Hashable], Any] = {}
        self._sample: dict[str, Any] | None = None
        self._sample_shapes: dict[tuple[str, bool], MarkedOutput | None] = {}

    @classmethod
    def of(cls, workspace: Workspace, language_of: LanguageOf | None = None) -> EmailContext:
        """The context of ``workspace``'s emails, sent in the languages ``language_of`` gives its environments."""
        return cls(TemplateFiles(workspace.template_reads), MergeModel.of(workspace, language_of))

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

    def sample_render(self, compiled: CompiledTemplate) -> str | None:
        """``compiled`` rendered for the sample prospect, through the rendering of its shape;
        None where that cannot stand in for its own rendering.

        Templates that differ only in their literal text (most of one workspace) render
        alike for the one sample prospect, so their shape is rendered once and each
        template's text put back into the output. That holds while the text reaches the
        output as it is written (``Shape.holds_text``), and while no sample value looks
        like a mark. Any failure is left to the template's own rendering, which tells where
        it comes from.
        """
        analysis = compiled.analysis
        if analysis.shape.code is None or analysis.shape.holds_text or self._sample_has_marks:
            return None
        marked = analysis.marked
        key = (marked.with_literals, compiled.environment is self.files.html_env)
        if key not in self._sample_shapes:
            self._sample_shapes[key] = self._render_marked(compiled.environment, marked_code(analysis.shape, marked))
        output = self._sample_shapes[key]
        if output is None or output.restored_size(marked.literals) > MAX_OUTPUT_CHARS:
            return None
        return output.restore(marked.literals)

    def _render_marked(self, environment: EmailSandbox, code: CodeType) -> MarkedOutput | None:
        try:
            return MarkedOutput.of(self.files.render(_template(environment, code), self.sample_values()))
        except Exception:  # noqa: BLE001 - the template's own rendering reports it
            return None

    @cached_property
    def _sample_has_marks(self) -> bool:
        return any(isinstance(value, str) and "\x00" in value for value in values_below(self.sample_values()))


def _template(environment: EmailSandbox, code: CodeType) -> Template:
    """A template of ``environment`` from code compiled for it, as Jinja's loaders make one."""
    return environment.template_class.from_code(environment, code, environment.make_globals(None))
