"""A business unit's audit for people and machines: text, JSON (``format_version`` 1.0) and Markdown.

Each finding is a count and its first examples, so that a business unit of
thousands of objects fits on a screen and in a pull-request comment. Formatting
only: the audit itself is ``plan.auditing``.
"""

from __future__ import annotations

import json
from typing import Any

from campaignkit.plan.auditing import Audit

FORMATS = ("text", "json", "markdown")


def audit_text(report: Audit) -> str:
    lines = [_heading(report), ""]
    for finding in report.findings:
        lines.append(f"{finding.count:>6}  {finding.title}")
        lines.extend(f"        {example}" for example in finding.examples)
        if finding.count > len(finding.examples):
            lines.append(f"        ... and {finding.count - len(finding.examples)} more")
    lines.extend(f"Note: {note}" for note in report.notes)
    return "\n".join(lines)


def audit_markdown(report: Audit) -> str:
    lines = [f"### {_heading(report)}", "", "| found | what |", "|---:|---|"]
    lines.extend(f"| {f.count} | {f.title} |" for f in report.findings)
    for finding in report.findings:
        if finding.examples:
            lines += ["", f"<details><summary>{finding.title}: the first {len(finding.examples)}</summary>", ""]
            lines += [f"- `{example}`" for example in finding.examples] + ["", "</details>"]
    lines += [""] + [f"> {note}" for note in report.notes] if report.notes else []
    return "\n".join(lines)


def audit_json(report: Audit) -> str:
    return json.dumps(_as_data(report), indent=2, ensure_ascii=False)


def _as_data(report: Audit) -> dict[str, Any]:
    return {"format_version": "1.0", "target": report.target, "environment": report.environment,
            "objects": report.objects, "prospects": report.prospects,
            "findings": [{"check": f.check, "title": f.title, "count": f.count, "examples": list(f.examples)}
                         for f in report.findings],
            "notes": list(report.notes)}


def _heading(report: Audit) -> str:
    prospects = f" and {report.prospects} prospects" if report.prospects is not None else ""
    return (f"Audit of environment '{report.environment}' ({report.target} target): "
            f"{sum(report.objects.values())} objects{prospects}")


RENDER = {"text": audit_text, "json": audit_json, "markdown": audit_markdown}
