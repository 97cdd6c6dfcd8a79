"""The reviewers' preview: a static site of every email and every program of a workspace.

A pull request reviewer should see what the emails look like and what the
programs became without reading YAML or running a server. ``build_site``
gathers it (each email rendered for one sample prospect per persona and for a
prospect whose fields are all empty, its checks, each program's diagram);
``write_site`` lays it out with the Jinja2 templates in ``preview_assets/``
into an ``index.html`` and one page per email that open straight from the file
system. Emails are shown in sandboxed ``<iframe srcdoc>`` frames so that their
HTML and CSS cannot touch the page around them, each at a phone's and a desktop
client's width.

Given the workspace as it was before a change (``Base``), the site marks each
email and program as added, changed, removed or unchanged, and shows a changed
email's renderings before and after side by side. Given the impact of the
change (``review.impact``), it draws each moved program's MQLs by week and
emails sent per email, before and after.

It must not change the workspace or state, and it does not judge: the checks
are those of ``validate`` and the renderings those of ``render``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, TypeVar

from jinja2 import Environment, PackageLoader
from markupsafe import Markup

from campaignkit.diagnostics import Diagnostic
from campaignkit.emails import EmailContext, check_emails, render_email
from campaignkit.errors import UserError
from campaignkit.review.impact import Impact
from campaignkit.targets import merge_language
from campaignkit.views import diagram
from campaignkit.views.impact_chart import emails_chart, mqls_chart
from campaignkit.workspace.model import Resource, Workspace

#: Where ``preview`` writes when given no ``--out``, relative to the workspace root.
DEFAULT_OUT = Path(".campaignkit") / "preview"
EMAIL_FOLDER = "emails"
#: In a preview's folder: the files it wrote, one a line, so that the next one removes only those.
MANIFEST = ".campaignkit-preview"
_UNSAFE_FILE_CHARS = re.compile(r"[^A-Za-z0-9._-]")
_SVG_START = re.compile(r"<svg\b")


@dataclass(frozen=True)
class Sample:
    """A prospect an email is shown for: a persona's ``sample`` or nobody in particular."""

    label: str
    prospect: dict[str, Any]


@dataclass(frozen=True)
class Rendering:
    """An email as one sample prospect gets it, or why it could not be rendered for them."""

    sample: Sample
    subject: str = ""
    preheader: str = ""
    html: str = ""
    text: str = ""
    problem: str = ""


#: What a change did to an email or a program, when the site is made against a base.
ADDED, CHANGED, REMOVED, UNCHANGED = "added", "changed", "removed", "unchanged"


@dataclass(frozen=True)
class Base:
    """The workspace before the change, and how to name it to a reviewer (``origin/main``)."""

    workspace: Workspace
    label: str


@dataclass(frozen=True)
class EmailView:
    address: str
    name: str
    page: str
    subject: str
    preheader: str
    size: int
    checks: tuple[Diagnostic, ...]
    renderings: tuple[Rendering, ...]
    change: str = ""  # "" when there is no base
    before: tuple[Rendering, ...] = ()


@dataclass(frozen=True)
class ProgramView:
    address: str
    description: str
    mermaid: str
    svg: Markup | None
    change: str = ""
    before: ProgramView | None = None


View = TypeVar("View", EmailView, ProgramView)


@dataclass(frozen=True)
class Site:
    workspace: str
    emails: tuple[EmailView, ...]
    programs: tuple[ProgramView, ...]
    base: str = ""  # the label of the base, when there is one
    #: What the change does to the funnel (``preview --base`` or ``--plan``), drawn as charts.
    impact: Impact | None = None

    def changed(self, views: tuple[EmailView, ...] | tuple[ProgramView, ...]) -> dict[str, int]:
        """How many of ``views`` each change touched, for the summary at the top of the index."""
        counts = {change: sum(view.change == change for view in views) for change in (ADDED, CHANGED, REMOVED)}
        return {change: count for change, count in counts.items() if count}


def samples(workspace: Workspace) -> list[Sample]:
    """One prospect per persona that has a ``sample``, then one whose fields are all empty.

    The empty one shows what every field's default mail-merge value reads like.
    """
    found = [Sample(f"{p.name} ({p.data['role']})" if p.data.get("role") else p.name, dict(p.data["sample"]))
             for p in workspace.of_kind("persona") if isinstance(p.data.get("sample"), dict)]
    return [*found, Sample("every field empty", {})]


def build_site(workspace: Workspace, base: Base | None = None, impact: Impact | None = None) -> Site:
    """Everything the preview shows, computed; nothing is written."""
    emails = workspace.of_kind("email")
    people = samples(workspace)
    checked = check_emails(workspace, emails, merge_language).result()
    views = _email_views(workspace, people, [tuple(checks) for checks in checked])
    draw_svg = diagram.has_graphviz()
    programs = tuple(_program_view(program, draw_svg) for program in workspace.of_kind("program"))
    name = workspace.config.workspace or workspace.root.name
    if base is None:
        return Site(name, views, programs, impact=impact)
    # The same prospects before and after, so that only the change makes a difference.
    before = _email_views(base.workspace, people, [() for _ in base.workspace.of_kind("email")])
    before_programs = tuple(_program_view(program, draw_svg) for program in base.workspace.of_kind("program"))
    return Site(name, _compared(views, before, workspace, base.workspace),
                _compared(programs, before_programs, workspace, base.workspace), base.label, impact)


