"""The plain-text part of an email, made from its HTML.

Mail clients that do not show HTML, and spam filters that compare both parts,
read the text alternative. It keeps what a reader needs: the words in order,
paragraphs and line breaks, list items, and every link as ``text (url)`` so
that no call to action is lost. The HTML is what MJML produced, a known and
regular shape, so regular expressions over it are enough, and cheaper than a
full HTML parser; this module does not try to render arbitrary web pages.
"""

from __future__ import annotations

import html
import re

_BODY = re.compile(r"<body\b", re.I)
_HIDDEN = re.compile(r"<div\b[^>]*display:\s*none[^>]*>.*?</div\s*>", re.S)  # the preview text
_HIDDEN_OPENING = re.compile(r"<div\b[^>]*display:\s*none")
_INVISIBLE = re.compile(r"<((?i:style|script|title))\b.*?</(?i:\1)\s*>", re.S)
# A quick look for one of their opening tags (may say yes to "<sitle", never no to "<Style").
_INVISIBLE_OPENING = re.compile(r"<[sStT](?i:tyle|cript|itle)\b")
_LINK = re.compile(r"<[aA]\b([^>]*)>(.*?)</[aA]\s*>", re.S)
_HREF = re.compile(r"""\bhref\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.I)
_ALT = re.compile(r"""<img\b[^>]*\balt\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.I)
# Case-insensitive only where it matters: a pattern wholly under re.I is much slower.
_PARAGRAPH_END = re.compile(r"</(?i:p|div|tr|h[1-6]|table|ul|ol|blockquote)\s*>")
_LINE_BREAK = re.compile(r"<(?i:br)\b[^>]*>")
_LIST_ITEM = re.compile(r"<(?i:li)\b[^>]*>")
_TAG = re.compile(r"<[^>]*>")
# Breaks are marked with control characters while tags are stripped, because line breaks
# in HTML source are only spaces; the marks become the text's lines at the end.
_BREAK, _PARAGRAPH = "\x01", "\x00"
_MARK_RUN = re.compile(f"([{_BREAK}{_PARAGRAPH}][\\s{_BREAK}{_PARAGRAPH}]*)")
# A text that starts with a character neither space nor an entity (which may be &nbsp;).
_SHOWN_CHARACTER = re.compile(r">\s*[^\s<&]")


def html_to_text(document: str) -> str:
    """The readable text of an HTML email, links kept as ``text (url)``."""
    body = _LINK.sub(_link_text, _visible_markup(document))
    body = _LIST_ITEM.sub(_BREAK + "- ", body)
    body = _LINE_BREAK.sub(_BREAK, _PARAGRAPH_END.sub(_PARAGRAPH, body))
    return html.unescape(_lines(_TAG.sub("", body))).strip() + "\n"


def _lines(text: str) -> str:
    """``text`` with its whitespace collapsed and its runs of marks turned into line ends.

    A run with a paragraph end, or with two line breaks or more, leaves one blank
    line; a single line break ends the line. ``str.split()`` collapses the text
    between runs more cheaply than a regular expression over its many spaces.
    """
    parts = _MARK_RUN.split(text)
    for index in range(1, len(parts), 2):
        run = parts[index]
        parts[index] = "\n\n" if _PARAGRAPH in run or run.count(_BREAK) > 1 else "\n"
    for index in range(0, len(parts), 2):
        parts[index] = " ".join(parts[index].split())
    return "".join(parts)


def shows_text(document: str) -> bool:
    """True when ``html_to_text(document)`` surely has some text: a character a reader sees.

    False means only "not at a glance" (an email that is one linked image still has its
    ``alt`` text); ask ``html_to_text`` then. It looks at the first few candidates in
    place instead of cleaning the whole document, since real text comes early: the
    stretches ``html_to_text`` drops are looked for only as far as the candidates go.
    """
    body = _BODY.search(document)
    start = body.start() if body else 0
    dropped = (_Stretches(document, start, _HIDDEN, _HIDDEN_OPENING),
               _Stretches(document, start, _INVISIBLE, _INVISIBLE_OPENING))
    for hit in _SHOWN_CHARACTER.finditer(document, start):
        at = hit.start()
        if not (_in_comment(document, start, at) or any(stretch.covers(at) for stretch in dropped)):
            return True
    return False


def _in_comment(document: str, start: int, at: int) -> bool:
    comment = document.rfind("<!--", start, at)
    return comment >= 0 and document.find("-->", comment + 4, at) < 0


class _Stretches:
    """The stretches ``pattern`` finds in a document (as ``finditer`` would), read only as far as asked.

    ``opening`` matches where each stretch starts, within its first tag: a stretch can
    cover a ``>`` only if its opening is before it, so no search goes past the ``>`` asked
    about, and the end of a long document is never read for a stretch that is not there.
    """

    def __init__(self, document: str, start: int, pattern: re.Pattern[str], opening: re.Pattern[str]) -> None:
        self._document = document
        self._from = start
        self._pattern = pattern
        self._opening = opening
        self._current: re.Match[str] | None = None

    def covers(self, at: int) -> bool:
        """Whether the ``>`` at ``at`` is in one of them; ``at`` must not decrease from one call to the next."""
        while True:
            if self._current is not None:
                if self._current.end() > at:
                    return self._current.start() <= at
                self._from, self._current = self._current.end(), None
            opening = self._opening.search(self._document, self._from, at + 1)
            if opening is None:  # none opens before ``at``: the next search can start after it
                self._from = at + 1
                return False
            self._current = self._pattern.match(self._document, opening.start())
            if self._current is None:
                self._from = opening.start() + 1


def _visible_markup(document: str) -> str:
    """The body of ``document`` without comments, the hidden preview text, styles and scripts."""
    opening = _BODY.search(document)
    body = _HIDDEN.sub("", _without_comments(document[opening.start():] if opening else document))
    if _INVISIBLE_OPENING.search(body):
        body = _INVISIBLE.sub("", body)
    return body


def _without_comments(body: str) -> str:
    """``body`` without ``<!-- -->`` comments (MJML writes hundreds of Outlook conditionals).

    Splitting on the delimiters is cheaper than a lazy regular expression here.
    An opening ``<!--`` without its ``-->`` hides the rest, as it does in a browser.
    """
    parts = body.split("<!--")
    kept = [parts[0]]
    for part in parts[1:]:
        if part.startswith(">"):  # "<!-->", the empty comment that closes Outlook's downlevel-revealed blocks
            kept.append(part[1:])
            continue
        end = part.find("-->")
        if end >= 0:
            kept.append(part[end + 3:])
    return "".join(kept)


def _link_text(match: re.Match[str]) -> str:
    href = _HREF.search(match.group(1))
    url = html.unescape(next(g for g in href.groups() if g is not None)) if href else ""
    inner = match.group(2)
    label = " ".join(html.unescape(_TAG.sub("", inner)).split())
    if not label:
        alt = _ALT.search(inner)
        label = html.unescape(next(g for g in alt.groups() if g is not None)).strip() if alt else ""
    if not url or url == label:
        text = label or url
    else:
        text = f"{label} ({url})" if label else url
    # Escaped again because the whole body is unescaped once more after tags are stripped.
    return html.escape(text, quote=False)
