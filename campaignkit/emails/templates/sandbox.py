"""The Jinja environment templates run in, and the bound on what one render may produce.

Templates are written by people who are not the operators of the machine that
renders them (and are reviewed as data, not as code), so they run in Jinja's
``ImmutableSandboxedEnvironment``: no attribute starting with ``_``, no
mutation of values, ``range`` bounded. On top of that: names that are not
defined fail instead of printing nothing (``StrictUndefined``), ``None`` prints
as "", ``"x" * n`` and ``a ** b`` cannot build values larger than the output
bound, the output itself is cut off at ``MAX_OUTPUT_CHARS``, and a render
stops after ``MAX_RENDER_SECONDS`` (loops inside loops). ``default`` treats an empty
value as missing, as mail merge does. This module does not know where
templates come from (``context`` supplies the loader).
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from typing import Any

from jinja2 import BaseLoader, StrictUndefined, Template
from jinja2.runtime import Undefined
from jinja2.sandbox import ImmutableSandboxedEnvironment

from campaignkit.workspace.values import is_empty

#: An email's MJML before rendering is a few dozen KB; a million characters is a runaway loop.
MAX_OUTPUT_CHARS = 1_000_000
_MAX_EXPONENT = 1000
#: An email renders in milliseconds; seconds mean loops inside loops that would run for hours.
MAX_RENDER_SECONDS = 5.0


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


#: What a template may print: text, numbers, dates, and markup (a platform's merge tag).
_PRINTABLE = (str, int, float, Decimal, date)


def _finalize(value: Any) -> Any:
    """What a printed expression becomes: "" for ``None``; an error for what has no text of its own.

    ``{{ cycler }}``, ``{{ self }}`` or a list would print Python's description of an
    object into the email (``<jinja2.utils.Cycler object at 0x7f...>``).
    """
    if value is None:
        return ""
    if isinstance(value, (_PRINTABLE, Undefined)) or hasattr(value, "__html__"):
        return value  # an Undefined raises its own error (a missing name, a refused attribute) as it prints
    what = f"a function ({getattr(value, '__name__', '?')})" if callable(value) else f"a {type(value).__name__}"
    raise TypeError(f"the template prints {what}, not text: print a merge field, a var or text")


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
        if operator == "**" and isinstance(left, int) and isinstance(right, int) and \
                right * left.bit_length() > 4 * MAX_OUTPUT_CHARS:  # about four bits a decimal digit
            raise OutputTooLarge(f"a power with more than {MAX_OUTPUT_CHARS:,} digits")
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
    """``template`` rendered with ``values``; raises ``OutputTooLarge`` past ``limit`` characters or
    ``MAX_RENDER_SECONDS``."""
    chunks: list[str] = []
    size = 0
    with _time_limit(MAX_RENDER_SECONDS):
        for chunk in template.generate(values):
            size += len(chunk)
            if size > limit:
                raise OutputTooLarge(f"the rendered template is larger than {limit:,} characters")
            chunks.append(chunk)
    return "".join(chunks)


@contextmanager
def _time_limit(seconds: float) -> Iterator[None]:
    """Raises ``OutputTooLarge`` in the block after ``seconds`` (an interval timer's signal).

    Only the main thread receives signals, so elsewhere, and inside a render already
    timed (an include), there is no second timer.
    """
    if threading.current_thread() is not threading.main_thread() or \
            signal.getsignal(signal.SIGALRM) is _out_of_time:
        yield
        return
    previous = signal.signal(signal.SIGALRM, _out_of_time)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _out_of_time(signum: int, frame: object) -> None:
    raise OutputTooLarge(f"the render took longer than {MAX_RENDER_SECONDS:g} s: "
                     "are there loops inside loops?")
