"""Simulation: deterministic for a seed, consistent funnel counts, CSV populations, the JSON shape, and
what ``--prospects N|FILE`` gives it."""

from __future__ import annotations

from pathlib import Path

import pytest

from campaignkit.engine.populations import population_for
from campaignkit.engine.simulate import (
    MAX_PROSPECTS,
    binomial,
    csv_population,
    in_flight,
    multinomial,
    simulate,
    synthetic_population,
)
from campaignkit.engine.world import World
from campaignkit.errors import UserError
from campaignkit.workspace.loading import load_workspace

EXAMPLE = Path(__file__).resolve().parent.parent / "campaigns"
WELCOME = "program.2026-nurture-welcome-program"


@pytest.fixture(scope="module")
def world() -> World:
    workspace, _ = load_workspace(EXAMPLE)
    return World.from_workspace(workspace)


def run(world: World, seed: int = 1, prospects: int = 5000) -> dict:
    return simulate(world, WELCOME, synthetic_population(world, WELCOME, prospects, seed), 30, seed).as_json()


def test_the_same_seed_gives_the_same_result_and_another_seed_another(world: World) -> None:
    assert run(world, 3) == run(world, 3)
    assert run(world, 3)["funnel"] != run(world, 4)["funnel"]


def test_every_prospect_is_accounted_for_at_every_branch(world: World) -> None:
    funnel = {row["step"]: row for row in run(world)["funnel"]}
    assert funnel["welcome"]["entered"] == 5000
    opened = funnel["opened"]
    assert opened["yes"] + opened["no"] + opened["stopped"] + opened["waiting"] == opened["entered"] == 5000
    assert opened["stopped"] > 0  # unsubscribers land on the suppression list, which removes them
    assert funnel["clicked"]["entered"] == opened["yes"]
    assert funnel["reminder"]["entered"] == opened["no"]
    assert funnel["done"]["entered"] + sum(row["stopped"] for row in funnel.values()) == 5000


def test_open_rates_from_the_workspace_shape_the_funnel(world: World) -> None:
    opened = {row["step"]: row for row in run(world, prospects=20000)["funnel"]}["opened"]
    assert 0.5 < opened["yes"] / opened["entered"] < 0.6  # open_rate 0.55 for the welcome email


def test_json_has_the_documented_shape(world: World) -> None:
    data = run(world)
    assert data["format_version"] == "1.0"
    assert set(data) == {"format_version", "program", "prospects", "days", "seed", "start", "funnel", "emails", "mqls"}
    assert len(data["emails"]["email.2026-event-acme-conf-welcome-email"]["per_day"]) == 30
    assert data["emails"]["email.2026-event-acme-conf-welcome-email"]["total"] == 5000
    assert len(data["mqls"]["cumulative"]) == 30


def test_csv_prospects_group_into_cohorts_and_bad_columns_are_one_line_errors(world: World, tmp_path: Path) -> None:
    good = tmp_path / "p.csv"
    good.write_text("job_title,employees,score\nCMO,500,120\nCMO,500,120\nEngineer,20,0\n", encoding="utf-8")
    cohorts = csv_population(world, WELCOME, good)
    assert sorted(c.count for c in cohorts) == [1, 2]
    bad = tmp_path / "bad.csv"
    bad.write_text("job_titel\nCMO\n", encoding="utf-8")
    with pytest.raises(UserError, match="did you mean 'job_title'"):
        csv_population(world, WELCOME, bad)


def test_csv_rows_that_differ_only_in_fields_no_rule_reads_are_one_cohort(world: World, tmp_path: Path) -> None:
    people = tmp_path / "people.csv"
    rows = [f"{n}@acme.example,Name{n},CMO,500" for n in range(50)] + ["z@acme.example,Zed,Engineer,20"]
    people.write_text("email,first_name,job_title,employees\n" + "\n".join(rows) + "\n", encoding="utf-8")
    cohorts = csv_population(world, WELCOME, people)
    assert sorted(c.count for c in cohorts) == [1, 50]
    report = simulate(world, WELCOME, cohorts, 30, 1).as_json()
    assert {row["step"]: row for row in report["funnel"]}["welcome"]["entered"] == 51


def test_binomial_and_multinomial_keep_every_prospect() -> None:
    import random

    rng = random.Random(1)
    assert sum(multinomial(rng, 100_000, [0.2, 0.3, 0.5])) == 100_000
    assert binomial(rng, 10, 0) == 0 and binomial(rng, 10, 1) == 10
    draws = [binomial(rng, 1000, 0.01) for _ in range(2000)]
    assert 9 < sum(draws) / len(draws) < 11


