"""Email checks on MJML (CK410-CK414): syntax, tags, attributes, nesting, and MJML's own render.

``mjml-python`` renders unknown tags, unknown attributes and wrong nesting
silently, and reports syntax errors only as a character offset; these checks
report each problem at its line and column in the template where it is written.
"""

from __future__ import annotations

from collections.abc import Iterator

from campaignkit.diagnostics import Diagnostic, did_you_mean, error
from campaignkit.emails.rules.analysis import EmailFacts
from campaignkit.emails.rules.registry import email_check
from campaignkit.emails.rules.templates import reported_failure


def _structure(facts: EmailFacts, kind: str, code: str) -> Iterator[Diagnostic]:
    for problem in facts.structure:
        if problem.kind == kind:
            yield error(code, problem.message + did_you_mean(problem.suggestion), problem.position,
                        suggestion=problem.suggestion)


@email_check("CK410")
def mjml_syntax(facts: EmailFacts) -> Iterator[Diagnostic]:
    """The MJML or the HTML inside it is not well formed.

    What it does: checks that every tag is closed, in order, that closing tags match, that
    attribute values are quoted and that a literal `<` is written `&lt;`; inside `mj-text`,
    `mj-button`, `mj-raw` and the other ending tags too.
    Why is this bad? MJML renders the wrong layout or refuses the template, and only says
    at which character.
    Example: `<mj-column><mj-text>Hi</mj-text></mj-section>`.
    Use instead: `<mj-column><mj-text>Hi</mj-text></mj-column>`.
    """
    for message, where in facts.syntax:
        yield error("CK410", message, where)


@email_check("CK411")
def mjml_known_tags(facts: EmailFacts) -> Iterator[Diagnostic]:
    """A tag is not an MJML 5 component.

    What it does: checks every tag outside ending tags against the components of MJML 5
    and suggests the closest one.
    Why is this bad? MJML copies an unknown tag into the HTML as it is; email clients
    ignore it and its content disappears or breaks the layout.
    Example: `<mj-colum>`.
    Use instead: `<mj-column>`.
    """
    yield from _structure(facts, "tag", "CK411")


@email_check("CK412")
def mjml_known_attributes(facts: EmailFacts) -> Iterator[Diagnostic]:
    """A component has an attribute MJML does not know.

    What it does: checks each attribute against the component's allowed attributes in
    MJML 5 (plus `mj-class` and `css-class`) and suggests the closest one.
    Why is this bad? MJML ignores it silently: the style or link it was meant to set is
    not there.
    Example: `<mj-button colour="#fff">`.
    Use instead: `<mj-button color="#fff">`.
    """
    yield from _structure(facts, "attribute", "CK412")


@email_check("CK413")
def mjml_allowed_children(facts: EmailFacts) -> Iterator[Diagnostic]:
    """A component stands where MJML does not allow it.

    What it does: checks each component against the children its parent allows in MJML 5
    (`mj-body` holds `mj-section`, `mj-wrapper`, `mj-hero` and `mj-raw`; `mj-section`
    holds `mj-column` and `mj-group`; content goes in `mj-column`), following includes.
    Why is this bad? MJML renders it anyway, into HTML that email clients lay out wrongly.
    Example: `<mj-body><mj-text>Hi</mj-text></mj-body>`.
    Use instead: `<mj-body><mj-section><mj-column><mj-text>Hi</mj-text></mj-column>
    </mj-section></mj-body>`.
    """
    yield from _structure(facts, "child", "CK413")


@email_check("CK414")
def mjml_renders(facts: EmailFacts) -> Iterator[Diagnostic]:
    """MJML could not turn the rendered template into HTML.

    What it does: reports the error of `mjml-python` when it refuses a template that
    passed the other checks.
    Why is this bad? The email has no HTML to send.
    Example: a merge value that inserts unbalanced markup into an `mj-text`.
    Use instead: balanced markup; merge values are escaped unless marked safe.
    """
    yield from reported_failure(facts, "CK414")
