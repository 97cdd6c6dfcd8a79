"""The pre-commit hook as docs/ci.md configures it, run by the real ``pre-commit`` on real commits.

The hook repository is a git copy of this checkout (its files as they are now), which pre-commit
installs into its own cache as it would from GitHub; the configuration is the documented one with
only ``repo`` and ``rev`` pointing at that copy. Both layouts are tried: the workspace at the root of
the repository, and in a folder beside other YAML that is no workspace's.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.workspaces import write_workspace

ROOT = Path(__file__).resolve().parent.parent
_YAML_BLOCK = re.compile(r"^```yaml\n(.*?)^```", re.S | re.M)
BROKEN = "kind: list\nname: 2026-web-x-list\ntype: static\ntitel: X\n"
FIXED = BROKEN.replace("titel", "title")


def git(folder: Path, *args: str, check: bool = True, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(["git", "-C", str(folder), *args], capture_output=True, text=True, check=check, env=env)


def documented_config() -> dict:
    """The ``.pre-commit-config.yaml`` of docs/ci.md."""
    blocks = [yaml.safe_load(b) for b in _YAML_BLOCK.findall((ROOT / "docs" / "ci.md").read_text(encoding="utf-8"))]
    return next(block for block in blocks if isinstance(block, dict) and "repos" in block)


def new_repository(folder: Path) -> Path:
    folder.mkdir(parents=True)
    git(folder, "init", "-q", "-b", "main")
    git(folder, "config", "user.email", "designer@acme.example")
    git(folder, "config", "user.name", "Designer")
    git(folder, "config", "commit.gpgsign", "false")
    return folder


@pytest.fixture(scope="module")
def hook_repository(tmp_path_factory) -> tuple[Path, str]:
    """A git repository of this checkout's files as they are, and the commit to use as ``rev``."""
    copy = new_repository(tmp_path_factory.mktemp("hooks") / "campaignkit")
    listed = git(ROOT, "ls-files", "-z", "--cached", "--others", "--exclude-standard").stdout.split("\0")
    for name in filter(None, listed):
        source = ROOT / name
        if source.is_file() and not source.is_symlink():
            (copy / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, copy / name)
        elif source.is_symlink():
            (copy / name).parent.mkdir(parents=True, exist_ok=True)
            os.symlink(os.readlink(source), copy / name)
    git(copy, "add", "-A")
    git(copy, "commit", "-q", "-m", "campaignkit as it is")
    return copy, git(copy, "rev-parse", "HEAD").stdout.strip()


@pytest.fixture(scope="module")
def pre_commit_env(tmp_path_factory) -> dict[str, str]:
    """pre-commit's cache shared by the tests (the hook is installed once), the locked versions for its pip."""
    return {**os.environ, "PRE_COMMIT_HOME": str(tmp_path_factory.mktemp("pre-commit-cache")),
            "PIP_CONSTRAINT": str(ROOT / "requirements" / "lock.txt"), "PIP_DISABLE_PIP_VERSION_CHECK": "1"}


def commit(repository: Path, env: dict[str, str], files: dict[str, str]) -> subprocess.CompletedProcess:
    """``git commit`` of ``files`` (written over what is there) and everything else changed, hooks and all."""
    for name, text in files.items():
        (repository / name).parent.mkdir(parents=True, exist_ok=True)
        (repository / name).write_text(text, encoding="utf-8")
    git(repository, "add", "-A")
    return git(repository, "commit", "-q", "-m", "change the campaigns", check=False, env=env)


@pytest.mark.parametrize("folder", ["", "campaigns/"])
def test_the_documented_hook_blocks_a_bad_commit_and_passes_a_good_one(tmp_path, hook_repository, pre_commit_env,
                                                                       folder):
    hooks, rev = hook_repository
    repository = new_repository(tmp_path / "repo")
    config = documented_config()
    config["repos"][0].update(repo=str(hooks), rev=rev)
    (repository / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    write_workspace(repository / folder)
    installed = subprocess.run([sys.executable, "-m", "pre_commit", "install"], cwd=repository,
                               capture_output=True, text=True, env=pre_commit_env)
    assert installed.returncode == 0, installed.stderr
    # Other tools' YAML beside the workspace; in the folder layout, a broken file in no workspace.
    others = {".github/workflows/campaigns.yml": "on: [push]\njobs: {}\n"}
    first = commit(repository, pre_commit_env, {**others, "docs/notes.yml": "x: [1\n"} if folder else others)
    assert first.returncode == 0, first.stdout + first.stderr

    bad = commit(repository, pre_commit_env, {f"{folder}extra.yaml": BROKEN})
    assert bad.returncode == 1, bad.stdout + bad.stderr
    output = bad.stdout + bad.stderr
    assert f"{folder}extra.yaml:4:1: CK101 error: unknown key 'titel'" in output
    assert f"Workspace {folder.rstrip('/') or '.'}:" in output
    assert git(repository, "status", "--porcelain").stdout.strip(), "the bad change was committed"

    good = commit(repository, pre_commit_env, {f"{folder}extra.yaml": FIXED})
    assert good.returncode == 0, good.stdout + good.stderr
    assert not git(repository, "status", "--porcelain").stdout.strip()
