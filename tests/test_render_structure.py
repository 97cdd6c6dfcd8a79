"""The MJML checker: tags, attributes and children per MJML 5 component, through includes."""

from __future__ import annotations

from campaignkit.emails.templates.source import split
from campaignkit.emails.markup.parse import parse
from campaignkit.emails.markup.structure import ParsedFile, structure_problems


def check(source: str, files: dict[str, str] | None = None) -> list[tuple[str, str, int, str | None]]:
    sources = {"t.mjml": source, **(files or {})}
    parsed = {name: ParsedFile(name, parse(text, split(text))) for name, text in sources.items()}
    problems = structure_problems(parsed["t.mjml"], lambda name, html: parsed.get(name))
    return [(p.kind, p.message, p.position.line, p.suggestion) for p in problems]


def test_a_complete_email_passes():
    assert check("""<mjml lang="en">
  <mj-head>
    <mj-title>T</mj-title><mj-preview>P</mj-preview><mj-font name="Inter" href="https://fonts.example/inter.css" />
    <mj-attributes>
      <mj-all font-family="Inter" /><mj-class name="big" font-size="20px" /><mj-text color="#333" />
    </mj-attributes>
    <mj-style inline="inline">.x { color: red }</mj-style><mj-breakpoint width="480px" />
  </mj-head>
  <mj-body width="600px">
    <mj-wrapper><mj-section><mj-group><mj-column>
      <mj-text mj-class="big">Hi</mj-text>
    </mj-column></mj-group></mj-section></mj-wrapper>
    <mj-hero background-url="https://a.example/h.jpg"><mj-button href="https://a.example">Go</mj-button></mj-hero>
    <mj-section><mj-column>
      <mj-social><mj-social-element name="x" href="https://x.com/acme">X</mj-social-element></mj-social>
      <mj-navbar><mj-navbar-link href="https://a.example/n">N</mj-navbar-link></mj-navbar>
      <mj-accordion><mj-accordion-element>
        <mj-accordion-title>Q</mj-accordion-title><mj-accordion-text>A</mj-accordion-text>
      </mj-accordion-element></mj-accordion>
      <mj-carousel><mj-carousel-image src="https://a.example/c.jpg" alt="" /></mj-carousel>
      <mj-table><tr><td>1</td></tr></mj-table><mj-divider /><mj-spacer height="10px" /><mj-raw><p>raw</p></mj-raw>
    </mj-column></mj-section>
  </mj-body>
</mjml>""") == []


def test_unknown_tags_are_reported_with_the_closest_component():
    assert check("<mjml><mj-body><mj-section>\n<mj-colum></mj-colum></mj-section></mj-body></mjml>") == [
        ("tag", "<mj-colum> is not an MJML tag", 2, "mj-column")]
    assert check("<mjml><mj-body><mj-section><mj-column>\n<div>x</div></mj-column></mj-section></mj-body></mjml>") == [
        ("tag", "<div> is not an MJML tag; HTML goes inside <mj-text> or <mj-raw>", 2, None)]


def test_unknown_attributes_are_reported_per_component():
    found = check('<mjml><mj-body>\n<mj-section padding="0" colour="red"></mj-section></mj-body></mjml>')
    assert found == [("attribute", "<mj-section> has no attribute 'colour'", 2, None)]
    found = check('<mjml><mj-body><mj-section><mj-column><mj-image\n srcset="a" scr="b" /></mj-column></mj-section>'
                  "</mj-body></mjml>")
    assert found == [("attribute", "<mj-image> has no attribute 'scr'", 2, "src")]


def test_children_must_be_allowed_by_their_parent():
    assert check("<mjml><mj-body>\n<mj-text>x</mj-text></mj-body></mjml>") == [
        ("child", "<mj-text> cannot be used inside <mj-body>; it belongs in <mj-column>, <mj-hero>", 2, None)]
    assert check("<mjml><mj-body><mj-section>\n<mj-section></mj-section></mj-section></mj-body></mjml>")[0][:3] == (
        "child", "<mj-section> cannot be used inside <mj-section>; it belongs in <mj-body>, <mj-wrapper>", 2)
    assert check("<mj-section></mj-section>") == [
        ("child", "<mj-section> cannot be used at the top of an email template; it belongs in <mj-body>, <mj-wrapper>",
         1, None)]


def test_included_files_are_checked_as_children_of_where_they_are_included():
    files = {"p/cols.mjml": "<mj-column><mj-text>x</mj-text></mj-column>\n", "p/style.css": "a { }",
             "p/h.html": "<p>hi</p>"}
    assert check('<mjml><mj-body><mj-section>{% include "p/cols.mjml" %}</mj-section></mj-body></mjml>', files) == []
    assert check('<mjml><mj-body>{% include "p/cols.mjml" %}</mj-body></mjml>', files) == [
        ("child", "<mj-column> cannot be used inside <mj-body>; it belongs in <mj-group>, <mj-section>", 1, None)]
    assert check('<mjml><mj-head><mj-include path="p/style.css" type="css" /></mj-head><mj-body><mj-section>'
                 '<mj-include path="p/cols.mjml" /><mj-column><mj-include path="p/h.html" type="html" /></mj-column>'
                 "</mj-section></mj-body></mjml>", files) == []


def test_one_file_included_in_two_places_is_placed_at_each():
    """A partial's own structure is judged once; where its top-level elements stand, at each include."""
    files = {"p/cols.mjml": '<mj-column colour="red"><mj-text>x</mj-text></mj-column>\n'}
    found = check('<mjml><mj-body><mj-section>{% include "p/cols.mjml" %}</mj-section>\n'
                  '{% include "p/cols.mjml" %}</mj-body></mjml>', files)
    assert sorted(found) == [
        ("attribute", "<mj-column> has no attribute 'colour'", 1, None),
        ("child", "<mj-column> cannot be used inside <mj-body>; it belongs in <mj-group>, <mj-section>", 1, None)]
