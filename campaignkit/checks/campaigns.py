"""Campaign checks: every campaign sits at a known lifecycle stage."""

from __future__ import annotations

from collections.abc import Iterator

from campaignkit.checks import Scope, check
from campaignkit.diagnostics import Diagnostic, closest, did_you_mean, error
from campaignkit.domain import LIFECYCLE_STAGES


@check("CK951")
def known_lifecycle_stage(scope: Scope) -> Iterator[Diagnostic]:
    """A campaign's stage is not a lifecycle stage.

    What it does: checks `stage` against attract, capture, nurture, convert and expand.
    Why is this bad? Reporting groups campaigns and their KPIs by stage; an unknown stage drops
    the campaign from every report.
    Example: `stage: nuture`.
    Use instead: `stage: nurture`.
    """
    for campaign in scope.of_kind("campaign"):
        stage = campaign.data.get("stage")
        if stage is not None and stage not in LIFECYCLE_STAGES:
            suggestion = closest(str(stage), LIFECYCLE_STAGES)
            yield error("CK951", f"{campaign.address}: stage '{stage}' is not a lifecycle stage"
                        f"{did_you_mean(suggestion)}; stages are {', '.join(LIFECYCLE_STAGES)}",
                        campaign.position_of("stage"), suggestion=suggestion)
