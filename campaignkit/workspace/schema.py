"""Schema checks: every document against its kind's JSON Schema (``schemas/``).

jsonschema's own messages speak of instances and validators; this module
turns each error into a diagnostic a marketer can act on, at the line of the
offending key, with "did you mean" for misspelt keys and values.

Two validators: jsonschema-rs (compiled, and much faster) decides whether
a document is valid, and only the documents it rejects go through the
pure-Python ``jsonschema``, whose errors carry the keyword, schema and path that
good messages are made from. Most documents are valid, so ``validate`` pays the
slow path, and importing ``jsonschema``, only for the few that are not.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import replace
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

import jsonschema_rs

from campaignkit.diagnostics import Diagnostic, Position, closest, did_you_mean, error, secret_name, without_passwords
from campaignkit.workspace.documents import key_position_of, position_of, without_keys

if TYPE_CHECKING:
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import ValidationError

CONFIG_SCHEMA = "campaignkit"


@cache
def schema(name: str) -> dict[str, Any]:
    """The JSON Schema for a kind (or ``campaignkit`` for the workspace settings)."""
    text = resources.files("campaignkit").joinpath("schemas", f"{name}.json").read_text(encoding="utf-8")
    return json.loads(text)


@cache
def _validator(name: str) -> Draft202012Validator:
    from jsonschema import Draft202012Validator

    return Draft202012Validator(schema(name))


@cache
def _fast_validator(name: str):
    return jsonschema_rs.validator_for(schema(name))


def schema_diagnostics(kind: str, data: Any, start: Position) -> list[Diagnostic]:
    """What is wrong with ``data`` as a ``kind`` document; empty if it fits the schema."""
    try:
        if _fast_validator(kind).is_valid(data):
            return []
        errors = list(_validator(kind).iter_errors(data))
    except (RecursionError, ValueError):
        return [error("CK004", "nesting too deep to check; campaign files never need this", start)]
    diagnostics: list[Diagnostic] = []
    for problem in errors:
        specific = _most_specific(problem)
        diagnostics.extend(_unechoed(found, specific) for found in _explain(kind, specific, data, start))
    return diagnostics


#: Schema keywords that judge one value alone: a value they refuse can be left out and the rest checked.
_VALUE_KEYWORDS = frozenset({"type", "enum", "const", "pattern", "format", "minimum", "maximum", "exclusiveMinimum",
                             "exclusiveMaximum", "minLength", "maxLength", "multipleOf"})


def without_refused_fields(kind: str, data: Any) -> dict[str, Any] | None:
    """``data`` without the top-level fields whose value the schema refuses, if the rest then fits it
    (unknown keys aside); None when a problem is in the document's shape (a missing key, a step that is
    no kind of step) or in its kind or name, which leave nothing for the other checks to trust.

    So that a wrong enum value, a pattern mismatch or a wrong type on one field does not hide
    the resource's other problems: they are checked on what is left.
    """
    if not isinstance(data, dict):
        return None
    refused = set()
    for problem in _validator(kind).iter_errors(data):
        specific = _most_specific(problem)
        path = list(specific.absolute_path)
        if specific.validator == "additionalProperties":
            continue
        if specific.validator not in _VALUE_KEYWORDS or not path or path[0] in ("kind", "name"):
            return None
        refused.add(path[0])
    kept = without_keys(data, refused)
    fits = all(_most_specific(p).validator == "additionalProperties" for p in _validator(kind).iter_errors(kept))
    return kept if fits else None


def _unechoed(diagnostic: Diagnostic, problem: ValidationError) -> Diagnostic:
    """``diagnostic`` without a secret its message may quote: the value of a setting named like one
    (a literal ``access_token`` is refused, and must not be printed in the refusal), a URL's password."""
    message = without_passwords(diagnostic.message)
    if any(secret_name(step) for step in problem.absolute_path):
        message = message.replace(repr(_instance(problem)), "'***'")
    return replace(diagnostic, message=message) if message != diagnostic.message else diagnostic


def _most_specific(problem: ValidationError) -> ValidationError:
    """For oneOf/anyOf failures, the alternative that came closest, recursively.

    An anyOf whose alternatives only require one key each ("one of gt, gte,
    ...") is kept whole: no single alternative says what is wrong.
    """
    from jsonschema.exceptions import best_match

    while problem.validator in ("oneOf", "anyOf") and problem.context and not _one_of_keys(problem):
        problem = best_match(_alternatives_of_its_type(problem.context))
    return problem


def _alternatives_of_its_type(errors: list[ValidationError]) -> list[ValidationError]:
    """The errors of the alternatives whose type the value has (or all, if it has none of them).

    best_match prefers the shallowest error, so a mapping with one wrong value
    would be told it "must be a list" when a list is the other alternative.
    """
    wrong_type = {e.relative_schema_path[0] for e in errors if e.validator == "type" and not e.relative_path}
    return [e for e in errors if e.relative_schema_path[0] not in wrong_type] or errors


def _one_of_keys(problem: ValidationError) -> list[str]:
    """The keys of an anyOf/oneOf made only of single ``required`` alternatives, else []."""
    alternatives = problem.validator_value if isinstance(problem.validator_value, list) else []
    keys = [a["required"][0] for a in alternatives
            if isinstance(a, dict) and set(a) == {"required"} and len(a["required"]) == 1]
    return keys if keys and len(keys) == len(alternatives) else []


