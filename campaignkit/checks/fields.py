"""Field checks: a field's default mail-merge value and example fit its type, and reach the platform.

The default is what an email says when the prospect's field is empty, so a
default of the wrong type or outside an enum's values would reach inboxes, and
one that an environment's merge language cannot carry must be set on the
platform by hand.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from campaignkit.checks import Scope, check
from campaignkit.diagnostics import Diagnostic, closest, did_you_mean, error, warning
from campaignkit.emails.merge import environment_languages, spoken_by, without_fallbacks
from campaignkit.workspace.model import Resource
from campaignkit.workspace.values import fits_type, is_empty, misfit

_SAMPLE_KEYS = ("default", "example")


@check("CK901")
def sample_values_fit_type(scope: Scope) -> Iterator[Diagnostic]:
    """A field's default or example does not fit its type.

    What it does: checks `default` (the default mail-merge value) and `example` against the
    field's `type`: numbers for number, true/false for bool, YYYY-MM-DD for date, an address
    for email.
    Why is this bad? The default is what every email says when the prospect's field is empty.
    Example: `type: number` with `default: "many"`.
    Use instead: `default: 0`, or make the field `type: text`.
    """
    for field in scope.of_kind("field"):
        field_type = field.data.get("type", "text")
        if field_type == "enum":
            continue
        for key in _SAMPLE_KEYS:
            if key in field.data and field.data[key] is not None and not fits_type(field_type, field.data[key]):
                yield error("CK901", f"{field.address}: {key} {field.data[key]!r} is not a valid {field_type}",
                            field.position_of(key))


@check("CK902")
def enum_values_are_allowed(scope: Scope) -> Iterator[Diagnostic]:
    """An enum field's default or example is not one of its values.

    What it does: checks `default` and `example` of `type: enum` fields against `values`.
    (An enum field without values is a schema error, CK102.)
    Why is this bad? A merge would print a value the field can never hold, and list rules on
    it could never match.
    Example: `values: [Software, Retail]` with `default: Sofware`.
    Use instead: `default: Software`.
    """
    for field in scope.of_kind("field"):
        if field.data.get("type") != "enum":
            continue
        yield from _outside(field, field.data["values"])


def _outside(field: Resource, values: list) -> Iterator[Diagnostic]:
    for key in _SAMPLE_KEYS:
        value = field.data.get(key)
        if value is not None and value not in values:
            suggestion = closest(str(value), [str(v) for v in values])
            yield error("CK902", f"{field.address}: {key} {value!r} is not one of its values"
                        f"{did_you_mean(suggestion)}", field.position_of(key), suggestion=suggestion)


#: Operators that compare a field with the rule's value as a whole (not ``contains``, ``starts_with``).
_WHOLE_VALUE_OPS = frozenset({"eq", "ne", "in", "not_in", "gt", "gte", "lt", "lte"})
#: The kinds whose rules, criteria and steps name fields with values.
_KINDS_WITH_FIELD_VALUES = ("list", "program", "grading", "form", "form_handler")


@check("CK903")
def rule_values_fit_their_field(scope: Scope) -> Iterator[Diagnostic]:
    """A value compared with a field, or written to it, does not fit the field.

    What it does: checks the `value` and `values` of list rules, program rule steps and
    grading criteria that compare a field (eq, ne, in, not_in, gt, gte, lt, lte) against the
    field's type and, for an enum, its values (in any case, as Account Engagement compares
    them); and the value a `set_field` step writes, exactly.
    Why is this bad? A rule whose value the field can never hold silently sends every
    prospect down its `no` branch.
    Example: `{field: field.employees, op: gt, value: many}`, or
    `{field: field.industry, op: eq, value: Sofware}`.
    Use instead: `value: 200`; `value: Software`.
    """
    fields = {field.address: field.data for field in scope.of_kind("field")}
    for kind in _KINDS_WITH_FIELD_VALUES:
        for resource in scope.of_kind(kind):
            # The mappings that name a field (``field: field.NAME``), found among the references
            # the other checks have found already, rather than by walking every mapping again.
            for address, path in resource.reference_paths:
                if path[-1] == "field" and address in fields:
                    yield from _unfit_values(_at(resource.data, path[:-1]), fields[address], address)


def _at(data: Any, path: Sequence[str | int]) -> Any:
    """The value at ``path`` (keys and indexes) below ``data``."""
    for step in path:
        data = data[step]
    return data


def _unfit_values(owner: Any, field: Mapping[str, Any], address: str) -> Iterator[Diagnostic]:
    op = owner.get("op")
    if op is not None and op not in _WHOLE_VALUE_OPS:
        return
    given: list[tuple[str, int | None, Any]] = [("value", None, owner["value"])] if "value" in owner else []
    if isinstance(owner.get("values"), list):
        given += [("values", index, item) for index, item in enumerate(owner["values"])]
    for key, index, value in given:
        problem = _compared_misfit(field, value) if op is not None else misfit(field, value)
        if problem:
            where = owner.value_position(key) if index is None else owner[key].value_position(index)
            yield error("CK903", f"{address}: {problem}", where)


def _compared_misfit(field: Mapping[str, Any], value: Any) -> str | None:
    """``misfit`` for a value a rule compares with: enum values match in any case."""
    if field.get("type") == "enum" and isinstance(value, str):
        allowed = [str(v) for v in field.get("values") or []]
        if value.casefold() in {v.casefold() for v in allowed}:
            return None
        suggestion = closest(value, allowed)
        return f"{value!r} is not one of its values{did_you_mean(suggestion)}"
    return misfit(field, value)


@check("CK904")
def defaults_the_merge_language_cannot_carry(scope: Scope) -> Iterator[Diagnostic]:
    """A field's default must be set on the platform: the environment's merge language cannot carry it.

    What it does: when an environment sends in a merge language with no fallback of its own
    (Account Engagement's PML, `settings.merge_language: pml`), reminds, at each field's
    `default`, that its emails carry the bare tag (`%%first_name%%`).
    Why is this bad? A recipient without a value then gets the field's default mail merge
    value as Account Engagement holds it, a setting of the field that its API cannot write;
    unless someone sets it, "Dear there" in previews is "Dear ," in inboxes.
    Example: `default: there` on `first_name`, with an environment on `merge_language: pml`.
    Use instead: set the same text as the field's default mail merge value in Account
    Engagement (Account Engagement Settings > Object and Field Configuration > Prospect
    Fields); or move the business unit to HML (`merge_language: hml`), whose tags carry it.
    """
    silent = without_fallbacks(environment_languages(scope.workspace, scope.language_of))
    if not silent:
        return
    speakers = spoken_by(silent)
    for field in scope.of_kind("field"):
        if not is_empty(field.data.get("default")):
            yield warning("CK904", f"{field.address}: the default {field.data['default']!r} cannot travel in "
                          f"{speakers}; set it on the platform as the field's default mail merge value "
                          "(its API cannot)", field.position_of("default"))
