"""What state holds for an address a user names: its entry, or the error that says why there is none.

Only looks up and explains; reading the state and printing are the caller's.
"""

from __future__ import annotations

from campaignkit.diagnostics import closest, did_you_mean
from campaignkit.errors import UserError
from campaignkit.state.base import State, StateEntry
from campaignkit.workspace.model import Workspace


def entry_for(state: State, address: str, workspace: Workspace, environment: str) -> StateEntry:
    """The entry ``state`` of ``environment`` holds for ``address``, or a ``UserError``.

    An address the files declare is no typo (it was never applied there, or was removed), so
    only an undeclared one gets a suggestion.
    """
    entry = state.entries.get(address)
    if entry is not None:
        return entry
    if workspace.get(address) is not None:
        raise UserError(f"{address} is not in the state of environment '{environment}': campaignkit "
                        "does not manage it there ('campaignkit state list' shows what it manages)")
    raise UserError(f"{address} is not in state{did_you_mean(closest(address, state.entries))}")
