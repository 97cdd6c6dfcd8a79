"""``campaignkit render`` end to end on a workspace made by ``init``."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

import campaignkit
from campaignkit.cli import main


def workspace(tmp_path):
    root = tmp_path / "ws"
    assert CliRunner().invoke(main, ["init", str(root)]).exit_code == 0
    email = next(line.split(": ", 1)[1] for line in (root / "emails.yaml").read_text().splitlines()
                 if line.startswith("name: "))
    return root, email


def template_of(root):
    return root / next(line.split(": ", 1)[1] for line in (root / "emails.yaml").read_text().splitlines()
                       if line.startswith("template: "))


def invoke(root, *args):
    return CliRunner().invoke(main, ["--chdir", str(root), "render", *args])


def test_render_prints_subject_and_writes_html_and_text(tmp_path):
    root, email = workspace(tmp_path)
    result = invoke(root, email, "--out", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Subject:   ")
    html = (tmp_path / "out" / f"{email}.html").read_text()
    text = (tmp_path / "out" / f"{email}.txt").read_text()
    assert html.startswith("<!doctype html>") and text.strip()


def test_an_out_folder_that_cannot_be_written_is_one_line(tmp_path):
    root, email = workspace(tmp_path)
    (tmp_path / "taken").write_text("a file, not a folder")
    result = invoke(root, email, "--out", str(tmp_path / "taken" / "out"))
    assert result.exit_code == 1
    assert result.output.strip().startswith(f"Error: cannot write the rendered email into {tmp_path / 'taken' / 'out'}")
    assert isinstance(result.exception, SystemExit)  # not an OSError escaping as a traceback


def test_an_empty_field_renders_its_default(tmp_path):
    root, email = workspace(tmp_path)
    prospect = tmp_path / "p.yaml"
    prospect.write_text('first_name: ""\n')
    assert invoke(root, email, "--prospect", str(prospect), "--out", str(tmp_path / "out")).exit_code == 0
    text = (tmp_path / "out" / f"{email}.txt").read_text()
    assert "Hi ," not in text and "Dear ," not in text


def test_unknown_prospect_field_is_one_line_and_writes_nothing(tmp_path):
    root, email = workspace(tmp_path)
    prospect = tmp_path / "p.yaml"
    prospect.write_text("frist_name: Aiko\n")
    result = invoke(root, email, "--prospect", str(prospect), "--out", str(tmp_path / "out"))
    assert result.exit_code == 1
    assert "did you mean 'first_name'" in result.output
    assert not (tmp_path / "out").exists()


def test_a_broken_template_gives_its_diagnostic_and_writes_nothing(tmp_path):
    root, email = workspace(tmp_path)
    template = template_of(root)
    template.write_text(template.read_text().replace("<mj-column>", "<mj-colum>", 1).replace(
        "</mj-column>", "</mj-colum>", 1))
    result = invoke(root, email, "--out", str(tmp_path / "out"))
    assert result.exit_code == 1
    assert "mj-colum" in result.output and "did you mean 'mj-column'" in result.output
    assert not (tmp_path / "out").exists()


def test_validate_cache_never_hides_a_template_change(tmp_path):
    root, email = workspace(tmp_path)
    validate = ["--chdir", str(root), "validate"]
    assert CliRunner().invoke(main, validate).exit_code == 0
    assert (root / ".campaignkit" / "cache" / "emails.json").is_file()
    partial = template_of(root)
    original = partial.read_text()
    partial.write_text(original.replace("<mj-column>", "<mj-colum>", 1).replace("</mj-column>", "</mj-colum>", 1))
    assert CliRunner().invoke(main, validate).exit_code == 1
    partial.write_text(original)
    assert CliRunner().invoke(main, validate).exit_code == 0


def test_editing_one_template_rechecks_only_the_emails_that_read_it(tmp_path, monkeypatch):
    import campaignkit.emails.checking

    root, _ = workspace(tmp_path)  # two emails, each with its own template, both including the footer
    validate = ["--chdir", str(root), "validate"]
    assert CliRunner().invoke(main, validate).exit_code == 0
    checked = tmp_path / "checked.txt"  # emails are checked in other processes: they note each in a file
    real = campaignkit.emails.checking.check_email

    def noted(context, email):
        with checked.open("a") as note:
            note.write(f"{email.name}\n")
        return real(context, email)

    monkeypatch.setattr(campaignkit.emails.checking, "check_email", noted)
    welcome = root / "templates" / "welcome.mjml"
    welcome.write_text(welcome.read_text().replace("</mj-text>", " Edited.</mj-text>", 1))
    assert CliRunner().invoke(main, validate).exit_code == 0
    assert checked.read_text().split() == ["2026-email-welcome-email"]
    (root / "templates" / "unread.mjml").write_text("<mjml></mjml>")  # a new file no email reads
    footer = root / "templates" / "partials" / "footer.mjml"
    footer.write_text(footer.read_text() + "\n")
    checked.unlink()
    assert CliRunner().invoke(main, validate).exit_code == 0
    assert sorted(checked.read_text().split()) == ["2026-email-follow-up-email", "2026-email-welcome-email"]


def test_a_missing_template_is_told_of_a_file_added_after_it_was_checked(tmp_path):
    root, _ = workspace(tmp_path)
    emails = root / "emails.yaml"
    emails.write_text(emails.read_text().replace("templates/follow-up.mjml", "templates/quarterly-news.mjml"))
    validate = ["--chdir", str(root), "validate"]
    first = CliRunner().invoke(main, validate)
    assert first.exit_code == 1 and "'templates/quarterly-news.mjml' does not exist" in first.output
    assert "quarterly-newz" not in first.output
    (root / "templates" / "quarterly-newz.mjml").write_text((root / "templates" / "follow-up.mjml").read_text())
    second = CliRunner().invoke(main, validate)
    assert "did you mean 'templates/quarterly-newz.mjml'" in second.output


def test_validate_cache_is_not_reused_by_changed_checking_code(tmp_path):
    """The same version with a stricter subject rule, as in a checkout being worked on."""
    checkout = tmp_path / "checkout"
    shutil.copytree(Path(campaignkit.__file__).parent, checkout / "campaignkit",
                    ignore=shutil.ignore_patterns("__pycache__"))
    root, _ = workspace(tmp_path)

    def validate() -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "campaignkit", "validate"], cwd=root, capture_output=True,
                              text=True, timeout=120, env={**os.environ, "PYTHONPATH": str(checkout)})

    assert validate().returncode == 0
    rule = checkout / "campaignkit" / "emails" / "rules" / "content.py"
    rule.write_text(rule.read_text().replace("\nMAX_SUBJECT_CHARS = 100\n", "\nMAX_SUBJECT_CHARS = 5\n"))
    result = validate()
    assert result.returncode == 1 and "CK431" in result.stdout


def test_rendering_something_that_is_not_an_email_says_what_it_is(tmp_path):
    root, _ = workspace(tmp_path)
    result = invoke(root, "list.2026-web-signups-list")
    assert result.exit_code == 1
    assert "list.2026-web-signups-list is a list, not an email" in result.output


def test_a_prospect_value_of_the_wrong_type_is_one_line_and_writes_nothing(tmp_path):
    root, email = workspace(tmp_path)
    (tmp_path / "p.yaml").write_text("first_name: [1, 2]\n")
    result = invoke(root, email, "--prospect", str(tmp_path / "p.yaml"), "--out", str(tmp_path / "out"))
    assert result.exit_code == 1
    assert f"{tmp_path / 'p.yaml'}: first_name: [1, 2] is not a valid text" in result.output
    assert not (tmp_path / "out").exists()


def test_a_workspace_inside_a_hidden_folder_still_gets_template_suggestions(tmp_path):
    root, _ = workspace(tmp_path / ".work")
    emails = root / "emails.yaml"
    emails.write_text(emails.read_text().replace("templates/follow-up.mjml", "templates/folow-up.mjml"))
    result = CliRunner().invoke(main, ["--chdir", str(root), "validate"])
    assert "did you mean 'templates/follow-up.mjml'" in result.output


def test_an_html_template_is_sent_as_jinja_renders_it_and_checked_without_mjml(tmp_path):
    root, email = workspace(tmp_path)
    (root / "templates" / "plain.html").write_text(
        '<!doctype html><html><body><p>Hi {{ first_name }},</p><p><a href="https://example.com/a">Read</a></p>'
        '<p><a href="{{ unsubscribe_url }}">Unsubscribe</a> {{ company_address }}</p></body></html>\n')
    emails = root / "emails.yaml"
    emails.write_text(emails.read_text().replace("template: templates/welcome.mjml", "template: templates/plain.html"))
    validated = CliRunner().invoke(main, ["--chdir", str(root), "validate"])
    assert validated.exit_code == 0 and "CK41" not in validated.output, validated.output
    assert invoke(root, email, "--out", str(tmp_path / "out")).exit_code == 0
    html = (tmp_path / "out" / f"{email}.html").read_text()
    assert html.startswith("<!doctype html><html><body><p>Hi ") and html.endswith("</p></body></html>")
    assert "<mj-" not in html and "Unsubscribe" in (tmp_path / "out" / f"{email}.txt").read_text()


EXAMPLE = Path(__file__).resolve().parent.parent / "campaigns"
ROI = "2026-nurture-roi-outcomes-email"  # written for persona.cmo


def example(tmp_path):
    root = tmp_path / "example"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns(".campaignkit"))
    return root


def rendered_text(tmp_path, *args):
    root = example(tmp_path)
    result = invoke(root, ROI, "--out", str(tmp_path / "out"), *args)
    assert result.exit_code == 0, result.output
    return result.output, (tmp_path / "out" / f"{ROI}.txt").read_text()


def test_render_uses_the_sample_of_the_persona_the_email_is_written_for(tmp_path):
    output, text = rendered_text(tmp_path)
    assert output.splitlines()[-1] == "Prospect:  persona.cmo's sample"
    assert "Charlie" in text


def test_render_persona_picks_another_sample(tmp_path):
    output, text = rendered_text(tmp_path, "--persona", "persona.marketing_manager")
    assert output.splitlines()[-1] == "Prospect:  persona.marketing_manager's sample"
    assert "Charlie" not in text


def test_a_prospect_file_may_name_a_persona_whose_sample_fills_the_rest(tmp_path):
    prospect = tmp_path / "p.yaml"
    prospect.write_text("persona: cmo\nfirst_name: Aiko\n", encoding="utf-8")
    output, text = rendered_text(tmp_path, "--prospect", str(prospect))
    assert output.splitlines()[-1] == f"Prospect:  {prospect} over persona.cmo"
    assert "Aiko" in text and "Charlie" not in text


def test_an_unknown_persona_is_one_line(tmp_path):
    result = invoke(example(tmp_path), ROI, "--persona", "cfo", "--out", str(tmp_path / "out"))
    assert result.exit_code == 1
    assert result.output.startswith("Error: no persona named cfo")
