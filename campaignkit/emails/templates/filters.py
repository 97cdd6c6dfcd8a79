"""Jinja's filters as templates get them: never run while compiling, bounded, and of plain values.

Jinja evaluates a filter of constants when it compiles a template
(``{{ 'a'|center(3000000000) }}``), outside any render and its limits; a filter that
takes its render context cannot be evaluated then, so every filter here takes it, and
runs when the template renders. Filters that make text take plain values only (see
``bounds``); those whose result can be far longer than their input (a width, a count, a
separator repeated, a replacement) are bounded before they run, and every text result
once made.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable, Mapping
from functools import wraps
from typing import Any

from jinja2 import pass_context
from jinja2.filters import make_attrgetter
from jinja2.runtime import Context

from campaignkit.emails.templates.bounds import (
    MAX_OUTPUT_CHARS,
    OutputTooLarge,
    check_result,
    formatted_size,
    joined_size,
    plain,
    plain_text_size,
    replaced_size,
    size_of,
    within,
)

Filter = Callable[..., Any]
#: The filters that make text of their value: it must be plain.
_TEXT_FILTERS = frozenset({
    "capitalize", "center", "e", "escape", "forceescape", "format", "indent", "lower", "pprint", "replace",
    "safe", "string", "striptags", "title", "trim", "truncate", "upper", "urlize", "wordcount", "wordwrap",
})


def bounded_filters(filters: Mapping[str, Filter]) -> dict[str, Filter]:
    """Every filter of ``filters``, bounded and run only when rendering."""
    return {name: _bounded(name, function) for name, function in filters.items()}


def _bounded(name: str, function: Filter) -> Filter:
    leading = _LEADING.get(getattr(getattr(function, "jinja_pass_arg", None), "name", ""), _nothing)
    signature = inspect.signature(function)
    check = _CHECKS.get(name)

    @pass_context
    @wraps(function)
    def bounded(context: Context, value: Any, *args: Any, **kwargs: Any) -> Any:
        before = leading(context)
        if name in _TEXT_FILTERS:
            plain(value)
        if check is not None:
            given = signature.bind(*before, value, *args, **kwargs)
            given.apply_defaults()
            value = check(context, value, given.arguments)
        return check_result(function(*before, value, *args, **kwargs), f"the filter '{name}'")

    return bounded


def _nothing(context: Context) -> tuple[Any, ...]:
    return ()


#: What a filter is given before its value, by what it asks for (``jinja_pass_arg``).
_LEADING: dict[str, Callable[[Context], tuple[Any, ...]]] = {
    "context": lambda context: (context,),
    "eval_context": lambda context: (context.eval_ctx,),
    "environment": lambda context: (context.environment,),
}

# -- checks made before a filter that can make far more than it is given runs -----------------------
# Each raises ``OutputTooLarge`` (or ``TypeError`` for a value that is not plain), and returns
# the value to give the filter (``join`` reads its items once, here).

Arguments = dict[str, Any]
Check = Callable[[Context, Any, Arguments], Any]


def _count(number: Any) -> int:
    return number if isinstance(number, int) else 0


def _center(context: Context, value: Any, given: Arguments) -> Any:
    within(max(plain_text_size(value), _count(given["width"])), "the filter 'center'")
    return value


def _indent(context: Context, value: Any, given: Arguments) -> Any:
    text, width = str(value), given["width"]
    step = len(width) if isinstance(width, str) else _count(width)
    within(len(text) + (text.count("\n") + 1) * step, "the filter 'indent'")
    return value


def _wordwrap(context: Context, value: Any, given: Arguments) -> Any:
    text, width = str(value), _count(given["width"])
    wrapstring = given["wrapstring"] or context.environment.newline_sequence
    lines = len(text) // max(width, 1) + text.count("\n") + 1
    within(max(width, len(text) + lines * plain_text_size(wrapstring)), "the filter 'wordwrap'")
    return value


def _join(context: Context, value: Any, given: Arguments) -> Any:
    items = list(value)
    attribute = given["attribute"]
    texts = items if attribute is None else list(map(make_attrgetter(context.environment, attribute), items))
    plain(*texts, given["d"])
    within(joined_size(texts, given["d"]), "the filter 'join'")
    return items


def _replace(context: Context, value: Any, given: Arguments) -> Any:
    plain(given["old"], given["new"])
    within(replaced_size(str(value), str(given["old"]), str(given["new"]), given["count"]), "the filter 'replace'")
    return value


def _format(context: Context, value: Any, given: Arguments) -> Any:
    within(formatted_size(str(value), given["kwargs"] or given["args"]), "the filter 'format'")
    return value


def _counted(parameter: str) -> Check:
    """The check of a filter that makes as many lists as its ``parameter`` says (``batch``, ``slice``)."""

    def check(context: Context, value: Any, given: Arguments) -> Any:
        number = _count(given[parameter])
        if number > MAX_OUTPUT_CHARS:
            raise OutputTooLarge(f"the filter's {parameter} {number:,} is more than {MAX_OUTPUT_CHARS:,}")
        return value

    return check


def _tojson(context: Context, value: Any, given: Arguments) -> Any:
    indent = given["indent"]
    step = len(indent) if isinstance(indent, str) else _count(indent)
    within(size_of(value) * (step + 1), "the filter 'tojson'")  # each item on a line of its own, indented
    return value


def _urlize(context: Context, value: Any, given: Arguments) -> Any:
    text = str(value)
    plain(given["target"], given["rel"])
    link = sum(len(str(given[name] or "")) for name in ("target", "rel")) + 60  # 60: the tag's own text
    within(2 * len(text) + len(text.split()) * link, "the filter 'urlize'")
    return value


def _pairs(context: Context, value: Any, given: Arguments) -> Any:
    """``urlencode`` and ``xmlattr``: text, or names and values that are plain."""
    if isinstance(value, str) or not isinstance(value, Iterable):
        plain(value)
        return value
    pairs = list(value.items() if isinstance(value, Mapping) else value)
    plain(*(item for pair in pairs for item in pair if item is not None))
    return dict(pairs) if isinstance(value, Mapping) else pairs


_CHECKS: dict[str, Check] = {
    "center": _center, "indent": _indent, "wordwrap": _wordwrap, "join": _join, "replace": _replace,
    "format": _format, "batch": _counted("linecount"), "slice": _counted("slices"), "tojson": _tojson,
    "urlize": _urlize, "urlencode": _pairs, "xmlattr": _pairs,
}
