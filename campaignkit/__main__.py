"""Allows ``python -m campaignkit``."""

from campaignkit.cli import run

run()
