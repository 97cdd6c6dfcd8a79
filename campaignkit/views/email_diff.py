"""An email's change as its readers see it: the visible text diffed word by word.

A reviewer approves what recipients will read, not the HTML that MJML writes
around it. The visible text is the one the project makes for the text part
(``emails.text.html_to_text``: words in order, paragraphs, links as ``text
(url)``), taken from each version's HTML; lines are paired by difflib and each
changed pair compared word by word. Formatting only: the bodies come with the plan.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from difflib import SequenceMatcher

from campaignkit.emails.text import html_to_text

#: A word with the spaces after it (spaces alone only at the start), so that no token is so common
#: that difflib's matching slows down on it.
_WORDS = re.compile(r"^\s+|\S+\s*")
#: Word pairs beyond which a changed line is shown removed and added whole, not compared word by word.
_MOST_WORD_PAIRS = 1_000_000
#: Characters of a piece shown; a longer one is cut in the middle (kept text) or at its end (changed text).
LONGEST = 300
#: A line the diff leaves out between two changed ones.
GAP = "…"


@dataclass(frozen=True)
class Piece:
    """Part of a line: ``kept`` (=), ``removed`` (-) or ``added`` (+) text."""

    sign: str
    text: str


WordLine = tuple[Piece, ...]
_GAP_LINE: WordLine = (Piece("=", GAP),)


def visible_text(document: str) -> str:
    """What a reader sees of an HTML email, as text."""
    return html_to_text(document)


def word_diff(before: str, after: str) -> list[WordLine]:
    """The lines of ``after`` that differ from ``before``, each as kept, removed and added words.

    A line only removed or only added is one piece; unchanged lines between changes become ``GAP``.
    """
    old, new = before.splitlines(), after.splitlines()
    lines: list[WordLine] = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if tag == "equal":
            if lines and lines[-1] != _GAP_LINE:
                lines.append(_GAP_LINE)
            continue
        pairs = min(i2 - i1, j2 - j1) if tag == "replace" else 0
        lines.extend(_words(old[i1 + k], new[j1 + k]) for k in range(pairs))
        lines.extend((_short(Piece("-", line)),) for line in old[i1 + pairs:i2] if line.strip())
        lines.extend((_short(Piece("+", line)),) for line in new[j1 + pairs:j2] if line.strip())
    while lines and lines[-1] == _GAP_LINE:
        lines.pop()
    return lines


def _words(before: str, after: str) -> WordLine:
    old, new = _WORDS.findall(before), _WORDS.findall(after)
    if len(old) * len(new) > _MOST_WORD_PAIRS:
        return _short(Piece("-", before)), _short(Piece("+", after))
    pieces: list[Piece] = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, old, new).get_opcodes():
        if tag == "equal":
            pieces.append(Piece("=", "".join(old[i1:i2])))
            continue
        if i2 > i1:
            pieces.append(Piece("-", "".join(old[i1:i2])))
        if j2 > j1:
            pieces.append(Piece("+", "".join(new[j1:j2])))
    return tuple(_short(piece) for piece in pieces)


def _short(piece: Piece) -> Piece:
    """``piece`` shortened to its ends when long: a reviewer needs the words around a change, not a page."""
    if len(piece.text) <= LONGEST:
        return piece
    if piece.sign == "=":
        return Piece("=", f"{piece.text[:LONGEST // 2]} … {piece.text[-LONGEST // 2:]}")
    return Piece(piece.sign, f"{piece.text[:LONGEST]}… ({len(piece.text) - LONGEST:,} more characters)")


def as_text(line: WordLine) -> str:
    """A line as ``git diff --word-diff`` writes it: ``[-removed-]{+added+}``."""
    return "".join(p.text if p.sign == "=" else f"[-{p.text}-]" if p.sign == "-" else f"{{+{p.text}+}}"
                   for p in line)


def as_html(line: WordLine) -> str:
    """A line as HTML that GitHub shows: removed words struck through (``<del>``), added ones underlined."""
    return "".join(html.escape(p.text) if p.sign == "=" else f"<{_TAGS[p.sign]}>{html.escape(p.text)}</{_TAGS[p.sign]}>"
                   for p in line)


_TAGS = {"-": "del", "+": "ins"}
