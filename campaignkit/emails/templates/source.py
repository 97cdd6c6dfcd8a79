"""A template's source split into literal text and Jinja, for the tools that need one without the other.

Two uses, both keeping every line where it is:

- ``blank`` replaces Jinja tags, expressions and comments with spaces, so that
  the markup parser sees only MJML/HTML at the template's own lines and columns;
- ``skeleton`` replaces long runs of literal text with short numbered marks, so
  that Jinja's lexer, which is slow on long literal text, only reads the Jinja,
  and Python compiles small code;
  ``restore_text`` puts the text back into the compiled code's constants.
  String literals inside the Jinja (``"Start your trial"``) are marked too, and
  the compiler decides which marks can stay (``Skeleton.keeping``): Jinja
  evaluates some expressions of constants while compiling, which would act on
  the mark instead of the literal.
  A mark keeps at most one of its text's line breaks, and the skeleton knows
  which source line each of its lines is, so templates that differ only in
  their literal text (most emails of one workspace share their Jinja) have the
  same skeleton and are compiled once.
  Whitespace at either end of a run stays literal, so that whitespace control
  (``{%-`` and ``-%}``) strips exactly what it would have. Jinja copies
  literal text into the code as it is (it never folds it into expressions at
  compile time), so restoring the constants gives the code Jinja would have
  generated from the whole source. The text of a ``{% trans %}`` block is the
  exception, and is not marked: Jinja makes it a catalog's message id, with its
  ``%`` doubled, while it compiles.

This module knows Jinja's default delimiters and nothing about MJML.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass
from functools import cached_property, lru_cache
from types import CodeType
from typing import NamedTuple

#: Jinja's comments, raw tags, expressions and statements; one group, so that ``re.split`` keeps them.
_JINJA = re.compile(
    r"""(\{\#.*?\#\}"""
    r"""|\{%[-+]?\s*raw\s*[-+]?%\}"""
    r"""|\{\{(?:[^}'"]++|'[^']*'|"[^"]*"|\}(?!\}))*\}\}"""  # runs taken whole (++): twice as fast
    r"""|\{%(?:[^%'"]++|'[^']*'|"[^"]*"|%(?!\}))*%\})""",
    re.S,
)
_OPENER = re.compile(r"\{[{%#]")
_RAW_START = re.compile(r"\{%[-+]?\s*raw")
_END_RAW = re.compile(r"\{%[-+]?\s*endraw\s*[-+]?%\}")
_NOT_NEWLINE = re.compile(r"[^\n]")
# NUL never occurs in a template that reaches this point as text meant for email.
_TRANS = re.compile(r"\{%[-+]?\s*trans\b")
_END_TRANS = re.compile(r"\{%[-+]?\s*endtrans\b")
MARK = re.compile("\x00([0-9]+)\n*\x01")
#: A string literal in Jinja; only those without escapes or line breaks are marked (Jinja reads them as written).
_STRING = re.compile(r"'(?:[^'\\]|\\.)*'" r'|"(?:[^"\\]|\\.)*"', re.S)
_QUOTED_MARK = re.compile('"\x00([0-9]+)\x01"')


class Piece(NamedTuple):
    """A stretch of the source: literal text, or one Jinja tag, expression or comment.

    A named tuple: templates are cut into thousands of them, and it is the cheapest to build.
    """

    start: int
    text: str
    jinja: bool


def split(source: str) -> list[Piece]:
    """``source`` cut into literal text and Jinja; the content of ``{% raw %}`` counts as text.

    An opening ``{{``, ``{%`` or ``{#`` that is never closed starts a last piece of Jinja
    that runs to the end, so that Jinja, not this module, reports it.
    """
    pieces: list[Piece] = []
    position: int | None = 0
    while position is not None:
        position = _split_from(source, position, pieces)
    return pieces


def _split_from(source: str, position: int, pieces: list[Piece]) -> int | None:
    """Cuts ``source`` from ``position`` into ``pieces`` up to the end (None) or the end of a
    ``{% raw %}`` block (where to go on from). One ``re.split`` cuts it: Jinja at odd indexes."""
    parts = _JINJA.split(source[position:] if position else source)
    for index, part in enumerate(parts):
        if not part:
            continue
        if index % 2 == 0:
            opener = _OPENER.search(part) if "{" in part else None
            if opener is not None:
                if opener.start():
                    pieces.append(Piece(position, part[:opener.start()], False))
                pieces.append(Piece(position + opener.start(), source[position + opener.start():], True))
                return None
            pieces.append(Piece(position, part, False))
        else:
            pieces.append(Piece(position, part, True))
            if "raw" in part and _RAW_START.match(part):
                return _raw_text(source, position + len(part), pieces)
        position += len(part)
    return None


def _raw_text(source: str, position: int, pieces: list[Piece]) -> int | None:
    """The content of a ``{% raw %}`` block, as text, and its ``{% endraw %}``; where to go on from."""
    end = _END_RAW.search(source, position)
    stop = end.start() if end else len(source)
    if stop > position:
        pieces.append(Piece(position, source[position:stop], False))
    if end is None:
        return None
    pieces.append(Piece(end.start(), end.group(), True))
    return end.end()


def blank(pieces: list[Piece]) -> str:
    """The source with every Jinja piece turned into spaces (line breaks kept)."""
    return "".join([(_NOT_NEWLINE.sub(" ", text) if "\n" in text else " " * len(text)) if jinja else text
                    for _, text, jinja in pieces])


@dataclass(frozen=True)
class Skeleton:
    """A source with its literal text marked out: ``text`` for Jinja, ``literals`` by mark number."""

    text: str
    literals: list[str]
    source: str  # what it was made from: where its lines stand in the source is worked out from it
    quoted: dict[int, str]  # the marks that stand for string literals, and each literal as written
    written: str | None = None  # ``text`` with every string literal written out; None: it has none

    def source_line(self, line: int) -> int:
        """The source line that line ``line`` of ``text`` stands for."""
        return self._lines[min(max(line, 1), len(self._lines)) - 1]

    @cached_property
    def _lines(self) -> list[int]:
        """``_lines[k - 1]`` is the source line of line ``k`` of ``text``: a mark keeps one line break
        however many its text had, and everything on one line of the skeleton is on one line of the
        source. Only diagnostics and a template's own code ask, so it is not worked out up front."""
        lines = [1]
        for (_, text, jinja), translated in _translated(split(self.source)):
            if "\n" not in text:
                continue
            core = "" if jinja or translated else text.strip()
            if not core:
                _kept_breaks(text, lines)
                continue
            head = text[:len(text) - len(text.lstrip())]
            _kept_breaks(head, lines)
            if "\n" in core:
                lines.append(lines[-1] + core.count("\n"))
            _kept_breaks(text[len(text.rstrip()):], lines)
        return lines

    @property
    def with_literals(self) -> str:
        """``text`` with every string literal written out: only the marks of literal text are left."""
        return self.text if self.written is None else self.written

    def keeping(self, literals: Collection[int]) -> str:
        """``text`` with the string literals of these marks written out again."""
        if not literals:
            return self.text
        if len(literals) == len(self.quoted):
            return self.with_literals
        return _QUOTED_MARK.sub(
            lambda mark: self.quoted[int(mark.group(1))] if int(mark.group(1)) in literals else mark.group(), self.text)


def skeleton(source: str, pieces: list[Piece]) -> Skeleton:
    """``source`` (split into ``pieces``) with each run of literal text, and each string literal in its
    Jinja, replaced by a mark."""
    parts: list[str] = []
    texts: list[str] = []
    quoted: dict[int, str] = {}
    written: dict[int, str] = {}  # the parts whose string literals were marked: each as written
    for (_, text, jinja), translated in _translated(pieces):
        if translated:  # a message's text is its id in the catalog: it must be compiled as written
            parts.append(text)
            continue
        if jinja:
            if ("'" in text or '"' in text) and not text.startswith("{#"):
                between, literals = _strings_in(text)
                if literals:
                    written[len(parts)] = text
                    text = between[0]
                    for literal, after in zip(literals, between[1:], strict=True):
                        quoted[len(texts)] = literal
                        text += f'"\x00{len(texts)}\x01"{after}'
                        texts.append(literal[1:-1])
            parts.append(text)
            continue
        stripped = text.lstrip()
        core = stripped.rstrip()
        if not core:
            parts.append(text)
            continue
        head, tail = text[:len(text) - len(stripped)], stripped[len(core):]
        parts.append(f"{head}\x00{len(texts)}\n\x01{tail}" if "\n" in core else f"{head}\x00{len(texts)}\x01{tail}")
        texts.append(core)
    marked = "".join(parts)
    for index, text in written.items():
        parts[index] = text
    return Skeleton(marked, texts, source, quoted, "".join(parts) if written else None)


def _translated(pieces: list[Piece]) -> Iterator[tuple[Piece, bool]]:
    """Each piece, and whether it is text of a ``{% trans %}`` block (the tags themselves are not)."""
    inside = False
    for piece in pieces:
        if piece.jinja and piece.text.startswith("{%") and "trans" in piece.text:
            if _TRANS.match(piece.text):
                inside = True
            elif _END_TRANS.match(piece.text):
                inside = False
        yield piece, inside and not piece.jinja


@lru_cache(maxsize=4096)  # the same few expressions (``default("your company")``) fill every template
def _strings_in(jinja: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """A piece of Jinja cut around the string literals it can mark: what stands between them, and
    each literal as written. Only those without escapes or line breaks: Jinja reads them as written."""
    between: list[str] = []
    literals: list[str] = []
    last = 0
    for literal in _STRING.finditer(jinja):
        as_written = literal.group()
        if "\\" in as_written or "\n" in as_written or "\r" in as_written:
            continue
        between.append(jinja[last:literal.start()])
        literals.append(as_written)
        last = literal.end()
    between.append(jinja[last:])
    return tuple(between), tuple(literals)


def _kept_breaks(text: str, lines: list[int]) -> None:
    """Notes the line breaks ``text`` keeps in the skeleton: each is one in the source too."""
    if "\n" in text:
        line = lines[-1]
        lines.extend(range(line + 1, line + 1 + text.count("\n")))


def restore_text(code: CodeType, texts: list[str], renamed: Mapping[str, str] | None = None) -> CodeType:
    """``code`` compiled from a ``skeleton``, with the literal texts put back in place of their marks.

    ``renamed`` replaces whole string constants of the module and its file name, for a
    compilation shared by several templates: the name it was compiled under (which also
    names its functions' file) and its line table (a module constant only).
    """
    renamed = renamed or {}
    filename = renamed.get(code.co_filename, code.co_filename)

    def restored(constant: object) -> object:
        if isinstance(constant, CodeType):
            return restore_text(constant, texts, {constant.co_filename: filename})
        if isinstance(constant, (tuple, frozenset)):  # a list of literals, say
            return type(constant)(restored(item) for item in constant)
        if isinstance(constant, str):
            if constant in renamed:
                return renamed[constant]
            if "\x00" in constant:
                return restore_output(constant, texts)
        return constant

    return code.replace(co_consts=tuple(restored(constant) for constant in code.co_consts), co_filename=filename)


def restore_output(output: str, texts: list[str]) -> str:
    """``output`` of a skeleton, with each mark replaced by the literal text it stands for."""
    return MarkedOutput.of(output).restore(texts)


class MarkedOutput(NamedTuple):
    """A skeleton's output cut at its marks: cut once, it is restored for every template of its shape."""

    between: list[str]  # the text before, between and after the marks
    numbers: list[int]  # each mark's number, in order

    @classmethod
    def of(cls, output: str) -> MarkedOutput:
        parts = MARK.split(output)
        return cls(parts[0::2], [int(number) for number in parts[1::2]])

    def restored_size(self, texts: list[str]) -> int:
        """How long the output is once restored: a loop can output one long text thousands of times."""
        return sum(map(len, self.between)) + sum(len(texts[number]) for number in self.numbers)

    def restore(self, texts: list[str]) -> str:
        """The output with each mark replaced by the literal text it stands for."""
        parts: list[str] = [""] * (2 * len(self.numbers) + 1)
        parts[0::2] = self.between
        parts[1::2] = [texts[number] for number in self.numbers]
        return "".join(parts)


def jinja_column(line: str) -> int:
    """The column where the first Jinja of ``line`` opens (1 if none): where to point when Jinja
    tells only the line of a problem."""
    found = _OPENER.search(line)
    return found.start() + 1 if found else 1


def has_jinja(text: str) -> bool:
    """Whether ``text`` contains any Jinja at all (most subjects and attribute values do not)."""
    return "{{" in text or "{%" in text or "{#" in text
