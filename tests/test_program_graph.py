"""The step graph: which emails are sent before a step on every path."""

import pytest

from campaignkit.engine.graph import graph_of, step_kind


def program(steps, start="a"):
    return graph_of({"start": start, "steps": steps})


def opened(no="end"):
    return {"trigger": "email_opened", "email": "email.x", "within": "3d", "yes": "end", "no": no}


END = {"end": {"end": True}}


@pytest.mark.parametrize("steps, step, email, sent", [
    pytest.param({"a": {"rule": "score", "gte": 10, "yes": "send", "no": "opened"},
                  "send": {"send_email": "email.x", "next": "opened"}, "opened": opened(), **END},
                 "opened", "email.x", False, id="sent on one branch only"),
    pytest.param({"a": {"rule": "score", "gte": 10, "yes": "send1", "no": "send2"},
                  "send1": {"send_email": "email.x", "next": "opened"},
                  "send2": {"send_email": "email.x", "next": "opened"}, "opened": opened(), **END},
                 "opened", "email.x", True, id="sent on both branches"),
    pytest.param({"a": {"send_email": "email.x", "next": "opened"}, "opened": opened(no="wait"),
                  "wait": {"wait": "7d", "next": "opened"}, **END},
                 "opened", "email.x", True, id="a loop back into the trigger keeps what was sent"),
    pytest.param({"a": {"wait": "1d", "next": "opened"}, "opened": opened(no="send"),
                  "send": {"send_email": "email.x", "next": "opened"}, **END},
                 "opened", "email.x", False, id="a send after the trigger does not count for its first visit"),
    pytest.param({"a": opened(), **END}, "a", "email.x", False, id="a trigger at the start follows no send"),
    pytest.param({"a": {"send_email": "email.y", "next": "opened"}, "opened": opened(), **END},
                 "opened", "email.x", False, id="another email does not count"),
    pytest.param({"a": {"send_email": "email.y", "next": "opened"}, "opened": opened(), **END},
                 "end", "email.y", True, id="every path to the end sends it"),
])
def test_an_email_is_sent_before_a_step_only_if_every_path_to_it_sends_it(steps, step, email, sent):
    assert program(steps).sent_before(step, email) is sent


def test_step_kinds():
    assert step_kind({"end": True}) == "end"
    assert step_kind({"trigger": "email_opened"}) == "trigger"
    assert step_kind({"rule": "score"}) == "rule"
    assert step_kind({"wait": "3d", "next": "x"}) == "action"


def test_a_trigger_that_waits_its_full_time_takes_time_on_yes_too() -> None:
    steps = {"opened": {"trigger": "email_opened", "email": "email.x", "within": "3d", "yes": "a", "no": "a"},
             "a": {"end": True}}
    assert graph_of({"start": "opened", "steps": steps}).instant_branches() == {"opened": ["a"]}  # yes at once
    steps["opened"]["full_wait"] = True
    assert graph_of({"start": "opened", "steps": steps}).instant_branches() == {}
