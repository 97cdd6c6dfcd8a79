"""Times the impact of a change: the three-week nurture's qualify threshold, 100,000 prospects, 90 days.

Copies ``campaigns/`` into a temporary folder, lowers the nurture's score
threshold in the copy, and times ``review.impact.impact_of`` on the one
changed program (the simulation before and after the change, the same
population and seed), in this process, on this machine, the best of
``--repeat`` runs. Target: well under a second.

    python benchmarks/bench_impact.py [--prospects 100000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from campaignkit.plan import Action, Change  # noqa: E402
from campaignkit.plan.diff import field_changes  # noqa: E402
from campaignkit.review.impact import impact_of  # noqa: E402
from campaignkit.workspace.loading import load_workspace  # noqa: E402

EXAMPLES = Path(__file__).resolve().parent.parent / "campaigns"
PROGRAM = "program.2026-nurture-three-week-program"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--prospects", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / "campaigns"
        shutil.copytree(EXAMPLES, root, ignore=shutil.ignore_patterns(".campaignkit"))
        before = load_workspace(root)[0].resources[PROGRAM].attributes
        config = root / "campaignkit.yaml"
        config.write_text(config.read_text() + f"  impact: {{prospects: {args.prospects}, days: 90, seed: 1}}\n")
        nurture = root / "programs" / "three-week-nurture.yaml"
        nurture.write_text(nurture.read_text().replace("{score: {gte: 100}}", "{score: {gte: 30}}"))
        workspace = load_workspace(root)[0]
        after = workspace.resources[PROGRAM].attributes
        change = Change(PROGRAM, "program", PROGRAM.split(".", 1)[1], Action.UPDATE, before, after,
                        field_changes(before, after))
        times = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            impact = impact_of((change,), workspace)
            times.append(time.perf_counter() - start)
        assert impact is not None
        program = impact.programs[0].as_json()
        print(f"impact of {PROGRAM}: {args.prospects:,} prospects, 90 days, before and after: "
              f"best {min(times):.3f} s, worst {max(times):.3f} s of {args.repeat}; "
              f"handoff {program['before']['steps']['handoff']} -> {program['after']['steps']['handoff']}")


if __name__ == "__main__":
    main()