def _email_views(workspace: Workspace, people: list[Sample],
                 checks: list[tuple[Diagnostic, ...]]) -> tuple[EmailView, ...]:
    context = EmailContext.of(workspace)
    return tuple(_email_view(context, email, people, found)
                 for email, found in zip(workspace.of_kind("email"), checks, strict=True))


def _compared(after: tuple[View, ...], before: tuple[View, ...], workspace: Workspace,
              base: Workspace) -> tuple[View, ...]:
    """``after`` marked against ``before`` (the same views of the base), with what was removed at the end.

    A view is unchanged when it shows the same and its resource declares the same: an
    email's sender is in no rendering.
    """
    earlier = {view.address: view for view in before}
    marked: list[View] = []
    for view in after:
        old = earlier.get(view.address)
        if old is None:
            marked.append(replace(view, change=ADDED))
            continue
        same = _shown(view) == _shown(old) and _declared(workspace, view.address) == _declared(base, view.address)
        marked.append(replace(view, change=UNCHANGED) if same else _with_before(replace(view, change=CHANGED), old))
    now = {view.address for view in after}
    removed: list[View] = [_with_before(replace(view, change=REMOVED), view)
                           for view in before if view.address not in now]
    return tuple(marked + removed)


def _shown(view: EmailView | ProgramView) -> object:
    return view.renderings if isinstance(view, EmailView) else view.mermaid


def _with_before(view: View, old: View) -> View:
    return replace(view, before=old.renderings if isinstance(old, EmailView) else old)


def _declared(workspace: Workspace, address: str) -> dict[str, Any]:
    resource = workspace.resources.get(address)
    return resource.attributes if resource is not None else {}


def write_site(workspace: Workspace, folder: Path, base: Base | None = None, impact: Impact | None = None) -> Path:
    """Writes the preview into ``folder`` and returns the path of its ``index.html``.

    The folder must be empty, new, or a preview's: the pages a preview wrote are listed in
    ``MANIFEST``, and only those are removed when their emails are gone. Files of the
    user's own are never touched.
    """
    ours = folder == workspace.root / DEFAULT_OUT
    written_before = _written_before(folder, may_claim=ours)
    site = build_site(workspace, base, impact)
    pages = folder / EMAIL_FOLDER
    pages.mkdir(parents=True, exist_ok=True)
    environment = _environment()
    written = {f"{EMAIL_FOLDER}/{email.page}" for email in site.emails} | {"index.html"}
    # Pages of emails since deleted or renamed would otherwise linger and mislead.
    for stale in written_before - written:
        (folder / stale).unlink(missing_ok=True)
    for email in site.emails:
        (pages / email.page).write_text(environment.get_template("email.html").render(site=site, email=email),
                                        encoding="utf-8")
    index = folder / "index.html"
    index.write_text(environment.get_template("index.html").render(site=site), encoding="utf-8")
    (folder / MANIFEST).write_text("".join(f"{name}\n" for name in sorted(written)), encoding="utf-8")
    return index


def _written_before(folder: Path, may_claim: bool) -> set[str]:
    """The files the last preview wrote in ``folder``; refuses a folder with files of someone else's."""
    manifest = folder / MANIFEST
    if manifest.is_file():
        return {line for line in manifest.read_text(encoding="utf-8").splitlines()
                if line and ".." not in line.split("/") and not line.startswith("/")}
    if folder.is_dir() and any(folder.iterdir()) and not may_claim:
        raise UserError(f"{folder} already holds files that no preview wrote; "
                        "choose an empty or new folder for --out")
    return set()


def _environment() -> Environment:
    environment = Environment(loader=PackageLoader("campaignkit.views", "preview_assets"), autoescape=True,
                              trim_blocks=True, lstrip_blocks=True)
    environment.filters["kilobytes"] = lambda size: f"{size / 1024:.1f} KB"
    environment.globals.update(mqls_chart=mqls_chart, emails_chart=emails_chart)
    return environment


def _email_view(context: EmailContext, email: Resource, people: list[Sample],
                checks: tuple[Diagnostic, ...]) -> EmailView:
    default = _render(context, email, Sample("sample prospect", {}), None)
    return EmailView(
        address=email.address,
        name=email.name,
        page=_UNSAFE_FILE_CHARS.sub("_", email.name) + ".html",
        subject=default.subject,
        preheader=default.preheader,
        size=len(default.html.encode("utf-8")),
        checks=checks,
        renderings=tuple(_render(context, email, person, person.prospect) for person in people),
    )


def _render(context: EmailContext, email: Resource, sample: Sample, prospect: dict[str, Any] | None) -> Rendering:
    """The email for one prospect; a prospect the email cannot be rendered for is shown with the reason."""
    try:
        rendered = render_email(context, email, prospect)
    except UserError as exc:
        return Rendering(sample, problem=str(exc))
    return Rendering(sample, rendered.subject, rendered.preheader, rendered.html, rendered.text)


def _program_view(program: Resource, draw_svg: bool) -> ProgramView:
    drawing = diagram.diagram_of(program.name, program.data)
    return ProgramView(
        address=program.address,
        description=str(program.data.get("description") or ""),
        mermaid=diagram.to_mermaid(drawing),
        svg=_inline_svg(diagram.to_svg(drawing)) if draw_svg else None,
    )


def _inline_svg(document: str) -> Markup:
    """Graphviz's SVG without its XML prolog and doctype, which are not allowed inside HTML.

    Graphviz escapes the labels it writes, so the rest is safe to insert as markup.
    """
    start = _SVG_START.search(document)
    return Markup(document[start.start():] if start else document)
