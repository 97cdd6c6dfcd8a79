"""The members of the lists a plan changes, as the target counts them: what the ``static-list-destroy``
policy needs to tell a list with members from an empty one."""

from __future__ import annotations

import dataclasses

from campaignkit.plan.changes import Plan
from campaignkit.targets import CountsListMembers, Target


def attach_list_sizes(plan: Plan, target: Target) -> Plan:
    """``plan`` with each change to a list already on the target carrying its size, where the target counts it."""
    if not isinstance(target, CountsListMembers):
        return plan
    return dataclasses.replace(plan, changes=tuple(
        dataclasses.replace(c, list_size=target.list_size(c.target_id)) if c.kind == "list" and c.target_id else c
        for c in plan.changes))
