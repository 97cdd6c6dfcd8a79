"""The canonical layout of a workspace's YAML files, for ``campaignkit fmt``.

One layout for every file, so that a diff shows what changed and not how it was typed:
keys in the order of their kind's schema (keys the schema does not know keep their order,
after the known ones), two spaces of indent (list items two in from their key), strings
quoted only where YAML needs it, and no line folded. ruamel.yaml reads and writes the
file round trip, so comments, anchors and aliases, block scalars and flow collections
(``{a: 1}``) stay as written. A mapping that merges another (``<<: *defaults``) keeps its
own order: moving keys around a merge would change which value wins. This module changes
text and lists files; it never reads or writes one.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.emitter import Emitter
from ruamel.yaml.error import YAMLError

from campaignkit.errors import UserError
from campaignkit.workspace.documents import load_text
from campaignkit.workspace.loading import CONFIG_FILE, find_root, resource_files
from campaignkit.workspace.model import plain
from campaignkit.workspace.schema import schema

#: No line is folded: a long subject stays on one line, as it was written.
_WIDTH = 1 << 16


class Unformattable(Exception):
    """The text is not YAML that can be laid out (``validate`` says why), or its layout would read otherwise."""


class _Emitter(Emitter):
    """Double quotes where a string needs quotes, as the workspace's files and JSON write them."""

    def choose_scalar_style(self) -> Any:
        style = super().choose_scalar_style()
        return '"' if style == "'" else style


def formatted(text: str, schema_name: str | None = None) -> str:
    """``text`` (one or more YAML documents) in the canonical layout. Each document's keys follow the
    schema of its ``kind``, or ``schema_name``'s (``campaignkit``, ``test``) where given."""
    yaml = _yaml()
    try:
        documents = list(yaml.load_all(text))
    except YAMLError as exc:
        raise Unformattable(str(exc).splitlines()[0]) from None
    for document in documents:
        name = schema_name or (document.get("kind") if isinstance(document, CommentedMap) else None)
        root = _schema_of(name)
        if root is not None:
            _arrange(document, root, root)
    out = io.StringIO()
    yaml.dump_all(documents, out)
    result = out.getvalue()
    if _read(result) != _read(text):
        raise Unformattable("the layout would change what campaignkit reads from the file; it is left as it is")
    return result


def _read(text: str) -> list[Any]:
    """What campaignkit's own loader reads from ``text``: the layout must not change it."""
    documents, _ = load_text(text, "")
    return [plain(document.data) for document in documents]


def _yaml() -> YAML:
    yaml = YAML()  # round trip, YAML 1.2
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = _WIDTH
    yaml.allow_unicode = True
    yaml.Emitter = _Emitter
    return yaml


def _schema_of(name: Any) -> dict[str, Any] | None:
    if not isinstance(name, str) or not name.isidentifier():
        return None
    try:
        return schema(name)
    except (FileNotFoundError, OSError):
        return None


def _arrange(node: Any, node_schema: dict[str, Any] | None, root: dict[str, Any]) -> None:
    """Puts the keys of every mapping below ``node`` in the order ``node_schema`` gives them."""
    if isinstance(node, CommentedMap):
        properties, others = _properties(node_schema, root, node)
        if not node.merge:
            known = [key for key in properties if key in node]
            for key in [*known, *(key for key in list(node) if key not in properties)]:
                node.move_to_end(key)
        for key, value in node.items():
            _arrange(value, properties.get(key, others), root)
    elif isinstance(node, CommentedSeq):
        items = next((part["items"] for part in _applying(node_schema, root, node)
                      if isinstance(part.get("items"), dict)), None)
        for item in node:
            _arrange(item, items, root)


def _properties(node_schema: Any, root: dict[str, Any], node: CommentedMap) -> tuple[dict[str, Any], Any]:
    """The properties the mapping ``node`` may have, in the schema's order, and the schema of any other key."""
    properties: dict[str, Any] = {}
    others: Any = None
    for part in _applying(node_schema, root, node):
        for key, value in (part.get("properties") or {}).items():
            properties.setdefault(key, value)
        if others is None and isinstance(part.get("additionalProperties"), dict):
            others = part["additionalProperties"]
    return properties, others


