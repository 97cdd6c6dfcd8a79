"""The plain-text part made from an email's HTML: words in order, paragraphs, list items and links kept."""

from __future__ import annotations

import mjml

from campaignkit.emails.text import html_to_text, shows_text


def test_mjml_output_becomes_readable_text_with_links():
    document = mjml.mjml2html(
        "<mjml><mj-head><mj-preview>Hidden preview</mj-preview><mj-style>p { color: red }</mj-style></mj-head>"
        "<mj-body><mj-section><mj-column>"
        "<mj-text><p>Hello &amp; welcome,</p><p>Read <a href=\"https://acme.example/guide?a=1&amp;b=2\">the guide</a>."
        "</p></mj-text>"
        '<mj-image src="https://acme.example/logo.png" alt="Acme" href="https://acme.example" />'
        '<mj-button href="https://acme.example/start">Start now</mj-button>'
        "<mj-text><ul><li>One</li><li>Two</li></ul>Line<br/>break</mj-text>"
        "</mj-column></mj-section></mj-body></mjml>")
    assert html_to_text(document) == (
        "Hello & welcome,\n\n"
        "Read the guide (https://acme.example/guide?a=1&b=2).\n\n"
        "Acme (https://acme.example)\n\n"
        "Start now (https://acme.example/start)\n\n"
        "- One\n- Two\n\nLine\nbreak\n")


def test_a_link_whose_text_is_its_url_is_written_once():
    assert html_to_text('<body><a href="https://acme.example">https://acme.example</a></body>') == (
        "https://acme.example\n")


def test_outlook_conditional_content_is_dropped_but_revealed_content_kept():
    document = ("<body><!--[if mso | IE]><table><tr><td>Outlook only</td></tr></table><![endif]-->"
                "<!--[if !mso]><!--><p>Everyone</p><!--<![endif]--></body>")
    assert html_to_text(document) == "Everyone\n"


def test_styles_and_scripts_in_the_body_are_not_text_whatever_their_case():
    document = "<body><STYLE>p { color: red }</style><p>Shown</p><Script>track()</SCRIPT></body>"
    assert html_to_text(document) == "Shown\n"


def test_an_email_without_text_has_an_empty_text_part():
    assert html_to_text('<body><img src="https://acme.example/a.png" alt=""></body>').strip() == ""


def test_shows_text_tells_at_a_glance_only_when_the_text_part_surely_has_text():
    preview = '<body><div style="display:none">Preview only</div>'
    cases = {
        preview + "<p>Hello</p></body>": (True, "Hello\n"),
        preview + "<p>&nbsp;</p></body>": (False, "\n"),
        preview + '<a href="https://acme.example"><img src="x.png" alt="Acme"></a></body>': (
            False, "Acme (https://acme.example)\n"),
        "<body><!-- a comment --><style>p { color: red }</style></body>": (False, "\n"),
        "<body><STYLE>p { color: red }</style><Title>Hi</TITLE></body>": (False, "\n"),
        "<body><!-- <p>hidden</p> --><p>Shown</p></body>": (True, "Shown\n"),
        '<body><div style="display: none"><div>nested</div></div></body>': (False, "\n"),
    }
    for document, (at_a_glance, text) in cases.items():
        assert (shows_text(document), html_to_text(document)) == (at_a_glance, text)
