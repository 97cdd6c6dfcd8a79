"""The CI recipes teams copy: every campaignkit command in them parses, and the workflow does what docs/ci.md says."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import click
import pytest
import yaml

from campaignkit.cli import main
from tests.workspaces import CONFIG, write_workspace

ROOT = Path(__file__).resolve().parent.parent
_YAML_BLOCK = re.compile(r"^```yaml\n(.*?)^```", re.S | re.M)
_SHELL_OPERATORS = {">", ">>", "||", "&&", "|", "2>&1", ";"}
_SHELL_KEYWORDS = {"if", "then", "else", "!"}


def workflow() -> dict:
    """The GitHub Actions workflow of docs/ci.md: the YAML block that has ``jobs``."""
    blocks = [yaml.safe_load(block) for block in _YAML_BLOCK.findall((ROOT / "docs" / "ci.md").read_text())]
    return next(block for block in blocks if isinstance(block, dict) and "jobs" in block)


def campaignkit_calls(document: dict) -> list[list[str]]:
    """The arguments of every ``campaignkit`` command line in the workflow's ``run`` steps."""
    return [call for job in document["jobs"].values() for step in job["steps"] for call in step_calls(step)]


def step_calls(step: dict) -> list[list[str]]:
    """The arguments of the ``campaignkit`` command lines of one step (also after ``if``)."""
    calls = []
    script = str(step.get("run", "")).replace("\\\n", " ")  # continued lines are one command
    for line in script.splitlines():
        words = line.split()
        while words and words[0] in _SHELL_KEYWORDS:
            words.pop(0)
        if words[:1] == ["campaignkit"]:
            calls.append(_until_operator(shlex.split(" ".join(words), comments=True)[1:]))
    return calls


def _until_operator(words: list[str]) -> list[str]:
    for index, word in enumerate(words):
        if word in _SHELL_OPERATORS or word.startswith(("2>", ">")) or word.endswith(";"):
            return words[:index]
    return words


def test_every_campaignkit_command_in_the_workflow_parses():
    calls = campaignkit_calls(workflow())
    assert {call[0] for call in calls} >= {"validate", "plan", "apply"}
    for call in calls:
        command = main.get_command(click.Context(main), call[0])
        assert command is not None, f"campaignkit {call[0]} does not exist"
        command.make_context(call[0], call[1:])  # raises UsageError on an unknown option or a bad value


def test_the_workflow_validates_with_annotations_plans_on_pull_requests_and_applies_the_saved_plan_on_main():
    document = workflow()
    jobs = document["jobs"]
    triggers = document.get("on", document.get(True))  # PyYAML reads the key `on` as YAML 1.1's true
    assert {"push", "pull_request"} <= set(triggers)
    assert "pull_request" in jobs["plan"]["if"]
    assert "refs/heads/main" in jobs["apply"]["if"]
    calls = campaignkit_calls(document)
    formats = {call[call.index("--format") + 1] for call in calls if call[0] == "validate"}
    assert formats == {"github", "sarif"}
    assert ["test"] in calls  # the campaign tests run on every push
    planned = next(call for call in calls if call[0] == "plan" and "--out" in call)
    assert "markdown" in planned
    plan_step = next(step for step in jobs["plan"]["steps"] if planned in step_calls(step))
    uploaded = next(step["with"]["name"] for step in jobs["plan"]["steps"]
                    if step.get("uses", "").startswith("actions/upload-artifact@")
                    and "plan.txt" in step["with"]["path"])
    assert planned[planned.index("--full-plan") + 1] == "$FULL_PLAN"  # a cut comment names the uploaded full plan
    assert f"plan.txt in the artifact {uploaded}" in plan_step["env"]["FULL_PLAN"]
    applied = next(call for call in calls if call[0] == "apply")
    assert applied[1] == planned[planned.index("--out") + 1]


def test_the_recipe_that_posts_every_part_of_a_split_plan_parses():
    script = re.search(r"^```bash\n(.*?)^```", (ROOT / "docs" / "ci.md").read_text(), re.S | re.M)[1]
    (call,) = step_calls({"run": script})
    assert call[0] == "plan" and "--split-dir" in call and "--full-plan" in call
    main.get_command(click.Context(main), "plan").make_context("plan", call[1:])


@pytest.mark.parametrize("option", ["--format", "--out"])
def test_a_misspelt_option_is_caught(option):
    with pytest.raises(click.UsageError):
        main.get_command(click.Context(main), "plan").make_context("plan", [option + "x", "y"])


def test_the_pre_commit_hook_validates_the_workspaces_of_the_files_it_is_given():
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    hook = next(h for h in hooks if h["id"] == "campaignkit-validate")
    assert hook["entry"] == "campaignkit validate-files" and hook.get("pass_filenames", True) is True
    assert hook["require_serial"] is True  # one process: each workspace validated once
    assert re.search(hook["files"], "emails/welcome.yaml") and re.search(hook["files"], "templates/a.mjml")


