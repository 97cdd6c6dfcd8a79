"""Real processes against one workspace: two applies at once, and an apply killed with SIGKILL."""

from __future__ import annotations

import os
import pty
import re
import select
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from benchmarks.generate import generate
from campaignkit.state import open_url
from campaignkit.workspace.loading import load_workspace


def workspace_of_lists(root: Path, count: int) -> tuple[Path, int]:
    """A generated workspace of ``count`` lists, and how many objects its first apply creates
    (the lists, and the fields and settings every generated workspace has)."""
    generate(root, count, {"list": 1.0})
    workspace, _ = load_workspace(root)
    return root, len(workspace.resources)


def campaignkit(root: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "campaignkit", *args], cwd=root, capture_output=True, text=True,
                          timeout=timeout)


class Terminal:
    """A campaignkit process on a pseudo-terminal, read as it writes."""

    def __init__(self, root: Path, *args: str) -> None:
        self.primary, secondary = pty.openpty()
        self.process = subprocess.Popen([sys.executable, "-m", "campaignkit", *args], cwd=root, stdin=secondary,
                                        stdout=secondary, stderr=secondary, close_fds=True)
        os.close(secondary)
        self.output = ""

    def read_until(self, text: str, timeout: float = 60) -> str:
        deadline = time.monotonic() + timeout
        while text not in self.output:
            ready, _, _ = select.select([self.primary], [], [], max(deadline - time.monotonic(), 0))
            if not ready:
                raise AssertionError(f"{text!r} did not appear in: {self.output}")
            try:
                self.output += os.read(self.primary, 65536).decode(errors="replace")
            except OSError:
                raise AssertionError(f"process ended before {text!r}: {self.output}") from None
        return self.output

    def type(self, line: str) -> None:
        os.write(self.primary, line.encode() + b"\n")

    def finish(self, timeout: float = 60) -> int:
        try:
            while select.select([self.primary], [], [], timeout)[0]:
                self.output += os.read(self.primary, 65536).decode(errors="replace")
        except OSError:
            pass  # the process closed the terminal
        os.close(self.primary)
        return self.process.wait(timeout)


def test_two_applies_at_once_the_second_fails_naming_the_holder_or_waits(tmp_path):
    root, objects = workspace_of_lists(tmp_path / "ws", 20)
    first = Terminal(root, "apply")
    first.read_until("Only 'yes' will be accepted")  # holds the lock while it asks
    second = campaignkit(root, "apply", "--auto-approve")
    assert second.returncode == 1
    assert re.search(rf"locked: apply by \S+@\S+ pid {first.process.pid} since \S+ \(lock id [0-9a-f-]+\)",
                     second.stderr), second.stderr
    waiting = subprocess.Popen([sys.executable, "-m", "campaignkit", "apply", "--auto-approve",
                                "--lock-timeout", "60s"], cwd=root, stdout=subprocess.PIPE, text=True)
    with open_url("sqlite:.campaignkit/sandbox.db", root, "bench/sandbox") as store:
        assert store.holder().holder.endswith(f" pid {first.process.pid}")  # the first still holds it
    first.type("yes")
    assert first.finish() == 0 and f"{objects} added" in first.output
    out, _ = waiting.communicate(timeout=60)
    assert waiting.returncode == 0 and "No changes" in out


def wait_for_creates(apply: subprocess.Popen[str], count: int) -> None:
    """Reads ``apply``'s lines until it reports ``count`` objects created (each recorded in state first)."""
    created = 0
    for line in apply.stdout:
        created += line.rstrip().endswith(": created")
        if created == count:
            return
    raise AssertionError(f"apply ended after {created} creates, before it could be stopped")


def _state_serial(path: Path) -> int:
    try:
        with sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True) as db:
            row = db.execute("SELECT serial FROM ck_meta").fetchone()
    except sqlite3.Error:
        return 0  # not created yet
    return row[0] if row else 0


def test_kill_9_during_apply_loses_nothing_and_creates_nothing_twice(tmp_path):
    root, objects = workspace_of_lists(tmp_path / "ws", 600)
    state_path = root / ".campaignkit" / "sandbox.db"
    apply = subprocess.Popen([sys.executable, "-m", "campaignkit", "apply", "--auto-approve"], cwd=root,
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    wait_for_creates(apply, 50)
    os.kill(apply.pid, signal.SIGKILL)
    apply.communicate()
    done = _state_serial(state_path)
    assert 50 <= done < objects, "the apply was not killed half-way"

    with sqlite3.connect(root / ".campaignkit" / "sandbox.target.db") as db:
        on_target = db.execute("SELECT COUNT(*) FROM ck_objects").fetchone()[0]
    assert on_target - done in (0, 1)  # at most the one created as it was killed, not yet recorded

    plan = campaignkit(root, "plan", "--detailed-exitcode")  # the killed apply's lock is taken over
    assert "Warning: took over the lock on bench/sandbox left by " in plan.stderr
    assert f"pid {apply.pid} (apply since" in plan.stderr
    assert plan.returncode == 2
    assert plan.stdout.splitlines()[0] == f"Plan: {objects - done} to add, 0 to change, 0 to destroy."

    finish = campaignkit(root, "apply", "--auto-approve")
    assert finish.returncode == 0, finish.stdout + finish.stderr
    with sqlite3.connect(root / ".campaignkit" / "sandbox.target.db") as db:
        names = [row[0] for row in db.execute("SELECT name FROM ck_objects")]
    assert len(names) == objects and len(set(names)) == objects
    assert campaignkit(root, "plan", "--detailed-exitcode").returncode == 0
    history = campaignkit(root, "state", "history").stdout.splitlines()
    assert "interrupted" in history[0] and "success" in history[1]


def test_apply_without_a_terminal_prints_one_line_per_change(tmp_path):
    root, objects = workspace_of_lists(tmp_path / "ws", 300)
    result = campaignkit(root, "apply", "--auto-approve")
    lines = result.stdout.splitlines()
    assert result.returncode == 0
    assert sum(line.endswith(": created") for line in lines) == objects
    assert "\x1b[" not in result.stdout  # no colour or progress bar when not on a terminal


def test_sigterm_during_apply_stops_it_as_ctrl_c_does(tmp_path):
    """What ``timeout``, a cancelled CI job and ``docker stop`` send: the lock is released, the run not left running."""
    root, _ = workspace_of_lists(tmp_path / "ws", 1000)
    apply = subprocess.Popen([sys.executable, "-m", "campaignkit", "apply", "--auto-approve"], cwd=root,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    wait_for_creates(apply, 20)
    apply.send_signal(signal.SIGTERM)
    out, err = apply.communicate(timeout=60)
    assert apply.returncode == 1
    assert "Traceback" not in err and "Aborted!" not in err, err
    assert "Apply interrupted: " in out and "not tried" in out

    def campaignkit(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "campaignkit", *args], cwd=root, capture_output=True,
                              text=True, timeout=120)

    plan = campaignkit("plan")
    assert plan.returncode == 0, plan.stderr  # not "locked: apply by ..."
    history = campaignkit("state", "history").stdout
    assert "interrupted" in history and "running" not in history, history
