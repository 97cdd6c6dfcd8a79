"""The dynamic_content kind: checked like the other kinds, and ``render dynamic_content.NAME`` shows the
variation a prospect gets (the first whose condition holds, else the default)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from campaignkit.cli import main
from campaignkit.emails.dynamic_content import meets

EXAMPLE = Path(__file__).resolve().parent.parent / "campaigns"
GREETING = "dynamic_content.2026-web-greeting-dynamic-content"


@pytest.fixture
def root(tmp_path):
    copied = tmp_path / "campaigns"
    shutil.copytree(EXAMPLE, copied, ignore=shutil.ignore_patterns(".campaignkit"))
    return copied


def invoke(root: Path, *args: str):
    return CliRunner().invoke(main, ["--chdir", str(root), *args])


def test_render_shows_the_variation_the_sample_prospect_gets(root):
    result = invoke(root, "render", GREETING)
    assert result.exit_code == 0, result.output
    assert result.output.startswith("country: Japan (is Japan)\n<p>Acme へようこそ。")


def test_render_shows_the_default_to_a_prospect_no_variation_fits(root, tmp_path):
    for country, expected in (("france", "(is France)\n<p>Bienvenue"), ("Germany", "(no variation's condition "
                                                                                  "holds: the default)\n<p>Welcome")):
        (tmp_path / "p.yaml").write_text(f"country: {country}\n")
        result = invoke(root, "render", GREETING, "--prospect", str(tmp_path / "p.yaml"))
        assert result.exit_code == 0 and expected in result.output, result.output


def test_its_field_must_be_declared(root):
    content = root / "content.yaml"
    content.write_text(content.read_text().replace("field: field.country", "field: field.contry"))
    result = invoke(root, "validate")
    assert result.exit_code == 1
    assert "CK202" in result.output and "field.contry" in result.output, result.output


def test_between_needs_an_upper_bound(root):
    content = root / "content.yaml"
    content.write_text(content.read_text().replace("{value: France,", "{operator: between, value: France,"))
    result = invoke(root, "validate")
    assert result.exit_code == 1 and "'variations.1' is missing the required key 'to'" in result.output, result.output


@pytest.mark.parametrize(("value", "variation", "held"), [
    ("Japan", {"value": "japan"}, True),
    ("Japan", {"value": "Japanese"}, False),
    ("Software and services", {"operator": "contains", "value": "SOFTWARE"}, True),
    ("120", {"operator": "between", "value": "50", "to": "200"}, True),
    ("9", {"operator": "less-than", "value": "10"}, True),  # numbers compared as numbers, not as text
    ("10", {"operator": "greater-than-or-equal", "value": "10"}, True),
    ("", {"value": ""}, False),  # an empty value meets no condition: the default shows
])
def test_conditions(value, variation, held):
    assert meets(value, variation) is held
