"""import_object: an object made on the target outside campaignkit, brought under management."""

from __future__ import annotations

import pytest

from campaignkit.errors import UserError
from campaignkit.plan import Action
from campaignkit.plan.importing import import_object

LIST = "list.global-suppression-list"


def import_(rig, address: str, object_id: str):
    return import_object(rig.workspace(), rig.environment, rig.store, rig.target, address, object_id,
                         who="cindy", git_commit="abc")


def test_an_object_made_in_the_ui_is_recorded_with_the_targets_id_and_plans_nothing_when_it_matches(rig):
    made = rig.target.create("list", "global-suppression-list", {"type": "static"}, None)
    entry = import_(rig, LIST, made.id)
    assert (entry.address, entry.kind, entry.name, entry.target_id) == (LIST, "list", made.name, made.id)
    assert rig.store.read().entries[LIST] == entry
    [row] = rig.store.history()
    assert (row.operation, row.who, row.git_commit, row.result) == ("import", "cindy", "abc", "success")
    assert row.summary == f"imported {LIST} (id {made.id})"
    assert LIST not in {change.address for change in rig.plan().changes}


def test_what_the_object_holds_differently_from_the_files_is_planned_back(rig):
    made = rig.target.create("list", "global-suppression-list", {"type": "static", "title": "UI"}, None)
    import_(rig, LIST, made.id)
    [change] = [c for c in rig.plan().changes if c.address == LIST]
    assert change.action is Action.UPDATE


def test_an_address_the_files_do_not_declare_is_refused_with_a_suggestion(rig):
    with pytest.raises(UserError) as refused:
        import_(rig, "list.global-supression-list", "1")
    assert str(refused.value) == ("no resource list.global-supression-list in the files "
                                  f"(did you mean '{LIST}'?); declare it, then import")


def test_an_id_the_target_does_not_have_is_refused_and_nothing_is_written(rig):
    with pytest.raises(UserError, match="the local target has no list with id 99999"):
        import_(rig, LIST, "99999")
    assert rig.store.read().empty and rig.store.history() == []


def test_an_address_state_manages_already_is_refused_with_what_to_do(rig):
    made = rig.target.create("list", "global-suppression-list", {"type": "static"}, None)
    import_(rig, LIST, made.id)
    with pytest.raises(UserError) as refused:
        import_(rig, LIST, made.id)
    assert str(refused.value) == (f"{LIST} is already managed (id {made.id}); "
                                  f"'campaignkit state rm {LIST}' first to import another object")


def test_an_object_state_manages_under_another_address_is_refused_however_its_id_is_written(rig):
    made = rig.target.create("list", "global-suppression-list", {"type": "static"}, None)
    import_(rig, LIST, made.id)
    with pytest.raises(UserError, match=f"list id {made.id} is already managed as {LIST}"):
        import_(rig, "list.2026-event-acme-conf-list", f"0{made.id}")
