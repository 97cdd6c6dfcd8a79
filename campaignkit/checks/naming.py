"""Naming checks: every resource name follows the workspace's naming convention.

A convention is a ``naming`` resource: tokens (an enum or a regex each) and one
pattern per kind such as ``{year}-{channel}-{topic}-{asset}``. When a name is
off, the message says which token is wrong and what it allows, not merely that
the whole name fails a regular expression.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from campaignkit.checks import Scope, check
from campaignkit.diagnostics import Diagnostic, closest, did_you_mean, error
from campaignkit.workspace.model import Resource

_TOKEN = re.compile(r"\{([a-z_][a-z0-9_]*)\}")


@dataclass(frozen=True)
class Part:
    """One piece of a pattern: a token (with its regex) or literal text."""

    text: str
    regex: str
    token: dict | None = None

    def describe(self) -> str:
        if self.token is None:
            return f"'{self.text}'"
        if "enum" in self.token:
            return "one of " + ", ".join(str(v) for v in self.token["enum"])
        return self.token.get("description") or f"text matching {self.token.get('regex')}"


def _parts(pattern: str, tokens: dict) -> list[Part]:
    parts: list[Part] = []
    position = 0
    for found in _TOKEN.finditer(pattern):
        if found.start() > position:
            literal = pattern[position:found.start()]
            parts.append(Part(literal, re.escape(literal)))
        name = found.group(1)
        token = tokens[name]
        regex = "|".join(re.escape(str(v)) for v in token["enum"]) if "enum" in token else token["regex"]
        parts.append(Part(name, f"(?:{regex})", token))
        position = found.end()
    if position < len(pattern):
        parts.append(Part(pattern[position:], re.escape(pattern[position:])))
    return parts


def _conventions(scope: Scope) -> list[Resource]:
    return scope.of_kind("naming")


def _bad_regex(token: dict) -> str | None:
    """Why a token's regex does not compile, if it does not."""
    if "regex" not in token:
        return None
    try:
        re.compile(token["regex"])
    except re.error as exc:
        return str(exc)
    return None


def _usable(pattern: str, tokens: dict) -> bool:
    """Whether names can be checked against ``pattern``: its tokens are declared and compile."""
    return all(name in tokens and _bad_regex(tokens[name]) is None for name in _TOKEN.findall(pattern))


@check("CK302")
def broken_convention(scope: Scope) -> Iterator[Diagnostic]:
    """The naming convention itself is broken.

    What it does: reports tokens whose regex does not compile, patterns that use undeclared
    tokens, and workspaces with more than one `naming` resource.
    Why is this bad? Names cannot be checked against a convention that cannot be read.
    Example: `patterns: {email: "{year}-{chanel}-{topic}"}` with a token named `channel`.
    Use instead: declare every token a pattern uses; keep one naming resource.
    """
    conventions = _conventions(scope)
    for extra in conventions[1:]:
        yield error("CK302", f"only one naming convention is allowed; the first is {conventions[0].address}",
                    extra.position_of("name"))
    for convention in conventions[:1]:
        tokens = convention.data.get("tokens", {})
        for name, token in tokens.items():
            problem = _bad_regex(token)
            if problem:
                yield error("CK302", f"the regex of token '{name}' does not compile ({problem}); "
                            "write a Python regular expression", convention.position_of("tokens", name, "regex"))
        for kind, pattern in convention.data.get("patterns", {}).items():
            for name in dict.fromkeys(_TOKEN.findall(pattern)):
                if name not in tokens:
                    suggestion = closest(name, tokens)
                    yield error("CK302", f"the pattern for {kind} uses the token {{{name}}}, which is not declared "
                                f"under tokens{did_you_mean(suggestion)}", convention.position_of("patterns", kind),
                                suggestion=suggestion)


@check("CK301")
def names_follow_convention(scope: Scope) -> Iterator[Diagnostic]:
    """A name does not follow the naming convention.

    What it does: checks every resource name against the pattern for its kind, says which
    token is wrong and what that token allows, and proposes a name that fits, made of the
    name's own words (a token that none of them fits takes the value the names that fit use most).
    Why is this bad? Names are how marketers find assets in Account Engagement; a convention
    that lives in people's heads drifts within a quarter.
    Example: `name: 2026-evnt-acme-conf-list` where `{channel}` is one of email, event, web.
    Use instead: `name: 2026-event-acme-conf-list`.
    """
    conventions = _conventions(scope)
    if not conventions:
        return
    for kind, rule in kind_patterns(conventions[0].data).items():
        resources = scope.of_kind(kind)
        fitting = [resource.name for resource in resources if rule.fits(resource.name)]
        for resource in resources:
            if resource.translates is None and not rule.fits(resource.name):
                suggestion = _suggest(resource.name, rule.parts, rule.whole, fitting)
                fits = f"; a name that fits: {suggestion}" if suggestion else ""
                why = _explain_mismatch(resource.name, rule.pattern, rule.parts)
                yield error("CK301", f"{resource.address}: {why}{fits}", resource.position_of("name"),
                            suggestion=suggestion)


