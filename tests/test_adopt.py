"""``adopt``: a target's unmanaged objects written as files and managed, run as a user runs it."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from campaignkit.cli import main
from campaignkit.plan.adopting import adopt
from campaignkit.state import open_store
from campaignkit.targets import ProgramReading
from campaignkit.targets.local import LocalTarget
from campaignkit.workspace.loading import load_workspace

CAMPAIGNS = Path(__file__).resolve().parent.parent / "campaigns"


def ck(root: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["--chdir", str(root), *args], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


#: The persona whose sample is the fields' examples: the prospect the local target's bodies are rendered for
#: (an adopted body is that text as it is, whoever it is rendered for).
SAMPLE = "persona.marketing_manager"


def rendered(root: Path, email: str, out: Path) -> dict[str, str]:
    """Every version of ``email`` as ``render`` writes it (one per locale), and what it prints before them."""
    code, output, errors = ck(root, "render", email, "--persona", SAMPLE, "--out", str(out))
    assert code == 0, errors
    return {path.name: path.read_text() for path in out.iterdir()} | {"summary": output.split("HTML:")[0]}


@pytest.fixture(scope="module")
def applied(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of campaigns/ applied to its local target: the business unit to adopt."""
    root = tmp_path_factory.mktemp("applied") / "campaigns"
    shutil.copytree(CAMPAIGNS, root, ignore=shutil.ignore_patterns(".campaignkit"))
    code, out, errors = ck(root, "apply", "--auto-approve")
    assert code == 0, out + errors
    return root


def bare_copy(applied: Path, into: Path) -> Path:
    """A workspace holding only campaignkit.yaml, with the applied target and no state: its files were deleted."""
    root = into / "adopting"
    root.mkdir()
    shutil.copy(applied / "campaignkit.yaml", root)
    (root / ".campaignkit").mkdir()
    shutil.copy(applied / ".campaignkit" / "sandbox.target.db", root / ".campaignkit")
    return root


def test_adopting_an_applied_workspace_gives_back_files_that_plan_nothing_and_render_the_same(applied, tmp_path):
    root = bare_copy(applied, tmp_path)
    code, out, errors = ck(root, "adopt", "--out", str(root / "adopted"))
    assert code == 0, errors
    assert "Adopted 57 object(s)" in out and "to rename" not in out
    assert sorted(p.name for p in (root / "adopted").iterdir()) == [
        "campaigns.yaml", "dynamic_contents.yaml", "emails.yaml", "fields.yaml", "forms.yaml", "grading.yaml",
        "lists.yaml", "naming.yaml",
        "personas.yaml", "programs", "scoring.yaml", "templates"]
    assert ck(root, "validate")[0] == 0
    code, out, errors = ck(root, "plan", "--detailed-exitcode")
    assert (code, out.splitlines()[0]) == (0, "No changes. The target matches the files."), out + errors
    for email in ("2026-event-acme-conf-welcome-email", "2026-nurture-roi-outcomes-email",
                  "2026-web-pricing-follow-up-email"):
        before = rendered(applied, f"email.{email}", tmp_path / "before" / email)
        after = rendered(root, f"email.{email}", tmp_path / "after" / email)
        assert after == before


def test_every_adopted_email_renders_the_text_the_original_renders(applied, tmp_path):
    root = bare_copy(applied, tmp_path)
    ck(root, "adopt", "--kinds", "email", "--kinds", "field", "--kinds", "campaign", "--kinds", "persona")
    names = [line.split("\t")[0].removeprefix("email.") for line in ck(root, "state", "list")[1].splitlines()
             if line.startswith("email.")]
    assert len(names) == 13  # two of them a locale of the welcome email, written as its locales
    emails = (root / "adopted" / "emails.yaml").read_text()
    assert emails.count("name: 2026-event-acme-conf-welcome-email") == 1 and "locales:\n  ja:\n" in emails
    for name in names:
        before = rendered(applied, f"email.{name}", tmp_path / "before" / name)
        after = rendered(root, f"email.{name}", tmp_path / "after" / name)
        assert after == before


