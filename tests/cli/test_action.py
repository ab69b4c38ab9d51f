"""The composite GitHub Action: its inputs, and its check step run by bash as the runner would.

The install and upload steps need GitHub; the check step is plain bash around why403, so it is
run here with the runner's variables (RUNNER_TEMP, GITHUB_OUTPUT) pointing into a temp folder
and the why403 installed beside these tests standing in for the one the action installs.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fake_pipeline import frontend_ready

from tests.actionstep import ACTION, run_step
from tests.actionstep import run_check_step as _run_check_step

CHECKOUT = Path(__file__).resolve().parents[2]
needs_pipeline = pytest.mark.skipif(
    not frontend_ready("terraform"), reason="needs the pipeline and the Terraform frontend"
)


def test_action_declares_its_inputs_and_steps() -> None:
    assert ACTION["runs"]["using"] == "composite"
    assert {"paths", "baseline", "fail-level"} <= set(ACTION["inputs"])
    assert ACTION["inputs"]["fail-level"]["default"] == "warning"
    uses = [step.get("uses", "") for step in ACTION["runs"]["steps"]]
    assert any(u.startswith("github/codeql-action/upload-sarif@") for u in uses)
    assert any(u.startswith("actions/setup-python@") for u in uses)


def test_check_step_stops_on_a_usage_error(tmp_path: Path) -> None:
    code, outputs, log = _run_check_step(tmp_path, tmp_path, paths="no-such-folder")
    assert code == 2
    assert outputs == {"exit-code": "2"}
    assert "no such file or directory: no-such-folder" in log


@needs_pipeline
def test_check_step_writes_sarif_and_annotations_and_reports_the_status(tmp_path: Path) -> None:
    work = tmp_path / "work"
    (work / "infra").mkdir(parents=True)
    (work / "infra" / "main.tf").write_text((CHECKOUT / "examples" / "kms-403" / "main.tf").read_text())
    code, outputs, log = _run_check_step(tmp_path, work, paths="infra")
    assert code == 0  # the step itself succeeds so that the SARIF upload runs; a later step fails the job
    assert outputs == {"exit-code": "1"}
    sarif = json.loads((work / "why403.sarif").read_text())
    assert sarif["runs"][0]["results"]
    assert all("helpUri" not in rule for rule in sarif["runs"][0]["tool"]["driver"]["rules"])  # not published
    assert "::error file=infra/main.tf," in log
    code, outputs, _ = _run_check_step(tmp_path, work, paths="infra", **{"fail-level": "never"})
    assert (code, outputs) == (0, {"exit-code": "0"})


@needs_pipeline
def test_check_step_links_alerts_to_the_rule_pages(tmp_path: Path) -> None:
    """The docs-url input (by default the action's own repository at the version in use) becomes
    each SARIF rule's helpUri."""
    assert "github.action_repository" in ACTION["inputs"]["docs-url"]["default"]
    work = tmp_path / "work"
    (work / "infra").mkdir(parents=True)
    (work / "infra" / "main.tf").write_text((CHECKOUT / "examples" / "kms-403" / "main.tf").read_text())
    _run_check_step(tmp_path, work, paths="infra", **{"docs-url": "https://example.test/o/why403/blob/v1/docs/rules"})
    rules = json.loads((work / "why403.sarif").read_text())["runs"][0]["tool"]["driver"]["rules"]
    assert {rule["helpUri"] for rule in rules} >= {"https://example.test/o/why403/blob/v1/docs/rules/W403-D103.md"}


def _git(cwd: Path, *args: str) -> str:
    import subprocess

    return subprocess.run(["git", "-c", "user.email=d@example.com", "-c", "user.name=d", *args], cwd=cwd, check=True,
                          capture_output=True, text=True).stdout.strip()


WILDCARD_KEY = """AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Key:
    Type: AWS::KMS::Key
    Properties:
      KeyPolicy:
        Version: "2012-10-17"
        Statement:
          - {Sid: Admin, Effect: Allow, Principal: {AWS: arn:aws:iam::111111111111:role/admin}, Action: "kms:*",
             Resource: "*"}
          - {Sid: %s, Effect: Allow, Principal: {AWS: "*"}, Action: kms:Decrypt, Resource: "*"}
"""


@pytest.fixture
def origin(tmp_path: Path) -> dict[str, str]:
    """A hosted repository: main (an old finding, then a later unrelated commit), a pull request
    branch off its first commit adding a finding, and GitHub's merge ref refs/pull/1/merge."""
    import shutil

    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    repo = tmp_path / "origin"
    (repo / "infra").mkdir(parents=True)
    _git(repo, "init", "-q", "-b", "main")
    (repo / "infra" / "old.yaml").write_text(WILDCARD_KEY % "OldDebt")
    _git(repo, "add", ".")
    _git(repo, "commit", "-qm", "base")
    fork = _git(repo, "rev-parse", "HEAD")
    _git(repo, "checkout", "-qb", "feature")
    (repo / "infra" / "new.yaml").write_text(WILDCARD_KEY % "NewGrant")
    _git(repo, "add", ".")
    _git(repo, "commit", "-qm", "the change")
    head = _git(repo, "rev-parse", "HEAD")
    _git(repo, "checkout", "-q", "main")
    (repo / "README.md").write_text("later on main\n")
    _git(repo, "add", ".")
    _git(repo, "commit", "-qm", "main moves on")
    base = _git(repo, "rev-parse", "HEAD")
    _git(repo, "merge", "-q", "--no-ff", "-m", "Merge the change", "feature")
    _git(repo, "update-ref", "refs/pull/1/merge", "HEAD")
    _git(repo, "reset", "-q", "--hard", base)
    return {"url": f"file://{repo}", "fork": fork, "head": head, "base": base}


def _shallow_checkout(tmp_path: Path, url: str, ref: str) -> Path:
    """What actions/checkout does on a pull request: one commit, fetch-depth 1."""
    work = tmp_path / "work"
    work.mkdir()
    _git(work, "init", "-q")
    _git(work, "remote", "add", "origin", url)
    _git(work, "fetch", "-q", "--no-tags", "--depth=1", "origin", ref)
    _git(work, "checkout", "-q", "FETCH_HEAD")
    return work


def test_on_a_pull_request_the_baseline_is_the_base_the_merge_commit_merges_into(
    tmp_path: Path, origin: dict[str, str]
) -> None:
    work = _shallow_checkout(tmp_path, origin["url"], "refs/pull/1/merge")
    pull_request = {"github.event.pull_request.base.sha": origin["base"]}
    code, outputs, log = run_step("baseline", tmp_path, work, {}, pull_request)
    assert code == 0, log
    assert outputs == {"ref": origin["base"]}
    assert _git(work, "cat-file", "-t", origin["base"]) == "commit", "fetched into the shallow clone"
    code, outputs, log = _run_check_step(tmp_path, work, baseline=origin["base"], paths="infra", **{"config-from": ""})
    assert outputs == {"exit-code": "1"}, log
    assert "NewGrant" in log and "OldDebt" not in log, "only what the change adds"


def test_with_the_head_checked_out_the_merge_base_is_found_by_deepening(
    tmp_path: Path, origin: dict[str, str]
) -> None:
    work = _shallow_checkout(tmp_path, origin["url"], origin["head"])
    pull_request = {"github.event.pull_request.base.sha": origin["base"]}
    code, outputs, log = run_step("baseline", tmp_path, work, {}, pull_request)
    assert code == 0, log
    assert outputs == {"ref": origin["fork"]}


def test_no_pull_request_or_an_empty_input_means_no_baseline(tmp_path: Path, origin: dict[str, str]) -> None:
    work = _shallow_checkout(tmp_path, origin["url"], "main")
    assert run_step("baseline", tmp_path, work, {})[1] == {"ref": ""}
    context = {"github.event.pull_request.base.sha": origin["base"]}
    assert run_step("baseline", tmp_path, work, {"baseline": ""}, context)[1] == {"ref": ""}
    assert run_step("baseline", tmp_path, work, {"baseline": origin["fork"]}, context)[1] == {"ref": origin["fork"]}


def test_with_a_baseline_the_gate_judges_the_change_and_the_sarif_holds_everything(
    tmp_path: Path, origin: dict[str, str]
) -> None:
    """Code scanning compares a pull request's upload with the base branch's itself: a SARIF of only
    the new findings would show the base's alerts as fixed by the pull request."""
    work = _shallow_checkout(tmp_path, origin["url"], "refs/pull/1/merge")
    run_step("baseline", tmp_path, work, {}, {"github.event.pull_request.base.sha": origin["base"]})
    code, outputs, log = _run_check_step(tmp_path, work, baseline=origin["base"], paths="infra")
    assert code == 0 and outputs == {"exit-code": "1"}, log
    assert "::error file=infra/new.yaml" in log and "infra/old.yaml" not in log
    results = json.loads((work / "why403.sarif").read_text())["runs"][0]["results"]
    files = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results}
    assert files == {"infra/new.yaml", "infra/old.yaml"}
