"""Runs mutated copies of the example workspace through ``validate``, ``test``, ``render`` and ``plan``.

Each trial copies ``campaigns/``, applies one seeded mutation to one of its files (a
byte flipped, a file cut short, a YAML tag on the wrong node, an anchor and alias,
a byte-order mark, CR-only line ends, NUL, tabs, a huge number, deep nesting, a
template that loops or grows) and runs the commands as a user would, each in a
process of its own with a bound on its time and memory. A trial fails when a
command exits other than 0 or 1, prints a traceback, prints a JSON report that
does not parse, or runs past its bounds. A failing trial's mutated file is kept in
``--corpus`` (``DIR/SEED-TRIAL/`` holds it at its path in the workspace), so that it can be
replayed as a regression case: ``tests/fuzz_corpus/`` holds one for each failure found so far,
and the suite replays them all (``replay``).

    python -m benchmarks.fuzz [--trials 5000] [--seed 1] [--corpus DIR]
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

EXAMPLE = Path(__file__).resolve().parent.parent / "campaigns"
#: Each command a trial runs, and whether it prints JSON.
COMMANDS: tuple[tuple[tuple[str, ...], bool], ...] = (
    (("validate", "--format", "json"), True),
    (("validate",), False),
    (("test",), False),
    (("render", "2026-event-acme-conf-welcome-email", "--out", ".campaignkit/render"), False),
    (("plan", "--format", "json"), True),
)
SECONDS = 120
MEMORY_BYTES = 2 * 1024**3


def _flip(rng: random.Random, data: bytes) -> bytes:
    at = rng.randrange(len(data)) if data else 0
    return data[:at] + bytes([rng.randrange(256)]) + data[at + 1:]


def _cut(rng: random.Random, data: bytes) -> bytes:
    return data[:rng.randrange(len(data) + 1)]


def _insert(text: bytes) -> Callable[[random.Random, bytes], bytes]:
    def insert(rng: random.Random, data: bytes) -> bytes:
        lines = data.split(b"\n")
        at = rng.randrange(len(lines) + 1)
        return b"\n".join([*lines[:at], text, *lines[at:]])
    return insert


def _value(text: bytes) -> Callable[[random.Random, bytes], bytes]:
    """Replaces a value after a key's colon with ``text``."""
    def replace(rng: random.Random, data: bytes) -> bytes:
        lines = data.split(b"\n")
        keyed = [n for n, line in enumerate(lines) if b": " in line and not line.lstrip().startswith(b"#")]
        if not keyed:
            return data + b"\n" + text
        n = rng.choice(keyed)
        lines[n] = lines[n].split(b": ", 1)[0] + b": " + text
        return b"\n".join(lines)
    return replace


MUTATIONS: dict[str, Callable[[random.Random, bytes], bytes]] = {
    "flip": _flip,
    "cut": _cut,
    "bom": lambda rng, data: b"\xef\xbb\xbf" + data,
    "cr": lambda rng, data: data.replace(b"\n", b"\r"),
    "nul": _insert(b"\x00"),
    "tab": lambda rng, data: data.replace(b"  ", b"\t", 3),
    "tag-seq": _value(b"!!seq {a: 1}"),
    "tag-map": _value(b"!!map [1]"),
    "tag-int": _value(b"!!int abc"),
    "tag-float": _value(b"!!float x"),
    "huge-int": _value(b"9" * 5000),
    "anchor": _value(b"&a [*a]"),
    "aliases": _insert(b"bomb: &b [&a [x, x, x, x, x, x, x, x], *a, *a, *a, *a, *a, *a, *a, *a]\nmore: [*b, *b, *b, *b]"),
    "deep": _value(b"[" * 3000 + b"]" * 3000),
    "time": _value(b"09:30"),
    "jinja-width": _insert(b"{{ 'a'|center(3000000000) }}"),
    "jinja-loop": _insert(b"{% for i in range(100000) %}{% for j in range(100000) %}x{% endfor %}{% endfor %}"),
    "jinja-object": _insert(b"{{ '%s'|format(cycler) }}"),
    "jinja-nest": _insert(b"{% if x %}" * 300 + b"{% endif %}" * 300),
}


@dataclass(frozen=True)
class Failure:
    trial: int
    mutation: str
    file: str
    command: str
    why: str


def mutable_files(root: Path) -> list[Path]:
    """The files of a workspace a trial may mutate: its YAML and templates."""
    return sorted(p for p in root.rglob("*") if p.is_file() and p.suffix in (".yaml", ".mjml", ".txt", ".html"))


def _limits() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_BYTES, MEMORY_BYTES))


def run_command(root: Path, command: tuple[str, ...], json_output: bool) -> str | None:
    """Why ``command`` failed on ``root`` as a fuzz trial counts failure; None if it did not."""
    try:
        result = subprocess.run([sys.executable, "-m", "campaignkit", *command], cwd=root, capture_output=True,
                                text=True, errors="replace", timeout=SECONDS, preexec_fn=_limits)
    except subprocess.TimeoutExpired:
        return f"ran past {SECONDS} s"
    if result.returncode not in (0, 1):
        return f"exit status {result.returncode}"
    if "Traceback (most recent call last)" in result.stdout + result.stderr:
        return "printed a traceback"
    if json_output and result.returncode == 0 or json_output and result.stdout.strip().startswith("{"):
        try:
            json.loads(result.stdout)
        except ValueError:
            return "printed JSON that does not parse"
    return None


def trial(number: int, seed: int, work: Path) -> list[Failure]:
    """One mutated copy of the example through every command."""
    rng = random.Random(f"{seed}-{number}")
    root = work / f"trial-{number}"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns(".campaignkit"))
    target = rng.choice(mutable_files(root))
    name = rng.choice(sorted(MUTATIONS))
    target.write_bytes(MUTATIONS[name](rng, target.read_bytes()))
    failures = []
    for command, json_output in COMMANDS:
        why = run_command(root, command, json_output)
        if why is not None:
            failures.append(Failure(number, name, target.relative_to(root).as_posix(), " ".join(command), why))
    return failures


def replay(case: Path, root: Path) -> Path:
    """A copy of the example at ``root`` with the files of the corpus ``case`` in place of its own."""
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns(".campaignkit"))
    shutil.copytree(case, root, dirs_exist_ok=True)
    return root


def fuzz(trials: int, seed: int, corpus: Path | None = None) -> list[Failure]:
    failures: list[Failure] = []
    with tempfile.TemporaryDirectory(prefix="ck-fuzz-") as folder:
        work = Path(folder)
        for number in range(trials):
            found = trial(number, seed, work)
            if found and corpus is not None:
                mutated = found[0].file
                kept = corpus / f"{seed}-{number}" / mutated
                kept.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(work / f"trial-{number}" / mutated, kept)
            failures.extend(found)
            shutil.rmtree(work / f"trial-{number}", ignore_errors=True)
    return failures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--corpus", type=Path, default=None, help="keep each failing trial's workspace here")
    args = parser.parse_args()
    failures = fuzz(args.trials, args.seed, args.corpus)
    for failure in failures:
        print(f"trial {failure.trial}: {failure.mutation} of {failure.file}: {failure.command}: {failure.why}")
    print(f"{args.trials} trials, {len({f.trial for f in failures})} failed")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
