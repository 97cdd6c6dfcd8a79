"""A program's step graph as a picture: Mermaid, Graphviz DOT, or SVG drawn by Graphviz.

Reviewers read a nurture program as a flowchart, the way Engagement Studio
draws it: actions as boxes, triggers as hexagons, rules as diamonds with yes
and no branches, the emails named on the steps that send them. ``diagram_of``
turns a program into nodes and edges once (reusing ``engine.graph`` for what
a step is and its words for what it does); the writers only lay that out in
each syntax. Mermaid is what GitHub renders in pull requests and comments; DOT
and SVG need Graphviz's ``dot``. Nothing here checks the program: a broken one is drawn as written.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import textwrap
from dataclasses import dataclass
from typing import Any

from campaignkit.engine.graph import BRANCH_KEYS, describe, step_action, step_kind
from campaignkit.errors import UserError

#: Mermaid node shapes (open, close) and Graphviz attributes per step kind.
_MERMAID_SHAPES = {"action": ('["', '"]'), "send": ('["', '"]'), "wait": ('(["', '"])'),
                   "trigger": ('{{"', '"}}'), "rule": ('{"', '"}'), "end": ('(["', '"])'),
                   "missing": ('["', '"]')}
_DOT_STYLES = {
    "action": 'shape=box, style="rounded,filled", fillcolor="#f2f2f2"',
    "send": 'shape=box, style="rounded,filled,bold", fillcolor="#dbeafe"',
    "wait": 'shape=box, style="rounded,dashed"',
    "trigger": 'shape=hexagon, style=filled, fillcolor="#fef3c7"',
    "rule": 'shape=diamond, style=filled, fillcolor="#ede9fe"',
    "end": 'shape=doublecircle, style=filled, fillcolor="#e5e7eb"',
    "missing": 'shape=box, style=dashed, color="#b91c1c"',
}
_MERMAID_CLASSES = {
    "send": "fill:#dbeafe,stroke:#1d4ed8,stroke-width:2px",
    "wait": "stroke-dasharray:4 3",
    "trigger": "fill:#fef3c7,stroke:#b45309",
    "rule": "fill:#ede9fe,stroke:#6d28d9",
    "end": "fill:#e5e7eb,stroke:#374151",
    "missing": "stroke:#b91c1c,stroke-dasharray:4 3",
}
_SIMPLE_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_MERMAID_UNSAFE = re.compile(r'["#&<>`|\\]')
FORMATS = ("mermaid", "dot", "svg")


@dataclass(frozen=True)
class Node:
    """One step: its name, how it is drawn (``shape``) and the lines of its label."""

    name: str
    shape: str
    lines: tuple[str, ...]


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    label: str


@dataclass(frozen=True)
class Diagram:
    """A program's steps laid out for drawing; ``start`` is where prospects enter."""

    title: str
    start: str
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]


def diagram_of(name: str, program: dict[str, Any]) -> Diagram:
    """The diagram of the program ``name`` whose fields are ``program`` (a resource's data)."""
    steps = {str(k): v for k, v in (program.get("steps") or {}).items() if isinstance(v, dict)}
    start = str(program.get("start", ""))
    edges = tuple(Edge(step_name, str(step[key]), "" if key == "next" else key)
                  for step_name, step in steps.items() for key in BRANCH_KEYS if isinstance(step.get(key), str))
    # A branch to a step that does not exist is drawn, so that the picture shows the mistake.
    missing = dict.fromkeys(t for t in (start, *(e.target for e in edges)) if t not in steps)
    nodes = tuple(Node(step_name, _shape(step), (step_name, *describe(step), *_note(step)))
                  for step_name, step in steps.items())
    return Diagram(name, start, nodes + tuple(Node(t, "missing", (t, "missing step")) for t in missing), edges)


def _shape(step: dict[str, Any]) -> str:
    kind = step_kind(step)
    if kind != "action":
        return kind
    return {"send_email": "send", "wait": "wait"}.get(step_action(step) or "", "action")


def _note(step: dict[str, Any]) -> list[str]:
    """The step's ``description`` (the schema promises it is shown in diagrams), wrapped to stay narrow."""
    text = step.get("description")
    return textwrap.wrap(f"“{text.strip()}”", 48) if isinstance(text, str) and text.strip() else []


