"""Everything the email checks look at, gathered once per email.

``facts_of_email`` follows an email from its ``template``, ``text``, ``subject`` and
``preheader`` through every template they include or import (Jinja and
``mj-include`` alike) and collects, with positions in the file where each thing
is written: the merge names used and the names bound above them, references
that cannot be followed, markup syntax problems, MJML structure problems,
links and images. When nothing static stands in the way, it renders the email
for the sample prospect. It decides nothing: the rules in ``rules_*`` turn
these facts into diagnostics.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from typing import NamedTuple

from campaignkit.diagnostics import Position, closest, did_you_mean
from campaignkit.emails.catalogs import MessageCatalog, catalog_of, messages
from campaignkit.emails.context import INLINE, CompiledTemplate, EmailContext
from campaignkit.emails.markup.parse import Element, Include
from campaignkit.emails.markup.structure import ParsedFile, StructureProblem, structure_problems
from campaignkit.emails.merge import MergeModel
from campaignkit.emails.rendering import RenderedEmail, RenderFailure, is_html_template, render_with, run
from campaignkit.emails.rules.links import IMAGE_TAGS, URL_ATTRIBUTES, LinkVerdict, judge_link
from campaignkit.emails.templates.facts import NameUse
from campaignkit.emails.templates.source import has_jinja, jinja_column
from campaignkit.workspace.model import Resource
from campaignkit.workspace.template_paths import TemplateMissing, TemplatePathError, normalise

#: How an included file is read: as MJML, as HTML (inside an ending tag), as plain text,
#: as Jinja macros only (``import``), or as CSS (``mj-include type="css"``, not a template).
MJML, HTML, TEXT, MACROS, CSS = "mjml", "html", "text", "macros", "css"
#: Far more than any email needs, far less than Python's recursion limit.
MAX_INCLUDE_DEPTH = 30
#: The elements the content checks look at: links and images.
_LOOKED_AT = frozenset(URL_ATTRIBUTES) | IMAGE_TAGS
#: Where a reference to a file stands, worked out only when it is reported (most can be followed).
Where = Callable[[], Position]


class Visited(NamedTuple):
    """One template an email uses (a file, or an inline subject or preheader).

    A named tuple: every email visits a few, and it is the cheapest to build.
    """

    compiled: CompiledTemplate
    html: bool
    bound_above: frozenset[str]
    origin: Position | None = None  # inline templates: where they stand in the YAML
    parsed: ParsedFile | None = None

    def position(self, line: int, column: int) -> Position:
        return self.origin or Position(self.compiled.path, line, column)


class MergeUse(NamedTuple):
    """A name read from the merge context (``use`` as the template's shape has it, without its column).

    Where it stands is worked out only for the few uses a diagnostic points at.
    """

    use: NameUse
    visited: Visited
    use_index: int  # where ``use`` stands in its template's ``facts.uses``

    @property
    def name(self) -> str:
        return self.use.name

    @property
    def position(self) -> Position:
        placed = self.visited.compiled.facts.uses[self.use_index]
        return self.visited.position(placed.line, placed.column)


@dataclass(frozen=True)
class BrokenReference:
    """An include, import or template name that cannot be followed; ``problem`` None if unsupported."""

    message: str
    position: Position
    problem: TemplatePathError | None = None
    suggestion: str | None = None


class Link(NamedTuple):
    """A URL attribute; ``url`` is its value for the sample prospect, None if that cannot be known.

    Where it stands is worked out only for a link a diagnostic points at.
    """

    url: str | None
    verdict: LinkVerdict
    attribute: str
    tag: str
    file: ParsedFile
    offset: int

    @property
    def position(self) -> Position:
        return self.file.position(self.offset)


class Image(NamedTuple):
    """An image element; ``has_alt`` even when the alt text is empty (decoration)."""

    tag: str
    has_alt: bool
    file: ParsedFile
    offset: int

    @property
    def position(self) -> Position:
        return self.file.position(self.offset)


@dataclass(slots=True)
class EmailFacts:
    """What the checks of one email look at, each thing with the position where it is written.

    ``facts_of_email`` makes it and then sets ``rendered`` or ``failure``; the checks only read it.
    """

    email: Resource
    merge: MergeModel
    globals: frozenset[str]
    root: ParsedFile | None = None  # the email's template, when it could be read
    templates: tuple[Visited, ...] = ()
    merge_uses: tuple[MergeUse, ...] = ()  # every name read from the merge context, where it is written
    broken: tuple[BrokenReference, ...] = ()
    syntax: tuple[tuple[str, Position], ...] = ()
    structure: tuple[StructureProblem, ...] = ()
    links: tuple[Link, ...] = ()
    images: tuple[Image, ...] = ()
    rendered: RenderedEmail | None = None
    failure: RenderFailure | None = None
    names_no_template: bool = False
    #: A translation's catalog, and the messages its templates ask for that it does not translate.
    catalog: MessageCatalog | None = None
    untranslated: tuple[tuple[str, Position], ...] = ()

    @property
    def body_read(self) -> bool:
        """Whether the email's template could be read, so that its content can be judged."""
        return self.root is not None

    @property
    def template_position(self) -> Position:
        """Where a problem of the whole email points: where ``<mj-body>`` opens, else the template's
        first line, else the email's ``template`` key (worked out only for a diagnostic)."""
        if self.root is not None:
            return _body_position(self.root)
        if self.names_no_template:
            return self.email.position_of("template")
        return Position(normalise(self.email.data["template"]), 1, 1)

    def is_declared(self, name: str) -> bool:
        return name in self.merge.names or name in self.globals

    @property
    def content_known(self) -> bool:
        """Whether every template was read and parsed, so that what is missing from them is really missing."""
        return self.body_read and not self.broken and not any(v.compiled.facts.syntax_error for v in self.templates)

    @property
    def statically_sound(self) -> bool:
        """Whether rendering can be tried: every file read, parsed, safe, and every name declared."""
        return not (self.broken or self.names_no_template or self.syntax
                    or any(v.compiled.facts.syntax_error or v.compiled.facts.unsafe for v in self.templates)
                    or any(not self.is_declared(merged.name) for merged in self.merge_uses))


def facts_of_email(context: EmailContext, email: Resource) -> EmailFacts:
    """The facts of ``email``, rendered for the sample prospect when it can be."""
    name = email.data.get("template")
    template = name if isinstance(name, str) and name else None
    html_body = template is not None and is_html_template(template)
    walk = _Walk(context)
    if template is not None:
        walk.file(template, HTML if html_body else MJML, True, frozenset(), partial(email.position_of, "template"), ())
    text = email.data.get("text")
    if isinstance(text, str) and text != "auto":
        walk.file(text, TEXT, False, frozenset(), partial(email.position_of, "text"), ())
    for key in ("subject", "preheader"):
        if isinstance(email.data.get(key), str):
            walk.inline(email.data[key], email.position_of(key))
    links, images = _links_and_images(context, walk.visited)
    root = context.files.markup(template, html_body) if template is not None else None
    facts = EmailFacts(
        email, context.merge, frozenset(context.files.html_env.globals), root,
        templates=tuple(walk.visited), merge_uses=tuple(_merge_uses(walk.visited)), broken=tuple(walk.broken),
        syntax=tuple(_markup_syntax(walk.visited)),
        structure=tuple(structure_problems(root, context.files.markup)) if root is not None and not html_body
        and not any(each.compiled.facts.syntax_error for each in walk.visited) else (),
        links=tuple(links), images=tuple(images), names_no_template=template is None)
    if email.translates is not None:
        facts.catalog = catalog_of(context, email)
        facts.untranslated = tuple(_untranslated(facts.catalog, walk.visited)) if facts.catalog is not None else ()
    if facts.statically_sound:
        try:
            facts.rendered = render_with(context, email, context.sample_values())
        except RenderFailure as failure:
            facts.failure = failure
    return facts


def _untranslated(catalog: MessageCatalog, visited: list[Visited]) -> Iterator[tuple[str, Position]]:
    """The messages the templates ask for that ``catalog`` does not translate, where each is asked for."""
    if catalog.catalog is None:
        return
    for each in visited:
        lines = each.compiled.source.splitlines()
        for line, message in messages(each.compiled.source, each.compiled.environment):
            if not catalog.translated(message):
                text = message if isinstance(message, str) else str(message[0])
                yield text, each.position(line, jinja_column(lines[line - 1]) if line <= len(lines) else 1)


class _Walk:
    """Follows includes and imports from an email's roots, each file once per way of reading it."""

    def __init__(self, context: EmailContext) -> None:
        self.context = context
        self.visited: list[Visited] = []
        self.broken: list[BrokenReference] = []
        self._seen: set[tuple[str, str]] = set()

    def inline(self, text: str, where: Position) -> None:
        if not has_jinja(text):
            return
        compiled = self.context.files.inline(text, html=False)
        visited = Visited(compiled, False, frozenset(), origin=where)
        self.visited.append(visited)
        self._references(visited, ())

    def file(self, name: str, kind: str, html_output: bool, bound: frozenset[str], where: Where,
             chain: tuple[str, ...]) -> None:
        path = normalise(name)
        if path in chain:
            self.broken.append(BrokenReference(f"'{name}' includes itself (through {' -> '.join(chain)})", where()))
            return
        if len(chain) >= MAX_INCLUDE_DEPTH:
            self.broken.append(BrokenReference(f"includes nest more than {MAX_INCLUDE_DEPTH} deep here", where()))
            return
        if (path, kind) in self._seen:
            return
        self._seen.add((path, kind))
        if kind == CSS:
            source = self.context.files.source(name)
            if isinstance(source, TemplatePathError):
                self._broken_file(source, where)
            return
        compiled = self.context.files.compiled(name, html_output)
        if isinstance(compiled, TemplatePathError):
            self._broken_file(compiled, where)
            return
        parsed = self.context.files.markup(name, kind == HTML) if kind in (MJML, HTML) else None
        visited = Visited(compiled, html_output, bound, parsed=parsed)
        self.visited.append(visited)
        chain = chain + (path,)
        self._references(visited, chain)
        if parsed is not None:
            includes = self.context.derived("includes", parsed, lambda: tuple(_markup_includes(parsed)))
            for include_name, include_kind, at in includes:
                self.file(include_name, include_kind, True, bound | compiled.facts.bound, at, chain)

    def _broken_file(self, problem: TemplatePathError, where: Where) -> None:
        missing = isinstance(problem, TemplateMissing)
        suggestion = closest(normalise(problem.name), self.context.files.template_files()) if missing else None
        self.broken.append(BrokenReference(f"template {problem}{did_you_mean(suggestion)}", where(), problem,
                                           suggestion))

    def _references(self, visited: Visited, chain: tuple[str, ...]) -> None:
        """Imports always, and includes where no markup shows them (text templates)."""
        facts = visited.compiled.facts
        for index, reference in enumerate(facts.shape.references):
            where = partial(_reference_position, visited, index)
            if reference.kind == "extends":
                self.broken.append(BrokenReference(
                    "'extends' is not supported: include a shared header and footer instead", where()))
            elif reference.name is None:
                self.broken.append(BrokenReference(
                    f"the {reference.kind} must name a template as a quoted string, so that it can be checked",
                    where()))
            elif reference.kind == "import":
                self.file(reference.name, MACROS, visited.html, visited.bound_above, where, chain)
            elif visited.parsed is None:
                self.file(reference.name, TEXT, False, visited.bound_above | facts.bound, where, chain)


def _reference_position(visited: Visited, index: int) -> Position:
    placed = visited.compiled.facts.references[index]
    return visited.position(placed.line, placed.column)


def _merge_uses(visited: list[Visited]) -> Iterator[MergeUse]:
    """Every name the templates read from the merge context (not bound above them), by template."""
    for each in visited:
        bound = each.bound_above
        for index, use in enumerate(each.compiled.facts.shape.uses):
            if use.name not in bound:
                yield MergeUse(use, each, index)


def _markup_includes(parsed: ParsedFile) -> Iterator[tuple[str, str, Where]]:
    """The files a template's markup includes, how each is read, and where the include stands."""
    pending: list[Element | Include] = list(parsed.markup.roots)
    while pending:
        node = pending.pop()
        if isinstance(node, Include):
            yield node.name, HTML if node.html else MJML, partial(parsed.position, node.offset)
            continue
        if node.tag == "mj-include" and not node.html:
            path = node.attribute("path")
            kind = node.attribute("type")
            if path is not None and path.value:
                read_as = {"css": CSS, "html": HTML}.get(kind.value if kind and kind.value else "mjml", MJML)
                yield path.value, read_as, partial(parsed.position, node.offset)
        pending.extend(node.children)


def _markup_syntax(visited: list[Visited]) -> Iterator[tuple[str, Position]]:
    """The markup problems of each file whose Jinja parses: where it does not, a ``{{`` never
    closed hides the markup after it, and its CK403 is the one problem to report."""
    for each in visited:
        if each.parsed is not None and not each.compiled.facts.syntax_error:
            for problem in each.parsed.markup.problems:
                yield problem.message, each.parsed.position(problem.offset)


def _links_and_images(context: EmailContext, visited: list[Visited]) -> tuple[list[Link], list[Image]]:
    """The links and images of every file the email uses (each file's computed once per context)."""
    links: list[Link] = []
    images: list[Image] = []
    for each in visited:
        if each.parsed is not None:
            parsed = each.parsed
            file_links, file_images = context.derived("content", parsed, partial(_content, context, parsed))
            links.extend(file_links)
            images.extend(file_images)
    return links, images


def _content(context: EmailContext, parsed: ParsedFile) -> tuple[tuple[Link, ...], tuple[Image, ...]]:
    """A file's links (valued for the sample prospect) and images, outside ``<mj-head>``."""
    links: list[Link] = []
    images: list[Image] = []
    pending = list(parsed.markup.roots)
    while pending:
        element = pending.pop()
        if not isinstance(element, Element) or element.tag == "mj-head":  # mj-head: defaults, not content
            continue
        pending += element.children
        if element.tag not in _LOOKED_AT:
            continue
        for name in URL_ATTRIBUTES.get(element.tag, ()):
            attribute = element.attribute(name)
            if attribute is not None:
                url = _sample_value(context, attribute.value or "")
                verdict = LinkVerdict.OK if url is None else judge_link(url)
                links.append(Link(url, verdict, name, element.tag, parsed, element.offset_of(attribute)))
        if element.tag in IMAGE_TAGS:
            images.append(Image(element.tag, element.attribute("alt") is not None, parsed, element.offset))
    return tuple(links), tuple(images)


def _sample_value(context: EmailContext, raw: str) -> str | None:
    """An attribute's value for the sample prospect; None when it depends on what only a render knows."""
    if not has_jinja(raw):
        return html.unescape(raw)
    compiled = context.files.inline(raw, html=True)
    if not compiled.parses:
        return None
    try:
        return html.unescape(run(context, compiled, context.sample_values(), Position(INLINE, 1, 1)))
    except Exception:  # noqa: BLE001 - a loop variable or a failing filter: the value is unknowable here
        return None


def _body_position(root: ParsedFile) -> Position:
    """Where ``<mj-body>`` opens (what a missing unsubscribe link or address is about), else line 1."""
    for element in root.markup.elements():
        if element.tag == "mj-body":
            return root.position(element.offset)
    return Position(root.path, 1, 1)