def test_a_second_adopt_finds_nothing_and_declared_objects_are_left_to_import(applied, tmp_path):
    root = bare_copy(applied, tmp_path)
    assert ck(root, "adopt", "--kinds", "list")[0] == 0
    code, out, _ = ck(root, "adopt", "--kinds", "list")
    assert (code, out.strip()) == (0, "Nothing to adopt: state manages every object the target holds.")
    (root / ".campaignkit" / "sandbox.db").unlink()  # state forgotten: the lists are unmanaged, yet declared
    code, out, errors = ck(root, "adopt", "--kinds", "list")
    assert (code, out.strip()) == (0, "Nothing adopted.")
    assert errors.count("Warning:") == 11
    assert ("is not adopted: list.2026-event-acme-conf-list is declared in the files already; "
            "'campaignkit import list.2026-event-acme-conf-list ") in errors


def test_files_are_never_overwritten_and_only_written_inside_the_workspace(applied, tmp_path):
    root = bare_copy(applied, tmp_path)
    (root / "adopted").mkdir()
    (root / "adopted" / "lists.yaml").write_text("# mine\n")
    code, _, errors = ck(root, "adopt")
    assert code == 1 and "adopted/lists.yaml exists already (1 file(s) would be overwritten)" in errors
    assert sorted(p.name for p in (root / "adopted").iterdir()) == ["lists.yaml"]
    assert ck(root, "state", "list")[1] == ""
    code, _, errors = ck(root, "adopt", "--out", str(tmp_path))
    assert code == 1 and "is not inside the workspace" in errors


def add_object(root: Path, kind: str, name: str, attributes: dict, created: str = "2024-03-01T10:00:00+00:00") -> int:
    """An object made in the platform's UI, behind campaignkit's back: its id."""
    with sqlite3.connect(root / ".campaignkit" / "sandbox.target.db") as db:
        made = db.execute("INSERT INTO ck_objects (kind, name, attributes, created, updated) VALUES (?, ?, ?, ?, ?)",
                          (kind, name, json.dumps(attributes), created, created))
        return int(made.lastrowid or 0)


def test_names_that_break_the_convention_are_proposed_ones_that_fit_and_the_first_plan_only_renames(applied,
                                                                                                    tmp_path):
    root = bare_copy(applied, tmp_path)
    webinar = add_object(root, "list", "Webinar attendees 2023", {"type": "static", "folder": "Lists/Webinars"})
    fair = add_object(root, "list", "展示会リスト", {"type": "static", "title": "展示会 2024"})
    code, out, errors = ck(root, "adopt")
    assert code == 0, errors
    assert f"list.2023-webinar-attendees-list: id {webinar}, renamed from 'Webinar attendees 2023'" in out
    assert f"list.2024-all-id-{fair}-list: id {fair}, renamed from '展示会リスト'" in out
    assert "2 to rename by the naming convention" in out
    lists = (root / "adopted" / "lists.yaml").read_text()
    assert f"name: 2024-all-id-{fair}-list\ntype: static\ntitle: 展示会 2024\nmoved_from: list.id-{fair}" in lists
    assert ck(root, "validate")[0] == 0
    code, out, _ = ck(root, "plan", "--detailed-exitcode")
    assert code == 2 and out.splitlines()[0] == "Plan: 0 to add, 2 to change, 0 to destroy.", out
    assert (f'~ list.2024-all-id-{fair}-list  (update in place; moved from list.id-{fair})\n'
            f'        ~ name: "展示会リスト" -> "2024-all-id-{fair}-list"') in out
    assert out.count("(update in place; moved from ") == 2 and out.count("        ~ ") == 2
    code, out, _ = ck(root, "apply", "--auto-approve")
    assert code == 0 and ck(root, "plan", "--detailed-exitcode")[0] == 0


def test_keep_names_writes_the_platforms_names(applied, tmp_path):
    root = bare_copy(applied, tmp_path)
    copy = add_object(root, "list", "2023-web-old-pricing-list-copy", {"type": "static"})
    code, out, _ = ck(root, "adopt", "--keep-names", "--kinds", "list", "--kinds", "naming")
    assert code == 0 and f"list.2023-web-old-pricing-list-copy: id {copy}\n" in out
    assert ck(root, "validate")[1].count("CK301") == 1


def add_prospects(root: Path, *emails: str) -> None:
    with sqlite3.connect(root / ".campaignkit" / "sandbox.target.db") as db:
        db.executemany("INSERT INTO ck_prospects (email) VALUES (?)", [(email,) for email in emails])


