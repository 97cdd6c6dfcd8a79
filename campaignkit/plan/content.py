"""Email bodies: rendered from the templates, compared by digest, carried only by the changes that send them.

A workspace may hold thousands of emails. Rendering each on every plan, and
keeping every body in state, would make plan slow and state as large as all
the emails together. So desired objects and state carry only the digest of
an email's rendered HTML and text (``content_sha256``), taken from a cache
keyed on everything rendering reads (templates, partials, fields, vars) and
rendered only when that changed. The bodies themselves are attached to the
plan's creates and updates of email content, with the bodies the target holds
now, for the unified diff a reviewer reads. An environment whose target merges
each recipient's values itself (``targets.merge_language``) gets bodies and
subjects in its merge language instead of rendered for the sample prospect. Rendering itself is
``render``'s job; this module only decides when to ask for it.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from dataclasses import replace
from functools import cached_property
from typing import TYPE_CHECKING, Any

from campaignkit.emails.cache import ResultCache, digest
from campaignkit.emails.merge import MergeLanguage
from campaignkit.errors import UserError
from campaignkit.plan.changes import Action, Change, Plan, Received
from campaignkit.targets import Target, TargetError
from campaignkit.targets.base import CONTENT_DIGEST, CONTENT_FIELDS, Content, content_digest
from campaignkit.workspace.model import Resource, Workspace, plain

if TYPE_CHECKING:
    from campaignkit.emails import EmailContext

#: Renders one email to its bodies (``html_body`` and ``text_body``), and possibly ``INBOX_FIELDS``.
Render = Callable[[Resource], Content]
#: What an inbox shows of an email before it is opened.
INBOX_FIELDS = ("subject", "preheader")


class EmailBodies:
    """The rendered bodies of a workspace's emails, and their digests (cached across runs)."""

    def __init__(self, workspace: Workspace, render: Render | None = None,
                 merge_language: MergeLanguage | None = None) -> None:
        self.workspace = workspace
        self.merge_language = merge_language
        renderer = _Renderer(workspace, merge_language)
        self._renderer = renderer if render is None else None
        self._render: Render = render or renderer
        # A cache is only sound for the real renderer: its key does not name the function.
        self._cache = ResultCache(workspace.root, "email-content") if render is None else None
        self._inputs = digest(workspace.config.vars, merge_language.name if merge_language else None,
                              [f.attributes | {"name": f.name} for f in workspace.of_kind("field")])
        self._subjects: _Subjects | None = None
        self._rendered: dict[str, Content] = {}
        self._digests: dict[str, str] = {}  # found in the cache by ``prepare``

    def digest(self, resource: Resource, attributes: dict[str, Any]) -> str:
        """The digest of the email's bodies; ``attributes`` are the resource's (computed once by the caller)."""
        if resource.address in self._digests:
            return self._digests[resource.address]
        key = self._key(resource, attributes)
        cached = self._cache.get(key) if self._cache else None
        if cached is None:
            cached = content_digest(self.bodies(resource))
            if self._cache:
                self._cache.put(key, cached)
        return cached

    def prepare(self, emails: Sequence[Resource]) -> None:
        """Looks up the digests of ``emails``, and renders at once, on every core, those not cached."""
        if self._cache is None:
            return
        missing = []
        for email in emails:
            cached = self._cache.get(self._key(email, email.attributes))
            if cached is None:
                missing.append(email)
            else:
                self._digests[email.address] = cached
        self.render_all(missing)

    def render_all(self, emails: Sequence[Resource]) -> None:
        """Renders at once, on every core, the bodies of ``emails`` not rendered yet."""
        if self._renderer is None:
            return  # a renderer given for a test: ``bodies`` renders them one by one
        missing = [email for email in emails if email.address not in self._rendered]
        if not missing:
            return  # nothing to render: the renderer (and Jinja) is not even made
        for email, content in zip(missing, self._renderer.many(missing), strict=True):
            self._rendered[email.address] = content

    def bodies(self, resource: Resource) -> Content:
        if resource.address not in self._rendered:
            self._rendered[resource.address] = self._render(resource)
        return self._rendered[resource.address]

    def _key(self, resource: Resource, attributes: dict[str, Any]) -> str:
        return digest(self._inputs, resource.address, attributes, self.workspace.template_reads.of(resource))

    def save(self) -> None:
        if self._cache:
            self._cache.save()

    def received(self, resource: Resource) -> tuple[Received, ...]:
        """The subject and preheader as each persona the email is written for gets them (every persona
        with a sample when it names none): a reviewer reads "Hi Charlie," beside the template."""
        named = [self.workspace.get(str(p)) for p in resource.data.get("personas") or ()]
        personas = [p for p in named or self.workspace.of_kind("persona")
                    if p is not None and isinstance(p.data.get("sample"), dict)]
        return tuple(_received(self._context, resource, persona) for persona in personas)

    @cached_property
    def _context(self) -> EmailContext:
        from campaignkit.emails import EmailContext

        return self._renderer.context if self._renderer is not None else EmailContext.of(self.workspace)

    def subject(self, resource: Resource) -> str | None:
        """The subject in the target's merge language; None when the target merges nothing itself."""
        if self.merge_language is None:
            return None
        if self._subjects is None:
            self._subjects = _Subjects(self.workspace, self.merge_language)
        return self._subjects(resource)


