"""Which errors stop an email from rendering: its own file, its template, the settings and template files."""

from __future__ import annotations

import pytest

from campaignkit.diagnostics import Position, error, warning
from campaignkit.emails.blockers import render_blockers
from campaignkit.workspace.loading import load_workspace

WELCOME = "email.2026-email-welcome-email"


@pytest.fixture
def welcome(small_workspace):
    return load_workspace(small_workspace)[0].get(WELCOME)


@pytest.mark.parametrize("path", ["emails.yaml", "templates/welcome.mjml", "campaignkit.yaml",
                                  "templates/partials/footer.mjml", "templates/plain.txt", "templates/page.html"])
def test_an_error_in_what_the_email_renders_from_stops_it(welcome, path):
    found = error("CK999", "broken", Position(path, 3, 1))
    assert render_blockers([found], welcome) == [found]


@pytest.mark.parametrize("path", ["lists.yaml", "programs.yaml", "tests/welcome.yaml"])
def test_an_error_elsewhere_leaves_it_alone(welcome, path):
    assert render_blockers([error("CK999", "broken", Position(path))], welcome) == []


def test_warnings_never_stop_it_and_errors_keep_their_order(welcome):
    first, second = error("CK1", "a", Position("templates/welcome.mjml")), error("CK2", "b", Position("emails.yaml"))
    diagnostics = [warning("CK3", "c", Position("emails.yaml")), first,
                   error("CK4", "d", Position("lists.yaml")), second]
    assert render_blockers(diagnostics, welcome) == [first, second]
