"""What a template's Jinja says, found by walking its syntax tree without running it, and its code.

For one template source: the names it looks up in the merge context (each with
its line and column, and whether a fallback guards it), the names it binds
itself, the other templates it includes or imports, and any attribute access
the sandbox would refuse. Rendering one sample prospect would miss every branch
it does not take, hence the tree. The source is parsed once and the same tree
is compiled, with Jinja's code generator noting which names it resolves from
the context (what ``jinja2.meta`` would find with a second code generation).
The tree and the code are those of the template's skeleton (see ``jinja_source``),
compiled under a stand-in name, so one compilation serves every template with
the same Jinja; ``code_for_template`` gives the code one template's text, name and lines,
``placed`` gives the facts its lines and columns.
A string literal stays a mark in the shared code only where Jinja uses it as a
value when the template runs (a loop's list, a ``set``, a call's or a filter's
argument); where Jinja's compiler could evaluate it first (``{{ "a" | upper }}``),
or where the facts read it (an include's name), the literal is written back.
Findings are plain values; whether one is an error is for the checks.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from io import StringIO
from types import CodeType
from typing import NamedTuple, TypeVar

from jinja2 import Environment, TemplateSyntaxError, nodes
from jinja2.compiler import Frame
from jinja2.nodes import EvalContext, Impossible
from jinja2.sandbox import (
    UNSAFE_ASYNC_GENERATOR_ATTRIBUTES,
    UNSAFE_COROUTINE_ATTRIBUTES,
    UNSAFE_FUNCTION_ATTRIBUTES,
    UNSAFE_GENERATOR_ATTRIBUTES,
    UNSAFE_METHOD_ATTRIBUTES,
)

from campaignkit.emails.templates.sandbox import BoundedCodeGenerator
from campaignkit.emails.templates.source import MARK, Piece, Skeleton, jinja_column, restore_text, skeleton

_UNSAFE_NAMES = (UNSAFE_FUNCTION_ATTRIBUTES | UNSAFE_METHOD_ATTRIBUTES | UNSAFE_GENERATOR_ATTRIBUTES
                 | UNSAFE_COROUTINE_ATTRIBUTES | UNSAFE_ASYNC_GENERATOR_ATTRIBUTES)
#: Names Jinja itself provides inside loops, macros and call blocks.
_JINJA_SPECIAL = frozenset({"loop", "caller", "varargs", "kwargs", "self", "super"})
_FALLBACK_FILTERS = frozenset({"default", "d"})
#: The tags that name another template, and what each does with it.
_Referring = nodes.Include | nodes.Import | nodes.FromImport | nodes.Extends
_REFERENCES: dict[type[_Referring], str] = {
    nodes.Include: "include", nodes.Import: "import", nodes.FromImport: "import", nodes.Extends: "extends",
}
_JINJA_REGION = re.compile(r"\{\{.*?\}\}|\{%.*?%\}", re.S)
#: The name shapes are compiled under (Python refuses NUL in a file name; no template is named this).
SHAPE_NAME = "\x01shared template\x01"
#: Where Jinja only uses a value when the template runs; containers pass the slot on to their items.
_RUNTIME_SLOTS: dict[type[nodes.Node], tuple[str, ...]] = {
    nodes.For: ("iter",),
    nodes.Assign: ("node",),
    nodes.Call: ("args", "kwargs", "dyn_args", "dyn_kwargs"),
    nodes.Macro: ("defaults",),
    nodes.CallBlock: ("defaults",),
}
_CONTAINERS = (nodes.List, nodes.Tuple, nodes.Dict, nodes.Pair, nodes.Keyword)
_HOLDING_TEXT = (nodes.Macro, nodes.CallBlock, nodes.FilterBlock, nodes.AssignBlock, nodes.Block)
T = TypeVar("T", "NameUse", "Reference", "UnsafeAccess")


class NameUse(NamedTuple):
    """A name looked up in the merge context; ``guarded`` if a fallback or a test covers it."""

    name: str
    line: int
    column: int
    guarded: bool


class Reference(NamedTuple):
    """Another template named by ``include``, ``import`` or ``extends``; ``name`` None if not a literal."""

    kind: str
    name: str | None
    line: int
    column: int


class UnsafeAccess(NamedTuple):
    """An attribute the sandbox refuses to read, such as ``__class__``."""

    attribute: str
    line: int
    column: int


@dataclass(frozen=True)
class TemplateFacts:
    syntax_error: str | None = None
    error_line: int = 1
    uses: tuple[NameUse, ...] = ()
    bound: frozenset[str] = frozenset()
    references: tuple[Reference, ...] = ()
    unsafe: tuple[UnsafeAccess, ...] = ()


@dataclass(frozen=True)
class Shape:
    """What a skeleton compiles to: facts with skeleton lines and no columns, and marked code.

    ``debug_lines`` is Jinja's table of (template line, code line) pairs, which ``code_for_template``
    turns into the template's own lines so that runtime errors name the right one.
    """

    facts: TemplateFacts
    code: CodeType | None
    debug_lines: tuple[tuple[int, int], ...] = ()
    holds_text: bool = True  # whether literal text can be changed before it is output (see ``_holds_text``)


@dataclass
class ShapeCache:
    """Compilations by skeleton, and for each skeleton the string literals its code keeps written out."""

    #: By skeleton and the string literals written out in it (compiling writes them back in).
    shapes: dict[tuple[str, tuple[str, ...]], Shape] = field(default_factory=dict)
    kept: dict[str, tuple[int, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class Analysis:
    """One template's facts and its compiled code (None when it does not parse).

    Both are made as they are read: the facts are placed at the template's own lines
    and columns, which rendering an email that ``validate`` has already checked never
    reads, and the code is the shape's with this template's text, which ``validate``
    needs only for templates whose shape cannot render for them (see ``EmailContext.sample_render``).
    """

    shape: Shape
    source: str
    marked: Skeleton
    name: str

    @cached_property
    def facts(self) -> PlacedFacts:
        return PlacedFacts(self.shape.facts, self.source, self.marked)

    @cached_property
    def code(self) -> CodeType | None:
        return code_for_template(self.shape, self.marked, self.name)


def analyse(environment: Environment, source: str, pieces: list[Piece], name: str,
            shapes: ShapeCache | None = None) -> Analysis:
    """The facts of ``source`` (split into ``pieces``) and its compiled code.

    ``shapes`` keeps compilations by skeleton, so that templates that differ only in
    their literal text are compiled once.
    """
    marked = skeleton(source, pieces)
    cache = shapes if shapes is not None else ShapeCache()
    tree = None
    if marked.quoted and marked.text not in cache.kept:
        tree, kept = _literals_kept(environment, marked)
        cache.kept[marked.text] = tuple(sorted(kept))
    kept_marks = cache.kept[marked.text] if marked.quoted else ()
    key = (marked.text, tuple(marked.quoted[mark] for mark in kept_marks))
    shape = cache.shapes.get(key)
    if shape is None:  # the text is written out only to compile it
        shape = cache.shapes[key] = shape_of(environment, marked.keeping(kept_marks), tree)
    return Analysis(shape, source, marked, name)


def _literals_kept(environment: Environment, marked: Skeleton) -> tuple[nodes.Template | None, frozenset[int]]:
    """The marks of string literals that must be written out again, and the tree with them written out.

    No tree when the skeleton does not parse: every literal is kept, so that Jinja
    reports the error on the source as written.
    """
    try:
        tree = environment.parse(marked.text, name=SHAPE_NAME)
        kept = frozenset(marked.quoted) - set(_runtime_marks(tree, EvalContext(environment, SHAPE_NAME), False))
        for const in tree.find_all(nodes.Const):
            if isinstance(const.value, str) and "\x00" in const.value:
                const.value = MARK.sub(lambda mark: _written_out(mark, kept, marked.literals), const.value)
    except (TemplateSyntaxError, RecursionError):
        return None, frozenset(marked.quoted)
    return tree, kept


def _written_out(mark: re.Match[str], kept: frozenset[int], literals: list[str]) -> str:
    return literals[int(mark.group(1))] if int(mark.group(1)) in kept else mark.group()


def _runtime_marks(node: nodes.Node, eval_ctx: EvalContext, in_slot: bool) -> Iterator[int]:
    """The marks below ``node`` that are whole constants in a runtime slot (see ``_RUNTIME_SLOTS``)."""
    if isinstance(node, nodes.Const):
        mark = MARK.fullmatch(node.value) if in_slot and isinstance(node.value, str) else None
        if mark:
            yield int(mark.group(1))
        return
    passes_on = in_slot and isinstance(node, _CONTAINERS)
    slots = _filter_slots(node, eval_ctx) if isinstance(node, (nodes.Filter, nodes.Test)) else _RUNTIME_SLOTS.get(
        type(node), ())
    for name, value in node.iter_fields():
        for child in value if isinstance(value, list) else [value]:
            if isinstance(child, nodes.Node):
                yield from _runtime_marks(child, eval_ctx, passes_on or name in slots)


def _filter_slots(node: nodes.Filter | nodes.Test, eval_ctx: EvalContext) -> tuple[str, ...]:
    """A filter's or test's arguments, unless the compiler can evaluate it (its value is constant).

    ``attr``'s argument is an attribute name, which the facts read.
    """
    if node.node is None or node.name == "attr":
        return ()
    try:
        node.node.as_const(eval_ctx)
    except Impossible:
        return _RUNTIME_SLOTS[nodes.Call]
    except Exception:  # noqa: BLE001, S110 - evaluating it failed, so the compiler would try too: not a runtime slot
        pass
    return ()


def code_for_template(shape: Shape, marked: Skeleton, name: str) -> CodeType | None:
    """The code of one template of ``shape``: its literal text, its name and its lines."""
    if shape.code is None:
        return None
    line = marked.source_line
    own_lines = tuple((line(template_line), code_line) for template_line, code_line in shape.debug_lines)
    renamed = {SHAPE_NAME: name, _debug_info(shape.debug_lines): _debug_info(own_lines)}
    return restore_text(shape.code, marked.literals, renamed)


def marked_code(shape: Shape, marked: Skeleton) -> CodeType:
    """The code of ``shape`` with one template's string literals, and its literal text still marked:
    what renders every template of that shape and those literals, once their text is put back."""
    assert shape.code is not None
    literals = [text if mark in marked.quoted else f"\x00{mark}\x01" for mark, text in enumerate(marked.literals)]
    return restore_text(shape.code, literals)


class PlacedFacts:
    """A shape's facts at the lines and columns of one template of that shape.

    Each kind of finding is placed when first read: checking an email reads which names
    its templates merge (``shape.uses``), but where one stands only when a diagnostic
    points at it, and finding columns is most of the cost.
    """

    def __init__(self, shape: TemplateFacts, source: str, marked: Skeleton) -> None:
        self.shape = shape
        self._source = source
        self._marked = marked

    @property
    def syntax_error(self) -> str | None:
        return self.shape.syntax_error

    @property
    def bound(self) -> frozenset[str]:
        return self.shape.bound

    @cached_property
    def error_line(self) -> int:
        return self._marked.source_line(self.shape.error_line)

    @property
    def error_column(self) -> int:
        """Jinja tells only the line of a syntax error: its first Jinja is the best guess."""
        line = self.error_line
        return jinja_column(self._lines[line - 1] if 0 < line <= len(self._lines) else "")

    @cached_property
    def uses(self) -> tuple[NameUse, ...]:
        return self._placed(self.shape.uses, lambda use: use.name)

    @cached_property
    def references(self) -> tuple[Reference, ...]:
        return self._placed(self.shape.references, lambda reference: reference.kind)

    @cached_property
    def unsafe(self) -> tuple[UnsafeAccess, ...]:
        return self._placed(self.shape.unsafe, lambda access: access.attribute)

    def _placed(self, findings: tuple[T, ...], word: Callable[[T], str]) -> tuple[T, ...]:
        if not findings:
            return findings
        locate = Locator(self._lines)
        placed = []
        for finding in findings:
            own_line = self._marked.source_line(finding.line)
            placed.append(finding._replace(line=own_line, column=locate(own_line, word(finding))))
        return tuple(placed)

    @cached_property
    def _lines(self) -> list[str]:
        return self._source.splitlines()


def shape_of(environment: Environment, text: str, tree: nodes.Template | None = None) -> Shape:
    """Parses (unless ``tree`` is its tree) and compiles a skeleton once, walking the tree for facts first."""
    try:
        tree = tree or environment.parse(text, name=SHAPE_NAME)
        loads = list(_name_loads(tree, frozenset(), False))
        bound, references, unsafe = _declarations(tree)
        generator = _TrackingGenerator(environment, SHAPE_NAME, SHAPE_NAME)
        generator.visit(tree)
        code = compile(generator.python_source.getvalue(), SHAPE_NAME, "exec")
    except TemplateSyntaxError as exc:  # TemplateAssertionError, raised by the generator, is one too
        return Shape(TemplateFacts(syntax_error=exc.message or str(exc), error_line=exc.lineno or 1), None)
    except (RecursionError, SyntaxError):  # Jinja's parser and code generator recurse once per level of
        # nesting, and Python compiles at most 100 levels of its indentation
        return Shape(TemplateFacts(syntax_error="blocks and expressions are nested too deeply"), None)
    context_names = generator.context_names - set(environment.globals) - _JINJA_SPECIAL
    uses = tuple(NameUse(node.name, node.lineno, 1, guarded) for node, guarded in loads if node.name in context_names)
    return Shape(TemplateFacts(uses=uses, bound=bound, references=references, unsafe=unsafe), code,
                 tuple(generator.debug_info), _holds_text(tree))


def _holds_text(tree: nodes.Template) -> bool:
    """Whether literal text can be held and changed before it is output (a macro's body, a ``set``
    block, a filter block, a recursive loop), rather than output as it is written."""
    return (next(tree.find_all(_HOLDING_TEXT), None) is not None
            or any(loop.recursive for loop in tree.find_all(nodes.For)))


def _debug_info(lines: tuple[tuple[int, int], ...]) -> str:
    """Jinja's ``debug_info`` module constant for ``lines``, written as its code generator writes it."""
    return "&".join(f"{template_line}={code_line}" for template_line, code_line in lines)


