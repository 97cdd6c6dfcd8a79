"""What a template's Jinja tree says: merge names and their fallbacks, bound names, references, unsafe access."""

from __future__ import annotations

import pytest
from jinja2 import BaseLoader

from campaignkit.emails.templates.source import split
from campaignkit.emails.templates.sandbox import make_environment
from campaignkit.emails.templates.facts import Reference, UnsafeAccess, analyse


def facts_of(source: str):
    facts = analyse(make_environment(BaseLoader(), True), source, split(source), "t.mjml").facts
    return facts


@pytest.mark.parametrize("source, guarded", [
    ("{{ title }}", False),
    ("{{ title | upper }}", False),
    ("{{ title | default('x') }}", True),
    ("{{ title | d('x') | upper }}", True),
    ("{{ title or 'x' }}", True),
    ("{% if title %}{{ title }}{% endif %}", True),
    ("{% if title and other %}{{ title }}{% endif %}", True),
    ("{% if other %}{{ title }}{% endif %}", False),
    ("{% if title %}x{% else %}{{ title }}{% endif %}", False),
    ("{{ title if title else 'x' }}", True),
    ("{% if title is defined %}{{ title }}{% endif %}", True),
])
def test_a_fallback_covers_a_merge_name(source, guarded):
    uses = [use for use in facts_of(source).uses if use.name == "title"]
    assert uses and uses[-1].guarded is guarded


def test_locals_and_globals_are_not_merge_names():
    source = ("{% set a = 1 %}{% for b in range(3) %}{{ a }}{{ b }}{{ loop.index }}{% endfor %}"
              "{% macro m(c) %}{{ c }}{{ caller() if caller }}{% endmacro %}{{ m(1) }}{{ cycler('x').next() }}"
              "{% with d = 2 %}{{ d }}{% endwith %}{{ e }}")
    facts = facts_of(source)
    assert [use.name for use in facts.uses] == ["e"]
    assert {"a", "b", "m"} <= facts.bound


def test_positions_are_the_nth_occurrence_on_the_line():
    facts = facts_of("<p>first_name</p>\n{{ first_name }} and {{ first_name | upper }}")
    assert [(use.line, use.column) for use in facts.uses] == [(2, 4), (2, 25)]


def test_references_and_unsafe_access_are_found_with_their_positions():
    facts = facts_of('{% include "a.mjml" %}\n  {% import "m.mjml" as m %}{% include name %}\n'
                     "{{ x.__class__ }}{{ x['_y'] }}{{ x | attr('__dict__') }}{{ x.mro }}")
    assert facts.references == (Reference("include", "a.mjml", 1, 4), Reference("import", "m.mjml", 2, 6),
                                Reference("include", None, 2, 32))
    assert facts.unsafe == (UnsafeAccess("__class__", 3, 6), UnsafeAccess("_y", 3, 24),
                            UnsafeAccess("__dict__", 3, 44))


def test_a_syntax_error_has_its_line():
    facts = facts_of("<p>ok</p>\n<p>\n{{ x + }}\n</p>")
    assert "unexpected" in facts.syntax_error and facts.error_line == 3
