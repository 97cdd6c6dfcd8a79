"""Times email checking and rendering on 1,000 generated emails, against the npm ``mjml`` package.

Generates a workspace of 1,000 emails in a temporary folder, each with its own
MJML template of 10-30 KB that includes a shared header and footer partial.
Like real emails, most of each template is static copy (varied sections of
text, images, buttons and tables); the Jinja is a personal greeting, merge
fields with and without defaults and, in half of them, a condition and a
loop. Then times, on this machine:

- ``check_emails`` over all emails: every CK4xx check, rendering included, in one
  process and on every core;
- the ``campaignkit validate`` command as a whole (start-up, loading, schema and
  all checks, no result cache), the best of three runs;
- ``render_email`` throughput: Jinja, MJML and the text part, one prospect each,
  in one process and on every core;
- the reference MJML implementation (npm ``mjml``, installed into a temporary
  folder with ``npm install`` if npm can) turning the same 1,000 templates,
  already merged by Jinja, into HTML, inside one Node process.

    python benchmarks/bench_render.py [--emails 1000] [--seed 7] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_validate import timed_validate  # noqa: E402
from bytecode import compile_package  # noqa: E402

from campaignkit.diagnostics import Position  # noqa: E402
from campaignkit.workspace.model import Resource  # noqa: E402
from campaignkit.emails import EmailContext, check_email, render_email  # noqa: E402
from campaignkit.emails.workers import render_bodies, usable_cores  # noqa: E402
from campaignkit.emails.rendering import render_inline, run, template_file, with_inbox_text  # noqa: E402
from campaignkit.workspace.loading import load_workspace  # noqa: E402

CONFIG = """\
workspace: bench
default_environment: sandbox
environments:
  sandbox: {target: local, state: "sqlite:.campaignkit/sandbox.db"}
vars:
  company_address: "Acme Inc, 1-2-3 Shibuya, Shibuya-ku, Tokyo 150-0002, Japan"
  website_url: https://www.acme.example
"""

FIELDS = """\
kind: field
name: first_name
type: text
default: there
example: Aiko
---
kind: field
name: company
type: text
default: your company
example: Example KK
---
kind: field
name: job_title
type: text
example: Marketing Manager
---
kind: field
name: industry
type: enum
values: [Software, Retail, Finance]
default: Software
"""

HEADER = """\
<mj-section background-color="#1b2a4a" padding="16px 24px">
  <mj-column width="50%">
    <mj-image src="https://cdn.acme.example/logo-white.png" alt="Acme" width="120px" align="left"
              href="{{ website_url }}" />
  </mj-column>
  <mj-column width="50%">
    <mj-text align="right" color="#ffffff" font-size="12px">
      <a href="{{ view_online_url }}" style="color:#ffffff">View this email online</a>
    </mj-text>
  </mj-column>
</mj-section>
"""

FOOTER = """\
<mj-section background-color="#f2f4f8" padding="24px">
  <mj-column>
    <mj-social font-size="12px" icon-size="20px" mode="horizontal">
      <mj-social-element name="linkedin" href="https://www.linkedin.com/company/acme">LinkedIn</mj-social-element>
      <mj-social-element name="x" href="https://x.com/acme">X</mj-social-element>
    </mj-social>
    <mj-text font-size="11px" color="#6b7280" align="center">
      You receive this email because you asked {{ company_address }} for news about marketing automation.
      <a href="{{ preferences_url }}">Email preferences</a> ·
      <a href="{{ unsubscribe_url }}">Unsubscribe</a><br/>
      {{ company_address }}
    </mj-text>
  </mj-column>
</mj-section>
"""

WORDS = ("automation nurture pipeline revenue campaign prospect journey segment scoring grading insight "
         "dashboard funnel conversion engagement content webinar playbook integration workflow team "
         "quarter growth customer launch program budget forecast region partner sales handoff").split()

#: The personal part of every email: a greeting and what is merged into the copy.
INTRO = """\
<mj-section padding="24px 24px 0">
  <mj-column>
    <mj-text font-size="16px" line-height="1.6">
      <p>Hi {{{{ first_name }}}},</p>
      <p>As {{{{ job_title | default("a marketing leader") }}}} at {{{{ company }}}}, {paragraph}</p>
    </mj-text>
  </mj-column>
