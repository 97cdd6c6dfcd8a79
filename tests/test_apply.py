"""Applying: what reaches the target and state, what a failure leaves, and how a crash is recovered."""

from __future__ import annotations

import json
import sqlite3
import threading
from dataclasses import replace

from campaignkit.plan.apply import Status, apply_plan
from campaignkit.plan import Action
from campaignkit.state import Finding, StateUnavailable
from campaignkit.state.sqlite import SqliteStore
from campaignkit.targets.local import LocalTarget


def test_apply_creates_every_object_and_records_its_id(rig):
    report = rig.apply(who="cindy", git_commit="abc", plan_digest="p1")
    assert report.ok and report.summary == "Apply complete! Resources: 7 added, 0 changed, 0 destroyed."
    state = rig.store.read()
    assert len(state.entries) == 7 and state.serial == 7 and state.pending == frozenset()
    rows = {(kind, name) for kind, name, _ in rig.target_rows()}
    assert {f"{k}.{n}" for k, n in rows} == set(state.entries)
    program = state.entries["program.2026-nurture-welcome-program"]
    assert program.depends_on == ("email.2026-email-reminder-email", "email.2026-email-welcome-email",
                                  "list.2026-event-acme-conf-list", "list.global-suppression-list")
    [history] = rig.store.history()
    assert (history.who, history.git_commit, history.plan_hash, history.result) == ("cindy", "abc", "p1", "success")


def test_an_update_changes_only_that_field_on_the_target(rig):
    rig.apply()
    rig.edit("emails.yaml", "subject: Welcome to Acme Conf", "subject: Welcome aboard")
    assert rig.apply().summary == "Apply complete! Resources: 0 added, 1 changed, 0 destroyed."
    [attributes] = [json.loads(a) for k, n, a in rig.target_rows() if n == "2026-email-welcome-email"]
    assert attributes["subject"] == "Welcome aboard"


def test_a_failure_reports_what_failed_and_what_was_not_tried_and_keeps_the_rest(rig):
    rig.target.create("list", "global-suppression-list", {}, None)  # someone made this list in the UI already
    report = rig.apply()
    assert not report.ok
    [failed] = report.of(Status.FAILED)
    assert failed.change.address == "list.global-suppression-list"
    assert "already exists" in failed.error and "campaignkit import list.global-suppression-list" in failed.error
    assert [o.change.address for o in report.of(Status.NOT_TRIED)] == ["program.2026-nurture-welcome-program"]
    assert report.summary == "Apply failed: 5 added, 0 changed, 0 destroyed; 1 failed, 1 not tried."
    assert rig.store.history()[-1].result == "failed"
    left = rig.plan()
    assert {c.address for c in left.changes} == {"list.global-suppression-list",
                                                 "program.2026-nurture-welcome-program"}


def test_a_create_interrupted_before_state_was_written_is_adopted_not_repeated(rig):
    plan = rig.plan()
    # What a kill -9 leaves between the target's answer and the state write:
    # the create marked pending in state, and the object made on the target.
    rig.store.begin(plan.lineage)
    rig.store.mark_pending(["list.global-suppression-list"])
    made = rig.target.create("list", "global-suppression-list", {"type": "static"}, None)
    assert rig.apply().ok
    entry = rig.store.read().entries["list.global-suppression-list"]
    assert entry.target_id == made.id
    assert [n for k, n, _ in rig.target_rows()].count("global-suppression-list") == 1
    assert rig.store.read().pending == frozenset()
    assert rig.plan().changes == ()


def test_drift_in_an_applied_plan_is_recorded_in_state(rig):
    rig.apply()
    with sqlite3.connect(rig.target.path) as db:
        db.execute("UPDATE ck_objects SET attributes = json_set(attributes, '$.description', 'UI text') "
                   "WHERE name = 'global-suppression-list'")
    rig.edit("emails.yaml", "subject: Welcome to Acme Conf", "subject: Welcome aboard")
    rig.edit("lists.yaml", "type: static\n", "type: static\nlifecycle: {ignore_changes: [description]}\n")
    plan = rig.plan()
    assert [d.address for d in plan.drift] == ["list.global-suppression-list"]
    rig.apply(plan)
    assert rig.store.read().entries["list.global-suppression-list"].attributes["description"] == "UI text"
    again = rig.plan()
    assert again.drift == () and again.changes == ()


