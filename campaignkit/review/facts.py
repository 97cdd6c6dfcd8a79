"""What policies need to know of each change that the plan itself does not say.

Owners (the resource's and its campaign's), the program steps that send an
email, a list's size where the target counts it (the local target does), the
steps of a program that a change touches and the campaign tests that reach
each of them (by playing the tests, as ``campaignkit test`` does).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from campaignkit.campaign_tests.cases import load_tests
from campaignkit.campaign_tests.runner import DEFAULT_UNTIL, play
from campaignkit.engine.world import World
from campaignkit.plan import Change
from campaignkit.plan.findings import compare
from campaignkit.workspace.model import Workspace, mappings_below, plain


def facts_of(change: Change, workspace: Workspace, reached: dict[str, dict[str, list[str]]]) -> dict[str, Any]:
    """The facts of one change, as the plan JSON's ``campaignkit.review`` carries them."""
    facts: dict[str, Any] = {"owners": owners(change, workspace)}
    if change.kind == "email":
        facts["sent_by"] = sent_by(change.address, workspace)
        facts["audience"] = sorted({a for sender in facts["sent_by"] for a in sender["recipients"]})
        facts["checks_added"] = checks_added(change)
    if change.kind == "list":
        facts["list_type"] = (change.before or change.after or {}).get("type")
        facts["list_size"] = change.list_size
    if change.kind == "program":
        steps = changed_steps(change)
        facts["running"] = "running" in ((change.before or {}).get("status"), (change.after or {}).get("status"))
        facts["changed_steps"] = steps
        facts["tests_reaching"] = {step: reached.get(change.address, {}).get(step, []) for step in steps}
        facts["scoring_steps"] = [step for step in steps if _scores(change, step)]
    return facts


def checks_added(change: Change) -> list[dict[str, str]] | None:
    """The email's check findings this update adds; None when unknown (a new email, not checked, or the
    applied version's findings were not recorded)."""
    if change.checks is None or change.checks_before is None:
        return None
    return [finding.to_record() for finding in compare(change.checks_before, change.checks).added]


def _scores(change: Change, step: str) -> bool:
    """Whether ``step``, before or after the change, reads or sets a score or a grade."""
    for side in (change.before, change.after):
        definition = ((side or {}).get("steps") or {}).get(step)
        if any(key in _SCORING_KEYS for mapping in mappings_below(definition) for key in mapping):
            return True
    return False


_SCORING_KEYS = frozenset({"score", "grade", "adjust_score"})


def owners(change: Change, workspace: Workspace) -> list[str]:
    """The change's own ``owner`` and its campaign's, once each."""
    attributes = change.after or change.before or {}
    found = [attributes.get("owner")]
    campaign = workspace.get(str(attributes.get("campaign", "")))
    if campaign is not None:
        found.append(plain(campaign.data).get("owner"))
    return [str(o) for o in dict.fromkeys(found) if o]


def sent_by(email: str, workspace: Workspace) -> list[dict[str, Any]]:
    """The program steps that send ``email``, with the lists the program sends to."""
    return [{"program": program.address, "step": str(name),
             "recipients": list(plain(program.data.get("recipients") or {}).get("include", ()))}
            for program in workspace.of_kind("program")
            for name, step in (program.data.get("steps") or {}).items()
            if isinstance(step, dict) and step.get("send_email") == email]


def changed_steps(change: Change) -> list[str]:
    """The steps whose definition the change adds, edits or removes; all of them when ``steps`` is new."""
    names: dict[str, None] = {}
    for field in change.fields:
        head, _, rest = field.path.partition(".")
        if head != "steps":
            continue
        if rest:
            names[rest.split(".", 1)[0]] = None
        else:
            names.update(dict.fromkeys(_step_names(field.before, field.after)))
    return list(names)


def _step_names(*sides: Any) -> Iterable[str]:
    for side in sides:
        if isinstance(side, dict):
            yield from (str(name) for name in side)


def steps_reached(workspace: Workspace, programs: Iterable[str]) -> dict[str, dict[str, list[str]]]:
    """For each of ``programs``, the campaign tests that reach each of its steps (by name, in file order)."""
    wanted = set(programs)
    if not wanted:
        return {}
    cases, _ = load_tests(workspace)
    world = World.from_workspace(workspace)
    reached: dict[str, dict[str, list[str]]] = {}
    for case in cases:
        if case.program not in wanted:
            continue
        outcome = play(world, case, case.time(case.data.get("until", DEFAULT_UNTIL)))
        by_step = reached.setdefault(case.program, {})
        for step in dict.fromkeys(taken.step for taken in outcome.trace.path):
            by_step.setdefault(step, []).append(case.name)
    return reached
