"""A dozen fault-injection trials of ``benchmarks/fault_apply.py`` (which runs a hundred and more).

Each runs a real ``campaignkit apply`` on a generated workspace and breaks it at a random point
(SIGKILL, SIGTERM, SIGINT, a full disk, a read-only state, a target refusing creates), then checks
that the apply ended with its report or a one-line error, that nothing was lost or made twice on the
target, that no lock stops the next plan, which shows exactly what is left, and that a clean apply
then finishes with nothing left to plan.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.fault_apply import draw_trials, make_workspace, run_trial

TRIALS = 12
SEED = 19
LISTS = 150


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int]:
    """The workspace every trial copies, and how many objects applying it creates."""
    root = tmp_path_factory.mktemp("faults") / "workspace"
    return root, make_workspace(root, LISTS)


@pytest.mark.parametrize("number", range(TRIALS))
def test_an_apply_broken_at_a_random_point_loses_nothing_and_the_next_runs_finish_it(number, generated, tmp_path):
    root, objects = generated
    trial = draw_trials(TRIALS, SEED, objects)[number]
    assert run_trial(trial, root, objects, tmp_path) == [], trial
