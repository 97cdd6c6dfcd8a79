"""The Jinja environment templates run in, and the bound on what one render may produce.

Templates are written by people who are not the operators of the machine that
renders them (and are reviewed as data, not as code), so they run in Jinja's
``ImmutableSandboxedEnvironment``: no attribute starting with ``_``, no
mutation of values, ``range`` bounded. On top of that: names that are not
defined fail instead of printing nothing (``StrictUndefined``), ``None`` prints
as "", ``"x" * n`` cannot build a string larger than the output bound, and the
output itself is cut off at ``MAX_OUTPUT_CHARS``. ``default`` treats an empty
value as missing, as mail merge does. This module does not know where
templates come from (``context`` supplies the loader).
"""

from __future__ import annotations

from typing import Any, Mapping

from jinja2 import BaseLoader, StrictUndefined, Template
from jinja2.runtime import Undefined
from jinja2.sandbox import ImmutableSandboxedEnvironment

from campaignkit.render.merge import is_empty

#: An email's MJML before rendering is a few dozen KB; a million characters is a runaway loop.
MAX_OUTPUT_CHARS = 1_000_000
_MAX_EXPONENT = 1000


class OutputTooLarge(Exception):
    """A render produced more than its bound."""


def merge_default(value: Any, default_value: Any = "", boolean: bool = False) -> Any:
    """Jinja's ``default`` filter, with empty text counting as missing (the mail-merge rule).

    A sending platform's merge tag (a value with ``with_fallback``) is empty or
    not only when the platform sends, so it is handed the fallback to say in the
    platform's own merge language.
    """
    if isinstance(value, Undefined) or is_empty(value) or (boolean and not value):
        return default_value
    with_fallback = getattr(value, "with_fallback", None)
    return value if with_fallback is None else with_fallback(default_value)


def _finalize(value: Any) -> Any:
    return "" if value is None else value


def _size(value: Any) -> int:
    return len(value) if isinstance(value, (str, bytes, list, tuple)) else 1


class EmailSandbox(ImmutableSandboxedEnvironment):
    """The sandbox, with repetition and powers bounded so that one expression cannot exhaust memory.

    Raises ``OutputTooLarge`` (not a sandbox violation: the template is merely too big).
    """

    intercepted_binops = frozenset({"*", "**"})

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "**" and isinstance(right, int) and abs(right) > _MAX_EXPONENT:
            raise OutputTooLarge(f"the exponent {right} is larger than {_MAX_EXPONENT}")
        if operator == "*" and isinstance(left, int) != isinstance(right, int):
            count, item = (left, right) if isinstance(left, int) else (right, left)
            if count * _size(item) > MAX_OUTPUT_CHARS:
                raise OutputTooLarge(f"repeating a value {count} times would exceed {MAX_OUTPUT_CHARS:,} characters")
        return super().call_binop(context, operator, left, right)


def make_environment(loader: BaseLoader, html: bool) -> EmailSandbox:
    """The environment for MJML/HTML templates (``html``: autoescaped) or for plain text."""
    environment = EmailSandbox(
        loader=loader,
        autoescape=html,
        undefined=StrictUndefined,
        finalize=_finalize,
        auto_reload=False,
        cache_size=0,  # the loader hands out templates it has already compiled and cached
    )
    environment.filters["default"] = environment.filters["d"] = merge_default
    # lipsum(n) can produce unbounded text and has no place in an email.
    environment.globals.pop("lipsum", None)
    return environment


def render_bounded(template: Template, values: Mapping[str, Any], limit: int = MAX_OUTPUT_CHARS) -> str:
    """``template`` rendered with ``values``; raises ``OutputTooLarge`` past ``limit`` characters."""
    chunks: list[str] = []
    size = 0
    for chunk in template.generate(values):
        size += len(chunk)
        if size > limit:
            raise OutputTooLarge(f"the rendered template is larger than {limit:,} characters")
        chunks.append(chunk)
    return "".join(chunks)