class _TrackingGenerator(BoundedCodeGenerator):
    """Jinja's code generator, also noting every name the template resolves from its context."""

    def __init__(self, environment: Environment, name: str, filename: str) -> None:
        self.python_source = StringIO()  # the code it writes (Jinja's ``stream`` may be any text stream)
        super().__init__(environment, name, filename, self.python_source)
        self.context_names: set[str] = set()

    def enter_frame(self, frame: Frame) -> None:
        super().enter_frame(frame)
        self.context_names.update(param for action, param in frame.symbols.loads.values() if action == "resolve")


def _name_loads(node: nodes.Node, guards: frozenset[str], in_test: bool) -> Iterator[tuple[nodes.Name, bool]]:
    """Every name read below ``node``, with whether a fallback covers it.

    A name is covered when it is the value of ``| default(...)``, the left side of
    ``or``, part of an ``if`` test, or read inside the branch that test guards.
    """
    if isinstance(node, nodes.Name):
        if node.ctx == "load":
            yield node, in_test or node.name in guards
    elif isinstance(node, nodes.Filter) and node.name in _FALLBACK_FILTERS and isinstance(node.node, nodes.Name):
        yield node.node, True
        for argument in (*node.args, *(k.value for k in node.kwargs)):
            yield from _name_loads(argument, guards, in_test)
    elif isinstance(node, (nodes.If, nodes.CondExpr)):
        yield from _conditional(node, guards, in_test)
    elif isinstance(node, nodes.Or):
        yield from _name_loads(node.left, guards, True)
        yield from _name_loads(node.right, guards, in_test)
    elif isinstance(node, nodes.Test):
        yield from _name_loads(node.node, guards, True)
        for argument in node.args:
            yield from _name_loads(argument, guards, in_test)
    else:
        for child in node.iter_child_nodes():
            yield from _name_loads(child, guards, in_test)


