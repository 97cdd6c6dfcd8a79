"""``campaignkit init`` writes a working workspace and never overwrites anything."""

from __future__ import annotations

from click.testing import CliRunner

from campaignkit.cli import main


def test_init_writes_a_workspace_that_validates_clean(tmp_path):
    target = tmp_path / "new"
    result = CliRunner().invoke(main, ["init", str(target)])
    assert result.exit_code == 0, result.output
    assert (target / "campaignkit.yaml").is_file()
    kinds = " ".join(p.read_text() for p in target.rglob("*.yaml"))
    for kind in ("program", "email", "list", "field", "naming"):
        assert f"kind: {kind}" in kinds
    validated = CliRunner().invoke(main, ["--chdir", str(target), "validate"])
    assert validated.exit_code == 0, validated.output


def test_init_files_point_editors_at_the_schemas(tmp_path):
    CliRunner().invoke(main, ["init", str(tmp_path)])
    for path in tmp_path.rglob("*.yaml"):
        assert path.read_text().startswith("# yaml-language-server: $schema="), path


def test_init_refuses_to_overwrite_and_writes_nothing(tmp_path):
    (tmp_path / "campaignkit.yaml").write_text("mine: true\n")
    result = CliRunner().invoke(main, ["init", str(tmp_path)])
    assert result.exit_code == 1
    assert "already exists" in result.output
    assert (tmp_path / "campaignkit.yaml").read_text() == "mine: true\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["campaignkit.yaml"]


def test_init_schema_modelines_resolve_to_local_files(tmp_path):
    CliRunner().invoke(main, ["init", str(tmp_path)])
    for path in tmp_path.rglob("*.yaml"):
        target = path.read_text().splitlines()[0].split("$schema=")[1]
        assert (path.parent / target).is_file(), (path, target)


def test_init_workspace_has_passing_campaign_tests(tmp_path):
    CliRunner().invoke(main, ["init", str(tmp_path)])
    result = CliRunner().invoke(main, ["--chdir", str(tmp_path), "test"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == "2 passed, 0 failed"
