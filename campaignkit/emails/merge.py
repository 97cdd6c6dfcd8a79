"""The mail-merge model: which names a template may use and what each one says for a prospect.

A merge name is a declared ``field`` (its value comes from the prospect), a
workspace ``var`` (from ``campaignkit.yaml``) or one of the built-in links the
sending platform fills in (``BUILTIN_URLS``). An empty or missing field value
takes the field's default mail-merge value; a field without one is merged as ""
and templates must give a fallback with ``| default(...)`` (checked statically
in ``template_facts``). A platform that merges each recipient's values itself
has a ``MergeLanguage``; the targets declare theirs, and this package is given
them, so that it knows no platform by name. This module builds values; it
renders nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Protocol

from campaignkit.diagnostics import closest, did_you_mean
from campaignkit.errors import UserError
from campaignkit.workspace.model import Resource, Workspace
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

    #: Names the language in messages ("the merge language of NAME") and in the keys of bodies rendered in it.
    name: str
    #: Each built-in link (``BUILTIN_URLS``) as the platform writes it.
    links: Mapping[str, str]

    def expression(self, field: Resource) -> str:
        """What the platform merges for the prospect ``field`` (e.g. ``Recipient.FirstName``)."""
        ...

    def tag(self, expression: str, fallback: str) -> str:
        """The tag that merges ``expression``, giving ``fallback`` for a recipient without a value ("": none)."""
        ...


@dataclass(frozen=True)
class MergeModel:
    """The fields and vars of one workspace, as templates see them."""

    fields: frozenset[str]
    defaults: Mapping[str, Any]
    examples: Mapping[str, Any]
    vars: Mapping[str, Any]
    #: The merge languages the workspace's emails are sent in, one per platform its environments deploy to.
    languages: tuple[MergeLanguage, ...] = ()

    @classmethod
    def of(cls, workspace: Workspace, merge_languages: Mapping[str, MergeLanguage] | None = None) -> MergeModel:
        """The model of ``workspace``, whose emails are sent in the language of each of its environments' targets
        found in ``merge_languages`` (by target name)."""
        fields = workspace.of_kind("field")
        languages = merge_languages or {}
        environments = workspace.config.environments.values()
        return cls(
            fields=frozenset(field.name for field in fields),
            defaults={f.name: f.attributes["default"] for f in fields if not is_empty(f.attributes.get("default"))},
            examples={f.name: f.attributes["example"] for f in fields if not is_empty(f.attributes.get("example"))},
            vars=dict(workspace.config.vars or {}),
            languages=tuple(dict.fromkeys(languages[e.target] for e in environments if e.target in languages)),
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