def test_only_the_steps_that_talk_to_account_engagement_get_the_private_key():
    document = workflow()
    assert "CK_AE_PRIVATE_KEY" not in document["env"]  # not every step, nor any third-party action
    for job in document["jobs"].values():
        for step in job["steps"]:
            signs_in = any(call[0] in ("plan", "apply") for call in step_calls(step))
            assert signs_in == ("CK_AE_PRIVATE_KEY" in step.get("env", {})), step.get("name")
            if signs_in:
                assert step["env"]["CK_AE_PRIVATE_KEY"] == "${{ secrets.CK_AE_PRIVATE_KEY }}"
    assert {"CK_AE_BUSINESS_UNIT", "CK_AE_CLIENT_ID", "PGPASSWORD"} <= set(document["env"])


# --- The workflow's steps run as commands: everything but GitHub itself ---------------------------------

_EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
HEAD = "0123456789abcdef0123456789abcdef01234567"
PULL_REQUEST = "7"
#: What GitHub fills in: fake secrets (the local target needs none), the pull request and the commit.
CONTEXT = {
    "secrets.CK_STATE_PASSWORD": "state-password", "secrets.CK_AE_BUSINESS_UNIT": "0Uv000000000001AAA",
    "secrets.CK_AE_CLIENT_ID": "consumer-key", "secrets.CK_AE_PRIVATE_KEY": "private-key",
    "github.token": "github-token", "github.sha": HEAD, "github.repository": "acme/campaigns",
    "github.event.pull_request.head.sha": HEAD, "github.event.pull_request.number": PULL_REQUEST,
    "github.base_ref": "main", "github.server_url": "https://github.com", "github.run_id": "42",
}
#: ``gh`` as the workflow uses it: a comment is written to a file, a download copies an uploaded artifact.
FAKE_GH = """\
import shutil, sys
from pathlib import Path
github, args = Path({github!r}), sys.argv[1:]
if args[:2] == ["pr", "comment"]:
    shutil.copy(args[args.index("--body-file") + 1], github / f"comment-{{args[2]}}.md")
elif args[0] == "api" and args[1].endswith("/reviews"):
    print("reviewer-acme")  # the approving reviewers, joined by commas
elif args[0] == "api":
    print({pull_request!r} if args[1].endswith("/pulls") else {head!r})
elif args[:2] == ["run", "list"]:
    print("1")
elif args[:2] == ["run", "download"]:
    shutil.copytree(github / "artifacts" / args[args.index("--name") + 1], ".", dirs_exist_ok=True)
else:
    sys.exit(f"gh {{args}}: not something the workflow does")
"""
CAMPAIGN_TEST = """\
name: welcome - a prospect who never scores is tagged, waits and leaves
program: program.2026-nurture-welcome-program
expect:
  path: [tag, wait, hot, done]
"""


class GitHub:
    """Runs the workflow's jobs as GitHub would for one event, each in a fresh copy of the repository."""

    def __init__(self, repository: Path, home: Path) -> None:
        self.repository, self.home = repository, home
        (home / "bin").mkdir(parents=True)
        gh = home / "bin" / "gh"
        gh.write_text(f"#!{sys.executable}\n" + FAKE_GH.format(github=str(home), pull_request=PULL_REQUEST,
                                                              head=HEAD))
        gh.chmod(0o755)
        self.runs = 0
        self.log: list[str] = []
        self.environments: dict[str, dict[str, str]] = {}  # of each command step, by "job / step"

    def run(self, *jobs: str) -> bool:
        """Runs ``jobs`` in order, each only if the ones before passed (``needs``); True if all passed."""
        document = workflow()
        return all(self._job(document, name) for name in jobs)

    def comment(self) -> str:
        return (self.home / f"comment-{PULL_REQUEST}.md").read_text(encoding="utf-8")

    def artifact(self, name: str) -> Path:
        return self.home / "artifacts" / f"{name}-{HEAD}"

    def _job(self, document: dict, name: str) -> bool:
        self.runs += 1
        checkout = self.home / f"run-{self.runs}-{name}"
        shutil.copytree(self.repository, checkout)
        job = document["jobs"][name]
        failed = False
        github_env = self.home / f"run-{self.runs}-{name}.env"  # what a step sets for the steps after it
        github_env.touch()
        for step in job["steps"]:
            if failed and "!cancelled()" not in str(step.get("if", "")):
                continue
            env = {**os.environ, **self._values(document.get("env")), **self._values(job.get("env")),
                   **self._values(step.get("env")), **_assignments(github_env), "GITHUB_ENV": str(github_env),
                   "GITHUB_WORKSPACE": str(checkout), "GITHUB_SHA": HEAD,
                   "PATH": os.pathsep.join([str(self.home / "bin"), str(Path(sys.executable).parent),
                                            os.environ["PATH"]])}
            if "uses" in step:
                self._action(step, checkout)
            elif not step.get("name", "").startswith("Install"):  # campaignkit is installed already
                self.environments[f"{name} / {step.get('name', step['run'])}"] = env
                done = subprocess.run(["bash", "-e", "-c", _expand(step["run"])], cwd=checkout, env=env,
                                      capture_output=True, text=True)
                self.log.append(f"{name} / {step.get('name', step['run'])}: {done.returncode}\n"
                                f"{done.stdout}{done.stderr}")
                failed = failed or done.returncode != 0
        return not failed

    def _action(self, step: dict, checkout: Path) -> None:
        """An action of GitHub's: only uploading an artifact leaves something the test looks at."""
        if not step["uses"].startswith("actions/upload-artifact@"):
            return
        folder = self.home / "artifacts" / _expand(step["with"]["name"])
        for path in filter(None, _expand(step["with"]["path"]).split()):
            source = checkout / path
            if source.is_dir():
                shutil.copytree(source, folder, dirs_exist_ok=True)
            elif source.is_file():
                folder.mkdir(parents=True, exist_ok=True)
                shutil.copy(source, folder / path)

    @staticmethod
    def _values(env: dict | None) -> dict[str, str]:
        return {key: _expand(str(value)) for key, value in (env or {}).items()}


