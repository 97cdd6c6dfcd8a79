"""The email checks (CK4xx): the facts gathered for one email, and the rules that turn them into diagnostics."""
