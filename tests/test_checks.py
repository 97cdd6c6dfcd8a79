"""Every check fires on the mistake it is for, at the right line, and stays quiet otherwise."""

from __future__ import annotations

import pytest

from campaignkit.checks import REGISTRY, all_codes, check_workspace, explain
from campaignkit.targets import merge_language
from tests.workspaces import CONFIG, LISTS, NAMING, PROGRAM, write_workspace


def diagnose(tmp_path, overrides=None):
    _, diagnostics = check_workspace(write_workspace(tmp_path, overrides), merge_language)
    return diagnostics


def test_the_base_workspace_is_clean(tmp_path):
    assert diagnose(tmp_path) == []


PROGRAM_STEPS = PROGRAM.split("steps:\n")[0] + "steps:\n"
_OPENED = "wait: {trigger: email_opened, email: email.2026-email-welcome-email, within: 3d, yes: hot, no: hot}"

CASES = [
    # (code, file, content, line of the diagnostic, text in the message)
    ("CK101", "extra.yaml", "kind: list\nname: 2026-web-x-list\ntype: static\ntitel: X\n", 4, "did you mean 'title'"),
    ("CK102", "extra.yaml", "kind: list\nname: 2026-web-x-list\n", 1, "'type'"),
    ("CK103", "extra.yaml", "kind: list\nname: 2026-web-x-list\ntype: static\npublic: [1]\n", 4, "true or false"),
    ("CK104", "extra.yaml", "kind: list\nname: 2026-web-x-list\ntype: dynamc\n", 3, "did you mean 'dynamic'"),
    ("CK105", "extra.yaml", "kind: list\nname: 2026-web-x-list\ntype: dynamic\nrules: [{on_list: web-y}]\n", 4,
     "list.NAME"),
    ("CK007", "extra.yaml", "kind: emial\nname: x\n", 1, "did you mean 'email'"),
    ("CK006", "extra.yaml", "- just\n- a list\n", 1, "mapping"),
    ("CK201", "zz.yaml", "kind: list\nname: 2026-event-acme-conf-list\ntype: static\n", 2, "already declared"),
    ("CK202", "extra.yaml", "kind: list\nname: 2026-web-x-list\ntype: dynamic\n"
     "rules: [{on_list: list.2026-event-acme-conf-lst}]\n", 4, "did you mean 'list.2026-event-acme-conf-list'"),
    ("CK202", "campaignkit.yaml", CONFIG + "simulation:\n  emails:\n    email.2026-email-welcom-email: {open_rate: 0.3}\n",
     CONFIG.count("\n") + 3, "simulation.emails: email.2026-email-welcom-email is not declared"),
    ("CK101", "campaignkit.yaml", CONFIG + "simulation:\n  defaults: {open_rate: 0.3, clik_rate: 0.1}\n",
     CONFIG.count("\n") + 2, "did you mean 'click_rate'"),
    ("CK203", "program.yaml", PROGRAM.replace("queue.sales", "queue.sale"), 12, "crm.queues"),
    ("CK204", "extra.yaml", "kind: list\nname: 2026-web-x-list\ntype: static\ntitle: X\n"
     "lifecycle: {ignore_changes: [title, titel]}\n", 5, "no field 'titel' (did you mean 'title'?)"),
    ("CK205", "campaignkit.yaml", CONFIG.replace("    target: local\n", "    target: local\n    protect: [programs.*]\n"),
     6, "'programs' is not a kind (did you mean 'program'?)"),
    ("CK101", "campaignkit.yaml", CONFIG.replace("    target: local\n", "    target: local\n    settings: {databse: t.db}\n"),
     6, "did you mean 'database'"),
    ("CK105", "campaignkit.yaml", CONFIG.replace("    target: local\n", "    target: local\n"
                                                 "    settings: {access_token: abc123}\n"), 6, "${ENV_VAR}"),
    ("CK206", "form.yaml", "kind: form\nname: demo\nfields: [{field: field.first_name}]\n"
     "completion_actions: [{add_to_program: program.2026-web-demo-program}]\n---\n"
     "kind: program\nname: 2026-web-demo-program\nrecipients: {include: [list.2026-event-acme-conf-list]}\n"
     "start: t\nsteps:\n  t: {trigger: form_submitted, form: form.demo, within: 1w, yes: d, no: d}\n"
     "  d: {end: true}\n", 4, "form.demo -> program.2026-web-demo-program -> form.demo: each needs the next"),
    ("CK301", "extra.yaml", "kind: list\nname: 2026-evnt-x-list\ntype: static\n", 2, "{channel} is 'evnt'"),
    ("CK301", "extra.yaml", "kind: list\nname: 2026-event-x\ntype: static\n", 2, "it ends where '-list' should follow"),
    ("CK302", "naming2.yaml", "kind: naming\nname: other\npatterns: {form: '{yr}-form'}\n", 2, "only one"),
    ("CK501", "program.yaml", PROGRAM.replace("start: tag", "start: tga"), 7, "did you mean 'tag'"),
    ("CK502", "program.yaml", PROGRAM.replace("next: wait}", "next: wiat}"), 9, "did you mean 'wait'"),
    ("CK503", "program.yaml", PROGRAM + "  orphan: {end: true}\n", 14, "'orphan' cannot be reached"),
    ("CK504", "program.yaml", PROGRAM.replace("no: done}", "no: hot}"), 11, "takes no time"),
    ("CK505", "program.yaml", PROGRAM.replace("no: done}", "no: wait}").replace("next: done}", "next: wait}"), 9,
     "reaches an end"),
    ("CK506", "program.yaml", PROGRAM.replace("wait: {wait: 3d, next: hot}", _OPENED), 10,
     "trigger 'wait' listens for email.2026-email-welcome-email, which is not sent on every path before it"),
    ("CK508", "program.yaml", PROGRAM.replace("  done: {end: true}\n", "".join(
        f"  s{n}: {{add_tag: t, next: s{n + 1}}}\n" for n in range(300)) + "  s300: {end: true}\n  done: {end: true}\n"),
     9, "has 306 steps; keep programs under 300"),
    ("CK507", "program.yaml", PROGRAM.replace(
        "hot: {rule: score, gte: 100, yes: handoff, no: done}",
        "hot: {rule: all, conditions: [" + ", ".join(["{has_tag: a}"] * 6) + "], yes: handoff, no: done}"),
     11, "6 conditions"),
    ("CK509", "program.yaml", PROGRAM.replace("timezone: Asia/Tokyo", "timezone: Asia/Tokio"), 6,
     "did you mean 'Asia/Tokyo'"),
    ("CK509", "program.yaml", PROGRAM.replace('hours: "09:00-17:00"', 'hours: "22:00-06:00"'), 6,
     "close before they open"),
    ("CK105", "program.yaml", PROGRAM.replace('hours: "09:00-17:00"', 'hours: "09:00-24:59"'), 6, "hours"),
    ("CK510", "program.yaml", PROGRAM.replace("tag: {add_tag: welcomed, next: wait}",
                                              'tag: {send_email: email.2026-email-welcome-email, on_date: "2026-02-30 '
                                              '09:00", next: wait}'), 9, "not a day of the calendar"),
    ("CK601", "lists.yaml", LISTS.replace("type: static\n---\nkind: list\nname: 2026-web-software",
                                          "type: dynamic\nrules: [{on_list: list.2026-web-software-list}]\n---\n"
                                          "kind: list\nname: 2026-web-software")
     .replace("not_on_list: list.2026-web-suppression-list", "on_list: list.2026-web-suppression-list"), 8,
     "loop"),
    ("CK602", "extra.yaml", "kind: list\nname: 2026-web-x-list\ntype: static\n"
     "rules: [{has_tag: vip}]\n", 4, "static but has rules"),
    ("CK701", "scoring.yaml", "kind: scoring\nname: s\nactivities: {page_view: 1, form_submit: 50}\n", 3,
     "did you mean 'form_submission'"),
    ("CK702", "scoring.yaml", "kind: scoring\nname: s\nactivities: {page_view: 1}\n"
     "decay: {after_days_inactive: 30, points: 20}\n", 4, "negative"),
    ("CK104", "scoring.yaml", "kind: scoring\nname: s\nactivities: {page_view: 1}\nmql: {score: 100, grade: B--}\n",
     4, "did you mean 'B-'"),
    ("CK703", "scoring2.yaml", "kind: scoring\nname: other-scoring\nactivities: {page_view: 2}\n", 2,
     "only one scoring model"),
    ("CK901", "fields.yaml", "kind: field\nname: employees\ntype: number\ndefault: many\n", 4, "not a valid number"),
    ("CK902", "fields.yaml", "kind: field\nname: industry\ntype: enum\nvalues: [Software, Retail]\n"
     "default: Sofware\n", 5, "did you mean 'Software'"),
    ("CK903", "extra.yaml", "kind: list\nname: 2026-web-x-list\ntype: dynamic\n"
     "rules: [{field: field.employees, op: gt, value: many}]\n", 4, "'many' is not a valid number"),
    ("CK903", "extra.yaml", "kind: list\nname: 2026-web-x-list\ntype: dynamic\nrules:\n"
     "  - {field: field.industry, op: in, values: [software, Sofware]}\n", 5, "did you mean 'Software'"),
    ("CK903", "program.yaml", PROGRAM.replace("add_tag: welcomed", "set_field: {field: field.industry, value: retail}"),
     9, "'retail' is not one of Software, Retail"),
    ("CK951", "campaign.yaml", "kind: campaign\nname: 2026-event-acme-conf-campaign\nstage: nuture\n", 3,
     "did you mean 'nurture'"),
]


