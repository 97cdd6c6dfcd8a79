"""Email bodies: rendered from the templates, compared by digest, carried only by the changes that send them.

A workspace may hold thousands of emails. Rendering each on every plan, and
keeping every body in state, would make plan slow and state as large as all
the emails together. So desired objects and state carry only the digest of
an email's rendered HTML and text (``content_sha256``), taken from a cache
keyed on everything rendering reads (templates, partials, fields, vars) and
rendered only when that changed. The bodies themselves are attached to the
plan's creates and updates of email content, with the bodies the target holds
now, for the unified diff a reviewer reads. A target with a merge language of
its own (``Target.merge_language``) gets bodies and subjects in that language
instead of rendered for the sample prospect. Rendering itself is ``render``'s
job; this module only decides when to ask for it.
"""

from __future__ import annotations

import copy
from dataclasses import replace
from typing import Any, Callable

from campaignkit.cache import ResultCache, digest
from campaignkit.model import Resource, Workspace
from campaignkit.plan.changes import Action, Change, Plan
from campaignkit.targets import Target, TargetError
from campaignkit.targets.base import CONTENT_DIGEST, Content, content_digest

#: Renders one email to its bodies (``html_body`` and ``text_body``).
Render = Callable[[Resource], Content]


class EmailBodies:
    """The rendered bodies of a workspace's emails, and their digests (cached across runs)."""

    def __init__(self, workspace: Workspace, templates_digest: str, render: Render | None = None,
                 merge_language: str | None = None) -> None:
        self.workspace = workspace
        self.merge_language = merge_language
        self._render = render or _renderer(workspace, merge_language)
        # A cache is only sound for the real renderer: its key does not name the function.
        self._cache = ResultCache(workspace.root, "email-content") if render is None else None
        self._inputs = digest(templates_digest, workspace.config.vars, merge_language,
                              [f.attributes | {"name": f.name} for f in workspace.of_kind("field")])
        self._subjects: _Subjects | None = None
        self._rendered: dict[str, Content] = {}

    def digest(self, resource: Resource, attributes: dict[str, Any]) -> str:
        """The digest of the email's bodies; ``attributes`` are the resource's (computed once by the caller)."""
        key = digest(self._inputs, resource.address, attributes)
        cached = self._cache.get(key) if self._cache else None
        if cached is None:
            cached = content_digest(self.bodies(resource))
            if self._cache:
                self._cache.put(key, cached)
        return cached

    def bodies(self, resource: Resource) -> Content:
        if resource.address not in self._rendered:
            self._rendered[resource.address] = self._render(resource)
        return self._rendered[resource.address]

    def save(self) -> None:
        if self._cache:
            self._cache.save()

    def subject(self, resource: Resource) -> str | None:
        """The subject in the target's merge language; None when the target merges nothing itself."""
        if self.merge_language is None:
            return None
        if self._subjects is None:
            self._subjects = _Subjects(self.workspace, self.merge_language)
        return self._subjects(resource)


class _Subjects:
    """Subjects rendered in a platform's merge language (``{{ first_name }}`` -> the platform's tag)."""

    def __init__(self, workspace: Workspace, merge_language: str) -> None:
        from campaignkit.render import EmailContext
        from campaignkit.render.platform_merge import platform_values

        self._context = EmailContext(workspace)
        self._values = platform_values(workspace, merge_language)

    def __call__(self, resource: Resource) -> str:
        from campaignkit.render.platform_merge import render_subject

        return render_subject(self._context, resource, self._values)


def merge_language_of(target: Target) -> str | None:
    """The merge language a target sends emails in (``Target.merge_language``); None: it gets them rendered."""
    return getattr(target, "merge_language", None)


def _renderer(workspace: Workspace, merge_language: str | None) -> Render:
    """Renders for the sample prospect or, for a target with a merge language of its own, in that language."""
    from campaignkit.render import EmailContext, render_email
    from campaignkit.render.platform_merge import platform_values, render_for_platform

    context: list[EmailContext] = []  # made on first use: most plans render nothing

    def render(resource: Resource) -> Content:
        if not context:
            context.append(EmailContext(workspace))
        email = _without_subject(resource)
        if merge_language is None:
            rendered = render_email(context[0], email)
        else:
            rendered = render_for_platform(context[0], email, platform_values(workspace, merge_language))
        return {"html_body": rendered.html, "text_body": rendered.text}

    return render


def _without_subject(resource: Resource) -> Resource:
    """The email with an empty subject, for rendering the body a platform stores.

    A platform keeps the subject as a field of its own. Rendered into the
    body's ``<title>`` it would make every subject change a body change too,
    and the plan would show more than the one field a reviewer changed.
    """
    data = copy.copy(resource.data)  # keeps the source positions for messages
    data["subject"] = ""
    return replace(resource, data=data)


def attach_bodies(plan: Plan, bodies: EmailBodies, target: Target) -> Plan:
    """``plan`` with the bodies on each change that sends email content, and the bodies held before."""
    return replace(plan, changes=tuple(_with_bodies(c, bodies, target) for c in plan.changes))


def _with_bodies(change: Change, bodies: EmailBodies, target: Target) -> Change:
    if change.kind != "email" or change.action is Action.DELETE:
        return change
    if change.action is Action.UPDATE and not any(f.path == CONTENT_DIGEST for f in change.fields):
        return change
    resource = bodies.workspace.resources[change.address]
    before = _held(target, change) if change.action is Action.UPDATE else None
    return replace(change, content=bodies.bodies(resource), content_before=before)


def _held(target: Target, change: Change) -> Content | None:
    """The bodies the target holds now, for the diff; none if it cannot say."""
    try:
        remote = target.read(change.kind, change.target_id)
    except TargetError:
        return None
    return remote.content if remote is not None else None