</mj-section>
"""

#: A block for one industry, in half of the emails.
INDUSTRY = """\
<mj-section padding="16px 24px">
  <mj-column>
    {{% if industry == "Retail" %}}
    <mj-text font-size="15px">Retail teams like yours: {paragraph}</mj-text>
    {{% else %}}
    <mj-text font-size="15px">{paragraph}</mj-text>
    {{% endif %}}
    <mj-text font-size="15px"><ul>
      {{% for point in ["{w1}", "{w2}", "{w3}"] %}}<li>{{{{ point | capitalize }}}}</li>{{% endfor %}}
    </ul></mj-text>
  </mj-column>
</mj-section>
"""

#: The rest of the copy: static MJML, as most of a real email is.
SECTIONS = (
    """\
<mj-section padding="24px">
  <mj-column>
    <mj-image src="https://cdn.acme.example/hero-{n}.jpg" alt="{title}" width="552px" />
    <mj-text font-size="24px" font-weight="700" color="#1b2a4a">{title}</mj-text>
    <mj-text font-size="15px" line-height="1.6">{paragraph}</mj-text>
    <mj-button href="https://www.acme.example/offers/{n}?utm_source=email" background-color="#e4572e"
               border-radius="4px">{cta}</mj-button>
  </mj-column>
</mj-section>
""",
    """\
<mj-section padding="16px 24px">
  <mj-column width="50%">
    <mj-image src="https://cdn.acme.example/card-{n}-a.png" alt="{title}" />
    <mj-text font-size="15px">{paragraph}</mj-text>
  </mj-column>
  <mj-column width="50%">
    <mj-image src="https://cdn.acme.example/card-{n}-b.png" alt="" />
    <mj-text font-size="15px">{paragraph2} <a href="https://www.acme.example/blog/{n}">Read more</a></mj-text>
  </mj-column>
</mj-section>
""",
    """\
<mj-section padding="16px 24px">
  <mj-column>
    <mj-text font-size="15px" line-height="1.6">
      <p>{paragraph}</p><p><strong>{title}.</strong> {paragraph2}</p>
    </mj-text>
    <mj-divider border-width="1px" border-color="#e5e7eb" />
    <mj-table font-size="13px">
      <tr><th align="left">Plan</th><th align="left">Price</th></tr>
      <tr><td>Growth</td><td>{price} per month</td></tr>
      <tr><td>Plus</td><td>{price2} per month</td></tr>
    </mj-table>
  </mj-column>