def test_deleting_what_is_already_gone_succeeds(rig):
    rig.apply()
    with sqlite3.connect(rig.target.path) as db:
        db.execute("DELETE FROM ck_objects WHERE name = '2026-nurture-welcome-program'")
    (rig.root / "programs.yaml").unlink()
    plan = rig.plan(refresh_first=False)
    assert [c.action for c in plan.changes] == [Action.DELETE]
    assert rig.apply(plan).ok
    assert "program.2026-nurture-welcome-program" not in rig.store.read().entries


def test_updating_what_is_gone_fails_with_a_way_out(rig):
    rig.apply()
    with sqlite3.connect(rig.target.path) as db:
        db.execute("DELETE FROM ck_objects WHERE name = '2026-email-welcome-email'")
    rig.edit("emails.yaml", "subject: Welcome to Acme Conf", "subject: Welcome aboard")
    report = rig.apply(rig.plan(refresh_first=False))
    [failed] = report.of(Status.FAILED)
    assert "no longer on the local target" in failed.error and "plan" in failed.error
    assert [c.action for c in rig.plan().changes] == [Action.CREATE]  # refresh sees it gone



def test_a_create_the_target_database_refuses_for_another_reason_than_the_name_fails_with_that_reason(rig):
    rig.target.list("program")  # makes the database
    with sqlite3.connect(rig.target.path) as db:
        db.execute("CREATE TRIGGER quota BEFORE INSERT ON ck_objects WHEN NEW.kind = 'program' "
                   "BEGIN SELECT RAISE(ABORT, 'quota reached: no more programs'); END")
    report = rig.apply()
    [failed] = report.of(Status.FAILED)
    assert failed.change.address == "program.2026-nurture-welcome-program"
    assert failed.error.endswith("refused the program: quota reached: no more programs")
    assert report.summary == "Apply failed: 6 added, 0 changed, 0 destroyed; 1 failed, 0 not tried."


class _StopsDuring(LocalTarget):
    """The local target, on which a stop is requested (as Ctrl-C does) while its ``count``-th create runs."""

    def __init__(self, path, count: int, stop: threading.Event) -> None:
        super().__init__(path)
        self.count = count
        self.stop = stop

    def create(self, kind, name, attributes, content):
        self.count -= 1
        if self.count == 0:
            self.stop.set()
        return super().create(kind, name, attributes, content)


def test_a_stop_request_lets_the_change_under_way_finish_and_starts_no_more(rig):
    stop = threading.Event()
    target = _StopsDuring(rig.target.path, 3, stop)
    try:
        report = apply_plan(rig.plan(), rig.store, target, stop=stop)
    finally:
        target.close()
    assert report.interrupted
    assert report.summary == "Apply interrupted: 3 added, 0 changed, 0 destroyed; 0 failed, 4 not tried."
    assert len(rig.store.read().entries) == 3 and rig.store.read().pending == frozenset()
    assert rig.store.history()[-1].result == "interrupted"
    assert len(rig.plan().changes) == 4


def test_ctrl_c_while_a_result_is_told_still_ends_in_a_report(rig):
    told = []

    def ctrl_c_at_the_second(outcome):
        told.append(outcome)
        if len(told) == 2:
            raise KeyboardInterrupt

    report = rig.apply(on_outcome=ctrl_c_at_the_second)
    assert report.summary == "Apply interrupted: 2 added, 0 changed, 0 destroyed; 0 failed, 5 not tried."
    assert rig.store.history()[-1].result == "interrupted"


def test_a_stop_requested_once_every_change_is_done_is_a_complete_apply(rig):
    stop = threading.Event()
    report = rig.apply(stop=stop, on_outcome=lambda outcome: stop.set() if outcome.change.kind == "program" else None)
    assert report.ok and report.summary.startswith("Apply complete!")


class _FillsUp(SqliteStore):
    """The SQLite state on a disk that fills up after ``writes`` commits: every write after them fails."""

    def __init__(self, path, key: str, writes: int) -> None:
        super().__init__(path, key)
        self.writes = writes

    def _write(self) -> None:
        if self.writes <= 0:
            raise StateUnavailable(f"state database {self.path}: database or disk is full")

    def mark_pending(self, addresses):
        self._write()
        super().mark_pending(addresses)

    def commit(self, puts=(), removes=()):
        self.writes -= 1
        self._write()
        super().commit(puts, removes)

    def finish_history(self, entry_id, result, summary):
        self._write()
        super().finish_history(entry_id, result, summary)


