"""What state holds for an address a user names, the error when it holds nothing, and forgetting addresses."""

from __future__ import annotations

import pytest

from campaignkit.errors import UserError
from campaignkit.state import State, StateEntry, entry_for, forget, open_url
from campaignkit.workspace.loading import load_workspace

LIST = StateEntry("list.global-suppression-list", "list", "global-suppression-list", "7", {}, "h")
FIELD = StateEntry("field.first_name", "field", "first_name", "3", {}, "h")


@pytest.fixture
def workspace(small_workspace):
    return load_workspace(small_workspace)[0]


def test_an_address_state_holds_gives_its_entry(workspace):
    state = State("l", 1, {LIST.address: LIST})
    assert entry_for(state, LIST.address, workspace, "sandbox") == LIST


def test_a_declared_address_never_applied_says_state_does_not_manage_it_there(workspace):
    with pytest.raises(UserError) as raised:
        entry_for(State("l", 1, {LIST.address: LIST}), "field.first_name", workspace, "production")
    assert str(raised.value) == ("field.first_name is not in the state of environment 'production': campaignkit "
                                 "does not manage it there ('campaignkit state list' shows what it manages)")


def test_an_undeclared_address_suggests_the_closest_one_in_state(workspace):
    with pytest.raises(UserError) as raised:
        entry_for(State("l", 1, {LIST.address: LIST}), "list.global-supression-list", workspace, "sandbox")
    assert str(raised.value) == ("list.global-supression-list is not in state "
                                 "(did you mean 'list.global-suppression-list'?)")
    with pytest.raises(UserError, match=r"^email\.nothing-alike is not in state$"):
        entry_for(State(None, 0), "email.nothing-alike", workspace, "sandbox")


@pytest.fixture
def store(tmp_path):
    with open_url(f"sqlite:{tmp_path / 'state.db'}", tmp_path, "acme/sandbox") as opened:
        opened.begin("l")
        opened.commit(puts=[LIST, FIELD])
        yield opened


def test_forgetting_removes_the_addresses_and_records_who_did_it(store, workspace):
    assert forget(store, [LIST.address], workspace, "sandbox", who="cindy", git_commit="abc") == [LIST]
    assert set(store.read().entries) == {FIELD.address}
    [row] = store.history()
    assert (row.operation, row.who, row.git_commit, row.result, row.summary) == (
        "state rm", "cindy", "abc", "success", "removed list.global-suppression-list")


def test_forgetting_an_address_state_does_not_hold_removes_nothing(store, workspace):
    with pytest.raises(UserError, match="list.x is not in state"):
        forget(store, [LIST.address, "list.x"], workspace, "sandbox")
    assert set(store.read().entries) == {LIST.address, FIELD.address} and store.history() == []
