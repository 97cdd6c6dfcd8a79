"""Account Engagement's merge languages: the tags its emails carry, in HML or in the older PML.

Account Engagement merges each recipient's values itself: where campaignkit's
templates say ``{{ first_name }}``, the email it holds says
``{{Recipient.FirstName}}`` in Handlebars Merge Language (HML), the language of
every business unit made since 2020, or ``%%first_name%%`` in Pardot Merge
Language (PML, "variable tags"), which business units never moved to HML still
speak. An environment names its business unit's language in
``settings.merge_language`` (``hml``, the default, or ``pml``).

What each tag is, and where it is written down:

| merged | HML | PML |
|---|---|---|
| standard field | ``{{Recipient.FirstName}}`` | ``%%first_name%%`` |
| custom field | ``{{Recipient.Product_Interest__c}}`` | ``%%Product_Interest%%`` |
| unsubscribe link | ``{{{Unsubscribe}}}`` | ``%%unsubscribe%%`` |
| email preferences | ``{{{EmailPreferenceCenter}}}`` | ``%%email_preference_center%%`` |
| view online | ``{{View_Online}}`` | ``%%view_online%%`` |
| fallback | ``{{#if X}}{{X}}{{else}}there{{/if}}`` | none: the field's default mail merge value |

- PML's links: "All emails must include %%unsubscribe%% or %%email_preference_center%%
  variable tags" (help.salesforce.com, ``mktg.pardot_emails_preference_center_considerations.htm``);
  the unsubscribe page "is represented by the %%unsubscribe%% variable tag"
  (help.pardot.com, "Unsubscribe Page Overview").
- PML and HML side by side (``%%first_name%%``/``{{Recipient.FirstName}}``,
  ``%%view_online%%``/``{{View_Online}}``, ``%%email_preference_center%%``/``{{EmailPreferenceCenter}}``):
  optimalbusinessconsulting.com/understanding-pardot-hml/, a partner's page; Salesforce's own pages
  found name PML's links but give no table. A standard field's tag is its prospect field name in
  snake_case, as in that table.
- A custom field's tag is its custom field ID, the v5 ``fieldId`` (``Product_Interest`` for the API name
  ``Product_Interest__c``): campaignkit's reading, not found written down.
- Fallbacks: PML has none of its own. An empty field merges the field's "default mail merge value",
  "Default value to populate variable tags when a prospect field is empty" (help.salesforce.com,
  ``mktg.pardot_prospect_field_settings.htm``), a setting of the field in Account Engagement that the
  v5 custom-field object does not carry. So a PML tag drops the fallback, and CK441 and CK904 say so.
- HML's conditional tests only whether a field is empty, nests three deep at most, and a field's
  default mail merge value, where one is set, "populates instead of the statement" (Salesforce Help,
  "HML conditional merge fields", as quoted at dodov.dev/blog/using-salesforce-hml-for-rendering-dynamic-letterheads).

The email package renders with these tags (``emails.platform_merge``); this
module says how they are written, and reads them back (``merge_fields``, for
``adopt``) from the same tables. It holds no HTTP client, so that
``validate`` can read it without one.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from campaignkit.diagnostics import Position
from campaignkit.emails.merge import MergeLanguage
from campaignkit.workspace.model import Environment, Resource


class HandlebarsMergeLanguage:
    """The ``MergeLanguage`` of business units on HML."""

    name = "Account Engagement's HML"
    fallbacks = True
    links: Mapping[str, str] = {
        "unsubscribe_url": "{{{Unsubscribe}}}",
        "preferences_url": "{{{EmailPreferenceCenter}}}",
        "view_online_url": "{{View_Online}}",
    }

    def expression(self, field: Resource) -> str:
        """A field as a recipient's value, by API name: ``Recipient.FirstName``, ``Recipient.Product_Interest__c``.

        Standard fields are named by their API name with a capital first letter
        (``firstName`` -> ``Recipient.FirstName``), custom fields by their API name as it is.
        """
        api_name = field.attributes.get("api_name") or "".join(part.capitalize() for part in field.name.split("_"))
        if not field.attributes.get("custom"):
            api_name = api_name[:1].upper() + api_name[1:]
        return f"Recipient.{api_name}"

    def tag(self, expression: str, fallback: str) -> str:
        """``{{expression}}``, or HML's conditional when there is a fallback for an empty value."""
        tag = f"{{{{{expression}}}}}"
        if not fallback:
            return tag
        return f"{{{{#if {expression}}}}}{tag}{{{{else}}}}{fallback}{{{{/if}}}}"


class VariableTagLanguage:
    """The ``MergeLanguage`` of business units still on PML: ``%%first_name%%``, and no fallback."""

    name = "Account Engagement's PML"
    fallbacks = False
    links: Mapping[str, str] = {
        "unsubscribe_url": "%%unsubscribe%%",
        "preferences_url": "%%email_preference_center%%",
        "view_online_url": "%%view_online%%",
    }

    def expression(self, field: Resource) -> str:
        """A standard field by its API name in snake_case (``jobTitle`` -> ``job_title``), a custom
        field by its custom field ID (``Product_Interest__c`` -> ``Product_Interest``)."""
        api_name = field.attributes.get("api_name")
        if field.attributes.get("custom"):
            return api_name.removesuffix("__c") if api_name else field.name
        return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", api_name).lower() if api_name else field.name

    def tag(self, expression: str, fallback: str) -> str:
        """``%%expression%%``: PML cannot carry ``fallback``; the field's default mail merge value stands in."""
        return f"%%{expression}%%"


HANDLEBARS = HandlebarsMergeLanguage()
VARIABLE_TAGS = VariableTagLanguage()

