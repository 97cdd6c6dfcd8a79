"""Names for adopted objects: a name that follows the naming convention, made from what the object is.

A business unit built by clicking has names in no convention ("Webinar attendees
2023", "展示会リスト"). ``adopt`` proposes, for each name that breaks the kind's
pattern, one that fits: the creation year (or a year the name gives) for a token
that takes a year, the first word of the name, folder or campaign that a token's
enum allows (``webinar``), and the rest of the name in kebab-case for a free
token (the object's id when nothing of the name is left in ASCII). The proposal
is only ever a name: nothing is guessed about what the object does.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Container
from typing import Any

from campaignkit.checks.naming import KindPattern
from campaignkit.workspace.model import ADDRESS

#: Kinds whose names are snake_case identifiers (docs/format.md), the others kebab-case.
_SNAKE_KINDS = frozenset({"naming", "persona", "field"})
_WORD = re.compile(r"[a-z0-9]+")
#: The names the schemas allow (docs/format.md's conventions).
_SNAKE = re.compile(r"[a-z][a-z0-9_]*")
_KEBAB = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")


def needs_name(kind: str, name: str, rule: KindPattern | None) -> bool:
    """Whether ``name`` breaks the kind's pattern, or is no name the files can give at all."""
    if rule is not None:
        return not rule.fits(name)
    return not (_SNAKE if kind in _SNAKE_KINDS else _KEBAB).fullmatch(name)


def propose(kind: str, name: str, object_id: str, attributes: dict[str, Any], created: str,
            rule: KindPattern | None, taken: Container[str]) -> str:
    """A name for the object that follows ``rule`` (or is a plain identifier without one), not in ``taken``."""
    words = _words(name)
    context = words + _words(str(attributes.get("folder") or "")) + _words(str(attributes.get("campaign") or ""))
    fallback = f"id-{object_id}"
    for attempt in range(1, 1000):
        suffix = "" if attempt == 1 else f"-{attempt}"
        proposed = (_by_pattern(kind, words, context, created, fallback, suffix, rule) if rule is not None
                    else _identifier(kind, words, fallback) + suffix.replace("-", "_" if kind in _SNAKE_KINDS else "-"))
        if proposed not in taken:
            return proposed
    raise ValueError(f"no free name for {kind} id {object_id}")  # a thousand objects of one name: not a business unit


def moved_from(kind: str, name: str, object_id: str) -> str:
    """The address a renamed object is recorded under until the first apply renames it: its own name if that
    makes an address, else its name in ASCII kebab-case, else its id."""
    if ADDRESS.match(f"{kind}.{name}"):
        return f"{kind}.{name}"
    return f"{kind}.{_identifier(kind, _words(name), f'id-{object_id}')}"


def _by_pattern(kind: str, words: list[str], context: list[str], created: str, fallback: str, suffix: str,
                rule: KindPattern) -> str:
    used: set[str] = {kind}
    values: dict[int, str] = {}
    free: list[int] = []
    for index, part in enumerate(rule.parts):
        if part.token is None:
            used.update(_WORD.findall(part.text))
            continue
        regex = re.compile(part.regex + r"\Z")
        if "enum" in part.token:
            values[index] = _enum_value([str(v) for v in part.token["enum"]], context)
            used.add(values[index])
        elif regex.match("2026") and not regex.match("topic"):  # a token for a year (or a quarter)
            values[index] = _year(words, created, regex)
            used.add(values[index])
        else:
            free.append(index)
    rest = "-".join(w for w in words if w not in used) or fallback
    for index in free:
        values[index] = rest + suffix if re.compile(rule.parts[index].regex + r"\Z").match(rest) else fallback + suffix
        suffix = ""
    name = "".join(values.get(i, part.text) for i, part in enumerate(rule.parts))
    return name if rule.fits(name) else name.replace(rest, fallback, 1)


def _enum_value(allowed: list[str], context: list[str]) -> str:
    """The first word of the context the enum allows; else a catch-all value (``all``), else its first."""
    for word in context:
        if word in allowed:
            return word
    return next((v for v in ("all", "evergreen", "general") if v in allowed), allowed[0])


def _year(words: list[str], created: str, regex: re.Pattern[str]) -> str:
    """A year the name gives, else the creation year, else ``evergreen`` where the token allows it."""
    for candidate in [w for w in words if len(w) == 4 and w.isdigit()] + [created[:4]]:
        if candidate and regex.match(candidate):
            return candidate
    return "evergreen" if regex.match("evergreen") else created[:4] or "2000"


def _identifier(kind: str, words: list[str], fallback: str) -> str:
    joined = ("_" if kind in _SNAKE_KINDS else "-").join(words)
    return joined or fallback.replace("-", "_" if kind in _SNAKE_KINDS else "-")


def _words(text: str) -> list[str]:
    """The ASCII words of ``text``, lowercased (accents dropped; Japanese leaves nothing)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return _WORD.findall(re.sub(r"([a-z])([A-Z])", r"\1 \2", ascii_text).lower())
