"""The email checking processes: started before the workspace loads, they find what checking finds."""

from __future__ import annotations

import os
import select
import signal
from typing import Callable, Iterator

import pytest

from campaignkit.checks import check_workspace, validate
from campaignkit.emails import processes as email_process
from campaignkit.emails.processes import EmailChecker
from campaignkit.diagnostics import Diagnostic
from campaignkit.errors import UserError
from campaignkit.emails.merge import MergeModel
from campaignkit.workspace.loading import load_workspace
from tests.test_render_checks import EMAIL, EXTRA_FIELDS, many_emails, page
from tests.workspaces import write_workspace


def checked_both_ways(root, monkeypatch, cores: int) -> tuple[list[Diagnostic], list[Diagnostic]]:
    """What ``check_workspace`` finds through ``cores`` processes, and what checking in this process finds."""
    monkeypatch.setattr(email_process, "usable_cores", lambda: cores)
    started = []
    real = EmailChecker.start.__func__
    monkeypatch.setattr(EmailChecker, "start", classmethod(lambda cls, at: started.append(real(cls, at)) or started[-1]))
    _, through_processes = check_workspace(root)
    assert started and started[0] is not None
    workspace, loaded = load_workspace(root)
    return through_processes, sorted(dict.fromkeys(loaded + validate(workspace)), key=Diagnostic.sort_key)


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
    checked_in = noted.read_text().split()
    assert len(results) == len(checked_in) == 120  # each email checked once
    assert len(set(checked_in)) == 2


#: Characters of a pid as a started process writes it.
PID_WIDTH = 10


@pytest.fixture
def started(monkeypatch) -> Iterator[Callable[[int], list[int]]]:
    """Each checking process writes its pid to a pipe as it starts; ``started(n)`` reads the first ``n``."""
    reading, writing = os.pipe()
    real = email_process.worker_started

    def noted() -> None:
        real()
        os.write(writing, f"{os.getpid():>{PID_WIDTH}}".encode())  # one write, whole on the pipe

    def read(count: int) -> list[int]:
        pids = []
        while len(pids) < count:
            assert select.select([reading], [], [], 60)[0], f"{len(pids)} of {count} processes started"
            pids.append(int(os.read(reading, PID_WIDTH)))
        return pids

    monkeypatch.setattr(email_process, "worker_started", noted)
    yield read
    os.close(reading)
    os.close(writing)


def ends(pid: int) -> bool:
    """Whether the process ``pid`` ends (waiting for it up to a minute)."""
    try:
        handle = os.pidfd_open(pid)
    except ProcessLookupError:
        return True  # ended and reaped already
    try:
        return bool(select.select([handle], [], [], 60)[0])
    finally:
        os.close(handle)


def test_stopping_ends_every_process(tmp_path, monkeypatch, started):
    """As when the command fails before the emails are sent: no process is left behind."""
    monkeypatch.setattr(email_process, "usable_cores", lambda: 3)
    checker = EmailChecker.start(many_emails(tmp_path, 3))
    assert checker is not None
    pids = started(3)
    checker.stop()
    assert all(ends(pid) for pid in pids)


@pytest.mark.parametrize("which", ["first", "other"])
def test_a_process_that_died_is_a_clear_error(tmp_path, monkeypatch, started, which):
    monkeypatch.setattr(email_process, "usable_cores", lambda: 2)
    root = many_emails(tmp_path, 3)
    workspace, _ = load_workspace(root)
    checker = EmailChecker.start(root)
    assert checker is not None
    first, other = started(2)  # the first starts the other
    os.kill(first if which == "first" else other, signal.SIGKILL)
    results = checker.check(MergeModel.of(workspace), "inputs", workspace.of_kind("email"))
    with pytest.raises(UserError, match="stopped before it finished"):
        results()
    assert ends(first) and ends(other)


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
