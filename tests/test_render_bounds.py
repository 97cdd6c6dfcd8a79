"""Templates that ask for gigabytes, for hours, or for what cannot be compiled fail as a diagnostic:
exit 1, no traceback, and a bounded peak of memory, through the commands a user runs."""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from campaignkit.emails import EmailContext, check_email
from campaignkit.workspace.loading import load_workspace
from tests.test_ae_merge import AE_CONFIG
from tests.test_render_checks import EMAIL, FOOTER, TEMPLATE, page
from tests.workspaces import write_workspace

#: The most a command may take at its peak on an attack (it takes about 50 MB).
PEAK_MB = 500
#: Past this much address space a command fails at once: a regression costs a MemoryError, not the machine.
ADDRESS_SPACE = 1 << 30
LONG_TEXT = '{% set s = "x" * 400000 %}'


@dataclass(frozen=True)
class Run:
    returncode: int
    stdout: str
    stderr: str
    peak_mb: int


def campaignkit(root: Path, *args: str) -> Run:
    """The command run in ``root`` on one core (so that emails are checked in its own process,
    whose peak is the one measured), with its peak resident memory."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        process = subprocess.Popen([sys.executable, "-m", "campaignkit", *args], cwd=root, stdout=out, stderr=err,
                                   preexec_fn=_one_core_bounded_memory)
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return Run(process.returncode, out.read().decode(), err.read().decode(), usage.ru_maxrss // 1024)


def _one_core_bounded_memory() -> None:
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))


def workspace(tmp_path: Path, content: str, config: str | None = None) -> Path:
    files = {"emails.yaml": EMAIL, TEMPLATE: page(f"<mj-text>\n{content}\n</mj-text>")}
    if config is not None:
        files["campaignkit.yaml"] = config
    return write_workspace(tmp_path / "ws", files)


def validated(root: Path) -> list[dict]:
    """``validate --format json``'s diagnostics, after checking that it failed as a command should."""
    run = campaignkit(root, "validate", "--format", "json")
    assert (run.returncode, run.stderr) == (1, "")
    assert "Traceback" not in run.stdout
    assert run.peak_mb < PEAK_MB
    return json.loads(run.stdout)["diagnostics"]


LOOPED_TEXT = "{% for i in range(100000) %}" + "y" * 40_000 + "{% endfor %}"

# (the attack, the code it gets, a text of its message)
ATTACKS = [
    ("{{ 'a' | center(3000000000) }}", "CK409", "the filter 'center'"),  # folded while compiling, before
    ("{{ first_name | center(3000000000) }}", "CK409", "the filter 'center'"),
    ("{{ first_name.ljust(3000000000) }}", "CK409", "ljust()"),
    ("{{ first_name.rjust(3000000000) }}", "CK409", "rjust()"),
    ("{{ first_name.zfill(3000000000) }}", "CK409", "zfill()"),
    ("{{ '%3000000000s' | format(first_name) }}", "CK409", "the filter 'format'"),
    ("{{ '%3000000000s' % first_name }}", "CK409", "the formatted text"),
    ("{{ '%*s' % (3000000000, first_name) }}", "CK409", "the formatted text"),
    ("{{ '{:>3000000000}'.format(first_name) }}", "CK409", "a field's width"),
    ("{{ 'x' * 10**10 }}", "CK409", "repeating a value"),
    ("{{ range(10**9) | join }}", "CK409", "range()"),
    ("{{ range(100000) | join('x' * 1000000) }}", "CK409", "the filter 'join'"),
    ("{{ first_name | wordwrap(3000000000) }}", "CK409", "the filter 'wordwrap'"),
    ("{{ first_name | indent(3000000000) }}", "CK409", "the filter 'indent'"),
    ("{{ [first_name] | batch(3000000000, 'x') | list }}", "CK409", "linecount"),
    ("{{ {'a': [1]} | tojson(3000000000) }}", "CK409", "the filter 'tojson'"),
    ("{{ (10).to_bytes(3000000000, 'big') }}", "CK409", "to_bytes()"),
    (LONG_TEXT + "{{ s | replace('x', s) }}", "CK409", "the filter 'replace'"),
    (LONG_TEXT + "{{ s.replace('x', s) }}", "CK409", "replace()"),
    (LONG_TEXT + "{{ s.translate({120: s}) }}", "CK409", "translate()"),
    (LONG_TEXT + "{{ (s | safe).replace('x', range(1000) | list) }}", "CK409", "replace()"),
    (LONG_TEXT + "{% set t = s ~ s ~ s %}", "CK409", "the joined text"),
    (LONG_TEXT + "{% set t = s + s + s %}", "CK409", "the sum"),
    (LONG_TEXT + "{{ ([[s]] * 100000) | tojson }}", "CK409", "repeating a value"),
    ("{{ 'a<' | tojson" + " | tojson" * 30 + " }}", "CK409", "the filter 'tojson'"),
    ("{% set n = 2 ** 999 %}" + "{% set n = n * n %}" * 20, "CK409", "a product"),
    (LOOPED_TEXT, "CK409", "larger than 1,000,000 characters"),
    ("{% macro m() %}{% for i in range(100000) %}{{ s ~ i }}{% endfor %}{% endmacro %}" + LONG_TEXT + "{{ m() }}",
     "CK409", "larger than 1,000,000 characters"),
    (LONG_TEXT + "{% set t %}{% for i in range(100000) %}{{ s ~ i }}{% endfor %}{% endset %}", "CK409",
     "larger than 1,000,000 characters"),
    ("{{ range(100000) | map('center', 999999) | list | length }}", "CK409", "in all"),
    ("{% set l = [" + ", ".join(["first_name | center(999999)"] * 40) + "] %}", "CK409", "in all"),
    ("".join(f"{{% set v{n} = first_name | center(999999) %}}" for n in range(40)), "CK409", "in all"),
    ("{{ '%s' | format(cycler) }}", "CK408", "makes text of a class (Cycler)"),
    ("{{ '%s' % joiner() }}", "CK408", "makes text of a function"),
    ("{{ cycler | string }}", "CK408", "makes text of a class (Cycler)"),
    ("{{ 'a' ~ namespace() }}", "CK408", "makes text of a Namespace"),
    ("{{ '{}'.format(range) }}", "CK408", "makes text of a function (bounded_range)"),
    ("{{ [cycler] | join }}", "CK408", "makes text of a class (Cycler)"),
]


