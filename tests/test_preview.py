"""The reviewers' preview site: what it shows for the example workspace and for small ones."""

from __future__ import annotations

import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest
from markupsafe import escape

from campaignkit.errors import UserError
from campaignkit.views.preview import samples, write_site
from campaignkit.emails import EmailContext, render_email
from campaignkit.workspace.loading import load_workspace
from tests.workspaces import write_workspace

EXAMPLES = Path(__file__).resolve().parent.parent / "campaigns"

EMAIL = """\
kind: email
name: 2026-email-hello-email
subject: "Hello {{ first_name }} <&> friends"
preheader: Short & sweet
from: {name: Acme, email: news@acme.example}
template: hello.mjml
"""
HELLO = """\
<mjml><mj-body><mj-section><mj-column>
<mj-text>Hi {{ first_name }}, "quoted" & <b>bold</b>. {{ company_address }}</mj-text>
<mj-image src="https://acme.example/logo.png"></mj-image>
</mj-column></mj-section></mj-body></mjml>
"""
PERSONA = """\
kind: persona
name: cmo
role: Chief Marketing Officer
sample: {first_name: Charlie}
"""


class Page(HTMLParser):
    """The iframes, pre blocks and svg elements of a page, with their attributes and text."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.frames: list[dict[str, str]] = []
        self.pres: list[str] = []
        self.tags: list[str] = []
        self._in_pre = False
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        if tag == "iframe":
            self.frames.append(dict(attrs))
        self._in_pre = tag == "pre"
        if self._in_pre:
            self.pres.append("")

    def handle_endtag(self, tag):
        if tag == "pre":
            self._in_pre = False

    def handle_data(self, data):
        if self._in_pre:
            self.pres[-1] += data


@pytest.fixture(scope="module")
def example_site(tmp_path_factory):
    workspace, _ = load_workspace(EXAMPLES)
    folder = tmp_path_factory.mktemp("preview")
    write_site(workspace, folder)
    return workspace, folder


def test_index_lists_every_email_with_subject_preheader_size_and_checks(example_site):
    workspace, folder = example_site
    index = (folder / "index.html").read_text()
    context = EmailContext.of(workspace)
    for email in workspace.of_kind("email"):
        rendered = render_email(context, email)
        assert f'href="emails/{email.name}.html"' in index
        for text in (rendered.subject, rendered.preheader):
            assert str(escape(text)) in index
    assert index.count("all checks passed") == len(workspace.of_kind("email"))
    assert " KB</td>" in index


def test_index_draws_every_program_as_inline_svg(example_site):
    assert shutil.which("dot"), "install the Debian package graphviz"
    workspace, folder = example_site
    index = (folder / "index.html").read_text()
    assert "<?xml" not in index
    assert index.count("<svg") == len(workspace.of_kind("program"))
    for program in workspace.of_kind("program"):
        assert f'id="{program.address}"' in index


def test_each_email_page_shows_it_for_every_persona_and_an_empty_prospect(example_site):
    workspace, folder = example_site
    people = samples(workspace)
    assert len(people) == len(workspace.of_kind("persona")) + 1
    context = EmailContext.of(workspace)
    email = workspace.resources["email.2026-nurture-roi-outcomes-email"]
    page = Page((folder / "emails" / f"{email.name}.html").read_text())
    assert len(page.frames) == 2 * len(people)  # at a phone's and a desktop client's width
    for phone, desktop, person in zip(page.frames[::2], page.frames[1::2], people, strict=True):
        # The parser unescapes the attribute: what the frame shows is exactly the rendered email.
        assert phone["srcdoc"] == desktop["srcdoc"] == render_email(context, email, person.prospect).html
        assert (phone["data-width"], desktop["data-width"]) == ("375", "600")
        for frame in (phone, desktop):
            # No script of the email's runs; being of the page's origin only lets the page size the frame.
            assert "allow-scripts" not in frame["sandbox"]
    assert "Hi Charlie," in page.pres[0]
    assert len(page.pres) == len(people)


def test_markup_in_subjects_and_bodies_is_escaped_not_interpreted(tmp_path):
    root = write_workspace(tmp_path / "ws", {"email.yaml": EMAIL, "hello.mjml": HELLO, "persona.yaml": PERSONA})
    workspace, _ = load_workspace(root)
    write_site(workspace, tmp_path / "site")
    index = (tmp_path / "site" / "index.html").read_text()
    assert "Hello Charlie &lt;&amp;&gt; friends" in index or "Hello there &lt;&amp;&gt; friends" in index
    page_text = (tmp_path / "site" / "emails" / "2026-email-hello-email.html").read_text()
    page = Page(page_text)
    assert [f["title"] for f in page.frames] == [f"2026-email-hello-email for {person}, {device}"
                                                for person in ("cmo (Chief Marketing Officer)", "every field empty")
                                                for device in ("phone", "desktop")]
    assert "<b>bold</b>" in page.frames[0]["srcdoc"]
    assert set(page.tags) & {"b", "mjml"} == set(), "email markup leaked out of its frame"


def test_failed_checks_are_listed_with_their_messages(tmp_path):
    root = write_workspace(tmp_path / "ws", {"email.yaml": EMAIL, "hello.mjml": HELLO})
    workspace, _ = load_workspace(root)
    write_site(workspace, tmp_path / "site")
    index = (tmp_path / "site" / "index.html").read_text()
    assert "all checks passed" not in index
    assert "alt" in index and "unsubscribe" in index.lower()
    assert 'class="error"><code>CK' in index


def test_without_graphviz_programs_are_shown_as_mermaid_text(tmp_path, monkeypatch):
    root = write_workspace(tmp_path / "ws")
    workspace, _ = load_workspace(root)
    monkeypatch.setenv("PATH", "/nonexistent")
    write_site(workspace, tmp_path / "site")
    page = Page((tmp_path / "site" / "index.html").read_text())
    assert "svg" not in page.tags
    assert page.pres[0].startswith("flowchart TD")
    assert 's_hot -->|"yes"| s_handoff' in page.pres[0]


def test_pages_of_deleted_emails_do_not_linger(tmp_path):
    root = write_workspace(tmp_path / "ws", {"email.yaml": EMAIL, "hello.mjml": HELLO})
    workspace, _ = load_workspace(root)
    write_site(workspace, tmp_path / "site")
    (root / "email.yaml").unlink()
    workspace, _ = load_workspace(root)
    write_site(workspace, tmp_path / "site")
    assert list((tmp_path / "site" / "emails").iterdir()) == []


def test_a_folder_with_files_no_preview_wrote_is_refused_and_left_as_it_is(tmp_path):
    root = write_workspace(tmp_path / "ws", {"email.yaml": EMAIL, "hello.mjml": HELLO})
    workspace, _ = load_workspace(root)
    (tmp_path / "site" / "emails").mkdir(parents=True)
    (tmp_path / "site" / "emails" / "notes.html").write_text("mine")
    with pytest.raises(UserError, match="already holds files that no preview wrote"):
        write_site(workspace, tmp_path / "site")
    assert (tmp_path / "site" / "emails" / "notes.html").read_text() == "mine"
    assert not (tmp_path / "site" / "index.html").exists()


def test_files_added_to_a_preview_folder_by_hand_are_kept(tmp_path):
    root = write_workspace(tmp_path / "ws", {"email.yaml": EMAIL, "hello.mjml": HELLO})
    workspace, _ = load_workspace(root)
    write_site(workspace, tmp_path / "site")
    (tmp_path / "site" / "emails" / "notes.html").write_text("mine")
    write_site(workspace, tmp_path / "site")
    assert (tmp_path / "site" / "emails" / "notes.html").read_text() == "mine"
