"""Applying a plan: its changes sent to the target, each recorded in state as it completes.

Every change is committed to state in its own transaction the moment the
target confirms it, so an apply that fails or is killed half-way loses
nothing and the next plan shows only what is left. A create is first marked
pending; if the process dies between the target's answer and the state write,
the next apply finds the object by name instead of creating it twice. An
email's check findings are recorded with it, for the next plan to say which
checks changed.

Changes run in dependency order, up to ``parallelism`` at a time where the
target allows it: worker threads only call the target, the calling thread
alone writes state. A failed change stops the changes that wait for it; they
are reported as not tried. Manual changes are recorded, not sent: the report
carries the target's instructions for a person. The caller holds the lock.

Once begun, an apply always ends with a report of what was applied and what
was not. A request to stop (``stop``, which the command line sets on Ctrl-C
or SIGTERM, or a ``KeyboardInterrupt``) lets the changes under way finish and
be recorded and starts no more; a second ``KeyboardInterrupt`` stops at once,
a create under way staying marked pending. A state that can no longer be
written (a full disk, a read-only file) stops it the same way, with its error.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from enum import Enum
from graphlib import TopologicalSorter

from campaignkit.plan import Action, Change, Plan
from campaignkit.plan.changes import count_changes
from campaignkit.plan.new_state import remember_state
from campaignkit.plan.references import follow_renames
from campaignkit.plan.refresh import record_drift
from campaignkit.state import StateEntry, StateStore, StateUnavailable, history_entry
from campaignkit.targets import ObjectNotFound, RemoteObject, Target, TargetError


class Status(str, Enum):
    APPLIED = "applied"
    FAILED = "failed"
    NOT_TRIED = "not tried"


@dataclass(frozen=True)
class Outcome:
    change: Change
    status: Status
    error: str = ""


@dataclass(frozen=True)
class ApplyReport:
    outcomes: tuple[Outcome, ...]
    interrupted: bool = False
    #: Why the apply as a whole stopped: state could not be written. Empty when it did not.
    error: str = ""

    def of(self, status: Status) -> list[Outcome]:
        return [o for o in self.outcomes if o.status is status]

    @property
    def ok(self) -> bool:
        return not self.interrupted and not self.error and all(o.status is Status.APPLIED for o in self.outcomes)

    @property
    def result(self) -> str:
        """The result its history row records."""
        return "success" if self.ok else "interrupted" if self.interrupted else "failed"

    @property
    def manual(self) -> list[Outcome]:
        """Applied changes whose (manual) part a person must now do."""
        return [o for o in self.of(Status.APPLIED) if o.change.needs_person]

    @property
    def summary(self) -> str:
        """Counted as the plan counts (``count_changes``)."""
        applied = [o.change for o in self.of(Status.APPLIED)]
        counts = (f"{count_changes(applied, Action.CREATE, Action.REPLACE)} added, "
                  f"{count_changes(applied, Action.UPDATE)} changed, "
                  f"{count_changes(applied, Action.DELETE, Action.REPLACE)} destroyed")
        manual = len(self.manual)
        by_hand = f" {manual} manual (recorded; to do by hand)." if manual else ""
        if self.ok:
            return f"Apply complete! Resources: {counts}.{by_hand}"
        failed, skipped = len(self.of(Status.FAILED)), len(self.of(Status.NOT_TRIED))
        how = "interrupted" if self.interrupted else "failed"
        return f"Apply {how}: {counts}; {failed} failed, {skipped} not tried.{by_hand}"


OnOutcome = Callable[[Outcome], None]


def apply_plan(plan: Plan, store: StateStore, target: Target, *, parallelism: int = 10,
               on_outcome: OnOutcome | None = None, stop: threading.Event | None = None, who: str = "",
               git_commit: str = "", plan_digest: str = "") -> ApplyReport:
    """Applies ``plan``; the caller holds the lock and has checked the plan fits the state.

    A target that cannot be reached raises before anything is recorded; after
    that, the report says how the apply ended, however it ended.
    """
    if not plan.needs_apply:
        return ApplyReport(())
    target.check()  # a target that cannot be reached stops here, before a manual change is recorded as done
    runner = _Runner(plan, store, target, on_outcome or (lambda outcome: None), stop or threading.Event())
    try:
        state = store.read()
        store.begin(plan.lineage)
        remember_state(target, store, plan.lineage)
        with history_entry(store, "apply", who, git_commit, plan_digest) as ending:
            record_drift(plan.drift, state, store)
            runner.run(state.pending, max(1, min(parallelism, target.max_parallelism)))
            follow_renames(store, target, runner.renames())
            report = runner.report()
            ending.result, ending.summary = report.result, report.summary
    except StateUnavailable as exc:
        runner.fail(str(exc))
    except KeyboardInterrupt:
        runner.interrupted = True
    return runner.report()


class _Runner:
    """Runs a plan's changes in dependency order and records each result."""

    def __init__(self, plan: Plan, store: StateStore, target: Target, on_outcome: OnOutcome,
                 stop: threading.Event) -> None:
        self.plan = plan
        self.changes = {c.address: c for c in plan.changes}
        self.store = store
        self.target = target
        self.on_outcome = on_outcome
        self.stop = stop
        self.outcomes: dict[str, Outcome] = {}
        self.interrupted = False
        self.error = ""

    @property
    def stopping(self) -> bool:
        return self.interrupted or bool(self.error) or self.stop.is_set()

    def fail(self, error: str) -> None:
        """Stops the apply: state cannot be written. The first error is the one reported."""
        self.error = self.error or error

    def run(self, pending: frozenset[str], workers: int) -> None:
        """Runs the changes until all are done or the apply stops; ``pending`` are creates an earlier apply began."""
        pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="apply")
        try:
            self._drive(pool, workers, pending)
        except KeyboardInterrupt:
            self.interrupted = True  # asked twice: the changes under way are left, a create marked pending
        finally:
            pool.shutdown(wait=False, cancel_futures=True)

    def _drive(self, pool: ThreadPoolExecutor, workers: int, pending: frozenset[str]) -> None:
        sorter = TopologicalSorter({a: {w for w in c.wait_for if w in self.changes} for a, c in self.changes.items()})
        sorter.prepare()
        ready: deque[str] = deque()
        running: dict[Future[RemoteObject | None], str] = {}
        while True:
            try:
                if not self.stopping:
                    ready.extend(sorted(sorter.get_ready()))
                    while ready and len(running) < workers and not self.stopping:
                        address = ready.popleft()
                        future = self._start(pool, self.changes[address], address in pending)
                        if future is not None:
                            running[future] = address
                if not running:
                    return
                done, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in done:
                    address = running.pop(future)
                    if self._finish(self.changes[address], future):
                        sorter.done(address)
            except KeyboardInterrupt:
                if self.stopping:
                    raise
                self.interrupted = True  # let the changes under way finish and be recorded; start no more

    def _start(self, pool: ThreadPoolExecutor, change: Change, was_pending: bool) -> Future[RemoteObject | None] | None:
        """Sends ``change`` to a worker; ``None`` when state cannot record that its create began."""
        creates = change.action in (Action.CREATE, Action.REPLACE) and not change.manual
        if creates:
            try:
                self.store.mark_pending([change.address])
            except StateUnavailable as exc:
                self.fail(str(exc))
                return None
        return pool.submit(_execute, change, self.target, creates and was_pending)

    def _finish(self, change: Change, future: Future[RemoteObject | None]) -> bool:
        try:
            remote = future.result()
        except TargetError as exc:
            self._tell(Outcome(change, Status.FAILED, str(exc)))
            return False
        try:
            self.store.commit(*_state_write(change, remote))
        except StateUnavailable as exc:
            self.fail(str(exc))
            self._tell(Outcome(change, Status.FAILED, f"done on the target, but state could not record it ({exc})"))
            return False
        self._tell(Outcome(change, Status.APPLIED))
        return True

    def _tell(self, outcome: Outcome) -> None:
        self.outcomes[outcome.change.address] = outcome
        self.on_outcome(outcome)

    def renames(self) -> dict[str, str]:
        """Old address -> new, of every rename applied."""
        return {o.change.previous_address: a for a, o in self.outcomes.items()
                if o.status is Status.APPLIED and o.change.previous_address}

    def report(self) -> ApplyReport:
        """What happened to each change so far; interrupted only if a stop left some change untried."""
        outcomes = tuple(self.outcomes.get(c.address) or Outcome(c, Status.NOT_TRIED) for c in self.plan.changes)
        stopped = (self.interrupted or self.stop.is_set()) and any(o.status is Status.NOT_TRIED for o in outcomes)
        return ApplyReport(outcomes, stopped, self.error)


