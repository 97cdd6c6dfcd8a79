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
module only says how they are written. It holds no HTTP client, so that
``validate`` can read it without one.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

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
