"""Fault injection for apply: real ``campaignkit apply`` processes broken at random points, and what is left.

Each trial copies a generated workspace of lists, starts ``campaignkit apply --auto-approve``
on the local target and injects one fault, the kinds taken in turn:

- SIGKILL, SIGTERM or SIGINT once the apply has reported N creates;
- a full disk: writes past a file size fail (RLIMIT_FSIZE, with SIGXFSZ ignored, so EFBIG);
- the state made read-only after N creates (the immutable flag for root, which ignores modes);
- the target refusing every create after N creates (a trigger in the local target's database,
  as a platform's quota would).

N and the file size are drawn from a generator seeded with ``--seed``, so a run can be repeated.
After each fault, the checks that make up a trial:

- the apply ended as it should: no traceback, never click's bare "Aborted!"; exit 1 comes with
  the report of what was applied and what was not, or with a one-line error before anything was;
- nothing lost or duplicated on the target: every object state records is there under the id
  recorded, names are unique, and at most one object there is not yet recorded: a create in
  flight, which state marks pending;
- no lock left behind: the next ``plan`` runs, and shows exactly what state does not hold yet;
- a clean apply finishes, the plan after it is empty, the target holds each object once, and no
  history entry is left "running".

    python benchmarks/fault_apply.py [--trials 100] [--seed 19] [--lists 150]

It prints every failed check and then the count of trials and of failed trials; the exit status
is 1 when a trial failed. tests/test_apply_faults.py runs a few of these trials in the suite.
"""

from __future__ import annotations

import argparse
import math
import os
import random
import resource
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.generate import generate  # noqa: E402
from campaignkit.state import open_url  # noqa: E402
from campaignkit.workspace.loading import load_workspace  # noqa: E402

FAULTS = ("SIGKILL", "SIGTERM", "SIGINT", "disk full", "state read-only", "target refuses")
_SIGNALS = {"SIGKILL": signal.SIGKILL, "SIGTERM": signal.SIGTERM, "SIGINT": signal.SIGINT}
#: The file size limits drawn for a full disk, in bytes: from too small to open the state to enough for
#: some hundred changes.
_SIZES = (30_000, 6_000_000)
_STATE = Path(".campaignkit/sandbox.db")
_TARGET = Path(".campaignkit/sandbox.target.db")
_QUOTA = ("CREATE TRIGGER IF NOT EXISTS quota BEFORE INSERT ON ck_objects "
          "BEGIN SELECT RAISE(ABORT, 'quota reached: no more objects'); END")
_TIMEOUT_S = 300


@dataclass(frozen=True)
class Trial:
    number: int
    fault: str
    #: Creates the apply reports before the fault (every fault but a full disk).
    after: int
    #: The largest file the apply may write (a full disk).
    file_size: int

    def __str__(self) -> str:
        when = f"at {self.file_size:,} bytes" if self.fault == "disk full" else f"after {self.after} creates"
        return f"trial {self.number} ({self.fault} {when})"


