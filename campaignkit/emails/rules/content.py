"""Email checks on content (CK420-CK433): images, links, compliance, size, inbox text, text part.

The rules of what makes an email reach an inbox, read well
there and stay within the law. Images and links are judged where they are
written (so also in branches the sample prospect does not take); size and
the text part on the email rendered for the sample prospect.
"""

from __future__ import annotations

from collections.abc import Iterator

from campaignkit.diagnostics import Diagnostic, error, warning
from campaignkit.emails.merge import BUILTIN_URLS, POSTAL_ADDRESS_VAR
from campaignkit.emails.rules.analysis import EmailFacts
from campaignkit.emails.rules.links import LinkVerdict
from campaignkit.emails.rules.registry import email_check

#: Gmail clips messages whose HTML is over about 102 KB, hiding what follows (often the
#: unsubscribe link); the warning leaves room for what the sending platform adds.
CLIP_BYTES = 102 * 1024
WARN_BYTES = 80 * 1024
MAX_SUBJECT_CHARS = 100


@email_check("CK420")
def images_have_alt(facts: EmailFacts) -> Iterator[Diagnostic]:
    """An image has no `alt` attribute.

    What it does: checks every `<mj-image>`, `<mj-carousel-image>` and HTML `<img>` for an
    `alt` attribute; `alt=""` is accepted for decoration.
    Why is this bad? Most clients block images until the reader allows them, and screen
    readers read the file name instead: the alt text is what the reader gets.
    Example: `<mj-image src="https://acme.example/hero.png" />`.
    Use instead: `<mj-image src="https://acme.example/hero.png" alt="Acme Conf 2026" />`.
    """
    for image in facts.images:
        if not image.has_alt:
            yield error("CK420", f"<{image.tag}> has no alt text; add alt=\"...\" (alt=\"\" for decoration)",
                        image.position)


@email_check("CK421")
def links_are_https(facts: EmailFacts) -> Iterator[Diagnostic]:
    """A link or image is not an absolute https URL.

    What it does: checks `href` of links and buttons and `src` of images, as rendered for
    the sample prospect; `mailto:`, `tel:` and `sms:` are fine.
    Why is this bad? `http` links travel in the clear and mail filters mark them down;
    a relative link has no site to be relative to in an inbox.
    Example: `<a href="http://acme.example/offer">` or `href="/offer"`.
    Use instead: `<a href="https://acme.example/offer">`.
    """
    for link in facts.links:
        if link.verdict is LinkVerdict.NOT_HTTPS:
            yield error("CK421", f"{link.attribute} \"{link.url}\" is not an absolute https URL; "
                                 "use https://...", link.position)


@email_check("CK422")
def links_reach_recipients(facts: EmailFacts) -> Iterator[Diagnostic]:
    """A link is empty, runs script, or points at a local address.

    What it does: flags empty `href`/`src`, `javascript:`, `data:` and `file:` URLs, and
    hosts such as `localhost`, `127.0.0.1` and private network addresses.
    Why is this bad? None of them works for a recipient: the link does nothing, is blocked
    as dangerous, or opens the recipient's own machine.
    Example: `<mj-button href="http://localhost:8000/signup">`.
    Use instead: the public URL: `<mj-button href="https://acme.example/signup">`.
    """
    for link in facts.links:
        if link.verdict in (LinkVerdict.EMPTY, LinkVerdict.SCRIPT, LinkVerdict.PRIVATE):
            shown = f" \"{link.url}\"" if link.url else ""
            yield error("CK422", f"{link.attribute}{shown} is {link.verdict.value}", link.position)


@email_check("CK423")
def unsubscribe_link(facts: EmailFacts) -> Iterator[Diagnostic]:
    """A marketing email has no unsubscribe link.

    What it does: for emails that are not `operational: true`, looks for a link whose
    `href` is the built-in `{{ unsubscribe_url }}` in the template and everything it
    includes, and, for an email with a text part of its own (`text: FILE`), for the link
    in that text too.
    Why is this bad? CAN-SPAM requires a working opt-out in every commercial email, and
    Gmail and Yahoo require one-click unsubscribe from bulk senders.
    Example: a footer with only the postal address.
    Use instead: `<a href="{{ unsubscribe_url }}">Unsubscribe</a>`, or
    `operational: true` for transactional email.
    """
    if facts.email.data.get("operational") is True or not facts.content_known:
        return
    target = BUILTIN_URLS["unsubscribe_url"]
    if not any(link.url and link.url.startswith(target) for link in facts.links):
        yield error("CK423", "no unsubscribe link: add <a href=\"{{ unsubscribe_url }}\">Unsubscribe</a> "
                             "(or set operational: true for transactional email)", facts.template_position)
    if _own_text_lacks(facts, target):
        yield error("CK423", "the text part has no unsubscribe link: write {{ unsubscribe_url }} in "
                             f"{facts.email.data['text']} too", facts.email.position_of("text"))


