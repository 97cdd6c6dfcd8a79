"""Compiling from a skeleton of the source renders exactly what Jinja renders from the source itself."""

from __future__ import annotations

import pytest
from jinja2 import BaseLoader

from campaignkit.render.jinja_source import blank, has_jinja, skeleton, split
from campaignkit.render.sandbox import make_environment
from campaignkit.render.template_facts import analyse

SOURCES = [
    "plain text only\n",
    "<a>\n  {%- if x -%}\n   yes <b>{{ x }}</b>  \n  {%- endif %}\n tail\n",
    "{% raw %}{{ not jinja }} <x>{% endraw %} after {# gone #} end",
    "{% for i in [1, 2] %} item {{ i }}\n{% endfor %}",
    "{% macro m(a) %} M{{ a }} {% endmacro %}{{ m(1) }} {% set y %} block {% endset %}{{ y | upper }}",
    "{% filter upper %} text {% endfilter %}{{ '}}' }} {{ \"%}\" }}",
    "line\r\nbreaks {{ x }}\r\n",
]


@pytest.mark.parametrize("source", SOURCES)
@pytest.mark.parametrize("html", [True, False])
def test_skeleton_compiled_templates_render_like_jinja(source, html):
    environment = make_environment(BaseLoader(), html)
    normalised = source.replace("\r\n", "\n")
    _, code = analyse(environment, normalised, split(normalised), "t")
    template = environment.template_class.from_code(environment, code, environment.make_globals(None))
    assert template.render(x="<X>") == environment.from_string(normalised).render(x="<X>")


def test_skeleton_keeps_every_line_break_so_errors_keep_their_lines():
    source = "<p>\n\n{{ x }}\n</p>\n{% if %}"
    text, literals = skeleton(split(source))
    assert text.count("\n") == source.count("\n") and literals == ["<p>", "</p>"]
    facts, code = analyse(make_environment(BaseLoader(), True), source, split(source), "t")
    assert code is None and facts.error_line == 5


def test_blank_keeps_positions():
    source = "<a href=\"{{ url }}\">{% if x %}\n{# c #}y{% endif %}</a>"
    blanked = blank(split(source))
    assert len(blanked) == len(source) and blanked.index("\n") == source.index("\n")
    assert "{" not in blanked and blanked.startswith('<a href="')


@pytest.mark.parametrize("source", ["text {{ x", "{{ x }} then {% if", "a {# never closed", "{{ 'a' }}{{"])
def test_an_unclosed_opening_is_left_for_jinja_to_report(source):
    pieces = split(source)
    assert pieces[-1].jinja and "".join(p.text for p in pieces) == source
    facts, code = analyse(make_environment(BaseLoader(), True), source, pieces, "t")
    assert code is None and facts.syntax_error


def test_has_jinja():
    assert has_jinja("Hi {{ x }}") and has_jinja("{% if %}") and has_jinja("{# c #}")
    assert not has_jinja("Hi {there} 50% off")