class _Subjects:
    """Subjects rendered in a platform's merge language (``{{ first_name }}`` -> the platform's tag)."""

    def __init__(self, workspace: Workspace, merge_language: MergeLanguage) -> None:
        from campaignkit.emails import EmailContext
        from campaignkit.emails.platform_merge import platform_values

        self._context = EmailContext.of(workspace)
        self._values = platform_values(workspace, merge_language)

    def __call__(self, resource: Resource) -> str:
        from campaignkit.emails.platform_merge import render_subject

        return render_subject(self._context, resource, self._values)


class _Renderer:
    """Renders emails to their bodies, for the sample prospect or in a target's merge language."""

    def __init__(self, workspace: Workspace, merge_language: MergeLanguage | None) -> None:
        self.workspace = workspace
        self.merge_language = merge_language

    def __call__(self, resource: Resource) -> Content:
        return self._bodies(self.context, resource)

    def many(self, resources: Sequence[Resource]) -> list[Content]:
        """The bodies of ``resources``, in order, rendered on every core."""
        from campaignkit.emails.workers import render_bodies

        return render_bodies(self._bodies, self.context, resources).result()

    @cached_property
    def context(self) -> EmailContext:  # made on first use: most plans render nothing
        from campaignkit.emails import EmailContext

        return EmailContext.of(self.workspace)

    @cached_property
    def _values(self) -> dict[str, Any]:
        from campaignkit.emails.platform_merge import platform_values

        assert self.merge_language is not None, "values in a merge language are asked for only with one"
        return platform_values(self.workspace, self.merge_language)

    def _bodies(self, context: EmailContext, resource: Resource) -> Content:
        """The bodies, and the subject and preheader (``INBOX_FIELDS``) for the plan's reader."""
        from campaignkit.emails import render_email
        from campaignkit.emails.platform_merge import render_for_platform
        from campaignkit.emails.rendering import render_inline

        email = _without_subject(resource)
        if self.merge_language is None:
            rendered = render_email(context, email)
            values = context.sample_values()
        else:
            rendered = render_for_platform(context, email, self._values)
            values = self._values
        return {"html_body": rendered.html, "text_body": rendered.text, "preheader": rendered.preheader,
                "subject": render_inline(context, resource, "subject", values)}


def _received(context: EmailContext, email: Resource, persona: Resource) -> Received:
    from campaignkit.emails.rendering import RenderFailure, render_inline

    role = persona.data.get("role")
    label = f"{persona.name} ({role})" if role else persona.name
    try:
        values = context.merge.values(plain(persona.data["sample"]))
        return Received(label, render_inline(context, email, "subject", values),
                        render_inline(context, email, "preheader", values))
    except RenderFailure as failure:
        return Received(label, problem=failure.message)
    except UserError as error:
        return Received(label, problem=str(error))


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
    """``plan`` with the bodies on each change that sends email content, and the bodies held before; and
    the subject and preheader as each persona gets them on each change of an email's inbox text too."""
    bodies.render_all([bodies.workspace.resources[c.address] for c in plan.changes if _sends_content(c)])
    return replace(plan, changes=tuple(_with_bodies(c, bodies, target) for c in plan.changes))


def _sends_content(change: Change) -> bool:
    if change.kind != "email" or change.action is Action.DELETE:
        return False
    return change.action is not Action.UPDATE or any(f.path == CONTENT_DIGEST for f in change.fields)


def _with_bodies(change: Change, bodies: EmailBodies, target: Target) -> Change:
    if not _sends_content(change):
        inbox_changed = any(f.top in INBOX_FIELDS for f in change.fields)
        if change.kind == "email" and change.action is Action.UPDATE and inbox_changed:
            return replace(change, received=bodies.received(bodies.workspace.resources[change.address]))
        return change
    resource = bodies.workspace.resources[change.address]
    before = _held(target, change) if change.action is Action.UPDATE else None
    rendered = bodies.bodies(resource)
    inbox = {key: rendered[key] for key in INBOX_FIELDS if key in rendered}
    return replace(change, content={key: rendered[key] for key in CONTENT_FIELDS if key in rendered},
                   content_before=before, inbox=inbox or None, received=bodies.received(resource))


def _held(target: Target, change: Change) -> Content | None:
    """The bodies the target holds now, for the diff; none if it cannot say."""
    try:
        remote = target.read(change.kind, change.target_id)
    except TargetError:
        return None
    return remote.content if remote is not None else None
