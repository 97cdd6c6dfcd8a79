"""Saved plans: ``plan --out FILE`` and ``apply FILE``.

A saved plan holds every change with its before and after values, and what it
is bound to: the environment, the state's lineage and serial (or, for a plan
made on an empty state, a lineage reserved for it, so that it goes stale if
someone else applies first, and where that state is kept, so that it does not
apply to a copy of the workspace elsewhere) and a hash of the workspace files.
``apply FILE`` refuses it with one line if any of these moved on, or if the file
no longer matches the digest it was saved with, so CI applies exactly the plan a
reviewer approved, or nothing. A name ending in ``.gz`` is gzipped.
The file format is internal; tools read ``plan --format json`` instead.
"""

from __future__ import annotations

import dataclasses
import gzip
import hashlib
import json
from pathlib import Path
from typing import Any

from campaignkit import __version__
from campaignkit.errors import UserError
from campaignkit.plan.changes import Action, Change, Drift, InFlight, Plan
from campaignkit.plan.diff import FieldChange
from campaignkit.state import Finding, State
from campaignkit.targets.base import CallCount
from campaignkit.workspace.loading import CONFIG_FILE
from campaignkit.workspace.model import Workspace

FORMAT = "campaignkit-plan"
FORMAT_VERSION = 2


def check_plan_path(path: Path) -> None:
    """Refuses to save a plan under a YAML name, before the work of planning: the workspace reads
    every YAML file in it as resources."""
    if path.name.endswith((".yaml", ".yml")):
        raise UserError(f"--out {path}: a plan is not YAML, and a .yaml file in the workspace would be read as "
                        "resources; save it as plan.ckplan (or plan.ckplan.gz)")


def save_plan(plan: Plan, path: Path) -> None:
    content = plan_to_dict(plan)
    data = _canonical({**content, "digest": _digest(content)}).encode()
    try:
        path.write_bytes(gzip.compress(data, mtime=0) if path.suffix == ".gz" else data)
    except OSError as exc:
        raise UserError(f"cannot write the plan to {path}: {exc.strerror}") from None


def load_plan(path: Path) -> Plan:
    """The plan saved in ``path``, or a ``UserError`` if it is not one this version can apply."""
    try:
        raw = path.read_bytes()
        data = json.loads(gzip.decompress(raw) if raw[:2] == b"\x1f\x8b" else raw)
    except OSError as exc:
        raise UserError(f"cannot read the plan file {path}: {exc.strerror}") from None
    except (ValueError, EOFError, gzip.BadGzipFile):
        raise UserError(f"{path} is not a saved campaignkit plan (not JSON); make one with 'campaignkit plan "
                        "--out FILE'") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise UserError(f"{path} is not a saved campaignkit plan; make one with 'campaignkit plan --out FILE'")
    if data.get("format_version") != FORMAT_VERSION:
        raise UserError(f"{path} was saved in plan format {data.get('format_version')} by campaignkit "
                        f"{data.get('campaignkit_version')}; this version applies format {FORMAT_VERSION}: "
                        "make the plan again with this version")
    if data.pop("digest", None) != _digest(data):
        raise UserError(f"{path} was changed after it was saved (it no longer matches its digest); apply only "
                        "a plan as 'campaignkit plan --out' wrote it: make the plan again")
    try:
        return plan_from_dict(data)
    except (KeyError, TypeError, ValueError):
        raise UserError(f"{path} is a damaged campaignkit plan; make the plan again") from None


def plan_hash(plan: Plan) -> str:
    """A digest of the plan's content: recorded in history to say which plan was applied."""
    return _digest(plan_to_dict(plan))


def _digest(content: dict[str, Any]) -> str:
    return hashlib.sha256(_canonical(content).encode()).hexdigest()


def _canonical(content: dict[str, Any]) -> str:
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def check_applicable(plan: Plan, state: State, environment: str, files_hash: str) -> None:
    """Raises a one-line ``UserError`` if ``plan`` no longer fits the state or the files."""
    again = "run 'campaignkit plan' again"
    if plan.environment != environment:
        raise UserError(f"the saved plan was made for environment '{plan.environment}', not '{environment}'; "
                        f"apply it with --env {plan.environment}")
    if plan.state_empty and plan.state_location != state.location:
        raise UserError(f"the saved plan was made for the state at {plan.state_location}, not {state.location}; "
                        f"{again} here")
    if plan.state_empty and not state.empty:
        raise UserError(f"the saved plan is stale: it was made when the state was empty, and since then state was "
                        f"written (serial {state.serial}); {again}")
    if not plan.state_empty and state.lineage != plan.lineage:
        raise UserError(f"the saved plan belongs to another state (lineage {plan.lineage}; this state has "
                        f"{state.lineage or 'none'}); {again}")
    if state.serial != plan.serial:
        raise UserError(f"the saved plan is stale: the state changed since it was made (serial {plan.serial}, "
                        f"now {state.serial}); {again}")
    if plan.workspace_hash != files_hash:
        raise UserError(f"the saved plan is stale: the workspace files changed since it was made; {again}")


