"""The MJML checker: tags, attributes and children per component, as mjml's own validator checks them.

``mjml-python`` renders unknown tags, unknown attributes and wrong nesting
without a word, so this walks the parsed markup of a template and of
everything it includes (Jinja ``include`` and ``mj-include`` alike: an
included file's top-level elements are children of the element the include
stands in) against the tables in ``mjml_spec``. It reads no files itself: the
caller passes ``open_markup``, which resolves a name and parses it (or returns
None when it cannot, which is reported elsewhere).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from campaignkit.diagnostics import Position, closest
from campaignkit.render.markup import Element, Include, Markup, Node
from campaignkit.render.mjml_spec import (
    ATTRIBUTES,
    CHILDREN,
    COMPONENTLESS,
    ENDING_TAGS,
    GLOBAL_ATTRIBUTES,
    KNOWN_TAGS,
)

#: The parent of a template's top-level elements: only ``<mjml>`` may stand there.
TOP = ""
_TOP_CHILDREN = frozenset({"mjml"})
_PLACEABLE = frozenset(ATTRIBUTES) - {"mj-include"}
#: Every attribute each component takes, its own and the global ones.
_ALLOWED = {tag: names | GLOBAL_ATTRIBUTES for tag, names in ATTRIBUTES.items()}


@dataclass(frozen=True, eq=False)  # one object per parsed file: compared and hashed by identity
class ParsedFile:
    path: str
    markup: Markup

    def position(self, offset: int) -> Position:
        return Position(self.path, *self.markup.line_column(offset))


@dataclass(frozen=True)
class StructureProblem:
    """One finding: ``kind`` is ``tag``, ``attribute`` or ``child``."""

    kind: str
    message: str
    position: Position
    suggestion: str | None = None


OpenMarkup = Callable[[str, bool], "ParsedFile | None"]


def structure_problems(root: ParsedFile, open_markup: OpenMarkup) -> list[StructureProblem]:
    """Every structure problem of ``root`` and the MJML it includes, each reported once."""
    walker = _Walker(open_markup)
    walker.walk(root)
    return list(walker.found)


def _allowed_parents(tag: str) -> list[str]:
    return sorted(parent for parent, children in CHILDREN.items() if children is not None and tag in children)


class _Walker:
    """Visits elements with the tag of the element they stand in, splicing included files in place.

    Iterative, with its own stack: templates can nest deeper than Python's recursion limit.
    """

    def __init__(self, open_markup: OpenMarkup) -> None:
        self.open_markup = open_markup
        self.found: dict[StructureProblem, None] = {}

    def walk(self, root: ParsedFile) -> None:
        pending: list[tuple[str, ParsedFile, Node, tuple[str, ...]]] = [
            (TOP, root, node, (root.path,)) for node in reversed(root.markup.roots)]
        while pending:
            parent, file, node, seen = pending.pop()
            if isinstance(node, Include):
                included = None if node.html else node.name
            elif node.tag == "mj-include":
                self._attributes(node, file)
                kind, path = node.attribute("type"), node.attribute("path")
                included = path.value if path and path.value and (kind is None or kind.value == "mjml") else None
            else:
                self._element(parent, node, file)
                if node.children and node.tag not in ENDING_TAGS:
                    pending += [(node.tag, file, child, seen) for child in reversed(node.children)]
                continue
            opened = self.open_markup(included, False) if included else None
            if opened is not None and opened.path not in seen:
                # An included file's top-level elements are children of the element the include stands in.
                pending.extend((parent, opened, child, seen + (opened.path,))
                               for child in reversed(opened.markup.roots))

    def _element(self, parent: str, element: Element, file: ParsedFile) -> None:
        if element.tag not in KNOWN_TAGS:
            self._unknown_tag(element.tag, file.position(element.offset))
            return
        allowed = _TOP_CHILDREN if parent == TOP else CHILDREN.get(parent, None if parent not in KNOWN_TAGS else ())
        if allowed is not None and element.tag in _PLACEABLE and element.tag not in allowed:
            self._misplaced(element.tag, parent, file.position(element.offset))
        self._attributes(element, file)

    def _unknown_tag(self, tag: str, where: Position) -> None:
        suggestion = closest(tag, KNOWN_TAGS)
        hint = "" if tag.startswith("mj") else "; HTML goes inside <mj-text> or <mj-raw>"
        self._add("tag", f"<{tag}> is not an MJML tag{hint}", where, suggestion)

    def _misplaced(self, tag: str, parent: str, where: Position) -> None:
        places = ", ".join(f"<{p}>" for p in _allowed_parents(tag)) or "the top of the template"
        inside = "at the top of an email template" if parent == TOP else f"inside <{parent}>"
        self._add("child", f"<{tag}> cannot be used {inside}; it belongs in {places}", where)

    def _attributes(self, element: Element, file: ParsedFile) -> None:
        if element.tag in COMPONENTLESS:
            return
        allowed = _ALLOWED[element.tag]
        for attribute in element.attributes:
            if attribute.name not in allowed:
                self._add("attribute", f"<{element.tag}> has no attribute '{attribute.name}'",
                          file.position(element.offset_of(attribute)), closest(attribute.name, allowed))

    def _add(self, kind: str, message: str, where: Position, suggestion: str | None = None) -> None:
        self.found[StructureProblem(kind, message, where, suggestion)] = None
