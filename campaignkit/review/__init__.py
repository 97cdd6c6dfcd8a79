"""Review of a plan: who must approve each change, what the policies say of it, what it does to the funnel.

``review_plan`` takes a finished plan and the workspace it was made from and
returns a ``Review`` value: the approvals each change needs (``approvals``),
the facts policies read (``facts``), the simulated impact of changes to
programs, scoring, grading and audiences (``impact``) and every policy's
verdict (``policies``). Views print it, ``approvals check`` and ``apply`` ask
it what still blocks. Nothing here prints, reads state or talks to a target.
"""

from __future__ import annotations

from campaignkit.review.approvals import Requirement, codeowners, missing
from campaignkit.review.review import Review, review_plan

__all__ = ["Requirement", "Review", "codeowners", "missing", "review_plan"]
