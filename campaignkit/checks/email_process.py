"""The process that checks a workspace's emails, started before the workspace is loaded.

Loading the YAML keeps one core busy and leaves the others idle, and most of
what checking an email costs comes from its template file alone: reading,
hashing, splitting, compiling its Jinja and parsing its markup. So
``check_workspace`` starts this process first. While the command loads the
workspace, the process goes through the template files and makes all of that
(``TemplateFiles.warm``). When the emails are known, they are sent to it with
the merge model, and it checks them on every core: its workers are forked from
it, so they start with everything it has made. Results come back as (cache key,
records), as from ``render.parallel``, and the command collects them after its
other checks.

Only where processes can be forked and there are two cores or more; elsewhere
``start`` returns None and the emails are checked as before.
"""

from __future__ import annotations

import multiprocessing
import traceback
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Callable, Sequence

from campaignkit.model import Resource
from campaignkit.render.merge import MergeModel
from campaignkit.render.parallel import usable_cores, worker_started

#: What the process sends back: each email's (cache key, records), in order.
Results = list[tuple[str, list]]


class EmailChecker:
    """The command's side of the process: start it, give it the emails once, wait for the results."""

    def __init__(self, process: multiprocessing.process.BaseProcess, connection: Connection) -> None:
        self._process = process
        self._connection = connection

    @classmethod
    def start(cls, root: Path) -> EmailChecker | None:
        """The process, warming the templates below ``root``; None where it would not help."""
        if "fork" not in multiprocessing.get_all_start_methods() or usable_cores() < 2:
            return None
        context = multiprocessing.get_context("fork")
        ours, theirs = context.Pipe()
        process = context.Process(target=_serve, args=(root, theirs, ours))  # not a daemon: it forks workers
        process.start()
        theirs.close()
        return cls(process, ours)

    def check(self, merge: MergeModel, inputs: str, emails: Sequence[Resource]) -> Callable[[], Results]:
        """Sends the emails; returns what waits for their results (to be called once)."""
        try:
            self._connection.send((merge, inputs, list(emails)))
        except OSError:  # it died (killed, out of memory): the results say so
            pass

        def results() -> Results:
            try:
                outcome = self._connection.recv()
            except EOFError:
                outcome = "the process checking emails stopped without a result"
            finally:
                self.stop()
            if isinstance(outcome, str):
                raise RuntimeError(f"checking the emails failed:\n{outcome}")
            return outcome

        return results

    def stop(self) -> None:
        """Ends the process (and so its workers), whatever it is doing.

        Closing the pipe ends one that is waiting for emails or warming templates; one
        that is checking is told to stop, and killed if it has not within a second.
        """
        self._connection.close()
        if self._process.is_alive():
            self._process.terminate()
            self._process.join(timeout=1)
        if self._process.is_alive():
            self._process.kill()
        self._process.join()


def _serve(root: Path, connection: Connection, commands_end: Connection) -> None:
    """The process: warm the templates until the emails come, then check them on every core.

    It closes its copy of the command's end of the pipe, so that the command closing its own
    is seen here as the end of the input.
    """
    worker_started()
    commands_end.close()
    from campaignkit.cache import ResultCache
    from campaignkit.render.checking import CachedCheck
    from campaignkit.render.context import EmailContext, TemplateFiles
    from campaignkit.render.parallel import start_emails
    from campaignkit.render.reads import TemplateReads

    files = TemplateFiles(TemplateReads(root))
    for name in files.template_files():
        if connection.poll():
            break
        files.warm(name)
    try:
        merge, inputs, emails = connection.recv()
    except EOFError:  # the command ended first (no emails, or a failure)
        return
    try:
        check = CachedCheck(files.reads, inputs, ResultCache(root, "emails"))
        connection.send(start_emails(check, EmailContext(files, merge), emails)())
    except Exception:  # noqa: BLE001 - a failure is the command's to report, with where it happened
        connection.send(traceback.format_exc())