def _applying(node_schema: Any, root: dict[str, Any], node: Any, depth: int = 0) -> Iterator[dict[str, Any]]:
    """``node_schema`` and the schemas it combines that apply to ``node``: references followed, each part of
    an ``allOf``, the branch of an ``if`` that ``node`` takes, the first alternative of a ``oneOf`` or
    ``anyOf`` that it fits."""
    if not isinstance(node_schema, dict) or depth > 32:
        return
    target = _resolved(node_schema, root)
    if target is not node_schema:
        yield from _applying(target, root, node, depth + 1)
    yield node_schema
    for part in node_schema.get("allOf") or ():
        yield from _applying(part, root, node, depth + 1)
    if "if" in node_schema:
        branch = node_schema.get("then") if _fits(node_schema["if"], node) else node_schema.get("else")
        yield from _applying(branch, root, node, depth + 1)
    for combinator in ("oneOf", "anyOf"):
        fitting = [part for part in node_schema.get(combinator) or () if _fits(_resolved(part, root), node)]
        if fitting:
            yield from _applying(fitting[0], root, node, depth + 1)


def _resolved(node_schema: Any, root: dict[str, Any]) -> Any:
    """The schema a ``$ref`` within the document points at; any other schema as it is."""
    reference = node_schema.get("$ref") if isinstance(node_schema, dict) else None
    if not (isinstance(reference, str) and reference.startswith("#/")):
        return node_schema
    target: Any = root
    for step in reference[2:].split("/"):
        target = target.get(step) if isinstance(target, dict) else None
    return target


def _fits(condition: Any, node: Any) -> bool:
    """Whether ``node`` meets ``condition`` as far as its required keys and constant values tell: enough to
    pick the branch of a schema, which says what a resource is by the keys it has."""
    if not isinstance(condition, dict):
        return False
    if not isinstance(node, dict):
        return condition.get("type") not in ("object", None)
    if not all(key in node for key in condition.get("required") or ()):
        return False
    for key, rule in (condition.get("properties") or {}).items():
        if key in node and isinstance(rule, dict):
            if "const" in rule and node[key] != rule["const"]:
                return False
            if "enum" in rule and node[key] not in rule["enum"]:
                return False
    return True


def layout_files(root: Path) -> list[Path]:
    """The files ``fmt`` lays out in the workspace at ``root``: its settings, resource files and campaign tests."""
    tests = root / "tests"
    test_files = sorted(p for p in tests.glob("*.y*ml") if p.suffix in (".yaml", ".yml")) if tests.is_dir() else []
    return [root / CONFIG_FILE, *resource_files(root), *test_files]


def campaign_files(paths: list[Path]) -> tuple[list[Path], list[Path]]:
    """Those of ``paths`` that ``fmt`` lays out (files of a workspace: ``layout_files``), and the others
    (a CI workflow, a file outside any workspace), which keep their own layout."""
    listed: dict[Path, set[Path]] = {}
    ours: list[Path] = []
    others: list[Path] = []
    for path in paths:
        try:
            root = find_root(path.parent)
        except UserError:
            others.append(path)
            continue
        if root not in listed:
            listed[root] = {file.resolve() for file in layout_files(root)}
        (ours if path.resolve() in listed[root] else others).append(path)
    return ours, others


def schema_name_of(path: Path) -> str | None:
    """The schema a whole file follows, for the files whose documents do not say their kind: the
    settings (``campaignkit.yaml``) and campaign tests (``tests/*.yaml`` of a workspace)."""
    if path.name == CONFIG_FILE:
        return "campaignkit"
    folder = path.resolve().parent
    if folder.name == "tests" and (folder.parent / CONFIG_FILE).is_file():
        return "test"
    return None
