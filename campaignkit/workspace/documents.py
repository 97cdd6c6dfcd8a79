"""Loading: YAML files into plain Python data that remembers where each value stood.

Mappings and sequences come back as ``LocatedDict`` and ``LocatedList``: a dict
and a list that also carry the line and column of every key and item, so that
any later check can point at the exact place in the file. Loading refuses what
would hurt later stages, each as a diagnostic: files that are too large or are
not plain files of the workspace (``files``), bytes that are not UTF-8, syntax
errors, values their tag cannot make (``!!int abc``, a number too long to read),
duplicate keys (which PyYAML silently accepts), nesting deep enough to crash
libyaml, and alias bombs. It does not
know about resource kinds; that is ``workspace``'s job.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from campaignkit.diagnostics import Diagnostic, Position, error
from campaignkit.workspace.files import Refused, TooLarge, read_inside

try:  # libyaml's C parser; the pure-Python one only where libyaml is missing
    _BaseLoader = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _BaseLoader = yaml.SafeLoader  # type: ignore[misc,assignment]  # same interface; checked as the C one

MAX_FILE_BYTES = 5 * 1024 * 1024
#: Deeper nesting than any campaign needs; libyaml's composer recurses in C and
#: crashes the process somewhere past 20,000 levels, so we never let it try.
MAX_DEPTH = 64
#: Cheap bound on nesting: with fewer indicators than this a file cannot nest
#: deep enough to crash libyaml, so the slower event scan is skipped.
_NESTING_INDICATORS_SAFE = 10_000
#: How many nodes a document may expand to through aliases.
MAX_EXPANDED_NODES = 200_000
_ALIAS = re.compile(r"(?:^|[\s\[{,:?-])\*[^\s,\[\]{}]")
#: Always empty: its methods stand in for the path-resolver hooks (see ``_PositionLoader``).
_NO_PATHS: dict[yaml.Node, None] = {}


class LocatedDict(dict):
    """A dict that knows where it, its keys and its values start in the file.

    ``marks`` holds four numbers for each key, in the order of the keys: the line and column
    of the key, then of its value. One flat list rather than a tuple for each key: a workspace
    has hundreds of thousands of keys, every one is sent to the email processes, and a
    position is read only for a diagnostic.
    """

    __slots__ = ("source", "line", "column", "marks")
    source: str
    line: int
    column: int
    marks: list[int]

    def key_position(self, key: Any) -> Position:
        at = self._marks_of(key)
        return self._own() if at is None else Position(self.source, self.marks[at], self.marks[at + 1])

    def value_position(self, key: Any) -> Position:
        at = self._marks_of(key)
        return self._own() if at is None else Position(self.source, self.marks[at + 2], self.marks[at + 3])

    def _marks_of(self, key: Any) -> int | None:
        """Where the marks of ``key`` start in ``marks``; None if there is no such key."""
        return 4 * list(self).index(key) if key in self else None

    def _own(self) -> Position:
        return Position(self.source, self.line, self.column)


class LocatedList(list):
    """A list that knows where it and each of its items start in the file: ``marks`` holds the line
    and column of each item, one after the other."""

    __slots__ = ("source", "line", "column", "marks")
    source: str
    line: int
    column: int
    marks: list[int]

    def value_position(self, index: int) -> Position:
        if 0 <= index and 2 * index + 1 < len(self.marks):
            return Position(self.source, self.marks[2 * index], self.marks[2 * index + 1])
        return Position(self.source, self.line, self.column)


Located = LocatedDict | LocatedList


def without_keys(data: dict[str, Any], keys: Collection[Any]) -> dict[str, Any]:
    """A copy of ``data`` without ``keys``, whose other keys and values keep their places in the file."""
    kept = {key: value for key, value in data.items() if key not in keys}
    if not isinstance(data, LocatedDict):
        return kept
    located = LocatedDict(kept)
    located.source, located.line, located.column = data.source, data.line, data.column
    located.marks = [n for at, key in enumerate(data) if key not in keys for n in data.marks[4 * at:4 * at + 4]]
    return located


def position_of(value: Any, path: Sequence[str | int], default: Position) -> Position:
    """Where the node at ``path`` below ``value`` starts, or the nearest parent's place.

    A path that leaves the loaded data (a key that is missing, say) resolves to
    the deepest node that exists, which is where a user would add the key.
    """
    where: Position | None = None
    for step in path:
        if isinstance(value, LocatedDict) and step in value:
            where = value.value_position(step)
            value = value[step]
        elif isinstance(value, LocatedList) and isinstance(step, int) and 0 <= step < len(value):
            where = value.value_position(step)
            value = value[step]
        else:
            break
    return where if where is not None else _own_position(value, default)


def key_position_of(value: Any, path: Sequence[str | int], default: Position) -> Position:
    """Where the *key* at the end of ``path`` stands (for "unknown key" messages)."""
    parent = value
    for step in path[:-1]:
        if isinstance(parent, dict) and step in parent:
            parent = parent[step]
        elif isinstance(parent, list) and isinstance(step, int) and 0 <= step < len(parent):
            parent = parent[step]
        else:
            return position_of(value, path, default)
    if path and isinstance(parent, LocatedDict) and path[-1] in parent:
        return parent.key_position(path[-1])
    return position_of(value, path, default)


def _own_position(value: Any, default: Position) -> Position:
    if isinstance(value, (LocatedDict, LocatedList)):
        return Position(value.source, value.line, value.column)
    return default


class _PositionLoader(_BaseLoader):
    """SafeLoader that builds located containers and records duplicate keys."""

    def __init__(self, stream: str, source: str) -> None:
        super().__init__(stream)
        self.source = source
        self.duplicates: list[tuple[Any, Position]] = []
        self._merges = "<<" in stream  # merge keys are rare: look for them only in files that may have one
        # An alias's node is built once, as PyYAML does; a file without a ``*`` has none to remember.
        self._built: dict[yaml.Node, Located] | None = {} if "*" in stream else None

    # PyYAML's composer tells its path resolvers where it is, at every node: (node, index) going
    # down, nothing coming back. ``resolve`` below uses no path resolvers, so the hooks are
    # callables of C that ignore what they are given, instead of a Python method call each
    # (the composer drops what they return).
    descend_resolver: Callable[..., None] = _NO_PATHS.get
    ascend_resolver: Callable[[], None] = _NO_PATHS.clear

    def resolve(self, kind: type, value: str | None, implicit: tuple[bool, bool]) -> str:
        """The tag of a node: PyYAML's resolution without its path-resolver machinery.

        It runs once per scalar in Python even under the C loader, so it is on
        the hot path of every command.
        """
        if value is not None:  # a scalar: the composer asks for a collection's tag before it has a value
            if implicit[0]:
                for tag, pattern in _CORE_RESOLVERS.get(value[:1], ()):
                    if pattern.match(value):
                        return tag
            return "tag:yaml.org,2002:str"
        return "tag:yaml.org,2002:seq" if kind is yaml.SequenceNode else "tag:yaml.org,2002:map"

    def construct_document(self, node: yaml.Node) -> Any:
        """The document's data, built by ``_build`` rather than PyYAML's generic constructor.

        PyYAML's constructor supports recursive structures with generators and keeps
        state per node; campaign files cannot be recursive (``_alias_problem`` refuses
        them first), so a plain recursive walk builds the same data with less work,
        and building is most of what loading costs after libyaml's parse.
        """
        self._depth = 0
        return self._build(node)

    def _build(self, node: yaml.Node) -> Any:
        tag = node.tag
        if type(node) is yaml.ScalarNode:
            if tag == _STR:
                return node.value
            scalar = _SCALARS.get(tag)
            if scalar is not None:
                try:
                    return scalar(node.value)
                except ValueError:  # a number too long for Python to read, or an explicit tag the text does not fit
                    raise _Unfit(node) from None
        elif self._built is not None and node in self._built:
            return self._built[node]
        elif tag == _MAP and type(node) is yaml.MappingNode:
            return self._map(node)
        elif tag == _SEQ and type(node) is yaml.SequenceNode:
            return self._seq(node)
        return self._tagged(node)

    def _tagged(self, node: yaml.Node) -> Any:
        """A node with an explicit tag: PyYAML's constructor for the tag, or its error, if the node is of
        the kind the tag makes (``!!seq {a: 1}`` is not; PyYAML's own constructors would crash on it)."""
        kind = _NODE_OF_TAG.get(node.tag)
        if (kind is not None and type(node) is not kind) or node.tag in _NOT_DATA:
            raise _Unfit(node)
        try:
            return self.construct_object(node, deep=True)
        except ValueError:  # ``!!float x``
            raise _Unfit(node) from None

    def _map(self, node: yaml.MappingNode) -> LocatedDict:
        self._deeper(node)
        merged = self._merged(node) if self._merges else 0
        data = LocatedDict()
        self._remember(node, data)
        data.source, data.line, data.column = self.source, node.start_mark.line + 1, node.start_mark.column + 1
        marks: list[int] = []
        data.marks = marks
        written: set[Any] | None = set() if merged else None  # with merges, the keys the mapping writes itself
        for index, (key_node, value_node) in enumerate(node.value):
            key = self._build(key_node)
            try:
                seen = key in data
            except TypeError:
                raise yaml.constructor.ConstructorError(
                    "while constructing a mapping", node.start_mark, "found unhashable key", key_node.start_mark
                ) from None
            key_mark, value_mark = key_node.start_mark, value_node.start_mark
            if seen and (written is None or key in written):
                self.duplicates.append((key, Position(self.source, key_mark.line + 1, key_mark.column + 1)))
            if written is not None and index >= merged:
                written.add(key)
            data[key] = self._build(value_node)
            mark = (key_mark.line + 1, key_mark.column + 1, value_mark.line + 1, value_mark.column + 1)
            if seen:  # written again (a duplicate, or over a merged key): the later place is the key's
                at = data._marks_of(key)
                assert at is not None, "the key is in the mapping"
                marks[at:at + 4] = mark
            else:
                marks += mark
        self._depth -= 1
        return data

    def _merged(self, node: yaml.MappingNode) -> int:
        """Puts the pairs of ``<<`` merge keys first in ``node`` and returns how many there are.

        A key the mapping writes itself overrides a merged one: that is what merge keys are
        for, so only a key the mapping writes twice is a duplicate.
        """
        own = sum(1 for key_node, _ in node.value if key_node.tag != _MERGE)
        self.flatten_mapping(node)
        return len(node.value) - own

    def _seq(self, node: yaml.SequenceNode) -> LocatedList:
        self._deeper(node)
        data = LocatedList()
        self._remember(node, data)
        data.source, data.line, data.column = self.source, node.start_mark.line + 1, node.start_mark.column + 1
        data.marks = [number for child in node.value
                      for number in (child.start_mark.line + 1, child.start_mark.column + 1)]
        data.extend([self._build(child) for child in node.value])
        self._depth -= 1
        return data

    def _remember(self, node: yaml.Node, data: Located) -> None:
        if self._built is not None:
            self._built[node] = data

    def _deeper(self, node: yaml.Node) -> None:
        """One level deeper (``_map`` and ``_seq`` step back out); past ``MAX_DEPTH`` the document is
        refused with ``_TooDeep`` before Python's own recursion limit is reached, and abandoned, so
        the count starts again with the next one."""
        self._depth += 1
        if self._depth > MAX_DEPTH:
            raise _TooDeep(node)


def _core_schema_resolvers() -> dict:
    """YAML 1.2 core-schema resolution instead of PyYAML's YAML 1.1 defaults.

    Under YAML 1.1, ``yes``/``no``/``on``/``off`` are booleans and ``09:30`` is the
    number 570, so a program step's ``yes: hot`` branch would load as ``True``.
    Campaign files follow YAML 1.2: only true/false are booleans.
    """
    rules = [
        ("tag:yaml.org,2002:bool", r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
        ("tag:yaml.org,2002:int", r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$", "-+0123456789"),
        ("tag:yaml.org,2002:float",
         r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
         "-+0123456789."),
        ("tag:yaml.org,2002:null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
        ("tag:yaml.org,2002:merge", r"^(?:<<)$", "<"),
    ]
    resolvers: dict = {}
    for tag, pattern, first in rules:
        for char in first:
            resolvers.setdefault(char, []).append((tag, re.compile(pattern)))
    return resolvers


def _core_int(value: str) -> int:
    if value.startswith("0x"):
        return int(value[2:], 16)
    if value.startswith("0o"):
        return int(value[2:], 8)
    return int(value)


def _core_bool(value: str) -> bool:
    """True or False; a ``ValueError`` for any other text tagged ``!!bool``."""
    lowered = value.lower()
    if lowered not in ("true", "false"):
        raise ValueError(value)
    return lowered == "true"


_STR, _MAP, _SEQ = "tag:yaml.org,2002:str", "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"
_MERGE = "tag:yaml.org,2002:merge"
#: How ``_build`` makes the scalars the core schema resolves (floats keep PyYAML's ``.inf`` and ``.nan``).
_SCALARS = {
    "tag:yaml.org,2002:int": _core_int,
    "tag:yaml.org,2002:bool": _core_bool,
    "tag:yaml.org,2002:null": lambda value: None,
}


#: The kind of node each tag of the core schema makes; any other is refused before PyYAML's constructor sees it.
_NODE_OF_TAG = {_MAP: yaml.MappingNode, _SEQ: yaml.SequenceNode, _STR: yaml.ScalarNode,
                **{f"tag:yaml.org,2002:{name}": yaml.ScalarNode
                   for name in ("int", "float", "bool", "null", "timestamp")}}
#: Tags of PyYAML's that make what JSON Schema, state and templates cannot hold: bytes, sets, pairs.
_NOT_DATA = frozenset(f"tag:yaml.org,2002:{name}" for name in ("binary", "set", "omap", "pairs"))
_NODE_NAMES = {yaml.MappingNode: "a mapping", yaml.SequenceNode: "a list", yaml.ScalarNode: "a single value"}


def _timestamp_as_text(loader: _PositionLoader, node: yaml.Node) -> str:
    """An explicit ``!!timestamp`` as the text written: a datetime object is something JSON Schema and
    state cannot hold, and campaign files spell dates as strings."""
    return loader.construct_yaml_str(node)


_CORE_RESOLVERS = _core_schema_resolvers()
_PositionLoader.yaml_implicit_resolvers = _CORE_RESOLVERS
_PositionLoader.add_constructor("tag:yaml.org,2002:int", lambda loader, node: _core_int(node.value))
_PositionLoader.add_constructor("tag:yaml.org,2002:bool", lambda loader, node: _core_bool(node.value))
_PositionLoader.add_constructor(_MAP, _PositionLoader._map)
_PositionLoader.add_constructor(_SEQ, _PositionLoader._seq)
_PositionLoader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp_as_text)


@dataclass(frozen=True)
class Document:
    """One YAML document of a file: its data and where it starts."""

    data: Any
    position: Position


def load_file(path: Path, display: str, root: Path | None = None) -> tuple[list[Document], list[Diagnostic]]:
    """All documents of one YAML file, or the diagnostics that stop it loading.

    ``display`` is the path shown to the user (relative to the workspace). A file of the workspace
    at ``root`` is read only if ``files`` allows it (inside the workspace, a regular file, one name);
    a file named on the command line (``root`` None) is read as given, and may be a pipe (``<(...)``).
    """
    try:
        raw = _read(path, root)
    except TooLarge as exc:
        return [], [error("CK003", f"file is {exc.size / (1024 * 1024):.1f} MB; resource files may be at most "
                          f"{MAX_FILE_BYTES // (1024 * 1024)} MB: split it into smaller files", Position(display))]
    except Refused as exc:
        return [], [error("CK009", f"not read: the file {exc}", Position(display))]
    except OSError as exc:
        return [], [error("CK001", f"cannot read file: {exc.strerror}", Position(display))]
    text, problem = decode(raw, display)
    if problem:
        return [], [problem]
    return load_text(text, display)


def _read(path: Path, root: Path | None) -> bytes:
    """The file's bytes; ``TooLarge`` before reading one over ``MAX_FILE_BYTES``."""
    if root is not None:
        return read_inside(root, path, MAX_FILE_BYTES)
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise TooLarge(size)
    return path.read_bytes()


def decode(raw: bytes, display: str) -> tuple[str, Diagnostic | None]:
    """The file's text, or a diagnostic at the first byte that is not UTF-8."""
    try:
        return raw.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        column = exc.start - (before.rfind(b"\n") + 1) + 1
        return "", error(
            "CK005",
            f"byte 0x{raw[exc.start]:02x} is not UTF-8; save the file as UTF-8 "
            "(it looks like Latin-1 or another legacy encoding)",
            Position(display, line, column),
        )


def load_text(text: str, display: str) -> tuple[list[Document], list[Diagnostic]]:
    """All documents of ``text``; on a syntax error, the documents before it."""
    too_deep = _too_deep(text, display)
    if too_deep:
        return [], [too_deep]
    loader = _PositionLoader(text, display)
    documents: list[Document] = []
    diagnostics: list[Diagnostic] = []
    check_aliases = "*" in text and _ALIAS.search(text) is not None  # the pattern has no prefix to skip to
    try:
        while loader.check_node():
            node = loader.get_node()
            if node is None:
                continue
            start = Position(display, node.start_mark.line + 1, node.start_mark.column + 1)
            if check_aliases:
                bomb = _alias_problem(node, start)
                if bomb:
                    diagnostics.append(bomb)
                    continue
            try:
                data = loader.construct_document(node)
            except _TooDeep as exc:
                diagnostics.append(_too_deep_at(_node_position(exc.node, start)))
                continue
            except _Unfit as exc:
                diagnostics.append(error("CK001", _unfit_message(exc.node), _node_position(exc.node, start)))
                continue
            except yaml.constructor.ConstructorError as exc:  # an unknown tag, an unhashable key: this document only
                diagnostics.append(_syntax_error(exc, display))
                continue
            if data is not None:
                documents.append(Document(data, start))
    except yaml.MarkedYAMLError as exc:
        diagnostics.append(_too_deep_at(_mark_position(exc, display)) if exc.problem == _LIBYAML_TOO_DEEP
                           else _tab_indent(exc, text, display) or _syntax_error(exc, display))
    except yaml.YAMLError as exc:  # errors without a position
        diagnostics.append(error("CK001", f"YAML error: {exc}", Position(display)))
    finally:
        loader.dispose()
    diagnostics.extend(
        error("CK002", f"duplicate key '{key}': a key may appear once per mapping (the later value would silently win)",
              where)
        for key, where in loader.duplicates
    )
    return documents, diagnostics


#: How libyaml (from PyYAML 6.0.4) words nesting past its own limit, which is above ours.
_LIBYAML_TOO_DEEP = "exceeded maximum nesting depth"
#: How libyaml words a problem it found only at the end of something never closed.
_GAVE_UP = ("did not find expected", "could not find expected", "found unexpected end")


def _syntax_error(exc: yaml.MarkedYAMLError, display: str) -> Diagnostic:
    """Points at the problem; for a bracket, quote or block never closed, at where it was opened.

    libyaml notices an unclosed construct only where it gives up (often the end of the
    file), which is rarely the line to fix.
    """
    problem, context = exc.problem_mark, exc.context_mark
    message = " ".join(part for part in (exc.context, exc.problem) if part) or "invalid YAML"
    mark = problem or context
    if (problem is not None and context is not None and problem.line > context.line
            and (exc.problem or "").startswith(_GAVE_UP)):  # never closed: point at where it was opened
        message += f" (gave up at line {problem.line + 1}, column {problem.column + 1})"
        mark = context
    where = Position(display, mark.line + 1, mark.column + 1) if mark else Position(display)
    return error("CK001", f"YAML syntax error: {message}", where)


def _tab_indent(exc: yaml.MarkedYAMLError, text: str, display: str) -> Diagnostic | None:
    """A syntax error on a line indented with a tab, said as what to do at the tab: libyaml's own words
    ("found character that cannot start any token") do not say that YAML forbids tabs there."""
    mark = exc.problem_mark
    if mark is None:
        return None
    lines = text.split("\n")
    line = lines[mark.line] if mark.line < len(lines) else ""
    indent = line[:len(line) - len(line.lstrip(" \t"))]
    if "\t" not in indent:
        return None
    return error("CK001", "tabs cannot indent YAML; use spaces",
                 Position(display, mark.line + 1, indent.index("\t") + 1))


def _too_deep(text: str, display: str) -> Diagnostic | None:
    """A diagnostic if the text nests deeper than ``MAX_DEPTH``, found without composing."""
    indicators = text.count("[") + text.count("{") + text.count("- ") + text.count("? ")
    if indicators < _NESTING_INDICATORS_SAFE:
        return None
    depth = 0
    try:
        for event in yaml.parse(text, Loader=_BaseLoader):
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    mark = event.start_mark
                    assert mark is not None, "the parser marks every event"
                    return _too_deep_at(Position(display, mark.line + 1, mark.column + 1))
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    except yaml.YAMLError:
        return None  # the syntax error is reported by the real load
    return None


def _alias_problem(root: yaml.Node, start: Position) -> Diagnostic | None:
    """A diagnostic if aliases make the document recursive or expand it past the limit."""
    sizes: dict[int, int] = {}
    in_progress: set[int] = set()

    def size(node: yaml.Node) -> int:
        key = id(node)
        if key in sizes:
            return sizes[key]
        if key in in_progress:
            raise _Recursive(node)
        in_progress.add(key)
        if isinstance(node, yaml.MappingNode):
            total = 1 + sum(size(k) + size(v) for k, v in node.value)
        elif isinstance(node, yaml.SequenceNode):
            total = 1 + sum(size(child) for child in node.value)
        else:
            total = 1
        in_progress.discard(key)
        sizes[key] = total
        if total > MAX_EXPANDED_NODES:
            raise _TooLarge(node)
        return total

    try:
        size(root)
    except _Recursive as exc:
        return error("CK004", "an alias refers to a node that contains it; campaign files cannot be recursive",
                     _node_position(exc.node, start))
    except RecursionError:
        return _too_deep_at(start)
    except _TooLarge as exc:
        return error("CK004", f"aliases expand this document past {MAX_EXPANDED_NODES:,} nodes "
                     "(an alias bomb?); write the values out or use fewer nested aliases",
                     _node_position(exc.node, start))
    return None


def _unfit_message(node: yaml.Node) -> str:
    """Why ``node`` cannot be built, without its text: a secret may have been written in the wrong place."""
    tag = node.tag.replace("tag:yaml.org,2002:", "!!")
    if node.tag in _NOT_DATA:
        return f"campaign files hold text, numbers, true and false, lists and mappings; {tag} makes none of them"
    kind = _NODE_OF_TAG.get(node.tag, yaml.ScalarNode)
    if type(node) is not kind:
        return f"a value tagged {tag} must be {_NODE_NAMES[kind]}, not {_NODE_NAMES[type(node)]}"
    digits = node.value.lstrip("+-")
    if digits.isdigit() and len(digits) > sys.get_int_max_str_digits():
        return (f"a number of {len(digits):,} digits is longer than campaign files may hold "
                f"({sys.get_int_max_str_digits():,} digits)")
    return f"this value cannot be read as {tag}: remove the tag, or write a value of its kind"


def _mark_position(exc: yaml.MarkedYAMLError, display: str) -> Position:
    mark = exc.problem_mark or exc.context_mark
    return Position(display, mark.line + 1, mark.column + 1) if mark else Position(display)


def _node_position(node: yaml.Node, start: Position) -> Position:
    return Position(start.path, node.start_mark.line + 1, node.start_mark.column + 1)


def _too_deep_at(where: Position) -> Diagnostic:
    return error("CK004", f"nesting deeper than {MAX_DEPTH} levels; campaign files never need this", where)


class _TooDeep(Exception):
    def __init__(self, node: yaml.Node) -> None:
        self.node = node


class _Unfit(Exception):
    """A node that its tag cannot make: ``!!seq`` on a mapping, ``!!int abc``, a number too long to read."""

    def __init__(self, node: yaml.Node) -> None:
        self.node = node


class _Recursive(Exception):
    def __init__(self, node: yaml.Node) -> None:
        self.node = node


class _TooLarge(Exception):
    def __init__(self, node: yaml.Node) -> None:
        self.node = node
