"""Email work on every core: the one module that starts processes.

Checking or rendering an email is CPU-bound Python (Jinja compiles each template and
``mjml-python`` holds the interpreter lock while it renders), so threads would not help;
forked processes do. Two calls reach them, each returning at once with a ``Pending`` result
while the work goes on:

- ``check_emails(workspace, emails, language_of)``: each email's CK4xx diagnostics, from the cache where an
  identical email was checked before;
- ``render_bodies(render, context, emails)``: ``render(context, email)`` for each email.

A command that loads and checks a whole workspace does both inside ``warm_workers(root)``.
There the processes start before the workspace loads, one per core, each owning the template
files whose name hashes to it (``owner``), and read, hash, compile and parse them while the
command loads the YAML on its own core; ``check_emails`` then sends every process the emails,
and each checks those whose template it owns, then helps with the others' that are left, so
that all end together. Python's cyclic garbage collector is paused in that block: what loading
and checking make lives as long as the command and holds no cycles, and a collection would
walk all of it for nothing.

Where processes cannot be forked, there is one core, or a batch is too small to repay starting
them, the work is done in this process when its result is asked for. Results keep the order of
the emails.
"""

from __future__ import annotations

import ctypes
import gc
import multiprocessing
import os
import signal
import traceback
import weakref
import zlib
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from multiprocessing.reduction import ForkingPickler
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, TypeVar, cast

from campaignkit.diagnostics import Diagnostic, from_record
from campaignkit.emails.cache import ResultCache, digest
from campaignkit.emails.merge import LanguageOf, MergeModel
from campaignkit.errors import UserError
from campaignkit.workspace.model import Resource, Workspace
from campaignkit.workspace.template_paths import normalise, walk_template_files

if TYPE_CHECKING:
    from campaignkit.emails.context import EmailContext

T = TypeVar("T")
#: Each checked email as the processes send it back: its cache key and its diagnostics as records.
Checked = tuple[str, list]
#: Linux's prctl option that sends a signal to a process when its parent dies.
_PR_SET_PDEATHSIG = 1
#: Below this many emails per process, starting the processes costs more than it saves.
MIN_EMAILS_PER_PROCESS = 25
#: How much the warm processes defer to the command (``os.nice``): loading keeps its core and
#: they share the others; once the command waits for them, they have every core.
_BACKGROUND_NICENESS = 5


class Pending(Generic[T]):
    """Work under way; ``result()`` waits for it (once)."""

    def __init__(self, wait: Callable[[], T]) -> None:
        self._wait = wait

    def result(self) -> T:
        return self._wait()


def usable_cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


# -- the two calls ----------------------------------------------------------------------------------

def check_emails(workspace: Workspace, emails: Sequence[Resource], language_of: LanguageOf
                 ) -> Pending[list[list[Diagnostic]]]:
    """Each email's CK4xx diagnostics, in order, for emails sent in the merge languages ``language_of`` gives
    the workspace's environments (``MergeModel.of``); what is found is cached for the next run."""
    if not emails:
        return Pending(list)
    from campaignkit.emails.checking import CachedCheck

    cache = ResultCache(workspace.root, "emails")
    merge = MergeModel.of(workspace, language_of)
    inputs = digest(workspace.config.vars,
                    [field.attributes | {"name": field.name} for field in workspace.of_kind("field")],
                    {environment: language.name for environment, language in merge.languages.items()})
    warm = _take_warm(workspace.root)
    if warm is not None:
        fresh = warm.check(merge, inputs, emails)
    else:
        from campaignkit.emails.context import EmailContext, TemplateFiles

        context = EmailContext(TemplateFiles(workspace.template_reads), merge)
        fresh = _on_every_core(CachedCheck(workspace.template_reads, inputs, cache), context, emails)

    def collected() -> list[list[Diagnostic]]:
        results = []
        for key, records in fresh():
            cache.put(key, records)
            results.append([from_record(record) for record in records])
        cache.save()
        return results

    return Pending(collected)


def render_bodies(render: Callable[[EmailContext, Resource], T], context: EmailContext,
                  emails: Sequence[Resource]) -> Pending[list[T]]:
    """``render(context, email)`` for each email, in order."""
    return Pending(_on_every_core(render, context, emails))