def test_audit_counts_what_was_planted_and_shows_the_first_examples(applied, tmp_path):
    root = bare_copy(applied, tmp_path)
    ck(root, "audit")  # the target's tables exist once it has been read
    webinar = add_object(root, "list", "Webinar attendees 2023", {"type": "static"})
    field = add_object(root, "field", "industry_focus", {"type": "text", "custom": True})
    email = add_object(root, "email", "Industry news", {"subject": "News for {{ industry_focus }}",
                                                        "template": "x.mjml"})
    program = add_object(root, "program", "Old nurture", {"recipients": {"include": ["list.deleted-in-2024-list"]},
                                                          "start": "done", "steps": {"done": {"end": True}}})
    add_prospects(root, *[f"p{i}@example.com" for i in range(2500)], "P7@Example.com", "p7@example.com",
                  "p9@example.com")
    code, out, _ = ck(root, "audit", "--format", "json")
    report = json.loads(out)
    assert code == 0 and report["format_version"] == "1.0" and report["prospects"] == 2503
    found = {f["check"]: (f["count"], f["examples"]) for f in report["findings"]}
    assert found["naming"] == (3, [f"list 'Webinar attendees 2023' (id {webinar}): 2023-webinar-attendees-list",
                                   f"email 'Industry news' (id {email}): 2024-all-industry-news-email",
                                   f"program 'Old nurture' (id {program}): 2024-nurture-old-program"])
    assert found["missing-default"] == (1, [f"field 'industry_focus' (id {field}), merged by Industry news"])
    assert found["unused-list"][0] == 3 and f"list 'Webinar attendees 2023' (id {webinar})" in found["unused-list"][1]
    assert found["missing-list"] == (1, [f"program 'Old nurture' (id {program}): list.deleted-in-2024-list"])
    assert found["duplicate-prospects"] == (2, ["p7@example.com: prospects 8, 2501, 2502",
                                                "p9@example.com: prospects 10, 2503"])
    code, text, _ = ck(root, "audit")
    assert ("     2  email addresses held by more than one prospect\n"
            "        p7@example.com: prospects 8, 2501, 2502") in text
    code, markdown, _ = ck(root, "audit", "--format", "markdown")
    assert "| 1 | custom fields that emails merge without a default |" in markdown


class ProgramsReadOnly(LocalTarget):
    """A platform whose API reads programs (their lists and status) but not their steps, as Account Engagement's."""

    def __init__(self, path: Path, readings: list[ProgramReading]) -> None:
        super().__init__(path, frozenset({"program"}))
        self.readings = readings

    def programs(self) -> list[ProgramReading]:
        return self.readings


def test_a_program_whose_steps_cannot_be_read_is_a_marked_stub_with_its_lists_and_status(applied, tmp_path):
    root = bare_copy(applied, tmp_path)
    with sqlite3.connect(root / ".campaignkit" / "sandbox.target.db") as db:
        list_id = str(db.execute("SELECT id FROM ck_objects WHERE name = '2026-event-acme-conf-list'").fetchone()[0])
        db.execute("DELETE FROM ck_objects WHERE kind IN ('program', 'form')")  # programs live apart on this platform
    workspace, _ = load_workspace(root)
    environment = workspace.config.environment(None)
    target = ProgramsReadOnly(root / ".campaignkit" / "sandbox.target.db",
                              [ProgramReading("900", "Spring nurture", (list_id,), ("99999",), "draft")])
    with open_store(environment, root, workspace.config.workspace) as store, store.lock("adopt"):
        adoption = adopt(workspace, environment, store, target, out=root / "adopted")
    target.close()
    written = root / "adopted" / "programs" / "evergreen-nurture-spring-program.yaml"
    program = yaml.safe_load(written.read_text())
    assert program["description"].startswith("ADOPTED AS A STUB: the platform's API cannot read this program's steps")
    assert program["recipients"] == {"include": ["list.2026-event-acme-conf-list"]}
    assert program["status"] == "paused" and program["steps"]["adopted_stub"]["end"] is True
    assert program["moved_from"] == "program.spring-nurture"
    assert [w for w in adoption.warnings if "Spring nurture" in w or "stub" in w] == [
        "program 'Spring nurture' (id 900): list id(s) 99999 in its exclude lists are not on the target and are "
        "left out",
        "program.evergreen-nurture-spring-program: written as a stub; its steps cannot be read through the API"]
    code, out, errors = ck(root, "validate")
    assert code == 0, out + errors
