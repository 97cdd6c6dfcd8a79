"""``preview --base``: the site against the workspace at a git ref, or at the commit last applied."""

from __future__ import annotations

import subprocess

from click.testing import CliRunner

from campaignkit.cli import main
from tests.workspaces import write_workspace


def run(root, *args):
    return CliRunner().invoke(main, ["--chdir", str(root), *args])


def committed(root):
    for args in (["init", "-q"], ["add", "-A"], ["-c", "user.email=a@acme.example", "-c", "user.name=A", "commit",
                                                  "-q", "-m", "campaigns"]):
        subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True)
    return root


def test_a_ref_that_names_no_commit_is_one_line(tmp_path):
    root = committed(write_workspace(tmp_path / "ws"))
    result = run(root, "preview", "--base", "no-such-branch", "--out", str(tmp_path / "site"))
    assert result.exit_code == 1 and "Error: 'no-such-branch' names no commit" in result.output


def test_outside_a_git_checkout_says_what_base_needs(tmp_path):
    root = write_workspace(tmp_path / "ws")
    result = run(root, "preview", "--base", "main", "--out", str(tmp_path / "site"))
    assert result.exit_code == 1 and "--base needs the workspace in a git checkout" in result.output


def test_state_is_the_commit_last_applied(tmp_path):
    root = committed(write_workspace(tmp_path / "ws"))
    result = run(root, "preview", "--base", "state", "--out", str(tmp_path / "site"))
    assert result.exit_code == 1 and "no apply to 'sandbox' recorded the git commit" in result.output
    assert run(root, "apply", "--auto-approve").exit_code == 0
    commit = subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True, text=True).stdout
    (root / "program.yaml").write_text((root / "program.yaml").read_text().replace("wait: 3d", "wait: 5d"))
    result = run(root, "preview", "--base", "state", "--out", str(tmp_path / "site"))
    assert result.exit_code == 0, result.output
    index = (tmp_path / "site" / "index.html").read_text()
    assert f"Compared with <code>what was applied to sandbox (commit {commit[:12]})</code>" in index
    assert index.count('<span class="change changed">changed</span>') == 1  # the program; nothing else
    assert 'class="side before"' in index and 'class="side after"' in index
