"""Markup: a template's MJML, and the HTML inside its ending tags, as elements that know where they stand.

The parser reads the template *source* with every Jinja construct blanked out
(same length, same line breaks), so every position is the template's own line
and column, whatever Jinja does later with includes, loops and conditions. A
Jinja ``{% include "x" %}`` becomes an ``Include`` node where it stands, for
the checkers to follow. The content of MJML ending tags (``mj-text``,
``mj-button``, ``mj-raw``, ...) is HTML, which ``mjml`` passes through but
``mjml-python`` refuses when it does not balance: it is checked for balance,
and its links and images are kept. This module reports only syntax (unclosed, mismatched, stray and
malformed tags), up to ``MAX_PER_FILE`` problems and ``MAX_DEPTH`` levels of MJML,
where it stops; which tags, attributes and children are valid is ``structure``'s
business.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from re import Match
from typing import NamedTuple

from campaignkit.diagnostics import MAX_PER_FILE, closest
from campaignkit.emails.markup.spec import ENDING_TAGS, TEXT_CONTENT_TAGS
from campaignkit.emails.templates.source import Piece, blank

# Only an include of one quoted name: anything computed is the Jinja checks' to refuse.
_INCLUDE = re.compile(r"""\{%[-+]?\s*include\s+(["'])([^"']*)\1\s*(?:ignore\s+missing\s*)?"""
                      r"""(?:(?:with|without)\s+context\s*)?[-+]?%\}""")
_TAG = re.compile(r"""<(/)?([A-Za-z][\w:.-]*)((?:\s+[^\s"'<>/=]+(?:\s*=\s*(?:"[^"]*"|'[^']*'))?)*)\s*(/)?>""")
_ATTRIBUTE = re.compile(r"""([^\s"'<>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'))?""")
_CLOSING = {tag: re.compile(rf"</\s*{re.escape(tag)}\s*>") for tag in ENDING_TAGS}
_MJML_TAG = re.compile(r"</?mj-")
_SKIPPED = (("<!--", "-->", "comment"), ("<![CDATA[", "]]>", "CDATA section"), ("<!", ">", "declaration"),
            ("<?", ">", "processing instruction"))
#: The HTML elements later stages look at: links and images.
KEPT_HTML = frozenset({"a", "area", "img"})
#: The deepest nesting of MJML parsed. Real emails nest a dozen elements or two; far deeper is a run of
#: unclosed tags, whose every element would be one more level for each check to walk. (HTML inside
#: ending tags is no tree: it is only checked for balance.)
MAX_DEPTH = 100
#: HTML elements that never have a closing tag.
VOID_ELEMENTS = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
                           "source", "track", "wbr"})


class Attribute(NamedTuple):
    """An attribute as written: ``value`` is its source text (Jinja included), None if it has none.

    ``offset`` counts from its element's ``<``, so that elements written alike share their
    attributes (see ``_attributes_of``). A named tuple because templates have thousands of
    attributes and it is the cheapest to build.
    """

    name: str
    value: str | None
    offset: int


@dataclass(slots=True)
class Element:
    tag: str
    offset: int
    attributes: tuple[Attribute, ...]
    html: bool
    children: list[Element | Include] = field(default_factory=list)

    def attribute(self, name: str) -> Attribute | None:
        return next((a for a in self.attributes if a.name == name), None)

    def offset_of(self, attribute: Attribute) -> int:
        """Where ``attribute`` stands in the file."""
        return self.offset + attribute.offset


class _Open(NamedTuple):
    """An HTML element still open, while the parser checks that the content balances."""

    tag: str
    offset: int


@dataclass(frozen=True, slots=True)
class Include:
    """A Jinja ``{% include %}`` of a literal name; ``html`` if it stands where HTML is expected."""

    name: str
    offset: int
    html: bool


Node = Element | Include


@dataclass(frozen=True, slots=True)
class MarkupProblem:
    message: str
    offset: int


@dataclass(frozen=True)
class Markup:
    """A parsed template: its top-level nodes, its syntax problems and a way back to line and column."""

    source: str
    roots: tuple[Node, ...]
    problems: tuple[MarkupProblem, ...]

    @cached_property
    def _line_starts(self) -> list[int]:
        return [0] + [m.end() for m in re.finditer("\n", self.source)]

    def line_column(self, offset: int) -> tuple[int, int]:
        """The 1-based line and column of ``offset``."""
        line = bisect.bisect_right(self._line_starts, offset)
        return line, offset - self._line_starts[line - 1] + 1

    def elements(self) -> Iterator[Element]:
        """Every element of this file, parents before children (includes not followed), as they are reached."""
        pending = [n for n in reversed(self.roots) if isinstance(n, Element)]
        while pending:
            element = pending.pop()
            yield element
            pending.extend(n for n in reversed(element.children) if isinstance(n, Element))