def _conditional(node: nodes.If | nodes.CondExpr, guards: frozenset[str], in_test: bool
                 ) -> Iterator[tuple[nodes.Name, bool]]:
    test = node.test
    yield from _name_loads(test, guards, True)
    tested = guards | {name.name for name in (test, *test.find_all(nodes.Name)) if isinstance(name, nodes.Name)}
    branches: list[tuple[Sequence[nodes.Node], frozenset[str]]]
    if isinstance(node, nodes.If):
        branches = [(node.body, tested), (node.elif_, guards), (node.else_, guards)]
    else:
        branches = [([node.expr1], tested), ([node.expr2] if node.expr2 else [], guards)]
    for body, covered in branches:
        for child in body:
            yield from _name_loads(child, covered, in_test)


def _declarations(tree: nodes.Template) -> tuple[frozenset[str], tuple[Reference, ...], tuple[UnsafeAccess, ...]]:
    """The names ``tree`` binds, the templates it names and its unsafe accesses, in one walk."""
    bound: set[str] = set()
    references: list[Reference] = []
    unsafe: list[UnsafeAccess] = []
    for node in tree.find_all((nodes.Name, nodes.Macro, nodes.Import, nodes.FromImport, nodes.Include,
                               nodes.Extends, nodes.Getattr, nodes.Getitem, nodes.Filter)):
        if isinstance(node, nodes.Name):
            if node.ctx != "load":
                bound.add(node.name)
        elif isinstance(node, nodes.Macro):
            bound.add(node.name)
        if isinstance(node, nodes.Import):
            bound.add(node.target)
        elif isinstance(node, nodes.FromImport):
            bound.update(alias if isinstance(alias, str) else alias[-1] for alias in node.names)
        if isinstance(node, _Referring):
            references.append(_reference(node))
        attribute = _accessed_attribute(node)
        if isinstance(attribute, str) and (attribute.startswith("_") or attribute in _UNSAFE_NAMES):
            unsafe.append(UnsafeAccess(attribute, node.lineno, 1))
    return frozenset(bound), tuple(references), tuple(unsafe)


