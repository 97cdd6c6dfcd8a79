"""The impact of a change charted in the preview site: ``preview --base REF`` and ``preview --plan FILE``."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

from click.testing import CliRunner

from campaignkit.cli import main

EXAMPLES = Path(__file__).resolve().parent.parent / "campaigns"
NURTURE = "program.2026-nurture-three-week-program"


def run(root: Path, *args: str):
    return CliRunner().invoke(main, ["--chdir", str(root), *args])


def series(index: str, program: str, kind: str) -> dict[str, str]:
    """The chart ``kind`` (mqls or emails) of ``program``'s impact: each series' (or bar's) values."""
    section = index.split(f'id="impact-{program}"', 1)[1].split("</section>", 1)[0]
    chart = re.search(rf'<svg class="impact-chart {kind}".*?</svg>', section, re.S)
    assert chart is not None, f"no {kind} chart for {program}"
    found = re.findall(r'data-series="(\w+)"(?: data-email="([^"]*)")? data-values="([^"]*)"', chart[0])
    return {f"{side} {email}".strip(): values for side, email, values in found}


def test_the_changes_since_a_ref_and_a_saved_plan_are_charted_with_their_numbers(tmp_path):
    root = tmp_path / "campaigns"
    shutil.copytree(EXAMPLES, root, ignore=shutil.ignore_patterns(".campaignkit"))
    for args in (["init", "-q"], ["add", "-A"],
                 ["-c", "user.email=a@acme.example", "-c", "user.name=A", "commit", "-q", "-m", "campaigns"]):
        subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True)
    assert run(root, "apply", "--auto-approve").exit_code == 0
    scoring = root / "scoring.yaml"
    scoring.write_text(scoring.read_text().replace("  score: 100", "  score: 6"))

    assert run(root, "preview", "--base", "HEAD", "--out", str(tmp_path / "site")).exit_code == 0
    index = (tmp_path / "site" / "index.html").read_text()
    assert '<a href="#impact">Impact (' in index
    plan = run(root, "plan", "--format", "json", "--out", str(tmp_path / "plan.ckplan"))
    impact = next(p for p in json.loads(plan.stdout)["impact"]["programs"] if p["program"] == NURTURE)
    mqls = series(index, NURTURE, "mqls")
    assert mqls == {side: " ".join(map(str, impact[side]["mqls_by_week"])) for side in ("before", "after")}
    assert sum(map(int, mqls["after"].split())) > sum(map(int, mqls["before"].split())) == 0
    emails = series(index, NURTURE, "emails")
    assert emails[f"after {'email.2026-nurture-demo-invite-email'}"] == \
        str(impact["after"]["emails"]["email.2026-nurture-demo-invite-email"])
    assert set(emails) == {f"{side} {email}" for side in ("before", "after") for email in impact["after"]["emails"]}

    result = run(root, "preview", "--plan", str(tmp_path / "plan.ckplan"), "--out", str(tmp_path / "from-plan"))
    assert result.exit_code == 0, result.output
    assert series((tmp_path / "from-plan" / "index.html").read_text(), NURTURE, "mqls") == mqls


def test_a_plan_made_from_other_files_is_refused_and_without_a_change_nothing_is_charted(tmp_path):
    root = tmp_path / "campaigns"
    shutil.copytree(EXAMPLES, root, ignore=shutil.ignore_patterns(".campaignkit"))
    assert run(root, "plan", "--out", str(tmp_path / "plan.ckplan")).exit_code == 0
    assert run(root, "preview", "--out", str(tmp_path / "site")).exit_code == 0
    assert 'id="impact"' not in (tmp_path / "site" / "index.html").read_text()
    scoring = root / "scoring.yaml"
    scoring.write_text(scoring.read_text().replace("  score: 100", "  score: 6"))
    result = run(root, "preview", "--plan", str(tmp_path / "plan.ckplan"), "--out", str(tmp_path / "site"))
    assert result.exit_code == 1 and "was made from other files" in result.output
