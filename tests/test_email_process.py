"""The email checking processes: started before the workspace loads, they find what checking finds."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest

from campaignkit.checks import check_workspace, validate
from campaignkit.emails import processes as email_process
from campaignkit.emails.processes import EmailChecker, owner
from campaignkit.diagnostics import Diagnostic
from campaignkit.errors import UserError
from campaignkit.emails.merge import MergeModel
from campaignkit.targets import merge_languages
from campaignkit.workspace.loading import load_workspace
from tests.test_render_checks import EMAIL, EXTRA_FIELDS, many_emails, page
from tests.workspaces import write_workspace


def checked_both_ways(root, monkeypatch, cores: int) -> tuple[list[Diagnostic], list[Diagnostic]]:
    """What ``check_workspace`` finds through ``cores`` processes, and what checking in this process finds."""
    monkeypatch.setattr(email_process, "usable_cores", lambda: cores)
    started = []
    real = EmailChecker.start.__func__
    monkeypatch.setattr(EmailChecker, "start", classmethod(lambda cls, at: started.append(real(cls, at)) or started[-1]))
    _, through_processes = check_workspace(root, merge_languages())
    assert started and started[0] is not None
    workspace, loaded = load_workspace(root)
    in_this_process = validate(workspace, merge_languages())
    return through_processes, sorted(dict.fromkeys(loaded + in_this_process), key=Diagnostic.sort_key)


def test_the_processes_find_what_checking_in_the_command_finds(tmp_path, monkeypatch):
    through_processes, in_the_command = checked_both_ways(many_emails(tmp_path, 60), monkeypatch, cores=3)
    assert through_processes == in_the_command
    assert [d.code for d in through_processes].count("CK420") == len(range(0, 60, 7))


def test_emails_on_one_template_are_shared_out_and_reported_in_order(tmp_path, monkeypatch):
    """Nine emails on one template, every third with a misspelt merge name in its subject."""
    emails = "---\n".join(EMAIL.replace("2026-email-test-email", f"2026-email-test{n}-email")
                          .replace("first_name", "frist_name" if n % 3 == 0 else "first_name") for n in range(9))
    root = write_workspace(tmp_path / "ws", {"fields.yaml": EXTRA_FIELDS, "emails.yaml": emails,
                                             "templates/mail.mjml": page("<mj-text>Hello</mj-text>")})
    through_processes, in_the_command = checked_both_ways(root, monkeypatch, cores=2)
    assert through_processes == in_the_command
    assert [(d.code, d.position.line) for d in through_processes] == [("CK405", 3), ("CK405", 27), ("CK405", 51)]


def test_each_process_checks_the_emails_it_owns_then_helps_with_what_is_left(tmp_path):
    """Taken in turn (as two processes would), every email is checked once, each by its
    template's owner until that owner's list runs out for the other."""
    import multiprocessing

    workspace, _ = load_workspace(many_emails(tmp_path, 40))
    emails = workspace.of_kind("email")
    lists = email_process._by_owner(emails, 2)
    assert sorted(lists[0] + lists[1]) == list(range(40))
    assert all(owner(emails[index].data["template"], 2) == which for which in (0, 1) for index in lists[which])
    claims = email_process._Claims(multiprocessing.get_context("fork").Array("i", 2))
    first, second = claims.batches(lists, 0), claims.batches(lists, 1)

    def positions(batch: tuple[int, int, int] | None) -> list[int]:
        return [] if batch is None else lists[batch[0]][batch[1]:batch[2]]

    taken: list[tuple[int, int]] = []
    while (batch := next(first, None)) is not None:  # the first process is three times as fast
        taken += [(0, index) for index in positions(batch)]
        for _ in range(2):
            taken += [(0, index) for index in positions(next(first, None))]
        taken += [(1, index) for index in positions(next(second, None))]
    taken += [(1, index) for batch in second for index in positions(batch)]
    assert sorted(index for _, index in taken) == list(range(40))
    helped = [index for process, index in taken if index in lists[1 - process]]
    assert helped and all(index in lists[1] for index in helped)  # only the slower one was helped


def test_many_emails_on_one_template_are_shared_by_every_process(tmp_path, monkeypatch):
    monkeypatch.setattr(email_process, "usable_cores", lambda: 2)
    emails = "---\n".join(EMAIL.replace("2026-email-test-email", f"2026-email-test{n}-email") for n in range(120))
    root = write_workspace(tmp_path / "ws", {"fields.yaml": EXTRA_FIELDS, "emails.yaml": emails,
                                             "templates/mail.mjml": page("<mj-text>Hello</mj-text>")})
    workspace, _ = load_workspace(root)
    noted = tmp_path / "pids.txt"  # each check notes the process it ran in
    from campaignkit.emails import checking
    real = checking.CachedCheck.__call__

    def counted(self, context, email):
        with noted.open("a") as note:
            note.write(f"{os.getpid()}\n")
        return real(self, context, email)

    monkeypatch.setattr(checking.CachedCheck, "__call__", counted)
    checker = EmailChecker.start(root)
    assert checker is not None
    results = checker.check(MergeModel.of(workspace), "inputs", workspace.of_kind("email"))()
    assert len(results) == 120 and len(set(noted.read_text().split())) == 2


def started_by(process) -> list[int]:
    """The processes ``process`` started (Linux keeps the list)."""
    return [int(pid) for pid in Path(f"/proc/{process.pid}/task/{process.pid}/children").read_text().split()]


def test_the_first_process_starts_the_others(tmp_path, monkeypatch):
    monkeypatch.setattr(email_process, "usable_cores", lambda: 3)
    checker = EmailChecker.start(many_emails(tmp_path, 3))
    assert checker is not None
    deadline = time.monotonic() + 10
    while len(started_by(checker._first)) < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert len(started_by(checker._first)) == 2
    checker.stop()


def test_processes_given_no_emails_end_when_the_command_closes_its_pipes(tmp_path, monkeypatch):
    """Each closes the pipe ends it was forked with, so the command closing its own is the end of
    the input for every one of them: they return, rather than wait to be killed. The first
    ends only once the others it started have."""
    monkeypatch.setattr(email_process, "usable_cores", lambda: 3)
    checker = EmailChecker.start(many_emails(tmp_path, 3))
    assert checker is not None
    assert checker._first.is_alive()
    for connection in checker._connections:
        connection.close()
    checker._first.join(timeout=10)
    assert checker._first.exitcode == 0
    checker.stop()


@pytest.mark.parametrize("which", ["first", "other"])
def test_a_process_that_died_is_a_clear_error(tmp_path, monkeypatch, which):
    monkeypatch.setattr(email_process, "usable_cores", lambda: 2)
    root = many_emails(tmp_path, 3)
    workspace, _ = load_workspace(root)
    checker = EmailChecker.start(root)
    assert checker is not None
    deadline = time.monotonic() + 10
    while not started_by(checker._first) and time.monotonic() < deadline:
        time.sleep(0.01)
    [other] = started_by(checker._first)
    os.kill(checker._first.pid if which == "first" else other, signal.SIGKILL)
    results = checker.check(MergeModel.of(workspace), "inputs", workspace.of_kind("email"))
    with pytest.raises(UserError, match="stopped before it finished"):
        results()
    assert not checker._first.is_alive()
    deadline = time.monotonic() + 10
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


def test_one_core_checks_the_emails_in_the_command(tmp_path, monkeypatch):
    monkeypatch.setattr(email_process, "usable_cores", lambda: 1)
    assert EmailChecker.start(many_emails(tmp_path, 3)) is None


def test_results_come_back_in_the_order_of_the_emails(tmp_path, monkeypatch):
    """Each email's (cache key, records) where the email stands, as checking in this process gives them."""
    from campaignkit.emails.cache import ResultCache
    from campaignkit.emails.checking import CachedCheck
    from campaignkit.emails.context import EmailContext

    monkeypatch.setattr(email_process, "usable_cores", lambda: 3)
    root = many_emails(tmp_path, 30)
    workspace, _ = load_workspace(root)
    emails = workspace.of_kind("email")
    checker = EmailChecker.start(root)
    assert checker is not None
    through_processes = checker.check(MergeModel.of(workspace), "inputs", emails)()
    here = CachedCheck(workspace.template_reads, "inputs", ResultCache(root, "none"))
    context = EmailContext.of(workspace)
    assert through_processes == [here(context, email) for email in emails]
    assert sum(1 for _, records in through_processes if records) == len(range(0, 30, 7))