@pytest.mark.parametrize("code,filename,content,line,text", CASES, ids=[c[0] for c in CASES])
def test_check_fires_at_the_right_line(tmp_path, code, filename, content, line, text):
    diagnostics = diagnose(tmp_path, {filename: content})
    matching = [d for d in diagnostics if d.code == code]
    assert matching, f"expected {code}, got {[(d.code, d.message) for d in diagnostics]}"
    assert matching[0].position.path == filename
    assert matching[0].position.line == line
    assert text in matching[0].message


def test_a_trigger_after_the_send_of_its_email_is_not_reported(tmp_path):
    program = PROGRAM.replace("wait: {wait: 3d, next: hot}", _OPENED).replace(
        "tag: {add_tag: welcomed, next: wait}", "tag: {send_email: email.2026-email-welcome-email, next: wait}")
    assert [d.code for d in diagnose(tmp_path, {"program.yaml": program}) if d.code == "CK506"] == []


@pytest.mark.parametrize("steps, lines", [
    # a zero wait makes no time pass
    ({"wait: {wait: 3d, next: hot}": "wait: {wait: 0m, next: hot}", "no: done}": "no: wait}"}, [10, 11]),
    # a trigger's yes is taken as soon as the event happens: round and round at one moment
    ({"wait: {wait: 3d, next: hot}": "wait: {trigger: page_viewed, page: 'https://acme.example/p', within: 3d, "
      "yes: again, no: hot}\n  again: {add_tag: again, next: wait}"}, [10, 11]),
    # re-entry with no time between runs the whole program again in the same instant
    ({"start: tag": "start: tag\nreentry: {allowed: true, after: 0m}"}, [8]),
])
def test_a_loop_that_takes_no_time_is_reported(tmp_path, steps, lines):
    program = PROGRAM
    for old, new in steps.items():
        program = program.replace(old, new)
    diagnostics = [d for d in diagnose(tmp_path, {"program.yaml": program}) if d.code == "CK504"]
    assert len(diagnostics) == 1 and diagnostics[0].position.line in lines, diagnostics


