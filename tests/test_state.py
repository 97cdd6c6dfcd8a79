"""The state stores: every test runs against SQLite and a real PostgreSQL server."""

from __future__ import annotations

import hashlib
import os
import signal
import sqlite3
import subprocess
import sys
import threading
from contextlib import closing
from dataclasses import replace
from pathlib import Path

import psycopg
import pytest

from campaignkit.errors import UserError
from campaignkit.state import Finding, LockHeld, LockInfo, StateEntry, StateFormatError, open_url
from campaignkit.state.lock import LockTakenOver

KEY = "acme/sandbox"


def entry(address: str, subject: str = "Hello", target_id: str = "1") -> StateEntry:
    kind, name = address.split(".", 1)
    return StateEntry(address, kind, name, target_id, {"subject": subject, "tags": ["a"]}, f"h-{subject}",
                      ("list.x",), protected=True)


def open_store(url: str, tmp_path: Path, key: str = KEY):
    return open_url(url, tmp_path, key)


def test_a_new_store_is_empty(state_url, tmp_path):
    with open_store(state_url, tmp_path) as store:
        state = store.read()
    assert state.empty and state.serial == 0 and state.entries == {} and state.pending == frozenset()


def test_every_commit_adds_one_to_serial_and_keeps_the_lineage(state_url, tmp_path):
    with open_store(state_url, tmp_path) as store:
        store.begin("lineage-1")
        store.commit(puts=[entry("email.a")])
        store.commit(puts=[entry("email.b"), entry("email.a", "Hi")])
        store.begin("lineage-2")
        state = store.read()
    assert (state.lineage, state.serial) == ("lineage-1", 2)
    assert state.entries["email.a"] == entry("email.a", "Hi")
    assert set(state.entries) == {"email.a", "email.b"}


def test_state_survives_reopening_and_removes_what_is_removed(state_url, tmp_path):
    with open_store(state_url, tmp_path) as store:
        store.begin("l")
        store.commit(puts=[entry("email.a"), entry("list.x")])
        store.commit(removes=["email.a"])
    with open_store(state_url, tmp_path) as store:
        assert set(store.read().entries) == {"list.x"}


def test_environments_sharing_a_database_do_not_see_each_other(state_url, tmp_path):
    with open_store(state_url, tmp_path, "acme/sandbox") as sandbox, \
            open_store(state_url, tmp_path, "acme/production") as production:
        sandbox.begin("l1")
        sandbox.commit(puts=[entry("email.a")])
        assert production.read().empty and production.read().entries == {}


def test_a_store_names_the_other_workspaces_with_state_for_its_environment(state_url, tmp_path):
    with open_store(state_url, tmp_path, "acme/sandbox") as old, \
            open_store(state_url, tmp_path, "acme/production") as production, \
            open_store(state_url, tmp_path, "acme-renamed/sandbox") as renamed:
        assert renamed.other_workspaces() == []
        for store in (old, production):
            store.begin("l1")
            store.commit(puts=[entry("email.a")])
        assert (renamed.workspace, renamed.other_workspaces()) == ("acme-renamed", ["acme"])
        assert old.other_workspaces() == [] and production.other_workspaces() == []


def test_pending_creates_are_kept_until_committed(state_url, tmp_path):
    with open_store(state_url, tmp_path) as store:
        store.begin("l")
        store.mark_pending(["email.a", "email.b"])
        store.commit(puts=[entry("email.a")])
        assert store.read().pending == {"email.b"}


def test_history_records_who_what_and_the_result(state_url, tmp_path):
    with open_store(state_url, tmp_path) as store:
        first = store.start_history("apply", "cindy", "abc123", "plan-hash")
        store.finish_history(first, "success", "1 added")
        store.start_history("apply", "dan", "", "h2")
        with store.lock("apply"):
            pass
        rows = store.history()
    assert [(r.operation, r.who, r.git_commit, r.plan_hash, r.result) for r in rows] == [
        ("apply", "cindy", "abc123", "plan-hash", "success"),
        ("apply", "dan", "", "h2", "interrupted"),
    ]
    assert rows[0].finished and rows[0].summary == "1 added"


def test_a_second_lock_fails_naming_holder_operation_and_time(state_url, tmp_path):
    with open_store(state_url, tmp_path) as first, open_store(state_url, tmp_path) as second:
        with first.lock("apply") as held:
            with pytest.raises(LockHeld) as caught:
                with second.lock("plan"):
                    pass
        message = str(caught.value)
        assert "apply" in message and held.holder in message and held.since in message
        assert held.lock_id in message
        with second.lock("plan"):  # free again once the first is done
            pass


