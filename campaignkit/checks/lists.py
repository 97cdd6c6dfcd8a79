"""List checks: static and dynamic lists are what they say, and rules do not loop."""

from __future__ import annotations

from collections.abc import Iterator

from campaignkit.checks import Scope, check, cycles
from campaignkit.diagnostics import Diagnostic, error
from campaignkit.workspace.model import Resource

_LIST_RULE_KEYS = ("on_list", "not_on_list")


def list_dependencies(lst: Resource) -> list[str]:
    """The lists whose membership a dynamic list's rules look at."""
    found: list[str] = []
    for rule in lst.data.get("rules") or []:
        if isinstance(rule, dict):
            found.extend(rule[key] for key in _LIST_RULE_KEYS if isinstance(rule.get(key), str))
    return found


@check("CK601")
def list_rules_do_not_loop(scope: Scope) -> Iterator[Diagnostic]:
    """A dynamic list's rules depend on its own membership.

    What it does: follows `on_list` and `not_on_list` rules from list to list and reports a
    list that depends on itself, directly or through other lists.
    Why is this bad? Membership could never be settled: a prospect would be added and removed
    on every evaluation, or never added at all.
    Example: list A has `{on_list: list.b}` and list B has `{not_on_list: list.a}`.
    Use instead: base one of the lists on fields, score or activities instead.
    """
    lists = {lst.address: lst for lst in scope.of_kind("list")}
    graph = {address: [d for d in list_dependencies(lst) if d in lists] for address, lst in lists.items()}
    for cycle in cycles(graph):
        yield error("CK601", f"list rules loop: {' -> '.join(cycle)}; a list cannot depend on itself",
                    lists[cycle[0]].position_of("rules"))


@check("CK602")
def list_type_matches_rules(scope: Scope) -> Iterator[Diagnostic]:
    """A static list has rules.

    What it does: reports `rules` on a list that is not `type: dynamic`. (A dynamic list
    without rules is a schema error, CK102.)
    Why is this bad? Account Engagement ignores rules on static lists, so the list would not
    hold the prospects the rules describe.
    Example: `type: static` with `rules: [...]`.
    Use instead: `type: dynamic`, or drop the rules.
    """
    for lst in scope.of_kind("list"):
        if lst.data.get("type") != "dynamic" and lst.data.get("rules"):
            yield error("CK602", f"{lst.address} is static but has rules, which only dynamic lists use; "
                        "set type: dynamic or remove the rules", lst.position_of("rules"))
