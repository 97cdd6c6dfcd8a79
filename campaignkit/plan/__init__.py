"""Planning: the changes that would bring an environment to what the files declare.

The pieces, each a module: ``desired`` (what the files ask for), ``refresh``
(what the target really holds: drift), ``planner`` (the changes, with
protection and renames), ``order`` (dependencies), ``diff`` (field-level
differences), ``content`` (email bodies), ``findings`` (emails' check findings,
now and as applied), ``in_flight`` (the prospects on a changed program's steps),
``new_state`` (an empty state that was lost),
``changes`` (the plan as data), ``renames`` (destroys that look like undeclared
renames, for the reports) and ``saved`` (plan files).
``plan_workspace`` puts them together; the caller holds the state lock.
"""

from __future__ import annotations

from collections.abc import Sequence

from campaignkit.plan.changes import Action, Change, Drift, InFlight, Plan, Received
from campaignkit.plan.content import EmailBodies, Render, attach_bodies
from campaignkit.plan.desired import Desired, desired_objects, object_hash
from campaignkit.plan.diff import FieldChange
from campaignkit.plan.findings import attach_findings
from campaignkit.plan.in_flight import attach_in_flight
from campaignkit.plan.list_sizes import attach_list_sizes
from campaignkit.plan.new_state import refuse_lost_state
from campaignkit.plan.planner import ProtectedError, make_plan
from campaignkit.plan.refresh import refresh
from campaignkit.plan.saved import check_applicable, check_plan_path, load_plan, plan_hash, save_plan, workspace_hash
from campaignkit.state import State
from campaignkit.targets import Target, merge_language
from campaignkit.workspace.model import Environment, Workspace


def plan_workspace(
    workspace: Workspace,
    environment: Environment,
    state: State,
    target: Target,
    *,
    refresh_first: bool = True,
    only: Sequence[str] = (),
    render: Render | None = None,
) -> Plan:
    """The plan for ``environment``: the files against ``state``, refreshed from ``target`` first.

    Each email created or changed carries its check findings, now and as state recorded them, and
    each program whose steps change what happens to the prospects on them; each list changed, its
    members where the target counts them.
    ``render`` replaces the email renderer (and its cache), for tests about planning itself.
    """
    bodies = EmailBodies(workspace, render, merge_language(environment))
    desired = desired_objects(workspace, bodies)
    current, drift = refresh(state, target) if refresh_first else (state, ())
    plan = make_plan(desired, current, target, environment, drift=drift, only=only,
                     workspace_hash=workspace_hash(workspace), refreshed=refresh_first)
    bodies.save()
    plan = attach_findings(attach_bodies(plan, bodies, target), workspace, current)
    return attach_list_sizes(attach_in_flight(plan, workspace), target)


__all__ = [
    "Action",
    "Change",
    "Desired",
    "Drift",
    "FieldChange",
    "InFlight",
    "Plan",
    "ProtectedError",
    "Received",
    "check_applicable",
    "check_plan_path",
    "desired_objects",
    "load_plan",
    "make_plan",
    "object_hash",
    "plan_hash",
    "plan_workspace",
    "refresh",
    "refuse_lost_state",
    "save_plan",
    "workspace_hash",
]
