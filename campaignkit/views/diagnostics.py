"""Diagnostics as text for people and as JSON, GitHub annotations or SARIF for machines.

The JSON shape follows ``terraform validate -json`` so that tools written for it
read ours; SARIF 2.1.0 is what code-scanning services ingest. Formatting only:
nothing here decides whether a workspace is valid.
"""

from __future__ import annotations

import json
import os
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import replace
from functools import lru_cache
from pathlib import Path
from urllib.parse import quote

import click

from campaignkit import __version__
from campaignkit.diagnostics import Diagnostic, Position, Severity, secret_name, without_passwords
from campaignkit.workspace.documents import MAX_FILE_BYTES
from campaignkit.workspace.files import Refused, TooLarge, read_inside

FORMATS = ("text", "json", "github", "sarif")
JSON_FORMAT_VERSION = "1.0"
#: The longest stretch of a source line shown under a diagnostic: longer lines are cut
#: around the column, so that one minified line does not flood the terminal.
SHOWN_CHARACTERS = 120
#: What a diagnostic points at in a YAML line: a quoted string, or plain text up to a key's colon,
#: a comment or a flow indicator (a key, a name, a value of several words, a URL).
_YAML_TOKEN = re.compile(r""""(?:[^"\\]|\\.)*"?|'(?:[^']|'')*'?"""
                         r"""|(?:[^\s,\[\]{}#:]|:(?=\S))+(?:[ \t]+(?:[^\s,\[\]{}#:]|:(?=\S))+)*""")
#: A key and its value on a line of YAML, in a block or a flow mapping (the value without the spaces after it).
_YAML_SETTING = re.compile(r"""(?<![\w-])(?P<key>[\w-]+)["']?[ \t]*:[ \t]+"""
                           r"""(?P<value>"(?:[^"\\]|\\.)*"?|'(?:[^']|'')*'?|[^\s,\[\]{}#](?:[^,\[\]{}#]*[^\s,\[\]{}#])?)""")
#: A value that names an environment variable instead of holding a secret: ``"${CK_AE_ACCESS_TOKEN}"``.
_VARIABLE = re.compile(r"""^["']?\$\{\w+\}["']?$""")
#: What it points at in a template: a Jinja expression or tag, an element's opening, or an
#: attribute with its value.
_MARKUP_TOKEN = re.compile(r"""\{\{.*?\}\}|\{%.*?%\}|<[^\s>]+|[^\s=<>]+(?:=(?:"[^"]*"|'[^']*'|[^\s>]+))?""")


def format_diagnostics(diagnostics: list[Diagnostic], root: Path, fmt: str, color: bool = False,
                       folder: str = "") -> str:
    """``diagnostics`` in format ``fmt`` (one of ``FORMATS``); in text, paths after ``folder`` (``campaigns/``)."""
    if fmt == "text":
        return as_text(diagnostics, root, color, folder)
    return {"json": as_json, "github": as_github, "sarif": as_sarif}[fmt](diagnostics, root, color)


def as_text(diagnostics: list[Diagnostic], root: Path, color: bool = False, folder: str = "") -> str:
    """Like a compiler: ``file:line:col: CODE severity: message``, the line and a caret.

    ``folder`` goes before each path, for a reader who is not in the workspace's folder.
    """
    lines: list[str] = []
    for d in diagnostics:
        where = folder + str(d.position)
        severity = d.severity.value
        if color:
            where = click.style(where, bold=True)
            severity = click.style(severity, fg="red" if d.is_error else "yellow", bold=True)
        lines.append(f"{where}: {d.code} {severity}: {d.message}")
        source = _source_line(root, d.position.path, d.position.line)
        if source is not None:
            shown, column = _excerpt(_unsecret(source, d.position.path), d.position.column)
            lines.append(f"  {shown}")
            token = shown[column - 1:column - 1 + _token_length(shown, column, d.position.path)] or " "
            caret = _under(shown[:column - 1]) + "^" + _under(token, "~")[1:]
            lines.append("  " + (click.style(caret, fg="green", bold=True) if color else caret))
    lines.append(summary(diagnostics))
    return "\n".join(lines)


