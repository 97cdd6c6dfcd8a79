"""Emails checked and rendered on every core: the processes find what checking in the command finds,
share the work, and end with the command's block or with a clear error."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest

from campaignkit.checks import check_workspace, validate
from campaignkit.diagnostics import Diagnostic
from campaignkit.emails import checking, workers
from campaignkit.emails.workers import check_emails, warm_workers
from campaignkit.errors import UserError
from campaignkit.targets import merge_language
from campaignkit.workspace.loading import load_workspace
from tests.test_render_checks import EMAIL, EXTRA_FIELDS, many_emails, page
from tests.workspaces import write_workspace


@pytest.fixture
def noted(tmp_path, monkeypatch) -> Path:
    """A file where each email check notes the process it ran in and that process's parent."""
    path = tmp_path / "checked-in.txt"
    real = checking.check_email

    def noting(context, email):
        parent = os.getppid()
        with path.open("a") as note:
            note.write(f"{os.getpid()} {parent} {_parent_of(parent)}\n")
        return real(context, email)

    monkeypatch.setattr(checking, "check_email", noting)
    return path


def processes(noted: Path) -> dict[int, tuple[int, int]]:
    """Each process that checked an email, with its parent and its parent's parent."""
    return {int(pid): (int(parent), int(grandparent))
            for pid, parent, grandparent in (line.split() for line in noted.read_text().splitlines())}


def _parent_of(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[1])


def children(pid: int) -> list[int]:
    """The processes ``pid`` started that are still there (Linux keeps the list)."""
    return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def in_the_command(root: Path) -> list[Diagnostic]:
    """What checking the workspace on one core finds."""
    workspace, loaded = load_workspace(root)
    return sorted(dict.fromkeys(loaded + validate(workspace, merge_language)), key=Diagnostic.sort_key)


def cores(monkeypatch, count: int) -> None:
    monkeypatch.setattr(workers, "usable_cores", lambda: count)


def forget_results(root: Path) -> None:
    for cache in (root / ".campaignkit" / "cache").glob("*.json"):
        cache.unlink()


def test_the_processes_find_what_checking_in_the_command_finds(tmp_path, monkeypatch, noted):
    root = many_emails(tmp_path, 60)
    cores(monkeypatch, 3)
    _, through_processes = check_workspace(root, merge_language)
    assert os.getpid() not in processes(noted)
    assert noted.read_text().count("\n") == 60  # each email checked once
    forget_results(root)
    cores(monkeypatch, 1)
    assert through_processes == in_the_command(root)
    assert [d.code for d in through_processes].count("CK420") == len(range(0, 60, 7))


def test_the_first_process_starts_the_others(tmp_path, monkeypatch, noted):
    """The command starts one process, which starts the others (whichever of them got emails to check)."""
    cores(monkeypatch, 3)
    check_workspace(many_emails(tmp_path, 60), merge_language)
    for parent, grandparent in processes(noted).values():
        assert os.getpid() in (parent, grandparent)
    assert len({parent for parent, _ in processes(noted).values() if parent != os.getpid()}) <= 1


def test_emails_on_one_template_are_shared_out_and_reported_in_order(tmp_path, monkeypatch, noted):
    """120 emails on one template, every third with a misspelt merge name in its subject."""
    emails = "---\n".join(EMAIL.replace("2026-email-test-email", f"2026-email-test{n}-email")
                          .replace("first_name", "frist_name" if n % 3 == 0 else "first_name") for n in range(120))
    root = write_workspace(tmp_path / "ws", {"fields.yaml": EXTRA_FIELDS, "emails.yaml": emails,
                                             "templates/mail.mjml": page("<mj-text>Hello</mj-text>")})
    cores(monkeypatch, 2)
    _, through_processes = check_workspace(root, merge_language)
    assert os.getpid() not in processes(noted)  # checked by the processes, whichever took them
    forget_results(root)
    cores(monkeypatch, 1)
    assert through_processes == in_the_command(root)
    assert [(d.code, d.position.line) for d in through_processes][:2] == [("CK405", 3), ("CK405", 27)]


def test_results_come_back_in_the_order_of_the_emails(tmp_path, monkeypatch):
    root = many_emails(tmp_path, 30)
    workspace, _ = load_workspace(root)
    emails = workspace.of_kind("email")
    cores(monkeypatch, 3)
    with warm_workers(root):
        through_processes = check_emails(workspace, emails, merge_language).result()
    forget_results(root)
    cores(monkeypatch, 1)
    assert through_processes == check_emails(workspace, emails, merge_language).result()
    assert [n for n, found in enumerate(through_processes) if found] == list(range(0, 30, 7))


def test_processes_given_no_emails_end_with_the_block(tmp_path, monkeypatch):
    cores(monkeypatch, 3)
    with warm_workers(many_emails(tmp_path, 3)):
        assert len(children(os.getpid())) == 1  # the first, which starts the others
    assert children(os.getpid()) == []


def test_one_core_checks_the_emails_in_the_command(tmp_path, monkeypatch, noted):
    cores(monkeypatch, 1)
    root = many_emails(tmp_path, 60)
    with warm_workers(root):
        assert children(os.getpid()) == []
        workspace, _ = load_workspace(root)
        check_emails(workspace, workspace.of_kind("email"), merge_language).result()
    assert set(processes(noted)) == {os.getpid()}


@pytest.mark.parametrize("which", ["first", "other"])
def test_a_process_that_died_is_a_clear_error(tmp_path, monkeypatch, which):
    cores(monkeypatch, 2)
    root = many_emails(tmp_path, 3)
    workspace, _ = load_workspace(root)
    with warm_workers(root):
        [first] = children(os.getpid())
        deadline = time.monotonic() + 30
        while not children(first) and time.monotonic() < deadline:  # the first starts the other once it is ready
            time.sleep(0.01)
        [other] = children(first)
        os.kill(first if which == "first" else other, signal.SIGKILL)
        results = check_emails(workspace, workspace.of_kind("email"), merge_language)
        with pytest.raises(UserError, match="stopped before it finished"):
            results.result()
    assert children(os.getpid()) == []
    deadline = time.monotonic() + 30
    while running(other) and time.monotonic() < deadline:  # gone with the first, if not before
        time.sleep(0.01)
    assert not running(other)


def running(pid: int) -> bool:
    """Whether ``pid`` is a process that has not ended (an ended one may wait to be reaped)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rpartition(")")[2].split()[0] not in ("Z", "X")