# --- Mermaid -----------------------------------------------------------------------------------

def to_mermaid(diagram: Diagram) -> str:
    """A Mermaid ``flowchart TD`` that GitHub renders in Markdown (inside a ```mermaid fence)."""
    ids = _mermaid_ids(diagram)
    lines = ["flowchart TD", f"    entry((start)) --> {ids[diagram.start]}"]
    for node in diagram.nodes:
        opening, closing = _MERMAID_SHAPES[node.shape]
        label = "<br/>".join(_mermaid_text(line) for line in node.lines)
        lines.append(f"    {ids[node.name]}{opening}{label}{closing}")
    for edge in diagram.edges:
        arrow = f'-->|"{edge.label}"|' if edge.label else "-->"
        lines.append(f"    {ids[edge.source]} {arrow} {ids[edge.target]}")
    for shape, style in _MERMAID_CLASSES.items():
        members = [ids[n.name] for n in diagram.nodes if n.shape == shape]
        if members:
            # Prefixed: ``end`` is a Mermaid keyword and cannot name a class.
            lines.append(f"    classDef ck_{shape} {style}")
            lines.append(f"    class {','.join(members)} ck_{shape}")
    return "\n".join(lines) + "\n"


def _mermaid_ids(diagram: Diagram) -> dict[str, str]:
    """Node ids Mermaid accepts: ``s_`` + the step name (so ``end`` is no keyword), or ``s`` + index."""
    return {node.name: f"s_{node.name}" if _SIMPLE_NAME.match(node.name) else f"s{index}"
            for index, node in enumerate(diagram.nodes)}


def _mermaid_text(text: str) -> str:
    """Text safe inside a quoted Mermaid label: characters Mermaid or HTML would read become entity codes."""
    return _MERMAID_UNSAFE.sub(lambda m: f"#{ord(m.group())};", text)


# --- Graphviz ----------------------------------------------------------------------------------

def to_dot(diagram: Diagram) -> str:
    """Graphviz DOT source, one shape per step kind, yes/no on the branches."""
    lines = [
        f"digraph {_dot_string(diagram.title)} {{",
        '    graph [rankdir=TB, fontname="Helvetica", labelloc=t, label=' + _dot_string(diagram.title) + "];",
        '    node [fontname="Helvetica", fontsize=11];',
        '    edge [fontname="Helvetica", fontsize=10];',
        '    "entry:start" [shape=circle, label="start", style=filled, fillcolor="#bbf7d0"];',
        f'    "entry:start" -> {_dot_string(diagram.start)};',
    ]
    for node in diagram.nodes:
        lines.append(f"    {_dot_string(node.name)} [{_DOT_STYLES[node.shape]}, label={_dot_label(node.lines)}];")
    for edge in diagram.edges:
        attributes = f' [label="{edge.label}", color="{"#15803d" if edge.label == "yes" else "#b91c1c"}"]' \
            if edge.label else ""
        lines.append(f"    {_dot_string(edge.source)} -> {_dot_string(edge.target)}{attributes};")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _dot_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _dot_label(lines: tuple[str, ...]) -> str:
    return _dot_string("\n".join(lines))


def to_svg(diagram: Diagram) -> str:
    """The diagram drawn by Graphviz as SVG; a ``UserError`` when ``dot`` is not installed."""
    dot = shutil.which("dot")
    if dot is None:
        raise UserError("drawing SVG needs Graphviz's 'dot': install the graphviz package "
                        "(e.g. 'apt-get install graphviz'), or use --format mermaid")
    result = subprocess.run([dot, "-Tsvg"], input=to_dot(diagram), capture_output=True, text=True, timeout=120,
                            check=False)
    if result.returncode != 0:
        reason = (result.stderr.strip().splitlines() or [f"exit status {result.returncode}"])[0]
        raise UserError(f"Graphviz could not draw {diagram.title}: {reason}")
    return result.stdout


def has_graphviz() -> bool:
    return shutil.which("dot") is not None


def draw(diagram: Diagram, fmt: str) -> str:
    """The diagram in ``fmt``, one of ``FORMATS``."""
    return {"mermaid": to_mermaid, "dot": to_dot, "svg": to_svg}[fmt](diagram)
