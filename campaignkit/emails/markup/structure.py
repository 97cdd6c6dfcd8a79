"""The MJML checker: tags, attributes and children per component, as mjml's own validator checks them.

``mjml-python`` renders unknown tags, unknown attributes and wrong nesting
without a word, so this walks the parsed markup of a template and of
everything it includes (Jinja ``include`` and ``mj-include`` alike: an
included file's top-level elements are children of the element the include
stands in) against the tables in ``mjml_spec``. It reads no files itself: the
caller passes ``open_markup``, which resolves a name and parses it (or returns
None when it cannot, which is reported elsewhere). A file's check stops at
``MAX_PER_FILE`` problems, as its parsing does: past them, a run of broken tags
would cost a suggestion each and be found again in every email that includes it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from itertools import islice

from campaignkit.diagnostics import MAX_PER_FILE, Position, closest
from campaignkit.emails.markup.parse import Element, Include, Markup, Node
from campaignkit.emails.markup.spec import (
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

    @cached_property
    def layout(self) -> _Layout:
        """What the structure checks need of this file, found once however many emails include it."""
        return _layout(self)


@dataclass(frozen=True)
class StructureProblem:
    """One finding: ``kind`` is ``tag``, ``attribute`` or ``child``."""

    kind: str
    message: str
    position: Position
    suggestion: str | None = None


OpenMarkup = Callable[[str, bool], "ParsedFile | None"]


def structure_problems(root: ParsedFile, open_markup: OpenMarkup) -> list[StructureProblem]:
    """Every structure problem of ``root`` and the MJML it includes, each reported once.

    An included file's top-level elements are children of the element the include stands
    in, so they are placed where it is included; the rest of each file is judged once
    (``ParsedFile.layout``). A file already on the way from ``root`` is not followed again.
    Iterative, with its own stack: templates can include more deeply than Python recurses.
    """
    found: dict[StructureProblem, None] = {}
    pending: list[tuple[ParsedFile, str, tuple[str, ...]]] = [(root, TOP, (root.path,))]
    while pending:
        file, parent, seen = pending.pop()
        layout = file.layout
        found.update(dict.fromkeys(layout.problems))
        misplaced = (e for e in layout.roots if not _fits(e.tag, parent))
        for element in islice(misplaced, MAX_PER_FILE):
            found[_misplaced(element.tag, parent, file.position(element.offset))] = None
        for where, name in reversed(layout.includes):
            opened = open_markup(name, False)
            if opened is not None and opened.path not in seen:
                pending.append((opened, parent if where == TOP else where, seen + (opened.path,)))
    return list(found)


def _fits(tag: str, parent: str) -> bool:
    """Whether ``tag`` may stand in ``parent`` (in an unknown one, anything: the parent is the problem)."""
    allowed = _TOP_CHILDREN if parent == TOP else CHILDREN.get(parent, None if parent not in KNOWN_TAGS else ())
    return allowed is None or tag not in _PLACEABLE or tag in allowed


def _allowed_parents(tag: str) -> list[str]:
    return sorted(parent for parent, children in CHILDREN.items() if children is not None and tag in children)


@dataclass(frozen=True)
class _Layout:
    """One file's structure, as far as it does not depend on where the file is included."""

    problems: tuple[StructureProblem, ...]  # unknown tags and attributes, and children misplaced within the file
    roots: tuple[Element, ...]  # its known top-level elements: where they may stand depends on the includer
    includes: tuple[tuple[str, str], ...]  # (the tag of the element an include stands in, or TOP; the name)


def _layout(file: ParsedFile) -> _Layout:
    """Visits the file's elements with the tag of the element they stand in (its own stack: templates
    can nest deeper than Python recurses)."""
    problems: list[StructureProblem] = []
    roots: list[Element] = []
    includes: list[tuple[str, str]] = []
    pending: list[tuple[str, Node]] = [(TOP, node) for node in reversed(file.markup.roots)]
    while pending and len(problems) < MAX_PER_FILE:  # past them, as parsing, the rest is not checked
        parent, node = pending.pop()
        if isinstance(node, Include):
            if not node.html:
                includes.append((parent, node.name))
            continue
        tag = node.tag
        if tag == "mj-include":
            problems += _unknown_attributes(node, file)
            kind, path = node.attribute("type"), node.attribute("path")
            if path and path.value and (kind is None or kind.value == "mjml"):
                includes.append((parent, path.value))
            continue
        if tag not in KNOWN_TAGS:
            problems.append(_unknown_tag(tag, file.position(node.offset)))
        else:
            if parent == TOP:
                roots.append(node)
            elif not _fits(tag, parent):
                problems.append(_misplaced(tag, parent, file.position(node.offset)))
            if node.attributes and tag not in COMPONENTLESS:
                problems += _unknown_attributes(node, file)
        if node.children and tag not in ENDING_TAGS:
            pending += [(tag, child) for child in reversed(node.children)]
    return _Layout(tuple(problems), tuple(roots), tuple(includes))


def _unknown_tag(tag: str, where: Position) -> StructureProblem:
    suggestion = closest(tag, KNOWN_TAGS)
    hint = "" if tag.startswith("mj") else "; HTML goes inside <mj-text> or <mj-raw>"
    return StructureProblem("tag", f"<{tag}> is not an MJML tag{hint}", where, suggestion)


def _misplaced(tag: str, parent: str, where: Position) -> StructureProblem:
    places = ", ".join(f"<{p}>" for p in _allowed_parents(tag)) or "the top of the template"
    inside = "at the top of an email template" if parent == TOP else f"inside <{parent}>"
    return StructureProblem("child", f"<{tag}> cannot be used {inside}; it belongs in {places}", where)


def _unknown_attributes(element: Element, file: ParsedFile) -> list[StructureProblem]:
    if element.tag in COMPONENTLESS:
        return []
    allowed = _ALLOWED[element.tag]
    unknown = (attribute for attribute in element.attributes if attribute.name not in allowed)
    return [StructureProblem("attribute", f"<{element.tag}> has no attribute '{attribute.name}'",
                             file.position(element.offset_of(attribute)), closest(attribute.name, allowed))
            for attribute in islice(unknown, MAX_PER_FILE)]
