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

    What it does: checks every resource name against the pattern for its kind and says which
    token is wrong and what that token allows.
    Why is this bad? Names are how marketers find assets in Account Engagement; a convention
    that lives in people's heads drifts within a quarter.
    Example: `name: 2026-evnt-acme-conf-list` where `{channel}` is one of email, event, web.
    Use instead: `name: 2026-event-acme-conf-list`.
    """
    conventions = _conventions(scope)
    if not conventions:
        return
    convention = conventions[0]
    tokens = convention.data.get("tokens", {})
    for kind, pattern in convention.data.get("patterns", {}).items():
        if not _usable(pattern, tokens):
            continue
        parts = _parts(pattern, tokens)
        whole = re.compile("".join(p.regex for p in parts) + r"\Z")
        for resource in scope.of_kind(kind):
            if resource.translates is None and not whole.match(resource.name):
                yield error("CK301", f"{resource.address}: {_explain_mismatch(resource.name, pattern, parts)}",
                            resource.position_of("name"), suggestion=_suggest(resource.name, parts))


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


def _suggest(name: str, parts: list[Part]) -> str | None:
    index, rest = _first_bad_part(name, parts)
    token = parts[index].token if index < len(parts) else None
    if token is None:
        return None
    found = _segment(rest, parts[index + 1] if index + 1 < len(parts) else None)
    replacement = closest(found, [str(v) for v in token.get("enum", [])])
    return name.replace(found, replacement, 1) if replacement and found else None