</mj-section>
""",
)


def sentence(rng: random.Random, words: int) -> str:
    chosen = [rng.choice(WORDS) for _ in range(words)]
    return " ".join(chosen).capitalize() + "."


def section(rng: random.Random, n: int, layout: str) -> str:
    return layout.format(
        n=n, title=sentence(rng, 5)[:-1], cta=rng.choice(("Start your trial", "Book a demo", "Read the guide")),
        paragraph=" ".join(sentence(rng, rng.randint(12, 24)) for _ in range(rng.randint(3, 6))),
        paragraph2=" ".join(sentence(rng, rng.randint(10, 20)) for _ in range(rng.randint(2, 4))),
        w1=rng.choice(WORDS), w2=rng.choice(WORDS), w3=rng.choice(WORDS),
        price=f"${rng.randint(50, 500)}", price2=f"${rng.randint(500, 2000)}",
    )


def template(rng: random.Random, target_bytes: int) -> str:
    body = [section(rng, 0, INTRO)] + ([section(rng, 1, INDUSTRY)] if rng.random() < 0.5 else [])
    while sum(len(s) for s in body) < target_bytes:
        body.append(section(rng, len(body), rng.choice(SECTIONS)))
    return ("<mjml>\n  <mj-head>\n    <mj-attributes><mj-all font-family=\"Helvetica, Arial, sans-serif\" />"
            "</mj-attributes>\n  </mj-head>\n  <mj-body background-color=\"#ffffff\" width=\"600px\">\n"
            '    {% include "templates/partials/header.mjml" %}\n'
            + "".join(body)
            + '    {% include "templates/partials/footer.mjml" %}\n  </mj-body>\n</mjml>\n')


def generate(root: Path, emails: int, seed: int) -> None:
    rng = random.Random(seed)
    (root / "templates" / "partials").mkdir(parents=True)
    (root / "campaignkit.yaml").write_text(CONFIG, encoding="utf-8")
    (root / "fields.yaml").write_text(FIELDS, encoding="utf-8")
    (root / "templates" / "partials" / "header.mjml").write_text(HEADER, encoding="utf-8")
    (root / "templates" / "partials" / "footer.mjml").write_text(FOOTER, encoding="utf-8")
    documents = []
    for i in range(emails):
        name = f"bench-email-{i:04d}"
        (root / "templates" / f"{name}.mjml").write_text(template(rng, rng.randint(9_000, 28_000)), encoding="utf-8")
        documents.append(f"kind: email\nname: {name}\nsubject: \"{{{{ first_name }}}}, {sentence(rng, 6)}\"\n"
                         f"preheader: {sentence(rng, 10)}\nfrom: {{name: Acme, address: news@acme.example}}\n"
                         f"template: templates/{name}.mjml\ntext: auto\n")
    (root / "emails.yaml").write_text("---\n".join(documents), encoding="utf-8")


def timed(function, *args):
    start = time.perf_counter()
    result = function(*args)
    return result, time.perf_counter() - start


def bench_checks(root: Path, parallel: bool) -> tuple[float, dict[str, int]]:
    """Seconds to check every email with a fresh context, in one process or on every core."""
    workspace, _ = load_workspace(root)
    emails = workspace.of_kind("email")

    def check_all() -> list[list]:
        return on_cores(check_email, EmailContext.of(workspace), emails, parallel)

    results, seconds = timed(check_all)
    counts: dict[str, int] = {}
    for diagnostic in (d for result in results for d in result):
        counts[diagnostic.code] = counts.get(diagnostic.code, 0) + 1
    return seconds, counts


def bench_validate(root: Path, runs: int = 3) -> float:
    """Seconds of the best of ``runs`` cold ``campaignkit validate`` commands, start-up included."""
    seconds = []
    for _ in range(runs):
        shutil.rmtree(root / ".campaignkit", ignore_errors=True)  # no cached results: every email is checked
        seconds.append(timed_validate(root))
    return min(seconds)


def own_prospect(context: EmailContext, email: Resource) -> dict[str, str]:
    """A prospect of the email's own, so that no two renders merge the same values."""
    number = int(email.name.rsplit("-", 1)[1])
    return {"first_name": f"Name{number}", "company": f"Company {number}", "industry": ("Retail", "Software")[number % 2]}


def render_for_own_prospect(context: EmailContext, email: Resource) -> int:
    rendered = render_email(context, email, own_prospect(context, email))
    return len(rendered.html) + len(rendered.text)


def bench_render(root: Path, parallel: bool) -> float:
    """Seconds to render every email once, for a prospect of its own, with a fresh context."""
    workspace, _ = load_workspace(root)
    emails = workspace.of_kind("email")
    context = EmailContext.of(workspace)
    _, seconds = timed(on_cores, render_for_own_prospect, context, emails, parallel)
    return seconds


def on_cores(function, context: EmailContext, emails: list[Resource], parallel: bool) -> list:
    """``function(context, email)`` for every email, on every core or in this process."""
    if parallel:
        return render_bodies(function, context, emails).result()
    return [function(context, email) for email in emails]


def merged_mjml(root: Path, out: Path) -> list[Path]:
    """Each template after Jinja (for its email's prospect): what the reference MJML gets to render."""
    workspace, _ = load_workspace(root)
    context = EmailContext.of(workspace)
    out.mkdir(parents=True, exist_ok=True)
    files = []
    for email in workspace.of_kind("email"):
        values = context.merge.values(own_prospect(context, email))
        body = template_file(context, email.data["template"], True, Position("emails.yaml"))
        subject = render_inline(context, email, "subject", values)
        path = out / f"{email.name}.mjml"
        path.write_text(with_inbox_text(run(context, body, values, Position(body.path)), subject,
                                        email.data["preheader"]), encoding="utf-8")
        files.append(path)
    return files


