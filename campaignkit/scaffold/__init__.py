"""``init``'s starting point: a small working workspace, with a copy of the schemas for editors.

The files are package data (``skeleton/`` here and the schemas); this module
only lays them out in a folder and never overwrites a file that is there.
"""

from __future__ import annotations

from collections.abc import Iterator
from importlib import resources
from importlib.abc import Traversable
from pathlib import Path

from campaignkit.errors import UserError

#: Where the skeleton's modelines point before init makes them local.
SCHEMA_URL = "https://campaignkit.dev/schemas/"


def write_workspace(directory: Path) -> int:
    """Writes the skeleton and the schemas into ``directory``; returns how many files it wrote."""
    package = resources.files("campaignkit")
    files = [*_walk(package.joinpath("scaffold", "skeleton"), ""), *_walk(package.joinpath("schemas"), "schemas/")]
    clashes = [rel for rel, _ in files if (directory / rel).exists()]
    if clashes:
        raise UserError(f"{directory / clashes[0]} already exists ({len(clashes)} file(s) would be overwritten); "
                        "run init in an empty folder")
    for rel, source in files:
        target = directory / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(_local_schema_modeline(rel, source.read_text(encoding="utf-8")), encoding="utf-8")
    return len(files)


def _local_schema_modeline(relative: str, text: str) -> str:
    """Points a file's ``yaml-language-server`` modeline at the workspace's own copy of the schemas.

    Editors then check files offline, against the schemas of the campaignkit
    version that wrote them.
    """
    depth = relative.count("/")
    return text.replace(SCHEMA_URL, "../" * depth + "schemas/", 1)


def _walk(folder: Traversable, prefix: str) -> Iterator[tuple[str, Traversable]]:
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        rel = f"{prefix}{entry.name}"
        if entry.is_dir():
            if entry.name != "__pycache__":
                yield from _walk(entry, rel + "/")
        else:
            yield rel, entry