@contextmanager
def warm_workers(root: Path) -> Iterator[None]:
    """Processes that read the templates below ``root`` while the block loads the workspace, for
    its ``check_emails``; the garbage collector paused, and what the block made frozen out of
    later collections."""
    global _warm
    with _collector_paused(kept=True):
        _warm = _WarmProcesses.start(root)
        try:
            yield
        finally:
            warm, _warm = _warm, None
            if warm is not None:
                warm.stop()


_warm: _WarmProcesses | None = None


def _take_warm(root: Path) -> _WarmProcesses | None:
    """The warm processes, if they were started for ``root`` and have not been given emails yet."""
    global _warm
    warm = _warm if _warm is not None and _warm.root == root else None
    if warm is not None:
        _warm = None
    return warm


# -- the garbage collector and the workers' start -----------------------------------------------------

@contextmanager
def _collector_paused(kept: bool = False) -> Iterator[None]:
    """The collector off for the block, and back as it was afterwards.

    ``kept``: what the block made lives as long as the command, so it is frozen out of later
    collections (``gc.freeze``) before the collector is back, whose first pass would otherwise
    walk all of it at once; forked processes then share its pages instead of copying them.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
        if kept:
            gc.freeze()
    finally:
        if enabled:
            gc.enable()


def _worker_started() -> None:
    """No cyclic collection in a worker, and Ctrl-C is the parent's to handle: it stops the workers.

    The parent stops them with SIGTERM, which a worker must simply die of: the command's own
    SIGTERM handler, inherited by the fork, would print a traceback from each. On Linux a
    worker also asks to be killed with its parent, so that a ``kill -9`` of the command leaves
    no orphans printing broken pipes into the terminal.
    """
    gc.disable()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    try:
        ctypes.CDLL(None).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):  # not Linux: orphans finish their chunk and exit
        pass


# -- a pool forked for one batch ----------------------------------------------------------------------

_batch: tuple[Callable[[EmailContext, Resource], object], EmailContext, Sequence[Resource]] | None = None


def _on_every_core(function: Callable[[EmailContext, Resource], T], context: EmailContext,
                   emails: Sequence[Resource]) -> Callable[[], list[T]]:
    """Starts ``function(context, email)`` for every email on a pool of forked processes, which
    start with the parent's context (its caches of shared partials included) without pickling it;
    returns what waits for the results (to be called once)."""
    global _batch
    jobs = min(usable_cores(), len(emails) // MIN_EMAILS_PER_PROCESS)
    if jobs < 2 or "fork" not in multiprocessing.get_all_start_methods():
        return lambda: _in_this_process(function, context, emails)
    _batch = (function, context, emails)  # what the workers find when they are forked
    pool = multiprocessing.get_context("fork").Pool(jobs, initializer=_worker_started)
    pending = pool.map_async(_run, range(len(emails)), chunksize=max(1, len(emails) // (jobs * 8)))

    def results() -> list[T]:
        global _batch
        try:
            return cast(list[T], pending.get())  # what ``function`` returned, by way of ``_run``
        finally:
            pool.terminate()
            _batch = None

    # Results never asked for (the caller failed, or Ctrl-C came first): stop the workers all the same.
    weakref.finalize(results, pool.terminate)
    return results


def _in_this_process(function: Callable[[EmailContext, Resource], T], context: EmailContext,
                     emails: Sequence[Resource]) -> list[T]:
    with _collector_paused():
        return [function(context, email) for email in emails]


def _run(index: int) -> object:
    assert _batch is not None, "only called in a worker forked by _on_every_core"
    function, context, emails = _batch
    return function(context, emails[index])


# -- warm processes, started before the workspace loads -------------------------------------------------

def owner(name: str, count: int) -> int:
    """Which of ``count`` processes reads the template file ``name`` ahead, and checks its emails."""
    return zlib.crc32(normalise(name).encode()) % count


class _WarmProcesses:
    """The command's side of the warm processes: start them, give them the emails once, wait."""

    def __init__(self, root: Path, first: BaseProcess, connections: list[Connection]) -> None:
        self.root = root
        self._first = first  # the process the command started; it started the others
        self._connections = connections  # the command's end of each process's pipe

    @classmethod
    def start(cls, root: Path) -> _WarmProcesses | None:
        """The processes, reading the templates below ``root``; None where they would not help."""
        count = usable_cores()
        if "fork" not in multiprocessing.get_all_start_methods() or count < 2:
            return None
        context = multiprocessing.get_context("fork")
        progress = _Progress(context.Array("i", count))
        pipes = [context.Pipe() for _ in range(count)]  # (the command's end, the process's end) for each
        first = context.Process(target=_first, args=(context, root, progress, pipes))
        first.start()
        for _, theirs in pipes:
            theirs.close()
        return cls(root, first, [ours for ours, _ in pipes])

    def check(self, merge: MergeModel, inputs: str, emails: Sequence[Resource]) -> Callable[[], list[Checked]]:
        """Sends the emails to every process; returns what waits for all results, in order (to be called once)."""
        work = bytes(ForkingPickler.dumps(_Batch(merge, inputs, emails, len(self._connections))))  # once for all
        for connection in self._connections:
            try:
                connection.send_bytes(work)
            except OSError:  # it died (killed, out of memory): ``_receive`` says so
                pass

        def results() -> list[Checked]:
            found: list[Checked] = [("", [])] * len(emails)
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

        Closing the pipes ends a process that is waiting for emails or reading templates.
        One that is checking is stopped with the first process, which is told to stop and
        killed if it has not within a second: the others die with it (``_worker_started``).
        """
        for connection in self._connections:
            connection.close()
        if self._first.is_alive():
            self._first.terminate()
            self._first.join(timeout=1)
        if self._first.is_alive():
            self._first.kill()
        self._first.join()


def _receive(connection: Connection) -> list[tuple[int, Checked]]:
    """A process's results; a ``UserError`` if it was killed, the error it met (with its traceback) if it failed."""
    try:
        outcome = connection.recv()
    except (EOFError, ConnectionResetError):  # reset: it died with what was sent to it unread
        raise UserError("a process checking the emails stopped before it finished (was it killed, or out "
                        "of memory?); run the command again") from None
    if isinstance(outcome, str):
        raise RuntimeError(f"checking the emails failed:\n{outcome}")
    return outcome


