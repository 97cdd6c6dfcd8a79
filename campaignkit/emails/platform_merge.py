"""Emails in a sending platform's merge language, and the Jinja a platform's merge language cannot say.

Previews render an email for one prospect. A platform that sends it renders it
for every recipient itself, from merge tags: where campaignkit's templates say
``{{ first_name }}``, the platform reads a tag of its ``MergeLanguage`` (such as
``{{Recipient.FirstName}}``). So an email bound for a platform is rendered with
a context in which each field is a ``MergeTag`` and each built-in link its tag
(``Markup``: HTML escaping leaves both whole), and each workspace var is its
value.

A tag is only text to Jinja: a field tested in ``{% if %}``, looped over, passed
to a filter other than ``default`` or computed with would act on the tag, not
on the recipient's value, and send something wrong. ``inexpressible`` finds
those uses without rendering, for ``validate`` (CK440).

A fallback travels with the tag, so that an empty field never merges blank
("Dear ,"): a field with a declared default mail-merge value, or merged with
``| default("there")``, becomes the language's tag with that fallback. As in
previews, the field's declared default wins over the template's fallback. The
fallback text is HTML-escaped in HTML bodies and kept as written in subjects
and text parts. A language with no way to say a fallback
(``MergeLanguage.fallbacks`` false) gets the bare tag; ``fallbacks`` finds
the template's fallbacks so that ``validate`` can say they are lost (CK441).

This module renders and reports; it writes nothing and is given the language,
so that it knows no target.
"""

from __future__ import annotations

import html
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

from jinja2 import Environment, TemplateSyntaxError, nodes
from markupsafe import Markup

from campaignkit.emails.context import EmailContext
from campaignkit.emails.merge import MergeLanguage
from campaignkit.emails.rendering import RenderedEmail, RenderFailure, render_inline, render_with
from campaignkit.emails.templates.facts import Locator
from campaignkit.workspace.model import Resource, Workspace
from campaignkit.workspace.values import is_empty

_FALLBACK_FILTERS = frozenset({"default", "d"})


@dataclass(frozen=True)
class MergeTag:
    """A prospect field as a platform's merge language says it, with the fallback for an empty value.

    Not text: Jinja prints it through ``__html__`` in HTML templates (the
    fallback escaped) and through ``__str__`` in plain-text ones, and the
    ``default`` filter gives it the template's fallback with ``with_fallback``.
    """

    language: MergeLanguage
    #: What the platform merges, e.g. ``Recipient.FirstName``.
    expression: str
    fallback: str = ""

    def with_fallback(self, fallback: Any) -> MergeTag:
        """The tag with the template's fallback, unless the field declares its own (which wins, as in previews)."""
        if self.fallback or is_empty(fallback):
            return self
        return replace(self, fallback=str(fallback))

    def __str__(self) -> str:
        return self.language.tag(self.expression, self.fallback)

    def __html__(self) -> str:
        return self.language.tag(self.expression, html.escape(self.fallback))


def field_tag(field: Resource, language: MergeLanguage) -> MergeTag:
    """The tag of a prospect field in ``language``, falling back to its default mail-merge value."""
    default = field.attributes.get("default")
    return MergeTag(language, language.expression(field), "" if is_empty(default) else str(default))


def platform_values(workspace: Workspace, language: MergeLanguage) -> dict[str, Any]:
    """The merge context that renders ``workspace``'s emails in ``language``: vars as values, the rest as tags."""
    values: dict[str, Any] = dict(workspace.config.vars or {})
    values.update({field.name: field_tag(field, language) for field in workspace.of_kind("field")})
    values.update({name: Markup(tag) for name, tag in language.links.items()})
    return values


def render_for_platform(context: EmailContext, email: Resource, values: dict[str, Any]) -> RenderedEmail:
    """``email`` rendered with ``platform_values``; a template that does not render is a ``UserError``."""
    try:
        return render_with(context, email, values)
    except RenderFailure as failure:
        raise failure.user_error(email) from None


@dataclass(frozen=True)
class Inexpressible:
    """A merge name used in a way a platform's merge tag may not say: ``how`` says what the template does."""

    name: str
    how: str
    line: int
    column: int


@lru_cache(maxsize=256)
def inexpressible(source: str, names: frozenset[str]) -> tuple[Inexpressible, ...]:
    """Uses of ``names`` in the Jinja ``source`` other than ``{{ name }}`` and ``{{ name | default(...) }}``.

    A source that does not parse, or nests too deeply to be walked, has none here: CK403 reports it.
    Cached, as ``fallbacks``: a partial that every email includes is walked once, not once per email.
    """
    return _found(source, names, _every_use)


@lru_cache(maxsize=256)
def fallbacks(source: str, names: frozenset[str]) -> tuple[Inexpressible, ...]:
    """Each ``{{ name | default("there") }}`` of ``names`` in the Jinja ``source``, ``how`` saying its fallback."""
    return _found(source, names, _fallbacks)