def test_every_separate_loop_that_takes_no_time_is_reported(tmp_path):
    program = PROGRAM.replace("no: done}", "no: hot}").replace(
        "handoff: {assign: queue.sales, next: done}",
        "handoff: {assign: queue.sales, next: again}\n  again: {add_tag: again, next: handoff}")
    diagnostics = [d for d in diagnose(tmp_path, {"program.yaml": program}) if d.code == "CK504"]
    assert sorted(d.position.line for d in diagnostics) == [11, 12], diagnostics


def test_values_that_fit_their_field_are_fine_and_partial_matches_are_not_judged(tmp_path):
    rules = ("rules:\n  - {field: field.industry, op: eq, value: SOFTWARE}\n  - {field: field.industry, op: contains, "
             "value: soft}\n  - {field: field.employees, op: gte, value: 200}\n")
    lists = {"extra.yaml": "kind: list\nname: 2026-web-x-list\ntype: dynamic\n" + rules}
    assert [d for d in diagnose(tmp_path, lists) if d.code == "CK903"] == []


def test_a_loop_with_a_wait_or_through_a_triggers_timeout_is_fine(tmp_path):
    program = PROGRAM.replace("wait: {wait: 3d, next: hot}",
                              "wait: {trigger: page_viewed, page: 'https://acme.example/p', within: 3d, "
                              "yes: hot, no: wait}")
    assert [d for d in diagnose(tmp_path, {"program.yaml": program}) if d.code == "CK504"] == []


