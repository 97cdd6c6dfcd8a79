"""Compiling from a skeleton of the source renders exactly what Jinja renders from the source itself."""

from __future__ import annotations

import traceback

import pytest
from jinja2 import BaseLoader

from campaignkit.emails.templates.source import blank, has_jinja, skeleton, split
from campaignkit.emails.templates.sandbox import make_environment
from campaignkit.emails.templates.facts import ShapeCache, analyse

SOURCES = [
    "plain text only\n",
    "<a>\n  {%- if x -%}\n   yes <b>{{ x }}</b>  \n  {%- endif %}\n tail\n",
    "{% raw %}{{ not jinja }} <x>{% endraw %} after {# gone #} end",
    "{% for i in [1, 2] %} item {{ i }}\n{% endfor %}",
    "{% macro m(a) %} M{{ a }} {% endmacro %}{{ m(1) }} {% set y %} block {% endset %}{{ y | upper }}",
    "{% filter upper %} text {% endfilter %}{{ '}}' }} {{ \"%}\" }}",
    "line\r\nbreaks {{ x }}\r\n",
    "{% for p in [\"a<b\", 'c & d', 'it\"s'] %}<li>{{ p | capitalize }}</li>{% endfor %}",
    "{{ \"a<b\" }} {{ 'abc' | upper }} {{ 'x' ~ 'y' }} {{ 'abc' | length }} {{ ['b', 'a'] | sort | join(',') }}"
    " {{ 'abc' | replace('a', 'z') }}",
    "{% set hi = 'Hello' %}{{ hi }} {{ x | default('fallback') }} {{ 'lo' in 'hello' }} {{ 'a' 'b' }}",
    "{% macro button(label, url='https://x.test') %}<a href=\"{{ url }}\">{{ label }}</a>{% endmacro %}"
    "{{ button('Start <now>', url='https://y.test/?a=1&b=2') }} {{ button('Go') }}",
    "{{ {'k': 'v<'}['k'] }} {{ x | replace('X', 'Y') }} {{ 'a' if x else 'b' }} {% if x is in ['<X>', 'z'] %}in{% endif %}",
    "{{ \"it's\" | e }} {{ 'a\\'b' }} {{ dict(a='1', b=x) | dictsort | join(',') }} {{ (x | attr('upper'))() }}",
]


@pytest.mark.parametrize("source", SOURCES)
@pytest.mark.parametrize("html", [True, False])
def test_skeleton_compiled_templates_render_like_jinja(source, html):
    environment = make_environment(BaseLoader(), html)
    normalised = source.replace("\r\n", "\n")
    code = analyse(environment, normalised, split(normalised), "t").code
    template = environment.template_class.from_code(environment, code, environment.make_globals(None))
    assert template.render(x="<X>") == environment.from_string(normalised).render(x="<X>")


def test_templates_that_differ_only_in_text_share_a_skeleton_but_keep_their_own_lines():
    short = "<p>\nHi</p>\n{{ x }}\n<p>\n</p>\n{% if %}"
    long = "<p>\nHello\n\nthere</p>\n{{ x }}\n<p>bye\n\n</p>\n{% if %}"
    marked_short, marked_long = skeleton(short, split(short)), skeleton(long, split(long))
    assert marked_short.text == marked_long.text and marked_long.literals[0] == "<p>\nHello\n\nthere</p>"
    environment = make_environment(BaseLoader(), True)
    assert analyse(environment, short, split(short), "t").facts.error_line == 6
    assert analyse(environment, long, split(long), "t").facts.error_line == 9


def test_a_shared_compilation_reports_runtime_errors_at_each_templates_own_line():
    environment = make_environment(BaseLoader(), True)
    sources = {"a.mjml": "<p>\none</p>\n{{ 1 / x }}", "b.mjml": "<p>one\ntwo\nthree</p>\n{{ 1 / x }}"}
    for name, source in sources.items():
        code = analyse(environment, source, split(source), name).code
        template = environment.template_class.from_code(environment, code, environment.make_globals(None))
        assert (template.name, template.filename) == (name, name)
        with pytest.raises(ZeroDivisionError) as raised:
            template.render(x=0)
        frame = traceback.extract_tb(raised.value.__traceback__)[-1]
        assert (frame.filename, frame.lineno) == (name, source.count("\n") + 1)


def test_templates_that_differ_only_in_string_literals_share_a_compilation_where_jinja_uses_them_at_run_time():
    environment = make_environment(BaseLoader(), True)
    shapes = ShapeCache()
    loops = {f"{{% for p in ['{a}', '{b}'] %}}{{{{ p }}}} {{% endfor %}}{{{{ x | default('{a}') }}}}": f"{a} {b} {a}"
             for a, b in [("one", "two"), ("three", "<four>")]}
    for source, expected in loops.items():
        code = analyse(environment, source, split(source), "t", shapes).code
        template = environment.template_class.from_code(environment, code, environment.make_globals(None))
        assert template.render() == expected.replace("<four>", "&lt;four&gt;")
    assert len(shapes.shapes) == 1
    for source in ("{{ 'ab' | upper }}", "{{ 'cd' | upper }}"):  # evaluated while compiling: not shared
        code = analyse(environment, source, split(source), "t", shapes).code
        template = environment.template_class.from_code(environment, code, environment.make_globals(None))
        assert template.render() == source[4:6].upper()
    assert len(shapes.shapes) == 3


def test_blank_keeps_positions():
    source = "<a href=\"{{ url }}\">{% if x %}\n{# c #}y{% endif %}</a>"
    blanked = blank(split(source))
    assert len(blanked) == len(source) and blanked.index("\n") == source.index("\n")
    assert "{" not in blanked and blanked.startswith('<a href="')


@pytest.mark.parametrize("source", ["text {{ x", "{{ x }} then {% if", "a {# never closed", "{{ 'a' }}{{"])
def test_an_unclosed_opening_is_left_for_jinja_to_report(source):
    pieces = split(source)
    assert pieces[-1].jinja and "".join(p.text for p in pieces) == source
    analysis = analyse(make_environment(BaseLoader(), True), source, pieces, "t")
    facts, code = analysis.facts, analysis.code
    assert code is None and facts.syntax_error


def test_has_jinja():
    assert has_jinja("Hi {{ x }}") and has_jinja("{% if %}") and has_jinja("{# c #}")
    assert not has_jinja("Hi {there} 50% off")
