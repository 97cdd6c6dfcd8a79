"""Writing resources as YAML files that the workspace reads back as the same data.

``adopt`` writes the objects a target holds as workspace files. PyYAML writes
YAML 1.1, while the workspace reads YAML 1.2 (see ``documents``): a few plain
scalars are read differently (``1e3``, ``0o17``), so a string that YAML 1.2's
core schema would read as something else is quoted, and the file is read back
with the workspace's own reader before it is handed out.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import yaml

from campaignkit.workspace.documents import load_text
from campaignkit.workspace.model import plain

#: Plain scalars YAML 1.2's core schema reads as a null, a boolean or a number (PyYAML quotes YAML 1.1's).
_NOT_TEXT_IN_1_2 = re.compile(
    r"~|null|Null|NULL|true|True|TRUE|false|False|FALSE|[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+"
    r"|[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?|[-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN)")


try:  # libyaml's emitter, as the reader uses its parser: a business unit is thousands of documents
    _BaseDumper = yaml.CSafeDumper
except AttributeError:  # pragma: no cover - PyYAML built without libyaml
    _BaseDumper = yaml.SafeDumper  # type: ignore[misc,assignment]  # same interface; checked as the C one


class _Dumper(_BaseDumper):
    """Block style, keys in the order given, long lines kept whole, strings read as strings by YAML 1.2."""


def _string(dumper: _BaseDumper, value: str) -> yaml.Node:
    style = '"' if _NOT_TEXT_IN_1_2.fullmatch(value) else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _string)


def yaml_documents(documents: Sequence[dict[str, Any]], header: str = "") -> str:
    """``documents`` as one YAML file (``header``: comment lines put first) that loads back as the same data."""
    text = header + yaml.dump_all(documents, Dumper=_Dumper, sort_keys=False, allow_unicode=True,
                                  width=10_000, explicit_start=True, default_flow_style=False)
    loaded, problems = load_text(text, "written")
    if problems or [plain(d.data) for d in loaded] != list(documents):
        raise ValueError(f"resources that YAML does not read back the same: {[d['name'] for d in documents]}")
    return text