def _assignments(github_env: Path) -> dict[str, str]:
    """The ``NAME=value`` lines earlier steps appended to ``$GITHUB_ENV``."""
    return dict(line.split("=", 1) for line in github_env.read_text().splitlines() if "=" in line)


def _expand(text: str) -> str:
    return _EXPRESSION.sub(lambda match: CONTEXT[match[1]], text)


@pytest.fixture
def github(tmp_path):
    """A repository with a workspace at its root whose production environment is the local target."""
    shared = tmp_path / "shared"  # state and target outlive the jobs' checkouts, as PostgreSQL and a platform do
    shared.mkdir()
    sandbox = "    state: sqlite:.campaignkit/sandbox.db\n"
    config = CONFIG.replace(sandbox, sandbox + f"""\
  production:
    target: local
    state: sqlite:{shared}/state.db
    protect: ["list.*"]
    settings: {{database: "{shared}/target.db"}}
""")
    repository = write_workspace(tmp_path / "repo", {"campaignkit.yaml": config, "tests/welcome.yaml": CAMPAIGN_TEST})
    for args in (["init", "-q"], ["add", "-A"], ["-c", "user.email=ci@acme.example", "-c", "user.name=CI", "commit",
                                                  "-q", "-m", "campaigns"], ["update-ref", "refs/remotes/origin/main",
                                                                             "HEAD"]):
        subprocess.run(["git", "-C", str(repository), *args], check=True, capture_output=True)
    return GitHub(repository, tmp_path / "github")


def test_a_pull_request_is_planned_previewed_and_commented_then_its_plan_is_applied_on_main(github):
    assert github.run("validate", "plan"), "\n".join(github.log)
    assert "2026-web-software-list" in github.comment() and "campaignkit plan failed" not in github.comment()
    assert f"the artifact campaignkit-preview-{HEAD} of https://github.com/acme/campaigns/actions/runs/42" \
        in github.comment()  # where the reviewer finds every email as readers get it
    plan = github.artifact("campaignkit-plan")
    assert (plan / "plan.ckplan").is_file() and "list.2026-web-software-list" in (plan / "plan.txt").read_text()
    preview = github.artifact("campaignkit-preview") / "index.html"
    assert "Compared with <code>origin/main</code>" in preview.read_text()
    assert github.run("validate", "apply"), "\n".join(github.log)
    assert "list.2026-web-software-list" in github.log[-1]  # the apply step's output
    production = github.environments["apply / Apply the saved plan"]  # the repository's secrets reach apply
    assert {name: production[name] for name in ("CK_AE_PRIVATE_KEY", "CK_AE_CLIENT_ID", "CK_AE_BUSINESS_UNIT",
                                                "PGPASSWORD")} == {
        "CK_AE_PRIVATE_KEY": "private-key", "CK_AE_CLIENT_ID": "consumer-key",
        "CK_AE_BUSINESS_UNIT": "0Uv000000000001AAA", "PGPASSWORD": "state-password"}


def test_a_broken_campaign_test_fails_the_workflow(github):
    write_workspace(github.repository, {"tests/welcome.yaml": CAMPAIGN_TEST.replace("hot, done", "hot, handoff")})
    assert not github.run("validate", "plan")
    assert "validate / Campaign tests: 1" in github.log[-1] and "1 failed" in github.log[-1]


def test_a_failed_plan_is_commented_with_its_error(github):
    assert github.run("validate", "plan") and github.run("validate", "apply"), "\n".join(github.log)
    lists = (github.repository / "lists.yaml").read_text()
    (github.repository / "lists.yaml").write_text(lists[:lists.index("---\nkind: list\nname: 2026-web-software")])
    (github.home / f"comment-{PULL_REQUEST}.md").unlink()
    assert not github.run("validate", "plan")
    comment = github.comment()
    assert comment.startswith(f"### campaignkit plan failed on {HEAD}")
    assert "list.2026-web-software-list" in comment and "Traceback" not in comment
