"""Template paths: every file an email reads is named relative to the workspace root and stays inside it.

An email's ``template`` and ``text``, Jinja ``{% include %}`` and ``{% import %}``
and MJML ``<mj-include path="...">`` all go through ``read_template``, so one
rule holds for all of them: absolute paths and ``..`` are refused, whatever the
template asks for, and the file is read as ``files`` reads any file of the workspace
(a link leading outside it, or a hard link, is refused; a pipe is no template). Paths are
relative to the workspace root (for ``mj-include`` too, unlike MJML, which
resolves them from the including file) so that one partial has one name
everywhere. This module only resolves and reads; it reports nothing.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path, PurePosixPath

from campaignkit.workspace.files import LeavesWorkspace, NotAFile, Refused, TooLarge, read_inside
from campaignkit.workspace.model import TEMPLATE_SUFFIXES

#: Larger template files are refused before they are read: no email needs them and
#: reading one could exhaust memory.
MAX_TEMPLATE_BYTES = 1_000_000

_DRIVE = re.compile(r"^[A-Za-z]:")


class TemplatePathError(Exception):
    """A template name that cannot be read; the message says why, for the user."""

    def __init__(self, name: str, reason: str) -> None:
        super().__init__(f"'{name}' {reason}")
        self.name = name
        self.reason = reason


class OutsideWorkspace(TemplatePathError):
    """The name points outside the workspace (absolute, ``..`` or a symbolic link)."""


class TemplateMissing(TemplatePathError):
    """No such file in the workspace."""


class TemplateUnreadable(TemplatePathError):
    """The file exists but is too large or not UTF-8 text."""


@cache  # called for every lookup of every include
def normalise(name: str) -> str:
    """The canonical form of a workspace-relative name (``./a//b`` and ``a/b`` are one file)."""
    if "\\" not in name and "" not in (parts := name.split("/")) and "." not in parts:
        return name  # already canonical, as nearly every name is: no path object to build
    return PurePosixPath(name.replace("\\", "/")).as_posix()


def _path(root: Path, name: str) -> str:
    """Where ``name`` is below ``root``; raises ``TemplatePathError`` for a name that cannot be a file of it."""
    if "\0" in name or not name.strip():
        raise TemplateMissing(name, "is not a file name")
    posix = name.replace("\\", "/")
    if posix.startswith("/") or _DRIVE.match(posix):
        raise OutsideWorkspace(name, "is an absolute path; name templates relative to the workspace root")
    if ".." in posix.split("/"):
        raise OutsideWorkspace(name, "leaves the workspace ('..'); templates can only read files inside it")
    return os.path.join(root, posix)


def read_template(root: Path, name: str) -> str:
    """The text of the template ``name`` under the rules above; line breaks are ``\\n``, as Jinja makes them.

    ``\\r\\n`` and ``\\r`` read as ``\\n``, as in text mode. A file that is not a regular file (a
    named pipe, a folder) is no template; one that is linked to outside the workspace is refused.
    """
    try:
        data = read_inside(root, _path(root, name), MAX_TEMPLATE_BYTES)
    except (FileNotFoundError, NotADirectoryError, NotAFile):
        raise TemplateMissing(name, "does not exist in the workspace") from None
    except LeavesWorkspace as refused:
        raise OutsideWorkspace(name, str(refused)) from None
    except Refused as refused:
        raise TemplateUnreadable(name, f"cannot be read: it {refused}") from None
    except TooLarge:
        raise TemplateUnreadable(name, f"is larger than {MAX_TEMPLATE_BYTES // 1000} KB") from None
    except OSError as exc:
        raise TemplateUnreadable(name, f"cannot be read ({exc.strerror})") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise TemplateUnreadable(name, f"is not UTF-8 text (byte {exc.start})") from None
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\0" in text:  # never text: a file saved by a binary tool, or a paste gone wrong
        nul = text.index("\0")
        line, column = text.count("\n", 0, nul) + 1, nul - text.rfind("\n", 0, nul)
        raise TemplateUnreadable(name, f"contains a NUL byte (line {line}, column {column}); templates are text")
    return text


def template_files(root: Path) -> list[str]:
    """Every file below ``root`` that could be a template, by name (for "did you mean" on a missing one)."""
    return sorted(walk_template_files(root))


def walk_template_files(root: Path) -> Iterator[str]:
    """The files ``template_files`` lists, as they are found (a folder at a time, in no set order).

    Hidden files and folders are left out, and linked folders are not followed. The folder
    entries tell what is a file without a system call each (one per file, for a workspace of
    thousands of templates).
    """
    pending = [("", os.fspath(root))]
    while pending:
        prefix, folder = pending.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError:  # unreadable: as os.walk, go on without it
            continue
        for entry in entries:
            if entry.name.startswith("."):
                continue
            if entry.is_dir(follow_symlinks=False):
                pending.append((f"{prefix}{entry.name}/", entry.path))
            elif os.path.splitext(entry.name)[1] in TEMPLATE_SUFFIXES and _is_file(entry):
                yield prefix + entry.name


def _is_file(entry: os.DirEntry[str]) -> bool:
    """Whether ``entry`` is a file, or a link to one; a link that leads nowhere (or to itself) is not."""
    try:
        return entry.is_file()
    except OSError:  # a link to itself: too many levels of links
        return False
