"""The processes that check a workspace's emails, started before the workspace is loaded.

Loading the YAML keeps one core busy and leaves the others idle, and most of
what checking an email costs comes from its template file alone: reading,
hashing, splitting, compiling its Jinja and parsing its markup. So
``check_workspace`` starts one process per core first, each owning the
template files whose name hashes to it (``owner``); the first imports the
renderer and forks the others, so that it is imported once. While the command loads
the workspace, each makes all of that for its own files
(``TemplateFiles.warm``), giving way to the command so that loading keeps its core.
When the emails are known, they are sent to every process with the merge
model. Each checks the emails whose template it owns, with what it has made,
and then helps with the others' that are left (``_Claims``), so that all end
together. Nothing they made is shared, so nothing is copied between processes.
Results come back as (cache key, records) by email, and the command collects
them after its other checks.

Only where processes can be forked and there are two cores or more; elsewhere
``start`` returns None and the emails are checked as before.
"""

from __future__ import annotations

import multiprocessing
import os
import traceback
import zlib
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from multiprocessing.reduction import ForkingPickler
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence

from campaignkit.errors import UserError
from campaignkit.workspace.model import Resource
from campaignkit.emails.merge import MergeModel
from campaignkit.emails.parallel import usable_cores, worker_started
from campaignkit.workspace.template_paths import normalise, walk_template_files

#: What the command gets back: each email's (cache key, records), in order.
Results = list[tuple[str, list]]
#: How much the processes give way to the command (``os.nice``): loading keeps its core, and
#: they share the others; once it waits for them, they have every core.
_GIVING_WAY = 5


def owner(name: str, count: int) -> int:
    """Which of ``count`` processes makes what the template file ``name`` needs, and checks its emails."""
    return zlib.crc32(normalise(name).encode()) % count


class EmailChecker:
    """The command's side of the processes: start them, give them the emails once, wait for the results."""

    def __init__(self, first: BaseProcess, connections: list[Connection]) -> None:
        self._first = first  # the process the command started; it started the others
        self._connections = connections  # the command's end of each process's pipe

    @classmethod
    def start(cls, root: Path) -> EmailChecker | None:
        """The processes, warming the templates below ``root``; None where they would not help."""
        count = usable_cores()
        if "fork" not in multiprocessing.get_all_start_methods() or count < 2:
            return None
        context = multiprocessing.get_context("fork")
        claims = _Claims(context.Array("i", count))
        pipes = [context.Pipe() for _ in range(count)]  # (the command's end, the process's end) for each
        first = context.Process(target=_first, args=(context, root, claims, pipes))
        first.start()
        for _, theirs in pipes:
            theirs.close()
        return cls(first, [ours for ours, _ in pipes])

    def check(self, merge: MergeModel, inputs: str, emails: Sequence[Resource]) -> Callable[[], Results]:
        """Sends the emails to every process; returns what waits for all results, in order (to be called once)."""
        work = bytes(ForkingPickler.dumps(_Work(merge, inputs, emails, len(self._connections))))  # once for all
        for connection in self._connections:
            try:
                connection.send_bytes(work)
            except OSError:  # it died (killed, out of memory): ``_receive`` says so
                pass

        def results() -> Results:
            found: Results = [("", [])] * len(emails)
            try:
                for connection in self._connections:
                    for index, result in _receive(connection):
                        found[index] = result
            finally:
                self.stop()
            return found

        return results

    def stop(self) -> None:
        """Ends every process, whatever it is doing.

        Closing the pipes ends a process that is waiting for emails or warming templates.
        One that is checking is stopped with the first process, which is told to stop and
        killed if it has not within a second: the others die with it (``worker_started``).
        """
        for connection in self._connections:
            connection.close()
        if self._first.is_alive():
            self._first.terminate()
            self._first.join(timeout=1)
        if self._first.is_alive():
            self._first.kill()
        self._first.join()


def _receive(connection: Connection) -> list[tuple[int, tuple[str, list]]]:
    """A process's results; a ``UserError`` if it was killed, the error it met (with its traceback) if it failed."""
    try:
        outcome = connection.recv()
    except (EOFError, ConnectionResetError):  # reset: it died with what was sent to it unread
        raise UserError("a process checking the emails stopped before it finished (was it killed, or out "
                        "of memory?); run the command again") from None
    if isinstance(outcome, str):
        raise RuntimeError(f"checking the emails failed:\n{outcome}")
    return outcome


