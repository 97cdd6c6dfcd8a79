"""A prospect file for ``render --prospect``: read into field values, refused in one line when it does not fit."""

from __future__ import annotations

import pytest

from campaignkit.errors import UserError
from campaignkit.workspace.loading import load_workspace
from campaignkit.workspace.prospects import load_prospect


@pytest.fixture
def workspace(small_workspace):
    return load_workspace(small_workspace)[0]


def test_a_mapping_of_field_values_is_the_prospect(workspace, tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text("first_name: Aiko\nindustry: retail\n", encoding="utf-8")
    assert load_prospect(path, workspace) == {"first_name": "Aiko", "industry": "retail"}


def test_json_reads_too_and_names_no_field_declares_are_left_for_the_renderer(workspace, tmp_path):
    path = tmp_path / "p.json"
    path.write_text('{"first_name": "Aiko", "nickname": "Ai"}', encoding="utf-8")
    assert load_prospect(path, workspace) == {"first_name": "Aiko", "nickname": "Ai"}


@pytest.mark.parametrize("text, message", [
    ("industry: farming\n", "{path}: industry: 'farming' is not one of software, retail"),
    ("first_name: [1, 2]\n", "{path}: first_name: [1, 2] is not a valid text"),
    ("- a\n- b\n", "{path} must hold one mapping of field names to values, e.g. first_name: Aiko"),
    ("a: 1\n---\nb: 2\n", "{path} must hold one mapping of field names to values, e.g. first_name: Aiko"),
    ('first_name: "x\n', "{path}:1:13: YAML syntax error: while scanning a quoted scalar"),
])
def test_a_file_that_is_not_one_fitting_mapping_is_one_line(workspace, tmp_path, text, message):
    path = tmp_path / "p.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(UserError) as raised:
        load_prospect(path, workspace)
    assert str(raised.value).startswith(message.format(path=path))


def test_a_missing_file_is_one_line(workspace, tmp_path):
    with pytest.raises(UserError, match="cannot read file"):
        load_prospect(tmp_path / "nobody.yaml", workspace)
