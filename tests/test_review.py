"""Approvals, policies and impact of a plan, end to end on a copy of campaigns/ and through the units."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from campaignkit.cli import main
from campaignkit.plan import Action, Change, FieldChange
from campaignkit.review.approvals import matches, missing, requirements
from campaignkit.review.policies import evaluate
from campaignkit.workspace.rego import PolicyFile
from campaignkit.workspace.review_config import PolicySetting, ReviewConfig, Rule

EXAMPLES = Path(__file__).resolve().parent.parent / "campaigns"
NURTURE = "programs/three-week-nurture.yaml"
THRESHOLD = "      - {score: {gte: 100}}"
FRIDAY, THURSDAY = "2026-12-04T10:00:00Z", "2026-12-03T10:00:00Z"
FRIDAY_POLICY = """\
package acme.customers_friday

import rego.v1

enforcement := "%s"

deny contains msg if {
    input.weekday == "Friday"
    some change in input.resource_changes
    change.type == "email"
    "list.evergreen-all-customers-list" in change.campaignkit.audience
    msg := sprintf("%%s goes to the customers list: no change to it on a Friday", [change.address])
}
"""


@pytest.fixture(scope="module")
def applied(tmp_path_factory) -> Path:
    """campaigns/ with everything applied to the sandbox, made once and copied for each test."""
    root = tmp_path_factory.mktemp("applied") / "campaigns"
    shutil.copytree(EXAMPLES, root, ignore=shutil.ignore_patterns(".campaignkit"))
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(root)
        patch.delenv("CAMPAIGNKIT_PLANNED_AT", raising=False)
        assert invoke("apply", "--auto-approve")[0] == 0
    return root


@pytest.fixture
def workspace(applied, tmp_path, monkeypatch) -> Path:
    """A copy of the applied campaigns/ (files and sandbox); commands run in it."""
    root = tmp_path / "campaigns"
    shutil.copytree(applied, root)
    monkeypatch.chdir(root)
    monkeypatch.delenv("CAMPAIGNKIT_PLANNED_AT", raising=False)
    return root


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def test_the_nurtures_threshold_needs_approvers_a_sign_off_and_shows_its_impact(workspace):
    edit(workspace / NURTURE, THRESHOLD, "      - {score: {gte: 30}}")
    code, comment, _ = invoke("plan", "--format", "markdown")
    assert code == 0
    assert ("- [ ] **Program steps**: one of team.marketing-managers (@sam-acme) for "
            "`program.2026-nurture-three-week-program`") in comment
    assert "| scoring-impact | soft-mandatory | ❌ fails: program.2026-nurture-three-week-program: over 90 days" in comment
    assert "- [ ] **Override of policy scoring-impact**: one of team.strategy (@yuna-acme)" in comment
    assert "| running-program-tested | soft-mandatory | ✅ passes |" in comment
    assert "#### Impact (10,000 prospects over 90 days, seed 1" in comment
    assert "| MQLs | 0 | 0 | +0 |" in comment and "| reached: handoff | 0 | 223 | +223 |" in comment
    assert "| MQLs by week | 1 | 2 |" in comment

    code, out, err = invoke("apply", "--auto-approve")
    assert code == 1 and "blocked by policy" in err and "scoring-impact" in err
    code, out, _ = invoke("approvals", "check", "--approved-by", "sam-acme")
    assert code == 1 and "override: one of team.strategy" in out and "Program steps" not in out
    code, out, _ = invoke("approvals", "check", "--approved-by", "sam-acme,@yuna-acme")
    assert code == 0 and "All approvals given" in out
    code, out, _ = invoke("apply", "--auto-approve", "--approved-by", "yuna-acme")
    assert code == 0 and "1 changed" in out


def test_a_saved_plan_is_refused_until_the_policy_is_satisfied(workspace):
    edit(workspace / NURTURE, THRESHOLD, "      - {score: {gte: 30}}")
    assert invoke("plan", "--out", "plan.ckplan")[0] == 0
    code, _, err = invoke("apply", "plan.ckplan")
    assert code == 1 and "scoring-impact (soft-mandatory" in err
    # A threshold nobody reaches either way moves nothing: the policy is satisfied.
    edit(workspace / NURTURE, "      - {score: {gte: 30}}", "      - {score: {gte: 101}}")
    assert invoke("plan", "--out", "plan.ckplan")[0] == 0
    code, out, _ = invoke("approvals", "check", "plan.ckplan", "--approved-by", "sam-acme")
    assert code == 0, out
    assert invoke("apply", "plan.ckplan")[0] == 0


def test_the_scoring_models_mql_threshold_shows_the_mql_difference_in_the_json(workspace):
    edit(workspace / "scoring.yaml", "  score: 100", "  score: 6")
    code, out, _ = invoke("plan", "--format", "json")
    document = json.loads(out)
    nurture = next(p for p in document["impact"]["programs"]
                   if p["program"] == "program.2026-nurture-three-week-program")
    assert nurture["because"] == ["scoring.default-scoring"]
    assert nurture["mql_difference"] == nurture["after"]["mqls"] - nurture["before"]["mqls"] > 0
    assert len(nurture["after"]["mqls_by_week"]) == 13
    assert document["approvals"][0]["rule"] == "Scoring, grading and qualification"
    assert document["approvals"][0]["approvers"] == ["team.marketing-managers", "team.strategy"]
    verdict = next(v for v in document["policies"] if v["policy"] == "scoring-impact")
    assert not verdict["passed"] and "MQLs 0 ->" in verdict["messages"][0]
    code, out, _ = invoke("approvals", "check", "--approved-by", "yuna-acme")
    assert code == 1 and "each of team.marketing-managers (@sam-acme), team.strategy (@yuna-acme)" in out


def test_the_plan_json_carries_what_policies_need(workspace, monkeypatch):
    monkeypatch.setenv("CAMPAIGNKIT_PLANNED_AT", FRIDAY)
    edit(workspace / "emails.yaml", "Still interested? One question, one click", "Still interested? One question")
    edit(workspace / "lists.yaml", "title: Three-week nurture", "title: Three-week nurture list")
    code, out, _ = invoke("plan", "--format", "json")
    document = json.loads(out)
    assert document["planned_at"] == "2026-12-04T10:00:00Z" and document["weekday"] == "Friday"
    changes = {c["address"]: c["campaignkit"] for c in document["resource_changes"]}
    facts = next(f for a, f in changes.items() if a.startswith("email."))
    assert {"program": "program.2026-nurture-three-week-program", "step": "reengage",
            "recipients": ["list.2026-nurture-three-week-list"]} in facts["sent_by"]
    assert facts["owners"] == ["user.cindy"] and facts["checks_added"] == []
    listed = changes["list.2026-nurture-three-week-list"]
    assert listed["list_type"] == "static" and listed["list_size"] == 0  # the local target counts members


def test_destroying_a_static_list_is_blocked_while_the_local_target_holds_members_on_it(workspace):
    newsletter = "list.evergreen-email-newsletter-list"
    edit(workspace / "campaigns.yaml", f"  - {newsletter}\n", "")
    lists = (workspace / "lists.yaml").read_text().split("\n---\n")
    (workspace / "lists.yaml").write_text("\n---\n".join(d for d in lists if newsletter.split(".")[1] not in d))
    database = sqlite3.connect(workspace / ".campaignkit" / "sandbox.target.db")
    (list_id,) = database.execute("SELECT id FROM ck_objects WHERE kind = 'list' AND name = ?",
                                  (newsletter.split(".")[1],)).fetchone()
    database.execute("INSERT INTO ck_list_members (list_id, prospect_id) VALUES (?, 7), (?, 8)", (list_id, list_id))
    database.commit()
    code, out, _ = invoke("plan")
    assert f"{newsletter} is a static list: destroying it loses its 2 members" in out
    assert invoke("apply", "--auto-approve")[0] == 1

    database.execute("DELETE FROM ck_list_members WHERE list_id = ?", (list_id,))
    database.commit()
    database.close()
    code, out, _ = invoke("apply", "--auto-approve")
    assert code == 0 and "destroying it loses" not in out and "1 destroyed" in out


def test_a_user_policy_blocks_on_a_friday_and_an_advisory_one_only_warns(workspace, monkeypatch):
    (workspace / "policies").mkdir()  # campaigns/ sends the advocacy email to the customers list
    policy = workspace / "policies" / "customers-friday.rego"
    policy.write_text(FRIDAY_POLICY % "hard-mandatory")
    edit(workspace / "emails.yaml", "early features, and a seat", "early features and a seat")

    monkeypatch.setenv("CAMPAIGNKIT_PLANNED_AT", FRIDAY)
    code, out, _ = invoke("plan")
    assert "customers-friday (hard-mandatory): fails" in out
    assert "email.2026-email-customer-advocacy-email goes to the customers list: no change to it on a Friday" in out
    code, _, err = invoke("apply", "--auto-approve", "--approved-by", "yuna-acme")
    assert code == 1 and "no approval overrides it" in err

    policy.write_text(FRIDAY_POLICY % "advisory")
    code, out, _ = invoke("plan")
    assert "customers-friday (advisory): warns" in out
    monkeypatch.setenv("CAMPAIGNKIT_PLANNED_AT", THURSDAY)
    policy.write_text(FRIDAY_POLICY % "hard-mandatory")
    code, out, _ = invoke("apply", "--auto-approve")
    assert code == 0 and "customers-friday" not in out


def test_a_policy_that_does_not_compile_is_a_diagnostic_at_its_line(workspace):
    (workspace / "policies").mkdir()
    (workspace / "policies" / "broken.rego").write_text("package acme.broken\n\ndeny contains msg if {\n  msg := \n}\n")
    code, out, _ = invoke("validate")
    assert code == 1
    assert "policies/broken.rego:4:7: CK011 error: policies/broken.rego does not compile" in out


def test_an_unknown_team_in_a_rule_is_ck207_with_a_suggestion(workspace):
    edit(workspace / "campaignkit.yaml", "any_of: [team.marketing-managers]}", "any_of: [team.marketing-manager]}")
    code, out, _ = invoke("validate", "--format", "json")
    found = [d for d in json.loads(out)["diagnostics"] if d["code"] == "CK208"]
    assert code == 1 and len(found) == 1
    assert "did you mean 'team.marketing-managers'?" in found[0]["summary"]
    assert found[0]["range"]["filename"].endswith("campaignkit.yaml")


def test_a_rego_policys_override_by_naming_an_unknown_team_is_ck208_at_its_line(workspace):
    (workspace / "policies").mkdir()
    fixed = FRIDAY_POLICY % "soft-mandatory"
    fixed = fixed.replace("import rego.v1\n", 'import rego.v1\n\noverride_by := ["team.stratgy", "@sam-acme"]\n')
    (workspace / "policies" / "friday.rego").write_text(fixed)
    (workspace / "policies" / "computed.rego").write_text(
        'package acme.computed\n\nimport rego.v1\n\noverride_by := [input.environment]\n')
    code, out, _ = invoke("validate", "--format", "json")
    found = [d for d in json.loads(out)["diagnostics"] if d["code"] == "CK208"]
    assert code == 1 and len(found) == 1  # the one computed from the plan cannot be known before it
    assert "team.stratgy is neither a team" in found[0]["summary"] and "did you mean 'team.strategy'?" in \
        found[0]["summary"]
    assert found[0]["range"]["filename"].endswith("policies/friday.rego")
    assert found[0]["range"]["start"]["line"] == 5


def test_codeowners_gives_each_rules_files_to_its_approvers(workspace):
    code, out, _ = invoke("codeowners")
    assert code == 0
    assert "/programs/three-week-nurture.yaml @sam-acme" in out
    assert "/scoring.yaml @sam-acme @yuna-acme" in out


def _change(address: str, action: Action, *paths: str) -> Change:
    kind, name = address.split(".", 1)
    return Change(address, kind, name, action, {} if action is not Action.CREATE else None, {},
                  tuple(FieldChange(p, 1, 2) for p in paths))


def test_rules_match_by_address_kind_action_field_and_environment():
    rule = Rule("r", addresses=("program.*",), actions=("update",), fields=("steps.*",), environments=("production",))
    change = _change("program.p", Action.UPDATE, "steps.qualify.conditions")
    assert matches(rule, change, "production")
    assert not matches(rule, change, "sandbox")
    assert not matches(rule, _change("program.p", Action.UPDATE, "description"), "production")
    assert matches(Rule("d", actions=("destroy",)), _change("list.l", Action.REPLACE), "sandbox")


def test_each_of_needs_one_member_of_every_team_and_any_of_one_of_them():
    review = ReviewConfig({"a": ("ann",), "b": ("bob", "bea")}, (
        Rule("both", kinds=("scoring",), mode="each_of", approvers=("team.a", "team.b")),
        Rule("either", kinds=("scoring",), approvers=("team.a", "@carl"))), {})
    needed = requirements(review, [_change("scoring.s", Action.UPDATE, "mql.score")], "sandbox")
    assert missing(review, needed, ["bea", "carl"]) == ["both (scoring.s): each of team.a (@ann), team.b (@bob, @bea)"]
    assert missing(review, needed, ["ann", "@bob"]) == []


def _document(*changes: dict, impact: dict | None = None) -> dict:
    return {"weekday": "Monday", "impact": impact, "resource_changes": list(changes)}


def _entry(address: str, actions: list[str], before: dict | None, after: dict | None, **facts) -> dict:
    kind, name = address.split(".", 1)
    return {"address": address, "type": kind, "name": name,
            "change": {"actions": actions, "before": before, "after": after}, "campaignkit": facts}


def _messages(document: dict, policy: str, review: ReviewConfig | None = None) -> tuple[str, ...]:
    verdicts = evaluate(document, review or ReviewConfig({}, (), {}), [])
    return next(v.messages for v in verdicts if v.policy == policy)


def test_destroying_a_static_list_fails_unless_the_target_says_it_is_empty():
    static = _entry("list.l", ["delete"], {"type": "static"}, None, list_type="static", list_size=None)
    assert _messages(_document(static), "static-list-destroy") == (
        "list.l is a static list: destroying it loses its members (the target does not say how many)",)
    empty = {**static, "campaignkit": {"list_type": "static", "list_size": 0}}
    dynamic = {**static, "campaignkit": {"list_type": "dynamic", "list_size": None}}
    assert _messages(_document(empty, dynamic), "static-list-destroy") == ()


def test_a_changed_step_of_a_running_program_needs_a_test_that_reaches_it():
    program = _entry("program.p", ["update"], {"status": "running"}, {"status": "running", "steps": {"a": {}, "b": {}}},
                     running=True, tests_reaching={"a": ["a test"], "b": [], "gone": []})
    assert _messages(_document(program), "running-program-tested") == (
        "program.p: step 'b' changes in a running program and no campaign test reaches it",)
    paused = {**program, "campaignkit": {**program["campaignkit"], "running": False}}
    assert _messages(_document(paused), "running-program-tested") == ()


def test_an_email_update_that_adds_a_finding_fails():
    finding = {"code": "CK432", "severity": "warning", "message": "the email has no preheader"}
    email = _entry("email.e", ["update"], {}, {}, checks_added=[finding])
    assert _messages(_document(email), "email-checks-worse") == (
        "email.e: adds warning CK432: the email has no preheader",)
    assert _messages(_document({**email, "campaignkit": {"checks_added": None}}), "email-checks-worse") == ()


def test_a_switched_off_policy_gives_no_verdict_and_a_level_is_set_in_the_config():
    config = ReviewConfig({}, (), {"static-list-destroy": PolicySetting("hard-mandatory", off=True),
                                   "email-checks-worse": PolicySetting("advisory")})
    verdicts = {v.policy: v for v in evaluate(_document(), config, [])}
    assert "static-list-destroy" not in verdicts and verdicts["email-checks-worse"].level == "advisory"


def test_a_rego_policy_with_an_unknown_level_or_an_error_while_it_runs_blocks_saying_why():
    unknown = PolicyFile("policies/p.rego", 'package p\nenforcement := "sometimes"\ndeny contains "x" if { true }\n')
    failing = PolicyFile("policies/q.rego", "package q\nimport rego.v1\nx := 1\nx := 2\n")
    by_name = {v.policy: v for v in evaluate(_document(), ReviewConfig({}, (), {}), [unknown, failing])}
    assert by_name["p"].level == by_name["q"].level == "hard-mandatory"
    assert by_name["p"].messages == ("enforcement is 'sometimes'; it is one of advisory, soft-mandatory, hard-mandatory",)
    assert by_name["q"].messages[0].startswith("the policy failed: it stopped with an error while it ran")


def test_an_unknown_handle_is_ck207_with_the_closest_member(workspace):
    edit(workspace / "campaignkit.yaml", 'any_of: ["@yuna-acme"]', 'any_of: ["@yuna-acm"]')
    code, out, _ = invoke("validate")
    assert code == 1 and "CK208 error: @yuna-acm is neither a team declared" in out
    assert "did you mean '@yuna-acme'?" in out


def test_explain_prints_a_built_in_policys_documentation():
    code, out, _ = invoke("explain", "scoring-impact")
    assert code == 0 and out.startswith("scoring-impact: No scoring or grading change that moves the funnel")
    assert "Use instead:" in out
