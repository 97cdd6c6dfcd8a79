"""Account Engagement's merge language, Handlebars Merge Language (HML): the tags its emails carry.

Account Engagement merges each recipient's values itself: where campaignkit's
templates say ``{{ first_name }}``, the email it holds says
``{{Recipient.FirstName}}``, and ``{{#if Recipient.FirstName}}...{{else}}there{{/if}}``
where an empty value needs a fallback. The email package renders with these
tags (``emails.platform_merge``); this module only says how they are written.
It holds no HTTP client, so that ``validate`` can read it without one.
"""

from __future__ import annotations

from collections.abc import Mapping

from campaignkit.emails.merge import MergeLanguage
from campaignkit.workspace.model import Environment, Resource


class HandlebarsMergeLanguage:
    """The ``MergeLanguage`` of the ``account-engagement`` target: business units on HML."""

    name = "Account Engagement's HML"
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


HANDLEBARS = HandlebarsMergeLanguage()


def language_of(environment: Environment) -> MergeLanguage:
    """The merge language of the business unit ``environment`` deploys to."""
    return HANDLEBARS