def _explain(kind: str, problem: ValidationError, data: Any, start: Position) -> Iterator[Diagnostic]:
    path = list(problem.absolute_path)
    where = position_of(data, path, start)
    subject = _subject(kind, path)
    keyword = problem.validator
    instance, keyword_value = _instance(problem), _keyword_value(problem)
    if keys := _one_of_keys(problem):
        yield error("CK102", f"{subject} {_one_of(keys, instance)}", where)
    elif keyword == "maxProperties" and keyword_value == 1:
        yield error("CK100", f"{subject} has {', '.join(map(str, instance))}; give one per item "
                    "and split the rest into items of their own", where)
    elif keyword == "additionalProperties":
        yield from _unknown_keys(kind, problem, data, path, start)
    elif keyword == "required":
        missing = _quoted(problem.message)
        yield error("CK102", f"{subject} is missing the required key '{missing}'{_condition(problem)}", where)
    elif keyword == "type":
        expected = " or ".join(keyword_value) if isinstance(keyword_value, list) else keyword_value
        yield error("CK103", f"{subject} must be {_article(expected)}, not {_describe(instance)}", where)
    elif keyword in ("enum", "const"):
        allowed = keyword_value if keyword == "enum" else [keyword_value]
        suggestion = closest(str(instance), [str(a) for a in allowed])
        yield error("CK104", f"{subject} is {instance!r}{did_you_mean(suggestion)}; "
                    f"allowed: {', '.join(str(a) for a in allowed)}", where, suggestion=suggestion)
    elif keyword == "propertyNames" or "propertyNames" in problem.relative_schema_path:
        yield error("CK105", f"{subject}: key {instance!r} {_pattern_hint(problem)}",
                    key_position_of(data, [*path, instance], start))
    elif keyword == "pattern":
        yield error("CK105", f"{subject} {instance!r} {_pattern_hint(problem)}", where)
    elif keyword in ("minProperties", "minItems") and not instance:
        yield error("CK100", f"{subject} is empty: give at least one entry", where)
    else:
        yield error("CK100", f"{subject}: {problem.message}", where)


def _unknown_keys(kind: str, problem: ValidationError, data: Any, path: list, start: Position) -> Iterator[Diagnostic]:
    schema = _schema_of(problem)
    known = list(schema.get("properties", {}))
    patterns = [re.compile(p) for p in schema.get("patternProperties", {})]
    for key in _instance(problem):
        if key in known or any(p.search(str(key)) for p in patterns):
            continue
        suggestion = closest(str(key), known)
        where = key_position_of(data, [*path, key], start)
        allowed = f"; allowed keys: {', '.join(known)}" if known and not suggestion else ""
        yield error("CK101", f"unknown key '{key}' in {_subject(kind, path)}{did_you_mean(suggestion)}{allowed}",
                    where, suggestion=suggestion)


def _one_of(keys: list[str], instance: Any) -> str:
    """What to say of a mapping that must have exactly one of ``keys``: too many, or none."""
    given = [key for key in keys if isinstance(instance, dict) and key in instance]
    if len(given) > 1:
        return f"has {' and '.join(given)}: give only one of them"
    return f"needs one of: {', '.join(keys)}"


def _condition(problem: ValidationError) -> str:
    """Why an ``if``/``then`` requires a key: the ``then``'s description, where the schema gives one."""
    if list(problem.relative_schema_path)[-2:-1] != ["then"]:
        return ""
    described = _schema_of(problem).get("description")
    return f" ({described})" if described else ""


def _pattern_hint(problem: ValidationError) -> str:
    pattern = _keyword_value(problem)
    reference = re.match(r"^\^\(?([a-z|]+)\)?\\\.", pattern)
    if reference:
        kinds = reference.group(1).split("|")
        return "must be an address like " + " or ".join(f"{k}.NAME" for k in kinds)
    described = _schema_of(problem).get("description")
    return f"does not have the required form ({described})" if described else f"does not match {pattern}"


# A validator fills in every field of the errors it finds; the stubs allow for them to be left unset
# (``Unset``) because an error made by hand may leave them out.

def _instance(problem: ValidationError) -> Any:
    """The value that failed."""
    return problem.instance


def _keyword_value(problem: ValidationError) -> Any:
    """The value of the keyword that failed, in the schema (the types, the enum, the pattern, ...)."""
    return problem.validator_value


def _schema_of(problem: ValidationError) -> dict[str, Any]:
    """The schema the failed keyword stands in: a mapping, as ours have no ``true`` or ``false``
    subschema (``additionalProperties: false`` fails in the schema around it)."""
    schema = problem.schema
    assert isinstance(schema, dict), "our schemas hold no boolean subschema"
    return schema


def _subject(kind: str, path: list) -> str:
    if not path:
        return "campaignkit.yaml" if kind == CONFIG_SCHEMA else f"the {kind}"
    return "'" + ".".join(str(p) for p in path) + "'"


def _quoted(message: str) -> str:
    found = re.match(r"^'([^']*)'", message)
    return found.group(1) if found else message


def _article(noun: str) -> str:
    names = {"object": "a mapping", "array": "a list", "string": "a string", "integer": "a whole number",
             "number": "a number", "boolean": "true or false", "null": "empty"}
    return names.get(noun, noun)


def _describe(value: Any) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "empty"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    return f"the text {str(value)!r}"
