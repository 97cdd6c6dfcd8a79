"""Rendering one email for one prospect: Jinja, then MJML, then the text part.

The subject and preheader are Jinja templates of their own (plain text); the
body template is rendered in the HTML sandbox: an HTML template (``.html``, as a
platform holds an email and ``adopt`` writes it) is then the email as it is, and
an MJML one is given the subject as
``<mj-title>`` and the preheader as ``<mj-preview>`` when it does not set them
itself, and turned into HTML by ``mjml-python``, whose ``mj-include`` goes
through the same workspace rules and the same merge values as Jinja's
``include``. Every way this can fail is a ``RenderFailure`` with a CK4xx code
and the template line it comes from; ``render_email`` turns it into a
``UserError`` for the command line, ``analysis`` into a diagnostic.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from functools import cached_property
from itertools import accumulate
from typing import Any

from jinja2 import TemplateSyntaxError
from jinja2.exceptions import SecurityError
from mjml import mjml2html

from campaignkit.diagnostics import Position
from campaignkit.emails.catalogs import catalog_of
from campaignkit.emails.context import CompiledTemplate, EmailContext, TemplateRefused, TimedOut
from campaignkit.emails.markup.parse import VOID_ELEMENTS
from campaignkit.emails.templates.bounds import OutputTooLarge
from campaignkit.emails.templates.source import has_jinja
from campaignkit.emails.text import html_to_text, shows_text
from campaignkit.errors import UserError
from campaignkit.workspace.model import Resource
from campaignkit.workspace.template_paths import OutsideWorkspace, TemplatePathError

#: Far deeper than any email, far shallower than what crashes ``mjml-python``.
MAX_NESTING = 200
MAX_MJ_INCLUDES = 100
_TAG_NAMES = re.compile(r"<(/?)([A-Za-z][\w:.-]*)(?:[^>]*(/)>|[^>]*>)")
#: The self-closing tags ``_TAG_NAMES`` finds, found without reading the others.
_SELF_CLOSING = re.compile(r"<[A-Za-z][\w:.-]*[^>]*/>")
_HEAD = re.compile(r"<mj-head\b[^>]*>")
_ROOT = re.compile(r"<mjml\b[^>]*>")


@dataclass(frozen=True)
class RenderedEmail:
    """One email as a prospect gets it; ``own_text`` is its text template rendered, if it has one.

    Without one, the text part is made from the HTML when first asked for: ``validate``
    mostly only needs to know that there is some (``has_text``), which a glance at the
    HTML usually tells.
    """

    subject: str
    preheader: str
    html: str
    own_text: str | None = None

    @cached_property
    def text(self) -> str:
        return self.own_text if self.own_text is not None else html_to_text(self.html)

    @cached_property
    def html_bytes(self) -> int:
        """The size of the HTML as sent, in UTF-8 (what Gmail's clipping counts)."""
        return len(self.html) if self.html.isascii() else len(self.html.encode("utf-8"))

    @property
    def has_text(self) -> bool:
        """Whether the text part has any text in it."""
        if self.own_text is None and shows_text(self.html):
            return True
        return bool(self.text.strip())


class RenderFailure(Exception):
    """Why an email could not be rendered: a CK4xx ``code``, a message and where."""

    def __init__(self, code: str, message: str, position: Position) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.position = position

    def user_error(self, email: Resource) -> UserError:
        """The failure for the command line: the email, then the template's file, line and column."""
        return UserError(f"{email.address}: {self.position}: {self.message}")


def render_email(context: EmailContext, email: Resource, prospect: dict[str, Any] | None = None) -> RenderedEmail:
    """The subject, preheader, HTML and text ``email`` produces for ``prospect`` (None: the sample).

    Raises ``UserError`` for a prospect field that is not declared and for a template
    that does not render, naming the template file and line.
    """
    values = context.sample_values() if prospect is None else context.merge.values(prospect)
    try:
        return render_with(context, email, values)
    except RenderFailure as failure:
        raise failure.user_error(email) from None


def render_with(context: EmailContext, email: Resource, values: dict[str, Any]) -> RenderedEmail:
    """``render_email`` for merge values already made; raises ``RenderFailure``."""
    values = in_its_language(context, email, values)
    subject = render_inline(context, email, "subject", values)
    preheader = render_inline(context, email, "preheader", values)
    name = email.data.get("template")
    if not isinstance(name, str) or not name:
        raise RenderFailure("CK401", f"{email.address} names no template", email.position_of("template"))
    body = template_file(context, name, True, email.position_of("template"))
    source = run(context, body, values, Position(body.path, 1, 1))
    document = source if is_html_template(name) else to_html(context, with_inbox_text(source, subject, preheader),
                                                                values, body.path)
    text_name = email.data.get("text")
    if not isinstance(text_name, str) or text_name == "auto":
        return RenderedEmail(subject, preheader, document)
    text_part = template_file(context, text_name, False, email.position_of("text"))
    return RenderedEmail(subject, preheader, document, run(context, text_part, values, Position(text_part.path, 1, 1)))


def in_its_language(context: EmailContext, email: Resource, values: dict[str, Any]) -> dict[str, Any]:
    """``values`` with ``gettext`` and its kin from the catalog of ``email``'s locale, if it names a catalog."""
    found = catalog_of(context, email)
    if found is None:
        return values
    if found.problem is not None:
        raise RenderFailure("CK438", found.problem, Position(found.path, found.problem_line, 1))
    return {**values, **context.derived("gettext", found.path, found.gettext_values)}


def is_html_template(name: str) -> bool:
    """Whether the body template ``name`` is HTML, sent as rendered by Jinja, rather than MJML."""
    return name.lower().endswith((".html", ".htm"))


def render_inline(context: EmailContext, email: Resource, key: str, values: dict[str, Any]) -> str:
    """The subject or preheader for ``values`` ("" when the email has none)."""
    text = email.data.get(key)
    if not isinstance(text, str) or not text:
        return ""
    if not has_jinja(text):
        return " ".join(text.split())
    where = email.position_of(key)
    compiled = context.files.inline(text, html=False)
    if not compiled.parses:
        raise RenderFailure("CK403", f"{key}: {compiled.facts.syntax_error}", where)
    return " ".join(run(context, compiled, values, where).split())


def template_file(context: EmailContext, name: str, html_output: bool, where: Position) -> CompiledTemplate:
    """The compiled template ``name``; raises ``RenderFailure`` when it cannot be read or parsed."""
    compiled = context.files.compiled(name, html_output)
    if isinstance(compiled, TemplatePathError):
        raise path_failure(compiled, where)
    if not compiled.parses:
        raise RenderFailure("CK403", compiled.facts.syntax_error or "syntax error",
                            Position(compiled.path, compiled.facts.error_line, compiled.facts.error_column))
    return compiled


def path_failure(problem: TemplatePathError, where: Position) -> RenderFailure:
    code = "CK402" if isinstance(problem, OutsideWorkspace) else "CK401"
    return RenderFailure(code, f"template {problem}", where)


def run(context: EmailContext, compiled: CompiledTemplate, values: dict[str, Any], origin: Position) -> str:
    """``compiled`` rendered with ``values``, its failures told apart by code."""
    if values is context.sample_values() and (shared := context.sample_render(compiled)) is not None:
        return shared
    assert compiled.template is not None
    try:
        context.files.check_time(compiled.path)
        return context.files.render(compiled.template, values)
    except TimedOut as exc:
        raise RenderFailure("CK409", str(exc), exc.position) from None
    except OutputTooLarge as exc:
        raise RenderFailure("CK409", str(exc), _failing_line(context, exc, origin)) from None
    except SecurityError as exc:
        raise RenderFailure("CK404", f"the sandbox refused: {exc}", _failing_line(context, exc, origin)) from None
    except TemplateRefused as exc:
        raise path_failure(exc.problem, _failing_line(context, exc, origin)) from None
    except TemplateSyntaxError as exc:
        where = Position(exc.name or origin.path, exc.lineno, 1)
        raise RenderFailure("CK403", exc.message or str(exc), where) from None
    except Exception as exc:  # noqa: BLE001 - whatever a template raises (a bad operand, say) is its author's to fix
        raise RenderFailure("CK408", f"{type(exc).__name__}: {exc}", _failing_line(context, exc, origin)) from None


def _failing_line(context: EmailContext, exc: BaseException, origin: Position) -> Position:
    """The template line a render error comes from, else where the template is named."""
    return context.files.failing_line(exc) or origin


def with_inbox_text(mjml_source: str, subject: str, preheader: str) -> str:
    """The MJML with ``<mj-title>`` and ``<mj-preview>`` added where the template does not set them."""
    additions = ""
    if subject and "<mj-title" not in mjml_source:
        additions += f"<mj-title>{html.escape(subject)}</mj-title>"
    if preheader and "<mj-preview" not in mjml_source:
        additions += f"<mj-preview>{html.escape(preheader)}</mj-preview>"
    if not additions:
        return mjml_source
    head = _HEAD.search(mjml_source)
    if head:
        return mjml_source[:head.end()] + additions + mjml_source[head.end():]
    root = _ROOT.search(mjml_source)
    if root:
        return mjml_source[:root.end()] + f"<mj-head>{additions}</mj-head>" + mjml_source[root.end():]
    return mjml_source


def to_html(context: EmailContext, mjml_source: str, values: dict[str, Any], path: str) -> str:
    """HTML from ``mjml-python``; ``mj-include`` files are read and rendered like Jinja includes."""
    where = Position(path, 1, 1)
    loader = _IncludeLoader(context, values, where)
    try:
        return mjml2html(_guarded(mjml_source, where), include_loader=loader)
    except Exception as exc:  # noqa: BLE001 - mjml-python raises plain exceptions for any input it rejects
        if loader.failure is not None:  # mjml-python reports a loader's exception only as "unable to load"
            raise loader.failure from None
        raise RenderFailure("CK414", f"MJML could not render this template: {exc}", where) from None


class _IncludeLoader:
    """``mj-include`` for one render: workspace paths only, rendered with the same values, and bounded."""

    def __init__(self, context: EmailContext, values: dict[str, Any], where: Position) -> None:
        self.context = context
        self.values = values
        self.where = where
        self.loads = 0
        self.failure: RenderFailure | None = None

    def __call__(self, path: str) -> str:
        try:
            self.loads += 1
            if self.loads > MAX_MJ_INCLUDES:
                raise RenderFailure("CK407", f"more than {MAX_MJ_INCLUDES} mj-include: does a file include itself?",
                                    self.where)
            return _guarded(self._read(path), self.where)
        except RenderFailure as failure:
            self.failure = self.failure or failure
            raise

    def _read(self, name: str) -> str:
        if name.endswith(".css"):
            source = self.context.files.source(name)
            if isinstance(source, TemplatePathError):
                raise path_failure(source, self.where)
            return source
        compiled = template_file(self.context, name, True, self.where)
        return run(self.context, compiled, self.values, Position(compiled.path, 1, 1))


def _guarded(markup: str, where: Position) -> str:
    """``markup``, if it nests shallowly enough for ``mjml-python``.

    Its parser recurses, and a few thousand levels crash the whole process (a segmentation
    fault, not an exception), so deeper markup never reaches it. Markup with fewer tags
    that open than the limit cannot nest deeper, which counts tell without reading every
    tag: every ``<`` but closing tags and, when that is not enough, self-closing ones too.
    """
    opening = markup.count("<") - markup.count("</")
    if opening <= MAX_NESTING or opening - len(_SELF_CLOSING.findall(markup)) <= MAX_NESTING:
        return markup
    steps = [-1 if closing else 0 if self_closing or name.lower() in VOID_ELEMENTS else 1
             for closing, name, self_closing in _TAG_NAMES.findall(markup)]
    deepest = max(accumulate(steps), default=0)
    if deepest > MAX_NESTING:
        raise RenderFailure("CK414", f"the rendered MJML nests elements {deepest} deep; keep it under {MAX_NESTING}",
                            where)
    return markup
