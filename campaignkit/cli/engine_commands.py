"""``test`` and ``simulate``: run programs offline, for one written-down prospect or a population.

Parses arguments and prints; the work is in ``campaign_tests``,
``engine.populations`` and ``engine.simulate``, the text in ``views``. Both
refuse to run on a workspace with errors, since a program that does not
validate has no defined behaviour.
"""

from __future__ import annotations

import json
import sys

import click
from rich.console import Console
from rich.progress import Progress

from campaignkit.campaign_tests.cases import MAX_RUN, load_tests, select_tests
from campaignkit.campaign_tests.runner import run_test
from campaignkit.cli import main
from campaignkit.cli.common import valid_workspace
from campaignkit.cli.completion import complete_addresses
from campaignkit.diagnostics import has_errors
from campaignkit.engine.populations import population_for
from campaignkit.engine.simulate import simulate
from campaignkit.engine.world import World
from campaignkit.views.campaign_tests import campaign_test_text, summary
from campaignkit.views.diagnostics import format_diagnostics
from campaignkit.views.simulate import simulation_text
from campaignkit.workspace.addresses import resolve


@main.command(name="test")
@click.argument("pattern", required=False)
def test_command(pattern: str | None) -> None:
    """Run the campaign tests in tests/*.yaml (those whose name matches PATTERN, a glob or a word).

    Exits 0 when every test passes, 1 when one fails, a test file has errors or PATTERN matches no test.
    """
    workspace, root = valid_workspace()
    cases, diagnostics = load_tests(workspace)
    if diagnostics:
        click.echo(format_diagnostics(diagnostics, root, "text"), err=True)
    if pattern:
        cases = select_tests(cases, pattern)
    elif not cases:
        click.echo("No campaign tests to run: write them in tests/*.yaml (docs/engine.md).")
    world = World.from_workspace(workspace)
    results = [run_test(world, case) for case in cases]
    for result in results:
        click.echo(campaign_test_text(result))
    click.echo(summary(results))
    sys.exit(1 if has_errors(diagnostics) or any(not r.passed for r in results) else 0)


@main.command(name="simulate")
@click.argument("program", shell_complete=complete_addresses("program"))
@click.option("--prospects", default="10000", show_default=True, metavar="N|FILE",
              help="How many synthetic prospects (drawn from the personas), or a CSV file of real ones.")
@click.option("--days", type=click.IntRange(1, MAX_RUN.days), default=90, show_default=True, help="How long to run.")
@click.option("--seed", type=int, default=1, show_default=True, help="The same seed gives the same result.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="text for people; json for tools (documented in docs/engine.md).")
def simulate_command(program: str, prospects: str, days: int, seed: int, fmt: str) -> None:
    """Run a population through PROGRAM (program.NAME or NAME): funnel per step, emails per day, MQLs over time."""
    workspace, _ = valid_workspace()
    address = resolve(workspace, program, "program").address
    world = World.from_workspace(workspace)
    population = population_for(world, address, prospects, seed)
    total = sum(cohort.count for cohort in population)
    show_progress = fmt == "text" and sys.stderr.isatty()
    with Progress(transient=True, console=Console(stderr=True), disable=not show_progress) as progress:
        task = progress.add_task(f"Simulating {total:,} prospects", total=total)
        report = simulate(world, address, population, days, seed,
                          progress=lambda done: progress.advance(task, done))
    click.echo(json.dumps(report.as_json(), indent=2) if fmt == "json" else simulation_text(report))
