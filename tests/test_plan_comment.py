"""The plan as a pull-request comment: risk first, identical changes once, emails as readers see them, in limit."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

from click.testing import CliRunner

from benchmarks.generate import generate, name
from campaignkit.cli import main

LIMIT = 65_536


def cli(root: Path, *args: str) -> str:
    result = CliRunner().invoke(main, ["--chdir", str(root), *args])
    assert result.exit_code == 0, result.output
    return result.stdout


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_a_big_change_lists_every_destroy_and_program_change_and_groups_the_shared_footer(tmp_path):
    """A shared footer edited in 600 emails, a step changed in each of 200 programs, 3 forms deleted."""
    root = generate(tmp_path / "ws", 2000, {"list": 0.05, "email": 0.3, "program": 0.1, "form": 0.0015})
    cli(root, "apply", "--auto-approve")
    _edit(root / "templates" / "partials" / "footer.mjml", "Unsubscribe", "Manage your preferences")
    waits = iter(range(3, 1000))  # a different change in each program: none are grouped
    for programs in (root / "programs").glob("*.yaml"):
        text = programs.read_text(encoding="utf-8")
        programs.write_text(re.sub(r"wait: \{wait: 2d,", lambda _: f"wait: {{wait: {next(waits)}d,", text))
    (root / "forms" / "forms-0.yaml").unlink()

    comment = cli(root, "plan", "--format", "markdown", "--full-plan", "the campaignkit-plan artifact")
    assert len(comment) < LIMIT
    assert "**Plan: 0 to add, 800 to change, 3 to destroy.**" in comment
    destroys, updates = comment.index("#### Destroy"), comment.index("#### Update")
    for number in range(3):
        assert destroys < comment.index(f"`form.{name('form', number)}`: destroy") < updates
    for number in range(200):
        assert f"`program.{name('program', number)}`" in comment
    assert "**the same change to 600 emails** (update in place)" in comment
    assert comment.count("<del>Unsubscribe </del><ins>Manage your preferences </ins>") == 1
    assert "<summary>the 600 emails</summary>" in comment and f"`email.{name('email', 599)}`" in comment
    assert re.search(r"not shown: the details of \d+ updates\. The whole plan: the campaignkit-plan artifact\._",
                     comment)

    parts_dir = tmp_path / "comments"
    written = cli(root, "plan", "--format", "markdown", "--split-dir", str(parts_dir)).split()
    parts = [Path(path).read_text(encoding="utf-8") for path in written]
    assert len(parts) > 1 and all(len(part) < LIMIT for part in parts)
    assert [Path(path).name for path in written] == [f"comment-{n}.md" for n in range(1, len(parts) + 1)]
    assert all(f"part {n} of {len(parts)}" in part.splitlines()[0] for n, part in enumerate(parts, 1))
    whole = "\n".join(parts)
    assert "is cut" not in whole
    assert whole.count("```mermaid") == 200 and whole.count("<br/>(changed)") == 200


def test_the_comment_names_the_commit_and_when_it_was_planned(small_workspace):
    def git(*args: str) -> str:
        return subprocess.run(["git", "-C", str(small_workspace), *args], check=True, capture_output=True,
                              text=True).stdout.strip()

    git("init", "-q")
    git("-c", "user.name=t", "-c", "user.email=t@example.com", "add", ".")
    git("-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "campaigns")
    short = git("rev-parse", "--short", "HEAD")
    comment = cli(small_workspace, "plan", "--format", "markdown")
    assert re.search(rf"^Planned at \d{{4}}-\d\d-\d\d \d\d:\d\d UTC from commit `{short}`\.$", comment, re.M)
    _edit(small_workspace / "lists.yaml", "People who registered", "People registered")
    assert f"from commit `{short}` with uncommitted changes." in cli(small_workspace, "plan", "--format", "markdown")


def test_an_email_change_shows_the_words_readers_see_and_folds_the_html(small_workspace):
    cli(small_workspace, "apply", "--auto-approve")
    _edit(small_workspace / "templates" / "welcome.mjml", "Your ticket is attached.", "Your ticket is in the app.")
    _edit(small_workspace / "emails.yaml", "subject: Welcome to Acme Conf", "subject: Welcome, {{ first_name }}")
    comment = cli(small_workspace, "plan", "--format", "markdown")
    readers = comment.split("<details open><summary>as readers see <code>email.2026-email-welcome-email", 1)[1]
    readers = readers.split("</details>", 1)[0]
    assert "Your ticket is <del>attached.</del><ins>in the app.</ins>" in readers
    assert "| Subject | Welcome to Acme Conf | Welcome, {{ first_name }} | Welcome, Friend |" in readers
    assert "| Preheader | Your ticket and what comes next | unchanged | Your ticket and what comes next |" in readers
    source = comment.split("</details>", 1)[1]
    assert source.lstrip().startswith("<details><summary>~ <code>email.2026-email-welcome-email</code>")
    assert "<body" in source.split("</details>", 1)[0] or "html_body" in source.split("</details>", 1)[0]


def test_a_destroyed_object_shows_what_it_was(small_workspace):
    cli(small_workspace, "apply", "--auto-approve")
    (small_workspace / "lists.yaml").write_text((small_workspace / "lists.yaml").read_text().split("---")[1])
    _edit(small_workspace / "programs.yaml",
          "include: [list.2026-event-acme-conf-list], exclude: [list.global-suppression-list]",
          "include: [list.global-suppression-list]")
    text = cli(small_workspace, "plan")
    destroyed = "\n".join(text.split("- list.2026-event-acme-conf-list  (destroy)\n", 1)[1].splitlines()[:2])
    assert '- description: "People who registered for Acme Conf"' in destroyed and '- type: "static"' in destroyed


def test_a_destroy_and_a_near_identical_create_are_shown_as_a_likely_rename(small_workspace):
    cli(small_workspace, "apply", "--auto-approve")
    for path in small_workspace.glob("*.yaml"):
        path.write_text(path.read_text().replace("2026-event-acme-conf-list", "2026-event-acme-summit-list"))
    text = cli(small_workspace, "plan")
    assert "! looks like a rename: add `moved_from: list.2026-event-acme-conf-list`" in text
    assert "! looks like a rename to list.2026-event-acme-summit-list" in text
    document = json.loads(cli(small_workspace, "plan", "--format", "json"))
    hints = {c["address"]: c["campaignkit"].get("looks_like_rename") for c in document["resource_changes"]}
    expected = {"moved_from": "list.2026-event-acme-conf-list", "moved_to": "list.2026-event-acme-summit-list"}
    assert hints["list.2026-event-acme-summit-list"] == hints["list.2026-event-acme-conf-list"] == expected
    assert hints["program.2026-nurture-welcome-program"] is None
    comment = cli(small_workspace, "plan", "--format", "markdown")
    destroy = comment.split("#### Destroy", 1)[1].split("####", 1)[0]
    assert "`list.2026-event-acme-summit-list`: create (looks like a rename: add " \
           "`moved_from: list.2026-event-acme-conf-list`)" in destroy
