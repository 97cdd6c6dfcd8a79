"""Times ``campaignkit validate`` on a generated 10,000-resource workspace.

Compares it with the bare time to parse the same YAML files with libyaml's C
loader, which is the floor any validator that reads the files must pay. The
first ``validate`` renders and checks every email (cold); the second reuses
the content-addressed cache in ``.campaignkit/cache`` (warm: a file was touched,
so the whole workspace is loaded and checked again, the emails from the cache),
as on a developer's machine or a CI job that keeps the cache between runs; the
third follows an edit of one email's template, which re-checks that email alone;
the last finds the workspace unchanged and answers from validate's memo in the
user's cache folder (``XDG_CACHE_HOME``, a temporary folder here).

    python benchmarks/bench_validate.py [--resources 10000] [--runs 3]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).parent))
from bytecode import compile_package  # noqa: E402
from generate import generate  # noqa: E402


def bare_parse(root: Path) -> float:
    start = time.perf_counter()
    for path in sorted(root.rglob("*.yaml")):
        list(yaml.load_all(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader))
    return time.perf_counter() - start


def timed_validate(root: Path, cache: Path) -> float:
    start = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "campaignkit", "validate"], cwd=root,
                            capture_output=True, text=True, env={**os.environ, "XDG_CACHE_HOME": str(cache)})
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"validate failed:\n{result.stdout[-2000:]}{result.stderr[-2000:]}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--resources", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    compile_package()
    folder = Path(tempfile.mkdtemp(prefix="ck-bench-validate-"))
    try:
        root = generate(folder / "ws", args.resources)
        files = len(list(root.rglob("*.yaml")))
        parse = min(bare_parse(root) for _ in range(args.runs))
        cache = folder / "cache"
        cold = []
        for _ in range(args.runs):
            shutil.rmtree(root / ".campaignkit", ignore_errors=True)
            shutil.rmtree(cache, ignore_errors=True)
            cold.append(timed_validate(root, cache))
        warm = []
        for run in range(args.runs):
            (root / "campaignkit.yaml").write_text((root / "campaignkit.yaml").read_text() + f"# run {run}\n")
            warm.append(timed_validate(root, cache))
        edited = []
        for run in range(args.runs):
            template = root / "templates" / f"email-{run}.mjml"
            template.write_text(template.read_text().replace("Paragraph 0", "First paragraph"), encoding="utf-8")
            edited.append(timed_validate(root, cache))
        unchanged = [timed_validate(root, cache) for _ in range(args.runs)]
        print(f"workspace: {args.resources:,} resources in {files} files")
        print(f"bare parse (C loader):        {parse:6.2f} s")
        print(f"validate, cold (all emails):  {min(cold):6.2f} s  ({min(cold) / parse:4.1f}x bare parse; "
              f"{args.runs} runs: {min(cold):.2f}-{max(cold):.2f} s)")
        print(f"validate, warm (cached):      {min(warm):6.2f} s  ({min(warm) / parse:4.1f}x bare parse)")
        print(f"validate, one template edited: {min(edited):5.2f} s  ({min(edited) / parse:4.1f}x bare parse)")
        print(f"validate, unchanged (memo):   {min(unchanged):6.2f} s  ({args.runs} runs: "
              f"{min(unchanged):.2f}-{max(unchanged):.2f} s)")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
