"""Resources written as YAML read back as the same data by the workspace's YAML 1.2 reader."""

from __future__ import annotations

from campaignkit.workspace.documents import load_text
from campaignkit.workspace.model import plain
from campaignkit.workspace.writing import yaml_documents


def test_strings_yaml_would_read_as_something_else_are_quoted_and_read_back_as_written():
    tricky = ["1e3", "0o17", "0x1F", "true", "yes", "no", "on", "null", "~", "", "09:30", "2026-04-01", ".inf",
              "-5", "3.0", "日本語のリスト", "a: b", "- item", "#hash", "{{ first_name }}", "%%first_name%%",
              "two\nlines"]
    documents = [{"kind": "list", "name": "x", "values": tricky, "number": 3, "flag": False, "nothing": None}]
    text = yaml_documents(documents, "# written\n")
    loaded, problems = load_text(text, "t.yaml")
    assert not problems and [plain(d.data) for d in loaded] == documents
    assert text.startswith("# written\n---\nkind: list\nname: x\n") and "- 日本語のリスト\n" in text
