"""The Jinja environment templates run in, and the bounds on what one render may make.

Templates are written by people who are not the operators of the machine that
renders them (and are reviewed as data, not as code), so they run in Jinja's
``ImmutableSandboxedEnvironment``: no attribute starting with ``_``, no
mutation of values, ``range`` bounded; ``{% trans %}`` and ``_()`` (Jinja's i18n
extension) look their text up in the email's message catalog. On top of that: names that are not
defined fail instead of printing nothing (``StrictUndefined``), ``None`` prints
as "", only plain values print or become text, no operator, method or filter
makes a value larger than the output bound (see ``bounds`` and ``filters``), and
none of it runs while a template compiles; the output, and what a macro or a
block gathers, is counted as it grows and cut off at ``MAX_OUTPUT_CHARS``; and a
render stops after ``MAX_RENDER_SECONDS`` (loops inside loops). ``default`` treats an
empty value as missing, as mail merge does. This module does not know where
templates come from (``context`` supplies the loader).
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from functools import update_wrapper
from string import Formatter
from types import BuiltinMethodType, MethodType
from typing import Any

from jinja2 import BaseLoader, StrictUndefined, Template, nodes
from jinja2.compiler import CodeGenerator, Frame, optimizeconst
from jinja2.environment import TemplateModule
from jinja2.runtime import Undefined
from jinja2.sandbox import ImmutableSandboxedEnvironment, SandboxedEscapeFormatter, SandboxedFormatter
from markupsafe import Markup

from campaignkit.emails.templates.bounds import (
    MAX_OUTPUT_CHARS,
    Output,
    OutputTooLarge,
    bounded_concat,
    bounded_range,
    check_binop,
    check_method,
    check_result,
    describe,
    format_spec_size,
    is_plain,
    making,
    plain,
    plain_text_size,
    within,
)
from campaignkit.emails.templates.filters import bounded_filters
from campaignkit.workspace.values import is_empty

#: An email renders in milliseconds; seconds mean loops inside loops that would run for hours.
MAX_RENDER_SECONDS = 5.0


class OutOfTime(OutputTooLarge):
    """A render ran for longer than ``MAX_RENDER_SECONDS``."""


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
    """What a printed expression becomes: "" for ``None``; an error for what has no text of its own.

    ``{{ cycler }}``, ``{{ self }}`` or a list would print Python's description of an
    object into the email (``<jinja2.utils.Cycler object at 0x7f...>``).
    """
    if value is None:
        return ""
    if is_plain(value):
        return value  # an Undefined raises its own error (a missing name, a refused attribute) as it prints
    raise TypeError(f"the template prints {describe(value)}, not text: print a merge field, a var or text")


class BoundedCodeGenerator(CodeGenerator):
    """Jinja's code generator, with what a template's code gathers or joins counted first.

    A macro's, a ``set`` block's or a ``filter`` block's output is gathered in an
    ``Output``, and ``a ~ b`` joins only plain values, and only as much text as the bound.
    """

    def buffer(self, frame: Frame) -> None:
        frame.buffer = self.temporary_identifier()
        self.writeline(f"{frame.buffer} = environment.output_buffer()")

    @optimizeconst
    def visit_Concat(self, node: nodes.Concat, frame: Frame) -> None:
        if frame.eval_ctx.volatile:  # as Jinja's own
            join = "(markup_join if context.eval_ctx.volatile else str_join)"
        else:
            join = "markup_join" if frame.eval_ctx.autoescape else "str_join"
        self.write(f"environment.joined({join}, (")
        for argument in node.nodes:
            self.visit(argument, frame)
            self.write(", ")
        self.write("))")


class BoundedTemplate(Template):
    """A template whose output, when it is imported (``{% import %}``), is counted as it is made:
    Jinja keeps an imported template's whole output."""

    def make_module(self, vars: dict[str, Any] | None = None, shared: bool = False,
                    locals: Mapping[str, Any] | None = None) -> TemplateModule:
        context = self.new_context(vars, shared, locals)
        output = Output()
        output.extend(self.root_render_func(context))
        return TemplateModule(self, context, output)


