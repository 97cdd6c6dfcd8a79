"""Email checks on templates as Jinja sees them (CK401-CK409, CK440-CK441): files, syntax, sandbox, merge names.

Each function reads an email's facts (see ``analysis``) and yields its
diagnostics; the facts already point into the template files, so these only
decide what is wrong and say what to do about it.
"""

from __future__ import annotations

from collections.abc import Iterator

from campaignkit.diagnostics import Diagnostic, closest, did_you_mean, error, warning
from campaignkit.emails.merge import BUILTIN_URLS, spoken_by, without_fallbacks
from campaignkit.emails.platform_merge import fallbacks, inexpressible
from campaignkit.emails.rules.analysis import EmailFacts
from campaignkit.emails.rules.registry import email_check
from campaignkit.workspace.template_paths import OutsideWorkspace


def reported_failure(facts: EmailFacts, code: str) -> Iterator[Diagnostic]:
    """The render failure of ``facts`` if it has ``code``: checks whose problem only a render shows."""
    if facts.failure is not None and facts.failure.code == code:
        yield error(code, facts.failure.message, facts.failure.position)


@email_check("CK401")
def template_exists(facts: EmailFacts) -> Iterator[Diagnostic]:
    """A template, partial or text part cannot be read.

    What it does: checks that the email names a `template`, and that it, its `text` file and
    every file they include exist in the workspace, are UTF-8 text without NUL bytes and are
    under 1 MB.
    Why is this bad? The email cannot be rendered at all.
    Example: `template: templates/welcom.mjml` when the file is `templates/welcome.mjml`.
    Use instead: the path of an existing file, relative to the workspace root.
    """
    if facts.names_no_template:
        yield error("CK401", f"{facts.email.address} names no template; add template: templates/NAME.mjml",
                    facts.template_position)
    for broken in facts.broken:
        if broken.problem is not None and not isinstance(broken.problem, OutsideWorkspace):
            yield error("CK401", broken.message, broken.position, suggestion=broken.suggestion)


@email_check("CK402")
def template_inside_workspace(facts: EmailFacts) -> Iterator[Diagnostic]:
    """A template reaches for a file outside the workspace.

    What it does: refuses absolute paths, `..` and symbolic links leading out of the workspace
    in `template`, `text`, `{% include %}`, `{% import %}` and `<mj-include path="...">`.
    Why is this bad? A template could copy any file of the machine that renders it (a
    password file, a deploy key) into an email.
    Example: `{% include "../../etc/passwd" %}`.
    Use instead: keep partials in the workspace and name them from its root:
    `{% include "templates/partials/footer.mjml" %}`.
    """
    for broken in facts.broken:
        if isinstance(broken.problem, OutsideWorkspace):
            yield error("CK402", broken.message, broken.position)


@email_check("CK403")
def template_syntax(facts: EmailFacts) -> Iterator[Diagnostic]:
    """A template, subject or preheader is not valid Jinja.

    What it does: parses every template the email uses, and its subject and preheader, as
    Jinja2 and reports the line of the first syntax error in each.
    Why is this bad? The email cannot be rendered.
    Example: `Hello {{ first_name }` (the expression is not closed).
    Use instead: `Hello {{ first_name }}`.
    """
    for visited in facts.templates:
        compiled = visited.compiled
        if compiled.facts.syntax_error:
            yield error("CK403", f"Jinja syntax error: {compiled.facts.syntax_error}",
                        visited.position(compiled.facts.error_line, compiled.facts.error_column))