def test_the_holder_is_whoever_holds_the_lock_now(state_url, tmp_path):
    with open_store(state_url, tmp_path) as first, open_store(state_url, tmp_path) as second:
        assert second.holder() is None
        with first.lock("apply") as held:
            assert second.holder() == held and held.operation == "apply" and f"pid {os.getpid()}" in held.holder
        assert second.holder() is None


def locked_by(store, operation: str, timeout: float) -> LockInfo:
    """Takes ``store``'s lock for ``operation`` (waiting up to ``timeout``) and says what it held."""
    with store.lock(operation, timeout=timeout, poll=0.01) as held:
        return held


def test_lock_timeout_waits_for_the_holder(state_url, tmp_path):
    with open_store(state_url, tmp_path) as first, open_store(state_url, tmp_path) as second:
        taken: list[LockInfo] = []
        with first.lock("apply") as held:
            waiting = threading.Thread(target=lambda: taken.append(locked_by(second, "plan", timeout=60)))
            waiting.start()
            assert first.holder() == held and taken == []  # the other waits while the first holds it
        waiting.join(60)
        assert [lock.operation for lock in taken] == ["plan"] and taken[0] != held
        assert first.holder() is None


def test_lock_timeout_gives_up_naming_the_holder_and_the_wait(state_url, tmp_path):
    with open_store(state_url, tmp_path) as first, open_store(state_url, tmp_path) as second:
        with first.lock("apply") as held:
            with pytest.raises(LockHeld, match="after waiting 0.5s") as caught:
                locked_by(second, "apply", timeout=0.5)
            assert caught.value.holder == held == second.holder()


def edit_by_hand(url: str, statement: str) -> None:
    """Runs ``statement`` on the state database with its own driver, as a person editing it would."""
    if url.startswith("sqlite:"):
        with closing(sqlite3.connect(url.removeprefix("sqlite:"))) as db, db:
            db.execute(statement)
    else:
        with psycopg.connect(url, autocommit=True) as db:
            db.execute(statement)


def test_a_state_written_by_a_newer_version_is_refused(state_url, tmp_path):
    open_store(state_url, tmp_path).close()
    edit_by_hand(state_url, "UPDATE ck_schema SET version = 99")
    with pytest.raises(StateFormatError, match="newer campaignkit .*schema 99"):
        open_store(state_url, tmp_path)


_HOLD_LOCK = """
import sys
from pathlib import Path
from campaignkit.state import open_url
store = open_url(sys.argv[1], Path(sys.argv[2]), sys.argv[3])
with store.lock("apply"):
    print("locked", flush=True)
    sys.stdin.read()  # held until the test kills this process
"""