@email_check("CK424")
def postal_address(facts: EmailFacts) -> Iterator[Diagnostic]:
    """A marketing email has no postal address.

    What it does: for emails that are not `operational: true`, looks for the workspace var
    `company_address` merged in the template (or its value written out), and in the text
    part of an email that has one of its own (`text: FILE`).
    Why is this bad? CAN-SPAM requires the sender's valid postal address in every
    commercial email.
    Example: a footer without an address.
    Use instead: `vars: {company_address: "Acme Inc, 1-2-3 Shibuya, Tokyo"}` in
    campaignkit.yaml and `{{ company_address }}` in the footer.
    """
    if facts.email.data.get("operational") is True or not facts.content_known:
        return
    address = facts.merge.vars.get(POSTAL_ADDRESS_VAR)
    if address and _own_text_lacks(facts, str(address)):
        yield error("CK424", f"the text part has no postal address: write {{{{ {POSTAL_ADDRESS_VAR} }}}} in "
                             f"{facts.email.data['text']} too", facts.email.position_of("text"))
    if any(merged.name == POSTAL_ADDRESS_VAR for merged in facts.merge_uses):
        return
    if address and facts.rendered is not None and str(address) in facts.rendered.text:
        return
    if address is None:
        advice = f"declare vars.{POSTAL_ADDRESS_VAR} in campaignkit.yaml and merge {{{{ {POSTAL_ADDRESS_VAR} }}}}"
    else:
        advice = f"merge {{{{ {POSTAL_ADDRESS_VAR} }}}} in the footer"
    yield error("CK424", f"no postal address: {advice}", facts.template_position)


def _own_text_lacks(facts: EmailFacts, text: str) -> bool:
    """Whether the email has a text part of its own (``text: FILE``) and ``text`` is not in it as rendered."""
    own = facts.rendered.own_text if facts.rendered is not None else None
    return own is not None and text not in own


def _html_bytes(facts: EmailFacts) -> int:
    return facts.rendered.html_bytes if facts.rendered is not None else 0


@email_check("CK425")
def html_not_clipped(facts: EmailFacts) -> Iterator[Diagnostic]:
    """The rendered HTML is over 102 KB, so Gmail clips it.

    What it does: measures the HTML rendered for the sample prospect, in bytes.
    Why is this bad? Gmail shows only the first 102 KB and hides the rest behind "View
    entire message", usually including the unsubscribe link and the address.
    Example: a newsletter of 40 sections with inline styles.
    Use instead: fewer sections, shared `mj-attributes` and `mj-class` instead of repeated
    styles, or a link to the full story on the web.
    """
    size = _html_bytes(facts)
    if size > CLIP_BYTES:
        yield error("CK425", f"the rendered HTML is {size / 1024:.0f} KB; Gmail clips messages over 102 KB",
                    facts.template_position)


@email_check("CK426")
def html_size_margin(facts: EmailFacts) -> Iterator[Diagnostic]:
    """The rendered HTML is over 80 KB, close to Gmail's 102 KB clipping.

    What it does: measures the HTML rendered for the sample prospect, in bytes.
    Why is this bad? Longer merge values and the tracking the platform adds can take it
    past 102 KB, where Gmail clips it.
    Example: a template whose sample renders to 90 KB.
    Use instead: trim it below 80 KB.
    """
    size = _html_bytes(facts)
    if WARN_BYTES < size <= CLIP_BYTES:
        yield warning("CK426", f"the rendered HTML is {size / 1024:.0f} KB, close to Gmail's 102 KB clipping; "
                               "keep it under 80 KB", facts.template_position)


@email_check("CK430")
def subject_present(facts: EmailFacts) -> Iterator[Diagnostic]:
    """The email has no subject.

    What it does: requires a non-blank `subject`.
    Why is this bad? Inboxes show "(no subject)", which reads as spam.
    Example: `subject: ""`.
    Use instead: `subject: Your Acme Conf ticket`.
    """
    subject = facts.email.data.get("subject")
    if not isinstance(subject, str) or not subject.strip():
        yield error("CK430", "the email has no subject; add subject: ...", facts.email.position_of("subject"))


@email_check("CK431")
def subject_length(facts: EmailFacts) -> Iterator[Diagnostic]:
    """The subject is 100 characters or longer.

    What it does: measures the subject as rendered for the sample prospect.
    Why is this bad? Inboxes cut subjects off long before that, and long subjects score
    worse with spam filters.
    Example: a subject that tells the whole story.
    Use instead: under 100 characters, the point first; the preheader carries the rest.
    """
    subject = facts.rendered.subject if facts.rendered is not None else facts.email.data.get("subject")
    if isinstance(subject, str) and len(subject) >= MAX_SUBJECT_CHARS:
        yield error("CK431", f"the subject is {len(subject)} characters; keep it under {MAX_SUBJECT_CHARS}",
                    facts.email.position_of("subject"))


@email_check("CK432")
def preheader_present(facts: EmailFacts) -> Iterator[Diagnostic]:
    """The email has no preheader.

    What it does: warns when `preheader` is missing or blank.
    Why is this bad? Inboxes then show the first words of the body after the subject,
    often "View online" or an image's alt text.
    Example: an email with only `subject`.
    Use instead: `preheader: Your ticket and what comes next`.
    """
    preheader = facts.email.data.get("preheader")
    if not isinstance(preheader, str) or not preheader.strip():
        yield warning("CK432", "the email has no preheader; add preheader: ... (the text inboxes show after "
                               "the subject)", facts.email.position_of("preheader"))


@email_check("CK433")
def text_part(facts: EmailFacts) -> Iterator[Diagnostic]:
    """The plain-text part of the email is empty.

    What it does: renders the text part for the sample prospect (made from the HTML with
    `text: auto`, with links kept as "text (url)") and requires some text in it.
    Why is this bad? Clients that do not show HTML show nothing, and spam filters mark down
    HTML-only email.
    Example: an email that is one big image, with `text: auto`.
    Use instead: some real text in the body, or `text: templates/NAME.txt`.
    """
    if facts.rendered is not None and not facts.rendered.has_text:
        yield error("CK433", "the plain-text part is empty; put text in the body or write a text part "
                             "(text: templates/NAME.txt)", facts.email.position_of("text"))