@lru_cache(maxsize=256)  # a long line may have many diagnostics
def _unsecret(source: str, path: str) -> str:
    """A line of ``path`` as shown under a diagnostic: in YAML, the value of a setting named like a secret
    starred out, unless it names an environment variable; in any file, a URL's password. Each character
    is starred, so that the caret still stands under what it points at."""
    source = without_passwords(source)
    if not path.endswith((".yaml", ".yml")) or not secret_name(source):  # most lines name no secret
        return source
    return _YAML_SETTING.sub(_starred, source)


def _starred(setting: re.Match[str]) -> str:
    """A key and its value, the value starred out if the key is named like a secret's and it is no variable."""
    if not secret_name(setting["key"]) or _VARIABLE.match(setting["value"]):
        return setting[0]
    return setting[0][:setting.start("value") - setting.start()] + "*" * len(setting["value"])


def _excerpt(source: str, column: int) -> tuple[str, int]:
    """The part of ``source`` to show, at most ``SHOWN_CHARACTERS`` long, and where ``column`` is in it."""
    column = min(column, len(source) + 1)
    if len(source) <= SHOWN_CHARACTERS:
        return source, column
    start = max(0, min(column - 1 - SHOWN_CHARACTERS // 2, len(source) - SHOWN_CHARACTERS))
    end = start + SHOWN_CHARACTERS
    head = "..." if start > 0 else ""
    tail = "..." if end < len(source) else ""
    return head + source[start:end] + tail, column - start + len(head)


def _under(text: str, mark: str = " ") -> str:
    """``mark`` as wide as ``text`` on a terminal: its tabs kept, two marks under a wide character."""
    return "".join("\t" if c == "\t" else mark * 2 if unicodedata.east_asian_width(c) in "WF" else mark for c in text)


def _token_length(source: str, column: int, path: str = ".yaml") -> int:
    """How many characters the token at ``column`` of ``source``, a line of ``path``, spans (at least one)."""
    token = _YAML_TOKEN if path.endswith((".yaml", ".yml")) else _MARKUP_TOKEN
    match = token.match(source, column - 1)
    return max(1, len(match.group())) if match else 1


def _end(root: Path, d: Diagnostic) -> Position:
    """Where what ``d`` points at ends (the column after it, as Terraform's and SARIF's ranges have it)."""
    if d.end is not None:
        return d.end
    source = _source_line(root, d.position.path, d.position.line)
    if source is None:
        return d.position
    return replace(d.position, column=d.position.column + _token_length(source, d.position.column, d.position.path))


def summary(diagnostics: Iterable[Diagnostic]) -> str:
    diagnostics = list(diagnostics)
    errors = sum(d.is_error for d in diagnostics)
    warnings = len(diagnostics) - errors
    if not diagnostics:
        return "Success! The workspace is valid."
    return f"{_count(errors, 'error')}, {_count(warnings, 'warning')}."


def as_json(diagnostics: list[Diagnostic], root: Path, color: bool = False) -> str:
    errors = sum(d.is_error for d in diagnostics)
    document = {
        "format_version": JSON_FORMAT_VERSION,
        "valid": errors == 0,
        "error_count": errors,
        "warning_count": len(diagnostics) - errors,
        "diagnostics": [_json_diagnostic(d, root) for d in diagnostics],
    }
    return json.dumps(document, indent=2, ensure_ascii=False)


def _json_diagnostic(d: Diagnostic, root: Path) -> dict:
    start = {"line": d.position.line, "column": d.position.column, "byte": _byte_offset(root, d.position)}
    end = _end(root, d)
    item = {
        "severity": d.severity.value,
        "summary": d.message,
        "detail": d.detail,
        "code": d.code,
        "range": {
            "filename": d.position.path,
            "start": start,
            "end": {"line": end.line, "column": end.column, "byte": _byte_offset(root, end)},
        },
    }
    if d.suggestion:
        item["suggestion"] = d.suggestion
    return item


def as_github(diagnostics: list[Diagnostic], root: Path, color: bool = False) -> str:
    """GitHub Actions workflow commands: one annotation per diagnostic.

    GitHub places an annotation by its path in the repository, so where the workspace is a
    folder of the checkout (``--chdir campaigns``) its paths are given from the checkout's root.
    """
    lines = []
    folder = _folder_in_repository(root)
    for d in diagnostics:
        level = "error" if d.is_error else "warning"
        end = _end(root, d)
        props = (f"file={_gh_property(folder + d.position.path)},line={d.position.line},col={d.position.column},"
                 f"endLine={end.line},endColumn={max(d.position.column, end.column - 1)},"
                 f"title={_gh_property(d.code)}")
        lines.append(f"::{level} {props}::{_gh_message(d.message)}")
    lines.append(summary(diagnostics))
    return "\n".join(lines)


def _repository_root(root: Path) -> Path:
    """The root of the repository that holds the workspace, which code hosts place files from.

    In GitHub Actions, the checkout (``GITHUB_WORKSPACE``); elsewhere the nearest folder at or
    above the workspace with a ``.git``; the workspace itself when it is in neither.
    """
    root = root.resolve()
    checkout = os.environ.get("GITHUB_WORKSPACE")
    if checkout:
        top = Path(checkout).resolve()
        return top if root.is_relative_to(top) else root
    return next((folder for folder in (root, *root.parents) if (folder / ".git").exists()), root)


def _folder_in_repository(root: Path) -> str:
    """The workspace's folder in its repository: "" at its root, or ``campaigns/``."""
    folder = root.resolve().relative_to(_repository_root(root)).as_posix()
    return "" if folder == "." else folder + "/"


def _gh_message(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _gh_property(text: str) -> str:
    return _gh_message(text).replace(":", "%3A").replace(",", "%2C")


def as_sarif(diagnostics: list[Diagnostic], root: Path, color: bool = False) -> str:
    """SARIF 2.1.0 with one rule per code that fired.

    Code scanning places a result by its path in the repository, as annotations are: where the
    workspace is a folder of it, its paths are given from the repository's root.
    """
    from campaignkit.checks import explain

    folder = _folder_in_repository(root)
    codes = sorted({d.code for d in diagnostics})
    rules = [{"id": code, "shortDescription": {"text": (explain(code) or code).splitlines()[0]},
              "fullDescription": {"text": explain(code) or code}} for code in codes]
    results = [{
        "ruleId": d.code,
        "ruleIndex": codes.index(d.code),
        "level": "error" if d.severity is Severity.ERROR else "warning",
        "message": {"text": d.message},
        "locations": [{"physicalLocation": {
            "artifactLocation": {"uri": quote(folder + d.position.path), "uriBaseId": "%SRCROOT%"},
            "region": _region(root, d),
        }}],
    } for d in diagnostics]
    document = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "campaignkit", "version": __version__, "rules": rules}},
            "originalUriBaseIds": {"%SRCROOT%": {"uri": _repository_root(root).as_uri() + "/"}},
            "results": results,
        }],
    }
    return json.dumps(document, indent=2, ensure_ascii=False)


def _region(root: Path, d: Diagnostic) -> dict[str, int]:
    end = _end(root, d)
    return {"startLine": d.position.line, "startColumn": d.position.column, "endLine": end.line,
            "endColumn": end.column}


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


@lru_cache(maxsize=64)
def _lines(root: Path, relative: str) -> list[str] | None:
    """The lines of a file of the workspace, or None for one the loader refused unread (too large, a link
    to outside, not a regular file), whose lines are not to be shown."""
    try:
        return read_inside(root, root / relative, MAX_FILE_BYTES).decode("utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError, Refused, TooLarge):
        return None


def _source_line(root: Path, relative: str, line: int) -> str | None:
    lines = _lines(root, relative)
    if lines is None or not 1 <= line <= len(lines):
        return None
    return lines[line - 1]


def _byte_offset(root: Path, position) -> int:
    lines = _lines(root, position.path)
    if lines is None:
        return 0
    before = sum(len(text.encode("utf-8")) + 1 for text in lines[: position.line - 1])
    current = lines[position.line - 1] if 0 < position.line <= len(lines) else ""
    return before + len(current[: position.column - 1].encode("utf-8"))
