"""Placement checks: what a target's API needs to create an object is in its file."""

from __future__ import annotations

from collections.abc import Iterator

from campaignkit.checks import Scope, check
from campaignkit.diagnostics import Diagnostic, error

#: Target -> kind -> the attributes its API requires on create, and the page that says so. Account
#: Engagement's form page requires a campaign (and a layout template, for which campaignkit sends a
#: default), and its form handler page a folder and a campaign.
REQUIRED_ON_CREATE = {
    "account-engagement": {
        "form": (("campaign",), "https://developer.salesforce.com/docs/marketing/pardot/guide/form-v5.html"),
        "form_handler": (("folder", "campaign"),
                         "https://developer.salesforce.com/docs/marketing/pardot/guide/form-handler-v5.html"),
    },
}
_EXAMPLES = {"folder": "folder: Forms/Events", "campaign": "campaign: campaign.NAME"}


@check("CK207")
def placed_where_the_target_requires(scope: Scope) -> Iterator[Diagnostic]:
    """A form or form handler lacks the folder or campaign its environment's target requires to create it.

    What it does: for each environment whose target is `account-engagement`, checks that every form
    names a `campaign`, and every form handler a `folder` and a `campaign`, as Account Engagement's
    API v5 requires them on create (its Form and Form Handler pages).
    Why is this bad? apply would send the create and the business unit would refuse it (error 153,
    a required property missing), in the middle of an apply, for every environment that needs it.
    Example: `kind: form_handler` with no `folder:` in a workspace whose `production` environment
    has `target: account-engagement`.
    Use instead: `folder: Forms/Events` and `campaign: campaign.2026-capture-tablet-drawing-campaign`;
    the folder and the campaign must exist in the business unit (the API cannot create them).
    """
    environments = scope.workspace.config.environments.values()
    for target in sorted({e.target for e in environments} & REQUIRED_ON_CREATE.keys()):
        names = [f"'{e.name}'" for e in environments if e.target == target]
        named = ("environments " if len(names) > 1 else "environment ") + ", ".join(names)
        for kind, (required, page) in REQUIRED_ON_CREATE[target].items():
            for resource in scope.of_kind(kind):
                missing = [a for a in required if not resource.data.get(a)]
                if missing:
                    yield error("CK207", f"{resource.address} has no {' or '.join(missing)}, which {target} "
                                f"({named}) requires to create a {kind} ({page}); add "
                                f"{' and '.join(_EXAMPLES[a] for a in missing)}", resource.position_of("name"))
