"""``campaignkit graph`` and ``preview`` end to end, as a reviewer runs them."""

from __future__ import annotations

import shutil
from pathlib import Path

from click.testing import CliRunner

from campaignkit.cli import main
from tests.workspaces import write_workspace

EXAMPLES = Path(__file__).resolve().parent.parent / "campaigns"
BROKEN = {"extra.yaml": "kind: list\nname: 2026-web-x-list\ntype: static\ntitel: X\n"}


def run(root, *args):
    return CliRunner().invoke(main, ["--chdir", str(root), *args])


def test_graph_prints_mermaid_by_default(tmp_path):
    result = run(write_workspace(tmp_path), "graph", "2026-nurture-welcome-program")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("flowchart TD")
    assert 's_hot -->|"yes"| s_handoff' in result.output


def test_graph_accepts_the_address_and_writes_dot_to_a_file(tmp_path):
    root = write_workspace(tmp_path / "ws")
    out = tmp_path / "welcome.dot"
    result = run(root, "graph", "program.2026-nurture-welcome-program", "--format", "dot", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert out.read_text().startswith('digraph "2026-nurture-welcome-program"')


def test_graph_svg_of_every_example_program(tmp_path):
    assert shutil.which("dot"), "install the Debian package graphviz"
    for name in ("2026-nurture-welcome-program", "2026-nurture-three-week-program",
                 "2026-web-pricing-follow-up-program"):
        result = run(EXAMPLES, "graph", name, "--format", "svg")
        assert result.exit_code == 0, result.output
        assert "<svg" in result.output and "</svg>" in result.output


def test_graph_of_an_unknown_program_suggests_the_name(tmp_path):
    result = run(EXAMPLES, "graph", "welcome")
    assert result.exit_code == 1
    assert "no program named welcome (did you mean '2026-nurture-welcome-program'?)" in result.output
    assert "Traceback" not in result.output


def test_graph_svg_without_graphviz_is_one_line_error(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    result = run(write_workspace(tmp_path), "graph", "2026-nurture-welcome-program", "--format", "svg")
    assert result.exit_code == 1
    assert "install the graphviz package" in result.output


def test_graph_and_preview_refuse_a_workspace_with_errors(tmp_path):
    root = write_workspace(tmp_path / "ws", BROKEN)
    for args in (["graph", "2026-nurture-welcome-program"], ["preview", "--out", str(tmp_path / "site")]):
        result = run(root, *args)
        assert result.exit_code == 1
        assert "extra.yaml:4:1" in result.output and "titel" in result.output
        assert "flowchart" not in result.output
    assert not (tmp_path / "site").exists()


def test_preview_writes_into_the_workspace_by_default(tmp_path):
    root = write_workspace(tmp_path)
    result = run(root, "preview")
    assert result.exit_code == 0, result.output
    index = root / ".campaignkit" / "preview" / "index.html"
    assert str(index) in result.output
    assert "program.2026-nurture-welcome-program" in index.read_text()


def test_markdown_plan_shows_the_diagram_of_a_changed_program(tmp_path):
    root = write_workspace(tmp_path)
    result = CliRunner().invoke(main, ["--chdir", str(root), "plan", "--format", "markdown"])
    assert result.exit_code == 0, result.output
    diagram = result.output.split("```mermaid\n", 1)[1].split("```", 1)[0]
    assert diagram.startswith("flowchart TD")
    assert "queue.sales" in diagram and "s_hot" in diagram


def test_markdown_plan_shows_a_changed_emails_inbox_view_and_the_checks_that_changed(small_workspace):
    CliRunner().invoke(main, ["--chdir", str(small_workspace), "apply", "--auto-approve"], catch_exceptions=False)
    emails = small_workspace / "emails.yaml"
    emails.write_text(emails.read_text().replace("preheader: Your ticket and what comes next\n", "")
                      .replace("subject: Acme Conf starts soon", "subject: Acme Conf starts Monday"))
    result = CliRunner().invoke(main, ["--chdir", str(small_workspace), "plan", "--format", "markdown"])
    assert result.exit_code == 0, result.output
    welcome = result.output.split("as readers see <code>email.2026-email-welcome-email", 1)[1].split("</details>")[0]
    assert "| Preheader | Your ticket and what comes next | (none) |" in welcome
    assert "Checks: 1 added, none fixed, unchanged: 0." in welcome
    assert "- added: warning CK432: the email has no preheader" in welcome
    reminder = result.output.split("as readers see <code>email.2026-email-reminder-email", 1)[1].split("</details>")[0]
    assert "| Subject | Acme Conf starts soon | Acme Conf starts Monday |" in reminder
    assert "Checks: no findings, before or after." in reminder


def test_markdown_plan_shows_a_subject_as_each_persona_the_email_is_written_for_gets_it(small_workspace):
    personas = "".join(f"---\nkind: persona\nname: {name}\nrole: {role}\nsample: {{first_name: {first}}}\n"
                       for name, role, first in (("cmo", "Chief Marketing Officer", "Charlie"),
                                                 ("specialist", "Marketing Specialist", "Min-jun"),
                                                 ("it_lead", "IT lead", "Alex")))
    (small_workspace / "personas.yaml").write_text(personas[4:])
    emails = small_workspace / "emails.yaml"
    emails.write_text(emails.read_text().replace("text: auto\n",
                                                 "text: auto\npersonas: [persona.cmo, persona.specialist]\n"))
    CliRunner().invoke(main, ["--chdir", str(small_workspace), "apply", "--auto-approve"], catch_exceptions=False)
    emails.write_text(emails.read_text().replace("subject: Acme Conf starts soon",
                                                 "subject: \"{{ first_name }}, Acme Conf starts soon\""))
    result = CliRunner().invoke(main, ["--chdir", str(small_workspace), "plan", "--format", "markdown"])
    assert result.exit_code == 0, result.output
    reminder = result.output.split("as readers see <code>email.2026-email-reminder-email", 1)[1].split("</details>")[0]
    assert "| Subject | Acme Conf starts soon | {{ first_name }}, Acme Conf starts soon |" in reminder
    assert "| cmo (Chief Marketing Officer) | Charlie, Acme Conf starts soon | Three days to go |" in reminder
    assert "| specialist (Marketing Specialist) | Min-jun, Acme Conf starts soon | Three days to go |" in reminder
    assert "Alex" not in reminder  # a persona the email is not written for
