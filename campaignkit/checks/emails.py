"""The documentation of CK400, the email checks as one: ``validate`` runs them on every core
(``campaignkit.emails.workers``), each reported under its own code."""

from __future__ import annotations

from campaignkit.checks import document

document("CK400", """Runs every email check (CK401 and up) on every email.

What it does: renders each email for a sample prospect made from field examples and
defaults, and reports each problem under its own code: merge fields, sandbox escapes,
MJML structure, images, links, compliance, size, inbox text and the text part.
Why is this bad? Emails are where mistakes are public: "Dear ," from an empty field, a
broken layout, a missing unsubscribe link.
Use instead: see `campaignkit explain CK4xx` for each check.
""")