@email_check("CK404")
def template_sandbox(facts: EmailFacts) -> Iterator[Diagnostic]:
    """A template tries to reach Python internals.

    What it does: refuses attribute and item access to names starting with `_` and to
    function, method and generator internals, found in the template source; and reports
    anything else the sandbox refuses while rendering.
    Why is this bad? Through `''.__class__.__mro__` and the like a template can reach any
    Python object, and from there run code on the machine that renders it.
    Example: `{{ ''.__class__.__mro__ }}`, `{{ cycler.__init__.__globals__ }}`.
    Use instead: merge fields and workspace vars only: `{{ first_name }}`.
    """
    for visited in facts.templates:
        for access in visited.compiled.facts.unsafe:
            yield error("CK404", f"templates may not use '{access.attribute}': the sandbox refuses Python "
                                 "internals; use merge fields and vars only",
                        visited.position(access.line, access.column))
    yield from reported_failure(facts, "CK404")


@email_check("CK405")
def merge_name_declared(facts: EmailFacts) -> Iterator[Diagnostic]:
    """A template merges a name that is not a declared field, a workspace var or a built-in link.

    What it does: walks the Jinja syntax tree of every template the email uses (partials
    included, every branch, not just the one a sample takes) and checks each name read from
    the merge context against the `field` resources, the `vars` of campaignkit.yaml and the
    built-ins `unsubscribe_url`, `preferences_url` and `view_online_url`. Names bound in the
    template (`{% set %}`, loop variables, macro arguments) are not merge names.
    Why is this bad? Nothing would fill the name in: the render fails, or with a lenient
    engine the email says "Dear ,".
    Example: `Hello {{ frist_name }}`.
    Use instead: `Hello {{ first_name }}`, or declare the field (kind: field).
    """
    for merged in facts.merge_uses:
        if not facts.is_declared(merged.name):
            suggestion = closest(merged.name, facts.merge.names)
            yield error("CK405", f"'{merged.name}' is not a declared field, var or built-in{did_you_mean(suggestion)}",
                        merged.position, suggestion=suggestion)


@email_check("CK406")
def merge_field_has_fallback(facts: EmailFacts) -> Iterator[Diagnostic]:
    """A field without a default mail-merge value is merged without a fallback.

    What it does: finds fields that declare no `default` and are merged bare, not through
    `| default(...)`, `or`, or inside an `{% if %}` that tests them.
    Why is this bad? Every prospect whose field is empty gets an email that says "Dear ,".
    Example: `Dear {{ job_title }},` where `field.job_title` has no `default`.
    Use instead: `Dear {{ job_title | default("marketing leader") }},` or give the field a
    `default`.
    """
    for merged in facts.merge_uses:
        if facts.merge.needs_fallback(merged.name) and not merged.use.guarded:
            yield error("CK406", f"field '{merged.name}' has no default mail-merge value: write "
                                 f"{{{{ {merged.name} | default(\"...\") }}}} or give field.{merged.name} a default",
                        merged.position)


@email_check("CK407")
def template_references_are_static(facts: EmailFacts) -> Iterator[Diagnostic]:
    """A template uses an include that cannot be checked, or a construct campaignkit does not support.

    What it does: requires `include` and `import` to name their template as a quoted string,
    refuses `extends`, and refuses templates that include themselves.
    Why is this bad? A computed name cannot be checked before sending (it could name any
    file), `extends` hides the layout from the MJML checks, and a self-include never ends.
    Example: `{% include "templates/" ~ industry ~ ".mjml" %}`.
    Use instead: `{% if industry == "Retail" %}{% include "templates/retail.mjml" %}{% endif %}`.
    """
    for broken in facts.broken:
        if broken.problem is None:
            yield error("CK407", broken.message, broken.position)


@email_check("CK408")
def template_renders(facts: EmailFacts) -> Iterator[Diagnostic]:
    """A template fails while rendering for the sample prospect.

    What it does: renders the email for a prospect made from the fields' examples and
    defaults and reports the error and template line if rendering fails.
    Why is this bad? The email cannot be sent to prospects like the sample.
    Example: `{{ employees / 0 }}` or `{{ first_name.upper(1) }}`.
    Use instead: an expression that works for every value the field can hold.
    """
    yield from reported_failure(facts, "CK408")


