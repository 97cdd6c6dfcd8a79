"""The step graph: which emails are sent before a step on every path."""

from campaignkit.program_graph import graph_of, step_kind


def program(steps, start="a"):
    return graph_of({"start": start, "steps": steps})


def test_email_sent_on_one_branch_only_is_not_sent_on_every_path():
    graph = program({
        "a": {"rule": "score", "gte": 10, "yes": "send", "no": "opened"},
        "send": {"send_email": "email.x", "next": "opened"},
        "opened": {"trigger": "email_opened", "email": "email.x", "within": "3d", "yes": "end", "no": "end"},
        "end": {"end": True},
    })
    assert not graph.sent_before("opened", "email.x")


def test_email_sent_on_both_branches_is_sent_on_every_path():
    graph = program({
        "a": {"rule": "score", "gte": 10, "yes": "send1", "no": "send2"},
        "send1": {"send_email": "email.x", "next": "opened"},
        "send2": {"send_email": "email.x", "next": "opened"},
        "opened": {"trigger": "email_opened", "email": "email.x", "within": "3d", "yes": "end", "no": "end"},
        "end": {"end": True},
    })
    assert graph.sent_before("opened", "email.x")


def test_loops_back_into_a_trigger_keep_what_was_sent():
    graph = program({
        "a": {"send_email": "email.x", "next": "opened"},
        "opened": {"trigger": "email_opened", "email": "email.x", "within": "3d", "yes": "end", "no": "wait"},
        "wait": {"wait": "7d", "next": "opened"},
        "end": {"end": True},
    })
    assert graph.sent_before("opened", "email.x")


def test_a_send_after_the_trigger_does_not_count_for_its_first_visit():
    graph = program({
        "a": {"wait": "1d", "next": "opened"},
        "opened": {"trigger": "email_opened", "email": "email.x", "within": "3d", "yes": "end", "no": "send"},
        "send": {"send_email": "email.x", "next": "opened"},
        "end": {"end": True},
    })
    assert not graph.sent_before("opened", "email.x")


def test_a_trigger_at_the_start_follows_no_send():
    graph = program({
        "a": {"trigger": "email_opened", "email": "email.x", "within": "3d", "yes": "end", "no": "end"},
        "end": {"end": True},
    })
    assert not graph.sent_before("a", "email.x")


def test_sending_another_email_does_not_count():
    graph = program({
        "a": {"send_email": "email.y", "next": "opened"},
        "opened": {"trigger": "email_opened", "email": "email.x", "within": "3d", "yes": "end", "no": "end"},
        "end": {"end": True},
    })
    assert not graph.sent_before("opened", "email.x")
    assert graph.sent_before("end", "email.y")


def test_step_kinds():
    assert step_kind({"end": True}) == "end"
    assert step_kind({"trigger": "email_opened"}) == "trigger"
    assert step_kind({"rule": "score"}) == "rule"
    assert step_kind({"wait": "3d", "next": "x"}) == "action"
