"""Benchmarks plan and apply against the local target, as a user would run them.

1. plan: a generated workspace of 10,000 resources is applied, 100 of them are
   changed, and the plan is timed as ``campaignkit plan`` runs it: load and
   validate the files, read state, refresh from the target, diff (the median
   of three runs, with the email caches warm as in a working copy). Target: 3 s.
2. apply: 1,000 creates to an empty local target, each recorded in state as
   it completes. Target: 5 s.

    python benchmarks/bench_plan_apply.py [--resources 10000] [--creates 1000] [--out DIR]
"""

from __future__ import annotations

import argparse
import re
import shutil
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from generate import generate

from campaignkit.plan.apply import apply_plan
from campaignkit.checks import check_workspace
from campaignkit.diagnostics import has_errors
from campaignkit.plan import Plan, plan_workspace
from campaignkit.state import open_store
from campaignkit.targets import merge_language, open_target

CHANGED = 100
#: The changed plan is timed this many times; the median run is reported (the machine is shared).
RUNS = 3


@contextmanager
def timer(label: str, results: dict[str, float]) -> Iterator[None]:
    started = time.perf_counter()
    yield
    results[label] = time.perf_counter() - started


def plan_once(root: Path, results: dict[str, float], prefix: str) -> Plan:
    """What ``campaignkit plan`` does, each step timed."""
    with timer(f"{prefix}load + validate", results):
        workspace, diagnostics = check_workspace(root, merge_language)
    assert not has_errors(diagnostics), [d.message for d in diagnostics if d.is_error][:5]
    environment = workspace.config.environment(None)
    with open_store(environment, root, workspace.config.workspace) as store:
        target = open_target(environment, workspace)
        try:
            with timer(f"{prefix}plan (state, refresh, diff)", results), store.lock("plan"):
                return plan_workspace(workspace, environment, store.read(), target)
        finally:
            target.close()


def apply(root: Path, plan: Plan, results: dict[str, float], label: str) -> None:
    workspace, _ = check_workspace(root, merge_language)
    environment = workspace.config.environment(None)
    with open_store(environment, root, workspace.config.workspace) as store:
        target = open_target(environment, workspace)
        try:
            with timer(label, results), store.lock("apply"):
                report = apply_plan(plan, store, target)
        finally:
            target.close()
    assert report.ok, report.summary


def change_lists(root: Path, count: int) -> None:
    """Edits the title of ``count`` lists, as a day of work might."""
    changed = 0
    for path in sorted((root / "lists").glob("*.yaml")):
        text, n = re.subn(r"^title: List (\d+)$", r"title: List \1 (renamed)", path.read_text(),
                          count=count - changed, flags=re.MULTILINE)
        path.write_text(text)
        changed += n
        if changed == count:
            return


def bench_plan(out: Path, resources: int) -> dict[str, float]:
    results: dict[str, float] = {}
    root = generate(out / "plan", resources)
    first = plan_once(root, results, "first ")
    apply(root, first, results, f"initial apply of {len(first.changes):,} creates")
    plan_once(root, results, "cached ")  # validate's email cache is warm from here on, as on a working copy
    change_lists(root, CHANGED)
    runs = []
    for _ in range(RUNS):
        run: dict[str, float] = {}
        plan = plan_once(root, run, "")
        assert len(plan.changes) == CHANGED and all(c.action.value == "update" for c in plan.changes), plan.summary
        run["plan total"] = sum(run.values())
        runs.append(run)
    results.update(sorted(runs, key=lambda r: r["plan total"])[RUNS // 2])  # the median run
    results["resources"] = len(first.changes)
    return results


def bench_apply(out: Path, resources: int) -> dict[str, float]:
    results: dict[str, float] = {}
    root = generate(out / "apply", resources)
    plan = plan_once(root, results, "")
    apply(root, plan, results, "apply")
    results["creates"] = len(plan.changes)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--resources", type=int, default=10_000)
    parser.add_argument("--creates", type=int, default=1_000)
    parser.add_argument("--out", type=Path, help="Keep the generated workspaces here (default: a temporary folder).")
    args = parser.parse_args()
    out = args.out or Path(tempfile.mkdtemp(prefix="ck-bench-"))
    try:
        planned = bench_plan(out, args.resources)
        print(f"plan: {planned.pop('resources'):,.0f} resources, {CHANGED} changed")
        for label, seconds in planned.items():
            print(f"  {label:<40} {seconds:6.2f} s")
        verdict = "ok" if planned["plan total"] < 3 else "over the 3 s target"
        print(f"  => plan {planned['plan total']:.2f} s ({verdict})")
        applied = bench_apply(out, args.creates)
        print(f"apply: {applied.pop('creates'):,.0f} creates to the local target")
        print(f"  {'plan':<40} {applied['plan (state, refresh, diff)']:6.2f} s")
        verdict = "ok" if applied["apply"] < 5 else "over the 5 s target"
        print(f"  => apply {applied['apply']:.2f} s ({verdict})")
    finally:
        if args.out is None:
            shutil.rmtree(out, ignore_errors=True)


if __name__ == "__main__":
    main()
