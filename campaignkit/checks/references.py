"""Reference checks: addresses are unique and every ``KIND.NAME`` points at something."""

from __future__ import annotations

from collections.abc import Iterator

from campaignkit.checks import Scope, check, cycles
from campaignkit.diagnostics import Diagnostic, Position, closest, did_you_mean, error
from campaignkit.workspace.documents import key_position_of, position_of
from campaignkit.workspace.model import CRM_KINDS, KINDS
from campaignkit.workspace.schema import schema


@check("CK201")
def duplicate_addresses(scope: Scope) -> Iterator[Diagnostic]:
    """An address is declared twice.

    What it does: reports every declaration of a `KIND.NAME` after the first, across all files.
    Why is this bad? Plan and apply work by address: two declarations would fight over one object
    on the target, and which one wins would depend on file order.
    Example: `kind: email` / `name: 2026-email-welcome-email` in both `emails.yaml` and `welcome.yaml`.
    Use instead: one declaration; rename the other.
    """
    first: dict[str, Position] = {}
    for resource in scope.workspace.documents:
        earlier = first.setdefault(resource.address, resource.position)
        if earlier is not resource.position:
            yield error("CK201", f"{resource.address} is already declared at {earlier.path}:{earlier.line}; "
                        "addresses must be unique across the workspace", resource.position_of("name"),
                        related=(earlier,))


@check("CK202")
def unresolved_references(scope: Scope) -> Iterator[Diagnostic]:
    """A reference names a resource that does not exist.

    What it does: reports every `KIND.NAME` value that is not declared in the workspace, with
    the closest declared address of the same kind.
    Why is this bad? A program would send an email that does not exist, or a list rule would
    look at a field nobody declared; the platform would reject it at the worst moment.
    Example: `send_email: email.2026-email-welcom-email`.
    Use instead: `send_email: email.2026-email-welcome-email`.
    A name written in a file that could not be read (CK001, CK003 to CK005) is not reported: that
    file may declare it, and its own problem is reported first.
    """
    declared, unread = scope.workspace.resources, scope.workspace.unread_words
    by_kind: dict[str, list[str]] = {}
    for address in declared:
        by_kind.setdefault(address.split(".", 1)[0], []).append(address)
    for resource in scope.well_formed:
        for address, path in resource.reference_paths:
            kind = address.split(".", 1)[0]
            if kind in CRM_KINDS or address in declared or address.split(".", 1)[-1] in unread:
                continue
            suggestion = closest(address, by_kind.get(kind, []))
            yield error("CK202", f"{address} is not declared{did_you_mean(suggestion)}",
                        resource.position_of(*path), suggestion=suggestion)
    config = scope.workspace.config
    simulated = (config.data.get("simulation") or {}).get("emails") if isinstance(config.data, dict) else None
    for address in simulated if isinstance(simulated, dict) else ():
        if address not in declared:
            suggestion = closest(str(address), by_kind.get("email", []))
            yield error("CK202", f"simulation.emails: {address} is not declared{did_you_mean(suggestion)}",
                        key_position_of(config.data, ["simulation", "emails", address], config.position),
                        suggestion=suggestion)


@check("CK203")
def unknown_crm_names(scope: Scope) -> Iterator[Diagnostic]:
    """A user or queue is not listed in campaignkit.yaml.

    What it does: reports `user.NAME` and `queue.NAME` references that are not listed under
    `crm: {users: [...], queues: [...]}` in campaignkit.yaml.
    Why is this bad? Users and queues live in the CRM, so a typo would only show when a hot
    prospect is assigned to nobody.
    Example: `assign: queue.sales-tem`.
    Use instead: `assign: queue.sales-team`, with `sales-team` listed under `crm.queues`.
    """
    config = scope.workspace.config
    known = {"user": config.users, "queue": config.queues}
    for resource in scope.well_formed:
        for address, path in resource.reference_paths:
            kind, _, name = address.partition(".")
            if kind in known and name not in known[kind]:
                suggestion = closest(name, known[kind])
                yield error("CK203", f"{address} is not listed under crm.{kind}s in campaignkit.yaml"
                            f"{did_you_mean(f'{kind}.{suggestion}' if suggestion else None)}",
                            resource.position_of(*path), suggestion=suggestion)


