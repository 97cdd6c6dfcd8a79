"""The workspace as it was at a git commit: for showing what a change does next to what was there.

``files_at`` writes the workspace's files of a commit (or any git ref) into a folder, from
``git archive``, so that they are loaded and rendered as the workspace in the checkout is.
It reads git; it never changes the checkout, its index or its branches.
"""

from __future__ import annotations

import io
import subprocess
import tarfile
from pathlib import Path

from campaignkit.errors import UserError
from campaignkit.workspace.loading import CONFIG_FILE


def files_at(root: Path, ref: str, folder: Path) -> Path:
    """Writes the files of the workspace at ``root`` as they are at ``ref`` into ``folder``; returns its root there.

    A ``UserError`` says what to do when ``root`` is not in a git checkout, ``ref`` names no
    commit, or the workspace did not exist at ``ref``.
    """
    top = Path(_git(root, "rev-parse", "--show-toplevel").decode().strip())
    prefix = root.resolve().relative_to(top.resolve()).as_posix()
    commit = _git(root, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}", what=f"'{ref}' names no commit")
    archive = _git(top, "archive", "--format=tar", commit.decode().strip(), "--", prefix if prefix != "." else ".",
                   what=f"the workspace's folder {prefix} did not exist at {ref}")
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(folder, filter="data")  # "data": no links out, devices or absolute names
    base = folder / prefix
    if not (base / CONFIG_FILE).is_file():
        raise UserError(f"there was no workspace in {prefix} at {ref} (no {CONFIG_FILE}): give another --base")
    return base


def _git(folder: Path, *args: str, what: str = "") -> bytes:
    """The output of ``git args`` run in ``folder``; a ``UserError`` saying ``what`` (or git's words) when it fails."""
    try:
        done = subprocess.run(["git", "-C", str(folder), *args], capture_output=True, timeout=120)
    except (OSError, subprocess.SubprocessError) as exc:
        raise UserError(f"cannot run git to read the workspace at another commit: {exc}") from None
    if done.returncode != 0:
        said = done.stderr.decode(errors="replace").strip().splitlines()
        raise UserError(what or f"{said[-1] if said else 'git failed'}: --base needs the workspace in a git "
                        "checkout (in CI, check out with fetch-depth: 0 so the base branch is there)")
    return done.stdout