NODE_SCRIPT = """
const fs = require('fs');
const mjml = require('mjml');
const render = mjml.default || mjml;
(async () => {
  const files = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
  const sources = files.map((f) => fs.readFileSync(f, 'utf8'));
  const start = process.hrtime.bigint();
  let bytes = 0;
  for (const source of sources) {
    const result = await render(source, {validationLevel: 'soft'});
    bytes += result.html.length;
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  console.log(JSON.stringify({seconds, bytes}));
})().catch((e) => { console.error(e); process.exit(1); });
"""


def bench_reference(files: list[Path], work: Path) -> tuple[float | None, str]:
    """Seconds the npm ``mjml`` package takes for ``files``, or None and why it could not run."""
    if shutil.which("npm") is None or shutil.which("node") is None:
        return None, "npm or node is not installed"
    install = subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--silent", "mjml"], cwd=work,
                             capture_output=True, text=True, timeout=600)
    if install.returncode != 0:
        return None, f"npm install mjml failed: {install.stderr.strip()[-300:]}"
    version = json.loads((work / "node_modules" / "mjml" / "package.json").read_text())["version"]
    (work / "files.json").write_text(json.dumps([str(f) for f in files]))
    (work / "bench.js").write_text(NODE_SCRIPT)
    run_node = subprocess.run(["node", "bench.js", "files.json"], cwd=work, capture_output=True, text=True,
                              timeout=1800)
    if run_node.returncode != 0:
        return None, f"mjml {version} failed: {run_node.stderr.strip()[-300:]}"
    return json.loads(run_node.stdout)["seconds"], f"npm mjml {version}, node {_node_version()}"


def _node_version() -> str:
    return subprocess.run(["node", "--version"], capture_output=True, text=True).stdout.strip()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--emails", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", type=Path, help="generate into this folder and keep it")
    args = parser.parse_args(argv)
    compile_package()
    work = Path(tempfile.mkdtemp(prefix="ck-bench-render-"))
    root = args.keep or work / "workspace"
    try:
        generate(root, args.emails, args.seed)
        sizes = sorted(p.stat().st_size for p in (root / "templates").glob("*.mjml"))
        print(f"{args.emails} emails, templates {sizes[0] // 1024}-{sizes[-1] // 1024} KB "
              f"(median {sizes[len(sizes) // 2] // 1024} KB) plus a shared header and footer")
        check_seconds, counts = bench_checks(root, parallel=False)
        parallel_seconds, _ = bench_checks(root, parallel=True)
        validate_seconds = bench_validate(root)
        render_seconds = bench_render(root, parallel=False)
        parallel_render_seconds = bench_render(root, parallel=True)
        reference_seconds, reference = bench_reference(merged_mjml(root, work / "merged"), work)
        rows = [
            ("check_emails, all CK4xx checks incl. rendering, 1 process", check_seconds),
            (f"check_emails, the same on {usable_cores()} processes", parallel_seconds),
            ("campaignkit validate, whole command, no cache (best of 3)", validate_seconds),
            ("render_email (Jinja + MJML + text part), 1 process", render_seconds),
            (f"render_email on {usable_cores()} processes", parallel_render_seconds),
        ]
        if reference_seconds is not None:
            rows.append((f"reference: {reference}, MJML only", reference_seconds))
        print(f"\n{'what':58} {'seconds':>8} {'emails/s':>9}")
        for label, seconds in rows:
            print(f"{label:58} {seconds:8.2f} {args.emails / seconds:9.0f}")
        if reference_seconds is None:
            print(f"reference: not measured ({reference})")
        else:
            print(f"\nrender_email is {reference_seconds / render_seconds:.1f}x the reference's throughput in one "
                  f"process, {reference_seconds / parallel_render_seconds:.1f}x on {usable_cores()}")
        print("diagnostics found: " + (", ".join(f"{code} x{n}" for code, n in sorted(counts.items())) or "none"))
        return 0
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