def _execute(change: Change, target: Target, recover: bool) -> RemoteObject | None:
    """Makes ``change`` on the target (in a worker thread): only target calls, never state."""
    if change.manual:
        return None
    if change.action is Action.DELETE:
        _delete(target, change)
        return None
    if change.action is Action.REPLACE:
        _delete(target, change)
        return _create(target, change, recover)
    if change.action is Action.CREATE:
        return _create(target, change, recover)
    fields = change.sent_fields
    if not fields:
        return None  # only state records this change (a lifecycle flag)
    return target.update(change.kind, change.target_id, change.name, change.after or {}, fields, change.content)



def _create(target: Target, change: Change, recover: bool) -> RemoteObject:
    """Creates the object, or, after an interrupted apply, adopts the one it already made."""
    after = change.after or {}
    if recover:
        existing = target.find_by_name(change.kind, change.name)
        if existing is not None:
            if existing.attributes == after:
                return existing
            return target.update(change.kind, existing.id, change.name, after,
                                 frozenset(after) | frozenset(existing.attributes), change.content)
    return target.create(change.kind, change.name, after, change.content)


def _delete(target: Target, change: Change) -> None:
    try:
        target.delete(change.kind, change.target_id)
    except ObjectNotFound:
        pass  # already gone (deleted in the UI, or by an interrupted apply): the goal is reached


def _state_write(change: Change, remote: RemoteObject | None) -> tuple[list[StateEntry], list[str]]:
    """What state records for a completed change: (entries to write, addresses to remove)."""
    removes = [change.previous_address] if change.previous_address else []
    if change.action is Action.DELETE:
        return [], [change.address]
    target_id = remote.id if remote is not None else change.target_id
    entry = StateEntry(change.address, change.kind, change.name, target_id, change.after or {}, change.hash,
                       change.depends_on, change.protected, change.checks)
    return [entry], removes
