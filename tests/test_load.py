"""Loading YAML: positions, YAML 1.2 scalars, and every kind of bad input as a diagnostic."""

from __future__ import annotations

import subprocess
import sys

import pytest

from campaignkit.diagnostics import Position
from campaignkit.workspace.documents import MAX_FILE_BYTES, load_file, load_text, position_of


def codes(diagnostics):
    return [d.code for d in diagnostics]


def test_documents_keep_positions_of_keys_and_items():
    docs, problems = load_text("kind: email\nname: x\nlist:\n  - a\n  - {b: c}\n---\nkind: field\n", "f.yaml")
    assert problems == []
    first = docs[0].data
    assert position_of(first, ["list", 1, "b"], docs[0].position) == Position("f.yaml", 5, 9)
    assert docs[1].position.line == 7


def test_missing_path_points_at_the_deepest_existing_node():
    docs, _ = load_text("kind: email\nfrom:\n  name: Acme\n", "f.yaml")
    assert position_of(docs[0].data, ["from", "address"], docs[0].position) == Position("f.yaml", 3, 3)


def test_yes_and_no_are_strings_as_in_yaml_1_2():
    docs, _ = load_text("yes: hot\nno: done\nhours: 09:30\nflag: true\nn: 010\n", "f.yaml")
    assert dict(docs[0].data) == {"yes": "hot", "no": "done", "hours": "09:30", "flag": True, "n": 10}


def test_dates_stay_text():
    docs, _ = load_text("start: 2026-04-01\n", "f.yaml")
    assert docs[0].data["start"] == "2026-04-01"


def test_duplicate_key_is_reported_at_the_second_key():
    _, problems = load_text("kind: email\nsubject: a\nsubject: b\n", "f.yaml")
    assert codes(problems) == ["CK002"]
    assert problems[0].position == Position("f.yaml", 3, 1)


def test_syntax_error_has_line_and_column():
    _, problems = load_text("kind: email\nname: x\n  subject: indented too far\n", "f.yaml")
    assert codes(problems) == ["CK001"] and (problems[0].position.line, problems[0].position.column) == (3, 10)


def test_a_bracket_or_quote_never_closed_points_where_it_opens():
    for source in ("kind: email\nsubject: [unclosed\nname: x\n\n\n", 'kind: email\nsubject: "unclosed\nname: x\n'):
        _, problems = load_text(source, "f.yaml")
        assert codes(problems) == ["CK001"] and (problems[0].position.line, problems[0].position.column) == (2, 10)
        assert "gave up at line" in problems[0].message


def test_unsafe_tags_are_refused():
    _, problems = load_text("a: !!python/object/apply:os.system [echo hi]\n", "f.yaml")
    assert codes(problems) == ["CK001"]


def test_alias_bomb_is_refused():
    text = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    previous = "a"
    for name in "bcdefghi":
        text += f"{name}: &{name} [" + ",".join([f"*{previous}"] * 9) + "]\n"
        previous = name
    docs, problems = load_text(text, "bomb.yaml")
    assert docs == []
    assert codes(problems) == ["CK004"]


def test_modest_aliases_and_merge_keys_work():
    docs, problems = load_text("base: &b {x: 1}\nc:\n  <<: *b\n  y: 2\n", "f.yaml")
    assert problems == []
    assert dict(docs[0].data["c"]) == {"x": 1, "y": 2}


def test_a_key_written_over_a_merged_one_overrides_it_but_a_key_written_twice_is_a_duplicate():
    docs, problems = load_text("base: &b {x: 1, y: 1}\nc:\n  <<: *b\n  y: 2\n", "f.yaml")
    assert problems == [] and dict(docs[0].data["c"]) == {"x": 1, "y": 2}
    _, problems = load_text("base: &b {x: 1}\nc:\n  <<: *b\n  y: 2\n  y: 3\n", "f.yaml")
    assert codes(problems) == ["CK002"] and problems[0].position == Position("f.yaml", 5, 3)


def test_explicit_tags_give_the_types_they_name():
    docs, problems = load_text("a: !!str 12\nb: !!int '7'\nc: !!float 1\nd: 1.5e3\ne: .inf\nf: ~\ng: 0x1F\n", "f.yaml")
    assert problems == []
    assert dict(docs[0].data) == {"a": "12", "b": 7, "c": 1.0, "d": 1500.0, "e": float("inf"), "f": None, "g": 31}


def test_a_tag_that_does_not_fit_its_node_is_a_diagnostic():
    for text in ("a: !!str {b: 1}\n", "a: !custom x\n", "? [a, b]\n: 1\n"):
        docs, problems = load_text(text, "f.yaml")
        assert docs == [] and codes(problems) == ["CK001"], text


def test_recursive_alias_is_refused():
    _, problems = load_text("a: &a [*a]\n", "f.yaml")
    assert codes(problems) == ["CK004"]


@pytest.mark.parametrize("text", ["a: " + "[" * 65 + "]" * 65 + "\n", "a: " + "[" * 1000 + "]" * 1000 + "\n",
                                  "".join("  " * level + f"k{level}:\n" for level in range(1200)) + "  " * 1200 + "v\n"])
def test_nesting_past_the_limit_is_refused_however_few_brackets_it_takes(text):
    docs, problems = load_text(text, "deep.yaml")
    assert docs == [] and codes(problems) == ["CK004"]


def test_deep_nesting_is_a_diagnostic_not_a_crash():
    # libyaml's composer recurses in C and would take the whole process down.
    script = (
        "from campaignkit.workspace.documents import load_text\n"
        "for text in ('[' * 100000 + ']' * 100000, '- ' * 100000 + 'x'):\n"
        "    print(load_text(text, 'deep.yaml')[1][0].code)\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["CK004", "CK004"]


def test_latin1_bytes_are_reported_with_their_position(tmp_path):
    path = tmp_path / "latin.yaml"
    path.write_bytes("kind: email\nsubject: Caf\xe9\n".encode("latin-1"))
    docs, problems = load_file(path, "latin.yaml")
    assert docs == []
    assert codes(problems) == ["CK005"]
    assert problems[0].position == Position("latin.yaml", 2, 13)


def test_oversized_file_is_refused_without_reading_it(tmp_path):
    path = tmp_path / "big.yaml"
    with path.open("wb") as handle:
        handle.truncate(MAX_FILE_BYTES + 1)
    docs, problems = load_file(path, "big.yaml")
    assert docs == []
    assert codes(problems) == ["CK003"]
    assert "5 MB" in problems[0].message
