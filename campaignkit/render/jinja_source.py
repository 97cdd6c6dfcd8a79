"""A template's source split into literal text and Jinja, for the tools that need one without the other.

Two uses, both keeping every line where it is:

- ``blank`` replaces Jinja tags, expressions and comments with spaces, so that
  the markup parser sees only MJML/HTML at the template's own lines and columns;
- ``skeleton`` replaces long runs of literal text with short numbered marks, so
  that Jinja's lexer, which is slow on long literal text (about 2 ms for 20 KB
  of MJML), only reads the Jinja, and Python compiles small code;
  ``restore_text`` puts the text back into the compiled code's constants.
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

_JINJA = re.compile(
    r"""\{\#.*?\#\}"""
    r"""|\{%[-+]?\s*raw\s*[-+]?%\}"""
    r"""|\{\{(?:[^}'"]|'[^']*'|"[^"]*"|\}(?!\}))*\}\}"""
    r"""|\{%(?:[^%'"]|'[^']*'|"[^"]*"|%(?!\}))*%\}""",
    re.S,
)
_OPENER = re.compile(r"\{[{%#]")
_RAW_START = re.compile(r"\{%[-+]?\s*raw")
_END_RAW = re.compile(r"\{%[-+]?\s*endraw\s*[-+]?%\}")
_NOT_NEWLINE = re.compile(r"[^\n]")
_CORE = re.compile(r"\S(?:.*\S)?", re.S)
# NUL never occurs in a template that reaches this point as text meant for email.
_MARK = re.compile("\x00([0-9]+)\n*\x01")


@dataclass(frozen=True, slots=True)
class Piece:
    """A stretch of the source: literal text, or one Jinja tag, expression or comment."""

    start: int
    text: str
    jinja: bool


def split(source: str) -> list[Piece]:
    """``source`` cut into literal text and Jinja; the content of ``{% raw %}`` counts as text.

    An opening ``{{``, ``{%`` or ``{#`` that is never closed starts a last piece of Jinja
    that runs to the end, so that Jinja, not this module, reports it.
    """
    pieces: list[Piece] = []
    position = 0
    while (match := _JINJA.search(source, position)) is not None:
        if _OPENER.search(source, position, match.start()):
            break
        if match.start() > position:
            pieces.append(Piece(position, source[position:match.start()], False))
        pieces.append(Piece(match.start(), match.group(), True))
        position = match.end()
        if _RAW_START.match(match.group()):
            end = _END_RAW.search(source, position)
            stop = end.start() if end else len(source)
            if stop > position:
                pieces.append(Piece(position, source[position:stop], False))
            if end:
                pieces.append(Piece(end.start(), end.group(), True))
            position = end.end() if end else stop
    if (unclosed := _OPENER.search(source, position)) is not None:
        if unclosed.start() > position:
            pieces.append(Piece(position, source[position:unclosed.start()], False))
        pieces.append(Piece(unclosed.start(), source[unclosed.start():], True))
    elif position < len(source):
        pieces.append(Piece(position, source[position:], False))
    return pieces


def blank(pieces: list[Piece]) -> str:
    """The source with every Jinja piece turned into spaces (line breaks kept)."""
    return "".join(_NOT_NEWLINE.sub(" ", p.text) if p.jinja else p.text for p in pieces)


def skeleton(pieces: list[Piece]) -> tuple[str, list[str]]:
    """The source with each run of literal text replaced by a mark, and the texts by mark number."""
    parts: list[str] = []
    texts: list[str] = []
    for piece in pieces:
        core = None if piece.jinja else _CORE.search(piece.text)
        if core is None:
            parts.append(piece.text)
            continue
        text, lines = piece.text, "\n" * core.group().count("\n")
        parts.append(f"{text[:core.start()]}\x00{len(texts)}{lines}\x01{text[core.end():]}")
        texts.append(core.group())
    return "".join(parts), texts


def restore_text(code: CodeType, texts: list[str]) -> CodeType:
    """``code`` compiled from a ``skeleton``, with the literal texts put back in place of their marks."""
    if not texts:
        return code
    def restored(constant: object) -> object:
        if isinstance(constant, CodeType):
            return restore_text(constant, texts)
        if isinstance(constant, str) and "\x00" in constant:
            return _MARK.sub(lambda mark: texts[int(mark.group(1))], constant)
        return constant

    return code.replace(co_consts=tuple(restored(constant) for constant in code.co_consts))


def has_jinja(text: str) -> bool:
    """Whether ``text`` contains any Jinja at all (most subjects and attribute values do not)."""
    return "{{" in text or "{%" in text or "{#" in text
