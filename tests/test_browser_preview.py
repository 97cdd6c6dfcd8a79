"""The preview of the example workspace in a real headless browser (Debian's ``chromium``).

Opened from ``file://`` URLs, as a reviewer opens it: the pages load without
console errors or uncaught exceptions, the index lists every email, each email
page's frames hold the rendered email, and a screenshot of the index is a real
picture.
"""

from __future__ import annotations

import re
import shutil
import struct
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from campaignkit.views.preview import write_site
from campaignkit.workspace.loading import load_workspace

EXAMPLES = Path(__file__).resolve().parent.parent / "campaigns"
# --enable-logging=stderr: the page's console messages and load failures are written to stderr, to be read.
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--enable-logging=stderr", "--v=0"]


class Frames(HTMLParser):
    """The ``srcdoc`` of every iframe and the ``href`` of every link in a dumped DOM."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.srcdocs: list[str] = []
        self.links: list[str] = []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if tag == "iframe":
            self.srcdocs.append(values.get("srcdoc") or "")
        if tag == "a" and values.get("href"):
            self.links.append(values["href"])


def chromium(profile: Path, *args: str) -> subprocess.Popen:
    executable = shutil.which("chromium")
    assert executable, "chromium is missing: install the Debian package chromium (scripts/test does)"
    return subprocess.Popen([executable, *FLAGS, f"--user-data-dir={profile}", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def page_problems(log: str) -> list[str]:
    """What the pages said on the console, and errors about them, in a Chromium log.

    Chromium logs console.error and uncaught exceptions at the same level as
    console.log, so every console message counts: the preview's pages log
    nothing when they work. Chromium's own errors (no D-Bus in a container)
    do not name the page and are left out.
    """
    return [line for line in log.splitlines() if ":CONSOLE" in line or (":ERROR:" in line and "file://" in line)]


def visible_text(document: str) -> str:
    without_head = re.sub(r"(?is)<(head|style|script)\b.*?</\1>", " ", document)
    return " ".join(re.sub(r"<[^>]+>", " ", without_head).split())


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    workspace, _ = load_workspace(EXAMPLES)
    folder = tmp_path_factory.mktemp("preview")
    write_site(workspace, folder)
    return workspace, folder


def test_index_lists_every_email_and_its_screenshot_is_a_picture(site, tmp_path):
    workspace, folder = site
    index = (folder / "index.html").as_uri()
    dump = chromium(tmp_path / "dump", "--dump-dom", index)
    shot = tmp_path / "index.png"
    # The diagrams are painted after the load event: give the page (virtual) time before the screenshot.
    picture = chromium(tmp_path / "shot", "--virtual-time-budget=3000", "--window-size=1280,2000",
                       f"--screenshot={shot}", index)
    dom, log = dump.communicate(timeout=120)
    _, picture_log = picture.communicate(timeout=120)
    assert not page_problems(log + picture_log)
    links = Frames(dom).links
    for email in workspace.of_kind("email"):
        assert f"emails/{email.name}.html" in links
    assert dom.count("<svg") == len(workspace.of_kind("program"))
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert (width, height) == (1280, 2000)
    assert len(data) > 50_000, "the screenshot is too small to show the index"


def test_every_email_page_shows_the_email_in_each_frame(site, tmp_path):
    workspace, folder = site
    emails = workspace.of_kind("email")
    runs = {email.name: chromium(tmp_path / email.name, "--dump-dom",
                                 (folder / "emails" / f"{email.name}.html").as_uri()) for email in emails}
    personas = len(workspace.of_kind("persona"))
    for name, run in runs.items():
        dom, log = run.communicate(timeout=120)
        assert not page_problems(log), f"{name}: the page reported errors"
        srcdocs = Frames(dom).srcdocs
        assert len(srcdocs) == personas + 1, f"{name}: one frame per persona and one for an empty prospect"
        for srcdoc in srcdocs:
            assert len(visible_text(srcdoc)) > 200, f"{name}: a frame is blank"


def test_an_error_in_a_page_is_seen(site, tmp_path):
    """The check above can fail: a page whose script throws is reported."""
    workspace, folder = site
    email = workspace.of_kind("email")[0]
    page = (folder / "emails" / f"{email.name}.html").read_text(encoding="utf-8")
    broken = tmp_path / "broken.html"
    broken.write_text(page.replace("</body>", '<script>throw new Error("broken page")</script></body>'),
                      encoding="utf-8")
    _, log = chromium(tmp_path / "profile", "--dump-dom", broken.as_uri()).communicate(timeout=120)
    problems = page_problems(log)
    assert len(problems) == 1 and "Uncaught Error: broken page" in problems[0]
