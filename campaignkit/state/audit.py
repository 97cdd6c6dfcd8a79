"""Who did something to state, when, and from which commit: for locks and history.

Only reads the environment (the user, the clock, ``git rev-parse``); a missing
user entry or a folder that is not a git checkout is not an error.
"""

from __future__ import annotations

import getpass
import os
import subprocess
from datetime import UTC, datetime
from pathlib import Path


def current_user() -> str:
    """The person or CI job running campaignkit."""
    try:
        return os.environ.get("USER") or getpass.getuser()
    except (KeyError, OSError):  # no passwd entry, as in some containers
        return "unknown"


def now() -> str:
    """The current time in UTC, to the second, as ISO 8601."""
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def git_commit(folder: Path) -> str:
    """The commit checked out in ``folder``, or "" when it is not a git checkout."""
    try:
        result = subprocess.run(["git", "-C", str(folder), "rev-parse", "HEAD"], capture_output=True, text=True,
                                timeout=10)
    except (OSError, subprocess.SubprocessError):
        return ""
    return result.stdout.strip() if result.returncode == 0 else ""


def git_revision(folder: Path) -> tuple[str, bool]:
    """The short hash of the commit checked out in ``folder`` and whether files differ from it; ("", False)
    when it is not a git checkout."""
    try:
        head = subprocess.run(["git", "-C", str(folder), "rev-parse", "--short", "HEAD"], capture_output=True,
                              text=True, timeout=10)
        if head.returncode != 0:
            return "", False
        status = subprocess.run(["git", "-C", str(folder), "status", "--porcelain", "--untracked-files=no", "."],
                                capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return "", False
    return head.stdout.strip(), bool(status.stdout.strip())
