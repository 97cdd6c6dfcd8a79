"""Generates a large, valid workspace, for the benchmarks and for tests that need many resources.

Proportions follow a busy Account Engagement business unit: for every
program about three lists, three emails, a form and two campaigns. Emails
each get their own MJML template built on shared header and footer partials.
The same arguments always write the same files, so that the output of a
command on a generated workspace can be compared before and after a change.

    python -m benchmarks.generate OUT_DIR [--resources 10000]
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path
from typing import Mapping

#: Share of each kind in the generated workspace (fields and the naming, scoring
#: and grading singletons come on top).
PROPORTIONS = {"list": 0.3, "email": 0.3, "program": 0.1, "form": 0.1, "campaign": 0.2}
CHANNELS = ("email", "event", "web", "nurture")
STAGES = ("attract", "capture", "nurture", "convert", "expand")

CONFIG = """\
workspace: bench
default_environment: sandbox
environments:
  sandbox: {target: local, state: "sqlite:.campaignkit/sandbox.db"}
vars:
  company_address: "Acme Inc, 1-2-3 Shibuya, Tokyo"
crm: {users: [cindy], queues: [sales]}
"""

COMMON = """\
kind: naming
name: bench
tokens:
  year: {regex: "20[0-9]{2}"}
  channel: {enum: [email, event, web, nurture]}
  topic: {regex: "[a-z0-9]+(-[a-z0-9]+)*"}
patterns:
  list: "{year}-{channel}-{topic}-list"
  email: "{year}-{channel}-{topic}-email"
  program: "{year}-{channel}-{topic}-program"
  form: "{year}-{channel}-{topic}-form"
  campaign: "{year}-{channel}-{topic}-campaign"
---
kind: field
name: first_name
type: text
default: there
example: Aiko
---
kind: field
name: company
type: text
example: Example KK
---
kind: field
name: industry
type: enum
values: [Software, Retail, Finance]
default: Software
---
kind: field
name: email
type: email
example: aiko@example.com
---
kind: scoring
name: default-scoring
activities: {page_view: 1, email_click: 3, form_submission: 50, file_download: 3, custom_redirect_click: 3}
decay: {after_days_inactive: 30, points: -20}
mql: {score: 100, grade: B-}
---
kind: grading
name: default-grading
criteria:
  - {name: industry, field: field.industry, op: eq, value: Software, weight: 2}
"""

HEADER = """<mj-section><mj-column><mj-image src="https://example.com/logo.png" alt="Acme" width="120px" /></mj-column></mj-section>
"""
FOOTER = """<mj-section><mj-column><mj-text font-size="11px">{{ company_address }}<br />
<a href="{{ unsubscribe_url }}">Unsubscribe</a></mj-text></mj-column></mj-section>
"""


def name(kind: str, index: int) -> str:
    return f"2026-{CHANNELS[index % len(CHANNELS)]}-topic{index}-{kind}"


def template(index: int, paragraphs: int = 12) -> str:
    body = "\n".join(
        f'<mj-text>Paragraph {p} for {{{{ first_name }}}} at {{{{ company | default("your company") }}}}: '
        "campaigns as code keep every change reviewed, tested and repeatable across environments.</mj-text>"
        for p in range(paragraphs)
    )
    return f"""<mjml>
  <mj-head><mj-preview>Preview {index}</mj-preview></mj-head>
  <mj-body>
    {{% include "templates/partials/header.mjml" %}}
    <mj-section><mj-column>
{body}
      <mj-button href="https://example.com/offer/{index}">Read more</mj-button>
    </mj-column></mj-section>
    {{% include "templates/partials/footer.mjml" %}}
  </mj-body>
