"""The command group: each command is found in the module that defines it, and usage errors exit 1."""

from __future__ import annotations

import importlib

import pytest
from click.testing import CliRunner

from campaignkit.cli import COMMAND_MODULES, main


def test_every_command_is_listed_with_the_module_that_defines_it():
    for module in set(COMMAND_MODULES.values()):
        importlib.import_module(f"campaignkit.cli.{module}")
    defined = {name: command.callback.__module__.rsplit(".", 1)[1] for name, command in main.commands.items()}
    assert defined == COMMAND_MODULES


@pytest.mark.parametrize(("args", "message"), [
    (["import", "list.x"], "Error: Missing argument 'ID'."),
    (["nosuch"], "Error: No such command 'nosuch'."),
    (["state", "nosuch"], "Error: No such command 'nosuch'."),
    (["plan", "--format", "yaml"], "Error: Invalid value for '--format': 'yaml' is not one of"),
    (["apply", "--lock-timeout", "soon"], "Error: Invalid value for '--lock-timeout': 'soon' is not a duration"),
    (["--no-such-option"], "Error: No such option '--no-such-option'."),
])
def test_a_usage_error_exits_1_with_clicks_message(args, message):
    """1 for every user error: 2 is ``plan --detailed-exitcode``'s "there are changes"."""
    result = CliRunner().invoke(main, args, prog_name="campaignkit")
    assert result.exit_code == 1, result.output
    assert message in result.stderr and "Usage: campaignkit" in result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_help_and_version_still_exit_0():
    assert CliRunner().invoke(main, ["--help"]).exit_code == 0
    assert CliRunner().invoke(main, ["plan", "--help"]).exit_code == 0
    assert CliRunner().invoke(main, ["--version"]).exit_code == 0