class _BoundedFields(Formatter):
    """``str.format``'s fields: plain values only, and no width or text past the bound."""

    written = 0  # the length of the fields formatted so far

    def format_field(self, value: Any, format_spec: str) -> Any:
        plain(value)
        within(format_spec_size(format_spec), "a field's width")
        text = super().format_field(value, format_spec)
        self.written += len(text)
        within(self.written, "the formatted text")
        return text


class _Formatter(_BoundedFields, SandboxedFormatter):
    pass


class _EscapeFormatter(_BoundedFields, SandboxedEscapeFormatter):
    pass


class EmailSandbox(ImmutableSandboxedEnvironment):
    """The sandbox, with repetition, powers, formatting and joining bounded so that one expression
    cannot exhaust memory.

    Raises ``OutputTooLarge`` (not a sandbox violation: the template is merely too big).
    """

    intercepted_binops = frozenset({"*", "**", "+", "%"})
    code_generator_class = BoundedCodeGenerator
    template_class = BoundedTemplate
    concat = staticmethod(bounded_concat)
    output_buffer = Output

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        check_binop(operator, left, right)
        return check_result(super().call_binop(context, operator, left, right), f"'{operator}'")

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805 - as Jinja's
        """A call from a template: methods of text bounded before they run, and what they return after."""
        args = check_method(__obj, args, kwargs)
        return check_result(super().call(__context, __obj, *args, **kwargs),
                            f"{getattr(__obj, '__name__', 'the call')}()")

    def joined(self, join: Callable[[Any], str], values: tuple[Any, ...]) -> str:
        """``a ~ b ~ ...``: plain values, joined if the text fits the bound."""
        within(sum(plain_text_size(value) for value in values), "the joined text")
        return check_result(join(values), "the joined text")

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        """``format`` and ``format_map`` of text, run as Jinja's sandbox runs them, with plain values
        and bounded widths (``'{:>3000000000}'``)."""
        if not isinstance(value, (MethodType, BuiltinMethodType)) or value.__name__ not in ("format", "format_map") \
                or not isinstance(value.__self__, str):
            return None
        text: str = value.__self__

        def formatted(*args: Any, **kwargs: Any) -> str:
            if value.__name__ == "format_map":
                if kwargs or len(args) != 1:
                    raise TypeError("format_map() takes exactly one argument")
                kwargs = args[0]
                args = ()
            formatter = _EscapeFormatter(self, escape=text.escape) if isinstance(text, Markup) else _Formatter(self)
            return type(text)(formatter.vformat(text, args, kwargs))

        return update_wrapper(formatted, value)


def make_environment(loader: BaseLoader, html: bool) -> EmailSandbox:
    """The environment for MJML/HTML templates (``html``: autoescaped) or for plain text."""
    environment = EmailSandbox(
        loader=loader,
        autoescape=html,
        undefined=StrictUndefined,
        finalize=_finalize,
        auto_reload=False,
        cache_size=0,  # the loader hands out templates it has already compiled and cached
        extensions=["jinja2.ext.i18n"],
    )
    # ``{% trans %}`` and ``_()`` say the template's own text unless a render is given an email's
    # catalog (``gettext`` and ``ngettext`` among its values: see ``emails.catalogs``).
    environment.install_null_translations()  # type: ignore[attr-defined]  # the i18n extension adds it
    environment.filters["default"] = environment.filters["d"] = merge_default
    environment.filters = bounded_filters(environment.filters)
    environment.globals["range"] = bounded_range
    # lipsum(n) can produce unbounded text and has no place in an email.
    environment.globals.pop("lipsum", None)
    return environment


def render_bounded(template: Template, values: Mapping[str, Any], limit: int = MAX_OUTPUT_CHARS) -> str:
    """``template`` rendered with ``values``; raises ``OutputTooLarge`` past ``limit`` characters or
    ``MAX_RENDER_SECONDS``."""
    output = Output(limit)
    with _time_limit(MAX_RENDER_SECONDS), making():
        output.extend(template.generate(values))
    return "".join(output)


@contextmanager
def _time_limit(seconds: float) -> Iterator[None]:
    """Raises ``OutOfTime`` in the block after ``seconds`` (an interval timer's signal).

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
    raise OutOfTime(f"the render took longer than {MAX_RENDER_SECONDS:g} s: "
                     "are there loops inside loops?")
