"""The workspace's Rego policies (``policies/*.rego``): read, compiled and queried in-process.

The one module that speaks to ``regopy``, the Rego interpreter of Microsoft's
rego-cpp: ``validate`` asks it where a file does not compile, ``review.policies``
asks it what a policy says of a plan. It knows nothing of plans: a query gets a
JSON document and gives back the package's values. regopy is imported only when a
workspace has policies: its allocator reserves a large address space as it loads,
which a process run under an address-space limit cannot have.
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from campaignkit.diagnostics import Position
from campaignkit.workspace.files import read_inside

if TYPE_CHECKING:
    from regopy import Interpreter

FOLDER = "policies"
#: A policy file larger than this is refused: a policy is a page of rules, not data.
MAX_BYTES = 1_000_000
_PACKAGE = re.compile(r"^\s*package\s+([A-Za-z_][\w.]*)", re.MULTILINE)
_ERROR_AT = re.compile(r"\(error \d+:(?P<file>[^|]*)\|(?P<offset>\d+)\|(?P<length>\d+)")
_MESSAGE = re.compile(r"\(errormsg \d+:(?P<message>[^)\n]*)")


@dataclass(frozen=True)
class PolicyFile:
    """One ``.rego`` file: where it is (relative to the workspace) and what it says."""

    path: str
    source: str

    @property
    def package(self) -> str:
        found = _PACKAGE.search(self.source)
        return found[1] if found else ""

    @property
    def name(self) -> str:
        return Path(self.path).stem


class PolicyError(Exception):
    """A policy that does not compile, or fails while it runs; ``position`` says where when known."""

    def __init__(self, message: str, position: Position) -> None:
        super().__init__(message)
        self.position = position


def policy_files(root: Path) -> list[PolicyFile]:
    """The workspace's ``policies/*.rego``, in name order; none when there is no such folder."""
    folder = root / FOLDER
    if not folder.is_dir():
        return []
    return [PolicyFile(f"{FOLDER}/{path.name}", read_inside(root, path, MAX_BYTES).decode("utf-8", "replace"))
            for path in sorted(folder.glob("*.rego"))]


def compile_error(policy: PolicyFile) -> PolicyError | None:
    """Why ``policy`` does not compile, at its line and column; None when it does."""
    try:
        _interpreter(policy)
    except PolicyError as problem:
        return problem
    return None


def query(policy: PolicyFile, document: dict[str, Any]) -> dict[str, Any]:
    """The values of ``policy``'s package (``deny``, ``warn``, ``enforcement``…) with ``document`` as ``input``."""
    values = _evaluate(policy, document, f"data.{policy.package}")
    return values if isinstance(values, dict) else {}


def constant(policy: PolicyFile, name: str) -> Any:
    """The value of the package's ``name`` with an empty ``input``: what ``validate`` can read of a value
    that does not depend on the plan (``override_by := [...]``). None when it is undefined so, or fails."""
    try:
        return _evaluate(policy, {}, f"data.{policy.package}.{name}")
    except PolicyError:
        return None


def _evaluate(policy: PolicyFile, document: dict[str, Any], reference: str) -> Any:
    """The value of ``reference`` with ``document`` as ``input``; None when it is undefined."""
    from regopy import RegoError

    interpreter = _interpreter(policy)
    interpreter.set_input_term(json.dumps(document))
    try:
        with _quiet():
            output = interpreter.query(reference)
    except RegoError as failure:
        raise _located(policy, failure) from None
    if not output.ok():  # rego-cpp gives no readable detail of a failure at run time
        raise PolicyError("it stopped with an error while it ran (a rule with conflicting values, or a built-in "
                          "function's error)", Position(policy.path))
    text = str(output)
    if text == "undefined":
        return None
    expressions = json.loads(text).get("expressions") or [None]
    return expressions[0]


def _interpreter(policy: PolicyFile) -> Interpreter:
    from regopy import Interpreter, RegoError

    if not policy.package:
        raise PolicyError("a policy starts with 'package NAME'", Position(policy.path))
    interpreter = Interpreter()
    try:
        with _quiet():
            interpreter.add_module(policy.path, policy.source)
    except RegoError as failure:
        raise _located(policy, failure) from None
    return interpreter


def _located(policy: PolicyFile, failure: Exception) -> PolicyError:
    """The first error rego-cpp reports, at the line and column of its byte offset in the file."""
    text = str(failure.args[0] if failure.args else failure)
    at, said = _ERROR_AT.search(text), _MESSAGE.search(text)
    message = said["message"].strip() if said else text.strip().splitlines()[0]
    if at is None or at["file"] != policy.path:
        return PolicyError(message, Position(policy.path))
    before = policy.source.encode()[: int(at["offset"])].decode("utf-8", "replace")
    line = before.count("\n") + 1
    return PolicyError(message, Position(policy.path, line, len(before) - before.rfind("\n")))


@contextmanager
def _quiet() -> Iterator[None]:
    """Standard output closed to rego-cpp, which prints its errors there itself: the error is raised as
    well, and the printed copy would break a JSON report."""
    sys.stdout.flush()
    saved = os.dup(1)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 1)
        yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)
        os.close(devnull)
