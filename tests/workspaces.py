"""Small workspaces written into a temporary folder, for tests of every layer."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

from click.testing import CliRunner, Result

from campaignkit.cli import main

CONFIG = """\
workspace: acme
default_environment: sandbox
environments:
  sandbox:
    target: local
    state: sqlite:.campaignkit/sandbox.db
vars:
  company_address: "Acme Inc, 1-2-3 Shibuya, Tokyo"
crm:
  users: [cindy]
  queues: [sales]
"""

NAMING = """\
kind: naming
name: acme
tokens:
  year: {regex: "20[0-9]{2}"}
  channel: {enum: [email, event, web, nurture]}
  topic: {regex: "[a-z0-9]+(-[a-z0-9]+)*"}
patterns:
  list: "{year}-{channel}-{topic}-list"
  program: "{year}-{channel}-{topic}-program"
  campaign: "{year}-{channel}-{topic}-campaign"
"""

FIELDS = """\
kind: field
name: first_name
type: text
default: there
---
kind: field
name: industry
type: enum
values: [Software, Retail]
default: Software
---
kind: field
name: employees
type: number
default: 10
"""

LISTS = """\
kind: list
name: 2026-event-acme-conf-list
type: static
---
kind: list
name: 2026-web-suppression-list
type: static
---
kind: list
name: 2026-web-software-list
type: dynamic
match: all
rules:
  - {field: field.industry, op: eq, value: Software}
  - {not_on_list: list.2026-web-suppression-list}
"""

PROGRAM = """\
kind: program
name: 2026-nurture-welcome-program
recipients:
  include: [list.2026-event-acme-conf-list]
  exclude: [list.2026-web-suppression-list]
schedule: {days: [mon, tue, wed, thu, fri], hours: "09:00-17:00", timezone: Asia/Tokyo}
start: tag
steps:
  tag: {add_tag: welcomed, next: wait}
  wait: {wait: 3d, next: hot}
  hot: {rule: score, gte: 100, yes: handoff, no: done}
  handoff: {assign: queue.sales, next: done}
  done: {end: true}
"""

SCORING = """\
kind: scoring
name: default-scoring
activities: {page_view: 1, email_open: 0, form_submission: 50, file_download: 3}
decay: {after_days_inactive: 30, points: -20}
mql: {score: 100, grade: B-}
---
kind: grading
name: default-grading
criteria:
  - {name: industry, field: field.industry, op: eq, value: Software, weight: 2}
"""

CAMPAIGN = """\
kind: campaign
name: 2026-event-acme-conf-campaign
stage: capture
"""

BASE = {
    "campaignkit.yaml": CONFIG,
    "naming.yaml": NAMING,
    "fields.yaml": FIELDS,
    "lists.yaml": LISTS,
    "program.yaml": PROGRAM,
    "scoring.yaml": SCORING,
    "campaign.yaml": CAMPAIGN,
}


def write_workspace(root: Path, overrides: dict[str, str | bytes | None] | None = None) -> Path:
    """Writes ``BASE`` with ``overrides`` applied (None deletes a file) and returns ``root``."""
    files: dict[str, str | bytes | None] = {**BASE, **(overrides or {})}
    for name, content in files.items():
        if content is None:
            continue
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content), encoding="utf-8")
    return root


EXAMPLE = Path(__file__).resolve().parent.parent / "campaigns"


def copy_example(target: Path, example: Path = EXAMPLE) -> Path:
    """A copy of an example workspace at ``target``, without what was applied from it."""
    shutil.copytree(example, target, ignore=shutil.ignore_patterns(".campaignkit"))
    return target


def invoke(root: Path, *args: str) -> Result:
    """``campaignkit --chdir ROOT ARGS...`` in this process."""
    return CliRunner().invoke(main, ["--chdir", str(root), *args])


def run(root: Path, *args: str) -> tuple[int, str]:
    """The exit status and output of ``campaignkit --chdir ROOT ARGS...``."""
    result = invoke(root, *args)
    return result.exit_code, result.output


def edit(path: Path, old: str, new: str) -> None:
    """Replaces the first ``old`` in the file at ``path``, which must hold it."""
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
