"""What ``simulate --prospects N|FILE`` asks for: that many synthetic prospects, or those of a CSV file.

Only reads the given text and chooses; the populations themselves are made by ``simulate``.
"""

from __future__ import annotations

import re
from pathlib import Path

from campaignkit.engine.simulate import MAX_PROSPECTS, Cohort, csv_population, synthetic_population
from campaignkit.engine.world import World
from campaignkit.errors import UserError


def population_for(world: World, program: str, given: str, seed: int) -> list[Cohort]:
    """The population ``given`` names for ``program``: a number is that many synthetic prospects, anything
    else a CSV file (which may be a device or a pipe, like /dev/stdin: only a folder or nothing at all
    cannot be read)."""
    number = re.fullmatch(r"\s*(-?)\+?0*(\d+)\s*", given)
    if number:
        return synthetic_population(world, program, _size(given.strip(), *number.groups()), seed)
    path = Path(given)
    if path.is_dir() or not path.exists():
        found = "is a folder" if path.is_dir() else "does not exist"
        raise UserError(f"--prospects: {given} {found}; give a number of prospects or the path of a CSV file")
    return csv_population(world, program, path)


def _size(text: str, sign: str, digits: str) -> int:
    """The number of synthetic prospects ``text`` asks for, from 1 to ``MAX_PROSPECTS``; its digits
    are compared by length first, since Python refuses to read a number thousands of digits long."""
    if sign or digits == "0":
        raise UserError(f"--prospects {text}: needs at least 1 prospect")
    if len(digits) > len(str(MAX_PROSPECTS)) or int(digits) > MAX_PROSPECTS:
        raise UserError(f"--prospects {text}: simulate at most {MAX_PROSPECTS:,} prospects; "
                        "a larger population gives the same shares in the funnel")
    return int(digits)
