"""Point 7: a pull request cannot switch the gate off.

The base branch configures the gate; the pull request adds a public bucket and, in the same
change, a ``.why403.yaml`` that would silence it. Pinned to the base (``--baseline`` or
``--config-from``, which the GitHub action passes on pull requests), the run still fails, and the
weakening is itself reported (W403-E004) on the lines that do it.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.actionstep import run_check_step
from tests.hostile.gitrepo import commit_all, git, needs_git, new_repo
from why403.cli.main import main

pytestmark = needs_git

PUBLIC = '''
resource "aws_s3_bucket" "b" {
  bucket = "gate-test"
}
resource "aws_s3_bucket_policy" "p" {
  bucket = aws_s3_bucket.b.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = "*", Action = "s3:GetObject",
                   Resource = "${aws_s3_bucket.b.arn}/*" }]
  })
}
'''
SWITCHED_OFF = """# looks harmless
region: eu-west-1
fail-level: never
ignore: ["*"]
exclude: ["public.tf"]
cache-dir: .cache
suppressions:
  inline: true
"""


@pytest.fixture
def pull_request(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, str]:
    repo = new_repo(tmp_path / "repo")
    (repo / ".why403.yaml").write_text("fail-level: warning\nsuppressions:\n  inline: false\n")
    (repo / "main.tf").write_text('resource "aws_s3_bucket" "a" {\n  bucket = "quiet"\n}\n')
    base = commit_all(repo, "base")
    (repo / "public.tf").write_text(PUBLIC)
    (repo / ".why403.yaml").write_text(SWITCHED_OFF)
    commit_all(repo, "the pull request")
    monkeypatch.chdir(repo)
    return repo, base


def _report(*args: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, dict]:  # type: ignore[type-arg]
    code = main(["check", ".", "--no-cache", "--format", "json", *args])
    captured = capsys.readouterr()
    return code, json.loads(captured.out)


@pytest.mark.parametrize("pin", ["--baseline", "--config-from"])
def test_the_base_configuration_is_in_force_and_the_weakening_reported(
        pull_request: tuple[Path, str], capsys: pytest.CaptureFixture[str], pin: str) -> None:
    _, base = pull_request
    code, report = _report(pin, base, capsys=capsys)
    assert code == 1
    rules = {f["rule"] for f in report["findings"]}
    assert "W403-B307" in rules  # the public bucket is still found
    weakened = {f["location"]["line"]: f["message"] for f in report["findings"] if f["rule"] == "W403-E004"}
    assert set(weakened) == {3, 4, 5, 6, 8}, weakened
    assert "fail-level never (was warning)" in weakened[3]
    assert "rules no longer run" in weakened[4]
    assert "exclude public.tf" in weakened[5]
    assert "cache-dir" in weakened[6]
    assert "inline suppressions are allowed" in weakened[8]


def test_unpinned_the_change_would_have_passed(pull_request: tuple[Path, str],
                                               capsys: pytest.CaptureFixture[str]) -> None:
    """What the pinning prevents (and what CI must not run): the change's own configuration."""
    code, report = _report(capsys=capsys)
    assert code == 0 and report["findings"] == []


def test_a_trusted_config_or_none(pull_request: tuple[Path, str], tmp_path: Path,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    trusted = tmp_path / "trusted.yaml"
    trusted.write_text("fail-level: warning\n")
    for args in (("--config", str(trusted)), ("--no-config",)):
        code, report = _report(*args, capsys=capsys)
        assert code == 1 and "W403-B307" in {f["rule"] for f in report["findings"]}
        assert "W403-E004" not in {f["rule"] for f in report["findings"]}


def test_deleting_the_configuration_is_a_weakening_too(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    repo = new_repo(tmp_path / "repo")
    (repo / ".why403.yaml").write_text("fail-level: note\n")
    (repo / "main.tf").write_text(PUBLIC)
    base = commit_all(repo, "base")
    git(repo, "rm", "-q", ".why403.yaml")
    commit_all(repo, "drop it")
    monkeypatch.chdir(repo)
    _, report = _report("--config-from", base, capsys=capsys)
    assert any(f["rule"] == "W403-E004" and "fail-level warning (was note)" in f["message"]
               for f in report["findings"])


def test_the_action_pins_the_base_by_default(pull_request: tuple[Path, str], tmp_path: Path) -> None:
    repo, base = pull_request
    _, outputs, log = run_check_step(tmp_path, repo, **{"config-from": base})
    assert outputs == {"exit-code": "1"}, log
    assert "W403-E004" in log and "W403-B307" in log
