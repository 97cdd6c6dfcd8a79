"""Peak memory and time of ``validate`` and ``render`` on one-line template attacks.

Each attack is written into the shared footer of a copy of the example workspace (every email
includes it), and each command runs in a process of its own; its peak resident memory is the
largest of it and the processes it started and waited for (``os.wait4``'s ``ru_maxrss``, as
``resource.getrusage(RUSAGE_CHILDREN)`` counts it). Every attack must end as a diagnostic (exit 1)
below ``LIMIT_MB``.

    python -m benchmarks.bench_attacks
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.fuzz import EXAMPLE

#: The most any one command may take at its peak on an attack.
LIMIT_MB = 500
FOOTER = Path("templates/partials/footer.mjml")
EMAIL = "2026-event-acme-conf-welcome-email"
ATTACKS = {
    "'a'|center(3000000000), folded when compiled": "{{ 'a'|center(3000000000) }}",
    "first_name|center(3000000000)": "{{ first_name|center(3000000000) }}",
    "first_name.ljust(3000000000)": "{{ first_name.ljust(3000000000) }}",
    "'%3000000000s'|format(first_name)": "{{ '%3000000000s'|format(first_name) }}",
    "40 KB of text in a 100,000-step loop": "{% for i in range(100000) %}" + "y" * 40_000 + "{% endfor %}",
}
COMMANDS = {"validate": ("validate", "--format", "json"), "render": ("render", EMAIL, "--out", ".campaignkit/out")}


def measure(root: Path, command: tuple[str, ...]) -> tuple[int, float, float]:
    """(exit status, peak resident MB, seconds) of ``campaignkit COMMAND`` run in ``root``."""
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", "campaignkit", *command], cwd=root,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    return os.waitstatus_to_exitcode(status), usage.ru_maxrss / 1024, time.perf_counter() - started


def main() -> int:
    over = 0
    print(f"| attack | command | exit | peak MB | seconds |\n|---|---|---|---|---|")
    with tempfile.TemporaryDirectory(prefix="ck-attacks-") as folder:
        for name, attack in ATTACKS.items():
            root = Path(folder) / "ws"
            shutil.rmtree(root, ignore_errors=True)
            shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns(".campaignkit"))
            footer = root / FOOTER
            footer.write_text(footer.read_text().replace("</mj-text>", f"{attack}</mj-text>", 1))
            for label, command in COMMANDS.items():
                code, peak, seconds = measure(root, command)
                over += code != 1 or peak >= LIMIT_MB
                print(f"| `{name}` | {label} | {code} | {peak:.0f} | {seconds:.1f} |")
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
