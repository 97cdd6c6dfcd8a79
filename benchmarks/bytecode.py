"""Compiles campaignkit to bytecode before a benchmark starts it, as an installed package has it.

Python writes ``__pycache__`` the first time it imports a module, unless
``PYTHONDONTWRITEBYTECODE`` is set (as it is in some containers and CI
images): then an editable install compiles every module of the package again
at each start, about 60 ms that a package installed by pip (which compiles
at install time) never pays. ``compileall`` writes the files whatever that
variable says.
"""

from __future__ import annotations

import compileall
from pathlib import Path

import campaignkit


def compile_package() -> None:
    compileall.compile_dir(Path(campaignkit.__file__).parent, quiet=1)
