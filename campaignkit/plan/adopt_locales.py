"""Emails in several languages, adopted as one email with its ``locales``.

An email with ``locales`` is deployed as one email per language, named
``<name>-<locale>`` (``workspace.locales``). Adopted one by one, each would be
an email of its own, with a name off the naming convention and a rename in the
first plan. An email named like another with a locale's suffix, and the same in
all but what a translation may change (subject, preheader, template, text), is
written back as that email's locale: its name stays the one the target holds.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from campaignkit.targets import RemoteObject
from campaignkit.targets.base import CONTENT_DIGEST
from campaignkit.workspace.locales import TRANSLATED_KEYS

#: A name's locale suffix, as ``translated_name`` writes it (``ja``, ``pt-br``).
_SUFFIX = re.compile(r"[a-z]{2,3}(-[a-z]{2})?")
#: What a translation may hold apart from its email, besides the translated keys.
_OWN = frozenset({*TRANSLATED_KEYS, CONTENT_DIGEST, "locale"})


def translations(found: Sequence[RemoteObject]) -> dict[str, tuple[str, str]]:
    """Email id -> (the name of the email it is a translation of, its locale), for every email found that is one."""
    emails = {o.name: o for o in found if o.kind == "email"}
    translated: dict[str, tuple[str, str]] = {}
    for email in emails.values():
        stem, _, suffix = email.name.rpartition("-")
        parent = emails.get(stem)
        if parent is not None and _SUFFIX.fullmatch(suffix) and _translates(email.attributes, parent.attributes):
            language, _, region = suffix.partition("-")
            translated[email.id] = (stem, language + (f"_{region.upper()}" if region else ""))
    return translated


def _translates(attributes: dict[str, Any], parent: dict[str, Any]) -> bool:
    """Whether an email with ``attributes`` is what a locale of ``parent`` deploys: the same but for the
    translated keys, each of which it gives where ``parent`` does (else it would take the parent's)."""
    shared = {k: v for k, v in attributes.items() if k not in _OWN}
    return shared == {k: v for k, v in parent.items() if k not in _OWN} and all(
        k in attributes for k in TRANSLATED_KEYS if k in parent)


def locale_entry(document: dict[str, Any], parent: dict[str, Any]) -> dict[str, Any]:
    """A translation's document as its parent's ``locales`` entry: its template, and what else differs."""
    return {k: document[k] for k in TRANSLATED_KEYS
            if k in document and (k == "template" or document[k] != parent.get(k))}
