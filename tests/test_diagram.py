"""Program diagrams: what a reviewer reads in the Mermaid, DOT and SVG of a program."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from xml.etree import ElementTree

import pytest

from campaignkit.views.diagram import diagram_of, to_dot, to_mermaid, to_svg
from campaignkit.errors import UserError
from campaignkit.workspace.loading import load_workspace

EXAMPLES = Path(__file__).resolve().parent.parent / "campaigns"

SMALL = {
    "start": "welcome",
    "steps": {
        "welcome": {"send_email": "email.2026-email-welcome-email", "next": "opened"},
        "opened": {"trigger": "email_opened", "email": "email.2026-email-welcome-email", "within": "3d",
                   "yes": "hot", "no": "pause"},
        "pause": {"wait": "2d", "next": "hot", "description": 'Give them time; "quotes" & <tags> stay text.'},
        "hot": {"rule": "score", "gte": 100, "yes": "handoff", "no": "end"},
        "handoff": {"assign": "queue.sales", "next": "end"},
        "end": {"end": True},
    },
}


def example_programs():
    workspace, _ = load_workspace(EXAMPLES)
    return workspace.of_kind("program")


def require_dot() -> None:
    assert shutil.which("dot"), "Graphviz's dot is missing: install the Debian package graphviz (scripts/test does)"


def test_mermaid_is_a_top_down_flowchart_with_labelled_branches():
    text = to_mermaid(diagram_of("p", SMALL))
    assert text.startswith("flowchart TD\n")
    assert "entry((start)) --> s_welcome" in text
    assert 's_opened -->|"yes"| s_hot' in text
    assert 's_opened -->|"no"| s_pause' in text
    assert "s_welcome --> s_opened" in text


def test_mermaid_names_the_email_on_its_step_and_shapes_each_kind():
    text = to_mermaid(diagram_of("p", SMALL))
    assert 's_welcome["welcome<br/>✉ send email.2026-email-welcome-email"]' in text
    assert 's_opened{{"opened<br/>email opened?<br/>email.2026-email-welcome-email<br/>within 3d"}}' in text
    assert 's_hot{"hot<br/>score ≥ 100?"}' in text
    assert 's_handoff["handoff<br/>assign to queue.sales"]' in text


def test_mermaid_keywords_and_markup_in_names_and_labels_are_escaped():
    text = to_mermaid(diagram_of("p", SMALL))
    # "end" is a Mermaid keyword: as a bare node id or class name it breaks the whole chart.
    assert not re.search(r"(^|\s)end(\s|$|\[|\()", text.replace("classDef", ""), re.M)
    assert "s_end([" in text
    assert "#34;quotes#34; #38; #60;tags#62;" in text
    assert '"quotes"' not in text and "<tags>" not in text


def test_a_branch_to_a_missing_step_is_drawn_as_missing():
    program = {"start": "a", "steps": {"a": {"add_tag": "x", "next": "nowhere"}}}
    text = to_mermaid(diagram_of("p", program))
    assert "s_a --> s_nowhere" in text
    assert 's_nowhere["nowhere<br/>missing step"]' in text


def test_every_example_program_is_drawn_with_every_step_and_email():
    for program in example_programs():
        mermaid = to_mermaid(diagram_of(program.name, program.data))
        dot = to_dot(diagram_of(program.name, program.data))
        for step, body in program.data["steps"].items():
            assert f"s_{step}" in mermaid
            assert f'"{step}" [' in dot
            if "send_email" in body:
                assert f"send {body['send_email']}" in mermaid and f"send {body['send_email']}" in dot


def test_example_rules_with_several_conditions_list_them():
    three_week = next(p for p in example_programs() if p.name == "2026-nurture-three-week-program")
    text = to_mermaid(diagram_of(three_week.name, three_week.data))
    assert 's_qualify{"qualify<br/>all of:<br/>• score ≥ 100<br/>• grade ≥ B-"}' in text
    assert "any of:<br/>• email opened email.2026-nurture-roi-outcomes-email within 21d" in text
    assert "on list.evergreen-all-cmo-list?" in text


def test_dot_has_a_shape_per_step_kind_and_coloured_yes_no_edges():
    dot = to_dot(diagram_of("p", SMALL))
    assert dot.startswith('digraph "p" {')
    assert re.search(r'"welcome" \[shape=box, style="rounded,filled,bold"', dot)
    assert re.search(r'"opened" \[shape=hexagon', dot)
    assert re.search(r'"hot" \[shape=diamond', dot)
    assert re.search(r'"end" \[shape=doublecircle', dot)
    assert '"opened" -> "hot" [label="yes"' in dot
    assert '"opened" -> "pause" [label="no"' in dot
    assert '\\"quotes\\" & <tags>' in dot


def test_dot_is_accepted_by_graphviz_for_every_example_program():
    require_dot()
    for program in example_programs():
        result = subprocess.run(["dot", "-Tplain"], input=to_dot(diagram_of(program.name, program.data)),
                                capture_output=True, text=True, check=False)
        assert result.returncode == 0, result.stderr
        assert not result.stderr


def test_svg_drawn_by_graphviz_holds_the_steps_and_branch_labels():
    require_dot()
    svg = to_svg(diagram_of("p", SMALL))
    root = ElementTree.fromstring(svg)
    texts = {t.text for t in root.iter("{http://www.w3.org/2000/svg}text")}
    assert {"welcome", "opened", "hot", "yes", "no", "✉ send email.2026-email-welcome-email"} <= texts


def test_svg_without_graphviz_says_to_install_it(monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(UserError, match="install the graphviz package"):
        to_svg(diagram_of("p", SMALL))


def _changed_program() -> dict:
    """SMALL with the pause longer, the hand-off replaced by a call step, and the rule sending to it."""
    after = {"start": SMALL["start"], "steps": {k: dict(v) for k, v in SMALL["steps"].items()}}
    after["steps"]["pause"]["wait"] = "3d"
    del after["steps"]["handoff"]
    after["steps"]["hot"]["yes"] = "call"
    after["steps"]["call"] = {"assign": "queue.sales", "next": "end"}
    return after


def test_mermaid_of_a_change_styles_added_changed_and_removed_steps_apart():
    text = to_mermaid(diagram_of("p", _changed_program(), SMALL))
    assert 's_call["call<br/>assign to queue.sales<br/>(added)"]' in text
    assert 's_handoff["handoff<br/>assign to queue.sales<br/>(removed)"]' in text
    assert "(changed)" in text.split("s_pause", 2)[1] and "(changed)" not in text.split("s_welcome", 2)[1]
    assert re.search(r"class s_call ck_added\n", text) and re.search(r"class s_handoff ck_removed\n", text)
    assert re.search(r"class s_pause,s_hot ck_changed\n", text)
    assert "classDef ck_removed" in text and "stroke-dasharray" in text.split("classDef ck_removed", 1)[1]
    assert 's_hot -.->|"yes"| s_handoff' in text and 's_hot ==>|"yes"| s_call' in text
    assert "(added)" not in to_mermaid(diagram_of("p", SMALL, SMALL))


def test_svg_of_a_change_draws_the_removed_step_dashed_and_the_added_one_in_green():
    require_dot()
    svg = ElementTree.fromstring(to_svg(diagram_of("p", _changed_program(), SMALL)))
    shapes = {}
    for group in svg.iter("{http://www.w3.org/2000/svg}g"):
        title = group.find("{http://www.w3.org/2000/svg}title")
        drawn = [e for e in group if e.tag.endswith(("path", "polygon", "ellipse"))]
        if title is not None and drawn and group.get("class") == "node":
            shapes[title.text] = drawn[0]
    assert shapes["handoff"].get("stroke-dasharray") and shapes["handoff"].get("stroke") == "#b91c1c"
    assert shapes["call"].get("stroke") == "#15803d" and not shapes["call"].get("stroke-dasharray")
    assert shapes["pause"].get("stroke") == "#a16207"
    assert shapes["welcome"].get("stroke") not in ("#15803d", "#a16207", "#b91c1c")
