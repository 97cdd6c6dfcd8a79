"""Mutated copies of the example workspace through the commands: exit 0 or 1, no traceback, valid JSON,
within bounded time and memory. One trial for each kind of mutation here; ``python -m benchmarks.fuzz``
runs thousands."""

from __future__ import annotations

import random
import shutil

import pytest

from benchmarks.fuzz import COMMANDS, EXAMPLE, MUTATIONS, mutable_files, run_command


@pytest.mark.parametrize("name", sorted(MUTATIONS))
def test_a_mutated_workspace_is_reported_not_crashed_on(tmp_path, name):
    rng = random.Random(name)
    root = tmp_path / "ws"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns(".campaignkit"))
    target = rng.choice(mutable_files(root))
    target.write_bytes(MUTATIONS[name](rng, target.read_bytes()))
    for command, json_output in COMMANDS[:4]:
        assert run_command(root, command, json_output) is None, (name, target, command)
