"""How much text one template may make, checked before it is made, and what may become text.

One line of Jinja can ask for gigabytes: ``{{ first_name|center(3000000000) }}``,
``'%3000000000s'|format(x)``, ``range(100000)|join(long_text)``. Python makes such a
value in one step, which no timer interrupts, so every way a template makes text or a
list is bounded here by what it would make, before it makes it: no value and no output
larger than ``MAX_OUTPUT_CHARS``. Estimates may be a few times too large (escaping is not
counted ahead), never too small; results are checked exactly once made, and counted: a
render makes at most ``MAX_MADE_CHARS`` in all, however many values it keeps.

Text is made of plain values only (text, numbers, dates, markup, and lists of them):
formatting ``cycler`` or ``loop`` would write Python's description of an object, with
its memory address, into an email.

This module knows values and sizes, not Jinja environments (``sandbox`` applies it).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date
from decimal import Decimal
from typing import Any, AnyStr

from jinja2.runtime import Undefined
from jinja2.sandbox import MAX_RANGE

#: An email's MJML before rendering is a few dozen KB; a million characters is a runaway loop.
MAX_OUTPUT_CHARS = 1_000_000
_MAX_EXPONENT = 1000
#: Python prints no integer of more than 4,300 digits, and divides large ones in time that
#: grows with the square of their length, which no timer interrupts.
_MAX_INT_DIGITS = 30_000
_MAX_INT_BITS = _MAX_INT_DIGITS * 10 // 3  # about three decimal digits in ten bits
#: Lists nest a few levels in a workspace's vars; deeper is measured as too large.
_MAX_DEPTH = 50
#: One ``%`` conversion: an optional key, flags, width and precision (``*``: taken from the values).
_CONVERSION = re.compile(r"%(?:\(([^)]*)\))?[#0 +-]*(\*|\d+)?(?:\.(\*|\d*))?[hlL]?(.)", re.S)
_NUMBERS = re.compile(r"\d+")
#: A number printed by ``%``: digits, sign, exponent and the separators, past any precision.
_NUMBER_CHARS = 400
#: What ``%r`` or ``%a`` can make of one character: ``\U0001f600``.
_REPR_GROWTH = 10


class OutputTooLarge(Exception):
    """A render, or one value in it, would be larger than its bound."""


def within(size: int, what: str) -> None:
    """Raises ``OutputTooLarge`` if ``what`` would be more than ``MAX_OUTPUT_CHARS`` long."""
    if size > MAX_OUTPUT_CHARS:
        raise OutputTooLarge(f"{what} would be larger than {MAX_OUTPUT_CHARS:,} characters")


#: What a template may print or make text of: text, numbers, dates, and markup (a platform's merge tag).
_PRINTABLE = (str, int, float, Decimal, date)


def is_plain(value: Any) -> bool:
    """Whether ``value`` has text of its own: None (""), text, a number, a date or markup.

    An undefined name counts: it raises its own error (a missing name, a refused
    attribute) as it becomes text.
    """
    return value is None or isinstance(value, (_PRINTABLE, Undefined)) or hasattr(value, "__html__")


def describe(value: Any) -> str:
    """What a value that is not plain is, in a message: "a class (Cycler)", "a function (range)", "a Joiner"."""
    if isinstance(value, type):
        return f"a class ({value.__name__})"
    return f"a function ({getattr(value, '__name__', '?')})" if callable(value) else f"a {type(value).__name__}"


def plain(*values: Any, depth: int = 0) -> None:
    """Raises ``TypeError`` unless every value is plain, or a list, tuple or dict of plain values
    (whose text is Python's, but says nothing of the machine: ``dictsort|join`` prints pairs)."""
    for value in values:
        if is_plain(value):
            continue
        if isinstance(value, (list, tuple, set, frozenset)) and depth < _MAX_DEPTH:
            plain(*value, depth=depth + 1)
        elif isinstance(value, dict) and depth < _MAX_DEPTH:
            plain(*value.keys(), *value.values(), depth=depth + 1)
        else:
            raise TypeError(f"the template makes text of {describe(value)}, which has none of its own: "
                            "make text of merge fields, vars and text")


def plain_text_size(value: Any) -> int:
    """The length of a plain value (or list of them) as text; a list is measured before it is written out."""
    plain(value)
    if isinstance(value, str):
        return len(value)
    within(size_of(value), "the text of a list")
    return len(str(value))


def size_of(value: Any, depth: int = 0) -> int:
    """About how long ``value`` is as text, counting what its lists hold; more than
    ``MAX_OUTPUT_CHARS`` is as good as any larger number, and is returned as soon as it is reached.

    A list of a thousand references to one long text is short in memory, but not once
    printed, joined or repeated.
    """
    if isinstance(value, (str, bytes)):
        return len(value)
    if hasattr(value, "__html__"):
        return len(str(value))  # markup, or an imported template (its whole text)
    if isinstance(value, bool) or not isinstance(value, (int, list, tuple, dict, set, frozenset)):
        return 1
    if isinstance(value, int):
        return value.bit_length() // 3 + 1
    if depth > _MAX_DEPTH:
        return MAX_OUTPUT_CHARS + 1
    items = [item for pair in value.items() for item in pair] if isinstance(value, dict) else value
    total = 0
    for item in items:
        total += size_of(item, depth + 1) + 1
        if total > MAX_OUTPUT_CHARS:
            break
    return total


def check_binop(operator: str, left: Any, right: Any) -> None:
    """Raises ``OutputTooLarge`` (or ``TypeError`` for a value that is not plain) before an operator
    would make a value larger than the bound: repeating, adding, powers, and ``%`` formatting."""
    if operator == "**" and isinstance(right, int) and abs(right) > _MAX_EXPONENT:
        raise OutputTooLarge(f"the exponent {right} is larger than {_MAX_EXPONENT}")
    if operator == "**" and isinstance(left, int) and isinstance(right, int) and \
            right * left.bit_length() > _MAX_INT_BITS:
        raise OutputTooLarge(f"a power with more than {_MAX_INT_DIGITS:,} digits")
    if operator == "*" and isinstance(left, int) and isinstance(right, int):
        if left.bit_length() + right.bit_length() > _MAX_INT_BITS:
            raise OutputTooLarge(f"a product with more than {_MAX_INT_DIGITS:,} digits")
    elif operator == "*" and isinstance(left, int) != isinstance(right, int):
        count, item = (left, right) if isinstance(left, int) else (right, left)
        if isinstance(item, (str, bytes, list, tuple)) and count * size_of(item) > MAX_OUTPUT_CHARS:
            raise OutputTooLarge(f"repeating a value {count} times would exceed {MAX_OUTPUT_CHARS:,} characters")
    if operator == "+" and not isinstance(left, (int, float)):
        within(size_of(left) + size_of(right), "the sum")
    if operator == "%" and isinstance(left, (str, bytes)):
        within(formatted_size(left, right), "the formatted text")


def formatted_size(template: str | bytes, values: Any) -> int:
    """At most how long ``template % values`` is: its text, every width and precision, and every value.

    Raises ``TypeError`` for a value that is not plain.
    """
    text = template.decode("latin-1") if isinstance(template, bytes) else template
    mapping = values if isinstance(values, Mapping) else None
    positional = iter(values if isinstance(values, tuple) else (values,))
    size = len(text)
    for conversion in _CONVERSION.finditer(text):
        key, width, precision, kind = conversion.groups()
        if kind == "%":
            continue
        for part in (width, precision):
            size += _count(next(positional, 0) if part == "*" else int(part or 0))
        value = mapping.get(key) if mapping is not None and key is not None else next(positional, None)
        size += _conversion_size(value, kind)
    return size


def _count(number: Any) -> int:
    return number if isinstance(number, int) else 0


def _conversion_size(value: Any, kind: str) -> int:
    if kind in "sra":
        return plain_text_size(value) * (_REPR_GROWTH if kind in "ra" else 1)
    plain(value)
    return _NUMBER_CHARS + (size_of(value) if isinstance(value, int) else 0)


def format_spec_size(spec: str) -> int:
    """The largest width or precision in a ``str.format`` field's spec (``>3000000000``)."""
    return max((int(number) for number in _NUMBERS.findall(spec)), default=0)


def joined_size(items: Iterable[Any], separator: Any = "") -> int:
    """How long ``items`` joined with ``separator`` are; stops counting past the bound."""
    step = size_of(separator)
    total = -step
    for item in items:
        total += size_of(item) + step
        if total > MAX_OUTPUT_CHARS:
            break
    return max(total, 0)


def replaced_size(text: AnyStr, old: AnyStr, new: AnyStr, count: int | None) -> int:
    """How long ``text.replace(old, new, count)`` is."""
    found = text.count(old) if old else len(text) + 1
    if isinstance(count, int) and count >= 0:
        found = min(found, count)
    return len(text) + found * max(len(new) - len(old), 0)


def bounded_range(*args: int) -> range:
    """``range`` of at most ``MAX_RANGE`` numbers, the sandbox's own bound, as a render limit."""
    numbers = range(*args)
    try:
        count = len(numbers)
    except OverflowError:  # more than a machine integer
        count = MAX_RANGE + 1
    if count > MAX_RANGE:
        raise OutputTooLarge(f"range() of more than {MAX_RANGE:,} numbers")
    return numbers


# -- methods of text -------------------------------------------------------------------------------

def _argument(args: tuple[Any, ...], kwargs: Mapping[str, Any], name: str, default: Any) -> Any:
    """An argument given by position (first) or by name."""
    return args[0] if args else kwargs.get(name, default)


def _padded(text: Any, args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> int:
    return max(len(text), _count(_argument(args, kwargs, "width", 0)))


def _tabs(text: Any, args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> int:
    tab = "\t" if isinstance(text, str) else b"\t"
    return len(text) + text.count(tab) * _count(_argument(args, kwargs, "tabsize", 8))


def _replaced(text: Any, args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> int:
    if len(args) < 2:
        return len(text)  # the method refuses to run
    old, new = args[:2]
    if hasattr(text, "__html__"):  # markup makes escaped text of what it is given
        plain(old, new)
        old, new = text.escape(old), text.escape(new)
    kind = str if isinstance(text, str) else bytes
    if not isinstance(old, kind) or not isinstance(new, kind):
        return len(text)  # the method refuses these arguments itself
    return replaced_size(text, old, new, args[2] if len(args) > 2 else kwargs.get("count"))


def _translated(text: Any, args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> int:
    table = args[0] if args else None
    replacements = table.values() if isinstance(table, Mapping) else table if isinstance(table, (list, tuple)) else ()
    return len(text) * max([1, *(size_of(each) for each in replacements)])


#: The methods of text (and bytes and integers) whose result can be far longer than the
#: text itself, and how long it would be. ``join``, ``format`` and ``format_map`` are the
#: sandbox's to bound: they read what they are given.
_METHOD_SIZES: dict[str, Callable[[Any, tuple[Any, ...], Mapping[str, Any]], int]] = {
    "center": _padded, "ljust": _padded, "rjust": _padded, "zfill": _padded,
    "expandtabs": _tabs, "replace": _replaced, "translate": _translated,
}


def check_method(method: Any, args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> tuple[Any, ...]:
    """Raises ``OutputTooLarge`` before a method of text would make more than the bound; returns
    the arguments to call it with (what ``join`` joins, read once)."""
    owner = getattr(method, "__self__", None)
    name = getattr(method, "__name__", "")
    if isinstance(owner, int) and name == "to_bytes":
        within(_count(_argument(args, kwargs, "length", 1)), "to_bytes()")
    if not isinstance(owner, (str, bytes)):
        return args
    if name == "join" and args:
        items = list(args[0])
        if hasattr(owner, "__html__"):  # markup escapes what it joins, as text
            plain(*items)
        within(joined_size(items, owner), "join()")
        return (items, *args[1:])
    size = _METHOD_SIZES.get(name)
    if size is not None:
        within(size(owner, args, kwargs), f"{name}()")
    return args


def check_result(value: Any, what: str) -> Any:
    """``value``, if it is text no longer than the bound (a result already made, checked exactly),
    counted in what the render makes in all."""
    if isinstance(value, (str, bytes)):
        within(len(value), what)
        made(len(value))
    elif isinstance(value, (list, tuple, dict)):
        made(size_of(value))
    return value


# -- what one render makes in all -------------------------------------------------------------------

#: What a render may make in all, every value on the way to its output counted: each is bounded,
#: but a loop or a list can keep thousands (``range(100000)|map('center', 999999)|list``).
MAX_MADE_CHARS = 10 * MAX_OUTPUT_CHARS
#: The characters made so far by the render under way (a list, to be counted in place); None outside one.
_made: ContextVar[list[int] | None] = ContextVar("made", default=None)


@contextmanager
def making() -> Iterator[None]:
    """The block is a render, which counts what it makes (``made``); a render inside one shares its count."""
    if _made.get() is not None:
        yield
        return
    token = _made.set([0])
    try:
        yield
    finally:
        _made.reset(token)


def made(size: int) -> None:
    """Counts ``size`` more characters made by the render under way; raises ``OutputTooLarge`` past
    ``MAX_MADE_CHARS``."""
    count = _made.get()
    if count is None:
        return
    count[0] += size
    if count[0] > MAX_MADE_CHARS:
        raise OutputTooLarge(f"the template makes more than {MAX_MADE_CHARS:,} characters of text in all "
                             "(values held in a loop or a list?)")


# -- output as it grows ---------------------------------------------------------------------------

class Output(list[str]):
    """Text output by a render, a macro or a block as it is made: past the bound, it stops the render.

    Jinja gathers a macro's or a ``set`` block's output in a list and joins it at the end,
    so each piece is counted as it is added, not once joined.
    """

    __slots__ = ("size", "limit")

    def __init__(self, limit: int = MAX_OUTPUT_CHARS) -> None:
        super().__init__()
        self.size = 0
        self.limit = limit

    def append(self, piece: str) -> None:
        self._grow(len(piece))
        super().append(piece)

    def extend(self, pieces: Iterable[str]) -> None:
        if isinstance(pieces, (list, tuple)):
            self._grow(sum(map(len, pieces)))
            super().extend(pieces)
        else:
            for piece in pieces:
                self.append(piece)

    def _grow(self, size: int) -> None:
        self.size += size
        if self.size > self.limit:
            raise OutputTooLarge(f"the rendered template is larger than {self.limit:,} characters")
        made(size)


def bounded_concat(pieces: Iterable[str]) -> str:
    """``"".join(pieces)``, counting the pieces as they come (Jinja's ``concat``)."""
    if isinstance(pieces, Output):
        return "".join(pieces)
    output = Output()
    output.extend(pieces)
    return "".join(output)