#: Each value of ``settings.merge_language`` and the language it names.
LANGUAGES: dict[str, MergeLanguage] = {"hml": HANDLEBARS, "pml": VARIABLE_TAGS}


def language_of(environment: Environment) -> MergeLanguage:
    """The merge language of the business unit ``environment`` deploys to: ``settings.merge_language``.

    A value the schema refuses (CK1xx, which stops plan and apply) is checked as HML meanwhile.
    """
    return LANGUAGES.get(str(environment.settings.get("merge_language") or "hml"), HANDLEBARS)



# Reading tags back into merge fields (``adopt``) ------------------------------------------------------------

#: The API names of prospect fields every business unit has (the prospect v5 page's fields): a tag naming one
#: is a standard field, which ``adopt`` declares where the files do not.
STANDARD_FIELDS = ("email", "firstName", "lastName", "salutation", "company", "jobTitle", "department", "industry",
                   "phone", "fax", "website", "addressOne", "addressTwo", "city", "state", "zip", "country",
                   "territory", "annualRevenue", "employees", "source", "comments")
#: Every tag of either language that ``merge_fields`` reads: HML's fallback, an HML field, a PML tag, and any
#: other HML expression (``{{Sender.FullName}}``), which no merge field says and is kept as written.
_TAGS = re.compile(r"\{\{#if (?P<tested>Recipient\.\w+)\}\}\{\{(?P<guarded>Recipient\.\w+)\}\}\{\{else\}\}"
                   r"(?P<fallback>[^{}]*)\{\{/if\}\}"
                   r"|(?P<link>" + "|".join(re.escape(tag) for language in (HANDLEBARS, VARIABLE_TAGS)
                                           for tag in language.links.values()) + ")"
                   r"|\{\{(?P<hml>Recipient\.\w+)\}\}|%%(?P<pml>\w+)%%|(?P<other>\{\{\{?[^{}]*\}\}\}?)")


@dataclass(frozen=True)
class Unmerged:
    """A body with its tags as merge fields: Jinja that renders, in the language the tags were in, to the body."""

    template: str
    #: Standard fields merged that ``fields`` did not name: they need declaring.
    standard: tuple[Resource, ...]
    #: Tags left as written: nothing in the files says them.
    kept: tuple[str, ...]
    #: The languages whose tags it held (``hml``, ``pml``), as ``settings.merge_language`` names them.
    languages: frozenset[str] = frozenset()


def standard_field(api_name: str) -> Resource:
    """The declaration of a standard prospect field, as ``adopt`` writes it."""
    name = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", api_name).lower()
    return Resource("field", name, {"kind": "field", "name": name, "type": "email" if name == "email" else "text",
                                    "api_name": api_name}, _NOWHERE)


def merge_fields(body: str, fields: Sequence[Resource], escaped: bool) -> Unmerged:
    """``body`` (an email's HTML, when ``escaped``, else its text or subject) with the tags of either language as
    merge fields of ``fields`` or of the standard ones: ``{{Recipient.FirstName}}`` and ``%%first_name%%`` are
    ``{{ first_name|default("") }}`` (the empty fallback says outright that an empty field merges nothing), HML's
    fallback is ``default("there")``, and a link is ``unsubscribe_url``; text that looks like Jinja stays literal."""
    names = _expressions([*fields, *(standard_field(api) for api in STANDARD_FIELDS)])
    declared = {field.name for field in fields}
    standard: dict[str, Resource] = {}
    kept: list[str] = []
    parts: list[str] = []
    languages: set[str] = set()
    at = 0
    for match in _TAGS.finditer(body):
        merged = _merged(match, names, escaped)
        if merged is None:
            kept.append(match.group(0))
            continue
        languages.add("pml" if match["pml"] or match.group(0) in VARIABLE_TAGS.links.values() else "hml")
        parts += [_literal(body[at:match.start()]), merged[0]]
        at = match.end()
        if merged[1] and merged[1] not in declared:
            standard[merged[1]] = standard_field(next(api for api in STANDARD_FIELDS
                                                      if standard_field(api).name == merged[1]))
    parts.append(_literal(body[at:]))
    return Unmerged("".join(parts), tuple(standard.values()), tuple(kept), frozenset(languages))


_NOWHERE = Position("(the target)", 1, 1)
_LINKS = {tag: name for language in (HANDLEBARS, VARIABLE_TAGS) for name, tag in language.links.items()}


def _expressions(fields: Sequence[Resource]) -> dict[str, str]:
    """Tag expression (``Recipient.FirstName``, ``first_name``) -> the field's name, the files' fields first."""
    names: dict[str, str] = {}
    for field in fields:
        for language in (HANDLEBARS, VARIABLE_TAGS):
            names.setdefault(language.expression(field), field.name)
    return names


def _merged(match: re.Match[str], names: Mapping[str, str], escaped: bool) -> tuple[str, str] | None:
    """The Jinja for one tag and the field it merges ("" for a link); None where it is kept as written."""
    if match["link"]:
        return f"{{{{ {_LINKS[match['link']]} }}}}", ""
    if match["tested"] is not None and match["tested"] != match["guarded"]:
        return None  # a fallback for another field than the one merged: no merge field says it
    expression = match["guarded"] or match["hml"] or match["pml"]
    name = names.get(expression or "")
    if name is None:
        return None
    fallback = match["fallback"] or ""
    if escaped:
        fallback = html.unescape(fallback)
        if html.escape(fallback) != (match["fallback"] or ""):
            return None  # not as this language writes it: kept, so that the body stays the same
    return f"{{{{ {name}|default({json.dumps(fallback, ensure_ascii=False)}) }}}}", name


def _literal(text: str) -> str:
    """``text`` as Jinja that renders to it."""
    return "{% raw %}" + text + "{% endraw %}" if any(o in text for o in ("{{", "{%", "{#")) else text