class _Claims:
    """How far each process's list of emails has been taken, shared by all: a process takes a few of
    its own at a time, then a few of each other's that are left."""

    #: Emails taken at a time: a few milliseconds of work, against a lock taken in microseconds.
    BATCH = 4

    def __init__(self, taken: Any) -> None:
        self._taken = taken  # a shared array of ints, one per process

    def batches(self, lists: list[list[int]], index: int) -> Iterator[tuple[int, int, int]]:
        """For process ``index``, batches of the emails to check, as (whose list, start, end), its
        own list first, until none is left."""
        for turn in range(len(lists)):
            which = (index + turn) % len(lists)
            while (start := self._take(which)) < len(lists[which]):
                yield which, start, min(start + self.BATCH, len(lists[which]))

    def _take(self, which: int) -> int:
        with self._taken.get_lock():
            start = self._taken[which]
            self._taken[which] = start + self.BATCH
        return start


class _Work:
    """What every process is sent: the merge model, the hash of the fields and vars, and the emails
    by owner. Each owner's emails are pickled apart, so that a process unpickles its own and only
    those of others it helps with."""

    def __init__(self, merge: MergeModel, inputs: str, emails: Sequence[Resource], count: int) -> None:
        self.merge = merge
        self.inputs = inputs
        self.positions = _by_owner(emails, count)  # for each owner, where its emails stand in ``emails``
        self._packed = [bytes(ForkingPickler.dumps([emails[index] for index in owned])) for owned in self.positions]
        self._unpacked: dict[int, list[Resource]] = {}

    def emails_of(self, which: int) -> list[Resource]:
        if which not in self._unpacked:
            self._unpacked[which] = ForkingPickler.loads(self._packed[which])
        return self._unpacked[which]


def _by_owner(emails: Sequence[Resource], count: int) -> list[list[int]]:
    """The indexes of the emails whose template each process owns (one without a template: any)."""
    lists: list[list[int]] = [[] for _ in range(count)]
    for index, email in enumerate(emails):
        name = email.data.get("template")
        lists[owner(name, count) if isinstance(name, str) and name else index % count].append(index)
    return lists


def _first(context: Any, root: Path, claims: _Claims, pipes: list[tuple[Connection, Connection]]) -> None:
    """Process 0: import the renderer, start the other processes from here, then serve as one of them.

    Importing Jinja, MJML and the checks takes a process a twentieth of a second; the
    others are forked once it is done, so that it is done once. A process started here
    dies with this one (``worker_started``), which the command stops.
    """
    worker_started()
    os.nice(_GIVING_WAY)  # inherited by the others
    for commands, _ in pipes:
        commands.close()
    import campaignkit.emails.checking  # noqa: F401 - the renderer, imported once for every process

    for index in range(1, len(pipes)):
        context.Process(target=_other, args=(root, index, claims, pipes)).start()
    _serve(root, 0, claims, _own_end(pipes, 0), len(pipes))


def _other(root: Path, index: int, claims: _Claims, pipes: list[tuple[Connection, Connection]]) -> None:
    """Process ``index`` (not 0), started by the first."""
    worker_started()
    _serve(root, index, claims, _own_end(pipes, index), len(pipes))


def _own_end(pipes: list[tuple[Connection, Connection]], index: int) -> Connection:
    """Process ``index``'s end of its pipe, once it has closed the other processes' ends, which it was
    forked with: so the command closing its end is seen here as the end of the input, and this
    process ending as EOF there."""
    for number, (_, processes) in enumerate(pipes):
        if number != index:
            processes.close()
    return pipes[index][1]


def _serve(root: Path, index: int, claims: _Claims, connection: Connection, count: int) -> None:
    """Process ``index`` of ``count``: warm the templates it owns until the emails come, then check its share."""
    from campaignkit.emails.cache import ResultCache
    from campaignkit.emails.checking import CachedCheck
    from campaignkit.emails.context import EmailContext, TemplateFiles
    from campaignkit.workspace.template_reads import TemplateReads

    files = TemplateFiles(TemplateReads(root))
    for name in walk_template_files(root):  # a large tree of other files is left as soon as the emails come
        if owner(name, count) == index:
            if connection.poll():
                break
            files.warm(name)
    try:
        work: _Work = connection.recv()
    except EOFError:  # the command ended first (no emails, or a failure)
        return
    try:
        check = CachedCheck(files.reads, work.inputs, ResultCache(root, "emails"))
        context = EmailContext(files, work.merge)
        connection.send([(work.positions[which][at], check(context, work.emails_of(which)[at]))  # no collector
                         for which, start, end in claims.batches(work.positions, index) for at in range(start, end)])
    except Exception:  # noqa: BLE001 - a failure is the command's to report, with where it happened
        connection.send(traceback.format_exc())
