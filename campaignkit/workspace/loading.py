"""The workspace: finding it, and loading ``campaignkit.yaml`` and every resource file.

Turns loaded YAML documents into the model. Problems that make a document
unusable as a resource (not a mapping, no kind, an unknown kind) are reported
here; whether a resource's fields are right is left to ``checks``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from pathspec import GitIgnoreSpec
from pathspec.patterns.gitignore import GitIgnorePatternError

from campaignkit.diagnostics import Diagnostic, Position, closest, did_you_mean, error
from campaignkit.errors import UserError
from campaignkit.workspace.documents import MAX_FILE_BYTES, Document, load_file, position_of
from campaignkit.workspace.files import Refused, TooLarge, read_inside
from campaignkit.workspace.locales import translations
from campaignkit.workspace.model import KINDS, Config, Environment, Resource, Workspace

CONFIG_FILE = "campaignkit.yaml"
#: Folders below the root that hold no resources.
_SKIPPED_TOP = frozenset({"tests", ".campaignkit", "node_modules"})
_SUFFIXES = (".yaml", ".yml")
#: Codes of a file that could not be read, or read only in part.
UNREAD_CODES = frozenset({"CK001", "CK003", "CK004", "CK005"})
_WORD = re.compile(r"[\w.-]+")


def find_root(start: Path) -> Path:
    """The nearest folder at or above ``start`` that holds ``campaignkit.yaml``."""
    start = start.resolve()
    for folder in (start, *start.parents):
        if (folder / CONFIG_FILE).is_file():
            return folder
    raise UserError(
        f"no {CONFIG_FILE} in {start} or any folder above it: run 'campaignkit init' to create a workspace, "
        "or use --chdir to point at one"
    )


def roots_of(paths: Iterable[Path]) -> list[Path]:
    """The workspaces that hold ``paths``, each its nearest folder with a ``campaignkit.yaml``, in order.

    A hook is given the files a commit changes, wherever the workspace is in the repository;
    a path in no workspace (a README, the CI's own YAML) has none and is left out.
    """
    roots: dict[Path, None] = {}
    for path in paths:
        folder = path.resolve().parent
        root = next((f for f in (folder, *folder.parents) if (f / CONFIG_FILE).is_file()), None)
        if root is not None:
            roots[root] = None
    return list(roots)


def resource_files(root: Path, exclude: Sequence[str] = ()) -> list[Path]:
    """Every resource file below ``root``, in a stable order.

    Hidden files and folders (``.pre-commit-config.yaml``, ``.github/``) belong to other tools,
    and what matches an ``exclude`` pattern (``.gitignore``'s syntax, from the root) is left out.
    A folder with a ``campaignkit.yaml`` of its own is another workspace, and is left to it.
    """
    excluded = GitIgnoreSpec.from_lines(exclude)
    found: list[Path] = []
    for folder, dirs, files in os.walk(root):
        at_top = folder == str(root)
        relative = Path(folder).relative_to(root)
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and not (at_top and d in _SKIPPED_TOP)
                         and not excluded.match_file(f"{(relative / d).as_posix()}/")
                         and not os.path.isfile(os.path.join(folder, d, CONFIG_FILE)))
        for name in sorted(files):
            if (name.endswith(_SUFFIXES) and not name.startswith(".") and not (at_top and name == CONFIG_FILE)
                    and not excluded.match_file((relative / name).as_posix())):
                found.append(Path(folder, name))
    return found


def load_workspace(root: Path) -> tuple[Workspace, list[Diagnostic]]:
    """The workspace at ``root`` and every diagnostic found while loading it."""
    diagnostics: list[Diagnostic] = []
    config = _load_config(root, diagnostics)
    files = resource_files(root, config.exclude)
    documents: list[Resource] = []
    unreadable: list[Path] = []
    for path in files:
        docs, problems = load_file(path, path.relative_to(root).as_posix(), root)
        diagnostics.extend(problems)
        if any(problem.code in UNREAD_CODES for problem in problems):
            unreadable.append(path)
        for doc in docs:
            resource = _resource(doc, diagnostics)
            if resource is not None:
                documents.append(resource)
    resources: dict[str, Resource] = {}
    for resource in documents:
        resources.setdefault(resource.address, resource)
    for translation in [t for r in resources.values() for t in translations(r)]:
        resources.setdefault(translation.address, translation)
    return Workspace(root, config, resources, files, documents, _words_of(root, unreadable)), diagnostics


def _words_of(root: Path, paths: list[Path]) -> frozenset[str]:
    """The words (names, as far as they can be told) in files that did not load, in whole or in part:
    a reference to a resource that one of them may declare is not reported as undeclared."""
    words: set[str] = set()
    for path in paths:
        try:
            text = read_inside(root, path, MAX_FILE_BYTES).decode("utf-8", "replace")
        except (OSError, Refused, TooLarge):
            continue
        words.update(_WORD.findall(text))
    return frozenset(words)


def _resource(doc: Document, diagnostics: list[Diagnostic]) -> Resource | None:
    data = doc.data
    if not isinstance(data, dict):
        diagnostics.append(error("CK006", "a resource document must be a mapping with 'kind' and 'name'",
                                 doc.position))
        return None
    kind = data.get("kind")
    if kind is None:
        diagnostics.append(error("CK006", f"document has no 'kind'; say which of {', '.join(KINDS)} it declares",
                                 doc.position))
        return None
    if kind not in KINDS:
        suggestion = closest(str(kind), KINDS)
        diagnostics.append(error("CK007", f"unknown kind '{kind}'{did_you_mean(suggestion)}; "
                                 f"kinds are {', '.join(KINDS)}", position_of(data, ("kind",), doc.position),
                                 suggestion=suggestion))
        return None
    name = data.get("name")
    return Resource(kind, name if isinstance(name, str) else "", data, doc.position)


def _load_config(root: Path, diagnostics: list[Diagnostic]) -> Config:
    docs, problems = load_file(root / CONFIG_FILE, CONFIG_FILE, root)
    diagnostics.extend(problems)
    start = Position(CONFIG_FILE)
    if len(docs) > 1:
        diagnostics.append(error("CK008", f"{CONFIG_FILE} must hold one YAML document", docs[1].position))
    data = docs[0].data if docs else {}
    if not isinstance(data, dict):
        diagnostics.append(error("CK008", f"{CONFIG_FILE} must be a mapping with 'workspace' and 'environments'",
                                 docs[0].position))
        data = {}
    config = config_from(data, docs[0].position if docs else start)
    diagnostics.extend(_default_problems(data, config))
    diagnostics.extend(_exclude_problems(data, config))
    return config


def _exclude_problems(data: dict[str, Any], config: Config) -> list[Diagnostic]:
    """An ``exclude`` pattern that ``.gitignore``'s syntax cannot read (``!`` alone, a trailing ``\\``)."""
    patterns = _sequence(data.get("exclude"))
    return [error("CK008", f"exclude pattern '{pattern}' is not a .gitignore pattern: write a path or a glob "
                  "from the workspace root, such as drafts/ or *.draft.yaml",
                  position_of(data, ("exclude", index), config.position))
            for index, pattern in enumerate(patterns) if isinstance(pattern, str) and not _valid_pattern(pattern)]


def _valid_pattern(pattern: str) -> bool:
    try:
        GitIgnoreSpec.from_lines([pattern])
    except GitIgnorePatternError:
        return False
    return True


def _default_problems(data: dict[str, Any], config: Config) -> list[Diagnostic]:
    """``default_environment`` must name an environment when there is a choice: falling back to
    the first one listed would send a mistyped default's plan and apply to production."""
    default = data.get("default_environment")
    names = list(_mapping(data.get("environments")))
    if default is None:
        if len(names) < 2:
            return []
        return [error("CK008", f"{CONFIG_FILE} has {len(names)} environments: set default_environment to the one "
                      f"commands use without --env ({', '.join(names)})", config.position)]
    if not isinstance(default, str) or default in names:
        return []  # a wrong type is the schema's to report
    suggestion = closest(default, names)
    return [error("CK008", f"default_environment '{default}' is not an environment{did_you_mean(suggestion)}; "
                  f"environments are {', '.join(names) or 'none'}",
                  position_of(data, ("default_environment",), config.position),
                  suggestion=suggestion)]


def config_from(data: dict[str, Any], position: Position) -> Config:
    """A ``Config`` from the mapping in ``campaignkit.yaml``, tolerant of wrong shapes.

    The schema check reports what is wrong; the model only must not crash on it.
    """
    raw_envs = _mapping(data.get("environments"))
    environments = {name: _environment(name, _mapping(env)) for name, env in raw_envs.items()}
    if not environments:
        environments = {"sandbox": Environment("sandbox")}
    default = data.get("default_environment")
    if default not in environments:
        default = next(iter(environments))
    crm = _mapping(data.get("crm"))
    return Config(
        workspace=str(data.get("workspace", "")),
        default_environment=default,
        environments=environments,
        vars=_mapping(data.get("vars")),
        users=tuple(str(u) for u in _sequence(crm.get("users"))),
        queues=tuple(str(q) for q in _sequence(crm.get("queues"))),
        exclude=tuple(p for p in _sequence(data.get("exclude")) if isinstance(p, str) and _valid_pattern(p)),
        data=data,
        position=position,
    )


def _environment(name: str, raw: dict[str, Any]) -> Environment:
    return Environment(
        name=str(name),
        target=str(raw.get("target", "local")),
        state=str(raw.get("state") or f"sqlite:.campaignkit/{name}.db"),
        protect=tuple(str(p) for p in _sequence(raw.get("protect"))),
        settings=_mapping(raw.get("settings")),
    )


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _sequence(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []
