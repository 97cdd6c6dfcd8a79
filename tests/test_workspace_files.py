"""Files of the workspace that are not plain files in it are refused unread, and never printed."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys

import pytest
from click.testing import CliRunner

from campaignkit.cli import main
from campaignkit.workspace.loading import load_workspace
from campaignkit.workspace.template_paths import OutsideWorkspace, TemplateUnreadable, read_template
from tests.workspaces import write_workspace

SECRET = "aws_access_key_id: AKIAEXAMPLEKEY\n"


def run(root, *args):
    return CliRunner().invoke(main, ["--chdir", str(root), *args])


@pytest.fixture
def outside(tmp_path):
    path = tmp_path / "credentials.yaml"
    path.write_text(SECRET)
    return path


def link_out(root, outside, name):
    os.symlink(outside, root / name)


def link_loop(root, outside, name):
    os.symlink(os.path.basename(name), root / name)


def hard_link(root, outside, name):
    os.link(outside, root / name)


def link_to_device(root, outside, name):
    os.symlink("/dev/zero", root / name)


def socket_file(root, outside, name):
    with socket.socket(socket.AF_UNIX) as listener:
        listener.bind(str(root / name))


@pytest.mark.parametrize("make, reason", [
    (link_out, "is a link to a file outside the workspace"),
    (link_loop, "is a loop of symbolic links"),
    (hard_link, "is a hard link"),
    (link_to_device, "is a link to a file outside the workspace"),
    (socket_file, "is a socket"),
])
@pytest.mark.parametrize("name", ["leak.yaml", "tests/leak.yaml"])
def test_a_file_that_is_no_plain_file_of_the_workspace_is_refused_unread(tmp_path, outside, make, reason, name):
    root = write_workspace(tmp_path / "ws")
    (root / "tests").mkdir(exist_ok=True)
    make(root, outside, name)
    for fmt in ("text", "json", "sarif", "github"):
        result = run(root, "validate", "--format", fmt)
        assert result.exit_code == 1, result.output
        assert "CK009" in result.output and reason in result.output and name in result.output
        assert "AKIA" not in result.output and "Traceback" not in result.output
        if fmt in ("json", "sarif"):
            json.loads(result.output)


@pytest.mark.parametrize("make", [link_out, hard_link])
def test_settings_linked_to_outside_are_refused_unread(tmp_path, outside, make):
    root = write_workspace(tmp_path / "ws", {"campaignkit.yaml": None})
    make(root, outside, "campaignkit.yaml")
    _, diagnostics = load_workspace(root)
    assert [(d.code, d.position.path) for d in diagnostics] == [("CK009", "campaignkit.yaml")]
    result = run(root, "validate")
    assert result.exit_code == 1 and "AKIA" not in result.output


def test_a_test_file_in_a_folder_linked_to_outside_is_refused(tmp_path, outside):
    root = write_workspace(tmp_path / "ws")
    os.symlink(outside.parent, root / "tests")
    result = run(root, "validate")
    assert result.exit_code == 1
    assert "tests/credentials.yaml:1:1: CK009 error: not read: the file is in a folder linked to outside" \
        in result.output
    assert "AKIA" not in result.output


def test_plan_refuses_a_linked_file_without_printing_it(tmp_path, outside):
    root = write_workspace(tmp_path / "ws")
    link_out(root, outside, "leak.yaml")
    result = run(root, "plan")
    assert result.exit_code == 1
    assert "CK009" in result.output and "AKIA" not in result.output


def test_a_named_pipe_is_refused_instead_of_waited_on(tmp_path):
    root = write_workspace(tmp_path)
    os.mkfifo(root / "pipe.yaml")
    env = {**os.environ, "PYTHONPATH": os.getcwd()}
    result = subprocess.run([sys.executable, "-m", "campaignkit", "validate", "--format", "json"], cwd=root,
                            capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 1 and result.stderr == ""
    [found] = json.loads(result.stdout)["diagnostics"]
    assert (found["code"], found["range"]["filename"]) == ("CK009", "pipe.yaml")
    assert "is a named pipe" in found["summary"]


def test_a_link_to_a_file_inside_the_workspace_is_read(tmp_path):
    root = write_workspace(tmp_path, {".shared/campaign.yaml": "kind: campaign\nname: 2026-web-x-campaign\n"
                                                              "stage: capture\n"})
    os.symlink(".shared/campaign.yaml", root / "linked.yaml")
    workspace, diagnostics = load_workspace(root)
    assert diagnostics == []
    assert "campaign.2026-web-x-campaign" in workspace.resources


def test_templates_linked_hard_or_in_a_loop_are_refused(tmp_path, outside):
    root = tmp_path / "ws"
    (root / "t").mkdir(parents=True)
    os.link(outside, root / "t" / "hard.mjml")
    os.symlink("loop.mjml", root / "t" / "loop.mjml")
    with pytest.raises(OutsideWorkspace, match="is a hard link"):
        read_template(root, "t/hard.mjml")
    with pytest.raises(TemplateUnreadable, match="loop of symbolic links"):
        read_template(root, "t/loop.mjml")
