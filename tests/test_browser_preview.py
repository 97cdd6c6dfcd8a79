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
import zlib
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner

from campaignkit.cli import main
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
        assert len(srcdocs) == 2 * (personas + 1), f"{name}: phone and desktop, per persona and an empty prospect"
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


# --- preview --base: what a change did, at a phone's width and a desktop's -------------------------------------

WELCOME = "2026-event-acme-conf-welcome-email"
ADDED = "2026-event-acme-conf-thanks-email"
#: Injected into a page under test: paints a square at the top left green when nothing overflows (the page
#: sideways, an email its frame, a frame as shown its box), and what changed is marked where it must be; red
#: otherwise. The screenshot is taken at the width under test, which only it honours.
CHECKER = """<script>
window.addEventListener("load", () => setTimeout(() => {
  const root = document.documentElement, fits = [root.scrollWidth <= window.innerWidth];
  for (const frame of document.querySelectorAll("iframe.email")) {
    const email = frame.contentDocument.documentElement, seen = frame.getBoundingClientRect();
    const box = frame.parentElement.getBoundingClientRect();  // the frame as shown: shrunk, maybe, to fit its box
    fits.push(email.scrollHeight <= frame.clientHeight + 1, email.scrollWidth <= frame.clientWidth + 1,
              seen.right <= box.right + 1, seen.bottom <= box.bottom + 1, box.right <= window.innerWidth);
  }
  const marks = Array.from(document.querySelectorAll(MARKS)).filter(mark => mark.getBoundingClientRect().width > 0);
  fits.push(marks.length > 0);
  const square = document.createElement("div");
  square.style = "position:fixed;left:0;top:0;width:40px;height:40px;z-index:9999;background:"
    + (fits.every(Boolean) ? "rgb(0,255,0)" : "rgb(255,0,0)");
  document.body.append(square);
}, 200));
</script></body>"""


def first_pixel(png: bytes) -> tuple[int, int, int]:
    """The colour of a PNG's top-left pixel: the first row's first pixel is stored as it is, whatever its filter."""
    data, offset = b"", 8
    while offset < len(png):
        length, kind = struct.unpack(">I4s", png[offset:offset + 8])
        if kind == b"IDAT":
            data += png[offset + 8:offset + 8 + length]
        offset += 12 + length
    red, green, blue = zlib.decompress(data)[1:4]
    return red, green, blue


@pytest.fixture(scope="module")
def changed_site(tmp_path_factory):
    """The example workspace in a folder of a git repository, with one email changed and one added since HEAD."""
    repository = tmp_path_factory.mktemp("repo")
    root = repository / "campaigns"
    shutil.copytree(EXAMPLES, root, ignore=shutil.ignore_patterns(".campaignkit"))
    for args in (["init", "-q"], ["add", "-A"], ["-c", "user.email=a@acme.example", "-c", "user.name=A",
                                                  "commit", "-q", "-m", "base"]):
        subprocess.run(["git", "-C", str(repository), *args], check=True, capture_output=True)
    emails = (root / "emails.yaml").read_text(encoding="utf-8")
    welcome = emails[emails.index(f"kind: email\nname: {WELCOME}"):emails.index("---", emails.index(WELCOME))]
    emails = emails.replace("subject: Thanks for visiting us at Acme Conference", "subject: Great to meet you at Acme")
    added = welcome.replace(WELCOME, ADDED).replace("Thanks for visiting", "Thank you for visiting")
    added = re.sub(r"(?ms)^(# .*\n)?locales:\n(  .*\n)+", "", added)  # one email added, not three languages
    (root / "emails.yaml").write_text(emails.rstrip("\n") + "\n---\n" + added, encoding="utf-8")
    site = tmp_path_factory.mktemp("site")
    result = CliRunner().invoke(main, ["--chdir", str(root), "preview", "--base", "HEAD", "--out", str(site)])
    assert result.exit_code == 0, result.output
    return site


def checked(page: Path, marks: str, folder: Path) -> Path:
    copy = folder / f"checked-{page.name}"
    copy.write_text(page.read_text(encoding="utf-8").replace("</body>", CHECKER.replace("MARKS", repr(marks))),
                    encoding="utf-8")
    return copy


@pytest.mark.parametrize("page, marks", [
    ("index.html", f'tr[id="email.{WELCOME}"] .change.changed, tr[id="email.{ADDED}"] .change.added'),
    (f"emails/{WELCOME}.html", ".change.changed, .side.before, .side.after"),
])
@pytest.mark.parametrize("width", [390, 1280])
def test_nothing_overflows_and_what_changed_is_marked_at_a_phone_and_a_desktop_width(changed_site, tmp_path, page,
                                                                                      marks, width):
    copy = checked(changed_site / page, marks, (changed_site / page).parent)
    shot = tmp_path / "shot.png"
    run = chromium(tmp_path / "profile", "--virtual-time-budget=5000", f"--window-size={width},1600",
                   f"--screenshot={shot}", copy.as_uri())
    _, log = run.communicate(timeout=120)
    assert not page_problems(log)
    picture = shot.read_bytes()
    assert struct.unpack(">II", picture[16:24]) == (width, 1600)
    assert first_pixel(picture) == (0, 255, 0), f"{page} at {width} px overflows, or its changes are not marked"


def test_the_checker_sees_an_overflow(changed_site, tmp_path):
    """The check above can fail: a page wider than a phone paints the square red."""
    page = changed_site / "index.html"
    wide = tmp_path / "wide.html"
    wide.write_text(page.read_text(encoding="utf-8").replace("<main>", '<main><div style="width:800px">x</div>'),
                    encoding="utf-8")
    shot = tmp_path / "shot.png"
    copy = checked(wide, ".change.changed", tmp_path)
    chromium(tmp_path / "profile", "--virtual-time-budget=5000", "--window-size=390,1600", f"--screenshot={shot}",
             copy.as_uri()).communicate(timeout=120)
    assert first_pixel(shot.read_bytes()) == (255, 0, 0)


def test_the_index_and_a_changed_email_say_what_changed_and_show_before_and_after(changed_site, tmp_path):
    index, _ = chromium(tmp_path / "index", "--dump-dom", (changed_site / "index.html").as_uri()).communicate(
        timeout=120)
    assert "Compared with <code>HEAD</code>" in index
    # The copied email is added with the locales it declares (ja, ko): three emails.
    assert '<span class="change changed">1 changed</span>' in index and '<span class="change added">1 added' in index
    assert index.count('class="change changed">changed') == 1 and index.count('class="change added">added') == 1
    page, _ = chromium(tmp_path / "page", "--dump-dom", (changed_site / "emails" / f"{WELCOME}.html").as_uri()
                       ).communicate(timeout=120)
    before = page.split('class="side before"')[1].split('class="side after"')[0]
    after = page.split('class="side after"')[1]
    assert "Thanks for visiting us at Acme Conference" in before and "Great to meet you at Acme" in after
    assert "Great to meet you" not in before
