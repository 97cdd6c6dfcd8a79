"""Jinja templates: their source split into text and code, the sandbox they run in, and what they say."""
