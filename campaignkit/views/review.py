"""A plan's review for people and machines: approvals needed, policy verdicts, the simulated impact.

``plan`` views call these to add the review to their text, Markdown and JSON;
the Markdown shows the approvals as a checklist a reviewer ticks and the
impact as small tables (before, after, difference). Formatting only.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text

from campaignkit.review import Review
from campaignkit.review.impact import ProgramImpact
from campaignkit.review.policies import Verdict

_MARK = {True: "passes", False: "fails"}


def review_text(review: Review, addresses: list[str]) -> Text:
    """Approvals per change and the policies that fail or warn, for a terminal (the impact's tables are
    the Markdown comment's and the JSON's)."""
    out = Text()
    needed = [(address, r) for address in addresses for r in review.needed_by(address)]
    overrides = review.overrides()
    if needed or overrides:
        out.append("\nApprovals needed:\n", style="bold")
        for address, requirement in needed:
            out.append(f"  {address}: {requirement.rule}: {requirement.describe(review.config)}\n")
        for policy, who in overrides:
            out.append(f"  override of policy {policy}: {who}\n")
    failing = [v for v in review.verdicts if not v.passed]
    if failing:
        out.append(f"\nPolicies ({_passing(review)}):\n", style="bold")
        for verdict in failing:
            out.append(f"  {verdict.policy} ({verdict.level}): {_verdict_word(verdict)}\n",
                       style="" if verdict.passed else "red" if verdict.level != "advisory" else "yellow")
            for message in verdict.messages:
                out.append(f"      {message}\n")
    return out


def _passing(review: Review) -> str:
    """How many policies pass: the sections list policies only when one of them fails or warns."""
    passed = sum(1 for v in review.verdicts if v.passed)
    return f"{passed} of {len(review.verdicts)} pass"


def _all_pass(review: Review) -> str:
    """One line for a plan that every policy passes: which ones, so that a reviewer sees they ran."""
    return f"all {len(review.verdicts)} pass ({', '.join(v.policy for v in review.verdicts)})"


def _verdict_word(verdict: Verdict) -> str:
    if verdict.passed:
        return "passes"
    return "warns" if verdict.level == "advisory" else "fails"


def _population(review: Review) -> str:
    impact = review.impact
    assert impact is not None
    return f"{impact.prospects:,} prospects over {impact.days} days, seed {impact.seed}, before and after the plan"


#: Addresses per approval, and programs' impact tables, that a comment shows; the plan JSON has them all.
SHOWN = 10


def review_markdown(review: Review) -> list[str]:
    """The review as Markdown lines: a checklist of approvals, the verdicts when a policy fails or warns,
    the impact tables."""
    lines: list[str] = []
    overrides = review.overrides()
    if review.requirements or overrides:
        lines += ["#### Approvals needed", ""]
        lines += [f"- [ ] **{r.rule}**: {r.describe(review.config)} for {_addresses(r.addresses)}"
                  for r in review.requirements]
        lines += [f"- [ ] **Override of policy {policy}**: {who}" for policy, who in overrides]
        lines.append("")
    if any(not v.passed for v in review.verdicts):
        lines += [f"#### Policies ({_passing(review)})", "", "| Policy | Enforcement | Verdict |", "|---|---|---|"]
        lines += [f"| {_cell(v.policy)} | {v.level} | {_verdict_cell(v)} |" for v in review.verdicts]
        lines.append("")
    elif review.verdicts:
        lines += [f"Policies: {_all_pass(review)}.", ""]
    if review.impact:
        lines += [f"#### Impact ({_population(review)})", ""]
        for program in review.impact.programs[:SHOWN]:
            lines += _impact_table(program)
        hidden = len(review.impact.programs) - SHOWN
        if hidden > 0:
            lines += [f"_{hidden} more programs' impact: in the plan JSON (`impact`)._", ""]
    return lines


def _addresses(addresses: tuple[str, ...]) -> str:
    """At most ``SHOWN`` addresses, and how many more: a comment must stay under GitHub's limit."""
    shown = ", ".join(f"`{a}`" for a in addresses[:SHOWN])
    return shown + (f" and {len(addresses) - SHOWN} more" if len(addresses) > SHOWN else "")


def _verdict_cell(verdict: Verdict) -> str:
    if verdict.passed:
        return "✅ passes"
    icon = "⚠️ warns" if verdict.level == "advisory" else "❌ fails"
    return f"{icon}: {'<br>'.join(_cell(m) for m in verdict.messages)}"


def _impact_table(program: ProgramImpact) -> list[str]:
    """One program's before/after: MQLs, emails sent per email, prospects reaching each step, MQLs by week."""
    data = program.as_json()
    before: dict[str, Any] = data["before"] or {"mqls": 0, "emails": {}, "steps": {}, "mqls_by_week": []}
    after: dict[str, Any] = data["after"]
    rows = [("MQLs", before["mqls"], after["mqls"])]
    rows += [(f"sent: `{e}`", before["emails"].get(e, 0), after["emails"].get(e, 0))
             for e in sorted({*before["emails"], *after["emails"]})]
    rows += [(f"reached: {s}", before["steps"].get(s, 0), n) for s, n in after["steps"].items()
             if before["steps"].get(s, 0) != n]
    weeks = len(after["mqls_by_week"])
    week_before = before["mqls_by_week"] or [0] * weeks
    return [f"<details open><summary>impact on <code>{program.program}</code> "
            f"(because of {', '.join(program.because)})</summary>", "",
            "| | Before | After | Difference |", "|---|---:|---:|---:|",
            *(f"| {label} | {b:,} | {a:,} | {a - b:+,} |" for label, b, a in rows), "",
            "| MQLs by week | " + " | ".join(str(w + 1) for w in range(weeks)) + " |",
            "|---|" + "---:|" * weeks,
            "| Before | " + " | ".join(str(n) for n in week_before) + " |",
            "| After | " + " | ".join(str(n) for n in after["mqls_by_week"]) + " |", "", "</details>", ""]


def _cell(value: str) -> str:
    return value.replace("|", "&#124;").replace("<", "&lt;")