def draw_trials(count: int, seed: int, objects: int) -> list[Trial]:
    """``count`` trials, the faults in turn; a signal comes within the first half of an apply of ``objects``."""
    rng = random.Random(seed)
    low, high = map(math.log, _SIZES)
    return [Trial(number, FAULTS[number % len(FAULTS)], rng.randint(1, objects // 2),
                  int(math.exp(rng.uniform(low, high)))) for number in range(count)]


def make_workspace(root: Path, lists: int) -> int:
    """Writes a generated workspace of ``lists`` lists at ``root``; returns how many objects applying it creates
    (the lists, and the fields and settings every generated workspace has)."""
    generate(root, lists, {"list": 1.0})
    workspace, _ = load_workspace(root)
    return len(workspace.resources)


def run_trial(trial: Trial, template: Path, objects: int, work: Path) -> list[str]:
    """Runs ``trial`` on a copy of the workspace at ``template`` (of ``objects`` objects); returns what failed."""
    root = work / f"trial-{trial.number}"
    shutil.copytree(template, root)
    try:
        code, out, err = _faulted_apply(trial, root)
        problems = _apply_ended_well(trial, code, out, err)
        problems += _nothing_lost_or_doubled(root)
        problems += _plan_shows_what_is_left(root, objects)
        problems += _clean_apply_finishes(root, objects)
        return problems
    finally:
        _set_read_only(root, False)
        shutil.rmtree(root, ignore_errors=True)


def _faulted_apply(trial: Trial, root: Path) -> tuple[int, str, str]:
    """The apply's exit status, stdout and stderr, with the trial's fault injected."""
    limit = _file_size_limit(trial.file_size) if trial.fault == "disk full" else None
    process = subprocess.Popen([sys.executable, "-m", "campaignkit", "apply", "--auto-approve"], cwd=root,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, preexec_fn=limit,
                               env={**os.environ, "PYTHONUNBUFFERED": "1"})  # each line as it is written
    read = ""
    if trial.fault != "disk full":
        read, reached = _read_creates(process, trial.after)
        if reached:
            _inject(trial.fault, process, root)
    out, err = process.communicate(timeout=_TIMEOUT_S)
    _set_read_only(root, False)
    _lift_quota(root)
    return process.returncode, read + out, err


def _file_size_limit(size: int) -> Callable[[], None]:
    def limit() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails (EFBIG), as on a full disk
        resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))
    return limit


def _read_creates(process: subprocess.Popen[str], count: int) -> tuple[str, bool]:
    """Reads the apply's lines until it has reported ``count`` creates; whether it did before ending."""
    assert process.stdout is not None
    lines: list[str] = []
    created = 0
    for line in process.stdout:
        lines.append(line)
        created += line.rstrip().endswith(": created")
        if created == count:
            return "".join(lines), True
    return "".join(lines), False


def _inject(fault: str, process: subprocess.Popen[str], root: Path) -> None:
    if fault in _SIGNALS:
        process.send_signal(_SIGNALS[fault])
    elif fault == "state read-only":
        _set_read_only(root, True)
    else:
        with sqlite3.connect(root / _TARGET, timeout=60) as db:
            db.execute(_QUOTA)


def _set_read_only(root: Path, read_only: bool) -> None:
    """The state file and its write-ahead log made read-only, or writable again.

    Root ignores file modes, so it also gets the immutable flag, which fails even writes to files
    already open; without root, the mode holds only for files opened afterwards.
    """
    paths = [p for p in (root / _STATE, root / f"{_STATE}-wal") if p.exists()]
    if not paths:
        return
    immutable = os.geteuid() == 0 and shutil.which("chattr")
    if immutable and not read_only:
        subprocess.run(["chattr", "-i", *map(str, paths)], capture_output=True)
    for path in paths:
        path.chmod(0o444 if read_only else 0o644)
    if immutable and read_only:
        subprocess.run(["chattr", "+i", *map(str, paths)], capture_output=True)


def _lift_quota(root: Path) -> None:
    if (root / _TARGET).exists():
        with sqlite3.connect(root / _TARGET, timeout=60) as db:
            db.execute("DROP TRIGGER IF EXISTS quota")


def _apply_ended_well(trial: Trial, code: int, out: str, err: str) -> list[str]:
    """How the faulted apply ended: exit status, report and error line as a user would read them."""
    problems = []
    if "Traceback" in err:
        problems.append(f"the apply ended with a traceback: {err.strip().splitlines()[-1]}")
    if "Aborted!" in err:
        problems.append("the apply printed click's bare 'Aborted!'")
    allowed = (0, -signal.SIGKILL) if trial.fault == "SIGKILL" else (0, 1)
    if code not in allowed:
        problems.append(f"the apply exited with {code}")
    if code == 0 and "Apply complete!" not in out:
        problems.append("the apply exited 0 without 'Apply complete!'")
    if code != 1:
        return problems
    reported = "Apply interrupted:" in out or "Apply failed:" in out
    if trial.fault in ("SIGTERM", "SIGINT") and "Apply interrupted:" not in out:
        problems.append(f"{trial.fault} did not print the interrupted apply's report")
    if ": created" in out and not reported:
        problems.append("objects were created but no report says what was applied and what was not")
    last = err.strip().splitlines()[-1] if err.strip() else ""
    if trial.fault in ("disk full", "state read-only") and not last.startswith("Error: "):
        problems.append(f"the failed apply did not end with a one-line error: {last!r}")
    return problems


