"""The email checking processes: started before the workspace loads, they find what checking finds."""

from __future__ import annotations

import os
import signal

import pytest

from campaignkit.checks import check_workspace, email_process, validate
from campaignkit.checks.email_process import EmailChecker, owner
from campaignkit.diagnostics import Diagnostic
from campaignkit.render.merge import MergeModel
from campaignkit.workspace import load_workspace
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


def test_each_process_gets_the_emails_whose_template_it_owns_but_no_more_than_its_share(tmp_path):
    workspace, _ = load_workspace(many_emails(tmp_path, 40))
    emails = workspace.of_kind("email")
    shares = email_process._shares(emails, 3)
    assert sorted(index for share in shares for index in share) == list(range(40))
    assert max(len(share) for share in shares) == 14
    assert sum(owner(emails[index].data["template"], 3) == number
               for number, share in enumerate(shares) for index in share) >= 34
    same_template = [emails[0]] * 10
    assert sorted(len(share) for share in email_process._shares(same_template, 3)) == [3, 3, 4]


def test_processes_given_no_emails_are_stopped(tmp_path, monkeypatch):
    monkeypatch.setattr(email_process, "usable_cores", lambda: 2)
    checker = EmailChecker.start(many_emails(tmp_path, 3))
    assert checker is not None
    processes = [each._process for each in checker._processes]
    assert len(processes) == 2 and all(process.is_alive() for process in processes)
    checker.stop()
    assert not any(process.is_alive() for process in processes)


def test_a_process_that_died_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setattr(email_process, "usable_cores", lambda: 2)
    root = many_emails(tmp_path, 3)
    workspace, _ = load_workspace(root)
    checker = EmailChecker.start(root)
    assert checker is not None
    killed = checker._processes[1]._process
    os.kill(killed.pid, signal.SIGKILL)
    killed.join()
    results = checker.check(MergeModel.of(workspace), "inputs", workspace.of_kind("email"))
    with pytest.raises(RuntimeError, match="stopped without a result"):
        results()
    assert not any(each._process.is_alive() for each in checker._processes)


def test_one_core_checks_the_emails_in_the_command(tmp_path, monkeypatch):
    monkeypatch.setattr(email_process, "usable_cores", lambda: 1)
    assert EmailChecker.start(many_emails(tmp_path, 3)) is None


def test_results_come_back_in_the_order_of_the_emails(tmp_path, monkeypatch):
    """Each email's (cache key, records) where the email stands, as checking in this process gives them."""
    from campaignkit.cache import ResultCache
    from campaignkit.render.checking import CachedCheck
    from campaignkit.render.context import EmailContext

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
