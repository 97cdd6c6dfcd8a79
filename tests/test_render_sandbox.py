"""Templates cannot reach Python internals, files outside the workspace, or unbounded output."""

from __future__ import annotations

import os

import pytest
from jinja2 import BaseLoader

from campaignkit.workspace.template_paths import OutsideWorkspace, TemplateMissing, TemplateUnreadable, read_template
from campaignkit.emails.templates.bounds import MAX_OUTPUT_CHARS, OutputTooLarge
from campaignkit.emails.templates.sandbox import make_environment, render_bounded
from tests.test_render_checks import diagnose, line_of, page


def codes_and_lines(tmp_path, template):
    return [(d.code, d.position.line) for d in diagnose(tmp_path, template)]


@pytest.mark.parametrize("expression", [
    "''.__class__.__mro__[1].__subclasses__()",
    "cycler.__init__.__globals__.os",
    "first_name['__class__']",
    "(lambda: 1).__code__",
    "joiner.__call__.__func__",
])
def test_python_internals_are_refused_before_rendering(tmp_path, expression):
    template = page(f"<mj-text>\nHello {{{{ {expression} }}}}\n</mj-text>")
    found = codes_and_lines(tmp_path, template)
    if "lambda" in expression:  # not even Jinja syntax
        assert found == [("CK403", line_of(template, "lambda"))]
    else:
        assert found and {code for code, _ in found} == {"CK404"}
        assert {line for _, line in found} == {line_of(template, expression[:6])}


def test_internals_reached_at_run_time_are_refused_with_their_line(tmp_path):
    template = page('<mj-text>\n{{ "{0.__class__}".format(first_name) }}\n</mj-text>')
    assert codes_and_lines(tmp_path, template) == [("CK404", line_of(template, "format"))]


@pytest.mark.parametrize("expression", ["'x' * 10000000", "2 ** 100000", "[1] * 5000000",
                                        "((10 ** 1000) ** 1000) ** 1000"])
def test_expressions_that_would_exhaust_memory_are_stopped(tmp_path, expression):
    template = page(f"<mj-text>\nHello {{{{ {expression} }}}}\n</mj-text>")
    assert codes_and_lines(tmp_path, template) == [("CK409", line_of(template, expression))]


def test_loops_inside_loops_are_stopped_after_the_time_limit(tmp_path, monkeypatch):
    monkeypatch.setattr("campaignkit.emails.templates.sandbox.MAX_RENDER_SECONDS", 0.3)
    loops = "{% for i in range(99999) %}{% for j in range(99999) %}{% endfor %}{% endfor %}"
    template = page(f"<mj-text>\n{loops}\n</mj-text>")
    found = diagnose(tmp_path, template)
    assert [(d.code, d.position.line) for d in found] == [("CK409", line_of(template, loops))]
    assert "longer than 0.3 s" in found[0].message


def test_lipsum_is_not_available(tmp_path):
    assert codes_and_lines(tmp_path, page("<mj-text>{{ lipsum(100000) }}</mj-text>")) == [("CK405", 5)]


def test_render_bounded_stops_at_the_limit():
    environment = make_environment(BaseLoader(), True)
    template = environment.from_string("{% for i in range(100) %}{{ 'x' * 100 }}{% endfor %}")
    assert len(render_bounded(template, {}, limit=10_000)) == 10_000
    with pytest.raises(OutputTooLarge):
        render_bounded(template, {}, limit=9_999)
    assert MAX_OUTPUT_CHARS == 1_000_000


def test_default_treats_empty_values_as_missing():
    environment = make_environment(BaseLoader(), False)
    template = environment.from_string(
        "{{ a | default('x') }}|{{ b | d('y') }}|{{ c | default('z') }}|{{ n | default(1) }}")
    assert template.render(a="", b=None, c="kept", n=0) == "x|y|kept|0"


def test_template_paths_stay_inside_the_workspace(tmp_path):
    root = tmp_path / "ws"
    (root / "t").mkdir(parents=True)
    (tmp_path / "secret.mjml").write_text("secret")
    (root / "t" / "ok.mjml").write_text("ok\r\nwindows\r\n")
    os.symlink(tmp_path / "secret.mjml", root / "t" / "link.mjml")
    (root / "t" / "latin1.mjml").write_bytes("caf\xe9".encode("latin-1"))
    (root / "t" / "big.mjml").write_text("x" * 1_000_001)
    (root / "t" / "mac.mjml").write_bytes(b"old\rmac\r")
    os.mkfifo(root / "t" / "pipe.mjml")  # reading one would wait for a writer forever
    assert read_template(root, "t/ok.mjml") == "ok\nwindows\n"
    assert read_template(root, "t/mac.mjml") == "old\nmac\n"
    assert read_template(root, "./t//ok.mjml") == "ok\nwindows\n"
    for name, error, reason in [
        ("../secret.mjml", OutsideWorkspace, "leaves the workspace"),
        ("t/../../secret.mjml", OutsideWorkspace, "leaves the workspace"),
        (str(tmp_path / "secret.mjml"), OutsideWorkspace, "absolute path"),
        ("C:\\secret.mjml", OutsideWorkspace, "absolute path"),
        ("t/link.mjml", OutsideWorkspace, "link to a file outside"),
        ("t/none.mjml", TemplateMissing, "does not exist"),
        ("t", TemplateMissing, "does not exist"),
        ("t/pipe.mjml", TemplateMissing, "does not exist"),
        ("t/ok.mjml/x.mjml", TemplateMissing, "does not exist"),
        ("t/latin1.mjml", TemplateUnreadable, "not UTF-8"),
        ("t/big.mjml", TemplateUnreadable, "larger than 1000 KB"),
    ]:
        with pytest.raises(error, match=reason):
            read_template(root, name)


@pytest.mark.parametrize("expression", ["cycler", "self", "joiner()", "namespace", "range"])
def test_printing_an_object_without_text_of_its_own_is_an_error(tmp_path, expression):
    template = page(f"<mj-text>\nHello {{{{ {expression} }}}}\n</mj-text>")
    found = diagnose(tmp_path, template)
    line = line_of(template, expression)
    assert [(d.code, d.position.line) for d in found] == [("CK408", line)]
    assert found[0].position.column == template.splitlines()[line - 1].index("{{") + 1
    assert "not text" in found[0].message