def _nothing_lost_or_doubled(root: Path) -> list[str]:
    """What state records and what the target holds agree, but for one create in flight marked pending."""
    held = _target_objects(root)
    with open_url(f"sqlite:{_STATE}", root, "bench/sandbox") as store:
        state = store.read()
    problems = []
    names = [address for address, _ in held]
    if len(names) != len(set(names)):
        problems.append(f"the target holds {len(names) - len(set(names))} object(s) twice")
    ids = dict(held)
    lost = sorted(a for a, e in state.entries.items() if ids.get(a) != e.target_id)
    if lost:
        problems.append(f"state records {len(lost)} object(s) the target does not hold under that id: {lost[:3]}")
    unrecorded = set(ids) - set(state.entries)
    if len(unrecorded) > 1 or not unrecorded <= state.pending:
        problems.append(f"the target holds {len(unrecorded)} object(s) state neither records nor marks pending")
    return problems


def _target_objects(root: Path) -> list[tuple[str, str]]:
    """(address, id) of every object on the local target."""
    if not (root / _TARGET).exists():
        return []
    with sqlite3.connect(f"{(root / _TARGET).as_uri()}?mode=ro", uri=True) as db:
        return [(f"{kind}.{name}", str(object_id)) for kind, name, object_id in
                db.execute("SELECT kind, name, id FROM ck_objects")]


def _plan_shows_what_is_left(root: Path, objects: int) -> list[str]:
    with open_url(f"sqlite:{_STATE}", root, "bench/sandbox") as store:
        left = objects - len(store.read().entries)
    code, out, err = _campaignkit(root, "plan", "--detailed-exitcode")
    expected = f"Plan: {left} to add, 0 to change, 0 to destroy." if left else "No changes."
    if code != (2 if left else 0) or not out.startswith(expected):
        first = out.splitlines()[0] if out else ""
        return [f"the next plan exited {code} with {first!r} {err.strip()[-300:]!r}; expected {expected!r}"]
    return []


def _clean_apply_finishes(root: Path, objects: int) -> list[str]:
    code, out, err = _campaignkit(root, "apply", "--auto-approve")
    if code != 0:
        return [f"the clean apply exited {code}: {err.strip()[-300:]!r}"]
    problems = []
    code, out, err = _campaignkit(root, "plan", "--detailed-exitcode")
    if code != 0:
        problems.append(f"the plan after the clean apply exited {code}: {out.splitlines()[:1]}")
    names = [address for address, _ in _target_objects(root)]
    if len(names) != objects or len(set(names)) != objects:
        problems.append(f"the target holds {len(names)} objects ({len(set(names))} names), not {objects}")
    with open_url(f"sqlite:{_STATE}", root, "bench/sandbox") as store:
        results = [row.result for row in store.history()]
    if "running" in results:
        problems.append(f"history rows left running: {results}")
    return problems


def _campaignkit(root: Path, *args: str) -> tuple[int, str, str]:
    done = subprocess.run([sys.executable, "-m", "campaignkit", *args], cwd=root, capture_output=True, text=True,
                          timeout=_TIMEOUT_S)
    return done.returncode, done.stdout, done.stderr


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--trials", type=int, default=100)
    parser.add_argument("--seed", type=int, default=19)
    parser.add_argument("--lists", type=int, default=150, help="lists in the generated workspace")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ck-faults-") as folder:
        work = Path(folder)
        objects = make_workspace(work / "template", args.lists)
        failed = 0
        for trial in draw_trials(args.trials, args.seed, objects):
            problems = run_trial(trial, work / "template", objects, work)
            failed += bool(problems)
            for problem in problems:
                print(f"{trial}: {problem}", flush=True)
    print(f"trials: {args.trials}, failures: {failed}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