@dataclass(frozen=True)
class KindPattern:
    """A kind's pattern in a naming convention, ready to check names against."""

    pattern: str
    parts: list[Part]
    whole: re.Pattern[str]

    def fits(self, name: str) -> bool:
        return self.whole.match(name) is not None


def kind_patterns(convention: dict) -> dict[str, KindPattern]:
    """The patterns of a ``naming`` resource's data by kind, those that can be checked (``adopt`` names by them too)."""
    tokens = convention.get("tokens") or {}
    found: dict[str, KindPattern] = {}
    for kind, pattern in (convention.get("patterns") or {}).items():
        if isinstance(pattern, str) and _usable(pattern, tokens):
            parts = _parts(pattern, tokens)
            found[kind] = KindPattern(pattern, parts, re.compile("".join(p.regex for p in parts) + r"\Z"))
    return found


def _first_bad_part(name: str, parts: list[Part]) -> tuple[int, str]:
    """The index of the first part that cannot match, and the text left at that point."""
    for index in range(len(parts)):
        prefix = re.compile("".join(p.regex for p in parts[: index + 1]))
        if not prefix.match(name):
            before = re.compile("".join(p.regex for p in parts[:index]))
            matched = before.match(name)
            return index, name[matched.end() if matched else 0:]
    return len(parts), ""


def _explain_mismatch(name: str, pattern: str, parts: list[Part]) -> str:
    index, rest = _first_bad_part(name, parts)
    if index == len(parts):
        return f"name '{name}' does not follow {pattern}: the parts match but the whole does not"
    part = parts[index]
    found = _segment(rest, parts[index + 1] if index + 1 < len(parts) else None)
    if part.token is None and not found:
        return f"name '{name}' does not follow {pattern}: it ends where {part.describe()} should follow"
    if part.token is None:
        return f"name '{name}' does not follow {pattern}: expected {part.describe()} where it says '{found}'"
    suggestion = closest(found, [str(v) for v in part.token.get("enum", [])])
    return (f"name '{name}' does not follow {pattern}: {{{part.text}}} is '{found}'{did_you_mean(suggestion)}, "
            f"but must be {part.describe()}")


def _segment(rest: str, following: Part | None) -> str:
    if following is not None and following.token is None and following.text in rest:
        return rest.split(following.text, 1)[0]
    return rest


def _suggest(name: str, parts: list[Part], whole: re.Pattern[str], fitting: list[str]) -> str | None:
    """A name that follows the pattern, made of the words of ``name``: an enum token takes the word
    that is (or is closest to) one of its values, a narrow regex token (a year) the word it matches,
    the broadest one (the topic) the words left; a token no word fits takes the value the names
    that fit (``fitting``) use most. None when no such name can be made."""
    words = _words(name)
    literal = {word for part in parts if part.token is None for word in _words(part.text)}
    joiner = next((c for part in parts if part.token is None for c in part.text if not c.isalnum()), "-")
    chosen: dict[int, str] = {}
    tokens = [(index, part) for index, part in enumerate(parts) if part.token is not None]
    for index, part in sorted(tokens, key=lambda item: _breadth(item[1], words)):
        last = all(i in chosen or i == index for i, _ in tokens)
        value = _take(part, [word for word in words if word not in literal] if last else words, last, joiner)
        value = value or _most_used(part, index, parts, fitting)
        if value is None:
            return None
        chosen[index] = value
    candidate = "".join(chosen.get(index, part.text) for index, part in enumerate(parts))
    return candidate if whole.match(candidate) and candidate != name else None


def _words(text: str) -> list[str]:
    return [word for word in re.split(r"[^a-z0-9]+", text.lower()) if word]


def _breadth(part: Part, words: list[str]) -> tuple[int, int]:
    """Enum tokens first, then regex tokens by how many of the words they match: the narrowest choose first."""
    if part.token is not None and "enum" in part.token:
        return (0, 0)
    return (1, sum(1 for word in words if re.fullmatch(part.regex, word)))


def _take(part: Part, words: list[str], last: bool, joiner: str) -> str | None:
    """The word (removed from ``words``) that ``part`` takes; the last token takes all the words left, joined as
    the pattern joins its parts, if they fit."""
    token = part.token or {}
    if "enum" in token:
        values = [str(v) for v in token["enum"]]
        exact = next((word for word in words if word in values), None)
        near = exact or next((word for word in words if closest(word, values)), None)
        if near is None:
            return None
        words.remove(near)
        return near if exact else closest(near, values)
    if last and words and re.fullmatch(part.regex, joiner.join(words)):
        joined = joiner.join(words)
        words.clear()
        return joined
    word = next((word for word in words if re.fullmatch(part.regex, word)), None)
    if word is not None:
        words.remove(word)
    return word


def _most_used(part: Part, index: int, parts: list[Part], fitting: list[str]) -> str | None:
    """The value the names that fit give the token at ``index`` most often."""
    groups = "".join(f"(?P<wanted>{p.regex})" if i == index else p.regex for i, p in enumerate(parts))
    found = [m.group("wanted") for m in (re.fullmatch(groups, name) for name in fitting) if m]
    return max(sorted(set(found)), key=found.count) if found else None