def test_grading_weight_outside_thirds_is_reported(tmp_path):
    content = ("kind: grading\nname: g\ncriteria:\n"
               "  - {name: industry, field: field.industry, op: eq, value: Software, weight: 4}\n")
    diagnostics = diagnose(tmp_path, {"scoring.yaml": content})
    assert [(d.code, d.position.line) for d in diagnostics] == [("CK104", 4)]
    assert "allowed: 1, 2, 3" in diagnostics[0].message


def test_one_diagnostic_per_problem(tmp_path):
    diagnostics = diagnose(tmp_path, {"extra.yaml": "kind: list\nname: 2026-evnt-x-list\ntype: static\n"})
    assert [d.code for d in diagnostics] == ["CK301"]


def test_every_registered_check_is_documented_in_four_parts():
    for code, registered in REGISTRY.items():
        assert "What it does" in registered.doc, code
        assert "Why is this bad?" in registered.doc or code == "CK400", code
        assert "Use instead" in registered.doc, code


def test_explain_knows_loading_and_semantic_codes():
    assert "same key twice" in explain("ck002")
    assert "reached" in explain("CK503")
    assert explain("CK999") is None
    assert len(all_codes()) > 30


def test_typo_in_campaignkit_yaml_is_reported_there(tmp_path):
    from tests.workspaces import CONFIG

    diagnostics = diagnose(tmp_path, {"campaignkit.yaml": CONFIG.replace("default_environment", "default_enviroment")})
    assert [(d.code, d.position.path, d.position.line) for d in diagnostics] == [("CK101", "campaignkit.yaml", 2)]
    assert "did you mean 'default_environment'" in diagnostics[0].message


def test_step_without_a_kind_lists_what_it_may_be(tmp_path):
    diagnostics = diagnose(tmp_path, {"program.yaml": PROGRAM.replace("{add_tag: welcomed, next: wait}",
                                                                      "{next: wait}")})
    assert [d.code for d in diagnostics] == ["CK102"]
    assert "needs one of: send_email, add_to_list" in diagnostics[0].message


def test_score_rule_without_comparison_names_the_comparisons(tmp_path):
    diagnostics = diagnose(tmp_path, {"program.yaml": PROGRAM.replace("gte: 100, ", "")})
    assert [d.message.split(" needs ")[1] for d in diagnostics] == ["one of: gt, gte, lt, lte, eq"]