def test_a_state_that_fills_up_stops_the_apply_which_reports_what_was_applied_and_why_it_stopped(rig):
    full = _FillsUp(rig.store.path, rig.store.key, writes=3)
    try:
        report = apply_plan(rig.plan(), full, rig.target)
    finally:
        full.close()
    assert report.error == f"state database {rig.store.path}: database or disk is full"
    assert report.summary == "Apply failed: 2 added, 0 changed, 0 destroyed; 1 failed, 4 not tried."
    [failed] = report.of(Status.FAILED)
    assert failed.error.startswith("done on the target, but state could not record it (state database ")
    state = rig.store.read()
    assert len(state.entries) == 2 and state.pending == {failed.change.address}
    assert [row.result for row in rig.store.history()] == ["running"]  # its end could not be written either
    with rig.store.lock("apply"):
        assert [row.result for row in rig.store.history()] == ["interrupted"]
    assert rig.apply().ok  # the object whose record failed is adopted, not made twice
    assert len({n for k, n, _ in rig.target_rows()}) == len(rig.target_rows()) == 7


class _WatchedTarget(LocalTarget):
    """The local target allowed four creates at once, noting when each starts and finishes.

    Creates wait at a gate until the test opens it, so that the test sees how many the
    scheduler runs at once before any finishes.
    """

    max_parallelism = 4

    def __init__(self, *args, gated: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.events: list[tuple[str, str]] = []
        self.running = 0
        self.most = 0
        self.changed = threading.Condition()
        self.gate = threading.Event()
        if not gated:
            self.gate.set()

    def create(self, kind, name, attributes, content):
        with self.changed:
            self.running += 1
            self.most = max(self.most, self.running)
            self.events.append(("start", name))
            self.changed.notify_all()
        self.gate.wait()
        try:
            return super().create(kind, name, attributes, content)
        finally:
            with self.changed:
                self.running -= 1
                self.events.append(("finish", name))
                self.changed.notify_all()

    def running_when_full(self) -> int:
        """How many creates run once no more start while none finishes (the gate is closed)."""
        with self.changed:
            self.changed.wait_for(lambda: self.running == self.max_parallelism, timeout=60)
            return self.running


def test_parallelism_is_capped_by_the_target_and_respects_dependencies(rig):
    target = _WatchedTarget(rig.target.path, gated=True)
    plan = rig.plan()
    reports = []
    applying = threading.Thread(target=lambda: reports.append(apply_plan(plan, rig.store, target, parallelism=10)))
    try:
        applying.start()
        assert target.running_when_full() == 4
        target.gate.set()
        applying.join()
    finally:
        target.gate.set()
        target.close()
    assert reports[0].ok and target.most == 4
    program_started = target.events.index(("start", "2026-nurture-welcome-program"))
    for used in ("2026-event-acme-conf-list", "global-suppression-list", "2026-email-welcome-email",
                 "2026-email-reminder-email"):
        assert target.events.index(("finish", used)) < program_started


def test_parallelism_one_runs_one_change_at_a_time(rig):
    target = _WatchedTarget(rig.target.path)
    try:
        assert apply_plan(rig.plan(), rig.store, target, parallelism=1).ok
    finally:
        target.close()
    assert target.most == 1
    assert [event for event, _ in target.events] == ["start", "finish"] * 7


def test_email_bodies_reach_the_target_and_state_keeps_only_their_digest(rig):
    rig.apply()
    with sqlite3.connect(rig.target.path) as db:
        [(html, attributes)] = db.execute("SELECT html_body, attributes FROM ck_objects "
                                          "WHERE name = '2026-email-welcome-email'").fetchall()
    assert "Your ticket is attached." in html and "html_body" not in attributes
    entry = rig.store.read().entries["email.2026-email-welcome-email"]
    assert set(entry.attributes) >= {"subject", "content_sha256"} and "html_body" not in entry.attributes


def test_apply_records_each_emails_check_findings_without_lines(rig):
    rig.edit("emails.yaml", "preheader: Your ticket and what comes next\n", "")
    rig.apply()
    entries = rig.store.read().entries
    assert [(f.code, f.severity) for f in entries["email.2026-email-welcome-email"].checks] == [("CK432", "warning")]
    assert entries["email.2026-email-reminder-email"].checks == ()
    assert entries["list.global-suppression-list"].checks is None
    with sqlite3.connect(rig.store.path) as db:
        [(recorded,)] = db.execute("SELECT findings FROM ck_checks WHERE address = ?",
                                   ("email.2026-email-welcome-email",)).fetchall()
    assert '"code":"CK432"' in recorded and "emails.yaml" not in recorded


def test_an_email_is_unchanged_when_only_its_recorded_findings_differ(rig):
    rig.apply()
    applied = rig.store.read().entries["email.2026-email-welcome-email"]
    rig.store.commit(puts=[replace(applied, checks=(Finding("CK432", "warning", "worded otherwise"),))])
    assert rig.plan().changes == ()