def workspace_hash(workspace: Workspace) -> str:
    """A digest of the files a plan is made from: the YAML, and every template an email reads.

    Files no email reads (a plan saved as ``plan.txt``, the output of ``render`` or
    ``preview``) do not make a saved plan stale (see ``render.reads``).
    """
    digest = hashlib.sha256()
    root = workspace.root
    for path in sorted({root / CONFIG_FILE, *workspace.files}):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    reads = workspace.template_reads
    templates = {name: sha for email in workspace.of_kind("email") for name, sha in reads.of(email).items()}
    for name, sha in sorted(templates.items()):
        digest.update(f"{name}\0{sha}".encode())
    return digest.hexdigest()


def plan_to_dict(plan: Plan) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "campaignkit_version": __version__,
        "environment": plan.environment,
        "target": plan.target,
        "lineage": plan.lineage,
        "serial": plan.serial,
        "state_empty": plan.state_empty,
        "workspace_hash": plan.workspace_hash,
        "refreshed": plan.refreshed,
        "targets": list(plan.targets),
        "state_location": plan.state_location,
        "api_calls": None if plan.api_calls is None else {"reads": plan.api_calls.reads,
                                                          "writes": plan.api_calls.writes},
        "changes": [_change_to_dict(c) for c in plan.changes],
        "drift": [_drift_to_dict(d) for d in plan.drift],
    }


def plan_from_dict(data: dict[str, Any]) -> Plan:
    return Plan(
        environment=data["environment"],
        target=data["target"],
        changes=tuple(_change_from_dict(c) for c in data["changes"]),
        drift=tuple(_drift_from_dict(d) for d in data["drift"]),
        lineage=data["lineage"],
        serial=int(data["serial"]),
        state_empty=bool(data["state_empty"]),
        workspace_hash=data["workspace_hash"],
        refreshed=bool(data["refreshed"]),
        targets=tuple(data["targets"]),
        state_location=data["state_location"],
        api_calls=_calls_from_dict(data["api_calls"]),
    )


def _calls_from_dict(data: dict[str, int] | None) -> CallCount | None:
    return None if data is None else CallCount(int(data["reads"]), int(data["writes"]))


def _fields_to_list(fields: tuple[FieldChange, ...]) -> list[dict[str, Any]]:
    return [{"path": f.path, "before": f.before, "after": f.after} for f in fields]


def _fields_from_list(items: list[dict[str, Any]]) -> tuple[FieldChange, ...]:
    return tuple(FieldChange(i["path"], i["before"], i["after"]) for i in items)


def _change_to_dict(change: Change) -> dict[str, Any]:
    return {
        "address": change.address, "kind": change.kind, "name": change.name, "action": change.action.value,
        "before": change.before, "after": change.after, "fields": _fields_to_list(change.fields),
        "target_id": change.target_id, "previous_address": change.previous_address, "hash": change.hash,
        "depends_on": list(change.depends_on), "protected": change.protected,
        "replace_fields": list(change.replace_fields), "manual": change.manual,
        "manual_fields": list(change.manual_fields), "instructions": change.instructions,
        "wait_for": list(change.wait_for), "content": change.content, "content_before": change.content_before,
        "checks": _findings_to_list(change.checks), "checks_before": _findings_to_list(change.checks_before),
        "in_flight": [dataclasses.asdict(item) for item in change.in_flight], "list_size": change.list_size,
    }


def _change_from_dict(data: dict[str, Any]) -> Change:
    return Change(
        address=data["address"], kind=data["kind"], name=data["name"], action=Action(data["action"]),
        before=data["before"], after=data["after"], fields=_fields_from_list(data["fields"]),
        target_id=data["target_id"], previous_address=data["previous_address"], hash=data["hash"],
        depends_on=tuple(data["depends_on"]), protected=bool(data["protected"]),
        replace_fields=tuple(data["replace_fields"]), manual=bool(data["manual"]),
        manual_fields=tuple(data["manual_fields"]), instructions=data["instructions"],
        wait_for=tuple(data["wait_for"]), content=data["content"], content_before=data["content_before"],
        # Plans saved before findings were recorded have none: apply then records none.
        checks=_findings_from_list(data.get("checks")), checks_before=_findings_from_list(data.get("checks_before")),
        in_flight=tuple(InFlight(**item) for item in data.get("in_flight", ())), list_size=data.get("list_size"),
    )


def _findings_to_list(findings: tuple[Finding, ...] | None) -> list[dict[str, str]] | None:
    return None if findings is None else [{**f.to_record(), "at": f.at} for f in findings]


def _findings_from_list(items: list[dict[str, str]] | None) -> tuple[Finding, ...] | None:
    return None if items is None else tuple(Finding.from_record(item) for item in items)


def _drift_to_dict(drift: Drift) -> dict[str, Any]:
    return {"address": drift.address, "kind": drift.kind, "name": drift.name, "action": drift.action,
            "before": drift.before, "after": drift.after, "fields": _fields_to_list(drift.fields),
            "remote_name": drift.remote_name}


def _drift_from_dict(data: dict[str, Any]) -> Drift:
    return Drift(data["address"], data["kind"], data["name"], data["action"], data["before"], data["after"],
                 _fields_from_list(data["fields"]), data["remote_name"])