class _Progress:
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


class _Batch:
    """What every warm process is sent: the merge model, the hash of the fields and vars, and the
    emails by owner. Each owner's emails are pickled apart, so that a process unpickles its own and
    only those of others it helps with."""

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


def _first(context: Any, root: Path, progress: _Progress, pipes: list[tuple[Connection, Connection]]) -> None:
    """Process 0: import the renderer, start the other processes from here, then serve as one of them.

    The others are forked once the renderer (Jinja, MJML, the checks) is imported, so that it is
    imported once. A process started here dies with this one (``_worker_started``), which the
    command stops.
    """
    _worker_started()
    os.nice(_BACKGROUND_NICENESS)  # inherited by the others
    for commands, _ in pipes:
        commands.close()
    import campaignkit.emails.checking  # noqa: F401 - the renderer, imported once for every process

    for index in range(1, len(pipes)):
        context.Process(target=_other, args=(root, index, progress, pipes)).start()
    _serve(root, 0, progress, _own_end(pipes, 0), len(pipes))


def _other(root: Path, index: int, progress: _Progress, pipes: list[tuple[Connection, Connection]]) -> None:
    """Process ``index`` (not 0), started by the first."""
    _worker_started()
    _serve(root, index, progress, _own_end(pipes, index), len(pipes))


def _own_end(pipes: list[tuple[Connection, Connection]], index: int) -> Connection:
    """Process ``index``'s end of its pipe, once it has closed the other processes' ends, which it was
    forked with: so the command closing its end is seen here as the end of the input, and this
    process ending as EOF there."""
    for number, (_, processes) in enumerate(pipes):
        if number != index:
            processes.close()
    return pipes[index][1]


def _serve(root: Path, index: int, progress: _Progress, connection: Connection, count: int) -> None:
    """Process ``index`` of ``count``: read the templates it owns ahead until the emails come, then check its share."""
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
        work: _Batch = connection.recv()
    except EOFError:  # the command ended first (no emails, or a failure)
        return
    try:
        check = CachedCheck(files.reads, work.inputs, ResultCache(root, "emails"))
        context = EmailContext(files, work.merge)
        connection.send([(work.positions[which][at], check(context, work.emails_of(which)[at]))
                         for which, start, end in progress.batches(work.positions, index) for at in range(start, end)])
    except Exception:  # noqa: BLE001 - a failure is the command's to report, with where it happened
        connection.send(traceback.format_exc())
