"""Times ``simulate``: 100,000 prospects for 90 days through a 12-step program.

Writes a small workspace into a temporary folder (four personas, a 12-step
program with sends held to business hours, email triggers, a score rule, a
wait and a tag) and runs, in this process, on this machine:

- synthetic prospects drawn from the personas (the usual case: few cohorts);
- a CSV of 100,000 prospects that all differ (every name and company size is
  its own value): they form cohorts only by what the rules answer about them.

Reports wall time, cohorts and peak memory (max RSS) for each. Target: under
10 seconds and under 1 GB.

    python benchmarks/bench_simulate.py [--prospects 100000] [--days 90]
"""

from __future__ import annotations

import argparse
import csv
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from campaignkit.checks import check_workspace  # noqa: E402
from campaignkit.targets import merge_language  # noqa: E402
from campaignkit.diagnostics import has_errors  # noqa: E402
from campaignkit.engine.world import World  # noqa: E402
from campaignkit.engine.simulate import csv_population, simulate, synthetic_population  # noqa: E402

PROGRAM = "program.2026-nurture-bench-program"

WORKSPACE = {
    "campaignkit.yaml": """\
workspace: bench
default_environment: sandbox
environments: {sandbox: {target: local, state: "sqlite:.campaignkit/sandbox.db"}}
vars: {company_address: "Acme Inc, 1-2-3 Shibuya, Tokyo"}
crm: {users: [cindy], queues: [sales]}
simulation:
  defaults: {open_rate: 0.3, click_rate: 0.15, form_rate: 0.2, unsubscribe_rate: 0.004}
""",
    "fields.yaml": """\
kind: field
name: first_name
type: text
default: there
---
kind: field
name: job_title
type: text
default: marketer
---
kind: field
name: employees
type: number
""",
    "personas.yaml": "\n---\n".join(
        f"kind: persona\nname: {name}\nrole: {role}\nshare: {share}\n"
        f"sample: {{first_name: Sam, job_title: {role}, employees: {size}}}\n"
        for name, role, share, size in [("cmo", "CMO", 0.15, 1200), ("manager", "Marketing Manager", 0.45, 350),
                                        ("specialist", "Marketing Specialist", 0.3, 800), ("it", "Engineer", 0.1, 90)]
    ),
    "lists.yaml": """\
kind: list
name: 2026-nurture-bench-list
type: static
""",
    "scoring.yaml": """\
kind: scoring
name: bench-scoring
activities: {email_click: 10, form_submission: 50, page_view: 1}
mql: {score: 60}
""",
    "grading.yaml": """\
kind: grading
name: bench-profile
criteria:
  - {name: company size, field: field.employees, op: gte, value: 200, weight: 3}
""",
    "forms.yaml": """\
kind: form
name: 2026-nurture-bench-form
fields: [{field: field.first_name}]
""",
    "emails.yaml": "\n---\n".join(
        f"kind: email\nname: 2026-nurture-bench-{n}-email\nsubject: Part {n}\npreheader: Part {n}\n"
        f"from: {{name: Acme, address: hello@acme.example}}\noperational: true\ntemplate: templates/t.mjml\n"
        for n in ("one", "two", "three")
    ),
    "templates/t.mjml": "<mjml><mj-body><mj-section><mj-column><mj-text>Hi {{ first_name }}"
                        "</mj-text></mj-column></mj-section></mj-body></mjml>\n",
    "program.yaml": """\
kind: program
name: 2026-nurture-bench-program
recipients: {include: [list.2026-nurture-bench-list]}
schedule: {days: [mon, tue, wed, thu, fri], hours: "09:00-17:00", timezone: Asia/Tokyo}
start: one
steps:
  one: {send_email: email.2026-nurture-bench-one-email, next: one_opened}
  one_opened: {trigger: email_opened, email: email.2026-nurture-bench-one-email, within: 3d, yes: two, no: pause}
  pause: {wait: 7d, next: two}
  two: {send_email: email.2026-nurture-bench-two-email, next: two_clicked}
  two_clicked: {trigger: email_clicked, email: email.2026-nurture-bench-two-email, within: 5d, yes: signed_up, no: three}
  signed_up: {trigger: form_submitted, form: form.2026-nurture-bench-form, within: 7d, yes: hot, no: three}
  three: {send_email: email.2026-nurture-bench-three-email, next: three_clicked}
  three_clicked: {trigger: email_clicked, email: email.2026-nurture-bench-three-email, within: 7d, yes: hot, no: cold}
  hot: {rule: score, gte: 60, yes: handoff, no: cold}
  handoff: {assign: queue.sales, next: done}
  cold: {add_tag: nurture-cold, next: done}
  done: {end: true}
""",
}


def write_workspace(root: Path) -> None:
    for name, text in WORKSPACE.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")


def write_distinct_csv(path: Path, prospects: int) -> None:
    rng = random.Random(7)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["first_name", "job_title", "employees"])
        for index in range(prospects):
            writer.writerow([f"P{index}", rng.choice(["CMO", "Marketing Manager", "Engineer"]), 10 + index])


def measure(label: str, run) -> None:
    started = time.perf_counter()
    report = run()
    elapsed = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    funnel = report.as_json()
    print(f"{label}: {elapsed:.2f} s, {report.cohorts:,} cohorts, peak RSS {peak_mb:,.0f} MB so far, "
          f"{sum(e['total'] for e in funnel['emails'].values()):,} emails, {funnel['mqls']['total']:,} MQLs")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--prospects", type=int, default=100_000)
    parser.add_argument("--days", type=int, default=90)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        write_workspace(root)
        workspace, diagnostics = check_workspace(root, merge_language)
        if has_errors(diagnostics):
            sys.exit("the benchmark workspace does not validate: " + "; ".join(d.message for d in diagnostics))
        world = World.from_workspace(workspace)
        steps = len(world.programs[PROGRAM]["steps"])
        print(f"{args.prospects:,} prospects x {args.days} days through a {steps}-step program")
        measure("synthetic (personas)", lambda: simulate(
            world, PROGRAM, synthetic_population(world, PROGRAM, args.prospects, 1), args.days, 1))
        write_distinct_csv(root / "prospects.csv", args.prospects)
        measure("CSV, every prospect different", lambda: simulate(
            world, PROGRAM, csv_population(world, PROGRAM, root / "prospects.csv"), args.days, 1))


if __name__ == "__main__":
    main()