def test_a_duration_too_long_for_any_calendar_is_refused_by_the_schema(tmp_path):
    root = write_workspace(tmp_path, {"program.yaml": PROGRAM.replace("wait: 3d", "wait: 99999999d")})
    _, diagnostics = check_workspace(root, merge_language)
    assert [(d.code, "at most five digits" in d.message) for d in diagnostics] == [("CK105", True)]


def test_every_separate_list_loop_is_reported_at_once(tmp_path):
    loops = "---\n".join(f"kind: list\nname: 2026-web-{name}-list\ntype: dynamic\n"
                         f"rules: [{{on_list: list.2026-web-{other}-list}}]\n"
                         for name, other in (("a", "b"), ("b", "a"), ("c", "c")))
    diagnostics = [d for d in diagnose(tmp_path, {"loops.yaml": loops}) if d.code == "CK601"]
    assert len(diagnostics) == 2
    assert any("list.2026-web-c-list -> list.2026-web-c-list" in d.message for d in diagnostics)


def test_a_broken_naming_convention_is_reported_where_each_mistake_is(tmp_path):
    naming = NAMING.replace('year: {regex: "20[0-9]{2}"}', 'year: {regex: "(20[0-9]{2}"}').replace(
        '"{year}-{channel}-{topic}-program"', '"{year}-{chanel}-{topik}-program"')
    diagnostics = diagnose(tmp_path, {"naming.yaml": naming})
    found = [(d.position.line, d.message) for d in diagnostics if d.code == "CK302"]
    assert [line for line, _ in found] == [4, 9, 9]
    assert "the regex of token 'year' does not compile" in found[0][1]
    assert "{chanel}" in found[1][1] and "did you mean 'channel'" in found[1][1]
    assert "{topik}" in found[2][1] and "did you mean 'topic'" in found[2][1]
    assert not [d for d in diagnostics if d.code == "CK301"]  # names are not judged by a convention that is broken


@pytest.mark.parametrize("filename, content", [
    ("extra.yaml", "kind: list\nname: 2026-web-x-list\ntype: dynamic\n"),
    ("fields.yaml", "kind: field\nname: industry\ntype: enum\n"),
])
def test_a_dynamic_list_without_rules_or_an_enum_without_values_is_one_missing_key(tmp_path, filename, content):
    diagnostics = diagnose(tmp_path, {filename: content})
    assert [(d.code, d.position.path) for d in diagnostics] == [("CK102", filename)]


def test_each_step_name_off_the_pattern_is_reported_at_its_own_key(tmp_path):
    program = PROGRAM.replace("  tag: {add_tag: welcomed, next: wait}", "  Tag Step: {add_tag: welcomed, next: wait}\n"
                              "  tag: {add_tag: welcomed, next: wait}\n  Other Step: {end: true}")
    found = [d for d in diagnose(tmp_path, {"program.yaml": program}) if d.code == "CK105"]
    assert [(d.position.line, d.position.column) for d in found] == [(9, 3), (11, 3)]


TEST_FILE = "name: t\nprogram: program.2026-nurture-welcome-program\n"


@pytest.mark.parametrize("body, message", [
    ("events: [{at: 1h, after: 2h, type: email_opened, email: email.x}]\nexpect: {status: ended}\n",
     "has at and after: give only one of them"),
    ("expect: {status: finished}\n", "'finished'; allowed:"),
    ("expect: {}\n", "is empty: give at least one entry"),
    ("events: [{after: 2h, type: page_viewed, page: 'https://acme.example/p'}]\nexpect: {status: ended}\n",
     "only email events can use it"),
    ("events: [{after: 2h, type: page_viewed, page: 'https://acme.example/p', email: email.x}]\n"
     "expect: {status: ended}\n", "'page_viewed'; allowed: email_opened, email_clicked"),
])
def test_a_mistake_in_a_test_file_is_told_as_it_is(tmp_path, body, message):
    found = [d.message for d in diagnose(tmp_path, {"tests/t.yaml": TEST_FILE + body})]
    assert any(message in text for text in found), found
    assert not any("must be a list" in text for text in found)