@check("CK206")
def references_do_not_loop(scope: Scope) -> Iterator[Diagnostic]:
    """Resources need each other on the target first, in a loop.

    What it does: follows the references that make one resource wait for another in `apply`
    (a program's email, a form's completion action, a list's rules; not a campaign's `assets`)
    and reports every loop, at the reference that starts it.
    Why is this bad? Apply creates what a resource refers to before the resource, so no
    order can create a loop, and `plan` refuses the whole workspace.
    Example: form A's completion action adds to program B, whose trigger listens to form A.
    Use instead: drop one reference of the loop, apply, then add it back in a second change,
    once both exist.
    """
    resources = {resource.address: resource for resource in scope.well_formed}
    graph = {address: resource.dependencies(resources) for address, resource in resources.items()}
    for cycle in cycles(graph):
        chain = cycle[::-1]  # each needs the next
        first, second = resources[chain[0]], chain[1]
        path = next(path for address, path in first.reference_paths if address == second)
        yield error("CK206", f"{' -> '.join(chain)}: each needs the next to exist first, so no apply order "
                    "can create them; drop one of these references, apply, and add it back in a later change",
                    first.position_of(*path))


#: Keys of a resource that are not fields a target holds.
_NOT_FIELDS = ("kind", "name", "lifecycle", "moved_from")


@check("CK204")
def ignore_changes_name_fields(scope: Scope) -> Iterator[Diagnostic]:
    """`lifecycle.ignore_changes` names a field the resource does not have.

    What it does: checks the first part of each entry (`title`, `schedule` in `schedule.hours`)
    against the fields of the resource's kind, with the closest one.
    Why is this bad? A misspelt entry ignores nothing: the next apply sets back the change you
    meant to leave alone on the target.
    Example: `ignore_changes: [titel]` on a list.
    Use instead: `ignore_changes: [title]`.
    """
    for resource in scope.well_formed:
        ignored = resource.lifecycle.ignore_changes if "lifecycle" in resource.data else ()
        if not ignored:
            continue
        fields = [key for key in schema(resource.kind).get("properties", {}) if key not in _NOT_FIELDS]
        for index, path in enumerate(ignored):
            first = str(path).split(".")[0]
            if first not in fields:
                suggestion = closest(first, fields)
                yield error("CK204", f"{resource.address}: ignore_changes names '{path}', but a {resource.kind} has no "
                            f"field '{first}'{did_you_mean(suggestion)}",
                            resource.position_of("lifecycle", "ignore_changes", index), suggestion=suggestion)


@check("CK205")
def protect_patterns_can_match(scope: Scope) -> Iterator[Diagnostic]:
    """An environment's `protect` pattern names no kind, so it protects nothing.

    What it does: checks that the part of each pattern before the first `.` is a kind (or a
    wildcard), with the closest kind.
    Why is this bad? Protection fails silently: a plan that destroys the program you meant to
    protect goes through.
    Example: `protect: ["programs.*"]`.
    Use instead: `protect: ["program.*"]`.
    """
    config = scope.workspace.config
    for name, environment in config.environments.items():
        for index, pattern in enumerate(environment.protect):
            kind = pattern.split(".")[0]
            if kind in KINDS or any(char in kind for char in "*?["):
                continue
            suggestion = closest(kind, KINDS)
            yield error("CK205", f"environment '{name}': protect pattern '{pattern}' matches nothing: '{kind}' is not "
                        f"a kind{did_you_mean(suggestion)}",
                        position_of(config.data, ("environments", name, "protect", index), config.position),
                        suggestion=f"{suggestion}.{pattern.partition('.')[2]}" if suggestion else None)
