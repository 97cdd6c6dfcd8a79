"""Benchmarks adopt: a business unit of 10,000 objects written as files and managed, as a user would run it.

A generated workspace of 10,000 resources is applied to the local target; then a
workspace holding only its ``campaignkit.yaml`` and that target (no files, no
state) adopts everything. Timed: the adopt (reading the target, writing the
files, recording state) and the plan after it, which must show no changes
(validate, where every adopted email is rendered, then plan). Counted: the
target's calls, by operation: what a platform's API would be asked.

    python benchmarks/bench_adopt.py [--resources 10000] [--out DIR]
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from bench_plan_apply import apply, plan_once
from generate import generate

from campaignkit.plan.adopting import adopt
from campaignkit.state import open_store
from campaignkit.targets import open_target
from campaignkit.workspace.loading import load_workspace


class Counting:
    """A target that counts the calls made to it, by operation."""

    def __init__(self, target: Any) -> None:
        self._target = target
        self.calls: Counter[str] = Counter()

    def __getattr__(self, name: str) -> Any:
        found = getattr(self._target, name)
        if name in ("check", "list", "read", "programs") and callable(found):
            def counted(*args: Any, **kwargs: Any) -> Any:
                self.calls[name] += 1
                return found(*args, **kwargs)
            return counted
        return found


def bench(out: Path, resources: int) -> dict[str, Any]:
    results: dict[str, Any] = {}
    applied = generate(out / "applied", resources)
    apply(applied, plan_once(applied, {}, "first "), {}, "apply")
    root = out / "adopting"
    (root / ".campaignkit").mkdir(parents=True)
    shutil.copy(applied / "campaignkit.yaml", root)
    shutil.copy(applied / ".campaignkit" / "sandbox.target.db", root / ".campaignkit")
    workspace, _ = load_workspace(root)
    environment = workspace.config.environment(None)
    with open_store(environment, root, workspace.config.workspace) as store:
        target = Counting(open_target(environment, workspace))
        started = time.perf_counter()
        with store.lock("adopt"):
            adoption = adopt(workspace, environment, store, target, out=root / "adopted")  # type: ignore[arg-type]
        results["adopt"] = time.perf_counter() - started
        target.close()
    results["objects"] = len(adoption.objects)
    results["files"] = len(adoption.files)
    results["calls"] = dict(target.calls)
    timings: dict[str, float] = {}
    plan = plan_once(root, timings, "")
    assert not plan.has_changes, plan.summary
    results.update(timings)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--resources", type=int, default=10_000)
    parser.add_argument("--out", type=Path, help="Keep the generated workspaces here (default: a temporary folder).")
    args = parser.parse_args()
    out = args.out or Path(tempfile.mkdtemp(prefix="ck-bench-"))
    try:
        found = bench(out, args.resources)
        calls = found.pop("calls")
        print(f"adopt: {found.pop('objects'):,} objects into {found.pop('files'):,} files")
        for label, seconds in found.items():
            print(f"  {label:<40} {seconds:6.2f} s")
        print(f"  target calls: {sum(calls.values()):,} ({', '.join(f'{k} {v:,}' for k, v in sorted(calls.items()))})")
        print("  => the plan after adopt shows no changes")
    finally:
        if args.out is None:
            shutil.rmtree(out, ignore_errors=True)


if __name__ == "__main__":
    main()
