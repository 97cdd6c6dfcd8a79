"""The processes that check a workspace's emails, started before the workspace is loaded.

Loading the YAML keeps one core busy and leaves the others idle, and most of
what checking an email costs comes from its template file alone: reading,
hashing, splitting, compiling its Jinja and parsing its markup. So
``check_workspace`` starts one process per core first, each owning the
template files whose name hashes to it (``owner``). While the command loads
the workspace, each makes all of that for its own files
(``TemplateFiles.warm``), at a lower priority, so that loading keeps its core.
When the emails are known, each process is sent the emails whose template it
owns, with the merge model, and checks them with what it has made; nothing is
shared, so nothing is copied between processes. Results come back as (cache
key, records), as from ``render.parallel``, and the command collects them
after its other checks.

Only where processes can be forked and there are two cores or more; elsewhere
``start`` returns None and the emails are checked as before.
"""

from __future__ import annotations

import multiprocessing
import os
import traceback
import zlib
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Callable, Sequence

from campaignkit.model import Resource
from campaignkit.render.merge import MergeModel
from campaignkit.render.parallel import usable_cores, worker_started
from campaignkit.render.paths import normalise

#: What a process sends back: each of its emails' (cache key, records), in order.
Results = list[tuple[str, list]]
#: How much the processes give way to the command while it loads (``os.nice``).
_LOWER_PRIORITY = 5


def owner(name: str, count: int) -> int:
    """Which of ``count`` processes makes what the template file ``name`` needs, and checks its emails."""
    return zlib.crc32(normalise(name).encode()) % count


class EmailChecker:
    """The command's side of the processes: start them, give them the emails once, wait for the results."""

    def __init__(self, processes: list[_Process]) -> None:
        self._processes = processes

    @classmethod
    def start(cls, root: Path) -> EmailChecker | None:
        """The processes, warming the templates below ``root``; None where they would not help."""
        count = usable_cores()
        if "fork" not in multiprocessing.get_all_start_methods() or count < 2:
            return None
        return cls([_Process(root, index, count) for index in range(count)])

    def check(self, merge: MergeModel, inputs: str, emails: Sequence[Resource]) -> Callable[[], Results]:
        """Sends each process its emails; returns what waits for all results, in order (to be called once)."""
        shares = _shares(emails, len(self._processes))
        for process, share in zip(self._processes, shares):
            process.send((merge, inputs, [emails[index] for index in share]))

        def results() -> Results:
            found: Results = [("", [])] * len(emails)
            try:
                for process, share in zip(self._processes, shares):
                    for index, result in zip(share, process.receive()):
                        found[index] = result
            finally:
                self.stop()
            return found

        return results

    def stop(self) -> None:
        """Ends every process, whatever it is doing."""
        for process in self._processes:
            process.stop()


def _shares(emails: Sequence[Resource], count: int) -> list[list[int]]:
    """The indexes of the emails each process checks: those whose template it owns, but no process
    more than an even share (many emails on one template), the rest to the ones with fewest."""
    limit = -(-len(emails) // count)
    shares: list[list[int]] = [[] for _ in range(count)]
    left: list[int] = []
    for index, email in enumerate(emails):
        name = email.data.get("template")
        share = shares[owner(name, count) if isinstance(name, str) and name else index % count]
        (share if len(share) < limit else left).append(index)
    for index in left:
        min(shares, key=len).append(index)
    return shares


class _Process:
    """One checking process and the command's end of its pipe."""

    def __init__(self, root: Path, index: int, count: int) -> None:
        context = multiprocessing.get_context("fork")
        self._connection, theirs = context.Pipe()
        self._process = context.Process(target=_serve, args=(root, index, count, theirs, self._connection))
        self._process.start()
        theirs.close()

    def send(self, work: tuple[MergeModel, str, list[Resource]]) -> None:
        try:
            self._connection.send(work)
        except OSError:  # it died (killed, out of memory): ``receive`` says so
            pass

    def receive(self) -> Results:
        try:
            outcome = self._connection.recv()
        except EOFError:
            outcome = "the process checking emails stopped without a result"
        if isinstance(outcome, str):
            raise RuntimeError(f"checking the emails failed:\n{outcome}")
        return outcome

    def stop(self) -> None:
        """Closing the pipe ends a process that is waiting for emails or warming templates; one that
        is checking is told to stop, and killed if it has not within a second."""
        self._connection.close()
        if self._process.is_alive():
            self._process.terminate()
            self._process.join(timeout=1)
        if self._process.is_alive():
            self._process.kill()
        self._process.join()


def _serve(root: Path, index: int, count: int, connection: Connection, commands_end: Connection) -> None:
    """One process: warm the templates it owns until its emails come, then check them.

    It closes its copy of the command's end of the pipe, so that the command closing its own
    is seen here as the end of the input.
    """
    worker_started()
    os.nice(_LOWER_PRIORITY)
    commands_end.close()
    from campaignkit.cache import ResultCache
    from campaignkit.render.checking import CachedCheck
    from campaignkit.render.context import EmailContext, TemplateFiles
    from campaignkit.render.reads import TemplateReads

    files = TemplateFiles(TemplateReads(root))
    for name in files.template_files():
        if connection.poll():
            break
        if owner(name, count) == index:
            files.warm(name)
    try:
        merge, inputs, emails = connection.recv()
    except EOFError:  # the command ended first (no emails, or a failure)
        return
    try:
        check = CachedCheck(files.reads, inputs, ResultCache(root, "emails"))
        context = EmailContext(files, merge)
        connection.send([check(context, email) for email in emails])  # the collector is off (worker_started)
    except Exception:  # noqa: BLE001 - a failure is the command's to report, with where it happened
        connection.send(traceback.format_exc())
