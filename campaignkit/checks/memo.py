"""``validate``'s result for a workspace, kept under the content of every file it could have read.

An unchanged workspace gives the same diagnostics: the files are the whole input (the
code is in the key too), so the report can be read back instead of loading and checking
10,000 resources again. ``ValidateMemo(root)`` has one ``get`` (the diagnostics, if no
file changed) and one ``put``; nothing else knows it exists.

The key is a hash of the path and content hash of every file below the root (hidden
folders, links and ``node_modules`` included: a template may be anywhere), but ``.git``
and ``.campaignkit``. A file is read and hashed again only when its size, times or inode
changed since the last run, as git's index does; a file changed within a second of being
recorded is always hashed again, since a second write in the same clock tick would keep
its time. Entries live in the user's cache folder (``$XDG_CACHE_HOME/campaignkit`` on
Linux), outside any repository, as JSON, which can hold data only. The memo is an
optimisation: one that cannot be read or written is ignored, never reported.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from campaignkit.diagnostics import Diagnostic, from_record, to_record
from campaignkit.emails.cache import digest

if TYPE_CHECKING:
    from campaignkit.emails.merge import LanguageOf

#: Folders below the root that validate never reads.
_NOT_READ = frozenset({".git", ".campaignkit"})
#: A file changed this recently may change again within the same clock tick: its times do not vouch for it.
_RECENT_NS = 1_000_000_000
#: What the key of every entry is made of changes with this number.
_FORMAT = 1

#: A file's size, modification and change times and inode, and the hash of its content.
Stamp = list[Any]


def cache_folder() -> Path:
    """The user's cache folder for campaignkit (``platformdirs``: ``$XDG_CACHE_HOME/campaignkit`` on Linux)."""
    from platformdirs import user_cache_path

    return user_cache_path("campaignkit")


class ValidateMemo:
    """The diagnostics of the last ``validate`` of the workspace at ``root``, while its files stay the same."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.path = cache_folder() / "validate" / f"{hashlib.sha256(str(root).encode()).hexdigest()[:32]}.json"
        self._stored = _read(self.path)
        self._stamps: dict[str, Stamp] = {}
        self._key: str | None = None
        # Without a stored result there is nothing to compare with: the files are hashed while validate runs.
        self._hashing = None if self._stored else threading.Thread(target=self._hash_files, daemon=True)
        if self._hashing is not None:
            self._hashing.start()

    def get(self) -> list[Diagnostic] | None:
        """The stored diagnostics, if every file is as it was when they were stored; else None."""
        if not self._stored:
            return None
        self._hash_files()
        if self._key != self._stored.get("key"):
            return None
        try:
            return [from_record(record) for record in self._stored["diagnostics"]]
        except (KeyError, TypeError, ValueError):
            return None

    def put(self, diagnostics: list[Diagnostic]) -> None:
        """Stores ``diagnostics`` as the result for the files as they were when the run began."""
        if self._hashing is not None:
            self._hashing.join()
        if self._key is None:
            return
        entry = {"key": self._key, "stamps": self._stamps, "diagnostics": [to_record(d) for d in diagnostics]}
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=self.path.parent, prefix=".tmp-")
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                json.dump(entry, out, ensure_ascii=False)
            os.replace(temporary, self.path)
        except OSError:
            pass  # a memo that cannot be written only costs time

    def _hash_files(self) -> None:
        """Works out the key from every file's content hash, reusing the stored hash of a file whose stamp is
        unchanged; ``_key`` stays None if the tree cannot be read."""
        stored = self._stored.get("stamps")
        known: dict[str, Stamp] = stored if isinstance(stored, dict) else {}
        now = time.time_ns()
        stamps: dict[str, Stamp] = {}
        prefix = len(os.path.join(self.root, ""))
        try:
            for folder, dirs, files in os.walk(self.root):
                if len(folder) < prefix:  # the root itself
                    dirs[:] = [d for d in dirs if d not in _NOT_READ]
                for name in files:
                    path = os.path.join(folder, name)
                    stamps[path[prefix:]] = _stamp(path, known.get(path[prefix:]), now)
        except OSError:
            return
        self._stamps = stamps
        self._key = digest(_FORMAT, sorted((name, stamp[-1]) for name, stamp in stamps.items()))


def _stamp(path: str, known: Stamp | None, now: int) -> Stamp:
    """``path``'s stamp: its ``os.stat`` numbers and content hash (the known hash, if the numbers are the known ones
    and were not too recent to vouch for it); a file that cannot be read hashes as its error."""
    try:
        info = os.stat(path)
    except OSError as exc:
        return [None, None, None, None, f"unreadable: {exc.errno}"]
    numbers = [info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino]
    if isinstance(known, list) and len(known) == 5 and known[:4] == numbers and known[4] is not None:
        return known
    if not stat.S_ISREG(info.st_mode):  # a named pipe would never end: validate refuses it unread, and so is it here
        content = f"not a file: {stat.S_IFMT(info.st_mode)}"
    else:
        try:
            with open(path, "rb") as handle:
                content = hashlib.file_digest(handle, hashlib.blake2b).hexdigest()
        except OSError as exc:  # a file gone, or unreadable: validate reports it; its error stands for the content
            content = f"unreadable: {exc.errno}"
    recent = now - max(info.st_mtime_ns, info.st_ctime_ns) < _RECENT_NS
    return [None, None, None, None, content] if recent else [*numbers, content]


def remembered_validation(root: Path, languages: Callable[[], LanguageOf]) -> list[Diagnostic]:
    """``check_workspace``'s diagnostics for the workspace at ``root``; read back from the memo when no file
    changed since they were stored, else worked out (with the merge languages ``languages`` gives, asked
    for only then: the targets that know them take long to import) and stored."""
    from campaignkit.checks import check_workspace

    memo = ValidateMemo(root)
    diagnostics = memo.get()
    if diagnostics is None:
        _, diagnostics = check_workspace(root, languages())
        memo.put(diagnostics)
    return diagnostics


def _read(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}
