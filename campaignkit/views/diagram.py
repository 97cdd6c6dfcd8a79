"""A program's step graph as a picture: Mermaid, Graphviz DOT, or SVG drawn by Graphviz.

Reviewers read a nurture program as a flowchart, the way Engagement Studio
draws it: actions as boxes, triggers as hexagons, rules as diamonds with yes
and no branches, the emails named on the steps that send them. ``diagram_of``
turns a program into nodes and edges once (reusing ``engine.graph`` for what
a step is and its words for what it does); the writers only lay that out in
each syntax. Mermaid is what GitHub renders in pull requests and comments; DOT
and SVG need Graphviz's ``dot``. Nothing here checks the program: a broken one is drawn as written.
Given the program as it was before a change, the diagram marks the steps added, changed and removed,
in colour and in words (a removed step is drawn dashed, where it was), for a reviewer of a plan.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import textwrap
from dataclasses import dataclass
from operator import attrgetter
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
#: How a step that a change adds, changes or removes is drawn, on top of its kind's style.
_MERMAID_CHANGES = {
    "added": "fill:#dcfce7,stroke:#15803d,stroke-width:3px",
    "changed": "fill:#fef9c3,stroke:#a16207,stroke-width:3px",
    "removed": "fill:#fee2e2,stroke:#b91c1c,stroke-width:2px,stroke-dasharray:5 4,color:#7f1d1d",
}
_DOT_CHANGES = {
    "added": 'color="#15803d", penwidth=3, fillcolor="#dcfce7", style="rounded,filled,bold"',
    "changed": 'color="#a16207", penwidth=3, fillcolor="#fef9c3", style="rounded,filled,bold"',
    "removed": 'color="#b91c1c", fontcolor="#7f1d1d", fillcolor="#fee2e2", style="rounded,filled,dashed"',
}
_DOT_EDGE_CHANGES = {"added": 'color="#15803d", penwidth=2', "removed": 'color="#b91c1c", style=dashed'}
#: The word a changed step carries in its label, so the change reads without colour too.
CHANGE_WORDS = {"added": "(added)", "changed": "(changed)", "removed": "(removed)"}
_SIMPLE_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_MERMAID_UNSAFE = re.compile(r'["#&<>`|\\]')
FORMATS = ("mermaid", "dot", "svg")


@dataclass(frozen=True)
class Node:
    """One step: its name, how it is drawn (``shape``), the lines of its label, and what a change did to it
    (``added``, ``changed``, ``removed``, or "" when unchanged or no earlier version was given)."""

    name: str
    shape: str
    lines: tuple[str, ...]
    change: str = ""


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    label: str
    change: str = ""


@dataclass(frozen=True)
class Diagram:
    """A program's steps laid out for drawing; ``start`` is where prospects enter."""

    title: str
    start: str
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]


def diagram_of(name: str, program: dict[str, Any], before: dict[str, Any] | None = None) -> Diagram:
    """The diagram of the program ``name`` whose fields are ``program`` (a resource's data).

    With ``before`` (the program as applied), steps and branches are marked as added, changed or
    removed; removed ones are drawn too, from ``before``.
    """
    steps = _steps(program)
    start = str(program.get("start", ""))
    edges = _edges(steps)
    # A branch to a step that does not exist is drawn, so that the picture shows the mistake.
    missing = dict.fromkeys(t for t in (start, *(e.target for e in edges)) if t not in steps)
    nodes = tuple(_node(step_name, step) for step_name, step in steps.items())
    nodes += tuple(Node(t, "missing", (t, "missing step")) for t in missing)
    if before is not None:
        nodes, edges = _marked(nodes, edges, steps, _steps(before))
    return Diagram(name, start, nodes, edges)


def _steps(program: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {str(k): v for k, v in (program.get("steps") or {}).items() if isinstance(v, dict)}


def _edges(steps: dict[str, dict[str, Any]]) -> tuple[Edge, ...]:
    return tuple(Edge(step_name, str(step[key]), "" if key == "next" else key)
                 for step_name, step in steps.items() for key in BRANCH_KEYS if isinstance(step.get(key), str))


def _node(step_name: str, step: dict[str, Any], change: str = "") -> Node:
    words = (CHANGE_WORDS[change],) if change else ()
    return Node(step_name, _shape(step), (step_name, *describe(step), *_note(step), *words), change)


def _marked(nodes: tuple[Node, ...], edges: tuple[Edge, ...], steps: dict[str, dict[str, Any]],
            earlier: dict[str, dict[str, Any]]) -> tuple[tuple[Node, ...], tuple[Edge, ...]]:
    """The nodes and edges marked against the ``earlier`` steps, with the removed ones added back."""
    def change_of(node: Node) -> str:
        if node.shape == "missing" or node.name not in steps:
            return ""
        if node.name not in earlier:
            return "added"
        return "changed" if earlier[node.name] != steps[node.name] else ""

    marked = tuple(_node(n.name, steps[n.name], change) if (change := change_of(n)) else n for n in nodes)
    drawn = {n.name for n in nodes}
    removed = tuple(_node(step_name, step, "removed") for step_name, step in earlier.items() if step_name not in drawn)
    old_edges = _edges(earlier)
    old_keys = {(e.source, e.target, e.label) for e in old_edges}
    new_keys = {(e.source, e.target, e.label) for e in edges}
    kept = tuple(e if (e.source, e.target, e.label) in old_keys else Edge(e.source, e.target, e.label, "added")
                 for e in edges)
    gone = tuple(Edge(e.source, e.target, e.label, "removed") for e in old_edges
                 if (e.source, e.target, e.label) not in new_keys and e.target in drawn | {r.name for r in removed})
    return marked + removed, kept + gone


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
        link = "-.->" if edge.change == "removed" else "==>" if edge.change == "added" else "-->"
        arrow = f'{link}|"{edge.label}"|' if edge.label else link
        lines.append(f"    {ids[edge.source]} {arrow} {ids[edge.target]}")
    # Change classes come last, so that their colours win over the kind's.
    for name, style, of in [*((shape, style, attrgetter("shape")) for shape, style in _MERMAID_CLASSES.items()),
                            *((change, style, attrgetter("change")) for change, style in _MERMAID_CHANGES.items())]:
        members = [ids[n.name] for n in diagram.nodes if of(n) == name]
        if members:
            # Prefixed: ``end`` is a Mermaid keyword and cannot name a class.
            lines.append(f"    classDef ck_{name} {style}")
            lines.append(f"    class {','.join(members)} ck_{name}")
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
        changed = f", {_DOT_CHANGES[node.change]}" if node.change else ""  # later attributes win in DOT
        lines.append(f"    {_dot_string(node.name)} [{_DOT_STYLES[node.shape]}{changed}, "
                     f"label={_dot_label(node.lines)}];")
    for edge in diagram.edges:
        attributes = [f'label="{edge.label}", color="{"#15803d" if edge.label == "yes" else "#b91c1c"}"']
        attributes = attributes if edge.label else []
        if edge.change:
            attributes.append(_DOT_EDGE_CHANGES[edge.change])
        written = f" [{', '.join(attributes)}]" if attributes else ""
        lines.append(f"    {_dot_string(edge.source)} -> {_dot_string(edge.target)}{written};")
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