@pytest.mark.parametrize("text, message", [
    # a row that does not fit the header
    ("job_title,employees\nCMO,500\nCMO\n",
     r"people.csv:3: 1 value for 2 columns \(job_title, employees\): no value for employees"),
    ("job_title,employees\nCMO,500,x\n",
     r"people.csv:2: 3 values for 2 columns \(job_title, employees\): 'x' has no column"),
    # a value that does not fit its field
    ("job_title,employees\nCMO,500\nCMO,many\n", r"people.csv:3: employees: 'many' is not a valid number"),
    ("job_title,department\nCMO,Marketing\nCMO,Marketting\n",
     r"people.csv:3: department: 'Marketting' is not one of"),
    ("email,score\na@acme.example,12\nb@acme.example,lots\n", r"people.csv:3: score: 'lots' is not a whole number"),
    ("email\nnot-an-address\n", r"people.csv:2: email: 'not-an-address' is not a valid email"),
])
def test_a_csv_row_that_cannot_be_read_names_its_line(world: World, tmp_path: Path, text: str, message: str) -> None:
    people = tmp_path / "people.csv"
    people.write_text(text, encoding="utf-8")
    with pytest.raises(UserError, match=message):
        csv_population(world, WELCOME, people)


def test_csv_values_take_their_fields_types(world: World, tmp_path: Path) -> None:
    people = tmp_path / "people.csv"
    people.write_text("country,employees,score\n01234,500,\n", encoding="utf-8")
    [cohort] = csv_population(world, WELCOME, people)
    assert cohort.prospect.fields["country"] == "01234" and cohort.prospect.fields["employees"] == 500
    assert cohort.prospect.score == 0


def test_csv_lists_add_to_the_recipient_lists_and_must_exist(world: World, tmp_path: Path) -> None:
    people = tmp_path / "people.csv"
    people.write_text("email,lists,opted_out\na@acme.example,list.2026-web-pricing-visitors-list,false\n",
                      encoding="utf-8")
    [cohort] = csv_population(world, WELCOME, people)
    assert set(world.programs[WELCOME]["recipients"]["include"]) <= cohort.prospect.lists
    assert "list.2026-web-pricing-visitors-list" in cohort.prospect.lists
    people.write_text("email,lists\na@acme.example,list.2026-web-pricing-visitor-list\n", encoding="utf-8")
    with pytest.raises(UserError, match="people.csv:2: lists: .* is not a list of the workspace .did you mean"):
        csv_population(world, WELCOME, people)
    people.write_text("email,opted_out\na@acme.example,maybe\n", encoding="utf-8")
    with pytest.raises(UserError, match="people.csv:2: opted_out: 'maybe' is not true or false"):
        csv_population(world, WELCOME, people)


def size(world: World, given: str) -> int:
    return sum(cohort.count for cohort in population_for(world, WELCOME, given, 1))


@pytest.mark.parametrize("given, count", [("250", 250), (" +007 ", 7), (str(MAX_PROSPECTS), MAX_PROSPECTS)])
def test_a_number_is_that_many_synthetic_prospects(world: World, given: str, count: int) -> None:
    assert size(world, given) == count


def test_the_same_seed_draws_the_same_population(world: World) -> None:
    assert population_for(world, WELCOME, "500", 3) == population_for(world, WELCOME, "500", 3)


@pytest.mark.parametrize("given, message", [
    ("0", "--prospects 0: needs at least 1 prospect"),
    ("00", "--prospects 00: needs at least 1 prospect"),
    ("-3", "--prospects -3: needs at least 1 prospect"),
    (str(MAX_PROSPECTS + 1), f"--prospects {MAX_PROSPECTS + 1}: simulate at most 1,000,000 prospects; "),
    ("9" * 5000, "simulate at most 1,000,000 prospects"),
])
def test_a_number_out_of_bounds_is_refused(world: World, given: str, message: str) -> None:
    with pytest.raises(UserError) as raised:
        population_for(world, WELCOME, given, 1)
    assert message in str(raised.value)


def test_anything_else_is_a_csv_file_of_prospects(world: World, tmp_path: Path) -> None:
    people = tmp_path / "people.csv"
    people.write_text("job_title\nCMO\nEngineer\nCMO\n", encoding="utf-8")
    assert size(world, str(people)) == 3


@pytest.mark.parametrize("name, found", [(".", "is a folder"), ("nobody.csv", "does not exist")])
def test_a_folder_or_a_missing_file_is_refused(world: World, tmp_path: Path, name: str, found: str) -> None:
    given = str(tmp_path / name)
    with pytest.raises(UserError) as raised:
        population_for(world, WELCOME, given, 1)
    assert str(raised.value) == (f"--prospects: {given} {found}; give a number of prospects "
                                 "or the path of a CSV file")


def test_in_flight_counts_the_prospects_waiting_on_each_step_at_any_moment(world: World) -> None:
    report = simulate(world, WELCOME, synthetic_population(world, WELCOME, 9000, 1), 90, 1)
    waiting = in_flight(report)
    # 100 prospects a day enter; those who do not open the welcome wait out its three-day window
    no = report.funnel.outcomes["opened"]["no"] / 9000
    assert abs(waiting["opened"] - 100 * 3 * no) < 100 * 3 * (1 - no)  # openers leave within the window
    assert "welcome" not in waiting  # sent at once, inside business hours: no one waits on it
