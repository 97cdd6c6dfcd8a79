"""history_entry: every operation that writes state leaves one history row saying how it ended."""

from __future__ import annotations

from pathlib import Path

import pytest

from campaignkit.errors import TargetError
from campaignkit.state import StateUnavailable, history_entry, open_url


@pytest.fixture
def store(state_url: str, tmp_path: Path):
    with open_url(state_url, tmp_path, "acme/sandbox") as opened:
        yield opened


def test_a_row_is_running_while_the_operation_runs_and_closed_with_what_it_says(store):
    with history_entry(store, "apply", "cindy", "abc123", "plan-hash") as ending:
        assert [row.result for row in store.history()] == ["running"]
        ending.summary = "1 added"
    [row] = store.history()
    assert (row.operation, row.who, row.git_commit, row.plan_hash) == ("apply", "cindy", "abc123", "plan-hash")
    assert (row.result, row.summary) == ("success", "1 added") and row.finished


def test_the_operation_may_say_it_failed_without_raising(store):
    with history_entry(store, "apply", "cindy", "") as ending:
        ending.result, ending.summary = "failed", "Apply failed: 1 failed"
    assert [(row.result, row.summary) for row in store.history()] == [("failed", "Apply failed: 1 failed")]


def test_an_error_closes_the_row_as_failed_with_its_message_and_goes_on(store):
    with pytest.raises(TargetError, match="refused"):
        with history_entry(store, "import", "cindy", ""):
            raise TargetError("the target refused the token")
    [row] = store.history()
    assert (row.operation, row.result, row.summary) == ("import", "failed", "the target refused the token")
    assert row.finished


def test_ctrl_c_closes_the_row_as_interrupted_and_goes_on(store):
    with pytest.raises(KeyboardInterrupt):
        with history_entry(store, "refresh", "cindy", ""):
            raise KeyboardInterrupt
    [row] = store.history()
    assert row.result == "interrupted" and "stopped before it finished" in row.summary and row.finished


def test_a_row_that_cannot_be_closed_leaves_the_error_that_ended_the_operation(store, monkeypatch):
    def disk_full(entry_id: int, result: str, summary: str) -> None:
        raise StateUnavailable("state database: database or disk is full")

    monkeypatch.setattr(store, "finish_history", disk_full)
    with pytest.raises(TargetError, match="refused"):
        with history_entry(store, "apply", "cindy", ""):
            raise TargetError("the target refused the token")
    monkeypatch.undo()
    assert [row.result for row in store.history()] == ["running"]
    with store.lock("apply"):  # the next run marks it
        assert [row.result for row in store.history()] == ["interrupted"]
