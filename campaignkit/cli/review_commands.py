"""``graph`` and ``preview``: what a reviewer looks at instead of the YAML.

Both refuse a workspace with errors (printing them as ``validate`` does), since
a picture of a broken program or a preview of an email that does not render
would mislead the reviewer. The drawing and the site are made by ``diagram``
and ``preview``; this module only parses arguments, writes and prints.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import click

from campaignkit.cli import main
from campaignkit.cli.common import print_or_write, valid_workspace
from campaignkit.cli.completion import complete_addresses
from campaignkit.errors import UserError
from campaignkit.plan import load_plan, workspace_hash
from campaignkit.review.impact import Impact, impact_between, impact_of
from campaignkit.state import applied_commit, open_store
from campaignkit.views import diagram
from campaignkit.views.preview import DEFAULT_OUT, Base, write_site
from campaignkit.workspace.addresses import resolve
from campaignkit.workspace.loading import load_workspace
from campaignkit.workspace.model import Workspace
from campaignkit.workspace.revisions import files_at


@main.command()
@click.argument("program", shell_complete=complete_addresses("program"))
@click.option("--format", "fmt", type=click.Choice(diagram.FORMATS), default="mermaid", show_default=True,
              help="mermaid (GitHub renders it), dot (Graphviz source) or svg (drawn by Graphviz).")
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), metavar="FILE",
              help="Write to FILE instead of standard output.")
def graph(program: str, fmt: str, out: Path | None) -> None:
    """Draw PROGRAM's steps (program.NAME or NAME): actions, waits, triggers and rules with yes/no branches."""
    workspace, _ = valid_workspace()
    resource = resolve(workspace, program, "program")
    text = diagram.draw(diagram.diagram_of(resource.name, resource.data), fmt)
    print_or_write(text, out, f"Wrote the {fmt} diagram of {resource.address} to {out}")


@main.command()
@click.option("--out", "out", type=click.Path(file_okay=False, path_type=Path), metavar="DIR",
              help=f"Write the site into DIR (default: {DEFAULT_OUT} in the workspace).")
@click.option("--base", "base_ref", metavar="REF",
              help="Mark what changed since the git REF (origin/main), or since what was applied: 'state'.")
@click.option("--env", "env_name", metavar="ENV",
              help="With --base state: the environment (default: default_environment).")
@click.option("--plan", "plan_file", type=click.Path(dir_okay=False, path_type=Path), metavar="FILE",
              help="Chart the impact of the saved plan FILE (plan --out) instead of the changes since --base.")
def preview(out: Path | None, base_ref: str | None, env_name: str | None, plan_file: Path | None) -> None:
    """Write a static site for reviewers: every email rendered for sample prospects, every program drawn.

    With --base, what changed is marked, changed emails are shown before and after, and the
    change's impact on the funnel is charted (with --plan: the saved plan's). Open
    DIR/index.html in a browser; it needs no server.
    """
    workspace, _ = valid_workspace()
    folder = out if out is not None else workspace.root / DEFAULT_OUT
    with tempfile.TemporaryDirectory(prefix="campaignkit-base-") as scratch:
        base = _base(workspace, base_ref, env_name, Path(scratch)) if base_ref else None
        impact = _impact(workspace, plan_file, base)
        try:
            index = write_site(workspace, folder, base, impact)
        except OSError as exc:
            raise UserError(f"cannot write the preview into {folder}: {exc.strerror}") from None
    click.echo(f"Wrote the preview to {index}; open it in a browser")


def _impact(workspace: Workspace, plan_file: Path | None, base: Base | None) -> Impact | None:
    """The impact of the saved plan, or of the changes since the base; None without either."""
    if plan_file is not None:
        saved = load_plan(plan_file)
        if saved.workspace_hash != workspace_hash(workspace):
            raise UserError(f"{plan_file} was made from other files than the workspace's now; make the plan "
                            "again with 'campaignkit plan --out FILE'")
        return impact_of(saved.changes, workspace)
    return impact_between(base.workspace, workspace) if base is not None else None


def _base(workspace: Workspace, ref: str, env_name: str | None, scratch: Path) -> Base:
    """The workspace at ``ref``, or at the commit of the environment's last apply for ``state``."""
    label = ref
    if ref == "state":
        environment = workspace.config.environment(env_name)
        store = open_store(environment, workspace.root, workspace.config.workspace)
        try:
            ref = applied_commit(store)
        finally:
            store.close()
        if not ref:
            raise UserError(f"no apply to '{environment.name}' recorded the git commit it was made from: "
                            "give --base a git ref instead (origin/main)")
        label = f"what was applied to {environment.name} (commit {ref[:12]})"
    base, _ = load_workspace(files_at(workspace.root, ref, scratch))
    return Base(base, label)
