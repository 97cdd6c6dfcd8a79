"""What ``--prospects N|FILE`` gives simulate: a number of synthetic prospects within limits, or a CSV file."""

from __future__ import annotations

from pathlib import Path

import pytest

from campaignkit.engine.populations import population_for
from campaignkit.engine.simulate import MAX_PROSPECTS
from campaignkit.engine.world import World
from campaignkit.errors import UserError
from campaignkit.workspace.loading import load_workspace

EXAMPLE = Path(__file__).resolve().parent.parent / "campaigns"
WELCOME = "program.2026-nurture-welcome-program"


@pytest.fixture(scope="module")
def world() -> World:
    workspace, _ = load_workspace(EXAMPLE)
    return World.from_workspace(workspace)


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
