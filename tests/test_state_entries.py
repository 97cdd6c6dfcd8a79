"""What state holds for an address a user names, and the error when it holds nothing."""

from __future__ import annotations

import pytest

from campaignkit.errors import UserError
from campaignkit.state import State, StateEntry, entry_for
from campaignkit.workspace.loading import load_workspace

LIST = StateEntry("list.global-suppression-list", "list", "global-suppression-list", "7", {}, "h")


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