@email_check("CK409")
def template_output_bounded(facts: EmailFacts) -> Iterator[Diagnostic]:
    """A template renders to more than a million characters, or for more than 5 seconds.

    What it does: stops a render whose output passes 1,000,000 characters, or that runs
    for more than 5 s; and, before it runs, any expression, filter or method that would
    make a longer value (repeating a value, a width such as `center`, `indent`, `ljust`,
    `'%10s'` or `'{:>10}'`, a join, a replacement), and any `range()` of more than 100,000
    numbers. A partial that runs out of time (a shared footer) is not rendered again for
    the other emails that include it: they fail at once, where it did.
    Why is this bad? It is a runaway loop, not an email, and it would exhaust memory.
    Example: `{% for i in range(100000) %}{{ long_text }}{% endfor %}`, or
    `{{ first_name | center(3000000000) }}`.
    Use instead: bounded loops over real content, and widths of a few characters.
    """
    yield from reported_failure(facts, "CK409")


@email_check("CK440")
def platform_merge_language(facts: EmailFacts) -> Iterator[Diagnostic]:
    """A merge field is used in a way the sending platform's merge language cannot say.

    What it does: when an environment deploys to `account-engagement`, finds fields and
    built-in links (`unsubscribe_url`, ...) that a template tests in `{% if %}`, loops over
    with `{% for %}`, passes to a filter other than `default`, compares or computes with.
    Why is this bad? Account Engagement merges each recipient's values itself, from tags such
    as `{{Recipient.FirstName}}` (`%%first_name%%` where the environment's
    `settings.merge_language` is `pml`); campaignkit sends those tags in place of the fields,
    so the test, filter or sum would act on the tag's text and every recipient would get the
    same, wrong result.
    Example: `{% if first_name %}Hi {{ first_name | upper }}{% endif %}`.
    Use instead: print the field as it is, `Hi {{ first_name }}`, and give the field a
    `default` (its default mail-merge value) for recipients without one.
    """
    if not facts.merge.languages:
        return
    speakers = spoken_by(facts.merge.languages)
    names = facts.merge.fields | frozenset(BUILTIN_URLS)
    for visited in facts.templates:
        for use in inexpressible(visited.compiled.source, names - visited.bound_above):
            yield error("CK440", f"'{use.name}' is {use.how}, which {speakers} cannot say; "
                        f"print it plainly as {{{{ {use.name} }}}}",
                        visited.position(use.line, use.column))


@email_check("CK441")
def fallback_lost_in_merge_language(facts: EmailFacts) -> Iterator[Diagnostic]:
    """A template's fallback for a field cannot travel in the environment's merge language.

    What it does: when an environment sends in a merge language with no fallback of its own
    (Account Engagement's PML, `settings.merge_language: pml`), finds fields without a
    declared `default` that a template prints with `| default("...")`.
    Why is this bad? Previews and HML say "Dear team"; PML's `%%department%%` cannot, so a
    recipient without a value gets the field's default mail merge value as set in Account
    Engagement, or nothing ("Dear ,"). campaignkit sends the bare tag and says so here.
    Example: `Dear {{ department | default("team") }}` with `merge_language: pml`.
    Use instead: declare the fallback as the field's `default:` in `fields.yaml` and set the
    same default mail merge value on the field in Account Engagement (CK904 reminds you).
    """
    silent = without_fallbacks(facts.merge.languages)
    if not silent:
        return
    speakers = spoken_by(silent)
    names = frozenset(name for name in facts.merge.fields if facts.merge.needs_fallback(name))
    for visited in facts.templates:
        for use in fallbacks(visited.compiled.source, names - visited.bound_above):
            yield warning("CK441", f"'{use.name}' {use.how} here, which {speakers} cannot say: a recipient "
                          "without a value gets the default mail-merge value the platform holds for the field, "
                          f"or nothing; declare it as field.{use.name}'s default and set it there too",
                          visited.position(use.line, use.column))
