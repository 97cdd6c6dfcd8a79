"""Checking many emails on every core: ``check_email`` in forked worker processes.

Checking an email is CPU-bound Python (Jinja compiles each template) and
``mjml-python`` holds the interpreter lock while it renders, so threads would
not help; processes do. Workers are forked, so they start with the parent's
context (its caches of shared partials included) without pickling it; only
email indexes go out and diagnostics come back. Where ``fork`` is not
available, or the batch is too small to repay starting processes, emails are
checked in this process. Either way the cyclic garbage collector is off while
they are (see ``collector``). Results keep the order of the emails.
"""

from __future__ import annotations

import ctypes
import gc
import multiprocessing
import os
import signal
import weakref
from typing import TYPE_CHECKING, Callable, Sequence, TypeVar

from campaignkit.collector import collector_paused
from campaignkit.workspace.model import Resource

if TYPE_CHECKING:
    from campaignkit.emails.context import EmailContext

T = TypeVar("T")
#: Linux's prctl option that sends a signal to a process when its parent dies.
_PR_SET_PDEATHSIG = 1
#: Below this many emails per process, starting the processes costs more than it saves.
MIN_EMAILS_PER_PROCESS = 25

_work: tuple[Callable[[EmailContext, Resource], object], EmailContext, Sequence[Resource]] | None = None


def usable_cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def map_emails(function: Callable[[EmailContext, Resource], T], context: EmailContext,
               emails: Sequence[Resource], jobs: int | None = None) -> list[T]:
    """``function(context, email)`` for every email, on up to ``jobs`` processes (default: every core)."""
    return start_emails(function, context, emails, jobs)()


def start_emails(function: Callable[[EmailContext, Resource], T], context: EmailContext,
                 emails: Sequence[Resource], jobs: int | None = None) -> Callable[[], list[T]]:
    """Starts ``map_emails`` on the worker processes and returns what waits for its results.

    The caller can do other work in the meantime (``validate`` runs its other checks).
    Where the emails are checked in this process, they are checked when the results are
    asked for. The results must be asked for once.
    """
    global _work
    jobs = min(jobs or usable_cores(), len(emails) // MIN_EMAILS_PER_PROCESS)
    if jobs < 2 or "fork" not in multiprocessing.get_all_start_methods():
        return lambda: _in_this_process(function, context, emails)
    _work = (function, context, emails)  # what the workers find when they are forked
    pool = multiprocessing.get_context("fork").Pool(jobs, initializer=worker_started)
    pending = pool.map_async(_run, range(len(emails)), chunksize=max(1, len(emails) // (jobs * 8)))

    def results() -> list[T]:
        global _work
        try:
            return pending.get()
        finally:
            pool.terminate()
            _work = None

    # Results never asked for (the caller failed, or Ctrl-C came first): stop the workers all the same.
    weakref.finalize(results, pool.terminate)
    return results


def _in_this_process(function: Callable[[EmailContext, Resource], T], context: EmailContext,
                     emails: Sequence[Resource]) -> list[T]:
    with collector_paused():
        return [function(context, email) for email in emails]


def worker_started() -> None:
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


def _run(index: int) -> object:
    assert _work is not None, "only called in a worker forked by start_emails"
    function, context, emails = _work
    return function(context, emails[index])
