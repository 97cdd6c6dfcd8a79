"""The generated workspace of the benchmarks and the large tests: valid, and the same files every time."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.generate import generate
from campaignkit.checks import check_workspace
from campaignkit.diagnostics import has_errors
from campaignkit.targets import merge_language

REPOSITORY = Path(__file__).resolve().parent.parent


def files_of(root: Path) -> dict[str, bytes]:
    return {str(path.relative_to(root)): path.read_bytes() for path in sorted(root.rglob("*")) if path.is_file()}


def test_the_same_arguments_write_the_same_files(tmp_path):
    first = files_of(generate(tmp_path / "first", 300))
    assert first == files_of(generate(tmp_path / "second", 300))
    (tmp_path / "first" / "stale.yaml").write_text("kind: list\n")
    assert files_of(generate(tmp_path / "first", 300)) == first  # what was there before is gone


def test_a_generated_workspace_is_valid_and_has_every_kind(tmp_path):
    workspace, diagnostics = check_workspace(generate(tmp_path / "ws", 300), merge_language)
    assert not has_errors(diagnostics), [d.message for d in diagnostics][:5]
    counts = {kind: len(workspace.of_kind(kind)) for kind in ("list", "email", "program", "form", "campaign")}
    assert counts == {"list": 90, "email": 90, "program": 30, "form": 30, "campaign": 60}


def test_shares_pick_the_kinds(tmp_path):
    workspace, diagnostics = check_workspace(generate(tmp_path / "ws", 25, {"list": 1.0}), merge_language)
    assert not has_errors(diagnostics)
    assert len(workspace.of_kind("list")) == 25 and workspace.of_kind("email") == []
    with pytest.raises(ValueError, match="programs need lists and emails"):
        generate(tmp_path / "ws", 25, {"program": 1.0})


def test_the_command_writes_what_the_function_does(tmp_path):
    result = subprocess.run([sys.executable, "-m", "benchmarks.generate", str(tmp_path / "cli"), "--resources", "50"],
                            cwd=REPOSITORY, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"wrote {tmp_path / 'cli'}\n"
    assert files_of(tmp_path / "cli") == files_of(generate(tmp_path / "function", 50))
