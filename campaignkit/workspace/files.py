"""Reading the workspace's own files: only regular files inside it, opened without waiting.

A pull request can carry a symbolic link to ``/etc/passwd`` named ``lists.yaml``, or a
named pipe; and a file that is read is a file whose lines may be printed under a
diagnostic. So a file of the workspace is read only if its real path is inside the
workspace, it is a regular file (not a pipe, a device or a socket, which could block or
never end), and it has one name: a hard link's other name may be anywhere on the disk,
and nothing tells where. Everything else is refused unread with ``Refused``. The file is
opened once and judged through its descriptor, so that it cannot be swapped between
the look and the read. This module reads; it reports nothing.
"""

from __future__ import annotations

import errno
import os
import stat
from functools import lru_cache
from pathlib import Path

#: Opening flags: never wait on a named pipe; bytes as they are on disk (Windows); not inherited.
_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0) | getattr(os, "O_CLOEXEC", 0)
#: Opening the last part of a path that is a symbolic link fails with this flag, instead of following it.
_NO_LINK = getattr(os, "O_NOFOLLOW", 0)
#: How ``open`` with ``O_NOFOLLOW`` says the last part was a link (``EMLINK`` on FreeBSD), or a loop of them.
_A_LINK = frozenset({errno.ELOOP, errno.EMLINK})
_KINDS = ((stat.S_ISFIFO, "a named pipe"), (stat.S_ISCHR, "a device"), (stat.S_ISBLK, "a device"),
          (stat.S_ISSOCK, "a socket"), (stat.S_ISDIR, "a folder"))


class Refused(Exception):
    """A file that is not read; the message says why, for the user, after the file's name."""


class LeavesWorkspace(Refused):
    """A file whose real path, or another name of it, may be outside the workspace."""


class NotAFile(Refused):
    """A named pipe, a device, a socket or a folder."""


class TooLarge(Exception):
    """A regular file over the size limit, refused before it is read."""

    def __init__(self, size: int) -> None:
        super().__init__(f"{size} bytes")
        self.size = size


def read_inside(root: str | Path, path: str | Path, limit: int) -> bytes:
    """The bytes of ``path``, a file of the workspace at ``root``, under the rules above.

    Raises ``Refused`` (one of its kinds), ``TooLarge``, or ``OSError`` for a file that is missing
    or cannot be read.
    """
    workspace = _real_path(os.fspath(root))
    folder, name = os.path.split(os.fspath(path))
    real = os.path.join(_within(workspace, _real_path(folder), "is in a folder linked to outside the workspace"),
                        name)
    try:
        descriptor = _open(real)
    except OSError as exc:
        if exc.errno not in _A_LINK:
            raise
        descriptor = _open(_linked(workspace, real))
    try:
        return _regular_contents(descriptor, limit)
    finally:
        os.close(descriptor)


def _open(path: str) -> int:
    """A descriptor of ``path``, not following a link at its end; a socket, which cannot be opened, is refused."""
    try:
        return os.open(path, _FLAGS | _NO_LINK)
    except OSError as exc:
        if exc.errno == errno.ENXIO:
            raise NotAFile("is a socket: only regular files are read") from None
        raise


def _regular_contents(descriptor: int, limit: int) -> bytes:
    """The bytes of the open file, if it is a regular file with one name and at most ``limit`` bytes."""
    info = os.fstat(descriptor)
    if not stat.S_ISREG(info.st_mode):
        kind = next((name for test, name in _KINDS if test(info.st_mode)), "not a regular file")
        raise NotAFile(f"is {kind}: only regular files are read")
    if info.st_nlink > 1:
        raise LeavesWorkspace(f"is a hard link (one file with {info.st_nlink} names), and its other names may be "
                              "outside the workspace: make it a copy of its own")
    if info.st_size > limit:
        raise TooLarge(info.st_size)
    chunks, size = [], 0
    while chunk := os.read(descriptor, limit + 1 - size):
        chunks.append(chunk)
        size += len(chunk)
        if size > limit:  # it grew after it was looked at
            raise TooLarge(size)
    return b"".join(chunks)


@lru_cache(maxsize=1024)  # a command reads thousands of files from a few folders
def _real_path(folder: str) -> str:
    """``folder`` with every symbolic link in it resolved."""
    return os.path.realpath(folder)


def _linked(workspace: str, link: str) -> str:
    """Where the symbolic link ``link`` leads, if that is inside ``workspace``."""
    try:
        target = os.path.realpath(link, strict=True)
    except OSError as exc:
        if exc.errno in _A_LINK:
            raise Refused("is a loop of symbolic links") from None
        raise
    return _within(workspace, target, "is a link to a file outside the workspace")


def _within(workspace: str, real: str, reason: str) -> str:
    """``real``, if it is ``workspace`` or below it; else ``LeavesWorkspace`` with ``reason``."""
    if real != workspace and not real.startswith(workspace.rstrip(os.sep) + os.sep):
        raise LeavesWorkspace(reason)
    return real
