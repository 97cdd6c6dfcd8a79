"""The email checker's own process: started before the workspace loads, it finds what checking finds."""

from __future__ import annotations

import os
import signal

import pytest

from campaignkit.checks import check_workspace, validate
from campaignkit.checks import email_process
from campaignkit.checks.email_process import EmailChecker
from campaignkit.diagnostics import Diagnostic
from campaignkit.render import parallel
from campaignkit.render.merge import MergeModel
from campaignkit.workspace import load_workspace
from tests.test_render_checks import many_emails



def test_the_process_finds_what_checking_in_the_command_finds(tmp_path, monkeypatch):
    """Enough emails for the process to fork its workers: the same diagnostics, in order."""
    root = many_emails(tmp_path, 60)
    monkeypatch.setattr(email_process, "usable_cores", lambda: 2)
    monkeypatch.setattr(parallel, "usable_cores", lambda: 2)
    started = []
    monkeypatch.setattr(EmailChecker, "start", classmethod(
        lambda cls, at, real=EmailChecker.start.__func__: started.append(real(cls, at)) or started[-1]))
    _, through_the_process = check_workspace(root)
    assert started and started[0] is not None
    workspace, loaded = load_workspace(root)
    in_the_command = sorted(dict.fromkeys(loaded + validate(workspace)), key=Diagnostic.sort_key)
    assert through_the_process == in_the_command
    assert [d.code for d in through_the_process].count("CK420") == len(range(0, 60, 7))


def test_a_checker_given_no_emails_is_stopped(tmp_path, monkeypatch):
    monkeypatch.setattr(email_process, "usable_cores", lambda: 2)
    checker = EmailChecker.start(many_emails(tmp_path, 3))
    assert checker is not None and checker._process.is_alive()
    checker.stop()
    assert not checker._process.is_alive() and checker._process.exitcode is not None


def test_a_checker_that_died_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setattr(email_process, "usable_cores", lambda: 2)
    root = many_emails(tmp_path, 3)
    workspace, _ = load_workspace(root)
    checker = EmailChecker.start(root)
    assert checker is not None
    os.kill(checker._process.pid, signal.SIGKILL)
    checker._process.join()
    results = checker.check(MergeModel.of(workspace), "inputs", workspace.of_kind("email"))
    with pytest.raises(RuntimeError, match="stopped without a result"):
        results()


def test_one_core_checks_the_emails_in_the_command(tmp_path, monkeypatch):
    monkeypatch.setattr(email_process, "usable_cores", lambda: 1)
    assert EmailChecker.start(many_emails(tmp_path, 3)) is None
