"""The markup parser: positions in the template source whatever the Jinja, and the syntax problems it reports."""

from __future__ import annotations

import pytest

from campaignkit.diagnostics import MAX_PER_FILE
from campaignkit.emails.markup.parse import MAX_DEPTH, Element, Include, parse
from campaignkit.emails.templates.source import split


def markup(source: str, html: bool = False):
    return parse(source, split(source), html)


def test_elements_keep_their_line_and_column_around_jinja():
    source = ('<mjml>\n  {# a <comment> #}<mj-body>\n'
              '    <mj-text color="{{ colour }}">{{ x }}<a href="{{ url }}">y</a></mj-text>\n  </mj-body>\n</mjml>\n')
    parsed = markup(source)
    body = parsed.roots[0].children[0]
    text = body.children[0]
    link = text.children[0]
    assert (body.tag, parsed.line_column(body.offset)) == ("mj-body", (2, 20))
    assert (text.tag, parsed.line_column(text.offset)) == ("mj-text", (3, 5))
    assert text.attribute("color").value == "{{ colour }}"  # the source text, Jinja included
    assert (link.tag, link.html, link.attribute("href").value) == ("a", True, "{{ url }}")
    assert parsed.problems == ()


def test_a_jinja_include_becomes_a_node_where_it_stands():
    parsed = markup('<mj-body>\n{% include "p/head.mjml" %}\n<mj-text>{%- include \'p/x.html\' -%}</mj-text></mj-body>')
    body = parsed.roots[0]
    include, text = body.children
    assert include == Include("p/head.mjml", include.offset, False)
    assert text.children == [Include("p/x.html", text.children[0].offset, True)]


def test_computed_includes_are_not_followed():
    parsed = markup('<mj-body>{% include "a/" ~ name %}{% include ["x", "y"] %}</mj-body>')
    assert parsed.roots[0].children == []


def test_raw_blocks_are_markup_and_comments_are_not():
    parsed = markup("<mj-body>{% raw %}<mj-section></mj-section>{% endraw %}{# <mj-broken> #}</mj-body>")
    assert [child.tag for child in parsed.roots[0].children] == ["mj-section"]


def test_ending_tags_keep_their_links_and_images_and_text_tags_hold_text():
    parsed = markup("<mj-head><mj-style>a < b { color: red }</mj-style></mj-head>"
                    '<mj-text><p>Hi<br>there <a href="https://a.example"><img src="x" alt=""></a></p></mj-text>')
    style = parsed.roots[0].children[0]
    text = parsed.roots[1]
    assert style.children == [] and parsed.problems == ()
    assert [(child.tag, child.attributes[0].name) for child in text.children] == [("a", "href"), ("img", "src")]


def problems(source: str, html: bool = False) -> list[tuple[str, tuple[int, int]]]:
    parsed = markup(source, html)
    return [(p.message, parsed.line_column(p.offset)) for p in parsed.problems]


def test_unclosed_mismatched_and_stray_tags_are_reported_where_they_are():
    assert problems("<mj-section>\n  <mj-column>\n</mj-section>") == [
        ("<mj-column> is not closed before </mj-section>", (2, 3))]
    assert problems("<mj-section>\n<mj-colum>\n</mj-column>\n</mj-section>") == [
        ("</mj-column> does not match <mj-colum> (line 2)", (3, 1))]
    assert problems("<mj-body></mj-body>\n</mj-section>") == [
        ("</mj-section> closes nothing: no <mj-section> is open here", (2, 1))]
    assert problems("<mjml>\n<mj-body>") == [("<mjml> is never closed", (1, 1)), ("<mj-body> is never closed", (2, 1))]


def test_html_inside_ending_tags_must_balance():
    assert problems("<mj-text>\n<p>one<p>two</p>\n</mj-text>") == [("<p> is not closed before </mj-text>", (2, 1))]
    assert problems("<mj-text><b>x</i></b></mj-text>") == [("</i> closes nothing: no <i> is open here", (1, 14))]
    assert problems("<mj-text>never closed") == [("<mj-text> is never closed", (1, 1))]


def test_malformed_tags_and_bare_angle_brackets_are_reported():
    assert problems('<mj-text>\n1 < 2\n</mj-text>')[0][1] == (2, 3)
    assert "quote every attribute value" in problems("<mj-image src=x.png />")[0][0]
    assert problems("<!-- never closed")[0][0] == "this comment is never closed with '-->'"


def test_elements_lists_every_element_parents_first():
    parsed = markup("<a><b><c/></b><d/></a>")
    assert [e.tag for e in parsed.elements()] == ["a", "b", "c", "d"]
    assert all(isinstance(e, Element) for e in parsed.elements())


def test_an_ending_tag_never_closed_is_one_problem_and_parsing_goes_on_after_its_content():
    source = ("<mjml><mj-body><mj-section><mj-column>\n<mj-text>Hi <b>there</b>\n"
              "</mj-column></mj-section>{% include \"footer.mjml\" %}</mj-body></mjml>")
    assert problems(source) == [("<mj-text> is never closed", (2, 1))]
    body = markup(source).roots[0].children[0]
    assert [getattr(node, "tag", None) or node.name for node in body.children] == ["mj-section", "footer.mjml"]


def depth(parsed) -> int:
    deepest, pending = 0, [(1, root) for root in parsed.roots if isinstance(root, Element)]
    while pending:
        level, element = pending.pop()
        deepest = max(deepest, level)
        pending += [(level + 1, child) for child in element.children if isinstance(child, Element)]
    return deepest


def test_a_run_of_unclosed_tags_stops_the_parse_at_the_depth_a_template_may_nest():
    parsed = markup("<mj-section>" * 50_000)
    assert depth(parsed) == MAX_DEPTH
    assert len(parsed.problems) == MAX_PER_FILE
    assert parsed.problems[0].message.startswith(f"<mj-section> is nested more than {MAX_DEPTH} elements deep")


@pytest.mark.parametrize("source", ["</mj-section>" * 50_000, "<mj-text><div>" * 50_000,
                                    "<mj-text>" + "<div>" * 50_000 + "</mj-text>", "<" * 50_000])
def test_parsing_stops_once_a_file_has_as_many_problems_as_it_shows(source):
    assert len(markup(source).problems) == MAX_PER_FILE