</mjml>
"""


def resources(count: int, shares: Mapping[str, float], out: Path) -> dict[str, list[str]]:
    """The YAML documents of every generated resource, by file, writing templates as it goes."""
    unknown = sorted(set(shares) - set(PROPORTIONS))
    if unknown:
        raise ValueError(f"cannot generate {', '.join(unknown)}: only {', '.join(PROPORTIONS)}")
    counts = {kind: max(1, int(count * shares[kind])) if kind in shares else 0 for kind in PROPORTIONS}
    if (counts["program"] and not (counts["list"] and counts["email"])) or (counts["form"] and not counts["list"]):
        raise ValueError("programs need lists and emails, and forms need lists")
    files: dict[str, list[str]] = {"common.yaml": [COMMON]}
    for i in range(counts["list"]):
        files.setdefault(f"lists/lists-{i // 100}.yaml", []).append(
            f"kind: list\nname: {name('list', i)}\ntype: static\ntitle: List {i}\n")
    for i in range(counts["email"]):
        (out / "templates" / f"email-{i}.mjml").write_text(template(i), encoding="utf-8")
        files.setdefault(f"emails/emails-{i // 100}.yaml", []).append(
            f"kind: email\nname: {name('email', i)}\nsubject: \"News {i} for {{{{ first_name }}}}\"\n"
            f"preheader: Preheader {i}\nfrom: {{name: Acme, address: news@example.com}}\n"
            f"template: templates/email-{i}.mjml\ntext: auto\n")
    for i in range(counts["program"]):
        files.setdefault(f"programs/programs-{i // 50}.yaml", []).append(program(i, counts))
    for i in range(counts["form"]):
        campaign = f"campaign: campaign.{name('campaign', i % counts['campaign'])}\n" if counts["campaign"] else ""
        files.setdefault(f"forms/forms-{i // 100}.yaml", []).append(
            f"kind: form\nname: {name('form', i)}\n{campaign}fields:\n  - {{field: field.email, required: true}}\n"
            f"  - {{field: field.first_name}}\ncompletion_actions:\n  - {{add_to_list: list.{name('list', i % counts['list'])}}}\n")
    for i in range(counts["campaign"]):
        files.setdefault(f"campaigns/campaigns-{i // 100}.yaml", []).append(
            f"kind: campaign\nname: {name('campaign', i)}\nstage: {STAGES[i % len(STAGES)]}\ncost: {i * 10}\n")
    return files


def program(i: int, counts: dict[str, int]) -> str:
    """A 12-step program: sends, a trigger, waits, rules and a hand-off."""
    lst = name("list", i % counts["list"])
    first, second = (name("email", (2 * i + k) % counts["email"]) for k in (0, 1))
    return f"""kind: program
name: {name('program', i)}
recipients: {{include: [list.{lst}]}}
schedule: {{days: [mon, tue, wed, thu, fri], hours: "09:00-17:00", timezone: Asia/Tokyo}}
start: welcome
steps:
  welcome: {{send_email: email.{first}, next: opened}}
  opened: {{trigger: email_opened, email: email.{first}, within: 3d, yes: score, no: wait}}
  wait: {{wait: 2d, next: reminder}}
  reminder: {{send_email: email.{second}, next: clicked}}
  clicked: {{trigger: email_clicked, email: email.{second}, within: 5d, yes: score, no: tag}}
  tag: {{add_tag: cold, next: done}}
  score: {{adjust_score: 10, next: hot}}
  hot: {{rule: score, gte: 100, yes: handoff, no: nurture}}
  nurture: {{wait: 7d, next: grade}}
  grade: {{rule: grade, gte: B-, yes: handoff, no: done}}
  handoff: {{assign: queue.sales, next: done}}
  done: {{end: true}}
"""


def generate(out: Path, count: int, shares: Mapping[str, float] = PROPORTIONS) -> Path:
    """Writes a workspace of about ``count`` resources into ``out``, emptied first, and returns ``out``.

    ``shares`` names the kinds to generate and each one's part of ``count`` (``{"list": 1.0}``:
    lists only); fields and the naming, scoring and grading singletons come on top.
    """
    if out.exists():
        shutil.rmtree(out)
    (out / "templates" / "partials").mkdir(parents=True)
    (out / "campaignkit.yaml").write_text(CONFIG, encoding="utf-8")
    (out / "templates" / "partials" / "header.mjml").write_text(HEADER, encoding="utf-8")
    (out / "templates" / "partials" / "footer.mjml").write_text(FOOTER, encoding="utf-8")
    for relative, documents in resources(count, shares, out).items():
        path = out / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("---\n".join(documents), encoding="utf-8")
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.generate", description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, metavar="OUT_DIR", help="the folder to write (emptied first)")
    parser.add_argument("--resources", type=int, default=10_000)
    args = parser.parse_args(argv)
    generate(args.out, args.resources)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
