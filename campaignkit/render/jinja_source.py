"""A template's source split into literal text and Jinja, for the tools that need one without the other.

Two uses, both keeping every line where it is:

- ``blank`` replaces Jinja tags, expressions and comments with spaces, so that
  the markup parser sees only MJML/HTML at the template's own lines and columns;
- ``skeleton`` replaces long runs of literal text with short numbered marks, so
  that Jinja's lexer, which is slow on long literal text (about 2 ms for 20 KB
  of MJML), only reads the Jinja, and Python compiles small code;
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
  generated from the whole source.

This module knows Jinja's default delimiters and nothing about MJML.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from types import CodeType
from typing import Collection, Mapping, NamedTuple

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
    return "".join(_blanked(p.text) if p.jinja else p.text for p in pieces)


def _blanked(jinja: str) -> str:
    return _NOT_NEWLINE.sub(" ", jinja) if "\n" in jinja else " " * len(jinja)


@dataclass(frozen=True)
class Skeleton:
    """A source with its literal text marked out: ``text`` for Jinja, ``literals`` by mark number.

    ``lines[k - 1]`` is the source line that line ``k`` of ``text`` stands for: a mark
    keeps one line break however many its text had, and everything on one line of
    the skeleton is on one line of the source.
    """

    text: str
    literals: list[str]
    lines: list[int]
    quoted: dict[int, str]  # the marks that stand for string literals, and each literal as written
    written: str | None = None  # ``text`` with every string literal written out; None: it has none

    def source_line(self, line: int) -> int:
        return self.lines[min(max(line, 1), len(self.lines)) - 1]

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


def skeleton(pieces: list[Piece]) -> Skeleton:
    """The source with each run of literal text, and each string literal in its Jinja, replaced by a mark."""
    parts: list[str] = []
    written: list[str] = []  # the same, with the string literals as written
    texts: list[str] = []
    quoted: dict[int, str] = {}
    lines = [1]

    def string_mark(literal: re.Match[str]) -> str:
        as_written = literal.group()
        if "\\" in as_written or "\n" in as_written or "\r" in as_written:
            return as_written
        mark = len(texts)
        quoted[mark] = as_written
        texts.append(as_written[1:-1])
        return f'"\x00{mark}\x01"'

    for _, text, jinja in pieces:
        core = "" if jinja else text.strip()
        if not core:
            if jinja and ("'" in text or '"' in text) and not text.startswith("{#"):
                parts.append(_STRING.sub(string_mark, text))
            else:
                parts.append(text)
            written.append(text)
            if "\n" in text:
                _kept_breaks(text, lines)
            continue
        head, tail = text[:len(text) - len(text.lstrip())], text[len(text.rstrip()):]
        breaks = core.count("\n")
        if "\n" in head:
            _kept_breaks(head, lines)
        mark = f"{head}\x00{len(texts)}\n\x01{tail}" if breaks else f"{head}\x00{len(texts)}\x01{tail}"
        parts.append(mark)
        written.append(mark)
        if breaks:
            lines.append(lines[-1] + breaks)
        if "\n" in tail:
            _kept_breaks(tail, lines)
        texts.append(core)
    return Skeleton("".join(parts), texts, lines, quoted, "".join(written) if quoted else None)


def _kept_breaks(text: str, lines: list[int]) -> None:
    """Notes the line breaks ``text`` keeps in the skeleton: each is one in the source too."""
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
    return MARK.sub(lambda mark: texts[int(mark.group(1))], output)


def jinja_column(line: str) -> int:
    """The column where the first Jinja of ``line`` opens (1 if none): where to point when Jinja
    tells only the line of a problem."""
    found = _OPENER.search(line)
    return found.start() + 1 if found else 1


def has_jinja(text: str) -> bool:
    """Whether ``text`` contains any Jinja at all (most subjects and attribute values do not)."""
    return "{{" in text or "{%" in text or "{#" in text
