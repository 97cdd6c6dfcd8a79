"""Mutated copies of the example workspace through the commands: exit 0 or 1, no traceback, valid JSON,
within bounded time and memory. One trial for each kind of mutation here, and every failure found so far
(``fuzz_corpus/``) replayed; ``python -m benchmarks.fuzz`` runs thousands."""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import pytest

from benchmarks.fuzz import COMMANDS, EXAMPLE, MUTATIONS, mutable_files, replay, run_command

CORPUS = Path(__file__).resolve().parent / "fuzz_corpus"


@pytest.mark.parametrize("name", sorted(MUTATIONS))
def test_a_mutated_workspace_is_reported_not_crashed_on(tmp_path, name):
    rng = random.Random(name)
    root = tmp_path / "ws"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns(".campaignkit"))
    target = rng.choice(mutable_files(root))
    target.write_bytes(MUTATIONS[name](rng, target.read_bytes()))
    for command, json_output in COMMANDS[:4]:
        assert run_command(root, command, json_output) is None, (name, target, command)


@pytest.mark.parametrize("case", sorted(p.name for p in CORPUS.iterdir() if p.is_dir()))
def test_every_failure_fuzzing_found_stays_fixed(tmp_path, case):
    root = replay(CORPUS / case, tmp_path / "ws")
    for command, json_output in COMMANDS:
        if command != ("validate",):  # its JSON run reads the same files
            assert run_command(root, command, json_output) is None, (case, command)