def _killed_holder(url: str, tmp_path: Path) -> int:
    """Runs a process that takes the lock, kills it with SIGKILL while it holds it, and returns its pid."""
    holder = subprocess.Popen([sys.executable, "-c", _HOLD_LOCK, url, str(tmp_path), KEY],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "locked"
    os.kill(holder.pid, signal.SIGKILL)
    holder.wait()
    holder.stdin.close()
    holder.stdout.close()
    return holder.pid


def test_sqlite_lock_of_a_killed_process_of_this_machine_is_taken_over_with_a_warning(tmp_path):
    url = f"sqlite:{tmp_path / 'state.db'}"
    killed = _killed_holder(url, tmp_path)
    with open_store(url, tmp_path) as store:
        assert f"pid {killed}" in store.holder().holder
        with pytest.warns(LockTakenOver, match=f"left by .* pid {killed} \\(apply since"):
            with store.lock("plan") as held:
                assert store.holder() == held
        assert store.holder() is None


def test_sqlite_lock_from_another_machine_stays_until_force_unlock(tmp_path):
    url = f"sqlite:{tmp_path / 'state.db'}"
    with open_store(url, tmp_path) as store, sqlite3.connect(tmp_path / "state.db") as db:
        db.execute("INSERT INTO ck_lock (env, lock_id, holder, operation, since) VALUES "
                   "(?, 'lock-1', 'dan@ci-runner-7 pid 1', 'apply', '2026-11-23T10:00:00+00:00')", (store.key,))
        db.commit()
        with pytest.raises(LockHeld) as caught:
            with store.lock("apply"):
                pass
        lock_id = caught.value.holder.lock_id
        with pytest.raises(UserError, match="not wrong-id"):
            store.force_unlock("wrong-id")
        assert store.force_unlock(lock_id).operation == "apply"
        assert store.holder() is None
        with store.lock("apply"):
            pass
        with pytest.raises(UserError, match="not locked"):
            store.force_unlock(lock_id)


def test_postgres_lock_dies_with_the_killed_process(postgres_url, tmp_path):
    _killed_holder(postgres_url, tmp_path)
    with open_store(postgres_url, tmp_path) as store:
        assert store.holder() is None
        with store.lock("apply"):
            pass
        with pytest.raises(UserError, match="releases the lock"):
            store.force_unlock("any")


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_corrupt_sqlite_file_is_refused_and_left_untouched(tmp_path):
    path = tmp_path / "state.db"
    path.write_bytes(b"this is not a database, just some text that happens to be here\n" * 100)
    before = _digest(path)
    with pytest.raises(UserError, match=f"{path} is not a campaignkit state database.*left untouched"):
        open_store(f"sqlite:{path}", tmp_path)
    assert _digest(path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["state.db"]


def test_a_foreign_sqlite_database_is_refused_and_left_untouched(tmp_path):
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as other:
        other.execute("CREATE TABLE customers (id INTEGER, name TEXT)")
    before = _digest(path)
    with pytest.raises(UserError, match="database of something else .*customers.*left untouched"):
        open_store(f"sqlite:{path}", tmp_path)
    assert _digest(path) == before


def test_an_empty_state_file_is_refused_not_taken_for_a_new_state(tmp_path):
    path = tmp_path / "state.db"
    path.write_bytes(b"")
    with pytest.raises(UserError, match=f"state database {path} is empty \\(0 bytes\\)"):
        open_store(f"sqlite:{path}", tmp_path)
    assert path.read_bytes() == b""


def test_a_state_path_in_a_folder_that_does_not_exist_is_refused(tmp_path):
    with pytest.raises(UserError, match="the folder .*/mistyped does not exist"):
        open_store(f"sqlite:{tmp_path / 'mistyped' / 'state.db'}", tmp_path)
    assert not (tmp_path / "mistyped").exists()


def test_a_state_missing_a_table_is_refused_as_damaged(tmp_path):
    url = f"sqlite:{tmp_path / 'state.db'}"
    with open_store(url, tmp_path):
        pass
    with sqlite3.connect(tmp_path / "state.db") as db:
        db.execute("DROP TABLE ck_resources")
    with pytest.raises(StateFormatError, match="damaged: its table ck_resources is missing"):
        open_store(url, tmp_path)


def test_relative_sqlite_paths_are_relative_to_the_workspace(tmp_path):
    with open_url("sqlite:.campaignkit/sandbox.db", tmp_path, KEY):
        pass
    assert (tmp_path / ".campaignkit" / "sandbox.db").is_file()


def test_an_unknown_state_url_is_refused(tmp_path):
    with pytest.raises(UserError, match="not supported"):
        open_url("s3://bucket/state", tmp_path, KEY)


@pytest.mark.parametrize("url, shown", [
    ("postgresql://ck:secret@127.0.0.1:1/ck", "ck:***@127.0.0.1:1"),
    ("postgresql://127.0.0.1:1/ck?user=ck&password=secret", "postgresql://127.0.0.1:1/ck?user=ck&password=***"),
])
def test_an_unreachable_postgres_is_one_line_without_the_password(tmp_path, url, shown):
    with pytest.raises(UserError) as caught:
        open_url(url, tmp_path, KEY)
    assert "cannot connect" in str(caught.value) and "secret" not in str(caught.value)
    assert shown in str(caught.value)


def test_an_emails_check_findings_are_kept_until_a_write_without_them(state_url, tmp_path):
    found = (Finding("CK426", "warning", "too big"), Finding("CK432", "warning", "no preheader"))
    with open_store(state_url, tmp_path) as store:
        store.begin("l")
        store.commit(puts=[replace(entry("email.a"), checks=found), entry("list.x")])
    with open_store(state_url, tmp_path) as store:
        entries = store.read().entries
        assert (entries["email.a"].checks, entries["list.x"].checks) == (found, None)
        store.commit(puts=[entry("email.a")])
        assert store.read().entries["email.a"].checks is None


def test_state_written_before_findings_were_recorded_still_loads(state_url, tmp_path):
    with open_store(state_url, tmp_path) as store:
        store.begin("l")
        store.commit(puts=[entry("email.a")])
    edit_by_hand(state_url, "DROP TABLE ck_checks")  # the layout of an older campaignkit
    with open_store(state_url, tmp_path) as store:
        assert store.read().entries == {"email.a": entry("email.a")}
        store.commit(puts=[replace(entry("email.a"), checks=(Finding("CK432", "warning", "no preheader"),))])
        assert store.read().entries["email.a"].checks == (Finding("CK432", "warning", "no preheader"),)


def test_a_malformed_postgres_url_is_one_line_naming_the_problem_without_the_password(tmp_path):
    with pytest.raises(UserError) as caught:
        open_url("postgresql://ck:s3cret@[::1/db", tmp_path, KEY)
    message = str(caught.value)
    assert "state URL postgresql://ck:***@[::1/db is malformed (Invalid IPv6 URL)" in message
    assert "s3cret" not in message and len(message.splitlines()) == 1
    with pytest.raises(UserError, match=r"malformed \(Port out of range"):
        open_url("postgresql://ck@127.0.0.1:99999/db", tmp_path, KEY)


def test_a_password_quoted_by_the_driver_is_not_shown(tmp_path):
    with pytest.raises(UserError) as caught:  # libpq quotes the malformed token: here the password
        open_url("postgresql://ck:pa%zzss@127.0.0.1:1/ck", tmp_path, KEY)
    assert "pa%zzss" not in str(caught.value) and "ck:***@127.0.0.1:1" in str(caught.value)


@pytest.mark.parametrize(("url", "shown"), [
    ("postgresql://ck:s3cret@db.example:5432/ck", "postgresql://ck:***@db.example:5432/ck"),
    ("postgresql://db.example/ck?user=ck&password=s3cret&sslmode=require",
     "postgresql://db.example/ck?user=ck&password=***&sslmode=require"),
    ("postgres://ck:a@b@db.example/ck?password=x#f", "postgres://ck:***@db.example/ck?password=***#f"),
    ("postgresql://ck@[::1/ck", "postgresql://ck@[::1/ck"),
])
def test_redact_hides_every_password(url, shown):
    from campaignkit.state.postgres import redact

    assert redact(url) == shown


@pytest.mark.parametrize(("column", "value", "problem"), [
    ("attributes", "{bad", "the attributes recorded for email.a are not valid JSON"),
    ("attributes", "[1]", "the attributes recorded for email.a are not an object"),
    ("depends_on", '"list.x"', "the dependencies recorded for email.a are not a list of addresses"),
])
def test_a_row_edited_into_invalid_json_is_refused_naming_it(state_url, tmp_path, column, value, problem):
    with open_store(state_url, tmp_path) as store:
        store.begin("l")
        store.commit(puts=[entry("email.a")])
        edit_by_hand(state_url, f"UPDATE ck_resources SET {column} = '{value}'")
        with pytest.raises(StateFormatError) as caught:
            store.read()
    assert str(caught.value).startswith(f"{store.location} is not a valid campaignkit state: {problem}")


def test_check_findings_edited_into_something_else_are_refused(state_url, tmp_path):
    with open_store(state_url, tmp_path) as store:
        store.begin("l")
        store.commit(puts=[replace(entry("email.a"), checks=(Finding("CK432", "warning", "no preheader"),))])
        edit_by_hand(state_url, """UPDATE ck_checks SET findings = '[{"code": 1}]'""")
        with pytest.raises(StateFormatError, match="check findings recorded for email.a are not a list of findings"):
            store.read()


def test_a_sqlite_state_in_the_home_folder_is_there_not_in_a_folder_named_tilde(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    (tmp_path / "home").mkdir()
    with open_url("sqlite:~/ck-state.db", tmp_path / "ws", KEY) as store:
        store.begin("l")
        store.commit(puts=[entry("list.x")])
    assert (tmp_path / "home" / "ck-state.db").is_file() and not (tmp_path / "ws" / "~").exists()


def test_an_in_memory_sqlite_state_is_refused(tmp_path):
    with pytest.raises(UserError, match="would forget the state"):
        open_url("sqlite::memory:", tmp_path, KEY)