def parse(source: str, pieces: list[Piece], html: bool = False) -> Markup:
    """The markup of a template (split into ``pieces``): MJML, or HTML where included inside an ending tag."""
    includes = [(p.start, match.group(2)) for p in pieces
                if p.jinja and "include" in p.text and (match := _INCLUDE.match(p.text))]
    parser = _Parser(source, blank(pieces), includes)
    roots = parser.parse_range(0, len(source), html, None)
    return Markup(source, tuple(roots), tuple(parser.problems))


class _Parser:
    def __init__(self, source: str, text: str, includes: list[tuple[int, str]]) -> None:
        self.source = source
        self.text = text
        self.includes = includes
        self.next_include = 0
        self.problems: list[MarkupProblem] = []
        #: (ending tag, end of the range) -> an offset after which the tag is never closed in the range.
        self.unclosed_from: dict[tuple[str, int], int] = {}

    def parse_range(self, start: int, end: int, html: bool, parent: Element | None) -> list[Node]:
        """The nodes between ``start`` and ``end``; appended to ``parent``'s children when given."""
        if html:
            return self._html(start, end, parent)
        roots: list[Node] = parent.children if parent is not None else []
        stack: list[Element] = []
        position = start
        while not self._full and (lt := self.text.find("<", position, end)) >= 0:
            if self.next_include < len(self.includes) and self.includes[self.next_include][0] < lt:
                self._take_includes(lt, stack[-1].children if stack else roots, False)
            position = self._token(lt, end, stack, roots)
        self._take_includes(end, stack[-1].children if stack else roots, False)
        self._unclosed(stack, parent)
        return roots

    def _token(self, lt: int, end: int, stack: list[Element], roots: list[Node]) -> int:
        """Handles the MJML at ``lt`` and returns where to continue."""
        match = _TAG.match(self.text, lt, end)
        if match is None:
            return self._not_a_tag(lt, end)
        closing, tag, attributes, self_closing = match.groups()
        if closing:
            if stack and stack[-1].tag == tag:
                stack.pop()
            else:
                self._close(tag, lt, False, stack)
            return match.end()
        if len(stack) == MAX_DEPTH and not self_closing and tag not in ENDING_TAGS:
            return self._too_deep(tag, lt, end)
        element = Element(tag, lt, self._attributes(match) if attributes else (), False)
        (stack[-1].children if stack else roots).append(element)
        if self_closing:
            return match.end()
        if tag in ENDING_TAGS:
            return self._ending(element, match.end(), end)
        stack.append(element)
        return match.end()

    def _html(self, start: int, end: int, parent: Element | None) -> list[Node]:
        """HTML between ``start`` and ``end``, checked for balance; links and images kept, as a flat list.

        An ending tag's content is not a tree anyone walks, and most of a template is that
        content: this loop only keeps the elements later stages look at (``KEPT_HTML``) and
        stacks the others as a name and an offset.
        """
        text = self.text
        roots: list[Node] = parent.children if parent is not None else []
        stack: list[_Open] = []
        position = start
        while not self._full and (lt := text.find("<", position, end)) >= 0:
            if self.next_include < len(self.includes) and self.includes[self.next_include][0] < lt:
                self._take_includes(lt, roots, True)
            match = _TAG.match(text, lt, end)
            if match is None:
                position = self._not_a_tag(lt, end)
                continue
            position = match.end()
            closing, name, attributes, self_closing = match.groups()
            tag = name.lower()
            if closing:
                if stack and stack[-1].tag == tag:
                    stack.pop()
                else:
                    self._close(tag, lt, True, stack)
                continue
            if tag in KEPT_HTML:
                roots.append(Element(tag, lt, self._attributes(match) if attributes else (), True))
            if not self_closing and tag not in VOID_ELEMENTS:
                stack.append(_Open(tag, lt))
        if self.next_include < len(self.includes):
            self._take_includes(end, roots, True)
        if stack:
            self._unclosed(stack, parent)
        return roots

    def _report(self, message: str, offset: int) -> None:
        if not self._full:
            self.problems.append(MarkupProblem(message, offset))

    @property
    def _full(self) -> bool:
        """Whether the file has as many problems as a file shows (``MAX_PER_FILE``): parsing stops there. A
        run of broken tags would otherwise be parsed, checked and counted at every one, in every email that
        includes the file; the first problems are what to fix."""
        return len(self.problems) >= MAX_PER_FILE

    def _too_deep(self, tag: str, offset: int, end: int) -> int:
        """Reports ``<tag>`` at ``offset`` as nested too deep and returns ``end``: the rest is not parsed."""
        self._report(
            f"<{tag}> is nested more than {MAX_DEPTH} elements deep, most likely under tags never closed; the rest "
            "of the file is not checked: close the tags above", offset)
        return end

    def _unclosed(self, stack: Sequence[Element | _Open], parent: Element | None) -> None:
        until = f"is not closed before </{parent.tag}>" if parent is not None else "is never closed"
        for opened in stack:
            self._report(f"<{opened.tag}> {until}", opened.offset)

    def _not_a_tag(self, lt: int, end: int) -> int:
        """Skips a comment, CDATA section or declaration at ``lt``, or reports a stray ``<``."""
        for opener, closer, what in _SKIPPED:
            if self.text.startswith(opener, lt):
                stop = self.text.find(closer, lt + len(opener), end)
                if stop < 0:
                    self._report(f"this {what} is never closed with '{closer}'", lt)
                    return end
                return stop + len(closer)
        self._report(
            "'<' does not start a valid tag: quote every attribute value, and write a literal '<' as &lt;", lt)
        return lt + 1

    def _ending(self, element: Element, start: int, end: int) -> int:
        """Parses an ending tag's content as HTML (or skips it for text and CSS) up to its closing tag.

        Without a closing tag, the content ends at the next MJML tag (HTML holds none), and
        parsing goes on from there: one missing ``</mj-text>`` is one problem, not one for
        every element around it.
        """
        closing = self._closing(element.tag, start, end)
        if closing is not None:
            content_end, resume = closing.start(), closing.end()
        else:
            self._report(f"<{element.tag}> is never closed", element.offset)
            following = _MJML_TAG.search(self.text, start, end)
            content_end = resume = following.start() if following is not None else end
        if element.tag not in TEXT_CONTENT_TAGS:
            self.parse_range(start, content_end, True, element)
        else:
            self._take_includes(content_end, element.children, True)
        return resume

    def _closing(self, tag: str, start: int, end: int) -> Match[str] | None:
        """The closing tag of the ending tag ``tag`` between ``start`` and ``end``. Where none is, none is
        after any later start either: it is not searched for again (a run of unclosed ones would be quadratic)."""
        if start >= self.unclosed_from.get((tag, end), end):
            return None
        found = _CLOSING[tag].search(self.text, start, end)
        if found is None:
            self.unclosed_from[(tag, end)] = start
        return found

    def _close(self, tag: str, offset: int, html: bool, stack: list[Element] | list[_Open]) -> None:
        for depth in range(len(stack) - 1, -1, -1):
            if stack[depth].tag == tag:
                for unclosed in stack[depth + 1:]:
                    self._report(
                        f"<{unclosed.tag}> is not closed before </{tag}>", unclosed.offset)
                del stack[depth:]
                return
        if html and tag in VOID_ELEMENTS:
            return
        if stack and closest(tag, [stack[-1].tag]):
            # A misspelt name on one side of a pair: one problem, and the pair still closes.
            opened = stack.pop()
            line = self.text.count("\n", 0, opened.offset) + 1
            self._report(f"</{tag}> does not match <{opened.tag}> (line {line})", offset)
            return
        self._report(f"</{tag}> closes nothing: no <{tag}> is open here", offset)

    def _attributes(self, tag: Match[str]) -> tuple[Attribute, ...]:
        lt, end = tag.span()
        return _attributes_of(self.source[lt:end], self.text[lt:end], tag.start(3) - lt, tag.end(3) - lt)

    def _take_includes(self, before: int, into: list[Node], html: bool) -> None:
        while self.next_include < len(self.includes) and self.includes[self.next_include][0] < before:
            offset, name = self.includes[self.next_include]
            into.append(Include(name, offset, html))
            self.next_include += 1


@lru_cache(maxsize=1 << 15)
def _attributes_of(written: str, blanked: str, start: int, end: int) -> tuple[Attribute, ...]:
    """The attributes of one tag, as ``written`` in the source, read from its text with Jinja ``blanked``.

    Cached by the tag's text: templates repeat their tags (the same styles on every
    ``mj-text``), and so do the templates of one workspace.
    """
    found = []
    for match in _ATTRIBUTE.finditer(blanked, start, end):
        if match.start(2) >= 0:
            value: str | None = written[match.start(2):match.end(2)]
        elif match.start(3) >= 0:
            value = written[match.start(3):match.end(3)]
        else:
            value = None
        found.append(Attribute(match.group(1), value, match.start()))
    return tuple(found)