def _reference(node: _Referring) -> Reference:
    literal = node.template.value if isinstance(node.template, nodes.Const) else None
    return Reference(_REFERENCES[type(node)], literal if isinstance(literal, str) else None, node.lineno, 1)


def _accessed_attribute(node: nodes.Node) -> object:
    """The attribute name ``node`` reads (``x.name``, ``x["name"]``, ``x|attr("name")``), if any."""
    if isinstance(node, nodes.Getattr):
        return node.attr
    if isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const):
        return node.arg.value
    if isinstance(node, nodes.Filter) and node.name == "attr" and node.args and isinstance(node.args[0], nodes.Const):
        return node.args[0].value
    return None


class Locator:
    """Columns for names the tree reports by line only: the n-th occurrence on that line within Jinja."""

    def __init__(self, lines: list[str]) -> None:
        self._lines = lines
        self._seen: dict[tuple[int, str], int] = {}
        self._regions: dict[int, list[tuple[int, str]]] = {}

    def __call__(self, line: int, word: str) -> int:
        """The column of ``word``'s next occurrence on ``line`` (the first, the first time)."""
        nth = self._seen.get((line, word), 0)
        self._seen[(line, word)] = nth + 1
        return self.column(line, word, nth)

    def column(self, line: int, word: str, nth: int) -> int:
        """The column of the ``nth`` (from 0) occurrence of ``word`` within the Jinja on ``line``; 1 if none."""
        if not 0 < line <= len(self._lines):
            return 1
        columns = [start + hit.start() + 1 for start, region in self._jinja_on(line) if word in region
                   for hit in _word(word).finditer(region)]
        if not columns:
            return 1
        return columns[min(nth, len(columns) - 1)]

    def _jinja_on(self, line: int) -> list[tuple[int, str]]:
        if line not in self._regions:
            self._regions[line] = [(region.start(), region.group())
                                   for region in _JINJA_REGION.finditer(self._lines[line - 1])]
        return self._regions[line]


@lru_cache(maxsize=1024)
def _word(word: str) -> re.Pattern[str]:
    return re.compile(rf"(?<!\w){re.escape(word)}\b")
