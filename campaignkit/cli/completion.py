"""Shell completion of resource addresses, for click's own completion in bash, zsh and fish.

Click completes commands and options by itself once its completion script is loaded
(``_CAMPAIGNKIT_COMPLETE=bash_source campaignkit``, README); what it cannot know is which
resources a workspace declares. ``complete_addresses(kind)`` gives an argument or option a completer
that loads the workspace around the current folder (or ``--chdir``) and offers its addresses.
A folder that is no workspace, or files that do not load, complete nothing: completion
never prints an error into the user's prompt.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import click
from click.shell_completion import CompletionItem

from campaignkit.errors import UserError
from campaignkit.workspace.loading import find_root, load_workspace

Completer = Callable[[click.Context, click.Parameter, str], list[CompletionItem]]


def complete_addresses(kind: str | None = None) -> Completer:
    """A completer of the workspace's addresses (``KIND.NAME``), only those of ``kind`` if one is given;
    for a kind, its bare names too, as the commands accept both."""

    def complete(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[CompletionItem]:
        chdir = ctx.find_root().params.get("chdir")
        try:
            workspace, _ = load_workspace(find_root(Path(chdir) if chdir else Path.cwd()))
        except (UserError, OSError):
            return []
        found = sorted(address for address, resource in workspace.resources.items()
                       if kind is None or resource.kind == kind)
        if kind is not None and not incomplete.startswith(f"{kind}."):
            found = [address.removeprefix(f"{kind}.") for address in found]
        return [CompletionItem(value) for value in found if value.startswith(incomplete)]

    return complete