def _every_use(tree: nodes.Template) -> Iterator[tuple[nodes.Name, str]]:
    return _uses(tree, None)


def _found(source: str, names: frozenset[str],
           find: Callable[[nodes.Template], Iterator[tuple[nodes.Name, str]]]) -> tuple[Inexpressible, ...]:
    """What ``find`` yields for ``names`` (the names a template binds itself aside), at its line and column."""
    try:
        tree = Environment().parse(source)
        shadowed = {n.name for n in tree.find_all(nodes.Name) if n.ctx != "load"}
        nth = _occurrences(tree)
        found = list(find(tree))
    except (TemplateSyntaxError, RecursionError):
        return ()
    wanted = names - shadowed
    locate = Locator(source.splitlines())
    return tuple(Inexpressible(node.name, how, node.lineno, locate.column(node.lineno, node.name, nth[id(node)]))
                 for node, how in found if node.name in wanted)


def _fallbacks(tree: nodes.Template) -> Iterator[tuple[nodes.Name, str]]:
    """Each name printed with a constant, non-empty fallback, and "falls back to 'FALLBACK'"."""
    for output in tree.find_all(nodes.Output):
        for printed in output.nodes:
            name = _unwrapped(printed)
            fallback = _fallback(printed)
            if isinstance(name, nodes.Name) and name.ctx == "load" and fallback:
                yield name, f"falls back to '{fallback}'"


def _fallback(node: nodes.Node) -> str:
    """The innermost non-empty constant fallback of ``name | default(...) | ...`` (the one that applies first)."""
    found = ""
    while isinstance(node, nodes.Filter) and node.name in _FALLBACK_FILTERS and node.node is not None:
        if node.args and isinstance(node.args[0], nodes.Const) and not is_empty(node.args[0].value):
            found = str(node.args[0].value)
        node = node.node
    return found


def _occurrences(tree: nodes.Template) -> dict[int, int]:
    """For each name read (by node id), how many reads of that name come before it on its line."""
    seen: Counter[tuple[int, str]] = Counter()
    nth = {}
    for node in tree.find_all(nodes.Name):
        if node.ctx == "load":
            nth[id(node)] = seen[(node.lineno, node.name)]
            seen[(node.lineno, node.name)] += 1
    return nth


def _uses(node: nodes.Node, how: str | None) -> Iterator[tuple[nodes.Name, str]]:
    """Every name read below ``node`` where a tag cannot stand, with why (``how`` None: a plain output)."""
    if isinstance(node, nodes.Name):
        if node.ctx == "load" and how is not None:
            yield node, how
    elif isinstance(node, nodes.Output):
        for printed in node.nodes:
            yield from _uses(_unwrapped(printed), None if _is_plain(printed) else _describe(printed))
    elif isinstance(node, (nodes.If, nodes.CondExpr)):
        yield from _uses(node.test, "tested in a condition")
        for child in node.iter_child_nodes(exclude=("test",)):
            yield from _uses(child, how)
    elif isinstance(node, nodes.For):
        yield from _uses(node.iter, "looped over")
        for child in node.iter_child_nodes(exclude=("iter",)):
            yield from _uses(child, how)
    else:
        for child in node.iter_child_nodes():
            yield from _uses(child, how if how is not None else _describe(node))


def _is_plain(node: nodes.Node) -> bool:
    """``name`` or ``name | default(constant)``: what a merge tag can say."""
    node = _unwrapped(node)
    return isinstance(node, (nodes.Name, nodes.TemplateData, nodes.Const))


def _unwrapped(node: nodes.Node) -> nodes.Node:
    """The name under ``| default(...)`` (whose constant fallback becomes the tag's fallback)."""
    while (isinstance(node, nodes.Filter) and node.name in _FALLBACK_FILTERS and node.node is not None
           and all(isinstance(a, nodes.Const) for a in node.args)):
        node = node.node
    return node


def _describe(node: nodes.Node) -> str | None:
    """What an expression does to the names in it, in the words of CK440's message."""
    if isinstance(node, nodes.Filter):
        return f"passed to the filter '{node.name}'"
    if isinstance(node, (nodes.Compare, nodes.Test)):
        return "compared or tested"
    if isinstance(node, (nodes.BinExpr, nodes.UnaryExpr)):
        return "computed with"
    if isinstance(node, (nodes.Output, nodes.Concat, nodes.CondExpr)):
        return None  # joined with text or chosen by a test, a tag still prints as itself
    if isinstance(node, (nodes.Call, nodes.Keyword)):
        return None  # a macro given a tag may print it plainly; its body is checked where it is written
    if isinstance(node, nodes.Expr):
        return "used inside an expression"
    return None


def render_subject(context: EmailContext, email: Resource, values: dict[str, Any]) -> str:
    """``email``'s subject rendered with ``platform_values``; one that does not render is a ``UserError``."""
    try:
        return render_inline(context, email, "subject", values)
    except RenderFailure as failure:
        raise failure.user_error(email) from None