@pytest.mark.parametrize(("attack", "code", "message"), ATTACKS, ids=[a[:60] for a, _, _ in ATTACKS])
def test_an_attack_in_one_template_is_a_diagnostic_in_bounded_memory(tmp_path, attack, code, message):
    diagnostics = validated(workspace(tmp_path, attack))
    assert [d["code"] for d in diagnostics] == [code]
    assert message in diagnostics[0]["summary"]


@pytest.mark.parametrize("attack", ["{{ 'a' | center(3000000000) }}", "{{ '%3000000000s' | format(first_name) }}",
                                    LOOPED_TEXT])
def test_render_refuses_an_attack_in_bounded_memory(tmp_path, attack):
    run = campaignkit(workspace(tmp_path, attack), "render", "2026-email-test-email")
    assert run.returncode == 1 and "CK409" in run.stderr and "Traceback" not in run.stderr
    assert run.peak_mb < PEAK_MB


def test_printing_a_list_of_plain_values_still_prints_as_python_does(tmp_path):
    root = workspace(tmp_path, "{{ '%s' | format([1, 'a']) }} {{ dict(b=2) | dictsort | join(',') }}")
    workspace_, _ = load_workspace(root)
    assert check_email(EmailContext.of(workspace_), workspace_.get("email.2026-email-test-email")) == []


def nested_ifs(depth: int) -> str:
    return "{% if first_name %}" * depth + "deep" + "{% endif %}" * depth


@pytest.mark.parametrize(("depth", "config"), [(200, None), (1000, AE_CONFIG)], ids=["200", "1000 with AE"])
def test_templates_nested_too_deeply_are_a_syntax_error(tmp_path, depth, config):
    diagnostics = validated(workspace(tmp_path, nested_ifs(depth), config))
    assert [(d["code"], d["summary"]) for d in diagnostics] == [
        ("CK403", "Jinja syntax error: blocks and expressions are nested too deeply")]


@pytest.mark.parametrize("named", ["template", "include"])
def test_a_template_that_is_a_link_to_itself_cannot_be_read(tmp_path, named):
    link = "templates/loop.mjml"
    if named == "template":
        root = write_workspace(tmp_path / "ws", {"emails.yaml": EMAIL.replace(TEMPLATE, link)})
    else:
        root = workspace(tmp_path, f'{{% include "{link}" %}}')
    (root / "templates").mkdir(exist_ok=True)
    os.symlink("loop.mjml", root / link)
    diagnostics = validated(root)
    assert [d["code"] for d in diagnostics] == ["CK401"]
    assert "loop of symbolic links" in diagnostics[0]["summary"]


def test_a_shared_footer_that_runs_out_of_time_costs_the_limit_once(tmp_path, monkeypatch):
    limit, count = 0.5, 60
    monkeypatch.setattr("campaignkit.emails.templates.sandbox.MAX_RENDER_SECONDS", limit)
    loops = "{% for i in range(99999) %}{% for j in range(99999) %}{% endfor %}{% endfor %}"
    footer = f"<mj-section><mj-column><mj-text>\n{loops}\n</mj-text></mj-column></mj-section>{FOOTER}"
    emails = "---\n".join(EMAIL.replace("test-email", f"test-{n}-email").replace(TEMPLATE, f"templates/mail-{n}.mjml")
                          for n in range(count))
    templates = {f"templates/mail-{n}.mjml": page(f"<mj-text>Email {n}</mj-text>",
                                                  footer='{% include "templates/footer.mjml" %}')
                 for n in range(count)}
    root = write_workspace(tmp_path / "ws", {"emails.yaml": emails, "templates/footer.mjml": footer, **templates})
    loaded, _ = load_workspace(root)
    context = EmailContext.of(loaded)
    started = time.process_time()
    found = {(d.code, d.position.path, d.position.line) for n in range(count)
             for d in check_email(context, loaded.get(f"email.2026-email-test-{n}-email"))}
    spent = time.process_time() - started
    assert found == {("CK409", "templates/footer.mjml", 2)}
    assert spent < count * limit / 4  # the processor time of the limit paid for each email is four times that
