"""The command group: each command is found in the module that defines it, and only that module is loaded."""

from __future__ import annotations

import importlib

from campaignkit.cli import COMMAND_MODULES, main


def test_every_command_is_listed_with_the_module_that_defines_it():
    for module in set(COMMAND_MODULES.values()):
        importlib.import_module(f"campaignkit.cli.{module}")
    defined = {name: command.callback.__module__.rsplit(".", 1)[1] for name, command in main.commands.items()}
    assert defined == COMMAND_MODULES
