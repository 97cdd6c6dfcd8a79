"""What state holds for an address a user names: its entry, or the error that says why there is none;
and forgetting addresses (``state rm``), which leaves their objects on the target.
"""

from __future__ import annotations

from collections.abc import Sequence

from campaignkit.diagnostics import closest, did_you_mean
from campaignkit.errors import UserError
from campaignkit.state.base import State, StateEntry, StateStore
from campaignkit.state.history import history_entry
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


def forget(store: StateStore, addresses: Sequence[str], workspace: Workspace, environment: str, *,
           who: str = "", git_commit: str = "") -> list[StateEntry]:
    """Removes ``addresses`` from the state of ``environment`` in ``store``, as one ``state rm`` in its history;
    returns what state held for them. Nothing is removed unless state holds every one. The caller holds the lock.
    """
    state = store.read()
    removed = [entry_for(state, address, workspace, environment) for address in addresses]
    with history_entry(store, "state rm", who, git_commit) as ending:
        store.commit(removes=list(addresses))
        ending.summary = f"removed {', '.join(addresses)}"
    return removed
