"""Jinja templates: their source split into text and code, the sandbox they run in (its filters, and the
bounds on what a template may make), and what they say."""
