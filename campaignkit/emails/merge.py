"""The mail-merge model: which names a template may use and what each one says for a prospect.

A merge name is a declared ``field`` (its value comes from the prospect), a
workspace ``var`` (from ``campaignkit.yaml``) or one of the built-in links the
sending platform fills in (``BUILTIN_URLS``). An empty or missing field value
takes the field's default mail-merge value; a field without one is merged as ""
and templates must give a fallback with ``| default(...)`` (checked statically
in ``template_facts``). A platform that merges each recipient's values itself
has a ``MergeLanguage``, which may differ from one environment to the next (a
business unit on an older language); the targets say which one each environment
speaks (``LanguageOf``), and this package is given that, so that it knows no
platform by name. This module builds values; it renders nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Protocol

from campaignkit.diagnostics import closest, did_you_mean
from campaignkit.errors import UserError
from campaignkit.workspace.model import Environment, Resource, Workspace
from campaignkit.workspace.values import is_empty

#: Links only the sending platform knows, one per recipient. Previews and checks use these
#: stable placeholders (the reserved ``.invalid`` domain never resolves); a target that sends
#: replaces them with the platform's own merge tags.
BUILTIN_URLS: dict[str, str] = {
    "unsubscribe_url": "https://example.invalid/unsubscribe",
    "preferences_url": "https://example.invalid/preferences",
    "view_online_url": "https://example.invalid/view-online",
}

#: The workspace var that holds the sender's postal address (CAN-SPAM).
POSTAL_ADDRESS_VAR = "company_address"


class MergeLanguage(Protocol):
    """How a sending platform merges each recipient's values into the email it holds: from tags.

    An email bound for such a platform carries its tags in place of fields and built-in
    links (``platform_merge``), and CK440 reports what a tag cannot say.
    """

    #: Names the language in messages ("which NAME (environment 'production') cannot say") and in the keys
    #: of bodies rendered in it.
    name: str
    #: Each built-in link (``BUILTIN_URLS``) as the platform writes it.
    links: Mapping[str, str]
    #: Whether ``tag`` can carry a fallback; where it cannot, a recipient without a value gets only what
    #: the platform itself keeps for the field, and CK441 and CK904 say so.
    fallbacks: bool

    def expression(self, field: Resource) -> str:
        """What the platform merges for the prospect ``field`` (e.g. ``Recipient.FirstName``)."""
        ...

    def tag(self, expression: str, fallback: str) -> str:
        """The tag that merges ``expression``, giving ``fallback`` for a recipient without a value ("": none;
        ignored where ``fallbacks`` is false)."""
        ...


#: The merge language an environment's emails are sent in; None for a target that holds them as rendered
#: for the sample prospect. The targets supply it.
LanguageOf = Callable[[Environment], "MergeLanguage | None"]


def environment_languages(workspace: Workspace, language_of: LanguageOf | None) -> dict[str, MergeLanguage]:
    """The merge language of each of ``workspace``'s environments that sends emails in one, by environment name."""
    if language_of is None:
        return {}
    languages = {name: language_of(environment) for name, environment in workspace.config.environments.items()}
    return {name: language for name, language in sorted(languages.items()) if language is not None}


def without_fallbacks(languages: Mapping[str, MergeLanguage]) -> dict[str, MergeLanguage]:
    """Those of ``languages`` (by environment) that cannot carry a fallback, whose fallbacks are lost (CK441, CK904)."""
    return {environment: language for environment, language in languages.items() if not language.fallbacks}


def spoken_by(languages: Mapping[str, MergeLanguage]) -> str:
    """The languages by name, each with the environments that speak it, for messages:
    "HML (environments 'production', 'staging') and PML (environment 'legacy')"."""
    environments: dict[str, list[str]] = {}
    for environment, language in sorted(languages.items()):
        environments.setdefault(language.name, []).append(f"'{environment}'")
    return " and ".join(f"{name} (environment{'s' if len(names) > 1 else ''} {', '.join(names)})"
                        for name, names in sorted(environments.items()))


@dataclass(frozen=True)
class MergeModel:
    """The fields and vars of one workspace, as templates see them."""

    fields: frozenset[str]
    defaults: Mapping[str, Any]
    examples: Mapping[str, Any]
    vars: Mapping[str, Any]
    #: The merge language each environment sends the workspace's emails in, by environment name
    #: (environments whose target holds emails as rendered are not in it).
    languages: Mapping[str, MergeLanguage]

    @classmethod
    def of(cls, workspace: Workspace, language_of: LanguageOf | None = None) -> MergeModel:
        """The model of ``workspace``, whose environments send its emails in the languages ``language_of``
        gives them."""
        fields = workspace.of_kind("field")
        return cls(
            fields=frozenset(field.name for field in fields),
            defaults={f.name: f.attributes["default"] for f in fields if not is_empty(f.attributes.get("default"))},
            examples={f.name: f.attributes["example"] for f in fields if not is_empty(f.attributes.get("example"))},
            vars=dict(workspace.config.vars or {}),
            languages=environment_languages(workspace, language_of),
        )

    @cached_property  # asked for every name every template merges
    def names(self) -> frozenset[str]:
        """Every name a template may merge."""
        return self.fields | frozenset(self.vars) | frozenset(BUILTIN_URLS)

    def needs_fallback(self, name: str) -> bool:
        """Whether ``name`` is a field with no default, which a template must not merge bare."""
        return name in self.fields and name not in self.defaults and name not in BUILTIN_URLS

    def sample_prospect(self) -> dict[str, Any]:
        """A prospect made from each field's example, or its default; fields with neither stay empty."""
        return {name: self.examples.get(name, self.defaults.get(name)) for name in sorted(self.fields)
                if name in self.examples or name in self.defaults}

    def values(self, prospect: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """The names a template sees for ``prospect`` (None: the sample prospect).

        Raises ``UserError`` for a prospect key that is not a declared field, because
        a typo there would silently merge the default instead of the value meant.
        """
        prospect = self.sample_prospect() if prospect is None else prospect
        unknown = sorted(set(prospect) - self.fields)
        if unknown:
            name = unknown[0]
            raise UserError(f"the prospect has a field '{name}' that no field declares"
                            f"{did_you_mean(closest(name, self.fields))}; declare it (kind: field) or remove it")
        values: dict[str, Any] = dict(self.vars)
        for name in self.fields:
            value = prospect.get(name)
            values[name] = self.defaults.get(name, "") if is_empty(value) else value
        values.update(BUILTIN_URLS)
        return values
